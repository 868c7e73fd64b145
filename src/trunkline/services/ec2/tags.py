"""EC2 CreateTags, DeleteTags, DescribeTags."""

from __future__ import annotations


class TagOps:
    pass
