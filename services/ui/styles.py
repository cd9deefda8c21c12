"""The app's one stylesheet, drawn on every run by ``app.py`` before the page: the same body
every run, so the browser keeps it and styles the page once.

Korean text breaks between words, not inside them (``word-break: keep-all``), in headings,
markdown, captions, page links and the app's HTML blocks; the content cards (``cards.py``),
the pager (``pager.py``), number tiles (``tiles.py``) and short HTML tables
(``static_table.py``) carry class names only, and their rules are here.
"""

from __future__ import annotations

import streamlit as st

from services.ui.browse_chips import CHIP_RULES
from services.ui.cards import CARD_RULES
from services.ui.column_table import COLUMN_TABLE_RULES
from services.ui.dashboard import CONTROL_RULES
from services.ui.pager import PAGER_RULES
from services.ui.static_table import STATIC_TABLE_RULES
from services.ui.tiles import TILE_RULES
from services.ui.widgets import RENDERED_CLASS

# Korean wraps between words, not inside one (a title split "데모 팩토/리" on a phone); English
# is unchanged by keep-all, and break-word still wraps one overlong token (a URL). The rule is
# also set on everything inside text, captions, notices and the app's own HTML blocks
# (``st.html``: tiles, pager, chips, tables), and more specific than Streamlit's own
# ``p { word-break: break-word }``: set on the boxes alone, a caption's or a notice's paragraph
# broke "적용하/지" and a tile's "이전 기간 대/비" on a phone (tests/e2e/test_layout.py).
# Captions: Streamlit fades them to opacity 0.6, which puts the theme's text #1b2430 at 4.22:1
# on white and 4.12:1 on the panels' #f3f6fb (under WCAG's 4.5:1); at 0.7 they are 5.81:1 and
# 5.60:1, still lighter than body text (tests/ui/test_contrast.py).
_TEXT_BOXES = ('[data-testid="stMarkdownContainer"], [data-testid="stCaptionContainer"], '
               '[data-testid="stHtml"]')
TEXT_RULES = f"""
h1, h2, h3, h4, h5, h6, [data-testid="stPageLink"], {_TEXT_BOXES} {{
  word-break: keep-all;
  overflow-wrap: break-word;
}}
[data-testid="stApp"] :is({_TEXT_BOXES}) * {{ word-break: keep-all; }}
[data-testid="stCaptionContainer"] {{ opacity: 0.7; }}
"""
# The file uploader's own line ("100MB per file • PNG, JPG, …") cannot be translated, and it
# states the uploader's cap, twice the app's limit (so that a file somewhat over the limit is
# refused by name, not dropped): it contradicted the Korean caption under the uploader, which
# states the limit and the number of files; the types are in the label's help.
UPLOADER_RULES = """
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
"""
# A table's toolbar (search, download, full screen) is drawn above the table, over whatever is
# there, while the pointer is on it; a touch screen keeps it after a tap, and on a phone it hid
# the line above a table (the insights' sentence). On touch screens a table keeps the toolbar's
# room free above it (the toolbar reaches 3.25rem up; the gap between elements is 1rem). A
# chart's toolbar sits inside the chart, in the row its figure keeps free (charts.MODEBAR_PX).
TOOLBAR_RULES = """
@media (hover: none) {
  [data-testid="stElementContainer"]:has([data-testid="stDataFrame"]) { margin-top: 2.25rem; }
}
"""
# A segmented control does not wrap: on a phone the dashboard's five periods in English ran
# 13 px past the page's edge ("Custom" cut off). Half of each button's side room brings them
# inside it (the item page's four metrics too); a desktop keeps Streamlit's.
SEGMENT_RULES = """
@media (max-width: 640px) {
  [data-testid="stButtonGroup"] button { padding-left: 0.5rem; padding-right: 0.5rem; }
}
"""
# Read out by a screen reader, not shown (``class="df-sr"``): what names a card's "open" link
# after its card, a report's footnote marker's source (services/ui/footnote.py), and a table
# row's labels at a desktop's width (services/ui/column_table.py, whose rules come after).
SCREEN_READER_RULES = """
.df-sr { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
"""
# An element that only runs a script (``st.html``, such as the dashboard's focus after a row
# choice) shows nothing, but its box took a gap's room in the page (the sidebar's are left as
# they were).
SCRIPT_RULES = """
[data-testid="stMain"] [data-testid="stElementContainer"]:has(
    [data-testid="stHtml"] > script:only-child) { display: none; }
"""
# An item's text (and a report's) is markdown rendered by the app and shown through st.html,
# which styles none of it: a long command in a code block or a long address ran past the
# column (the whole page scrolled sideways on a phone) and a table had no borders or cell room.
# A code block and a table scroll sideways inside themselves; words and addresses wrap; the
# look follows Streamlit's own code blocks and markdown tables, in colours both themes carry.
_MD = f".{RENDERED_CLASS}"
RENDERED_RULES = f"""
{_MD} {{ max-width: 100%; min-width: 0; }}
{_MD} p, {_MD} li, {_MD} a, {_MD} blockquote, {_MD} td, {_MD} th,
{_MD} h1, {_MD} h2, {_MD} h3, {_MD} h4, {_MD} h5, {_MD} h6 {{
  word-break: keep-all;
  overflow-wrap: anywhere;
}}
{_MD} pre {{
  overflow-x: auto;
  max-width: 100%;
  padding: 1rem;
  border-radius: 0.5rem;
  background: rgba(151, 166, 195, 0.15);
  font-size: 0.875rem;
  line-height: 1.5;
}}
{_MD} pre code {{ white-space: pre; overflow-wrap: normal; background: none; padding: 0; }}
{_MD} :not(pre) > code {{
  padding: 0.1em 0.25em;
  border-radius: 0.25rem;
  background: rgba(151, 166, 195, 0.15);
  overflow-wrap: anywhere;
}}
{_MD} img {{ max-width: 100%; height: auto; }}
{_MD} table {{
  display: block;
  max-width: 100%;
  overflow-x: auto;
  border-collapse: collapse;
  margin: 0 0 1rem;
}}
{_MD} th, {_MD} td {{
  padding: 0.25rem 0.375rem;
  border: 1px solid rgba(128, 128, 128, 0.3);
  text-align: left;
  vertical-align: top;
}}
{_MD} th {{ background: rgba(151, 166, 195, 0.12); font-weight: 600; }}
"""
APP_CSS = (
    f"<style>{TEXT_RULES}{CARD_RULES}{CHIP_RULES}{PAGER_RULES}{TILE_RULES}{SCREEN_READER_RULES}{COLUMN_TABLE_RULES}"
    f"{STATIC_TABLE_RULES}{CONTROL_RULES}{SEGMENT_RULES}{UPLOADER_RULES}{TOOLBAR_RULES}{SCRIPT_RULES}"
    f"{RENDERED_RULES}</style>"
)


def app_style() -> None:
    st.html(APP_CSS)
