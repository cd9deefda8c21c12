"""FunnelStore on DynamoDB (aws mode): no table of its own, no Scan.

Events table (string ``pk``/``sk``, TTL attribute ``expires_at``):
- definitions: ``pk`` = "funnels", ``sk`` = <funnel id> (one small partition, read by Query);
  ``backfilled`` (absent on funnels saved before back-fills were marked: they were back-filled
  in the call that saved them) and ``backfill_claim`` (ISO UTC: until when a run has taken the
  unfinished back-fill; taken, given back and cleared by conditional updates);
- an owner's hold on a funnel name: ``pk`` = "funnel-names", ``sk`` = "<owner>#<name key>"
  (``domain.funnels.name_key``), ``funnel_id``; written and deleted in one transaction with
  its definition, on condition that it is free: one funnel per owner and name, however many
  servers save at once;
- a visit's progress: ``pk`` = "funnel#<funnel id>#<session>", ``sk`` = "v"; a sample visit's:
  ``pk`` = "funnel-sample#<funnel id>", ``sk`` = <session> (one partition per funnel, so
  ``remove_samples`` finds them by Query). Attributes ``reached``, ``started``, ``cursor_ts``,
  ``cursor_id``; ``expires_at`` = step 1 + window + the raw events' retention: as long as a
  batch can be delivered again (an import re-run is refused only past the retention), the
  visit's cursor must be there to make it a no-op; a shorter TTL would count it anew.
Rollups table: per local day of step 1, ``sk`` = "f#<funnel id>#<step>" (a sample visit's:
"f#<funnel id>#s<step>"), attribute ``count``; ``day`` = "#funnel-samples", ``sk`` = <local day>
lists the days holding sample counters. ``counts`` is one Query per day ("f#<funnel id>#").
Each item's own funnels (``domain.funnels.ITEM_FUNNELS``) are funnels with the id
"<template>:<content id>" in this same layout: counted at ingest, no definition stored.
``remove_samples`` finds the funnels holding sample visits from the sample counters of the
listed days (a sample visit's step-1 counter and day entry are written in the same transaction
as the visit), so item funnels need no fixed partition and no list of their own.

Exactly once: a visit's new progress is written with a condition on its previous cursor (or on
its absence) in one TransactWriteItems with the ADDs of the counters of the steps it newly
reached; a lost race re-reads the visit and tries again, and a batch delivered again finds every
visit's cursor past its events and writes nothing. After its TTL removed a visit's progress, a
session coming back after the retention period would enter the funnel anew (SQLite keeps
progress).

Definitions are read for each ingested batch from a copy kept ``cache_seconds`` (refreshed at
once after this instance saves or deletes one): events another instance ingests in the first
seconds after a funnel is defined elsewhere may miss it (the back-fill reads the raw events).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, tzinfo
from itertools import islice
from typing import TYPE_CHECKING, Any

from services.adapters.aws.common import (
    AWS_ERRORS,
    aws_errors,
    cancellation_codes,
    error_code,
    from_item,
    resend_delay,
    to_iso,
    to_item,
    translate_client_error,
)
from services.adapters.aws.dynamodb.batch import batch_delete, batch_get
from services.adapters.aws.dynamodb.funnel_items import (
    DEFINITIONS_PK,
    Items,
    definition_key,
    funnel_ids,
    funnel_of,
    name_item_key,
    progress_of,
    visit_key,
)
from services.adapters.event_common import days_between
from services.domain.analytics import Event
from services.domain.funnels import (
    DEFAULT_FUNNELS,
    ITEM_FUNNELS,
    Funnel,
    FunnelVisit,
    Progress,
    StepIndex,
    advance,
    local_day,
    newly_reached,
    steps_to_json,
)
from services.errors import ConflictError, NotFound, QuotaExceeded

if TYPE_CHECKING:
    from types_boto3_dynamodb.client import DynamoDBClient

SAMPLE_DAYS = "#funnel-samples"
_MAX_ATTEMPTS = 8
_BACKFILL_CHUNK = 2000
# ``list`` is a method name inside the class.
Funnels = list[Funnel]


class DynamoFunnelStore:
    """Implements ``services.ports.FunnelStore``. See the module docstring for the layout."""

    def __init__(self, client: DynamoDBClient, events_table: str, rollups_table: str,
                 tz: tzinfo, retention_days: int, sleep: Callable[[float], None] = time.sleep,
                 read_threads: int = 8, cache_seconds: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self._events = events_table
        self._rollups = rollups_table
        self._tz = tz
        self._retention_s = retention_days * 86_400
        self._sleep = sleep
        self._pool = ThreadPoolExecutor(read_threads, thread_name_prefix="dynamodb-funnels")
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._cached: tuple[float, Funnels] | None = None

    # ---- counting ----------------------------------------------------------------------------

    def ingest(self, events: Sequence[Event]) -> None:
        self._count(StepIndex([*DEFAULT_FUNNELS, *self._definitions()], ITEM_FUNNELS), events)

    def backfill(self, funnel: Funnel, events: Iterable[Event]) -> None:
        iterator = iter(events)
        while chunk := list(islice(iterator, _BACKFILL_CHUNK)):
            self._count(StepIndex([funnel]), chunk)

    def _count(self, index: StepIndex, events: Sequence[Event]) -> None:
        by_id: dict[str, Funnel] = {}  # item funnels are made per event: kept from there
        visits: defaultdict[FunnelVisit, list[Event]] = defaultdict(list)
        for event, found in index.candidates(events):
            for funnel in found:
                by_id[funnel.id] = funnel
                visits[funnel.id, event.session_id, event.sample].append(event)
        if not visits:
            return
        stored = self._load(list(visits))
        for key, moves in visits.items():
            self._move(by_id[key[0]], key, stored.get(key), moves)

    def _move(self, funnel: Funnel, key: FunnelVisit, before: Progress | None,
              events: Sequence[Event]) -> None:
        """Fold the visit's events into its progress and write it on condition; on a lost
        race read it again."""
        for attempt in range(1, _MAX_ATTEMPTS + 1):
            after = before
            for event in events:
                after = advance(funnel, after, event)
            if after is None or after is before:
                return
            try:
                self._client.transact_write_items(
                    TransactItems=self._actions(funnel, key, before, after))  # type: ignore[arg-type]
                return
            except AWS_ERRORS as exc:
                if not _cancelled(exc):
                    raise translate_client_error(exc) from exc
            self._sleep(resend_delay(attempt))
            before = self._load([key]).get(key)
        raise QuotaExceeded("aws.throttled", operation="TransactWriteItems")

    def _actions(self, funnel: Funnel, key: FunnelVisit, before: Progress | None,
                 after: Progress) -> Items:
        funnel_id, _, sample = key
        expires = int((after.started + funnel.window).timestamp()) + self._retention_s
        put: dict[str, Any] = {
            "TableName": self._events,
            "Item": {**visit_key(key), **to_item({
                "reached": after.reached, "started": to_iso(after.started),
                "cursor_ts": to_iso(after.cursor[0]), "cursor_id": after.cursor[1],
                "expires_at": expires})},
        }
        if before is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "cursor_ts = :ts AND cursor_id = :id"
            put["ExpressionAttributeValues"] = {":ts": {"S": to_iso(before.cursor[0])},
                                                ":id": {"S": before.cursor[1]}}
        day = local_day(after, self._tz).isoformat()
        mark = "s" if sample else ""
        actions: Items = [{"Put": put}]
        for step in newly_reached(before, after):
            actions.append({"Update": {
                "TableName": self._rollups,
                "Key": {"day": {"S": day}, "sk": {"S": f"f#{funnel_id}#{mark}{step}"}},
                "UpdateExpression": "ADD #count :one",
                "ExpressionAttributeNames": {"#count": "count"},
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }})
        if sample:
            actions.append({"Put": {"TableName": self._rollups,
                                    "Item": {"day": {"S": SAMPLE_DAYS}, "sk": {"S": day}}}})
        return actions

    def _load(self, keys: Sequence[FunnelVisit]) -> dict[FunnelVisit, Progress]:
        found: dict[FunnelVisit, Progress] = {}
        by_item = {tuple(sorted((k, v["S"]) for k, v in visit_key(key).items())): key
                   for key in keys}
        items = batch_get(self._client, self._events, [visit_key(key) for key in keys],
                          self._sleep, consistent=True)
        for item in items:
            ident = tuple(sorted((k, item[k]["S"]) for k in ("pk", "sk")))
            found[by_item[ident]] = progress_of(from_item(item))
        return found

    def remove_samples(self) -> None:
        """Per listed day: the funnels its sample counters name, their sample visits, then
        those counters; then the list. A run that fails is finished by the next (visits go
        before the counters that lead to them)."""
        days = [item["sk"]["S"] for item in self._query(self._rollups, "day", SAMPLE_DAYS)]
        cleared: set[str] = set()
        for day in days:
            counters = [i for i in self._query(self._rollups, "day", day, "f#")
                        if i["sk"]["S"].rsplit("#", 1)[1].startswith("s")]
            for funnel_id in sorted(funnel_ids(counters) - cleared):
                items = self._query(self._events, "pk", f"funnel-sample#{funnel_id}")
                self._delete(self._events, [{"pk": i["pk"], "sk": i["sk"]} for i in items])
                cleared.add(funnel_id)
            self._delete(self._rollups, [{"day": i["day"], "sk": i["sk"]} for i in counters])
        self._delete(self._rollups, [{"day": {"S": SAMPLE_DAYS}, "sk": {"S": d}} for d in days])

    def counts(self, funnel_id: str, steps: int, start: date, end: date) -> list[int]:
        def one_day(day: date) -> Sequence[tuple[int, int]]:
            items = self._query(self._rollups, "day", day.isoformat(), f"f#{funnel_id}#")
            return [(int(item["sk"]["S"].rsplit("#", 1)[1].lstrip("s")),
                     int(item["count"]["N"])) for item in items]

        found = [0] * steps
        for rows in self._pool.map(one_day, days_between(start, end)):
            for step, count in rows:
                if 0 <= step < steps:
                    found[step] += count
        return found

    # ---- definitions -------------------------------------------------------------------------

    def save(self, funnel: Funnel) -> None:
        """The definition and its owner's claim on its name, written together on condition that
        neither exists: of two saves of one name at the same moment, one is refused."""
        assert funnel.owner is not None and funnel.created_at is not None
        item = {"pk": DEFINITIONS_PK, "sk": funnel.id, "owner": funnel.owner,
                "name": funnel.name, "steps": steps_to_json(funnel.steps),
                "window_minutes": funnel.window_minutes, "created_at": to_iso(funnel.created_at),
                "counted_from": funnel.counted_from.isoformat() if funnel.counted_from else None,
                "backfilled": funnel.backfilled}
        claim = {**name_item_key(funnel.owner, funnel.name), "funnel_id": {"S": funnel.id}}
        failed = self._transact([
            {"Put": {"TableName": self._events, "Item": to_item(item),
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Put": {"TableName": self._events, "Item": claim,
                     "ConditionExpression": "attribute_not_exists(pk)"}}])
        if failed[0]:
            raise ConflictError("errors.conflict", id=funnel.id)
        if failed[1]:
            raise ConflictError("funnels.err_duplicate_name", name=funnel.name)
        self._cached = None

    def _transact(self, actions: Items) -> list[bool]:
        """One TransactWriteItems: per action, whether its condition failed (all False when
        written). A cancellation by a concurrent transaction is sent again."""
        for attempt in range(1, _MAX_ATTEMPTS + 1):
            try:
                self._client.transact_write_items(TransactItems=actions)  # type: ignore[arg-type]
                return [False] * len(actions)
            except AWS_ERRORS as exc:
                if error_code(exc) != "TransactionCanceledException":
                    raise translate_client_error(exc) from exc
                reasons = cancellation_codes(exc)
            failed = [code == "ConditionalCheckFailed" for code in reasons]
            if any(failed):
                return failed + [False] * (len(actions) - len(failed))
            self._sleep(resend_delay(attempt))
        raise QuotaExceeded("aws.throttled", operation="TransactWriteItems")

    def claim_backfill(self, funnel_id: str, now: datetime, until: datetime) -> bool:
        # ``backfilled = :no`` fails on a missing item or attribute too: gone, or finished.
        return self._update_definition(
            funnel_id, "SET backfill_claim = :until",
            "backfilled = :no AND (attribute_not_exists(backfill_claim)"
            " OR backfill_claim < :now)",
            {":no": False, ":until": to_iso(until), ":now": to_iso(now)})

    def release_backfill(self, funnel_id: str, until: datetime) -> None:
        self._update_definition(funnel_id, "REMOVE backfill_claim", "backfill_claim = :until",
                                {":until": to_iso(until)})

    def finish_backfill(self, funnel_id: str, counted_from: date) -> None:
        # On condition that it exists: an update would otherwise make a bare item of a funnel
        # deleted meanwhile.
        self._update_definition(
            funnel_id, "SET backfilled = :yes, counted_from = :from REMOVE backfill_claim",
            "attribute_exists(pk)", {":yes": True, ":from": counted_from.isoformat()})

    def _update_definition(self, funnel_id: str, update: str, condition: str,
                           values: dict[str, Any]) -> bool:
        """One conditional update of a definition: whether the condition held."""
        try:
            with aws_errors(lambda _: ConflictError("errors.conflict", id=funnel_id)):
                self._client.update_item(
                    TableName=self._events, Key=definition_key(funnel_id),
                    UpdateExpression=update, ConditionExpression=condition,
                    ExpressionAttributeValues=to_item(values))
        except ConflictError:
            return False
        return True

    def get(self, funnel_id: str) -> Funnel:
        with aws_errors():
            answer = self._client.get_item(TableName=self._events, Key=definition_key(funnel_id),
                                           ConsistentRead=True)
        if "Item" not in answer:
            raise NotFound("errors.not_found", id=funnel_id)
        return funnel_of(from_item(answer["Item"]))

    def list(self, owner: str | None = None) -> Funnels:
        funnels = [funnel_of(from_item(item))
                   for item in self._query(self._events, "pk", DEFINITIONS_PK)]
        chosen = [f for f in funnels if owner is None or f.owner == owner]
        return sorted(chosen, key=lambda f: (f.created_at, f.id))

    def delete(self, funnel_id: str) -> None:
        """The definition and its name claim: its counters stay (unread), its visits expire by
        TTL. A funnel saved before names were claimed has no claim: its definition goes alone."""
        funnel = self.get(funnel_id)
        assert funnel.owner is not None
        definition = {"Delete": {"TableName": self._events, "Key": definition_key(funnel_id),
                                 "ConditionExpression": "attribute_exists(pk)"}}
        claim = {"Delete": {"TableName": self._events,
                            "Key": name_item_key(funnel.owner, funnel.name),
                            "ConditionExpression": "funnel_id = :id",
                            "ExpressionAttributeValues": {":id": {"S": funnel_id}}}}
        gone, unclaimed = self._transact([definition, claim])
        if unclaimed and not gone:
            gone = self._transact([definition])[0]
        if gone:
            raise NotFound("errors.not_found", id=funnel_id)
        self._cached = None

    def _definitions(self) -> Funnels:
        now = self._clock()
        if self._cached is None or now - self._cached[0] > self._cache_seconds:
            self._cached = (now, self.list())
        return self._cached[1]

    # ---- plumbing ----------------------------------------------------------------------------

    def _query(self, table: str, hash_name: str, hash_value: str,
               prefix: str | None = None) -> Items:
        condition = "#h = :h"
        values = {":h": {"S": hash_value}}
        if prefix is not None:
            condition += " AND begins_with(sk, :p)"
            values[":p"] = {"S": prefix}
        items: Items = []
        with aws_errors():
            pages = self._client.get_paginator("query").paginate(
                TableName=table, KeyConditionExpression=condition,
                ExpressionAttributeNames={"#h": hash_name}, ExpressionAttributeValues=values,
                ConsistentRead=True)
            for page in pages:
                items.extend(page["Items"])
        return items

    def _delete(self, table: str, keys: Items) -> None:
        batch_delete(self._client, table, keys, self._sleep)


def _cancelled(exc: Exception) -> bool:
    """A transaction cancelled by a condition (another writer moved the visit) or a conflict:
    both are answered by reading the visit again."""
    return error_code(exc) == "TransactionCanceledException"
