"""The funnel store's DynamoDB items (``funnels.py`` describes the layout): their keys, and
definitions and visits' progress as the domain's values."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.adapters.aws.common import from_iso
from services.domain.funnels import (
    Funnel,
    FunnelVisit,
    Progress,
    name_key,
    steps_from_json,
)

DEFINITIONS_PK = "funnels"
NAMES_PK = "funnel-names"  # sk = "<owner>#<name key>": who holds which name
Items = list[dict[str, Any]]


def visit_key(key: FunnelVisit) -> dict[str, Any]:
    funnel_id, session, sample = key
    if sample:
        return {"pk": {"S": f"funnel-sample#{funnel_id}"}, "sk": {"S": session}}
    return {"pk": {"S": f"funnel#{funnel_id}#{session}"}, "sk": {"S": "v"}}


def funnel_ids(counters: Items) -> set[str]:
    """The funnel ids of counter items ("f#<funnel id>#<step>")."""
    return {item["sk"]["S"][2:].rsplit("#", 1)[0] for item in counters}


def name_item_key(owner: str, name: str) -> dict[str, Any]:
    """The item by which ``owner`` holds a funnel name (``domain.funnels.name_key``)."""
    return {"pk": {"S": NAMES_PK}, "sk": {"S": f"{owner}#{name_key(name)}"}}


def definition_key(funnel_id: str) -> dict[str, Any]:
    return {"pk": {"S": DEFINITIONS_PK}, "sk": {"S": funnel_id}}


def progress_of(item: dict[str, Any]) -> Progress:
    return Progress(int(item["reached"]), from_iso(item["started"]),
                    (from_iso(item["cursor_ts"]), str(item["cursor_id"])))


def funnel_of(item: dict[str, Any]) -> Funnel:
    counted = item.get("counted_from")
    return Funnel(str(item["sk"]), str(item["name"]), steps_from_json(str(item["steps"])),
                  int(item["window_minutes"]), owner=str(item["owner"]),
                  created_at=from_iso(str(item["created_at"])),
                  counted_from=date.fromisoformat(counted) if counted else None,
                  backfilled=bool(item.get("backfilled", True)))
