"""One category's published content (the shared browse view with the category fixed)."""

from services.domain.models import Category
from services.ui.browse import render_browse

render_browse(Category.RETAIL_CPG)
