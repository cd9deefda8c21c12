"""moto's DynamoDB made to keep up with an emulation left running: scripts/emulate.py applies
these in its own process, where ThreadedMotoServer runs (one request at a time).

A fidelity fix of a developer tool, not app code: nothing under ``services/`` knows of it.

- **A transaction copies what it writes, not whole tables.** moto's ``TransactWriteItems``
  deep-copied every table it wrote to before each transaction, to put it back if the
  transaction was cancelled. The app writes every batch of usage events in transactions (each
  event with its rollup counters), so each click cost a copy of every stored event and counter:
  seeding 300 events took 3.4 minutes. Here the items a transaction names are copied (each
  one, or its absence), and put back if it is cancelled; moto's own copy of the tables is
  left out. What the app sees is unchanged: a cancelled transaction leaves no write behind.
- **moto's dashboard list is let go of** (``forget_copies``). moto keeps every model object it
  ever made in ``instances_tracked``, for a dashboard the emulation does not serve, so those
  table copies (and every item ever written over) were never freed: the same 300 events grew
  the process to 7 GB. Nothing in moto's DynamoDB reads the list.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from moto.core.model_instances import model_data
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import Table

# (table name, key in DynamoDB JSON, the item before the transaction or None if it had none)
Before = tuple[str, dict[str, Any], dict[str, Any] | None]


class _NoTableCopy:
    """moto's module ``copy`` with tables not copied (its rollback of a whole table is replaced
    by ``_items_before``); an item is still deep-copied where moto copies one."""

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)


def _key(backend: DynamoDBBackend, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return dict(op["Key"])
    table = backend.get_table(op["TableName"])
    names = [table.hash_key_attr, table.range_key_attr]
    return {name: op["Item"][name] for name in names if name is not None and name in op["Item"]}


def _items_before(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[Before]:
    """Each item the transaction names, as it is now (None: not there)."""
    found: list[Before] = []
    for entry in transact_items:
        op_type, op = next(iter(entry.items()))
        name = op.get("TableName") if isinstance(op, dict) else None
        if op_type == "ConditionCheck" or name not in backend.tables:
            continue
        key = _key(backend, op_type, op)
        try:
            item: Item | None = backend.get_item(name, key)
        except Exception:  # a malformed key: moto refuses the transaction before writing
            continue
        found.append((name, key, item.to_json()["Attributes"] if item is not None else None))
    return found


def _put_back(backend: DynamoDBBackend, before: list[Before]) -> None:
    for name, key, attributes in reversed(before):
        if attributes is None:
            backend.delete_item(name, key)
        else:
            backend.put_item(name, attributes)


def transact_write_items(original: Callable[..., Any]) -> Callable[..., Any]:
    def patched(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> Any:
        before = _items_before(self, transact_items)
        try:
            return original(self, transact_items)
        except Exception:
            _put_back(self, before)
            raise

    return patched


def forget_copies() -> None:
    """Empty moto's list of every DynamoDB object it made (see the module's docstring)."""
    for model in model_data["dynamodb"].values():
        tracked = getattr(model, "instances_tracked", None)
        if isinstance(tracked, list):
            tracked.clear()


@contextmanager
def transactions_without_table_copies() -> Iterator[None]:
    """moto's DynamoDB with the patches above, in this process, until the block ends."""
    original = DynamoDBBackend.transact_write_items
    with mock.patch.object(dynamodb_models, "copy", _NoTableCopy), \
            mock.patch.object(DynamoDBBackend, "transact_write_items",
                              transact_write_items(original)):
        yield
