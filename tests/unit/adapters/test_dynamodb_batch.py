"""The one BatchWriteItem loop and the one BatchGetItem loop of the DynamoDB adapters: chunks
of 25 (100 for reads), what DynamoDB hands back as UnprocessedItems or UnprocessedKeys (a 200
answer, which botocore does not retry) sent again after a wait, and an error, never a silent
loss, when some are still left after the last attempt."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from services.adapters.aws.dynamodb.batch import MAX_ATTEMPTS, batch_delete, batch_get, batch_write
from services.errors import QuotaExceeded, ServiceUnavailable

TABLE = "things"


class LeavesSomeUnprocessed:
    """A client whose first ``rounds`` BatchWriteItem calls apply all but the last ``left``
    requests and hand those back, as DynamoDB does under load; later calls apply everything."""

    def __init__(self, rounds: int = 1, left: int = 3) -> None:
        self.rounds = rounds
        self.left = left
        self.calls: list[list[Any]] = []
        self.applied: list[Any] = []

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        ((table, requests),) = RequestItems.items()
        assert table == TABLE
        self.calls.append(list(requests))
        if len(self.calls) > self.rounds:
            self.applied += requests
            return {"UnprocessedItems": {}}
        self.applied += requests[: -self.left]
        return {"UnprocessedItems": {table: requests[-self.left :]}}


def puts(n: int) -> list[Any]:
    return [{"PutRequest": {"Item": {"id": {"S": str(i)}}}} for i in range(n)]


def test_what_is_left_unprocessed_is_sent_again_after_a_wait() -> None:
    client = LeavesSomeUnprocessed(rounds=1, left=3)
    waits: list[float] = []

    batch_write(client, TABLE, puts(10), sleep=waits.append)  # type: ignore[arg-type]

    assert client.calls == [puts(10), puts(10)[-3:]]
    assert sorted(r["PutRequest"]["Item"]["id"]["S"] for r in client.applied) == sorted(
        str(i) for i in range(10))
    assert len(waits) == 1 and 0 < waits[0] <= 2.0


def test_requests_go_in_batches_of_25() -> None:
    client = LeavesSomeUnprocessed(rounds=0)

    batch_write(client, TABLE, puts(60), sleep=lambda _: None)  # type: ignore[arg-type]

    assert [len(call) for call in client.calls] == [25, 25, 10]
    assert client.applied == puts(60)


def test_nothing_to_write_makes_no_call() -> None:
    client = LeavesSomeUnprocessed()

    batch_write(client, TABLE, [], sleep=lambda _: None)  # type: ignore[arg-type]

    assert client.calls == []


def test_requests_never_processed_raise_after_the_last_attempt() -> None:
    client = LeavesSomeUnprocessed(rounds=10_000, left=2)
    waits: list[float] = []

    with pytest.raises(QuotaExceeded) as raised:
        batch_write(client, TABLE, puts(5), sleep=waits.append)  # type: ignore[arg-type]

    assert raised.value.key == "aws.throttled"
    assert len(client.calls) == MAX_ATTEMPTS
    assert len(waits) == MAX_ATTEMPTS - 1  # no pointless wait before giving up


def test_a_later_batch_is_not_sent_once_one_could_not_be_written() -> None:
    client = LeavesSomeUnprocessed(rounds=10_000, left=1)

    with pytest.raises(QuotaExceeded):
        batch_write(client, TABLE, puts(30), sleep=lambda _: None)  # type: ignore[arg-type]

    assert all(len(call) in (25, 1) for call in client.calls)


def test_a_failed_call_is_translated() -> None:
    class Unreachable:
        def batch_write_item(self, RequestItems: Any) -> Any:
            raise ClientError({"Error": {"Code": "InternalServerError"},
                               "ResponseMetadata": {"HTTPStatusCode": 500}}, "BatchWriteItem")

    with pytest.raises(ServiceUnavailable):
        batch_write(Unreachable(), TABLE, puts(1), sleep=lambda _: None)  # type: ignore[arg-type]


def test_batch_delete_sends_one_delete_per_key() -> None:
    client = LeavesSomeUnprocessed(rounds=0)
    keys = [{"pk": {"S": "a"}, "sk": {"S": str(i)}} for i in range(3)]

    batch_delete(client, TABLE, keys, sleep=lambda _: None)  # type: ignore[arg-type]

    assert client.calls == [[{"DeleteRequest": {"Key": key}} for key in keys]]


class ReadsSomeLater:
    """A client whose first ``rounds`` BatchGetItem calls answer all but the last ``left`` keys
    and hand those back as UnprocessedKeys; later calls answer everything. ``missing`` keys
    exist in no item."""

    def __init__(self, rounds: int = 1, left: int = 3, missing: frozenset[str] = frozenset()):
        self.rounds, self.left, self.missing = rounds, left, missing
        self.calls: list[dict[str, Any]] = []

    def batch_get_item(self, RequestItems: dict[str, dict[str, Any]]) -> dict[str, Any]:
        ((table, request),) = RequestItems.items()
        self.calls.append(request)
        keys = request["Keys"]
        done, later = (keys, []) if len(self.calls) > self.rounds else (
            keys[: -self.left], keys[-self.left :])
        items = [{**key, "seen": {"BOOL": True}} for key in done
                 if key["id"]["S"] not in self.missing]
        unprocessed = {table: {**request, "Keys": later}} if later else {}
        return {"Responses": {table: items}, "UnprocessedKeys": unprocessed}


def ids(n: int) -> list[dict[str, Any]]:
    return [{"id": {"S": str(i)}} for i in range(n)]


def test_a_read_gets_every_item_also_those_dynamodb_answers_later() -> None:
    client = ReadsSomeLater(rounds=2, left=4, missing=frozenset({"7"}))
    waits: list[float] = []

    found = batch_get(client, TABLE, ids(10), sleep=waits.append,  # type: ignore[arg-type]
                      consistent=True, projection="#i", names={"#i": "id"})

    assert sorted(int(item["id"]["S"]) for item in found) == [0, 1, 2, 3, 4, 5, 6, 8, 9]
    assert [len(call["Keys"]) for call in client.calls] == [10, 4, 4]
    assert all(call["ConsistentRead"] and call["ProjectionExpression"] == "#i"
               for call in client.calls)
    assert len(waits) == 2


def test_reads_go_in_batches_of_100_and_nothing_to_read_makes_no_call() -> None:
    client = ReadsSomeLater(rounds=0)

    assert len(batch_get(client, TABLE, ids(250), sleep=lambda _: None)) == 250  # type: ignore[arg-type]
    assert [len(call["Keys"]) for call in client.calls] == [100, 100, 50]
    assert batch_get(client, TABLE, [], sleep=lambda _: None) == []  # type: ignore[arg-type]
    assert len(client.calls) == 3


def test_keys_never_answered_raise_after_the_last_attempt() -> None:
    client = ReadsSomeLater(rounds=10_000, left=2)

    with pytest.raises(QuotaExceeded):
        batch_get(client, TABLE, ids(5), sleep=lambda _: None)  # type: ignore[arg-type]
    assert len(client.calls) == MAX_ATTEMPTS
