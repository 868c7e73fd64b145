"""Keys trunkline knows without having issued them: `--credentials FILE` and the environment.

The file has the AWS shared credentials format (`~/.aws/credentials`): one section per key, with
`aws_access_key_id`, `aws_secret_access_key` and, optionally, `aws_account_id` (the account the
key acts as the root of; default: `--account-id`). Other settings are ignored. So a profile an
SDK reads can be given to trunkline unchanged:

    [default]
    aws_access_key_id = AKIAIOSFODNN7EXAMPLE
    aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

    [other-account]
    aws_access_key_id = AKIAI44QH8DHBEXAMPLE
    aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY
    aws_account_id = 111122223333
"""

from __future__ import annotations

import configparser
from collections.abc import Mapping

from trunkline.domain.identity import StaticKey


class CredentialsError(ValueError):
    pass


def _account(value: str, where: str) -> str:
    value = value.strip()
    if not (len(value) == 12 and value.isascii() and value.isdigit()):
        raise CredentialsError(f"{where}: an AWS account id is 12 digits, not {value!r}")
    return value


def load_file(path: str, default_account: str) -> list[StaticKey]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with open(path, encoding="utf-8") as handle:
            parser.read_file(handle)
    except (OSError, UnicodeDecodeError, configparser.Error) as error:
        raise CredentialsError(f"cannot read {path}: {error}") from error
    keys: dict[str, StaticKey] = {}
    for name in parser.sections():
        section = parser[name]
        key_id = section.get("aws_access_key_id", "").strip()
        secret = section.get("aws_secret_access_key", "").strip()
        if not key_id or not secret:
            raise CredentialsError(f"{path} [{name}]: needs aws_access_key_id and aws_secret_access_key")
        account = _account(section.get("aws_account_id", default_account), f"{path} [{name}] aws_account_id")
        if key_id in keys and keys[key_id] != StaticKey(key_id, account, secret):
            raise CredentialsError(f"{path}: access key {key_id} is given twice, differently")
        keys[key_id] = StaticKey(key_id, account, secret)
    if not keys:
        raise CredentialsError(f"{path}: no credentials in it")
    return list(keys.values())


def from_environment(environ: Mapping[str, str], default_account: str) -> list[StaticKey]:
    """AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_ACCOUNT_ID) of the server's environment."""
    key_id = environ.get("AWS_ACCESS_KEY_ID", "").strip()
    secret = environ.get("AWS_SECRET_ACCESS_KEY", "").strip()
    if not key_id or not secret:
        return []
    account = environ.get("AWS_ACCOUNT_ID", "").strip() or default_account
    return [StaticKey(key_id, _account(account, "AWS_ACCOUNT_ID"), secret)]


def account_mapping(pairs: list[str], default_account: str) -> list[StaticKey]:
    """`--account-for-key KEY=ACCOUNT`: the account a key acts as in the default mode."""
    keys = []
    for pair in pairs:
        key_id, equals, account = pair.partition("=")
        if not equals or not key_id.strip():
            raise CredentialsError(f"--account-for-key wants KEY=ACCOUNT, not {pair!r}")
        keys.append(StaticKey(key_id.strip(), _account(account, "--account-for-key")))
    return keys
