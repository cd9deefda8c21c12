"""ReportStore contract, run against every adapter (SQLite; DynamoDB on moto)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from services.adapters.aws.dynamodb import reports as dynamodb_reports
from services.adapters.sqlite import reports as sqlite_reports
from services.domain.reports import (
    ChatTurn,
    Grounding,
    Report,
    ReportLanguage,
    ReportType,
    UnmatchedNumber,
    summary_of,
)
from services.errors import ConflictError, NotFound
from services.ports import ReportStore

T0 = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def report(report_id: str, *, by: str = "ana", at: datetime = T0, tokens: tuple[int, int] = (
        1200, 800), **changes: Any) -> Report:
    made = Report(
        id=report_id, type=ReportType.OVERALL, language=ReportLanguage.KO,
        period_start=date(2026, 3, 4), period_end=date(2026, 3, 10),
        context={"kpis": [{"key": "page_views", "value": 110, "change": 37.5}],
                 "top_content": [{"title": "Bedrock 챗봇", "share": 0.6}], "empty": None},
        prompt_version="overall.ko.v1", model_id="global.anthropic.claude-haiku-4-5",
        narrative="## 요약\n\n페이지 조회 110회, 42% 증가.\n",
        grounding=Grounding(checked=2, unmatched=(UnmatchedNumber("42%", 42.0, "42% 증가."),)),
        input_tokens=tokens[0], output_tokens=tokens[1], cost_usd=0.0052, latency_ms=1834,
        created_by=by, created_at=at, title="전체 플랫폼 보고서", extra={"temperature": 0.2},
    )
    return replace(made, **changes)


def test_a_report_round_trips_with_every_field(report_store: ReportStore) -> None:
    saved = report("r1")
    report_store.add(saved)
    assert report_store.get("r1") == saved


def test_an_offline_report_without_tokens_or_cost_round_trips(
        report_store: ReportStore) -> None:
    offline = report("r2", tokens=(0, 0), cost_usd=0.0, model_id="offline-narrator",
                     grounding=Grounding(checked=30), language=ReportLanguage.EN,
                     type=ReportType.AUTHOR, extra={})
    report_store.add(offline)
    assert report_store.get("r2") == offline


def test_an_existing_id_is_a_conflict(report_store: ReportStore) -> None:
    report_store.add(report("r1"))
    with pytest.raises(ConflictError):
        report_store.add(report("r1", narrative="other"))
    assert report_store.get("r1").narrative == report("r1").narrative


def test_missing_reports_are_not_found(report_store: ReportStore) -> None:
    with pytest.raises(NotFound):
        report_store.get("nope")
    with pytest.raises(NotFound):
        report_store.delete("nope")


def test_delete_removes_the_report(report_store: ReportStore) -> None:
    report_store.add(report("r1"))
    report_store.add(report("r2"))
    report_store.delete("r1")
    with pytest.raises(NotFound):
        report_store.get("r1")
    assert [r.id for r in report_store.list()] == ["r2"]


def test_lists_are_newest_first_and_per_user(report_store: ReportStore) -> None:
    for n, by in enumerate(["ana", "bo", "ana", "ana", "bo"]):
        report_store.add(report(f"r{n}", by=by, at=T0 + timedelta(minutes=n)))
    assert [r.id for r in report_store.list()] == ["r4", "r3", "r2", "r1", "r0"]
    assert [r.id for r in report_store.list(created_by="ana")] == ["r3", "r2", "r0"]
    assert [r.id for r in report_store.list(created_by="ana", limit=2)] == ["r3", "r2"]
    assert [r.id for r in report_store.list(limit=1)] == ["r4"]
    assert report_store.list(created_by="nobody") == []


def test_the_list_gives_what_the_history_shows(report_store: ReportStore) -> None:
    saved = report("r1", extra={"created_by_name": "Ana Kim", "temperature": 0.2})
    report_store.add(saved)
    report_store.add(report("r0", at=T0 - timedelta(days=1), extra={}))  # no name kept
    first, second = report_store.list()
    assert first == summary_of(saved)
    assert (first.id, first.title, first.type, first.language, first.model_id) == (
        "r1", "전체 플랫폼 보고서", ReportType.OVERALL, ReportLanguage.KO,
        "global.anthropic.claude-haiku-4-5")
    assert (first.period_start, first.period_end, first.created_at) == (
        date(2026, 3, 4), date(2026, 3, 10), T0)
    assert (first.author, first.created_by, first.unmatched) == ("Ana Kim", "ana", 1)
    assert (second.id, second.author) == ("r0", "ana")


def test_a_list_reads_no_whole_report(report_store: ReportStore,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A report's context and narrative (tens of KB) are read only when it is opened: the
    history lists up to 200 on every run of its page."""
    report_store.add(report("r1"))
    parsed: list[str] = []
    for module in (sqlite_reports, dynamodb_reports):
        real = module.from_json
        monkeypatch.setattr(module, "from_json",
                            lambda text, real=real: parsed.append(text) or real(text))
    assert [r.id for r in report_store.list()] == ["r1"]
    assert [r.id for r in report_store.list(created_by="ana")] == ["r1"]
    assert parsed == []
    assert report_store.get("r1") == report("r1")
    assert len(parsed) == 1


