"""Number tiles (the dashboard's KPIs, the live panel's visitors, an item's totals): all tiles
of a row set are one escaped HTML block, with their rules in the app's stylesheet.

Eight ``st.metric`` tiles in ``st.columns`` are some thirty Streamlit elements, each with its
own help tooltip: drawing them took the browser 0.1-0.15 s of a dashboard load, and as much
again on every period change, filter change and live refresh (a stock page with and without
them, A/B; the README's "Page speed"). One block draws in about no time.

The block holds nothing a person can open or focus: a live refresh replaces it whole when a
number changes (every 30 s on the dashboard), and a "?" inside it would close and lose the
keyboard's focus each time. What each number counts is in one expander under the block
(``tile_notes``), which Streamlit redraws in place. Every text is HTML-escaped: a value can be
a category's or a title's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from html import escape

import streamlit as st

from services.ui import lazy
from services.ui.i18n import t
from services.ui.widgets import md_escape

MAX_PER_ROW = 5  # the grid's rules below name 1 to 5 columns


class Scope(StrEnum):
    """What a tile's icon says it counts: the whole platform, or the filtered view."""

    PLATFORM = "platform"
    FILTERED = "filtered"


@dataclass(frozen=True)
class Tile:
    label: str
    value: str
    delta: str | None = None
    help: str = ""
    description: str | None = None  # under the delta: "vs the previous period"
    inverse: bool = False  # a rise is bad news (the skip rate)
    neutral: bool = False  # the delta is not a change (the top category's share)
    flat: bool = False  # a change that shows as zero: grey, without an arrow
    scope: Scope | None = None


def unchanged(change: float | None) -> bool:
    """A change that shows as zero ("+0.0%", or a difference "+0"): neither good nor bad news,
    so it is shown grey and without an arrow (not "+0.0%" as a green rise)."""
    return change is not None and round(change, 1) == 0


# Material Symbols' "public" and "filter_alt", and arrows (Apache 2.0), drawn by the
# stylesheet as masks in the text's colour: ``st.html`` strips inline SVG, and an icon font would
# be one more file to fetch.
_ICONS = {
    "platform": "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm-1 17.93A8 8 0 0 1 4.21 10.21L9 15v1a2 "
                "2 0 0 0 2 2zm6.9-2.54A2 2 0 0 0 16 16h-1v-3a1 1 0 0 0-1-1H8v-2h2a1 1 0 0 0 "
                "1-1V7h2a2 2 0 0 0 2-2v-.41a8 8 0 0 1 2.9 12.8z",
    "filtered": "M4.25 5.61C6.27 8.2 10 13 10 13v6a1 1 0 0 0 1 1h2a1 1 0 0 0 1-1v-6s3.72-4.8 "
                "5.74-7.39A1 1 0 0 0 18.95 4H5.04a1 1 0 0 0-.79 1.61z",
    "up": "M4 12l1.41 1.41L11 7.83V20h2V7.83l5.58 5.59L20 12l-8-8z",
    "down": "M20 12l-1.41-1.41L13 16.17V4h-2v12.17l-5.58-5.59L4 12l8 8z",
}


def _mask(path: str) -> str:
    svg = f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24'><path d='{path}'/></svg>"
    # Only what a quoted CSS url() needs escaped: the rest stays readable and short.
    escaped = svg.replace("%", "%25").replace("#", "%23").replace("<", "%3C").replace(">", "%3E")
    return f'url("data:image/svg+xml,{escaped}")'


_ICON_RULES = "".join(f".df-icon-{name} {{ --df-mask: {_mask(path)}; }}\n"
                      for name, path in _ICONS.items())


def _icon(kind: str, css: str, name: str | None = None) -> str:
    named = f' role="img" aria-label="{escape(name)}"' if name else ' aria-hidden="true"'
    return f'<span class="df-icon {css} df-icon-{kind}"{named}></span>'


def _direction(shown: Tile) -> tuple[str, str | None]:
    """The delta's class and arrow: green for good news, red for bad, grey for neither."""
    if shown.delta is None or shown.neutral or shown.flat:
        return "df-quiet", None
    falling = shown.delta.lstrip().startswith(("-", "\u2212"))
    good = falling if shown.inverse else not falling
    return ("df-good" if good else "df-bad"), ("down" if falling else "up")


def _value_class(text: str) -> str:
    """A value of words (the top category) is drawn smaller on a phone than a number: at a
    number's size "통신/미디어" broke after its slash and made its tile taller than the rest."""
    words = not any(ch.isdigit() for ch in text)
    return "df-tile-value df-tile-words" if words else "df-tile-value"


def _value(text: str) -> str:
    """A value escaped, with a break allowed after a slash ("Telco/Media" on a phone)."""
    return escape(text).replace("/", "/<wbr>")


