"""Names people type or upload reach Streamlit's markdown only escaped.

Streamlit renders captions, widget labels, help texts, messages and ``st.markdown`` as
markdown, so a file named ``__draft__ final.png`` would show bold and ``[공지](안내).png`` a
link. Pages put such a name into a message through ``md_escape`` (or ``error_params``); this
scan finds a name that goes into a translated message or a markdown-rendered argument
without it. Reads of the same names into plain text (a select box's options, a chart title,
a file name to download) are listed with the reason they are plain.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What people type or upload: read as an attribute (``asset.filename``) or a plain name.
USER_TEXT = frozenset({"filename", "username", "title", "summary", "name", "author_name",
                       "subject", "email", "pending_email", "company", "tag", "tags",
                       "handled_by", "reason"})
# Calls whose result is no longer the raw text.
SAFE_WRAPPERS = frozenset({"md_escape", "md_literal", "error_params", "meta_line", "tag_label",
                           "len", "count_text", "size_shown"})
# Streamlit calls whose first argument is markdown (text first).
TEXT_FIRST = frozenset({"markdown", "caption", "title", "header", "subheader", "success",
                        "info", "warning", "error", "toast", "write", "checkbox", "button",
                        "toggle", "radio", "expander", "popover", "text_input", "text_area",
                        "selectbox", "multiselect", "file_uploader", "form_submit_button",
                        "download_button", "link_button", "metric", "status", "spinner"})
MARKDOWN_KEYWORDS = frozenset({"label", "caption", "help", "text", "body"})
# (file, the unescaped read) -> why it is plain text there.
PLAIN = {
    ("services/ui/report_view.py", "r.title"):
        "a select box's option (plain); the one markdown use escapes the whole label",
    ("services/ui/event_upload.py", "**error.params"): "a table cell (plain)",
    ("services/ui/widgets.py", "title"): "empty_state's heading: callers pass a message",
    ("services/ui/my_insights.py", "digest.subject"): "the app writes it (a period's dates)",
    ("services/ui/assets.py", "asset.filename"):
        "a PDF page preview's alt attribute (plain text for a screen reader, never markdown)",
    ("services/ui/gate.py", "page.title"):
        "the menu's own name for a page (the app's words, services/ui/nav.py), not a person's",
}


def _sources() -> list[Path]:
    return [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py")),
            *sorted((ROOT / "services" / "ui").glob("*.py"))]


def _called(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else (
        func.attr if isinstance(func, ast.Attribute) else "")


def _raw_reads(node: ast.AST) -> Iterator[str]:
    """User-text reads in ``node`` that no escaping call wraps. A message (``t(...)``) is
    checked as a call of its own."""
    if isinstance(node, ast.Call) and _called(node) in SAFE_WRAPPERS | {"t"}:
        return
    if isinstance(node, ast.Attribute):
        if node.attr in USER_TEXT:
            yield ast.unparse(node)
        elif not isinstance(node.value, ast.Name):  # ``summary.lines`` is a count
            yield from _raw_reads(node.value)
        return
    if isinstance(node, ast.Name) and node.id in USER_TEXT:
        yield node.id
        return
    for child in ast.iter_child_nodes(node):
        yield from _raw_reads(child)


def _markdown_values(call: ast.Call) -> Iterator[ast.AST]:
    """The parts of ``call`` that end up in markdown."""
    name = _called(call)
    if name == "t":
        yield from (k.value for k in call.keywords if k.arg is not None)
        return
    if isinstance(call.func, ast.Attribute):
        if name in TEXT_FIRST and call.args:
            yield call.args[0]
        yield from (k.value for k in call.keywords if k.arg in MARKDOWN_KEYWORDS)


def _raw_splats(call: ast.Call) -> Iterator[str]:
    """``t(key, **params)`` with parameters passed on as they are: they must go through
    ``error_params`` (or be escaped one by one)."""
    for k in call.keywords:
        if k.arg is None and not any(isinstance(n, ast.Call) and _called(n) in SAFE_WRAPPERS
                                     for n in ast.walk(k.value)):
            yield f"**{ast.unparse(k.value)}"


def _calls_outside_escaping(node: ast.AST) -> Iterator[ast.Call]:
    """Every call in ``node``, except inside an escaping call (its result is escaped)."""
    if isinstance(node, ast.Call):
        if _called(node) in SAFE_WRAPPERS:
            return
        yield node
    for child in ast.iter_child_nodes(node):
        yield from _calls_outside_escaping(child)


def unescaped(source: str) -> set[str]:
    """What ``source`` puts into markdown unescaped."""
    found: set[str] = set()
    for call in _calls_outside_escaping(ast.parse(source)):
        if _called(call) == "t":
            found.update(_raw_splats(call))
        for value in _markdown_values(call):
            found.update(_raw_reads(value))
    return found


def test_names_reach_markdown_only_escaped() -> None:
    raw = {(str(path.relative_to(ROOT)), read) for path in _sources()
           for read in unescaped(path.read_text(encoding="utf-8"))}
    assert raw - PLAIN.keys() == set()


def test_the_scan_finds_raw_names_and_passes_escaped_ones() -> None:
    source = """
st.image(data, caption=asset.filename)
st.checkbox(t("content.remove_file", name=asset.filename, size=size_shown(asset.size)))
flash(t("admin.roles_saved", username=user.username))
st.error(t(exc.key, **exc.params))
st.markdown(f"**{md_escape(asset.filename)}** · {size_shown(asset.size)}")
st.error(t(exc.key, **error_params(exc.params)))
st.caption(t("content.count", length=len(title), max=TITLE_MAX))
st.title(md_escape(t("itempage.author_heading", name=page.name)))
st.markdown(f"**{t(title)}**")
st.markdown(t("imports.events_summary", lines=summary.lines))
"""
    assert unescaped(source) == {"asset.filename", "user.username", "**exc.params"}
