"""What the simulated ECS agent reports when it registers: its capability attributes, the
instance's resources and its version, as RegisterContainerInstance carries them.

Capabilities follow the real agent's rules (amazon-ecs-agent `agent/app/agent_capability*.go`):
- `ecs.capability.task-eni` unless `ECS_ENABLE_TASK_ENI=false`;
- `ecs.capability.task-eni-trunking` and `ecs.capability.branch-cni-plugin-version` only on Linux,
  from agent 1.28.1, with task ENIs enabled and `ECS_ENABLE_HIGH_DENSITY_ENI` not false;
- `com.amazonaws.ecs.capability.docker-remote-api.1.17` … up to what both the agent and the
  image's Docker speak; logging drivers from `ECS_AVAILABLE_LOGGING_DRIVERS`;
- name-only feature capabilities, each from the agent version that introduced it (approximate for
  features older agents lack; only the 2018 image is old enough to notice).

Resources: CPU = vCPUs x 1024; MEMORY = what the kernel reports as total memory, less
`ECS_RESERVED_MEMORY`. The kernel's share is modelled from published registrations: on Nitro
instance types `memory - ceil(1.75 % of memory) - 319 MiB` (a c5.large, 4096 MiB, registers
3705), on Xen `memory - ceil(1.6 %) - 75 MiB` (an m4.large, 8192 MiB, registers 7985; AWS's
memory-management page). PORTS = `ECS_RESERVED_PORTS` (default 22, 2375, 2376, 51678, 51679),
PORTS_UDP = `ECS_RESERVED_PORTS_UDP` (default none).
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from trunkline.domain import catalog
from trunkline.domain.ec2.images import AgentInfo
from trunkline.domain.ecs import gpus
from trunkline.domain.ecs.agent_config import AgentConfig

Record = dict[str, Any]

LEGACY = "com.amazonaws.ecs.capability."
CAPABILITY = "ecs.capability."
TRUNKING_CAPABILITY = CAPABILITY + "task-eni-trunking"
TASK_ENI_CAPABILITY = CAPABILITY + "task-eni"
TRUNKING_MIN_AGENT = (1, 28, 1)

CNI_PLUGIN_VERSION = "2b7aa2e4-2024.09.0"  # the awsvpc CNI plugins the agent ships (commit-version)
BRANCH_CNI_PLUGIN_VERSION = "f2aa7b4a-"  # the branch ENI plugin reports a commit only

#: Name-only capabilities and the agent version that first sends each (Linux).
_FEATURES: tuple[tuple[str, tuple[int, int, int]], ...] = (
    (LEGACY + "ecr-auth", (1, 0, 0)),
    (LEGACY + "task-iam-role", (1, 8, 0)),
    (LEGACY + "task-iam-role-network-host", (1, 11, 0)),
    (CAPABILITY + "execution-role-ecr-pull", (1, 16, 0)),
    (CAPABILITY + "execution-role-awslogs", (1, 16, 0)),
    (CAPABILITY + "container-health-check", (1, 17, 0)),
    (CAPABILITY + "private-registry-authentication.secretsmanager", (1, 19, 0)),
    (CAPABILITY + "docker-plugin.local", (1, 20, 0)),
    (CAPABILITY + "task-cpu-mem-limit", (1, 20, 0)),
    (CAPABILITY + "secrets.ssm.environment-variables", (1, 22, 0)),
    (CAPABILITY + "pid-ipc-namespace-sharing", (1, 22, 0)),
    (CAPABILITY + "secrets.asm.environment-variables", (1, 23, 0)),
    (CAPABILITY + "task-eia", (1, 24, 0)),
    (CAPABILITY + "ecr-endpoint", (1, 25, 0)),
    (CAPABILITY + "container-ordering", (1, 26, 0)),
    (CAPABILITY + "aws-appmesh", (1, 26, 0)),
    (CAPABILITY + "secrets.ssm.bootstrap.log-driver", (1, 27, 0)),
    (CAPABILITY + "secrets.asm.bootstrap.log-driver", (1, 27, 0)),
    (CAPABILITY + "firelens.fluentd", (1, 30, 0)),
    (CAPABILITY + "firelens.fluentbit", (1, 30, 0)),
    (LEGACY + "logging-driver.awsfirelens", (1, 30, 0)),
    (CAPABILITY + "firelens.options.config.file", (1, 31, 0)),
    (CAPABILITY + "firelens.options.config.s3", (1, 31, 0)),
    (CAPABILITY + "full-sync", (1, 33, 0)),
    (CAPABILITY + "efs", (1, 35, 0)),
    (CAPABILITY + "efsAuth", (1, 38, 0)),
    (CAPABILITY + "env-files.s3", (1, 39, 0)),
    (CAPABILITY + "increased-task-cpu-limit", (1, 45, 0)),
    (CAPABILITY + "execute-command", (1, 50, 2)),
    (CAPABILITY + "task-eni.ipv6", (1, 56, 0)),
    (CAPABILITY + "task-eni-block-instance-metadata", (1, 56, 0)),
    (CAPABILITY + "service-connect-v1", (1, 67, 0)),
    (CAPABILITY + "network.container-port-range", (1, 71, 0)),
    (CAPABILITY + "container-restart-policy", (1, 85, 0)),
    (CAPABILITY + "fault-injection", (1, 88, 0)),
    (CAPABILITY + "ipv6-only", (1, 95, 0)),
)

_DOCKER_API_MIN = 17
_NITRO_SHARE, _NITRO_FIXED = 0.0175, 319
_XEN_SHARE, _XEN_FIXED = 0.016, 75


def parse_version(text: str | None) -> tuple[int, int, int] | None:
    """`1.28.1` (or `v1.28.1`, `1.28.1-2`) as a comparable tuple; None if not a version."""
    if not text:
        return None
    core = text.strip().lstrip("v").split("-", 1)[0]
    parts = core.split(".")
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        return None
    numbers = [int(p) for p in parts] + [0] * (3 - len(parts))
    return numbers[0], numbers[1], numbers[2]


def _docker_api_max(agent: AgentInfo) -> int:
    """The newest Docker remote API minor version both the engine and the agent speak."""
    engine = parse_version(agent.runtime_version.rsplit(" ", 1)[-1]) or (18, 6, 0)
    engine_max = 44 if engine[0] >= 25 else 43 if engine[0] >= 24 else 41 if engine[0] >= 20 else 38
    agent_max = 44 if (parse_version(agent.agent_version) or (0, 0, 0)) >= (1, 30, 0) else 32
    return min(engine_max, agent_max)


def trunking_capable(agent: AgentInfo, config: AgentConfig) -> tuple[bool, str]:
    """Whether the agent advertises `ecs.capability.task-eni-trunking`, and why not."""
    version = parse_version(agent.agent_version) or (0, 0, 0)
    if agent.os_type != "linux":
        return False, f"the agent on {agent.os_family} never advertises ENI trunking (Linux only)"
    if version < TRUNKING_MIN_AGENT:
        return False, f"agent {agent.agent_version} predates ENI trunking (needs 1.28.1 or later)"
    if not config.task_eni:
        return False, f"ECS_ENABLE_TASK_ENI={config.values.get('ECS_ENABLE_TASK_ENI')} in {_CONFIG}"
    if not config.high_density_eni:
        return False, f"ECS_ENABLE_HIGH_DENSITY_ENI={config.values.get('ECS_ENABLE_HIGH_DENSITY_ENI')} in {_CONFIG}"
    return True, "advertised"


_CONFIG = "/etc/ecs/ecs.config"


def capabilities(agent: AgentInfo, config: AgentConfig) -> list[Record]:
    """The capability attributes the agent sends (name-only ones, and the CNI plugin versions)."""
    version = parse_version(agent.agent_version) or (0, 0, 0)
    linux = agent.os_type == "linux"
    names: list[str] = []
    if not config.privileged_disabled and linux:
        names.append(LEGACY + "privileged-container")
    names += [f"{LEGACY}docker-remote-api.1.{minor}" for minor in range(_DOCKER_API_MIN, _docker_api_max(agent) + 1)]
    names += [LEGACY + "logging-driver." + driver for driver in config.logging_drivers]
    names += [name for name, since in _FEATURES if version >= since]
    attributes: list[Record] = [{"name": name} for name in names]
    # awsvpc came to Linux with agent 1.15.0 and to Windows with 1.54.0.
    if config.task_eni and version >= ((1, 15, 0) if linux else (1, 54, 0)):
        attributes.append({"name": TASK_ENI_CAPABILITY})
        if linux:
            attributes.append({"name": CAPABILITY + "cni-plugin-version", "value": CNI_PLUGIN_VERSION})
    if trunking_capable(agent, config)[0]:
        attributes.append({"name": TRUNKING_CAPABILITY})
        attributes.append({"name": CAPABILITY + "branch-cni-plugin-version", "value": BRANCH_CNI_PLUGIN_VERSION})
    return attributes


def os_attributes(agent: AgentInfo) -> list[Record]:
    return [{"name": "ecs.os-type", "value": agent.os_type}, {"name": "ecs.os-family", "value": agent.os_family}]


def custom_attributes(config: AgentConfig) -> list[Record]:
    return [{"name": name, "value": value} for name, value in config.instance_attributes.items()]


# --- resources ----------------------------------------------------------------------------------


def kernel_memory(instance_type: catalog.InstanceType) -> int:
    """What the kernel reports as total memory (MiB): the type's memory less its own share."""
    memory = instance_type.memory_mib or 0
    if instance_type.hypervisor == "xen":
        share, fixed = _XEN_SHARE, _XEN_FIXED
    else:  # Nitro, and bare metal (which boots a similar kernel without a hypervisor)
        share, fixed = _NITRO_SHARE, _NITRO_FIXED
    return max(memory - math.ceil(memory * share) - fixed, 0)


