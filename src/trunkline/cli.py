"""The `trunkline` command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import platformdirs
import typer

from trunkline import __version__
from trunkline.housekeeping import DEFAULT_EVENT_COUNT, DEFAULT_EVENT_HOURS
from trunkline.quotas import DEFAULTS
from trunkline.runtime import DEFAULT_ACCOUNT, DEFAULT_REGION, Config
from trunkline.timing import PROFILES

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="A local emulator of Amazon ECS awsvpc networking with ENI trunking.",
)


def default_state_path() -> Path:
    return Path(platformdirs.user_data_dir("trunkline")) / "state.sqlite3"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 4590,
    state: Annotated[
        str | None,
        typer.Option(help="SQLite file, ':memory:', or postgresql://… (default: a file in your data directory)."),
    ] = None,
    region: Annotated[str, typer.Option(help="Region for requests that do not name one.")] = DEFAULT_REGION,
    account_id: Annotated[str, typer.Option(help="The emulated AWS account.")] = DEFAULT_ACCOUNT,
    timing: Annotated[str, typer.Option(help=f"How asynchronous steps advance: {', '.join(PROFILES)}.")] = "fast",
    enforce_iam: Annotated[
        bool,
        typer.Option(
            "--enforce-iam",
            help="Evaluate IAM identity policies for every call by a user or role session (root is never denied).",
        ),
    ] = False,
    auth: Annotated[
        str,
        typer.Option(help="open: any credentials act as their account's root; strict: SigV4 signatures are verified."),
    ] = "open",
    credentials: Annotated[
        str | None,
        typer.Option(
            help="AWS credentials file (aws_access_key_id, aws_secret_access_key, aws_account_id per section): "
            "the keys --auth strict accepts, and the account each key acts as. Default under --auth strict: "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_ACCOUNT_ID) of this environment."
        ),
    ] = None,
    account_for_key: Annotated[
        list[str] | None,
        typer.Option(help="KEY=ACCOUNT: requests signed with access key KEY act in ACCOUNT (repeatable)."),
    ] = None,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(help="Also answer requests whose Host header names this (repeatable; '*': any name)."),
    ] = None,
    key_file: Annotated[
        str | None,
        typer.Option(help="File with the key that encrypts stored secrets (default: STATE.key; created 0600)."),
    ] = None,
    vcpu_quota: Annotated[
        int, typer.Option(min=1, help="Running On-Demand vCPUs per instance bucket, account and Region.")
    ] = DEFAULTS.vcpus,
    eni_quota: Annotated[int, typer.Option(min=1, help="Network interfaces per account and Region.")] = DEFAULTS.enis,
    event_retention_hours: Annotated[
        float, typer.Option(min=0.0, help="Keep ECS events in the outbox this long (store time).")
    ] = DEFAULT_EVENT_HOURS,
    event_retention_count: Annotated[
        int, typer.Option(min=1, help="Keep at most this many of the newest events in the outbox.")
    ] = DEFAULT_EVENT_COUNT,
    default_vpc: Annotated[
        bool,
        typer.Option(
            "--default-vpc/--no-default-vpc",
            envvar="TRUNKLINE_DEFAULT_VPC",
            help="Give every account and region AWS's default VPC, as a new AWS account has "
            "(--no-default-vpc, or TRUNKLINE_DEFAULT_VPC=0: start with an empty account).",
        ),
    ] = True,
) -> None:
    """Serve the AWS endpoint until interrupted (SIGINT or SIGTERM)."""
    import os

    from trunkline import credentials_file
    from trunkline.guard import is_loopback
    from trunkline.server import serve as run

    if timing not in PROFILES:
        raise typer.BadParameter(f"choose one of {', '.join(PROFILES)}", param_hint="--timing")
    if not (account_id.isdigit() and len(account_id) == 12):
        raise typer.BadParameter("an AWS account id is 12 digits", param_hint="--account-id")
    if auth not in ("open", "strict"):
        raise typer.BadParameter("choose open or strict", param_hint="--auth")
    try:
        keys = credentials_file.account_mapping(account_for_key or [], account_id)
        if credentials is not None:
            keys += credentials_file.load_file(credentials, account_id)
        elif auth == "strict":
            keys += credentials_file.from_environment(os.environ, account_id)
    except credentials_file.CredentialsError as error:
        raise typer.BadParameter(str(error)) from error
    if auth == "strict" and not any(key.secret for key in keys):
        raise typer.BadParameter(
            "--auth strict needs keys to accept: --credentials FILE, or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY in the environment",
            param_hint="--auth",
        )
    if not is_loopback(host) and auth != "strict":
        typer.echo(
            f"trunkline: warning: listening on {host}, beyond this machine, without --auth strict: "
            "anyone who reaches the port acts as the account's root.",
            err=True,
        )
    state = state or str(default_state_path())
    config = Config(
        state=state,
        region=region,
        account_id=account_id,
        timing=timing,
        host=host,
        port=port,
        enforce_iam=enforce_iam,
        auth=auth,
        allow_hosts=tuple(allow_host or ()),
        static_keys=tuple(keys),
        key_file=key_file,
        vcpu_quota=vcpu_quota,
        eni_quota=eni_quota,
        event_retention_hours=event_retention_hours,
        event_retention_count=event_retention_count,
        default_vpc=default_vpc,
    )

    mode = ", auth: strict" if auth == "strict" else ""

    def ready(url: str) -> None:
        typer.echo(
            f"trunkline {__version__} ready at {url} (state: {_redacted(state)}, timing: {timing}"
            + (", IAM enforced" if enforce_iam else "")
            + mode
            + ")",
            err=False,
        )

    run(config, ready)


@app.command()
def events(
    endpoint_url: Annotated[str, typer.Option(help="The trunkline server to read.")] = "http://127.0.0.1:4590",
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new events until interrupted (Ctrl-C).")
    ] = False,
    detail_type: Annotated[
        list[str] | None,
        typer.Option(help="Only this detail-type, e.g. 'ECS Task State Change' (repeatable, or comma-separated)."),
    ] = None,
    cluster: Annotated[str | None, typer.Option(help="Only events of this cluster (name or ARN).")] = None,
    after: Annotated[int, typer.Option(min=0, help="Start after this event sequence number.")] = 0,
    json_lines: Annotated[bool, typer.Option("--json", help="Print each event as one line of JSON.")] = False,
) -> None:
    """Print the ECS events emitted so far (with --follow: and then as they happen)."""
    import json

    from trunkline import event_stream

    types = detail_type or []
    found = (
        event_stream.stream_events(endpoint_url, after, types, cluster)
        if follow
        else event_stream.fetch_all(endpoint_url, after, types, cluster)
    )
    try:
        for event in found:
            # typer.echo flushes each line: output piped into another program must not wait in a buffer.
            typer.echo(json.dumps(event, separators=(",", ":")) if json_lines else event_stream.describe(event))
    except event_stream.ClientError as error:
        typer.echo(f"trunkline events: {error}", err=True)
        raise typer.Exit(1) from error
    except KeyboardInterrupt:
        return  # Ctrl-C is how --follow is meant to end
    if follow:
        typer.echo("trunkline events: the server closed the stream", err=True)
        raise typer.Exit(1)


@app.command()
def ui(
    endpoint_url: Annotated[str, typer.Option(help="The trunkline server to show.")] = "http://127.0.0.1:4590",
    open_browser: Annotated[
        bool, typer.Option("--open/--no-open", help="Open the dashboard in a web browser (else only print its URL).")
    ] = True,
) -> None:
    """Print the URL of the server's live dashboard and open it in a browser."""
    import urllib.error
    import urllib.request
    import webbrowser

    url = endpoint_url.rstrip("/") + "/_trunkline/ui"
    try:
        with urllib.request.urlopen(endpoint_url.rstrip("/") + "/_trunkline/health", timeout=10) as response:
            response.read()
    except (urllib.error.URLError, OSError, ValueError) as error:
        typer.echo(f"trunkline ui: no trunkline server answers at {endpoint_url}: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(url)
    if open_browser and not webbrowser.open(url):
        typer.echo("trunkline ui: no browser could be opened here; open the URL above", err=True)


def _redacted(state: str) -> str:
    """The state location without a database password, fit to print."""
    scheme, sep, rest = state.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in credentials:
        return state
    return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"


@app.command()
def doctor(
    cluster: Annotated[
        list[str] | None, typer.Option(help="A cluster to diagnose (repeatable; default: every cluster).")
    ] = None,
    endpoint_url: Annotated[
        str | None, typer.Option(help="Another endpoint than AWS's, e.g. a trunkline server.")
    ] = None,
    profile: Annotated[str | None, typer.Option(help="The AWS profile to use (boto3's credential chain).")] = None,
    region: Annotated[str | None, typer.Option(help="The Region (default: your AWS configuration's).")] = None,
    output: Annotated[str, typer.Option(help="table (plain text when piped) or json.")] = "table",
    instance: Annotated[
        list[str] | None,
        typer.Option(
            help="Only this instance: an EC2 instance id, or a container instance id or ARN (repeatable; "
            "its cluster is still read whole, for evidence)."
        ),
    ] = None,
) -> None:
    """Why has a container instance no trunk ENI? Public, read-only AWS calls only.

    Exit status: 0 all well, 1 an eligible instance lacks a trunk, 2 an error."""
    from trunkline.doctor.run import main as run

    if output not in ("table", "json"):
        raise typer.BadParameter("choose table or json", param_hint="--output")
    raise typer.Exit(run(cluster or [], endpoint_url, profile, region, output, instance or []))


@app.command()
def plan(
    task_definition: Annotated[
        list[str],
        typer.Option(help="FILE_OR_FAMILY[:COUNT]: a RegisterTaskDefinition JSON file or a family (repeatable)."),
    ],
    types: Annotated[list[str] | None, typer.Option(help="Instance types, comma-separated (repeatable).")] = None,
    families: Annotated[list[str] | None, typer.Option(help="Instance families, e.g. c5,m6i (repeatable).")] = None,
    all_supported: Annotated[bool, typer.Option("--all-supported", help="Every type that supports trunking.")] = False,
    trunking: Annotated[str, typer.Option(help="on, off or both (side by side).")] = "both",
    endpoint_url: Annotated[str | None, typer.Option(help="Where to read task definitions given by family.")] = None,
    prices: Annotated[Path | None, typer.Option(help="CSV of instance_type,price_per_hour (none is shipped).")] = None,
    simulate: Annotated[
        bool, typer.Option("--simulate", help="Also place the workload with the real engine in an in-memory trunkline.")
    ] = False,
    output: Annotated[str, typer.Option(help="table (plain text when piped), json or csv.")] = "table",
    chart: Annotated[
        Path | None, typer.Option(help="Draw tasks per instance and instances needed: FILE.png or .svg.")
    ] = None,
) -> None:
    """How many instances of which type will these tasks need, with and without ENI trunking?"""
    from trunkline.plan.run import main as run

    raise typer.Exit(
        run(task_definition, types, families, all_supported, trunking, endpoint_url, prices, simulate, output, chart)
    )


@app.command()
def version() -> None:
    """Print trunkline's version."""
    typer.echo(__version__)


def main() -> None:
    app()
