"""A report chat's history as messages, and that history brought up to date with the turns the
report store keeps (``ReportService.turns``): questions the same person asked in another tab
appear in a tab that already shows the chat.

The store keeps a turn for every question whose answer was asked for, in the order they ended;
a question refused before anything was asked (the budget, an empty or long question) is not
kept, so the history marks it (``UNKEPT``) and keeps it where it stood when the store's turns
replace the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.domain.reports import ChatTurn
from services.i18n import translate

Message = dict[str, Any]
UNKEPT = "unkept"  # a message of a question refused before it was asked: not in the store


def answer_message(text: str, lang: str, checked: int, unmatched: int) -> Message:
    return {
        "role": "assistant",
        "text": text,
        "lang": lang,
        "checked": checked,
        "unmatched": unmatched,
    }


def turn_messages(turns: Sequence[ChatTurn]) -> list[Message]:
    """Each kept turn as its question and its outcome (the answer, or why it broke off)."""
    history: list[Message] = []
    for turn in turns:
        history.append({"role": "user", "text": turn.question})
        history.append(
            {"role": "assistant", "error": translate(turn.language, turn.error)}
            if turn.error
            else answer_message(turn.answer, turn.language, turn.checked, turn.unmatched)
        )
    return history


def resynced(kept: list[Message], old: list[Message]) -> list[Message]:
    """The store's turns (``kept``, as ``turn_messages`` makes them) in place of the kept part
    of ``old``; each unkept message of ``old`` stays after as many kept messages as came
    before it there."""
    merged: list[Message] = []
    placed = 0  # messages of ``kept`` in ``merged``
    before = 0  # kept messages of ``old`` before the current one
    for message in old:
        if not message.get(UNKEPT):
            before += 1
            continue
        upto = max(placed, min(before, len(kept)))
        merged += kept[placed:upto]
        placed = upto
        merged.append(message)
    return merged + kept[placed:]
