"""An author's own content, drafts included, with status, counts and edit links."""

from functools import partial

import streamlit as st

from services.errors import DemoFactoryError
from services.i18n.times import format_date
from services.ui import browse_url, routes, session
from services.ui.column_table import heading_row, labelled_value, row_columns, table_block
from services.ui.i18n import category_label, count_text, status_label, t
from services.ui.own_stats import my_stats_section
from services.ui.pager import pager
from services.ui.widgets import current_page, empty_state, md_escape, show_error

PAGE_KEY = "my_page"  # the page shown, also in the address (``my_content?page=2``)

services = session.services()
actor = session.actor()

st.title(t("nav.my_content"), anchor=False)
st.page_link(routes.EDITOR, label=t("content.new_title"), icon=":material/add:")

browse_url.read_page(PAGE_KEY, PAGE_KEY)
try:
    size = services.settings.page_size
    result = services.content.my_content(actor, page=current_page(PAGE_KEY), page_size=size)
    if not result.items and result.total:
        # An address past the last page (or items deleted meanwhile): the last page.
        result = services.content.my_content(actor, page=result.pages, page_size=size)
except DemoFactoryError as exc:
    show_error(exc)
    st.stop()
st.session_state[PAGE_KEY] = result.page
browse_url.write(PAGE_KEY, browse_url.page_params(result.page))

if not result.items:
    empty_state(t("content.my_empty"), t("content.my_empty_hint"))
    st.stop()

# The two links need room for an icon and their label in either language: at one unit each,
# English "Stats" was cut to "Stat" at 1400 px. The counts' one and a half units keep "Views",
# "Likes" and "좋아요" on one line in a table just wider than where it stacks. Narrower (a phone,
# or beside the sidebar) the columns stack: there the heading row is hidden and each value
# shows its label (services/ui/column_table.py).
COLUMNS = [4, 2, 1.5, 1.5, 2, 2, 2]
with table_block("my_content"):
    heading_row(
        "my_content",
        COLUMNS,
        (
            t("content.title_label"),
            t("content.status_label"),
            t("content.views"),
            t("content.likes"),
            t("content.updated"),
            t("content.edit"),
            t("itempage.open_stats"),
        ),
    )
    for item in result.items:
        row = row_columns(COLUMNS)
        row[0].page_link(routes.CONTENT, label=md_escape(item.title), query_params={"id": item.id})
        row[0].caption(category_label(item.category))
        labelled_value(row[1], t("content.status_label"), status_label(item.status))
        labelled_value(row[2], t("content.views"), count_text(item.views))
        labelled_value(row[3], t("content.likes"), count_text(item.likes))
        labelled_value(
            row[4], t("content.updated"), format_date(item.updated_at, services.settings.tz)
        )
        row[5].page_link(
            routes.EDITOR,
            label=t("content.edit"),
            icon=":material/edit:",
            query_params={"id": item.id},
        )
        row[6].page_link(
            routes.ITEM_STATS,
            label=t("itempage.open_stats"),
            icon=":material/insights:",
            query_params={"id": item.id},
        )
pager(result, PAGE_KEY, partial(browse_url.page_href, {}))

st.divider()
my_stats_section(services.analytics, actor)
