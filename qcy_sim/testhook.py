"""A pause point for tests that stop a command mid-way (a signal, a kill, a second writer).

Only tests set these environment variables; without them :func:`saved` does nothing.

``QCY_TEST_PAUSE_AFTER_RUNS=N`` and ``QCY_TEST_PAUSE_FILE=PATH``: once at least ``N`` finished
runs have been saved (a replicate checkpointed by ``qcy run``/``qcy compare``, or the runs of a
sweep chunk written by ``qcy sweep``), the command writes ``PATH`` (holding the number of saved
runs) and waits until ``PATH`` is deleted. A test waits for ``PATH`` to appear, then signals or
kills the process, which is sure to land while work remains; deleting ``PATH`` lets the command
go on. ``QCY_TEST_PAUSE_TIMEOUT`` (seconds, default 600) bounds the wait, so that a test that
died cannot leave a command waiting forever.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

__all__ = ["saved", "PAUSE_AFTER", "PAUSE_FILE", "PAUSE_TIMEOUT"]

PAUSE_AFTER = "QCY_TEST_PAUSE_AFTER_RUNS"
PAUSE_FILE = "QCY_TEST_PAUSE_FILE"
PAUSE_TIMEOUT = "QCY_TEST_PAUSE_TIMEOUT"

_paused = False


def saved(n_saved: int) -> None:
    """Tell the hook that ``n_saved`` runs are now safely on disk; pause once if asked to."""
    global _paused
    after, path = os.environ.get(PAUSE_AFTER), os.environ.get(PAUSE_FILE)
    if _paused or not after or not path or n_saved < int(after):
        return
    _paused = True
    flag = Path(path)
    tmp = flag.with_name(f".{flag.name}.{os.getpid()}")
    tmp.write_text(f"{n_saved}\n", encoding="utf-8")
    os.replace(tmp, flag)  # the test never sees a half-written flag
    deadline = time.monotonic() + float(os.environ.get(PAUSE_TIMEOUT, "600"))
    while flag.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
