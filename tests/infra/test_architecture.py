"""The dependency rules of the tree, read from the source (no module is imported):

- only the composition root (``services/bootstrap.py``) and ``services/adapters/`` name an
  adapter; use cases, pages, UI helpers and scripts receive what they need from the root;
- Streamlit is imported only by ``app.py``, ``server.py`` (the two entry points), ``app_pages/``
  and ``services/ui/``;
- no module imports another module's private name (``_x``);
- no import cycles between the app's modules.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("services", "app_pages", "scripts")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the module imported (a name imported from a package counts as its module)
    name: str | None  # the name imported from it, if any
    line: int


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_modules() -> dict[str, Path]:
    entry_points = [ROOT / "app.py", ROOT / "server.py"]
    paths = entry_points + [p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")]
    return {module_name(p): p for p in paths}


MODULES = app_modules()


def imports_of(module: str) -> Iterator[Import]:
    path = MODULES[module]
    yield from imports_in(module, path.read_text(encoding="utf-8"), path.name == "__init__.py")


def imports_in(module: str, source: str, is_package: bool = False) -> Iterator[Import]:
    """The imports of ``source``, the text of ``module``; a relative import by the absolute
    name it resolves to (``from ..adapters import x`` in ``services.content.service`` names
    ``services.adapters.x``)."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, None, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            source_module = _absolute(module, is_package, node.level, node.module)
            for alias in node.names:
                full = f"{source_module}.{alias.name}"
                target = full if full in MODULES else source_module
                yield Import(module, target, alias.name, node.lineno)


def _absolute(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The module a ``from`` import names: ``name`` itself, or for a relative import (``level``
    dots) resolved from ``module``'s package as Python resolves it."""
    if level == 0:
        return name or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[:len(package) - (level - 1)]
    return ".".join([*base, name] if name else base)


ALL_IMPORTS = [i for m in MODULES for i in imports_of(m)]


def _is_adapter(target: str) -> bool:
    return target == "services.adapters" or target.startswith("services.adapters.")


def _may_name_adapters(module: str) -> bool:
    return module == "services.bootstrap" or _is_adapter(module)


def adapter_imports(imports: Iterable[Import]) -> list[str]:
    return [f"{i.module}:{i.line} imports {i.target}" for i in imports
            if _is_adapter(i.target) and not _may_name_adapters(i.module)]


def streamlit_imports(imports: Iterable[Import]) -> list[str]:
    entry_points, packages = ("app", "server"), ("app_pages.", "services.ui.")
    return [f"{i.module}:{i.line}" for i in imports
            if i.target.split(".")[0] == "streamlit"
            and not (i.module in entry_points or i.module.startswith(packages))]


def private_imports(imports: Iterable[Import]) -> list[str]:
    return [f"{i.module}:{i.line} imports {i.target}.{i.name}" for i in imports
            if i.name and i.name.startswith("_") and not i.name.startswith("__")
            and i.target != i.module]


def test_only_the_composition_root_and_adapters_import_adapters() -> None:
    assert adapter_imports(ALL_IMPORTS) == []


def test_streamlit_is_imported_only_by_pages_and_ui_helpers() -> None:
    assert streamlit_imports(ALL_IMPORTS) == []


def test_no_module_imports_a_private_name_of_another() -> None:
    assert private_imports(ALL_IMPORTS) == []


PLANTED = "services.content.service"  # a use case: it may name no adapter, nor Streamlit
SQLITE = "services.adapters.sqlite"
USERS = f"{SQLITE}.users"


@pytest.mark.parametrize(("source", "rule", "expected"), [
    ("from services.adapters.sqlite import users", adapter_imports, f"imports {USERS}"),
    ("import services.adapters.sqlite.users", adapter_imports, f"imports {USERS}"),
    ("from ..adapters.sqlite import users", adapter_imports, f"imports {USERS}"),
    ("from ..adapters import sqlite", adapter_imports, f"imports {SQLITE}"),
    ("from .. import adapters", adapter_imports, "imports services.adapters"),
    ("import streamlit as st", streamlit_imports, ""),
    ("from .search import _private", private_imports, "imports services.content.search._private"),
])
def test_the_rules_flag_a_planted_violation(source: str, rule: Callable[..., list[str]],
                                            expected: str) -> None:
    """Each rule, run over a violating source as over the tree, reports it: a relative import
    is caught like an absolute one."""
    line = f"{PLANTED}:1 {expected}".strip()
    assert rule(imports_in(PLANTED, source)) == [line]


def test_a_package_resolves_relative_imports_from_itself() -> None:
    """In ``services/content/__init__.py`` one dot is ``services.content`` itself."""
    found = imports_in("services.content", "from ..adapters import sqlite", is_package=True)
    assert adapter_imports(found) == [f"services.content:1 imports {SQLITE}"]


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for i in ALL_IMPORTS:
        if i.target in MODULES and i.target != i.module:
            graph[i.module].add(i.target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_there_are_no_import_cycles() -> None:
    assert _cycles(_graph()) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ],
)
def test_the_cycle_finder_finds_cycles(graph: dict[str, set[str]],
                                       expected: list[list[str]]) -> None:
    assert _cycles(graph) == expected


def test_the_rules_see_the_whole_tree() -> None:
    """A rule over no modules passes trivially: make sure the walk found the app."""
    assert {"app", "services.bootstrap", "services.ui.auth", "scripts.doctor"} <= set(MODULES)
    assert any(_is_adapter(i.target) for i in ALL_IMPORTS)
