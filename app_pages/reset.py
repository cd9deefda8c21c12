"""Forgot password (local sign-in): ask for a mailed link, or set a new password through one."""

from services.ui import account_links, session

account_links.reset_page(session.services())
