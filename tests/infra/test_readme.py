"""The README's configuration table lists every setting the app reads, with the default and the
allowed values that services/settings.py has (for numbers: the type and the bounds of their
``Field``; for choices: every choice)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
import pytest
from pydantic.fields import FieldInfo

from services.settings import ENV_PREFIX, Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
HEADER = ("variable", "default", "allowed values", "meaning")


@dataclass(frozen=True)
class Row:
    default: str
    allowed: str


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


@cache
def configuration_table() -> dict[str, Row]:
    """``{variable: Row}`` of the table under "## Configuration"; a row naming several
    variables gives each of them."""
    section = README.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    assert tuple(cells(lines[0])) == HEADER
    rows = {}
    for line in lines[2:]:
        variables, default, allowed, _meaning = cells(line)
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", variables):
            rows[name] = Row(default, allowed)
    return rows



def variable(field: str) -> str:
    return ENV_PREFIX + field.upper()


def choices(values: tuple[Any, ...]) -> str:
    """`a` only; `a` or `b`; `a`, `b` or `c`."""
    shown = [f"`{value}`" for value in values]
    if len(shown) == 1:
        return f"{shown[0]} only"
    return f"{', '.join(shown[:-1])} or {shown[-1]}"


def bounds(info: FieldInfo) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for item in info.metadata:
        for kind in ("ge", "gt", "le", "lt"):
            if isinstance(item, getattr(annotated_types, kind.title())):
                found[kind] = getattr(item, kind)
    return found


def allowed_values(info: FieldInfo) -> str | None:
    """What the table must say a setting allows, or None where it is words (names, paths,
    addresses: the validators' own rules)."""
    annotation = info.annotation
    if get_origin(annotation) in (Union, UnionType):
        annotation, = (arg for arg in get_args(annotation) if arg is not NoneType)
    if get_origin(annotation) is Literal:
        return choices(get_args(annotation))
    if annotation is bool:
        return choices((True, False)).lower()
    if annotation not in (int, float):
        return None
    kind = "integer" if annotation is int else "number"
    limits = bounds(info)
    assert "lt" not in limits, "add '<' to the table's wording and to this test"
    if "ge" in limits and "le" in limits:
        return f"{kind} {limits['ge']}–{limits['le']}"
    lower = (f"≥ {limits['ge']}" if "ge" in limits
             else f"> {limits['gt']}" if "gt" in limits else None)
    upper = f"≤ {limits['le']}" if "le" in limits else None
    return " and ".join([f"{kind} {lower or upper}", upper] if lower and upper
                        else [f"{kind} {lower or upper}" if lower or upper else kind])


def shown_default(value: Any) -> set[str]:
    """How the table may write a default: as one types it into the variable."""
    if isinstance(value, bool):
        return {str(value).lower()}
    if isinstance(value, float) and value.is_integer():
        return {str(value), str(int(value))}
    if isinstance(value, Path):
        return {str(value), f"./{value}"}
    return {str(value)}


def test_every_setting_is_documented() -> None:
    variables = [variable(name) for name in Settings.model_fields]
    assert [v for v in variables if f"`{v}`" not in README] == []


def test_the_table_has_a_row_for_every_setting_and_no_other() -> None:
    fields = {variable(name) for name in Settings.model_fields}
    documented = {name for name in configuration_table() if name.startswith(ENV_PREFIX)}
    assert sorted(fields - documented) == [] and sorted(documented - fields) == []


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_the_default_is_the_settings(name: str) -> None:
    default = Settings.model_fields[name].default
    if default is None or not isinstance(default, str | int | float | Path) or default == "":
        return  # the cell describes it (derived, generated, unset, empty)
    cell = configuration_table()[variable(name)].default
    assert any(f"`{shown}`" in cell for shown in shown_default(default)), (cell, default)


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_the_allowed_values_are_the_settings(name: str) -> None:
    cell = configuration_table()[variable(name)].allowed
    expected = allowed_values(Settings.model_fields[name])
    if expected is None:
        assert cell not in ("", "—"), "say what the setting accepts"
    else:
        assert cell == expected


def test_the_wording_of_bounds() -> None:
    fields = Settings.model_fields
    assert allowed_values(fields["max_upload_mb"]) == "integer 1–2048"
    assert allowed_values(fields["session_days"]) == "number > 0 and ≤ 30"
    assert allowed_values(fields["tracker_buffer_max"]) == "integer ≥ 100"
    assert allowed_values(fields["cookie_expiry_days"]) == "number > 0"
    assert allowed_values(fields["backend"]) == "`local` or `aws`"
    assert allowed_values(fields["signup"]) == "`off`, `approval` or `open`"
    assert allowed_values(fields["first_admin_form"]) == "`true` or `false`"
