"""Every reader of a report's context over contexts the app really builds: the report service's
preview on a real store, for every report type (and a report about one item or one author),
in both languages. The readers (follow-up answers, the offline narrative, its footnotes) are
never tested here against hand-written shapes, so a key the builder renames fails here."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.analytics.dashboards import Period
from services.bootstrap import build_local_ports
from services.domain.analytics import DEVICE_PROP, SRC_PROP, Event, EventType
from services.domain.permissions import Role
from services.domain.reports import ReportType
from services.i18n import translate
from services.reports.citations import footnotes
from services.reports.followup import answer_offline
from services.reports.grounding import check
from services.reports.narrator.changes import amount, dim_name, value_text
from services.reports.narrator.offline import narrate
from services.reports.narrator.rules import Facts
from services.reports.service import ReportService
from services.settings import Settings
from tests.conftest import make_actor
from tests.contract.test_content_repository import make_item
from tests.unit.reports.report_fixtures import ev

NOW = datetime(2026, 3, 11, 3, 0, tzinfo=UTC)  # 12:00 in Seoul: the period is complete
PERIOD = Period(date(2026, 3, 4), date(2026, 3, 10))
ANALYST = make_actor("ana", Role.ANALYST)
RETAIL = {"content_id": "x0", "category": "retail", "author_id": "dan"}
FINANCE = {"content_id": "x1", "category": "finance", "author_id": "alice"}
# the finance views' source: an item report's drivers are where its views came from
NEWSLETTER = {SRC_PROP: "newsletter", DEVICE_PROP: "mobile"}
# (report type, subject): every kind of context the builder makes
KINDS = [(ReportType.OVERALL, ""), (ReportType.WHAT_CHANGED, ""), (ReportType.CONTENT, ""),
         (ReportType.AUTHOR, ""), (ReportType.CONTENT, "x1"), (ReportType.AUTHOR, "alice")]
# A "why" question per count KPI the scenario moves, as a reader would ask it.
WHY = {"content_views": {"ko": "콘텐츠 조회는 왜 늘었어?", "en": "Why did content views rise?"},
       "likes": {"ko": "좋아요는 왜 늘었어?", "en": "Why did likes change?"}}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> ReportService:
    """Nine quiet weeks (10 views and one like of a retail item a day, 20 page views), then on
    7 March 120 views (from a newsletter) and 30 likes of a finance item: content views, likes
    and likes per view rise, by category, author, item and source."""
    events = []
    for day in _days():
        when = f"{day.isoformat()} 03:00"
        events += [*ev(when, EventType.CONTENT_VIEW, 10, **RETAIL),
                   *ev(when, EventType.LIKE, 1, **RETAIL),
                   *ev(when, EventType.PAGE_VIEW, 20, page="home")]
    events += [*ev("2026-03-07 04:00", EventType.CONTENT_VIEW, 120, properties=NEWSLETTER,
                  **FINANCE),
               *ev("2026-03-07 04:00", EventType.LIKE, 30, **FINANCE)]
    return _service(tmp_path_factory.mktemp("readers") / "data", events)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> ReportService:
    """As ``reports`` without likes, but the retail item falls from 10 views a day to 6 in the
    period and the finance views come from a second visitor: content views rise by category,
    item and author and fall by each of them too; visitors rise with nothing to split them by."""
    events = []
    for day in _days():
        when = f"{day.isoformat()} 03:00"
        events += [*ev(when, EventType.CONTENT_VIEW, 6 if day >= PERIOD.start else 10,
                       **RETAIL),
                   *ev(when, EventType.PAGE_VIEW, 20, page="home")]
    events += ev("2026-03-07 04:00", EventType.CONTENT_VIEW, 120, session="s2",
                 properties=NEWSLETTER, **FINANCE)
    return _service(tmp_path_factory.mktemp("mixed") / "data", events)


def _days() -> list[date]:
    """Nine weeks up to the period's end."""
    first = PERIOD.end - timedelta(days=62)
    return [first + timedelta(days=n) for n in range((PERIOD.end - first).days + 1)]


