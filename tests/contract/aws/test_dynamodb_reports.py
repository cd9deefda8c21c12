"""DynamoDB report store specifics: a list asks for the summaries only, and a report saved
before lists read summaries is listed from its document once, and from its summary
afterwards; a chat turn is written in one step (no orphaned chat item, no numbering gap)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from services.adapters.aws.common import to_iso, to_item
from services.adapters.aws.dynamodb import reports as dynamodb_reports
from services.adapters.aws.dynamodb.reports import DynamoReportStore
from services.adapters.report_codec import to_json
from services.domain.reports import summary_of
from services.errors import ConflictError, NotFound, ServiceUnavailable
from tests.contract.aws_backends import MockedAws, mocked_aws
from tests.contract.test_report_store import add_turns_at_once, report, turn


@pytest.fixture
def aws() -> Iterator[MockedAws]:
    with mocked_aws() as mocked:
        yield mocked


def store_of(aws: MockedAws) -> DynamoReportStore:
    return DynamoReportStore(aws.dynamodb, str(aws.settings.reports_table))


def test_a_list_asks_for_the_summaries_only(aws: MockedAws,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    store = store_of(aws)
    store.add(report("r1"))
    queries: list[dict[str, Any]] = []
    real = aws.dynamodb.query
    monkeypatch.setattr(aws.dynamodb, "query", lambda **kw: queries.append(kw) or real(**kw))
    store.list()
    (query,) = queries
    asked = {query["ExpressionAttributeNames"].get(name, name)
             for name in query["ProjectionExpression"].split(", ")}
    assert "doc" not in asked and "summary" in asked


def test_a_report_saved_before_summaries_is_listed(aws: MockedAws,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    old = report("old", extra={"created_by_name": "Ana Kim"})
    created = to_iso(old.created_at)
    aws.dynamodb.put_item(TableName=str(aws.settings.reports_table), Item=to_item({
        "id": old.id, "kind": "report", "created_by": old.created_by,
        "created_id": f"{created}#{old.id}", "tokens": 2000, "doc": to_json(old)}))
    store = store_of(aws)

    assert store.list() == [summary_of(old)]

    parsed: list[str] = []
    real = dynamodb_reports.from_json
    monkeypatch.setattr(dynamodb_reports, "from_json",
                        lambda text: parsed.append(text) or real(text))
    assert store.list(created_by="ana") == [summary_of(old)]
    assert parsed == []  # its summary was kept the first time
    assert store.get("old") == old


def test_deleting_a_report_leaves_no_chat_item(aws: MockedAws) -> None:
    store = store_of(aws)
    store.add(report("r1"))
    store.add(report("r2"))
    for user_id in ("ana", "bo"):
        for n in range(3):
            store.add_turn("r1", user_id, turn(f"질문 {n}", n))
    store.add_turn("r2", "ana", turn("남는 질문"))
    store.delete("r1")
    table = str(aws.settings.reports_table)
    ids = sorted(item["id"]["S"] for item in aws.dynamodb.scan(TableName=table)["Items"])
    assert ids == ["chat#r2#ana", "chat#r2#ana#1", "r2"]


def chat_items(aws: MockedAws) -> list[str]:
    table = str(aws.settings.reports_table)
    return sorted(item["id"]["S"] for item in aws.dynamodb.scan(TableName=table)["Items"]
                  if item["id"]["S"].startswith("chat#"))


class Meddling:
    """The store's client, with ``before`` run once ahead of the first call whose request
    names ``mark`` (what another writer does at that moment)."""

    def __init__(self, client: Any, mark: str, before: Callable[[], None]) -> None:
        self._client, self._mark, self._before = client, mark, before
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._client, name)
        if not callable(real):
            return real

        def call(**kwargs: Any) -> Any:
            if self._before is not None and self._mark in repr(kwargs):
                before, self._before = self._before, None  # type: ignore[assignment]
                before()
            self.calls.append(name)
            return real(**kwargs)
        return call


def test_a_report_deleted_while_a_turn_is_added_keeps_no_chat_item(aws: MockedAws) -> None:
    """The report is deleted (another tab) just as the turn's chat is first touched: the turn
    is refused as NotFound and no chat item is left that nothing would read or delete."""
    table = str(aws.settings.reports_table)
    store_of(aws).add(report("r1"))
    meddling = Meddling(aws.dynamodb, "chat#r1#ana", lambda: store_of(aws).delete("r1"))
    store = DynamoReportStore(meddling, table)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        store.add_turn("r1", "ana", turn("조회수는?"))
    assert chat_items(aws) == []


def test_a_turn_that_fails_to_be_written_leaves_no_gap(aws: MockedAws) -> None:
    """The write of the second turn fails (the service unreachable): nothing of it is kept, and
    the next turn takes its number."""
    table = str(aws.settings.reports_table)
    store_of(aws).add(report("r1"))
    store_of(aws).add_turn("r1", "ana", turn("첫 질문"))

    def unreachable() -> None:
        raise ClientError({"Error": {"Code": "InternalServerError", "Message": "down"},
                           "ResponseMetadata": {"HTTPStatusCode": 500}}, "Write")

    meddling = Meddling(aws.dynamodb, "chat#r1#ana#2", unreachable)
    with pytest.raises(ServiceUnavailable):
        DynamoReportStore(meddling, table).add_turn(  # type: ignore[arg-type]
            "r1", "ana", turn("실패한 질문", 1))
    store_of(aws).add_turn("r1", "ana", turn("다음 질문", 2))
    assert chat_items(aws) == ["chat#r1#ana", "chat#r1#ana#1", "chat#r1#ana#2"]
    assert [t.question for t in store_of(aws).turns("r1", "ana")] == ["첫 질문", "다음 질문"]


def test_turns_added_at_once_are_numbered_without_gaps_or_duplicates(aws: MockedAws) -> None:
    store = store_of(aws)
    store.add(report("r1"))
    tabs, each = 4, 4
    add_turns_at_once(store, tabs, each)
    assert chat_items(aws) == sorted(
        ["chat#r1#ana"] + [f"chat#r1#ana#{n}" for n in range(1, tabs * each + 1)])
    assert len(store.turns("r1", "ana")) == tabs * each


def test_a_chat_always_taken_by_another_writer_gives_up_with_a_conflict(
        aws: MockedAws) -> None:
    """Another writer takes the next number before every try: after a bounded number of tries
    the turn is refused as a conflict, and nothing of it is written."""
    table = str(aws.settings.reports_table)
    store_of(aws).add(report("r1"))
    store_of(aws).add_turn("r1", "ana", turn("첫 질문"))
    other = store_of(aws)
    meddling = Meddling(aws.dynamodb, "chat#r1#ana", lambda: None)

    def transact_write_items(**kwargs: Any) -> Any:
        other.add_turn("r1", "ana", turn("다른 탭의 질문"))
        return aws.dynamodb.transact_write_items(**kwargs)

    meddling.transact_write_items = transact_write_items  # type: ignore[attr-defined]
    store = DynamoReportStore(meddling, table, sleep=lambda seconds: None)  # type: ignore[arg-type]
    with pytest.raises(ConflictError):
        store.add_turn("r1", "ana", turn("밀린 질문", 1))
    questions = [t.question for t in store_of(aws).turns("r1", "ana")]
    assert "밀린 질문" not in questions
    assert len(chat_items(aws)) == len(questions) + 1
