"""Doctor reaches its verdict from public AWS APIs only: nothing in `trunkline.doctor` may import
trunkline's domain (or its wire, store, services or server), statically or at run time. The
packaged instance-type data file is read as data (`importlib.resources`), which is allowed."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import trunkline.doctor

PACKAGE = Path(trunkline.doctor.__file__).parent
ALLOWED = ("trunkline.doctor",)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            found |= {base} if node.module else {f"{base}{alias.name}" for alias in node.names}
    return found


def test_doctor_source_imports_nothing_of_trunkline_but_itself():
    offenders = {}
    for path in sorted(PACKAGE.glob("*.py")):
        bad = {
            m
            for m in imported_modules(path)
            if m.startswith(".") or (m.split(".")[0] == "trunkline" and not m.startswith(ALLOWED))
        }
        if bad:
            offenders[path.name] = sorted(bad)
    assert offenders == {}
    assert len(list(PACKAGE.glob("*.py"))) >= 6  # the check saw the package


def test_running_doctor_loads_no_domain_module():
    """At run time too: import every doctor module and list what got loaded."""
    probe = (
        "import sys, importlib, pkgutil, trunkline.doctor as d\n"
        "for m in pkgutil.iter_modules(d.__path__): importlib.import_module('trunkline.doctor.' + m.name)\n"
        "print('\\n'.join(sorted(n for n in sys.modules if n.startswith('trunkline'))))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    assert [m for m in loaded if not (m == "trunkline" or m.startswith("trunkline.doctor"))] == []


def test_the_check_catches_a_domain_import(tmp_path: Path):
    """The check can fail: a module importing the domain is caught."""
    sample = tmp_path / "bad.py"
    sample.write_text("from trunkline.domain import catalog\nimport trunkline.domain.ecs.trunking\n")
    assert imported_modules(sample) == {"trunkline.domain", "trunkline.domain.ecs.trunking"}
