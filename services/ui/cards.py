"""Content cards (home, browse): items as bordered cards in a grid, all of it one ``st.html``
block.

Each card holds its picture, title, meta line, summary (or the search snippet), tags, counts and
the "open" link. A page of twelve cards used to be some 170 Streamlit elements, then about 60
(per card a bordered container, the picture, an HTML block and a page link, in rows of
columns), each of which the browser lays out and React reconciles on every run: drawing them
was most of what a person waited for on home and browse. As one block, browse draws about a
fifth faster. Every piece of an author's text is HTML-escaped before it is put into the block,
so a title or tag holding markup stays the literal text it is.

The links are relative (``content?id=``, ``browse?tag=``), so a base URL path is kept, and a
click on one switches pages inside the running app (``NAV_SCRIPT``), as a page link would:
the item's page reads the item, browse the tag, from the address.
The grid has at most ``CARD_COLUMNS`` columns and fewer when a card would get narrower than
``_MIN_CARD``; on a phone the cards stack.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import tzinfo
from urllib.parse import quote

import streamlit as st

from services.domain.models import ContentItem
from services.ui import highlight, routes
from services.ui.gate import url_path
from services.ui.i18n import count_text, t
from services.ui.thumbs import picture_html
from services.ui.widgets import TAG_PARAM, app_tz, meta_text

CARD_COLUMNS = 3
# At most ``columns`` per row; fewer, down to one, when a card would get narrower than this.
_MIN_CARD = "15rem"
_GAP = "1rem"
_TEXT = "word-break: keep-all; overflow-wrap: break-word"
_SMALL = f"{_TEXT}; font-size: 0.875rem; opacity: 0.7; margin: 0 0 0.4rem 0"
# The cards' rules, by class, in the app's one stylesheet (services/ui/styles.py), rather than
# the same inline styles on every element of every card: the cards' block is half the size it
# was, on every run. The ``.df-cards`` grid's own style holds its column count.
CARD_RULES = f"""
/* ``ul.``: Streamlit indents lists by a class and a ``ul`` (2rem at the left). */
ul.df-cards {{ display: grid; gap: {_GAP}; list-style: none; margin: 0; padding: 0; }}
.df-card {{ display: flex; flex-direction: column; padding: 1rem; border-radius: 0.5rem;
  border: 1px solid rgba(128, 128, 128, 0.3); min-width: 0; margin: 0; }}
/* A heading for screen readers' sake (a card is found by its title); it looks as the bold
   line of body text it was, not as the page's h2/h3. */
.df-card-title, .df-hit-title {{ {_TEXT}; margin: 0 0 0.3rem 0; padding: 0; font-size: 1rem;
  line-height: 1.6; font-weight: inherit; letter-spacing: normal; scroll-margin-top: 0; }}
.df-card-meta, .df-card-counts {{ {_SMALL}; }}
.df-card-summary, .df-hit-snippet {{ {_TEXT}; margin: 0 0 0.5rem 0; }}
.df-thumb, .df-thumb-placeholder {{ aspect-ratio: 16/9; width: 100%; border-radius: 0.5rem;
  margin: 0 0 0.75rem 0; }}
.df-thumb {{ display: block; object-fit: cover; }}
.df-thumb-placeholder {{ display: flex; align-items: center; justify-content: center;
  font-weight: 600; font-size: 0.95rem; }}
.df-tag {{ display: inline-block; margin: 0 0.35rem 0.35rem 0; padding: 0.05rem 0.5rem;
  border: 1px solid rgba(128, 128, 128, 0.35); border-radius: 0.5rem; font-size: 0.8rem;
  text-decoration: none; color: inherit; }}
/* An outlined button; margin-top auto: it sits at the bottom of each card, level across a
   row. */
.df-card-open {{ display: inline-block; margin-top: auto; padding: 0.3rem 0.75rem;
  border: 1px solid rgba(128, 128, 128, 0.35); border-radius: 0.5rem; color: inherit;
  text-decoration: none; width: fit-content; }}
