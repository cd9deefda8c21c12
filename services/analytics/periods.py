"""Dashboard periods: local calendar days start..end inclusive, and the preset ranges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from services.errors import ValidationError

MAX_DAYS = 366


def earliest_day(today: date) -> date:
    """The first day a custom range may start on: a range from it to today is as long as a
    period may be (MAX_DAYS), so no longer one can be picked."""
    return today - timedelta(days=MAX_DAYS - 1)


class Preset(StrEnum):
    TODAY = "today"
    DAYS_7 = "7d"
    DAYS_30 = "30d"
    DAYS_90 = "90d"
    CUSTOM = "custom"


PRESET_DAYS = {Preset.TODAY: 1, Preset.DAYS_7: 7, Preset.DAYS_30: 30, Preset.DAYS_90: 90}
# The period the dashboard opens on (and the one the start-up warm-up reads ahead).
DASHBOARD_PRESET = Preset.DAYS_7


def local_today(tz: tzinfo, now: datetime | None = None) -> date:
    """Today's date in ``tz`` (the dashboards' local calendar)."""
    return (now or datetime.now(tz)).astimezone(tz).date()


@dataclass(frozen=True)
class Period:
    """Local days start..end inclusive."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValidationError("analytics.err_period_order")
        if self.days > MAX_DAYS:
            raise ValidationError("analytics.err_period_long", max=MAX_DAYS)

    @classmethod
    def preset(cls, preset: Preset, today: date) -> Period:
        """The last N days up to and including ``today`` (CUSTOM has no fixed length)."""
        if preset is Preset.CUSTOM:
            raise ValueError("a custom period needs its own start and end")
        return cls(today - timedelta(days=PRESET_DAYS[preset] - 1), today)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def running(self, today: date) -> bool:
        """Whether the period's last day is ``today``, still being counted (its figures are
        lower than a whole day's)."""
        return self.end >= today

    def previous(self) -> Period:
        """The period of equal length that ends the day before this one starts."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]
