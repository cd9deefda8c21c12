"""The scripts' help (their module docstrings) names only modules and functions that exist:
an operator who opens ``services.doctor`` after a refactor finds nothing."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parents[3] / "scripts"
NAMED = re.compile(r"``((?:services|scripts)\.[\w.]+)``")


def _named(path: Path) -> list[str]:
    return NAMED.findall(ast.get_docstring(ast.parse(path.read_text())) or "")


def _resolves(dotted: str) -> bool:
    """A module, or an attribute of the longest importable module prefix."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            if not hasattr(found, name):
                return False
            found = getattr(found, name)
        return True
    return False


@pytest.mark.parametrize("path", sorted(SCRIPTS.glob("*.py")), ids=lambda p: p.name)
def test_every_module_a_script_docstring_names_exists(path: Path) -> None:
    assert [name for name in _named(path) if not _resolves(name)] == []


def test_the_doctor_script_names_where_its_checks_live() -> None:
    named = _named(SCRIPTS / "doctor.py")

    assert "services.bootstrap.doctor_checks" in named
    assert "services.adapters.aws.doctor_checks" in named
