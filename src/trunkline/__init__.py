"""trunkline: a local, wire-compatible emulator of Amazon ECS container instances and awsvpc
networking with ENI trunking."""

__version__ = "0.1.0"
