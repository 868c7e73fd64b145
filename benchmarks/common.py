"""What the scaling benchmarks share: a `trunkline serve --timing manual` on a state file, a raw
keep-alive client shaping requests as botocore sends them (no boto3: its own cost would blur the
figures), interleaved timing against the health baseline, and the growth of the server's own work.

Run the benchmarks as scripts (`python benchmarks/bench_ec2.py`): this directory is then first on
`sys.path`, which is how they import this module.
"""

from __future__ import annotations

import functools
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from trunkline import child_server

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
REGION = "us-east-1"
HEALTH = "health"  # the baseline's name in timing results


# --- the server -----------------------------------------------------------------------------------


def trunkline_command() -> list[str]:
    """The installed `trunkline` script next to this interpreter, else `python -m trunkline`."""
    script = shutil.which("trunkline", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "trunkline"]


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str


@functools.cache
def _has_quotas() -> bool:
    shown = subprocess.run([*trunkline_command(), "serve", "--help"], capture_output=True, text=True, check=False)
    return "--vcpu-quota" in shown.stdout


def start(state: str, *extra: str) -> Server:
    """`trunkline serve` on a free port with a manual clock; returns once its ready line is out."""
    # Benchmarks measure scale, not quotas: lift the vCPU and ENI quotas well past what they launch
    # (when the trunkline measured has them: an older tree may be measured as a baseline).
    quotas = ["--vcpu-quota", "100000000", "--eni-quota", "100000000"] if _has_quotas() else []
    command = [*trunkline_command(), "serve", "--port", "0", "--state", state, "--timing", "manual", *quotas, *extra]
    try:
        process, url = child_server.start(command, log_prefix="trunkline-bench-")
    except RuntimeError as error:
        raise SystemExit(str(error)) from None
    return Server(process, url)


def cpu_seconds(pid: int) -> float:
    """A process's CPU time so far (user + system, from /proc): unlike wall time it hardly moves
    when other work shares the machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serve_tree(src: str) -> tuple[subprocess.Popen[str], str]:
    """`trunkline serve --port 0 --state :memory: --timing fast` from the tree at `src` (its
    PYTHONPATH, this interpreter): the process and its URL, once its ready line is out."""
    env = dict(os.environ, PYTHONPATH=src)
    command = [sys.executable, "-m", "trunkline", "serve", "--port", "0", "--state", ":memory:", "--timing", "fast"]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert server.stdout is not None
    found = re.search(r"http://\S+", server.stdout.readline())
    assert found is not None, "the server did not print its ready line"
    return server, found.group(0)


def stop(server: Server) -> None:
    child_server.stop(server.process)


# --- a raw client ---------------------------------------------------------------------------------


class Client:
    """Requests shaped as botocore sends them: trunkline routes by the SigV4 credential scope and
    does not check signatures (yet), so a fixed signature does; the date is today's."""

    def __init__(self, url: str, timeout: float = 120) -> None:
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)

    @staticmethod
    def _auth(service: str) -> dict[str, str]:
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        scope = f"{ACCESS_KEY}/{stamp[:8]}/{REGION}/{service}/aws4_request"
        return {
            "X-Amz-Date": stamp,
            "Authorization": f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature={'0' * 64}",
        }

    def raw(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
        self.conn.request(method, path, body=body or None, headers=headers or {})
        response = self.conn.getresponse()
        payload = response.read()
        if response.status != 200:
            raise SystemExit(f"{method} {path} answered {response.status}: {payload[:400]!r}")
        return payload

    def form(self, service: str, action: str, version: str, **params: str | int) -> str:
        """A query-protocol call (EC2, IAM, STS); the XML answer as text."""
        body = urlencode({"Action": action, "Version": version, **params}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", **self._auth(service)}
        return self.raw("POST", "/", body, headers).decode()

    def json(self, service: str, target: str, params: dict[str, Any]) -> Any:
        """A JSON-protocol call (ECS, SSM); the parsed answer."""
        headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target, **self._auth(service)}
        return json.loads(self.raw("POST", "/", json.dumps(params).encode(), headers))

    def ec2(self, action: str, **params: str | int) -> str:
        return self.form("ec2", action, "2016-11-15", **params)

    def iam(self, action: str, **params: str | int) -> str:
        return self.form("iam", action, "2010-05-08", **params)

    def ecs(self, operation: str, **params: Any) -> Any:
        return self.json("ecs", f"AmazonEC2ContainerServiceV20141113.{operation}", params)

    def ssm(self, operation: str, **params: Any) -> Any:
        return self.json("ssm", f"AmazonSSM.{operation}", params)

    def settle(self) -> None:
        self.raw("POST", "/_trunkline/clock/settle")

    def health(self) -> None:
        self.raw("GET", "/_trunkline/health")


def tag(xml: str, name: str) -> list[str]:
    """The texts of every `<name>` element (enough for the ids an EC2 answer carries)."""
    return re.findall(f"<{name}>([^<]+)</{name}>", xml)


# --- timing ---------------------------------------------------------------------------------------


def machine() -> str:
    """trunkline's version, Python's, the CPUs and the load: figures from a busy machine differ."""
    import trunkline

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"trunkline {trunkline.__version__}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {load:.2f}"


def interleaved_medians(calls: Mapping[str, Callable[[], object]], samples: int, warmup: int) -> dict[str, float]:
    """Median seconds per call. The calls take turns in a rotating order, round by round, so that
    a slow spell of the machine falls on all of them alike; `warmup` rounds are not timed."""
    names = list(calls)
    times: dict[str, list[float]] = {name: [] for name in names}
    for i in range(warmup + samples):
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            began = time.perf_counter()
            calls[name]()
            if i >= warmup:
                times[name].append(time.perf_counter() - began)
    return {name: statistics.median(values) for name, values in times.items()}


def own_work_growth(small: dict[str, float], large: dict[str, float], name: str) -> float:
    """large / small of a call's own work (its median less the health baseline's): HTTP, ASGI and
    the client cost both alike, so what is left is what the server did for the call."""
    own_small = max(small[name] - small[HEALTH], 1e-6)
    own_large = max(large[name] - large[HEALTH], 1e-6)
    return own_large / own_small
