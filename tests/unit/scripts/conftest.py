"""stderr as a terminal, for the progress bars (which stay off when stderr is not one)."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest


class Terminal(io.StringIO):
    """stderr as an interactive terminal would be: ``isatty()`` is true."""

    def isatty(self) -> bool:
        return True


@contextmanager
def on_terminal() -> Iterator[Terminal]:
    """sys.stderr is a terminal whose text the test reads (``getvalue()``). A context manager,
    not a fixture: pytest's output capture sets sys.stderr again after fixtures are set up."""
    screen = Terminal()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "stderr", screen)
        yield screen
