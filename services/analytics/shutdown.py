"""Write buffered events when the process is told to stop.

Every tracker closes itself at exit (``atexit``, registered by the tracker). A container is
stopped with SIGTERM, whose default action ends the process *without* running ``atexit``; so
the first tracker that starts in the main thread installs one SIGTERM handler that closes every
live tracker and then hands the signal on to the handler it replaced (or, if that was the
default, exits with status 143 so that ``atexit`` still runs).

Under Streamlit pages run in script threads, never the main one, so nothing is installed there:
Streamlit's own SIGTERM handler stops the server, the process then exits normally and
``atexit`` closes the trackers. Signals are never taken away from their owner.
"""

from __future__ import annotations

import logging
import signal
import threading
import weakref
from collections.abc import Callable
from types import FrameType
from typing import Any, Protocol

log = logging.getLogger(__name__)

CLOSE_SECONDS = 5.0  # per tracker: a container has about 30 s between SIGTERM and SIGKILL
Handler = Callable[[int, FrameType | None], Any] | int | None


class Closable(Protocol):
    def close(self, timeout: float = ...) -> bool: ...


_live: weakref.WeakSet[Any] = weakref.WeakSet()
_lock = threading.Lock()
_installed = False


def flush_on_sigterm(tracker: Closable) -> bool:
    """Close ``tracker`` on SIGTERM. Returns whether a handler is in place for it (False in
    any thread but the main one, where signals cannot be set; ``atexit`` covers those)."""
    global _installed
    with _lock:
        _live.add(tracker)
        if _installed:
            return True
        if threading.current_thread() is not threading.main_thread():
            return False
        previous = signal.getsignal(signal.SIGTERM)
        signal.signal(signal.SIGTERM, sigterm_handler(previous))
        _installed = True
        return True


def forget(tracker: Closable) -> None:
    """``tracker`` is closed: nothing to do for it on SIGTERM."""
    with _lock:
        _live.discard(tracker)


def close_all(timeout: float = CLOSE_SECONDS) -> None:
    """Close every live tracker, each on a helper thread: the signal may have interrupted the
    main thread while it held a tracker's lock, and waiting for that here would hang."""
    with _lock:
        trackers = list(_live)
    for tracker in trackers:
        worker = threading.Thread(target=tracker.close, args=(timeout,),
                                  name="event-tracker-close", daemon=True)
        worker.start()
        worker.join(timeout + 1)


def sigterm_handler(previous: Handler) -> Callable[[int, FrameType | None], None]:
    """A SIGTERM handler that closes the trackers, then does what ``previous`` would do."""

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        log.info("SIGTERM: writing buffered events")
        close_all()
        if callable(previous):
            previous(signum, frame)
        elif previous == signal.SIG_DFL:
            raise SystemExit(128 + signum)  # the default ends the process; atexit still runs
        # SIG_IGN (or a handler not set from Python): the signal stays ignored.

    return on_sigterm