def test_reports_made_at_the_same_moment_are_all_listed(report_store: ReportStore) -> None:
    for n in range(3):
        report_store.add(report(f"same{n}"))
    assert sorted(r.id for r in report_store.list(created_by="ana")) == [
        "same0", "same1", "same2"]


DAY = date(2026, 3, 10)


def test_tokens_are_counted_per_user_and_day(report_store: ReportStore) -> None:
    assert report_store.spend_tokens("ana", DAY, 1200)
    assert report_store.spend_tokens("ana", DAY, 300)
    assert report_store.spend_tokens("ana", DAY, -200)  # a reservation settled lower
    assert report_store.spend_tokens("bo", DAY, 18)
    assert report_store.spend_tokens("ana", DAY + timedelta(days=1), 7)
    assert report_store.tokens_spent("ana", DAY) == 1300
    assert report_store.tokens_spent("bo", DAY) == 18
    assert report_store.tokens_spent("ana", DAY + timedelta(days=1)) == 7
    assert report_store.tokens_spent("nobody", DAY) == 0


def test_a_spend_over_the_limit_adds_nothing(report_store: ReportStore) -> None:
    assert report_store.spend_tokens("ana", DAY, 600, limit=1000)
    assert not report_store.spend_tokens("ana", DAY, 401, limit=1000)
    assert not report_store.spend_tokens("bo", DAY, 1001, limit=1000)  # a first spend too
    assert report_store.tokens_spent("ana", DAY) == 600
    assert report_store.tokens_spent("bo", DAY) == 0
    assert report_store.spend_tokens("ana", DAY, 400, limit=1000)  # exactly the limit fits
    assert report_store.tokens_spent("ana", DAY) == 1000


def test_spends_at_the_same_moment_never_pass_the_limit(report_store: ReportStore) -> None:
    """Two tabs reserving at once: the check and the addition are one step, so the budget
    admits exactly as many reservations as it holds."""
    start = threading.Barrier(12)

    def attempt(_: int) -> bool:
        start.wait()
        return report_store.spend_tokens("ana", DAY, 300, limit=1000)

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(attempt, range(12)))

    assert answers.count(True) == 3
    assert report_store.tokens_spent("ana", DAY) == 900


def test_the_day_s_tokens_are_not_reports(report_store: ReportStore) -> None:
    report_store.add(report("r1"))
    report_store.spend_tokens("ana", DAY, 500)
    assert [r.id for r in report_store.list()] == ["r1"]
    assert [r.id for r in report_store.list(created_by="ana")] == ["r1"]
    report_store.delete("r1")
    assert report_store.tokens_spent("ana", DAY) == 500  # a deleted report gives none back


def test_a_big_context_is_kept(report_store: ReportStore) -> None:
    matrix = [[h * 1000 + d for h in range(24)] for d in range(7)]
    trend = {"day": [f"2026-01-{d:02d}" for d in range(1, 32)] * 3,
             "page_view": list(range(93))}
    big = report("big", context={"time_of_day": {"matrix": matrix}, "trend": trend},
                 narrative="가나다라 " * 3000)
    report_store.add(big)
    assert report_store.get("big") == big


def turn(question: str, minutes: int = 0, **changes: Any) -> ChatTurn:
    made = ChatTurn(question=question, answer="페이지 조회는 110회입니다.", language="ko",
                    checked=1, unmatched=0, at=T0 + timedelta(minutes=minutes))
    return replace(made, **changes)


