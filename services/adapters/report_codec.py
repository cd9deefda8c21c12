"""A Report as a JSON document and back: what the SQLite and DynamoDB report stores keep.

Every field is kept (the PDF is rebuilt from the stored report); dates are ISO-8601 text,
times are UTC ISO-8601 text, enums their values, the grounding result a small dict. Beside it
the stores keep the report's summary (``ReportSummary``, a few hundred bytes), which is all a
list reads: parsing the whole documents of the 200 reports the history lists took ~0.1 s on
every run of its page.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from services.domain.reports import (
    ChatTurn,
    Grounding,
    Report,
    ReportLanguage,
    ReportSummary,
    ReportType,
    UnmatchedNumber,
)

FORMAT = 1


def _shared_out(record: Report | ReportSummary) -> dict[str, str]:
    """The fields a report and its summary share, as JSON values."""
    return {"type": record.type.value, "language": record.language.value,
            "period_start": record.period_start.isoformat(),
            "period_end": record.period_end.isoformat(),
            "created_at": utc_text(record.created_at)}


def _shared_in(data: dict[str, Any]) -> dict[str, Any]:
    """The fields a report and its summary share, read back."""
    return {"id": data["id"], "type": ReportType(data["type"]),
            "language": ReportLanguage(data["language"]),
            "period_start": date.fromisoformat(data["period_start"]),
            "period_end": date.fromisoformat(data["period_end"]),
            "created_at": datetime.fromisoformat(data["created_at"]).astimezone(UTC)}


def to_json(report: Report) -> str:
    data = asdict(report)
    data.update(format=FORMAT, **_shared_out(report))
    return json.dumps(data, ensure_ascii=False, allow_nan=False)


def from_json(text: str) -> Report:
    data: dict[str, Any] = json.loads(text)
    grounding = data["grounding"]
    return Report(
        **_shared_in(data),
        context=data["context"],
        prompt_version=data["prompt_version"],
        model_id=data["model_id"],
        narrative=data["narrative"],
        grounding=Grounding(
            checked=int(grounding["checked"]),
            unmatched=tuple(UnmatchedNumber(u["text"], float(u["value"]), u["sentence"])
                            for u in grounding["unmatched"]),
        ),
        input_tokens=int(data["input_tokens"]),
        output_tokens=int(data["output_tokens"]),
        cost_usd=float(data["cost_usd"]),
        latency_ms=int(data["latency_ms"]),
        created_by=data["created_by"],
        title=data.get("title", ""),
        extra=data.get("extra", {}),
    )


def summary_to_json(summary: ReportSummary) -> str:
    data = asdict(summary)
    data.update(_shared_out(summary))
    return json.dumps(data, ensure_ascii=False, allow_nan=False)


def summary_from_json(text: str) -> ReportSummary:
    data: dict[str, Any] = json.loads(text)
    return ReportSummary(
        **_shared_in(data),
        model_id=data["model_id"],
        created_by=data["created_by"],
        author=data["author"],
        title=data["title"],
        unmatched=int(data["unmatched"]),
    )


def turn_to_json(turn: ChatTurn) -> str:
    data = asdict(turn)
    data["at"] = utc_text(turn.at)
    return json.dumps(data, ensure_ascii=False, allow_nan=False)


def turn_from_json(text: str) -> ChatTurn:
    data: dict[str, Any] = json.loads(text)
    return ChatTurn(
        question=data["question"], answer=data["answer"], language=data["language"],
        checked=int(data["checked"]), unmatched=int(data["unmatched"]),
        at=datetime.fromisoformat(data["at"]).astimezone(UTC),
        error=data.get("error", ""),
    )


def utc_text(moment: datetime) -> str:
    """Fixed-width UTC ISO-8601 (text order is time order); naive times are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def tokens_of(report: Report) -> int:
    return report.input_tokens + report.output_tokens
