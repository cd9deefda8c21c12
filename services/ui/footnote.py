"""A report's footnote marker ("[1]"), the one markup of the report's narrative and its chat
answers.

Where the figure comes from is in the marker twice: in ``title`` for a mouse's tooltip, and as
visually hidden text (``.df-sr``, the app's stylesheet) that a screen reader reads with the
number, since a tooltip is neither shown to a keyboard nor read by every screen reader. The
sources table under the report is a data grid (a canvas), so the marker cannot link to its row.
The label and value come from the report's data (labels quote titles and search terms users
typed): both are HTML-escaped.
"""

from __future__ import annotations

import html

from services.i18n import translate
from services.reports.citations import Source

_STYLE = "color:#0b5cad;font-size:0.7em"


def footnote_html(source: Source | None, number: int, lang: str) -> str:
    """Marker ``number``, its source said in ``lang`` (the report's language)."""
    if source is None:
        return f'<sup style="{_STYLE}">[{number}]</sup>'
    title = html.escape(f"{source.label}: {source.value}", quote=True)
    said = html.escape(translate(lang, "sources.marker", label=source.label, value=source.value))
    return (
        f'<sup style="{_STYLE}" title="{title}">[{number}]<span class="df-sr"> {said}</span></sup>'
    )
