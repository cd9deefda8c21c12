"""Scripts run in the page only where the app wrote them: every ``st.html`` that may run
JavaScript is one of a known few, and none of them carries text a user typed (a cookie's value
is JSON-encoded; the cards' link script, which also moves focus to the new page's title, the
like button's focus script, the dashboard's focus after a table row's choice, the pager's
scroll to the top, a form's outcome brought into view and the sign-up trap's attributes are
constants; the page's language
is one of the app's language codes; a page's replacement names one of the app's own pages with
URL-encoded parameters)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# (file, enclosing function) -> what the script is built from
ALLOWED = {
    ("services/ui/cookies.py", "write_cookie"): "cookie_script",
    # the cards', tags' and pager's links switch pages in the app
    ("services/ui/cards.py", "nav_links_script"): "NAV_SCRIPT",
    # focus back on the like button after a like click (a new button: its key names its state)
    ("services/ui/item_actions.py", "like_button"): "LIKE_FOCUS_SCRIPT",
    ("services/ui/gate.py", "replace_page"): "replace_script",
    # focus to the chip of the filter a table row just set (or back to the day's table), or
    # past a removed chip: the selectors are the app's own keys, nothing of the data
    ("services/ui/row_filters.py", "focus_after_filter_change"): "row_focus_script",
    # <html lang> from the session's language: one of the app's codes, JSON-encoded.
    ("services/ui/i18n.py", "mark_page_language"): "page_language_script",
    # after the pager changed the page, the view back at the top (nothing of the page in it)
    ("services/ui/pager.py", "_to_top_after_page_change"): "scroll_top_script",
    # a flash message or a form's first refused field into view and focused: the selector is
    # one of the app's own keys, nothing of the message or of what was typed
    ("services/ui/focus.py", "bring_into_view"): "in_view_script",
    # the sign-up's trap for bots out of the tab order and hidden from screen readers
    ("services/ui/signup.py", "signup_form"): "_TRAP_JS",
}


def _sources() -> list[Path]:
    return [ROOT / "app.py", ROOT / "server.py",
            *sorted((ROOT / "app_pages").glob("*.py")),
            *sorted((ROOT / "services").rglob("*.py"))]


def _script_calls(path: Path) -> list[tuple[str, str]]:
    """(enclosing function, what the first argument is) of each call with JavaScript on."""
    found = []
    for func in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(func, ast.FunctionDef):
            continue
        for call in ast.walk(func):
            if isinstance(call, ast.Call) and any(
                    k.arg == "unsafe_allow_javascript" and not (
                        isinstance(k.value, ast.Constant) and k.value.value is False)
                    for k in call.keywords):
                arg = call.args[0]
                source = (arg.id if isinstance(arg, ast.Name) else
                          arg.func.id if isinstance(arg, ast.Call)
                          and isinstance(arg.func, ast.Name) else ast.unparse(arg))
                found.append((func.name, source))
    return found


def test_only_known_fixed_scripts_run_in_the_page() -> None:
    calls = {(str(path.relative_to(ROOT)), name): source
             for path in _sources() for name, source in _script_calls(path)}
    assert calls == ALLOWED

