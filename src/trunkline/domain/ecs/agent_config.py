"""The ECS agent's configuration, read from an instance's user data the way it reaches the agent.

On a real instance, user data runs at boot and writes `/etc/ecs/ecs.config`, which ecs-init hands
to the agent as environment variables. trunkline does not run the script; it recognises the lines
that write that file and applies them in order:

- `echo ECS_CLUSTER=prod >> /etc/ecs/ecs.config` (quoted or not, `echo -e` with `\\n`, `> file`
  truncating first, `echo … | [sudo] tee [-a] /etc/ecs/ecs.config`);
- heredocs into the file: `cat <<'EOF' >> /etc/ecs/ecs.config` … `EOF` (also `cat > FILE <<EOF`,
  `<<-EOF`, `| tee`), one `KEY=VALUE` per line;
- bare `ECS_NAME=value` lines (user data that is the config file itself);
- Windows: `Initialize-ECSAgent -Cluster NAME` and
  `[Environment]::SetEnvironmentVariable("ECS_CLUSTER", "NAME", "Machine")`.

MIME multi-part user data (cloud-init) is read part by part. Anything else in the script (variables,
conditionals, downloads) is not evaluated. Values the agent would reject are reported in `problems`;
the agent does not start with them (see `agent.py`).
"""

from __future__ import annotations

import base64
import binascii
import email
import json
import re
import shlex
from dataclasses import dataclass, field
from typing import Any

CONFIG_FILE = "/etc/ecs/ecs.config"
DEFAULT_RESERVED_PORTS = (22, 2375, 2376, 51678, 51679)
DEFAULT_LOGGING_DRIVERS = ("json-file", "syslog", "awslogs", "none")

_TRUE = frozenset({"1", "t", "true"})  # the agent parses booleans as Go's strconv.ParseBool does
_FALSE = frozenset({"0", "f", "false"})

_ASSIGNMENT = re.compile(r"^\s*(ECS_[A-Z0-9_]+)=(.*)$")
_FILE = re.escape(CONFIG_FILE)
_ECHO = re.compile(rf"^\s*(?:sudo\s+)?echo\s+(?P<args>.*?)\s*(?P<redirect>>>?)\s*{_FILE}\s*;?\s*$")
_ECHO_TEE = re.compile(rf"^\s*(?:sudo\s+)?echo\s+(?P<args>.*?)\s*\|\s*(?:sudo\s+)?tee\s+(?P<append>-a\s+)?{_FILE}\b.*$")
_HEREDOC = re.compile(r"<<-?\s*(?P<quote>['\"]?)(?P<word>[A-Za-z0-9_]+)(?P=quote)")
_INIT_AGENT = re.compile(r"Initialize-ECSAgent\b.*?-Cluster\s+(?P<q>['\"]?)(?P<name>[^'\"\s]+)(?P=q)", re.IGNORECASE)
_SET_ENV = re.compile(
    r"SetEnvironmentVariable\(\s*['\"](?P<key>ECS_[A-Z0-9_]+)['\"]\s*,\s*['\"](?P<value>[^'\"]*)['\"]",
    re.IGNORECASE,
)


@dataclass
class AgentConfig:
    """The variables the simulated agent acts on, with the agent's defaults."""

    values: dict[str, str] = field(default_factory=dict)  # every ECS_* variable found, as written
    problems: list[str] = field(default_factory=list)  # values the agent refuses to start with

    @property
    def cluster(self) -> str:
        return self.values.get("ECS_CLUSTER") or "default"

    def flag(self, name: str, default: bool) -> bool:
        raw = self.values.get(name)
        if raw is None or raw.strip() == "":
            return default
        text = raw.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        return default  # the agent logs an unparsable boolean and keeps its default

    @property
    def task_eni(self) -> bool:
        return self.flag("ECS_ENABLE_TASK_ENI", True)

    @property
    def high_density_eni(self) -> bool:
        return self.flag("ECS_ENABLE_HIGH_DENSITY_ENI", True)

    @property
    def gpu_support(self) -> bool:
        """ECS_ENABLE_GPU_SUPPORT: the GPU-optimized AMI sets it; the agent then reports the GPUs."""
        return self.flag("ECS_ENABLE_GPU_SUPPORT", False)

    @property
    def privileged_disabled(self) -> bool:
        return self.flag("ECS_DISABLE_PRIVILEGED", False)

    @property
    def reserved_memory(self) -> int:
        return _integer(self.values.get("ECS_RESERVED_MEMORY"), 0)

    @property
    def reserved_ports(self) -> list[int]:
        return _ports(self.values.get("ECS_RESERVED_PORTS"), list(DEFAULT_RESERVED_PORTS))

    @property
    def reserved_udp_ports(self) -> list[int]:
        return _ports(self.values.get("ECS_RESERVED_PORTS_UDP"), [])

    @property
    def logging_drivers(self) -> list[str]:
        parsed = _json(self.values.get("ECS_AVAILABLE_LOGGING_DRIVERS"))
        if isinstance(parsed, list) and all(isinstance(d, str) for d in parsed):
            return list(parsed)
        return list(DEFAULT_LOGGING_DRIVERS)

    @property
    def instance_attributes(self) -> dict[str, str]:
        parsed = _json(self.values.get("ECS_INSTANCE_ATTRIBUTES"))
        return {str(k): str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}

    @property
    def instance_tags(self) -> dict[str, str]:
        parsed = _json(self.values.get("ECS_CONTAINER_INSTANCE_TAGS"))
        return {str(k): str(v) for k, v in parsed.items()} if isinstance(parsed, dict) else {}

    def summary(self) -> dict[str, Any]:
        """What the agent made of its configuration, for `/_trunkline/agents/<instance-id>`."""
        return {
            "variables": dict(self.values),
            "cluster": self.cluster,
            "taskEni": self.task_eni,
            "highDensityEni": self.high_density_eni,
            "reservedMemory": self.reserved_memory,
            "reservedPorts": self.reserved_ports,
            "instanceAttributes": self.instance_attributes,
            "problems": list(self.problems),
        }


