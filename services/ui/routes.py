"""Where each page lives: the paths and addresses that links and page switches name."""

from __future__ import annotations

from services.domain.models import Category

HOME = "app_pages/home.py"
BROWSE = "app_pages/browse.py"
CONTENT = "app_pages/content.py"
EDITOR = "app_pages/editor.py"
MY_CONTENT = "app_pages/my_content.py"
LOGIN = "app_pages/login.py"
CONTACT = "app_pages/contact.py"
ADMIN_INQUIRIES = "app_pages/admin_inquiries.py"
FIRST_ADMIN = "app_pages/first_admin.py"
ADMIN = "app_pages/admin.py"
DASHBOARD = "app_pages/dashboard.py"
ADMIN_BEDROCK = "app_pages/admin_bedrock.py"
ADMIN_DOCTOR = "app_pages/admin_doctor.py"
ADMIN_AUDIT = "app_pages/admin_audit.py"
REPORTS = "app_pages/reports.py"
SIGNUP = "app_pages/signup.py"
VERIFY = "app_pages/verify.py"
RESET = "app_pages/reset.py"
PROFILE = "app_pages/profile.py"
# Browse's address as a plain link names it (Streamlit's default: the file's name).
BROWSE_PATH = "browse"
ITEM_STATS = "app_pages/item_stats.py"
AUTHOR_STATS = "app_pages/author_stats.py"
# Pages whose address is not their file name (``item-stats?id=<content id>``).
URL_PATHS = {ITEM_STATS: "item-stats", AUTHOR_STATS: "author-stats"}


def category_url_path(category: Category) -> str:
    """The category page's address (``/category_finance``): one browse view, seven pages."""
    return category.page
