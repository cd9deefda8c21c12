"""Headings carry no anchor link: Streamlit adds to every ``st.title``/``header``/``subheader``
a link named "Link to heading" in English, one more Tab stop before the page's own controls
and an English name in a Korean page. Every heading call passes ``anchor=False``."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADINGS = {"title", "header", "subheader"}


def _sources() -> list[Path]:
    return [
        ROOT / "app.py",
        *sorted((ROOT / "app_pages").glob("*.py")),
        *sorted((ROOT / "services" / "ui").rglob("*.py")),
    ]


def _anchored(path: Path) -> list[str]:
    """``file:line`` of each heading call (``<anything>.title(text)``) without ``anchor=False``
    (``str.title()`` takes no argument and is not one)."""
    found = []
    for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr in HEADINGS
            and (call.args or call.keywords)
        ):
            anchor = next((k.value for k in call.keywords if k.arg == "anchor"), None)
            if not (isinstance(anchor, ast.Constant) and anchor.value is False):
                found.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    return found


def test_every_heading_is_drawn_without_an_anchor_link() -> None:
    assert [where for path in _sources() for where in _anchored(path)] == []
