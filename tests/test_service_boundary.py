"""Services decide nothing (issue 9): a module under `services/` maps a wire request to one domain
call and the domain's answer to the output shape. This walks every operation module's syntax and
fails on what only a decision needs: reaching the store (`ctx.tx`, `trunkline.store`, the pagination
tokens kept there), raising an error, or looping over records. Comprehensions that reshape an
answer are mapping and allowed; the provider registry (`services/__init__.py`, `provider.py`) is
plumbing, not operations, and is left out."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import trunkline

SERVICES = Path(trunkline.__file__).parent / "services"
PLUMBING = {SERVICES / "__init__.py", SERVICES / "provider.py"}
STORE_MODULES = ("trunkline.store", "trunkline.domain.pagination")


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module:
        return [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return []


def violations(source: str) -> list[str]:
    """What in one service module's source decides instead of mapping, as `line: what`."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Attribute) and node.attr == "tx":
            found.append(f"{line}: touches the store (.tx)")
        elif isinstance(node, ast.Raise):
            found.append(f"{line}: raises an error (a domain decision)")
        elif isinstance(node, ast.For | ast.AsyncFor | ast.While):
            found.append(f"{line}: loops (over records: a domain decision)")
        for name in _imported(node):
            if name.startswith(STORE_MODULES):
                found.append(f"{line}: imports {name} (the store)")
    return found


def _operation_modules() -> list[Path]:
    return sorted(path for path in SERVICES.rglob("*.py") if path not in PLUMBING)


@pytest.mark.parametrize("path", _operation_modules(), ids=lambda p: str(p.relative_to(SERVICES)))
def test_a_service_module_only_maps(path: Path) -> None:
    assert violations(path.read_text()) == []


def test_the_check_sees_each_kind_of_decision() -> None:
    """The walker is not vacuous: each forbidden thing in a sample is reported."""
    sample = """
from trunkline.domain import pagination
from trunkline.store.api import Transaction

def op(ctx, params):
    token = pagination.encode(ctx.tx, "x", 1)
    for record in params["Items"]:
        pass
    if len(params["Items"]) > 100:
        raise ValueError("too many")
    return {"Items": [dict(i) for i in params["Items"]], "NextToken": token}
"""
    reasons = " ".join(violations(sample))
    assert "imports trunkline.domain.pagination" in reasons
    assert "imports trunkline.store.api" in reasons
    assert ".tx" in reasons
    assert "loops" in reasons
    assert "raises" in reasons
    assert len(violations("def op(ctx, params):\n    return {'A': [x for x in params['B']]}\n")) == 0