def _service(data: Path, events: list[Event]) -> ReportService:
    ports = build_local_ports(Settings(data_dir=data, sample_content=False))
    ports.events.append(events)
    for item, author in (("x0", "dan"), ("x1", "alice")):
        ports.content.add(make_item(item, author_id=author, author_name=author.title()))
    return ReportService(ports.reports, ports.events, ports.content,  # type: ignore[arg-type]
                         {}, Settings(sample_content=False), clock=lambda: NOW)


def built(reports: ReportService, kind: ReportType, subject: str, lang: str) -> dict[str, Any]:
    return reports.preview_context(ANALYST, kind, lang, PERIOD, subject).context


def explained(ctx: dict[str, Any], metric: str) -> tuple[int, dict[str, Any]] | None:
    """The drivers row of ``metric`` when the context splits its change."""
    rows = (ctx.get("drivers") or {}).get("metrics") or []
    return next(((i, r) for i, r in enumerate(rows)
                 if r["metric"] == metric and (r["rises"] or r["falls"])), None)


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize(("kind", "subject"), KINDS)
def test_why_answers_with_the_drivers_the_report_shows(reports: ReportService, kind: ReportType,
                                                        subject: str, lang: str) -> None:
    ctx = built(reports, kind, subject, lang)
    facts = Facts(ctx)
    asked = 0
    for metric, questions in WHY.items():
        found = explained(ctx, metric)
        if found is None or facts.kpi(metric) is None:
            continue
        asked += 1
        index, row = found
        answer = answer_offline(ctx, questions[lang], lang)
        assert answer.answered, answer.text
        assert translate(lang, "followup.no_drivers") not in answer.text
        for side in ("rises", "falls"):
            for at, part in enumerate(row[side][:3]):
                path = f"drivers.metrics[{index}].{side}[{at}].contribution"
                assert f"`{path}`" in answer.text, (path, answer.text)
                # Named and written as the report's own narrative names and writes them,
                # under its breakdown's name.
                assert value_text(facts, part) in answer.text
                assert f"- {dim_name(facts, part['dim'])}: " in answer.text
                assert amount(facts, part["contribution"], False) in answer.text
        grounded = check(answer.text, ctx)
        assert grounded.ok and grounded.checked, (answer.text, grounded)
    assert asked, f"the scenario explains no count KPI of {kind} {subject!r}"


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize(("kind", "subject"), KINDS)
def test_every_figure_a_reader_cites_is_in_the_context(reports: ReportService, kind: ReportType,
                                                       subject: str, lang: str) -> None:
    """The narrative and every follow-up answer cite only paths the builder made."""
    ctx = built(reports, kind, subject, lang)
    texts = [narrate(ctx)]
    for question in ("가장 많이 본 카테고리는?", "피크는 언제였어?", "인기 콘텐츠는?",
                     "방문자는 몇 명이야?", *(q[lang] for q in WHY.values())):
        texts.append(answer_offline(ctx, question, lang).text)
    for text in texts:
        missing = [s.path for s in footnotes(text, ctx, lang).sources if not s.known]
        assert not missing, (missing, text)
        assert check(text, ctx).ok, text


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_driver_footnote_shows_the_figure_as_the_sentence_writes_it(
        reports: ReportService, lang: str) -> None:
    """A driver's contribution is a signed change in the metric's unit: a count's ``+120``, a
    rate's ``+2.3%p``; its footnote shows the same, not an unsigned count or ``0.0``."""
    ctx = built(reports, ReportType.OVERALL, "", lang)
    facts = Facts(ctx)
    checked = 0
    for index, row in enumerate(ctx["drivers"]["metrics"]):
        rate = row["kind"] == "rate"
        for side in ("rises", "falls"):
            for at, part in enumerate(row[side]):
                for field in ("contribution", *(("mix", "rate") if rate else ())):
                    if part.get(field) is None:
                        continue
                    path = f"drivers.metrics[{index}].{side}[{at}].{field}"
                    source = footnotes(f"`{path}`", ctx, lang).sources[0]
                    assert source.value == amount(facts, part[field], rate), path
                    checked += 1
        path = f"drivers.metrics[{index}].difference"
        shown = footnotes(f"`{path}`", ctx, lang).sources[0].value
        assert shown == amount(facts, row["difference"], rate), path
    assert checked


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_a_change_with_no_driver_says_so_without_sending_the_reader_elsewhere(
        reports: ReportService, lang: str) -> None:
    """Page views did not move: the new report has a driver analysis with nothing in it for
    them, which is not "make a new report"."""
    ctx = built(reports, ReportType.OVERALL, "", lang)
    assert explained(ctx, "page_views") is None
    question = "페이지 조회는 왜 그대로야?" if lang == "ko" else "Why did page views stay flat?"
    answer = answer_offline(ctx, question, lang)
    assert answer.answered
    assert translate(lang, "followup.no_split") in answer.text
    assert translate(lang, "followup.no_drivers") not in answer.text


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_why_tells_rises_from_falls_one_line_per_named_breakdown(mixed: ReportService,
                                                                 lang: str) -> None:
    """Each breakdown (category, item, author...) splits the whole change on its own, so shares
    of different breakdowns never add up: the answer groups the drivers by breakdown, names it,
    says so once, and introduces rises and falls apart. A falling driver's share keeps its
    sign, as its footnote and the PDF's table show it."""
    ctx = built(mixed, ReportType.OVERALL, "", lang)
    facts = Facts(ctx)
    found = explained(ctx, "content_views")
    assert found is not None
    index, row = found
    assert row["rises"] and row["falls"], row
    lines = answer_offline(ctx, WHY["content_views"][lang], lang).text.splitlines()
    rises_at = lines.index(translate(lang, "followup.rises_intro"))
    falls_at = lines.index(translate(lang, "followup.falls_intro"))
    assert translate(lang, "followup.shares_per_breakdown") in lines[:rises_at]
    for side, block in (("rises", lines[rises_at + 1:falls_at]), ("falls", lines[falls_at + 1:])):
        shown = row[side][:3]
        assert len(block) == len({part["dim"] for part in shown}), block
        for at, part in enumerate(shown):
            path = f"drivers.metrics[{index}].{side}[{at}]"
            line = next(text for text in block if f"`{path}.contribution`" in text)
            assert line.startswith(f"- {dim_name(facts, part['dim'])}: "), line
            share = footnotes(f"`{path}.share`", ctx, lang).sources[0].value
            assert f" {share} `{path}.share`" in line, (share, line)
    assert check("\n".join(lines), ctx).ok, lines
    assert facts.pct(row["falls"][0]["share"]).startswith("-")


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_why_of_a_change_nothing_splits_says_it_cannot_be_split_as_the_report_does(
        mixed: ReportService, lang: str) -> None:
    """Visitors are counted as a whole: the report's drivers table says the change cannot be
    split further, and so does the answer (not "nothing stood out")."""
    ctx = built(mixed, ReportType.OVERALL, "", lang)
    row = next(r for r in ctx["drivers"]["metrics"] if r["metric"] == "visitors")
    assert row["difference"] and not (row["rises"] or row["falls"]), row
    question = "방문자는 왜 늘었어?" if lang == "ko" else "Why did visitors rise?"
    answer = answer_offline(ctx, question, lang)
    assert answer.answered
    assert translate(lang, "narrator.drv_no_split") in answer.text
    assert translate(lang, "followup.no_split") not in answer.text


@pytest.mark.parametrize("lang", ["ko", "en"])
@pytest.mark.parametrize("kind", [ReportType.OVERALL, ReportType.WHAT_CHANGED])
def test_the_narrative_writes_a_falling_drivers_share_as_its_footnote_does(
        mixed: ReportService, kind: ReportType, lang: str) -> None:
    """"-30.4%" in the footnote and the PDF's table, not "30.4%" in the sentence citing it."""
    ctx = built(mixed, kind, "", lang)
    text = narrate(ctx)
    cited = [path for path in (f"drivers.metrics[{i}].falls[0].share"
                               for i in range(len(ctx["drivers"]["metrics"])))
             if f"`{path}`" in text]
    cited += [path for path in ("headline.falls[0].share",) if f"`{path}`" in text]
    assert cited, text
    for path in cited:
        shown = footnotes(f"`{path}`", ctx, lang).sources[0].value
        assert shown.startswith("-"), shown
        assert f" {shown} `{path}`" in text, (shown, text)
