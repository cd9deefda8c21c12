"""Checks that stored user text stays inert where the app shows it, through the app's own
rendering functions, and that a refusal is one of the project's clear, translated errors."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from html.parser import HTMLParser

from markdown_it import MarkdownIt

from services.content.drafts import tag_problem
from services.content.markdown import render_markdown
from services.csv_export import FORMULA_STARTS, rows_csv
from services.errors import DemoFactoryError
from services.i18n import LANGUAGES, catalog, translate
from services.ui.charts import plain, shorten
from services.ui.widgets import error_params, md_escape, tag_label, tags_line


class Shown(StrEnum):
    """How a stored field is shown: the rendering function the app uses for it."""

    SHORT = "short"  # md_escape, then Streamlit's markdown (titles, names, terms, subjects)
    BODY = "body"  # render_markdown, then st.html
    TAG = "tag"  # a tag link's label (tag_label) or tags_line, then markdown; the tag rule
    LABEL = "label"  # a dashboard chart label (plotly draws some HTML)
    CSV = "csv"  # a cell of a CSV export
    PLAIN = "plain"  # st.text / an e-mail body: shown verbatim, never rendered


@dataclass(frozen=True)
class Stored:
    """A stored value (read back from the store) and the ways it is shown."""

    value: str
    shown: tuple[Shown, ...]


# Tags a browser would bring to life; attributes that run script; schemes that are not web
# links. (Streamlit's markdown without unsafe_allow_html shows raw HTML as text; here raw HTML
# is rendered, the stricter reading.)
_LIVE_TAGS = {"a", "img", "script", "iframe", "object", "embed", "svg", "style", "link",
              "meta", "form", "video", "audio", "source", "base", "input", "button"}
_BODY_TAGS = _LIVE_TAGS - {"a", "img"}  # an author's body may link and show images
_SAFE_URL = re.compile(r"^(https?://|mailto:|#|/)", re.IGNORECASE)
# What GitHub-flavoured markdown (Streamlit's) links on its own: URLs, www. names, e-mails.
_AUTOLINKABLE = re.compile(r"https?://|www\.|(?<=[\w.+-])@[\w-]+\.\w", re.IGNORECASE)
SHORT_MAX = 500  # the longest short field: a summary
_CODE = re.compile(r"<code>.*?</code>", re.DOTALL)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(markup: str) -> _Tags:
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    return parser


def _streamlit_markdown(text: str) -> str:
    """HTML as a markdown renderer that allowed raw HTML would make of ``text``."""
    md = MarkdownIt("commonmark", {"html": True})
    md.enable(["table", "strikethrough"])
    return str(md.render(text))


def assert_inert_markdown(text: str, what: str) -> None:
    """``text`` given to Streamlit's markdown: no live element, nothing it would autolink."""
    rendered = _streamlit_markdown(text)
    parsed = _parse(rendered)
    live = [tag for tag, _ in parsed.tags if tag in _LIVE_TAGS]
    assert not live, f"{what}: live {live} in {rendered[:300]!r}"
    assert not any(name.startswith("on") for _, attrs in parsed.tags for name, _ in attrs)
    outside_code = html.unescape("".join(_parse(_CODE.sub("", rendered)).text))
    found = _AUTOLINKABLE.search(outside_code)
    assert found is None, f"{what}: autolinkable {found.group(0)!r} in {outside_code[:300]!r}"


def assert_inert_body(body: str) -> None:
    """An author's body as the content page shows it: no script, no handler, web links only."""
    rendered = render_markdown(body)
    parsed = _parse(rendered)
    assert not [tag for tag, _ in parsed.tags if tag in _BODY_TAGS], rendered[:300]
    for tag, attrs in parsed.tags:
        for name, value in attrs:
            assert not name.startswith("on"), f"handler {name} on <{tag}>"
            if name in ("href", "src"):
                assert value is not None and _SAFE_URL.match(value), f"{name}={value!r}"
    if "```" in body:  # a code block: whatever it holds stays code, never a link or image
        assert not [tag for tag, _ in parsed.tags if tag in ("a", "img")], rendered[:300]


def assert_csv_inert(data: bytes) -> None:
    """No cell of an exported CSV starts like a formula."""
    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)  # a 1 MB cell is the point of some inputs
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    finally:
        csv.field_size_limit(limit)
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), f"formula cell {cell[:40]!r}"


def assert_csv_cell_inert(value: str) -> None:
    assert_csv_inert(rows_csv(["field"], [[value]]))


def assert_inert(stored: Iterable[Stored]) -> None:
    for item in stored:
        value = item.value
        assert isinstance(value, str)
        for shown in item.shown:
            if shown is Shown.SHORT:
                # One line on a card or in a table: bounded (no field is this long by right).
                assert len(value) <= SHORT_MAX, f"short field of {len(value)} characters"
                assert_inert_markdown(md_escape(value), "short field")
            elif shown is Shown.BODY:
                assert_inert_body(value)
            elif shown is Shown.TAG:
                assert not tag_problem(value), f"tag with markup or a line break: {value!r}"
                assert_inert_markdown(tags_line([value]), "tag")
                assert_inert_markdown(tag_label(value), "tag link")
            elif shown is Shown.LABEL:
                for label in (plain(shorten(value)), plain(value)):
                    assert "<" not in label and ">" not in label
            elif shown is Shown.CSV:
                assert_csv_cell_inert(value)


def assert_clear_error(exc: BaseException) -> None:
    """A project error with a message in both languages, itself inert as st.error shows it."""
    assert isinstance(exc, DemoFactoryError), f"raw {type(exc).__name__}: {exc!r}"[:400]
    assert_clear_key(exc.key, error_params(exc.params), markdown=True)


def assert_clear_key(key: str, params: Mapping[str, object], *, markdown: bool = False) -> None:
    """``key`` has a message in both languages; ``markdown``: shown as markdown (st.error),
    where it must be inert too (a table cell shows text as it is)."""
    for lang in LANGUAGES:
        assert key in catalog(lang), f"{key} missing in {lang}"
        message = translate(lang, key, **params)
        assert message and message != key
        if markdown:
            assert_inert_markdown(message, f"message {key}")
