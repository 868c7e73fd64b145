"""What `trunkline serve` loads before its ready line, and what it loads after (issue 16, item 3).

No wall-clock assertions (the machine is shared): the start-up path is checked by what it imports.
Before the ready line: the CLI, uvicorn, the store and the default VPC's EC2 modules. After it
(Runtime.warm_up, on the store's worker): botocore's models, the wire layer, every provider."""

from __future__ import annotations

import json
import subprocess
import sys

from trunkline import lazy
from trunkline.runtime import Config, Runtime
from trunkline.wiring import build_reactions

#: Modules the ready line must not wait for: each costs tens of milliseconds.
LATER = (
    "botocore.model",
    "botocore.session",
    "cryptography.hazmat.primitives.ciphers.aead",
    "trunkline.wire.gateway",
    "trunkline.wire.models",
    "trunkline.services.ecs",
    "trunkline.services.ec2",
    "trunkline.domain.ecs.task_launch",
    "trunkline.domain.ecs.managed_scaling",
    "trunkline.domain.autoscaling.scaling",
    "trunkline.domain.enforcement",
)

_BEFORE_READY = """
import json, sys
from trunkline import cli, server
from trunkline.runtime import Config, Runtime
runtime = Runtime(Config(state=":memory:"))
server._uvicorn_config(runtime).load()
before = sorted(sys.modules)
runtime.warm_up()
print(json.dumps({"before": before, "after": sorted(sys.modules)}))
runtime.close()
"""


def test_the_ready_line_waits_for_none_of_the_heavy_modules_and_warm_up_loads_them() -> None:
    done = subprocess.run([sys.executable, "-c", _BEFORE_READY], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert [name for name in LATER if name in loaded["before"]] == []
    not_loaded = {name for name in LATER if name not in loaded["after"]}
    assert not_loaded <= {
        "botocore.session",  # never: models load through botocore's loader
        "cryptography.hazmat.primitives.ciphers.aead",  # when a secret is first sealed or opened
        "trunkline.domain.enforcement",  # only with --enforce-iam
    }
    assert "botocore.session" in not_loaded


def test_warm_up_parses_the_instance_type_catalog_the_ready_line_does_not() -> None:
    """The catalog (~35 ms to parse) is warm-up's, not the first RunInstances' caller's."""
    script = (
        "import json; from trunkline.runtime import Config, Runtime; from trunkline.domain import catalog\n"
        "runtime = Runtime(Config(state=':memory:'))\n"
        "before = catalog._catalog.cache_info().currsize\n"
        "runtime.warm_up()\n"
        "print(json.dumps([before, catalog._catalog.cache_info().currsize])); runtime.close()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [0, 1]


def test_every_reaction_names_a_function_that_exists() -> None:
    build_reactions()
    lazy.warm_up()  # raises AttributeError for a misspelt name
    assert lazy.LateModule.named
    for late, name in lazy.LateModule.named:
        assert callable(late.resolve(name)), f"{late.module}.{name}"


def test_providers_load_on_first_use_and_jobs_cover_every_provider() -> None:
    runtime = Runtime(Config(state=":memory:", timing="manual"))
    try:
        assert set(runtime.providers) == {"autoscaling", "ec2", "ecs", "iam", "logs", "ssm", "sts"}
        assert runtime.providers["sts"].service == "sts"
        assert runtime.providers.get("s3") is None
        jobs = runtime.reconciler.handlers
        for provider in runtime.providers.values():
            assert set(provider.jobs()) <= set(jobs)
        assert len(jobs) > 0
    finally:
        runtime.close()
