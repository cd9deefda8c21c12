"""Sources and devices of a visit: parsed once from its first request, carried by its events,
counted once per visit in rollups that stay within a cap per day."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services.adapters.sqlite.content import SqliteContentRepository
from services.adapters.sqlite.db import SqliteDatabase
from services.adapters.sqlite.events import SqliteEventStore
from services.analytics import sources as sources_module
from services.analytics.service import AnalyticsService
from services.analytics.sources import VisitSource, device_of, referrer_host, visit_source
from services.analytics.visit_sources import SourceCap
from services.domain.analytics import DIRECT, OTHER_VALUE, SOURCE_VALUE_MAX, Device, Dim, Event
from services.domain.models import Category, ContentItem, Status
from services.domain.permissions import Actor
from services.domain.rollups import rollup_keys

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 3, 10, 1, 0, tzinfo=UTC)
TODAY = date(2026, 3, 10)

CHROME_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
                  "Gecko) Chrome/131.0.0.0 Safari/537.36")
IPHONE_SAFARI = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
                 "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
ANDROID_TABLET = ("Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like "
                  "Gecko) Chrome/120.0.0.0 Safari/537.36")
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.mark.parametrize(("agent", "expected"), [
    (CHROME_WINDOWS, (Device.DESKTOP, "Chrome", "Windows")),
    (IPHONE_SAFARI, (Device.MOBILE, "Mobile Safari", "iOS")),
    (ANDROID_TABLET, (Device.TABLET, "Chrome", "Android")),
    (GOOGLEBOT, (Device.BOT, "Googlebot", "Other")),
    ("", (Device.OTHER, "Other", "Other")),
])
def test_device_browser_and_os_of_real_user_agents(agent: str,
                                                   expected: tuple[Device, str, str]) -> None:
    assert device_of(agent) == expected


def test_a_user_agent_is_parsed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = sources_module.parse_user_agent

    def counting(agent: str) -> object:
        calls.append(agent)
        return real(agent)

    monkeypatch.setattr(sources_module, "parse_user_agent", counting)
    agent = CHROME_WINDOWS + " unique-for-this-test"
    for _ in range(3):
        device_of(agent)
    assert calls == [agent]


@pytest.mark.parametrize(("referer", "own", "expected"), [
    ("https://www.google.com/search?q=demo", "demo.example.com", "google.com"),
    ("https://demo.example.com/browse", "demo.example.com", DIRECT),  # the app itself
    ("http://127.0.0.1:8501/", "127.0.0.1:8501", DIRECT),
    ("", "demo.example.com", DIRECT),
    ("not a url at all", "demo.example.com", DIRECT),
    ("https://News.Example.ORG:8443/a", "demo.example.com", "news.example.org"),
])
def test_referrer_host_counts_self_referrals_as_direct(referer: str, own: str,
                                                        expected: str) -> None:
    assert referrer_host(referer, own) == expected


def test_utm_source_takes_precedence_over_the_referrer_as_the_source_label() -> None:
    headers = {"Referer": "https://t.co/x", "Host": "demo.example.com",
               "User-Agent": IPHONE_SAFARI}
    tagged = visit_source(headers, {"utm_source": "newsletter", "utm_medium": "email",
                                    "utm_campaign": ["spring", "ignored"]})
    assert (tagged.label, tagged.referrer, tagged.utm_medium, tagged.utm_campaign) == (
        "newsletter", "t.co", "email", "spring")
    assert visit_source(headers, {}).label == "t.co"
    assert visit_source({"Host": "demo.example.com"}, {}).label == DIRECT


def test_a_ref_parameter_names_the_referrer_when_no_header_does() -> None:
    found = visit_source({"Host": "demo.example.com"}, {"ref": "linkedin.com"})
    assert found.referrer == "linkedin.com"


def test_values_are_bounded_single_spaced_text() -> None:
    long = "=HYPERLINK(\"x\")  <b>\n" + "a" * 500
    found = visit_source({}, {"utm_campaign": long})
    assert len(found.utm_campaign) == SOURCE_VALUE_MAX
    assert found.utm_campaign.startswith('=HYPERLINK("x") <b> a')


def test_the_cap_admits_a_bounded_number_of_values_per_dimension_and_day() -> None:
    cap = SourceCap(None, limit=2)
    assert [cap.admit(TODAY, Dim.REFERRER, v) for v in ("a", "b", "c", "a")] == [
        "a", "b", OTHER_VALUE, "a"]
    assert cap.admit(TODAY, Dim.UTM_SOURCE, "c") == "c"  # each dimension has its own
    assert cap.admit(date(2026, 3, 11), Dim.REFERRER, "c") == "c"  # a new day starts anew


# ---- through the service ---------------------------------------------------------------------


class ListTracker:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def track(self, event: Event) -> None:
        self.events.append(event)


def database(path: Path) -> SqliteDatabase:
    db = SqliteDatabase(path)
    db.migrate()
    return db


def service(tmp_path: Path, tracker: ListTracker, per_day: int = 100) -> AnalyticsService:
    store = SqliteEventStore(database(tmp_path / "a.db"), SEOUL, 36500)
    repo = SqliteContentRepository(database(tmp_path / "c.db"))
    return AnalyticsService(store, repo, tracker, SEOUL, clock=lambda: NOW,
                            sources_per_day=per_day)


ITEM = ContentItem(id="c1", title="Demo", summary="", body="", category=Category.FINANCE,
                   tags=(), author_id="a1", author_name="A", status=Status.PUBLISHED,
                   created_at=NOW, updated_at=NOW)


def test_every_event_carries_source_and_device_and_the_first_adds_the_visit_dims(
        tmp_path: Path) -> None:
    tracker = ListTracker()
    analytics = service(tmp_path, tracker)
    source = VisitSource(referrer="t.co", utm_source="newsletter", utm_campaign="spring",
                         device=Device.MOBILE, browser="Mobile Safari", os="iOS")
    analytics.visit_source("s1", source)
    analytics.visit_source("s1", VisitSource())  # a reload of the same visit: ignored
    anonymous = Actor.anonymous()
    analytics.page_view("s1", anonymous, "home")
    analytics.content_view("s1", anonymous, ITEM)
    analytics.page_view("s2", anonymous, "home")  # no source known: carries none

    first, view, other = tracker.events
    assert {first.properties[k] for k in ("src", "dev")} == {"newsletter", "mobile"}
    assert (view.properties["src"], view.properties["dev"]) == ("newsletter", "mobile")
    assert "ref" in first.properties and "ref" not in view.properties
    assert other.properties == {}
    dims = {(k.dim, k.value) for e in tracker.events for k in rollup_keys(e, SEOUL)
            if k.dim not in (Dim.ALL, Dim.PAGE, Dim.CONTENT, Dim.CATEGORY, Dim.AUTHOR)
            and not k.dim.startswith("segment")}  # the click filter's (test_visit_segments)
    assert dims == {(Dim.REFERRER, "t.co"), (Dim.UTM_SOURCE, "newsletter"),
                    (Dim.UTM_CAMPAIGN, "spring"), (Dim.DEVICE, "mobile"),
                    (Dim.BROWSER, "Mobile Safari"), (Dim.OS, "iOS"),
                    (Dim.CAMPAIGN_CONTENT, "spring|c1"),
                    # the item's own page: its visit, and the source that led to it
                    (Dim.CONTENT_VISIT, "c1"), (Dim.CONTENT_SOURCE, "c1|newsletter")}


def test_values_beyond_the_days_cap_are_counted_as_other(tmp_path: Path) -> None:
    tracker = ListTracker()
    analytics = service(tmp_path, tracker, per_day=1)
    for n, host in enumerate(["a.example", "b.example"]):
        analytics.visit_source(f"s{n}", VisitSource(referrer=host))
        analytics.page_view(f"s{n}", Actor.anonymous(), "home")
    assert [e.properties["ref"] for e in tracker.events] == ["a.example", OTHER_VALUE]
    assert tracker.events[1].properties["src"] == OTHER_VALUE


def test_synthetic_visits_count_once_each_with_their_source(tmp_path: Path) -> None:
    from services.analytics.synthetic import ContentRef, synthetic_events
    from services.analytics.synthetic_sources import with_sources

    refs = [ContentRef("c1", "Finance", "a1")]
    events = list(with_sources(synthetic_events(refs, total=500, days=3, end=TODAY, tz=SEOUL)))
    sessions = {e.session_id for e in events}
    firsts = [e for e in events if "ref" in e.properties]
    assert len(firsts) == len(sessions)
    assert all({"src", "dev"} <= set(e.properties) for e in events)
    assert {e.properties["src"] for e in events} > {DIRECT}


def test_seeded_visits_come_only_from_what_the_app_can_see() -> None:
    """No Referer reaches the app (the WebSocket handshake carries none): a visit from a search
    engine or a shortened link is direct unless its link was tagged. The demo data named
    google.com, naver.com and t.co as referrers, which no visit to the app could show, beside a
    tab that says so. Each seeded source is what the app records for a browser's request: its
    Host, no Referer, and the link's own tags."""
    from services.analytics.synthetic_sources import SOURCES

    for source in SOURCES:
        tags = {"ref": source.referrer if source.referrer != DIRECT else "",
                "utm_source": source.utm_source, "utm_medium": source.utm_medium,
                "utm_campaign": source.utm_campaign}
        recorded = visit_source({"Host": "demo.example.com", "User-Agent": CHROME_WINDOWS},
                                {k: v for k, v in tags.items() if v})
        assert (recorded.referrer, recorded.utm_source, recorded.utm_medium,
                recorded.utm_campaign) == (source.referrer, source.utm_source,
                                           source.utm_medium, source.utm_campaign)
        # A tagged link says where it was shared; no one tags a search result or a short link.
        assert source.referrer not in {"google.com", "naver.com", "bing.com", "t.co"}
    direct = sum(s.label == DIRECT for s in SOURCES)
    assert direct == max(Counter(s.label for s in SOURCES).values())  # untagged visits lead


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_every_heading_of_the_two_tabs_is_translated(lang: str) -> None:
    from services.analytics.source_stats import VISIT_DIMS
    from services.i18n import messages

    found = messages(lang)
    keys = [f"visits.{kind}{dim.value}" for dim in VISIT_DIMS for kind in ("", "col.")]
    keys += [f"visits.device_class.{device.value}" for device in Device]
    assert [key for key in keys if key not in found] == []
