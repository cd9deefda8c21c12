"""CohortStore on DynamoDB (aws mode): returning signed-in users, in the rollups table.

Key layout (``day`` hash, ``sk`` range; every ``day`` starts with "#cohort", never a date, so
the event store's per-day Queries never meet these items). ``<s>`` is "0", or "1" for sample
traffic, which is counted apart so ``remove_samples`` takes out exactly what it added:

- ``day`` = "#cohort#u#<s>#<user id>": one partition per user. ``sk`` = "a": the first local
  day (``first``) and a ``version``; "w#<Monday>": an active week; "x#<day>": an active day.
- ``day`` = "#cohort#samples", ``sk`` = <user id>: the users with sample facts (found without
  a Scan by ``remove_samples``).
- ``day`` = "#cohort#cells", ``sk`` = "<cohort Monday>#<weeks later, 2 digits>#<s>": ``users``.
- ``day`` = "#cohort#days", ``sk`` = "<local day>#<new|returning>#<s>": ``users``.

Reads are one paginated Query on "#cohort#cells" or "#cohort#days" with ``sk BETWEEN`` the
period's bounds. A batch is applied per user (at most ``_DAYS_PER_TRANSACTION`` days at a time):
read the user's item, stored days and weeks (consistent reads), let ``domain.cohorts.record``
say what the days not stored yet change, then one TransactWriteItems: the user item on
condition that its version did not move, each new fact on ``attribute_not_exists``, each
counter an ``ADD``. Any other writer in between cancels it and the user is read again, so a
re-delivered batch or two instances ingesting the same user never count anything twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, tzinfo
from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import (
    AWS_ERRORS,
    aws_errors,
    error_code,
    resend_delay,
    translate_client_error,
    version_condition,
)
from services.adapters.aws.dynamodb.batch import batch_delete
from services.domain.analytics import Event
from services.domain.cohorts import (
    Activity,
    CohortCell,
    DayKind,
    DayUsers,
    UserKey,
    record,
    user_days,
    weeks_to_read,
)
from services.errors import ConflictError

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient
    from types_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

USER_PREFIX = "#cohort#u#"
SAMPLE_USERS = "#cohort#samples"
CELLS = "#cohort#cells"
DAYS = "#cohort#days"
_FIRST_SK = "a"
_DAYS_PER_TRANSACTION = 10  # facts, counters and moved cells stay well under 100 actions
_MAX_ATTEMPTS = 8


def user_partition(user_id: str, sample: bool) -> str:
    return f"{USER_PREFIX}{int(sample)}#{user_id}"


def _key(day: str, sk: str) -> dict[str, Any]:
    return {"day": {"S": day}, "sk": {"S": sk}}


class DynamoCohortStore:
    """Implements ``services.ports.CohortStore``. See the module docstring for the layout."""

    def __init__(self, client: DynamoDBClient, rollups_table: str, tz: tzinfo,
                 sleep: Callable[[float], None] = time.sleep, threads: int = 8) -> None:
        self._client = client
        self._table = rollups_table
        self._tz = tz
        self._sleep = sleep
        # Users are independent (each has its own lock): a batch's users are written side by
        # side, as the event store reads days (boto3 clients are thread-safe).
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="dynamodb-cohorts")

    # ---- writing ---------------------------------------------------------------------------

    def ingest(self, events: Sequence[Event]) -> None:
        list(self._pool.map(self._user, sorted(user_days(events, self._tz).items())))

    def _user(self, found: tuple[UserKey, set[date]]) -> None:
        (user_id, sample), days = found
        ordered = sorted(days)
        for i in range(0, len(ordered), _DAYS_PER_TRANSACTION):
            self._apply(user_id, sample, set(ordered[i : i + _DAYS_PER_TRANSACTION]))

    def _apply(self, user_id: str, sample: bool, days: set[date]) -> None:
        pk = user_partition(user_id, sample)
        for attempt in range(1, _MAX_ATTEMPTS + 1):
            first, version = self._first(pk)
            stored_days = {d.isoformat() for d in self._facts(pk, "x#", min(days), max(days))}
            new_days = {day for day in days if day.isoformat() not in stored_days}
            if not new_days:
                return
            low, high = weeks_to_read(first, new_days)
            change = record(first, new_days, self._facts(pk, "w#", low, high))
            try:
                self._client.transact_write_items(
                    TransactItems=self._actions(pk, sample, user_id, change, version))
                return
            except AWS_ERRORS as exc:
                if error_code(exc) != "TransactionCanceledException":
                    raise translate_client_error(exc) from exc
            self._sleep(resend_delay(attempt))
        raise ConflictError("errors.conflict", operation="count returning user")

    def _actions(self, pk: str, sample: bool, user_id: str, change: Activity,
                 version: int) -> list[TransactWriteItemTypeDef]:
        assert change.first is not None  # new days give every user a first day
        s = str(int(sample))
        actions: list[TransactWriteItemTypeDef] = [{"Put": {
            "TableName": self._table,
            "Item": {**_key(pk, _FIRST_SK), "first": {"S": change.first.isoformat()},
                     "version": {"N": str(version + 1)}},
            **version_condition(version),  # type: ignore[typeddict-item]
        }}]
        facts = [f"x#{day.isoformat()}" for day in sorted(change.days)]
        facts += [f"w#{week.isoformat()}" for week in sorted(change.weeks)]
        actions += [{"Put": {"TableName": self._table, "Item": _key(pk, sk),
                             "ConditionExpression": "attribute_not_exists(sk)"}}
                    for sk in facts]
        counters = [(CELLS, f"{cohort.isoformat()}#{k:02d}#{s}", n)
                    for (cohort, k), n in sorted(change.cohort_deltas.items())]
        counters += [(DAYS, f"{day.isoformat()}#{kind}#{s}", n)
                     for (day, kind), n in sorted(change.day_deltas.items())]
        actions += [{"Update": {
            "TableName": self._table, "Key": _key(day, sk), "UpdateExpression": "ADD #users :n",
            "ExpressionAttributeNames": {"#users": "users"},
            "ExpressionAttributeValues": {":n": {"N": str(n)}},
        }} for day, sk, n in counters]
        if sample and version == 0:
            actions.append({"Put": {"TableName": self._table,
                                    "Item": _key(SAMPLE_USERS, user_id)}})
        return actions

    def _first(self, pk: str) -> tuple[date | None, int]:
        with aws_errors():
            item = self._client.get_item(TableName=self._table, Key=_key(pk, _FIRST_SK),
                                         ConsistentRead=True).get("Item")
        if item is None:
            return None, 0
        return date.fromisoformat(item["first"]["S"]), int(item["version"]["N"])

    def _facts(self, pk: str, prefix: str, low: date, high: date) -> list[date]:
        items = self._query(pk, f"{prefix}{low.isoformat()}", f"{prefix}{high.isoformat()}",
                            consistent=True)
        return [date.fromisoformat(item["sk"]["S"][len(prefix):]) for item in items]

    # ---- removing --------------------------------------------------------------------------

    def forget_user(self, user_id: str) -> None:
        for sample in (False, True):
            pk = user_partition(user_id, sample)
            self._delete([_key(pk, item["sk"]["S"]) for item in self._query(pk)])
        self._delete([_key(SAMPLE_USERS, user_id)])

    def remove_samples(self) -> None:
        # Facts first, the list of sample users last: a removal cut short can be run again.
        users = [item["sk"]["S"] for item in self._query(SAMPLE_USERS)]
        for user_id in users:
            pk = user_partition(user_id, True)
            self._delete([_key(pk, item["sk"]["S"]) for item in self._query(pk)])
        for partition in (CELLS, DAYS):
            self._delete([_key(partition, item["sk"]["S"]) for item in self._query(partition)
                          if item["sk"]["S"].endswith("#1")])
        self._delete([_key(SAMPLE_USERS, user_id) for user_id in users])

    def _delete(self, keys: list[dict[str, Any]]) -> None:
        batch_delete(self._client, self._table, keys, self._sleep)

    # ---- reading ---------------------------------------------------------------------------

    def cohort_cells(self, first_week: date, last_week: date) -> list[CohortCell]:
        totals: dict[tuple[date, int], int] = {}
        for item in self._query(CELLS, first_week.isoformat(), f"{last_week.isoformat()}#~"):
            cohort, weeks, _ = item["sk"]["S"].split("#")
            key = (date.fromisoformat(cohort), int(weeks))
            totals[key] = totals.get(key, 0) + int(item["users"]["N"])
        return [CohortCell(cohort, k, n) for (cohort, k), n in sorted(totals.items())]

    def new_returning(self, start: date, end: date) -> list[DayUsers]:
        totals: dict[date, dict[str, int]] = {}
        for item in self._query(DAYS, start.isoformat(), f"{end.isoformat()}#~"):
            day, kind, _ = item["sk"]["S"].split("#")
            found = totals.setdefault(date.fromisoformat(day), {})
            found[kind] = found.get(kind, 0) + int(item["users"]["N"])
        return [DayUsers(day, found.get(DayKind.NEW, 0), found.get(DayKind.RETURNING, 0))
                for day, found in sorted(totals.items())]

    def _query(self, day: str, low: str | None = None, high: str | None = None,
               consistent: bool = False) -> Iterator[dict[str, Any]]:
        condition = "#day = :day"
        values: dict[str, Any] = {":day": {"S": day}}
        if low is not None and high is not None:
            condition += " AND sk BETWEEN :low AND :high"
            values.update({":low": {"S": low}, ":high": {"S": high}})
        with aws_errors():
            pages = self._client.get_paginator("query").paginate(
                TableName=self._table, KeyConditionExpression=condition,
                ExpressionAttributeNames={"#day": "day"}, ExpressionAttributeValues=values,
                ConsistentRead=consistent,
            )
            for page in pages:
                yield from page["Items"]