def integer_resource(name: str, value: int) -> Record:
    return {"name": name, "type": "INTEGER", "doubleValue": 0.0, "longValue": 0, "integerValue": value}


def string_set_resource(name: str, values: list[str]) -> Record:
    return {
        "name": name,
        "type": "STRINGSET",
        "doubleValue": 0.0,
        "longValue": 0,
        "integerValue": 0,
        "stringSetValue": list(values),
    }


def cpu_units(instance_type: catalog.InstanceType) -> int:
    return (instance_type.vcpus or 0) * 1024


def registered_memory(instance_type: catalog.InstanceType, reserved: int = 0) -> int:
    return max(kernel_memory(instance_type) - reserved, 0)


def resources(instance_type: catalog.InstanceType, config: AgentConfig, instance_id: str = "") -> list[Record]:
    """totalResources: CPU, MEMORY, PORTS, PORTS_UDP, in that order (as the agent sends them),
    then GPU when GPU support is on and the instance has GPUs (gpus.py)."""
    sent = [
        integer_resource("CPU", cpu_units(instance_type)),
        integer_resource("MEMORY", registered_memory(instance_type, config.reserved_memory)),
        string_set_resource("PORTS", [str(p) for p in config.reserved_ports]),
        string_set_resource("PORTS_UDP", [str(p) for p in config.reserved_udp_ports]),
    ]
    how_many = gpus.count(instance_type.name)
    if how_many and config.gpu_support:
        sent.append(string_set_resource(gpus.RESOURCE, gpus.gpu_ids(instance_id, how_many)))
    return sent


def version_info(agent: AgentInfo) -> Record:
    """versionInfo: the agent's version, an 8-hex build hash, and the Docker version it found."""
    docker = agent.runtime_version.rsplit(" ", 1)[-1]
    agent_hash = hashlib.sha256(agent.agent_version.encode()).hexdigest()[:8]
    return {"agentVersion": agent.agent_version, "agentHash": agent_hash, "dockerVersion": f"DockerVersion: {docker}"}
