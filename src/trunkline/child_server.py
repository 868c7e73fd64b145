"""`trunkline serve` as a child process, for tests and benchmarks that want a real server: start
it, wait for its ready line, read the URL from it, stop it."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

READY = "ready at "


def start(command: Sequence[str], log_prefix: str = "trunkline-server-") -> tuple[subprocess.Popen[str], str]:
    """Run `command` (a `trunkline serve ...` line, with `--port 0` for a free port) and return the
    process and its URL once it printed its ready line; raise RuntimeError (with its log) if not."""
    # stderr goes to a file: a pipe nobody reads would block the server once its logs fill it.
    log = tempfile.NamedTemporaryFile(prefix=log_prefix, suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(list(command), stdout=subprocess.PIPE, stderr=log, text=True)
    log.close()
    assert process.stdout is not None
    line = process.stdout.readline()
    if READY not in line:
        process.kill()
        process.wait(timeout=10)
        raise RuntimeError(f"trunkline did not start: {line!r}\n{Path(log.name).read_text()[-4000:]}")
    return process, line.split(READY, 1)[1].split()[0]


def stop(process: subprocess.Popen[str]) -> None:
    """Terminate the server (killed if it has not exited within 10 s)."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
