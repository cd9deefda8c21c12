"""Small building blocks shared by pages: errors, flash messages, content links, a list's page
number (the pager itself: ``services/ui/pager.py``)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import tzinfo
from typing import Any

import streamlit as st

from services.domain.models import ContentItem, Status
from services.domain.text import turns_text
from services.domain.users import FORMER_AUTHOR
from services.errors import DemoFactoryError, Refusals
from services.i18n.times import format_date
from services.ui import focus, routes, session
from services.ui.i18n import category_label, status_label, t

_FLASH_KEY = "_df_flash"
log = logging.getLogger("demo_factory")
def show_error(exc: DemoFactoryError) -> None:
    """One clear, translated message; the details stay in the log."""
    st.error(error_text(exc), icon=":material/error:")


def error_text(exc: DemoFactoryError) -> str:
    """A refusal's message as markdown; several refusals at once (``Refusals``): its own
    message, then a line for each."""
    text = t(exc.key, **error_params(exc.params))
    if not isinstance(exc, Refusals):
        return text
    return "\n".join([text, "", *(f"- {error_text(each)}" for each in exc.refusals)])


def error_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """An error's parameters for a message shown as markdown (``st.error``): text (a value
    somebody typed, a file name) as plain text, never markup or a link."""
    return {name: md_escape(value) if isinstance(value, str) else value
            for name, value in params.items()}


def show_unexpected() -> None:
    """For errors that are not ours: a generic message (the caller logs the traceback)."""
    st.error(t("errors.unexpected"), icon=":material/error:")


@contextmanager
def errors_shown(where: str) -> Iterator[None]:
    """Around a page's run or a fragment's: our errors shown translated, any other as the
    generic message with its traceback in the log. Streamlit's stop and rerun pass through
    (they are BaseExceptions)."""
    try:
        yield
    except DemoFactoryError as exc:
        log.warning("error in %s: %s", where, exc)
        show_error(exc)
    except Exception:
        log.exception("unexpected error in %s", where)
        show_unexpected()


def flash(message: str) -> None:
    """A success message shown once, on the next page drawn (survives a page switch)."""
    st.session_state[_FLASH_KEY] = message


def act(action: Callable[[], object], done: str) -> None:
    """Run a user's action: its error shown where they are, or ``done`` as a flash message
    on a fresh run."""
    try:
        action()
    except DemoFactoryError as exc:
        show_error(exc)
        return
    flash(done)
    st.rerun()


def show_flash() -> None:
    """The flash message, brought into view and focused (``focus``): after a form's rerun the
    page stays scrolled where its button was, far below the message on a phone."""
    message = st.session_state.pop(_FLASH_KEY, None)
    if message:
        focus.message_in_view(
            focus.FLASH, lambda: st.success(message, icon=":material/check_circle:"))


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")
# Streamlit's markdown links bare URLs, www. names and e-mail addresses *after* resolving
# escapes, so escaping cannot stop it: an invisible word joiner (U+2060) inside "://", after
# "www" and after "@" does, and the reader sees the text unchanged.
_AUTOLINK_SPOTS = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)
# The same holds for its icons and emoji: it rewrites ":material/" in the source before
# parsing, then turns ":name:" in the text into an icon or an emoji, so ":material/home:" in a
# title drew a house. A word joiner after a colon that starts such a code stops both; a time
# (12:30) or "Note: x" is left alone.
_SHORTCODE_SPOTS = re.compile(r"(?<=:)(?=[\w+\-]+[:/])")
WORD_JOINER = "\u2060"


def _inert(text: str) -> str:
    """``text`` with a word joiner where Streamlit's markdown would make a link, an icon or an
    emoji of it after escapes are resolved."""
    return _SHORTCODE_SPOTS.sub(WORD_JOINER, _AUTOLINK_SPOTS.sub(WORD_JOINER, text))


def md_escape(text: str) -> str:
    """Short user text (titles, summaries, names, terms) shown through Streamlit's markdown
    as plain text: one line, no markup, no link."""
    one_line = " ".join(text.split())
    shown = _MARKDOWN_SPECIAL.sub(r"\\\1", _inert(one_line))
    # A value stored before direction overrides were refused (``domain.text.turns_text``) is
    # kept in an isolate: the override ends with it, the text after it reads as written.
    return f"\u2068{shown}\u2069" if turns_text(one_line) else shown


def md_literal(text: str) -> str:
    """A value an administrator may copy (an endpoint, an address) shown as it is: one Streamlit
    would link (``md_escape``'s word joiner would then break the copy) goes out as code, which
    markdown never links; anything else as ``md_escape`` writes it."""
    one_line = " ".join(text.split())
    if not _AUTOLINK_SPOTS.search(one_line):
        return md_escape(one_line)
    # A code span's fence is longer than any run of backticks inside (CommonMark).
    longest = max((len(run) for run in re.findall(r"`+", one_line)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if one_line.startswith("`") or one_line.endswith("`") else ""
    return f"{fence}{pad}{one_line}{pad}{fence}"


# The class of every rendered text's wrapper: the app stylesheet's rules for code blocks,
# tables, long words and pictures in it (``styles.RENDERED_RULES``) apply there only.
RENDERED_CLASS = "df-md"


def show_html(html: str, where: Any = None) -> None:
    """Finished, safe HTML (rendered once from markdown) through ``st.html``, never through
    Streamlit's markdown, which would parse it again, in the wrapper the stylesheet knows.
    Nothing for an empty body (which ``st.html`` refuses). ``where``: a placeholder such as
    ``st.empty()``."""
    if html.strip():
        (where or st).html(f'<div class="{RENDERED_CLASS}">{html}</div>')


def app_tz() -> tzinfo:
    """The app's one time zone (``DEMO_FACTORY_TIMEZONE``): every time shown is in it, as
    ``services.i18n.times`` writes it."""
    return session.services().settings.tz


def tags_line(tags: Sequence[str]) -> str:
    """Tags as code text (never markup); one line whatever an old import stored."""
    # In code no link is made, but the source's ":material/" is still rewritten.
    one_line = (" ".join(tag.replace("`", "").split()) for tag in tags)
    return " ".join(f"`#{_SHORTCODE_SPOTS.sub(WORD_JOINER, tag)}`" for tag in one_line)


TAG_PARAM = "tag"  # browse?tag=...: see services/ui/tags.py


def tag_label(tag: str) -> str:
    return md_escape(f"#{tag}")


def tag_links(tags: Sequence[str]) -> None:
    """One small link per tag to browse filtered by it, side by side (wrapping on a phone);
    Streamlit encodes the tag in the address, ``md_escape`` keeps the label plain text."""
    with st.container(horizontal=True, gap="small"):
        for tag in tags:
            st.page_link(routes.BROWSE, label=tag_label(tag), query_params={TAG_PARAM: tag},
                         help=t("content.tag_link_help"))


def author_label(author_id: str, name: str) -> str:
    """An author as pages name them: a deleted account's content says "former author"."""
    return t("profile.former_author") if author_id == FORMER_AUTHOR else (name or author_id)


def meta_text(item: ContentItem, tz: tzinfo) -> str:
    """Category · author · day (· status when not published), as plain text. The day is the
    one newest first lists it by: its publication (a draft published today is today's), or
    when a draft never published was started."""
    parts = [category_label(item.category), author_label(item.author_id, item.author_name),
             format_date(item.listed_at, tz)]
    if item.status != Status.PUBLISHED:
        parts.append(status_label(item.status))
    return " · ".join(parts)


def meta_line(item: ContentItem, tz: tzinfo) -> str:
    """``meta_text`` for markdown (a caption)."""
    return md_escape(meta_text(item, tz))


def content_link(item: ContentItem, label: str | None = None) -> None:
    """A link to the item's page. No help tooltip: the title is the label or stands right
    above it on a card, and twelve tooltips cost home and browse ~5% of their drawing."""
    st.page_link(
        routes.CONTENT, label=label or md_escape(item.title), icon=":material/article:",
        query_params={"id": item.id},
    )


def current_page(key: str) -> int:
    value = st.session_state.get(key, 1)
    return value if isinstance(value, int) and value >= 1 else 1


def reset_page(key: str) -> None:
    """on_change callback for filters: a new filter starts again on page 1."""
    st.session_state[key] = 1


def empty_state(title: str, hint: str) -> None:
    with st.container(border=True):
        st.markdown(f"**{title}**")
        st.caption(hint)


def held_elsewhere(key: str, offered: Collection[str]) -> list[str]:
    """The choice a select box (or the plain key behind it) holds when its options no longer
    offer it (an item deleted or unpublished since it was picked), as one extra option: Streamlit
    drops a value its options lack, and the choice silently became "any item" or "every item".
    Kept, whoever acts on it refuses it and says why."""
    held = st.session_state.get(key)
    return [held] if isinstance(held, str) and held and held not in offered else []