def _json(raw: str | None) -> Any:
    if raw is None or raw.strip() == "":
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _integer(raw: str | None, default: int) -> int:
    try:
        return int(raw.strip()) if raw is not None and raw.strip() else default
    except ValueError:
        return default


def _ports(raw: str | None, default: list[int]) -> list[int]:
    parsed = _json(raw)
    if isinstance(parsed, list) and all(isinstance(p, int) and not isinstance(p, bool) for p in parsed):
        return list(parsed)
    return default


# --- reading user data ---------------------------------------------------------------------------


def decode_user_data(user_data: str | None) -> str:
    """The script text of base64 user data (MIME multi-part: its text parts, in order)."""
    if not user_data:
        return ""
    try:
        raw = base64.b64decode(user_data, validate=True)
    except (binascii.Error, ValueError):
        return ""
    text = raw.decode("utf-8", errors="replace")
    if not text.lstrip().lower().startswith(("content-type: multipart", "mime-version")):
        return text
    message = email.message_from_string(text)
    parts = [p.get_payload(decode=True) for p in message.walk() if p.get_content_maintype() == "text"]
    return "\n".join(p.decode("utf-8", errors="replace") for p in parts if isinstance(p, bytes))


def parse(user_data: str | None, preset: tuple[tuple[str, str], ...] = ()) -> AgentConfig:
    """The agent configuration the instance's user data writes (see the module doc), on top of
    what the image's own ecs.config holds (`preset`): appended lines override it, a truncating
    write drops it."""
    config = AgentConfig(values=dict(preset))
    lines = decode_user_data(user_data).splitlines()
    index = 0
    while index < len(lines):
        index = _apply_line(config, lines, index)
    _check(config)
    return config


def _apply_line(config: AgentConfig, lines: list[str], index: int) -> int:
    """Apply the line at `index` (and a heredoc body it opens); returns the next line to read."""
    line = lines[index]
    heredoc = _HEREDOC.search(line)
    if heredoc is not None:
        end = _heredoc_end(lines, index + 1, heredoc.group("word"), line)
        if CONFIG_FILE in line:
            if _truncates(line):
                config.values.clear()
            for body_line in lines[index + 1 : end]:
                _assign(config, body_line.strip())
        return end + 1
    echoed = _ECHO.match(line) or _ECHO_TEE.match(line)
    if echoed is not None:
        _apply_echo(config, echoed)
    elif (init := _INIT_AGENT.search(line)) is not None:
        config.values["ECS_CLUSTER"] = init.group("name")
    elif (setting := _SET_ENV.search(line)) is not None:
        config.values[setting.group("key")] = setting.group("value")
    elif _ASSIGNMENT.match(line):
        _assign(config, line.strip())
    return index + 1


def _heredoc_end(lines: list[str], start: int, word: str, opener: str) -> int:
    """The index of the heredoc's closing line (`<<-` allows leading tabs), or the end of input."""
    strip_tabs = "<<-" in opener
    for position in range(start, len(lines)):
        candidate = lines[position].lstrip("\t") if strip_tabs else lines[position]
        if candidate.rstrip() == word:
            return position
    return len(lines)


def _truncates(line: str) -> bool:
    """Whether the line writes the config file afresh (`> file`, `tee` without `-a`)."""
    if re.search(rf"(?<!>)>\s*{_FILE}", line):
        return True
    return bool(re.search(rf"\btee\s+{_FILE}", line))


def _apply_echo(config: AgentConfig, echoed: re.Match[str]) -> None:
    appends = echoed.groupdict().get("redirect") == ">>" or bool(echoed.groupdict().get("append"))
    if not appends:
        config.values.clear()
    try:
        words = shlex.split(echoed.group("args"))
    except ValueError:
        return  # unbalanced quotes: the shell would fail the line too
    escapes = any(w == "-e" for w in words)
    words = [w for w in words if w not in ("-e", "-n", "-E")]
    text = " ".join(words)
    for piece in text.split("\\n") if escapes else [text]:
        _assign(config, piece.strip())


def _assign(config: AgentConfig, text: str) -> None:
    if not text or text.startswith("#") or "=" not in text:
        return
    key, _, value = text.partition("=")
    key = key.strip()
    if key.startswith("export "):
        key = key[len("export ") :].strip()
    if not re.fullmatch(r"ECS_[A-Z0-9_]+", key):
        return
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    config.values[key] = value


def _check(config: AgentConfig) -> None:
    """The values the agent refuses to start with (it exits, and ecs-init gives up on it)."""
    raw = config.values.get("ECS_INSTANCE_ATTRIBUTES")
    if raw is not None and raw.strip() and not isinstance(_json(raw), dict):
        config.problems.append("ECS_INSTANCE_ATTRIBUTES is not a JSON object of attribute names to values")
    memory = config.values.get("ECS_RESERVED_MEMORY")
    if memory is not None and memory.strip() and _integer(memory, -1) < 0:
        config.problems.append(f"ECS_RESERVED_MEMORY '{memory}' is not a number of MiB")
