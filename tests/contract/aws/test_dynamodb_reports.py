"""DynamoDB report store specifics: a list asks for the summaries only, and a report saved
before lists read summaries is listed from its document once, and from its summary
afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from services.adapters.aws.common import to_iso, to_item
from services.adapters.aws.dynamodb import reports as dynamodb_reports
from services.adapters.aws.dynamodb.reports import DynamoReportStore
from services.adapters.report_codec import to_json
from services.domain.reports import summary_of
from tests.contract.aws_backends import MockedAws, mocked_aws
from tests.contract.test_report_store import report, turn


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
