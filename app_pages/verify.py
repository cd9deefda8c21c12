"""Confirm an email address: the page a sign-up's mailed link opens (no sign-in needed)."""

from services.ui import account_links, session

account_links.verify_page(session.services())