"""


def _grid(columns: int) -> str:
    gaps = f"{columns - 1} * {_GAP}"
    return (f"grid-template-columns: repeat(auto-fill,"
            f" minmax(min(100%, max({_MIN_CARD}, calc((100% - {gaps}) / {columns}))), 1fr))")


def tag_href(tag: str) -> str:
    return f"{routes.BROWSE_PATH}?{TAG_PARAM}={quote(tag, safe='')}"


def tags_html(tags: Sequence[str]) -> str:
    help_text = html.escape(t("content.tag_link_help"))
    links = "".join(
        f'<a class="df-tag" href="{html.escape(tag_href(tag))}" target="_self"'
        f' title="{help_text}">#{html.escape(" ".join(tag.split()))}</a>'
        for tag in tags)
    return f'<div class="df-card-tags">{links}</div>'


def _title(item: ContentItem) -> str:
    return " ".join(item.title.split())


def card_html(
    item: ContentItem, tz: tzinfo, words: Sequence[str] = (), level: int = 3
) -> str:
    """Title (a heading of ``level``), meta, summary or snippet, tags and counts of one card:
    escaped HTML."""
    if words:
        parts = [highlight.title_html(item.title, words, level)]
    else:
        parts = [f'<h{level} class="df-card-title"><strong>{html.escape(_title(item))}'
                 f"</strong></h{level}>"]
    parts.append(f'<div class="df-card-meta">{html.escape(meta_text(item, tz))}</div>')
    if words:
        if item.summary.strip() or item.body.strip():
            parts.append(highlight.snippet_html(item, words))
    elif item.summary.strip():
        parts.append(f'<div class="df-card-summary">{html.escape(item.summary)}</div>')
    if item.tags:
        parts.append(tags_html(item.tags))
    counts = t("content.counts", views=count_text(item.views), likes=count_text(item.likes))
    parts.append(f'<div class="df-card-counts">{html.escape(counts)}</div>')
    return "".join(parts)


def content_href(item: ContentItem) -> str:
    return f"{url_path(routes.CONTENT)}?id={quote(item.id, safe='')}"


def open_link_html(item: ContentItem) -> str:
    """The card's "open" link, named after its card for a screen reader (a dozen links all
    read "열기" said nothing of where each goes); the title is shown once, in the heading."""
    label = html.escape(t("content.open"))
    return (f'<a class="df-card-open" href="{html.escape(content_href(item))}" target="_self"'
            f'>{label}<span class="df-sr"> – {html.escape(_title(item))}</span>'
            ' <span aria-hidden="true">→</span></a>')


def content_card_html(
    item: ContentItem, tz: tzinfo, words: Sequence[str] = (), level: int = 3
) -> str:
    """One item as a bordered card, an item of the cards' list; ``words``: a search's words,
    marked in the title and a snippet; ``level``: its title's heading level."""
    return (f'<li class="df-card">{picture_html(item)}'
            f"{card_html(item, tz, words, level)}{open_link_html(item)}</li>")


# A plain click on an "open" or tag link (or a pager's: ``services/ui/pager.py``, whose links
# carry ``df-tag``) switches pages inside the running app, as
# ``st.page_link`` does, instead of loading the page afresh (an item's page: 0.13 s against
# 0.29 s, A/B): the address is pushed to the history and Streamlit's own back/forward handler
# opens the page it names, with its query. A click with a modifier key or another button is
# the browser's (a new tab). Focus then goes to the new page's title (made focusable by
# ``tabindex=-1``) once it is drawn: the link is gone with the old page, and the browser put
# focus on the page's body, from where a keyboard started again at the top and a screen reader
# said nothing of the switch. The title counts as new when it is another element, another
# text, or the link is gone (a tag keeps browse's title); focus a person moved elsewhere
# meanwhile is left alone. A fixed script, installed once per page; nothing in it comes from
# an item.
NAV_SCRIPT = """<script>
if (!window.__dfCardLinks) {
  window.__dfCardLinks = true;
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a.df-card-open, a.df-tag");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey
        || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    const title = () => document.querySelector('[data-testid="stMain"] h1');
    const before = title();
    const said = before && before.textContent;
    window.history.pushState(null, "", link.href);
    window.dispatchEvent(new PopStateEvent("popstate"));
    const started = Date.now();
    const timer = setInterval(() => {
      const now = title();
      const active = document.activeElement;
      if (Date.now() - started > 15000 || (active && active !== document.body && active !== link)) {
        clearInterval(timer);
      } else if (now && (now !== before || now.textContent !== said || !link.isConnected)) {
        clearInterval(timer);
        now.setAttribute("tabindex", "-1");
        now.focus();
      }
    }, 100);
  });
}
</script>"""


def nav_links_script() -> None:
    """``NAV_SCRIPT`` for the page's links (cards, tags, the pager's): in the sidebar, where
    the invisible element takes no room in the page."""
    st.sidebar.html(NAV_SCRIPT, unsafe_allow_javascript=True)


def card_grid(
    items: Sequence[ContentItem], columns: int = CARD_COLUMNS, words: Sequence[str] = (),
    level: int = 3, nav_script: bool = True,
) -> None:
    """The cards as a list; ``level``: their titles' heading level, one below the heading
    above the cards (home: h3 under the section's h2; browse: h2 under the page's h1).
    ``role="list"``: Safari drops a list's meaning when its bullets are styled away.
    ``nav_script=False``: the link script is drawn by what follows (browse's pager), not
    twice."""
    tz = app_tz()
    cards = "".join(content_card_html(item, tz, words, level) for item in items)
    st.html(f'<ul class="df-cards" role="list" style="{_grid(columns)}">{cards}</ul>')
    if nav_script:
        nav_links_script()
