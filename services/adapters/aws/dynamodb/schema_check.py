"""How a table as DynamoDB describes it differs from its ``TableSpec``: keys and projections.

A table or index keyed otherwise than the adapters expect is found by ``DescribeTable`` like a
good one, then fails every read and write with a ValidationException. Neither can be changed in
place: a table's keys only by recreating it, an index's keys or projection only by deleting and
adding it again. The doctor and ``bootstrap_aws`` both report what this finds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.adapters.aws.dynamodb.schema import IndexSpec, TableSpec


@dataclass(frozen=True)
class KeyMismatch:
    index: str | None  # None: the table's own keys
    expected: str
    found: str

    def describe(self) -> str:
        """``<index>: <expected> → <found>``: no words, so it reads in either language (the
        message around it says which side is which)."""
        text = f"{self.expected} → {self.found}"
        return f"{self.index}: {text}" if self.index else text


def table_keys_mismatch(spec: TableSpec, table: Mapping[str, Any]) -> KeyMismatch | None:
    """The table's own key schema, if it is not the spec's."""
    types = _attribute_types(table)
    expected = _keys(spec.hash_key, spec.range_key, dict(spec.attributes))
    found = _described_keys(table.get("KeySchema", []), types)
    return None if expected == found else KeyMismatch(None, expected, found)


def index_mismatches(spec: TableSpec, table: Mapping[str, Any]) -> list[KeyMismatch]:
    """Each of the spec's indexes that exists with other keys or too narrow a projection
    (a missing index is reported apart)."""
    types = _attribute_types(table)
    have = {str(i.get("IndexName")): i for i in table.get("GlobalSecondaryIndexes", [])}
    found: list[KeyMismatch] = []
    for index in spec.indexes:
        if index.name in have:
            mismatch = _index_mismatch(spec, index, have[index.name], types)
            if mismatch:
                found.append(mismatch)
    return found


def _index_mismatch(spec: TableSpec, index: IndexSpec, described: Mapping[str, Any],
                    types: Mapping[str, str]) -> KeyMismatch | None:
    expected_keys = _keys(index.hash_key, index.range_key, dict(spec.attributes))
    found_keys = _described_keys(described.get("KeySchema", []), types)
    projection = str(described.get("Projection", {}).get("ProjectionType", "?"))
    # Projecting more than the spec asks (ALL for KEYS_ONLY) costs storage only: the app's
    # reads still find every attribute they read. Projecting less loses attributes.
    narrower = index.projection == "ALL" and projection != "ALL"
    if expected_keys == found_keys and not narrower:
        return None
    return KeyMismatch(index.name, f"{expected_keys}, projection {index.projection}",
                       f"{found_keys}, projection {projection}")


def _attribute_types(table: Mapping[str, Any]) -> dict[str, str]:
    return {str(a["AttributeName"]): str(a["AttributeType"])
            for a in table.get("AttributeDefinitions", [])}


def _keys(hash_key: str, range_key: str | None, types: Mapping[str, str]) -> str:
    """``HASH id (S)`` or ``HASH pk (S), RANGE sk (S)``: the words of DynamoDB's console."""
    parts = [f"HASH {hash_key} ({types.get(hash_key, '?')})"]
    if range_key:
        parts.append(f"RANGE {range_key} ({types.get(range_key, '?')})")
    return ", ".join(parts)


def _described_keys(schema: Sequence[Mapping[str, Any]], types: Mapping[str, str]) -> str:
    by_type = {str(k.get("KeyType")): str(k.get("AttributeName")) for k in schema}
    if "HASH" not in by_type:
        return "-"
    return _keys(by_type["HASH"], by_type.get("RANGE"), types)
