"""Moments as the app shows them, in its one time zone (``DEMO_FACTORY_TIMEZONE``): pages,
mails and PDFs alike. Pure; the page gets the zone from the settings (``ui.widgets.app_tz``),
other callers are handed it."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo


def _in_zone(ts: datetime, tz: tzinfo) -> datetime:
    # Stored times are UTC; a naive one (an old row) is UTC too, never the server's zone.
    return (ts if ts.tzinfo else ts.replace(tzinfo=UTC)).astimezone(tz)


def format_time(ts: datetime, tz: tzinfo, *, seconds: bool = False) -> str:
    """A moment as the app's wall clock in ``tz``, naming the zone (a reader abroad would take
    a bare time for their own): ``2026-03-02 09:30 KST``."""
    return _in_zone(ts, tz).strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z")


def format_date(ts: datetime, tz: tzinfo) -> str:
    """The day of a moment in ``tz`` (a late-evening UTC time is already tomorrow in Seoul)."""
    return _in_zone(ts, tz).strftime("%Y-%m-%d")


def clock_time(moment: datetime) -> str:
    """A moment's time of day on its own clock, naming the zone: ``14:25:43 KST``."""
    return moment.strftime("%H:%M:%S %Z")


def zone_name(tz: tzinfo) -> str:
    """The zone as people know it and as it is set: ``KST (Asia/Seoul)``."""
    return f"{datetime.now(tz).strftime('%Z')} ({tz})"