def tile_html(shown: Tile) -> str:
    icon = (_icon(shown.scope, "df-tile-icon", t(f"tiles.scope.{shown.scope}"))
            if shown.scope else "")
    delta = ""
    if shown.delta is not None:
        css, arrow = _direction(shown)
        drawn_arrow = _icon(arrow, "df-tile-arrow") if arrow else ""
        description = (f' <span class="df-tile-desc">{escape(shown.description)}</span>'
                       if shown.description else "")
        delta = (f'<div class="df-tile-delta"><span class="df-tile-change {css}">{drawn_arrow}'
                 f'{escape(shown.delta)}</span>{description}</div>')
    return (f'<div class="df-tile" role="listitem"><div class="df-tile-head">'
            f'<span class="df-tile-label">{icon}{escape(shown.label)}</span>'
            f'</div><div class="{_value_class(shown.value)}">{_value(shown.value)}</div>'
            f'{delta}</div>')


def tiles_html(shown: list[Tile], per_row: int) -> str:
    assert 1 <= per_row <= MAX_PER_ROW, per_row
    cells = "".join(tile_html(one) for one in shown)
    return (f'<div class="df-tiles-box"><div class="df-tiles df-tiles-{per_row}" role="list">'
            f'{cells}</div></div>')


def render_tiles(shown: list[Tile], per_row: int | None = None,
                 notes_key: str | None = None) -> None:
    """The tiles, ``per_row`` to a row (all in one by default; two on a phone, one in a narrow
    column), as one element, and under them their notes (``tile_notes``) when any tile has
    help; ``notes_key`` keys that expander."""
    st.html(tiles_html(shown, per_row or len(shown)))
    if any(one.help for one in shown):
        assert notes_key, "tiles with help need a key for their notes"
        tile_notes(shown, notes_key)


def notes_markdown(shown: list[Tile]) -> str:
    """Each tile's help under its label, as literal text."""
    return "\n\n".join(
        f"**{md_escape(one.label)}**  \n" + "  \n".join(
            md_escape(part.strip()) for part in one.help.split("\n\n") if part.strip())
        for one in shown if one.help)


def tile_notes(shown: list[Tile], key: str) -> None:
    """What each number counts, in an expander drawn only while open (``lazy.expander``)."""
    def notes() -> None:
        st.markdown(notes_markdown(shown))

    lazy.expander(t("tiles.notes"), key, notes, icon=":material/help:")


# Grid columns by the block's own width (a container query): four tiles in a row on a desktop,
# two on a phone or beside an open sidebar. The container queries come last: a rule of the
# same weight after them wins, and the phone's smaller value size had never applied. Colours
# are the light theme's (config.toml), the change's at least 4.5:1 on its background
# (tests/ui/test_contrast.py).
TILE_RULES = """
.df-tiles-box { container-type: inline-size; }
.df-tiles { display: grid; gap: 1rem; }
.df-tiles-1 { grid-template-columns: minmax(0, 1fr); max-width: 20rem; }
.df-tiles-2 { grid-template-columns: repeat(2, minmax(0, 1fr)); }
.df-tiles-3 { grid-template-columns: repeat(3, minmax(0, 1fr)); }
.df-tiles-4 { grid-template-columns: repeat(4, minmax(0, 1fr)); }
.df-tiles-5 { grid-template-columns: repeat(5, minmax(0, 1fr)); }
.df-tile { border: 1px solid #dde3ec; border-radius: 0.5rem; padding: 0.75rem 1rem;
  min-width: 0; position: relative; }
.df-tile-head { display: flex; align-items: flex-start; justify-content: space-between;
  gap: 0.25rem; }
.df-tile-label { font-size: 0.875rem; line-height: 1.4; word-break: keep-all;
  overflow-wrap: break-word; min-width: 0; }
.df-icon { display: inline-block; background-color: currentColor;
  -webkit-mask: var(--df-mask) center / contain no-repeat;
  mask: var(--df-mask) center / contain no-repeat; }
.df-tile-icon { width: 1rem; height: 1rem; vertical-align: -0.15rem; margin-right: 0.25rem;
  opacity: 0.75; }
.df-tile-value { font-size: 1.9rem; line-height: 1.3; margin-top: 0.25rem;
  word-break: keep-all; overflow-wrap: anywhere; }
.df-tile-delta { font-size: 0.875rem; margin-top: 0.25rem; }
.df-tile-change { display: inline-flex; align-items: center; gap: 0.1rem;
  padding: 0 0.4rem; border-radius: 1rem; }
.df-tile-arrow { width: 0.9rem; height: 0.9rem; }
.df-good { color: #126b2f; background: #e3f5e8; }
.df-bad { color: #b3261e; background: #fbe7e6; }
.df-quiet { color: #4a5361; background: #eef1f5; }
.df-tile-desc { opacity: 0.7; margin-left: 0.25rem; }
@container (max-width: 640px) {
  .df-tiles-3, .df-tiles-4, .df-tiles-5 { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .df-tile-value { font-size: 1.5rem; }
  .df-tile-words { font-size: 1.2rem; line-height: 1.65; }
}
@container (max-width: 20rem) {
  .df-tiles-2, .df-tiles-3, .df-tiles-4, .df-tiles-5 { grid-template-columns: minmax(0, 1fr); }
}
""" + _ICON_RULES
