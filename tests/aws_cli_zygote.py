"""Runs AWS CLI commands in forked copies of one process that has already imported the CLI.

Every `aws` command the tests run used to start a new interpreter and import awscli and botocore
again: about 0.3 s of CPU per command, several hundred commands per pass. This process pays that
import once and forks for each command. The child is the real CLI from there on: it takes the
command's environment, arguments and output files, and builds its own driver, session and config
exactly as the `aws` script does (`awscli.clidriver.main`). Only the imports are shared.

Protocol, one JSON line each way on stdin/stdout:
  request  {"args": [...], "env": {...}, "stdout": PATH, "stderr": PATH}
  replies  {"pid": N}, then {"status": EXIT STATUS}
"""

from __future__ import annotations

import importlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
from pathlib import Path
from typing import Any, NoReturn


def main() -> None:
    import awscli.clidriver  # noqa: F401  (the import every command would otherwise pay for)

    replies = os.fdopen(os.dup(1), "w")
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _run_command(request)
        replies.write(json.dumps({"pid": pid}) + "\n")
        replies.flush()
        _, status = os.waitpid(pid, 0)
        replies.write(json.dumps({"status": os.waitstatus_to_exitcode(status)}) + "\n")
        replies.flush()


def _run_command(request: dict[str, Any]) -> NoReturn:
    """In the child: become `aws ARGS` with the request's environment and output files."""
    status = 255
    try:
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            opened = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(opened, fd)
            os.close(opened)
        os.environ.clear()
        os.environ.update(request["env"])
        # What the `aws` script and awscli's import do with the environment, done again with this
        # command's: the locale fix, then AWS_DATA_PATH (awscli/__init__ adds its data folder to it).
        if os.environ.get("LC_CTYPE", "") == "UTF-8":
            os.environ["LC_CTYPE"] = "en_US.UTF-8"
        import awscli

        importlib.reload(awscli)
        sys.argv = ["aws", *request["args"]]
        from awscli.clidriver import main as aws

        status = aws()
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(status)


class Zygote:
    """The tests' side: starts this module under the CLI's interpreter and runs commands through it."""

    def __init__(self, python: str) -> None:
        self.process = subprocess.Popen(
            [python, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        self.lock = threading.Lock()
        self.pending = b""

    def run(self, args: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
        """As `subprocess.run(["aws", *args], env=env, capture_output=True, text=True, timeout=timeout)`."""
        with self.lock, tempfile.TemporaryDirectory(prefix="aws-cli-") as folder:
            out, err = Path(folder, "stdout"), Path(folder, "stderr")
            request = {"args": args, "env": env, "stdout": str(out), "stderr": str(err)}
            assert self.process.stdin is not None
            self.process.stdin.write(json.dumps(request) + "\n")
            pid = self._reply(timeout=30)["pid"]
            try:
                status = self._reply(timeout)["status"]
            except subprocess.TimeoutExpired:
                os.kill(pid, signal.SIGKILL)
                self._reply(timeout=30)
                raise subprocess.TimeoutExpired(["aws", *args], timeout) from None
            return subprocess.CompletedProcess(["aws", *args], status, out.read_text(), err.read_text())

    def _reply(self, timeout: float) -> dict[str, Any]:
        """The next reply line, read from the pipe unbuffered so that select() sees every byte."""
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while b"\n" not in self.pending:
            ready, _, _ = select.select([fd], [], [], timeout)
            if not ready:
                raise subprocess.TimeoutExpired(["aws"], timeout)
            chunk = os.read(fd, 65536)
            if not chunk:
                raise RuntimeError(f"the AWS CLI launcher exited ({self.process.poll()})")
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\n")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


if __name__ == "__main__":
    main()
