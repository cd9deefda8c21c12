"""A form sent again as the browser still shows it, right after it succeeded: the second click
of a double click. The browser sends the form's values with each click, and the second run
may even stop the first one's drawing, so the person read the second's refusal ("'dup2' is
already taken", "the password was changed in the meantime") of what the first had done.

A form that is not made idempotent by its service notes what it sent on success
(``FormSends.note``, a plain assignment on an object fetched before the service call: reading
or writing session state is a point where Streamlit may stop a run, such as right after the
service acted). The same values sent again within ``WINDOW_S`` get the first one's outcome,
and nothing is done twice. (The contact form and the editor keep a token for the service.)
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass

import streamlit as st

WINDOW_S = 30.0  # a double click's second run comes within seconds, on a busy server too


@dataclass
class FormSends:
    """What a form last sent with success, and what the person was told."""

    fingerprint: str = ""
    at: float = 0.0
    outcome: str = ""

    def repeat_of(self, sent: str) -> str | None:
        """The earlier outcome when ``sent`` is what succeeded moments ago; else None."""
        if sent == self.fingerprint and time.monotonic() - self.at < WINDOW_S:
            return self.outcome
        return None

    def note(self, sent: str, outcome: str) -> None:
        self.fingerprint, self.at, self.outcome = sent, time.monotonic(), outcome


def sends(form: str) -> FormSends:
    """The note of ``form`` in this session (fetch it before the service call)."""
    found = st.session_state.setdefault(f"_df_sends_{form}", FormSends())
    assert isinstance(found, FormSends)
    return found


def fingerprint(*values: object) -> str:
    """What the form sent, as one digest (a password never kept as typed)."""
    return hashlib.sha256(json.dumps([str(v) for v in values]).encode()).hexdigest()