def test_chat_turns_are_kept_per_asker_and_report_in_order(report_store: ReportStore) -> None:
    report_store.add(report("r1"))
    report_store.add(report("r2"))
    first, second = turn("조회수는?"), turn("Why?", 1, language="en", unmatched=1, checked=3)
    report_store.add_turn("r1", "ana", first)
    report_store.add_turn("r1", "bo", turn("다른 사람의 질문"))
    report_store.add_turn("r1", "ana", second)
    broken = turn("끊긴 답", 2, answer="", checked=0, error="followup.err_unfinished")
    report_store.add_turn("r2", "ana", broken)
    assert report_store.turns("r1", "ana") == [first, second]
    assert [t.question for t in report_store.turns("r1", "bo")] == ["다른 사람의 질문"]
    assert report_store.turns("r2", "ana") == [broken]
    assert report_store.turns("r2", "bo") == []
    assert [r.id for r in report_store.list()] == ["r2", "r1"]  # turns are not reports
    assert [report_store.turn_count("r1", who) for who in ("ana", "bo", "cy")] == [2, 1, 0]
    assert report_store.turn_count("r2", "ana") == 1


def test_a_turn_on_a_missing_report_is_not_found(report_store: ReportStore) -> None:
    with pytest.raises(NotFound):
        report_store.add_turn("nope", "ana", turn("조회수는?"))
    assert report_store.turns("nope", "ana") == []


def test_deleting_a_report_deletes_everyone_s_turns(report_store: ReportStore) -> None:
    report_store.add(report("r1"))
    report_store.add(report("r2"))
    report_store.add_turn("r1", "ana", turn("조회수는?"))
    report_store.add_turn("r1", "bo", turn("방문자는?"))
    report_store.add_turn("r2", "ana", turn("남는 질문"))
    report_store.delete("r1")
    assert report_store.turns("r1", "ana") == []
    assert report_store.turn_count("r1", "ana") == 0
    assert report_store.turns("r1", "bo") == []
    assert [t.question for t in report_store.turns("r2", "ana")] == ["남는 질문"]


def test_a_long_chat_of_long_answers_is_kept_whole_and_in_order(
        report_store: ReportStore) -> None:
    """More turns than one read of DynamoDB returns (100), each near the longest an answer is
    (1,024 tokens): none is refused for size, none lost or out of order."""
    report_store.add(report("r1"))
    long_answer = "방문자는 늘었습니다. " * 250
    for n in range(130):
        report_store.add_turn("r1", "ana", turn(f"질문 {n}", n, answer=long_answer))
    kept = report_store.turns("r1", "ana")
    assert [t.question for t in kept] == [f"질문 {n}" for n in range(130)]
    assert all(t.answer == long_answer for t in kept)


def test_a_turn_on_a_deleted_report_is_refused_and_kept_nowhere(
        report_store: ReportStore) -> None:
    """An answer that ends after its report was deleted (another tab, an administrator) keeps
    nothing: the chat went with the report and stays gone."""
    report_store.add(report("r1"))
    report_store.add_turn("r1", "ana", turn("조회수는?"))
    report_store.delete("r1")
    with pytest.raises(NotFound):
        report_store.add_turn("r1", "ana", turn("늦게 끝난 답", 1))
    assert report_store.turns("r1", "ana") == []


def add_turns_at_once(store: ReportStore, tabs: int, each: int) -> None:
    """``tabs`` threads, started together, each adding ``each`` turns to r1's chat of ana."""
    start = threading.Barrier(tabs)

    def add(tab: int) -> None:
        start.wait()
        for n in range(each):
            store.add_turn("r1", "ana", turn(f"{tab}-{n}", n))

    with ThreadPoolExecutor(tabs) as pool:
        list(pool.map(add, range(tabs)))


def test_turns_added_at_once_are_all_kept_in_each_asker_s_order(
        report_store: ReportStore) -> None:
    """Several tabs of one person ending answers on the same chat at the same moment: every
    turn is kept once, and each tab's turns in the order it added them."""
    report_store.add(report("r1"))
    tabs, each = 4, 4
    add_turns_at_once(report_store, tabs, each)
    kept = [t.question for t in report_store.turns("r1", "ana")]
    assert sorted(kept) == sorted(f"{tab}-{n}" for tab in range(tabs) for n in range(each))
    for tab in range(tabs):
        assert [q for q in kept if q.startswith(f"{tab}-")] == [
            f"{tab}-{n}" for n in range(each)]
