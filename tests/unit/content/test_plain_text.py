"""Short fields (titles, summaries, tags, names, search terms) are shown as plain text:
through Streamlit's markdown they can neither link, nor embed, nor break the line."""

from __future__ import annotations

import re

import pytest

from services.ui.widgets import WORD_JOINER, md_escape, md_literal, tags_line

# The literal-autolink patterns of GitHub-flavoured markdown as Streamlit's renderer applies
# them to text after escapes are resolved (mdast-util-gfm-autolink-literal).
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")

HOSTILE = [
    "[session expired, sign in again](https://evil.example)",
    "![x](https://evil.example/i.png)",
    "https://evil.example/login",
    "see www.evil.example now",
    "mail admin@evil.example",
    "mailto:admin@evil.example",
    "<b>bold</b> <img src=x onerror=alert(1)>",
    "a\n\n![x](https://evil.example/i.png)\n\n[y](https://evil.example)",
    ":red[alarm] :material/warning: **loud** # heading",
]


# Streamlit's markdown (1.67, StreamlitMarkdown) first rewrites every ":material/" in the
# source to ":material_", then its icon and emoji plugins turn ":name:" in the text (escapes
# resolved) into an icon or an emoji: an escaped colon does not stop them.
SHORTCODE = re.compile(r":[\w+-][\w_+-]*:")


def _shortcodes_seen(markdown: str) -> list[str]:
    return SHORTCODE.findall(_as_text(markdown.replace(":material/", ":material_")))


@pytest.mark.parametrize("value", [":material/home: 제목", "데모 :smile: :rocket:",
                                   "lock :material/lock:", ":streamlit: logo", "a:b:c"])
def test_icon_and_emoji_shortcodes_in_short_text_stay_text(value: str) -> None:
    """A title ``:material/home: …`` showed a house icon in the saved message, the page's
    title, a tag's link and an inquiry's subject."""
    shown = md_escape(value)
    assert _shortcodes_seen(shown) == []
    assert _as_text(shown).replace(WORD_JOINER, "") == value  # the reader sees what was typed
    assert _shortcodes_seen(tags_line((value,))) == []


def test_times_and_ratios_keep_their_colons_plain() -> None:
    assert WORD_JOINER not in md_escape("12:30 KST, 3:1 비율, Note: 끝")


def _as_text(markdown: str) -> str:
    """The text the markdown renderer ends up with (escapes resolved)."""
    return ESCAPE.sub(r"\1", markdown)


@pytest.mark.parametrize("value", HOSTILE)
def test_escaped_short_text_cannot_become_a_link_or_markup(value: str) -> None:
    shown = md_escape(value)
    assert "\n" not in shown and "\r" not in shown
    text = _as_text(shown)
    assert not GFM_URL.search(text) and not GFM_EMAIL.search(text)
    assert not re.search(r"(?<!\\)[\[\]()<>*_`:#!]", shown)  # every markup character escaped
    # Nothing is lost: what the reader sees is what was typed (line breaks become spaces).
    assert text.replace("\u2060", "") == " ".join(value.split())


def test_tags_stay_one_line_of_code_text_even_when_stored_with_line_breaks() -> None:
    line = tags_line(("RAG", "a\n\n![x](https://evil.example/i.png)", "tick`s"))
    assert "\n" not in line
    assert line == "`#RAG` `#a ![x](https://evil.example/i.png)` `#ticks`"


def test_an_address_shown_literally_is_code_that_copies_as_it_is() -> None:
    assert md_literal("http://127.0.0.1:9/foundation-models") == (
        "`http://127.0.0.1:9/foundation-models`")
    # A backtick inside cannot end the code early; no invisible joiner anywhere.
    assert md_literal("https://x.test/a`b") == "``https://x.test/a`b``"
    assert md_literal("`www.x.test") == "`` `www.x.test ``"
    assert WORD_JOINER not in md_literal("ops@example.com")
    # Anything Streamlit would not link is escaped as usual.
    assert md_literal("**us-east-1**") == md_escape("**us-east-1**")


def test_a_stored_value_that_turns_text_around_is_kept_to_itself() -> None:
    """Stored before such characters were refused: shown in an isolate, the override ends
    with the value and the text after it reads as written."""
    shown = md_escape("x\u202eabc")
    assert shown.startswith("\u2068") and shown.endswith("\u2069")
    assert md_escape("plain 제목") == "plain 제목"
