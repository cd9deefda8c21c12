"""Browse and search all published content."""

from services.ui.browse import render_browse

render_browse()
