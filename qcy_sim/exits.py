"""How a ``qcy`` command ends: exit codes, signals, environment errors and warnings.

Ctrl-C (SIGINT) and SIGTERM stop a command the same way (what is saved stays saved; exit 130 or
143); a full disk, a read-only file system and a missing permission print one line naming the
path and the cause, each with its own exit code (listed in the README).
"""

from __future__ import annotations

import signal
import sys
import threading

__all__ = [
    "EXIT_FAILED",
    "EXIT_USAGE",
    "EXIT_DISK_FULL",
    "EXIT_READ_ONLY",
    "EXIT_PERMISSION",
    "EXIT_NO_WORKERS",
    "catch_signals",
    "interrupted_code",
    "signal_name",
    "environment_error",
    "is_environment_errno",
    "log_warnings",
    "reset",
]

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_DISK_FULL = 3
EXIT_READ_ONLY = 4
EXIT_PERMISSION = 5
EXIT_NO_WORKERS = 6
# Environment errors: (exit code, cause, errno values, words of the message that say it)
_ENVIRONMENT = (
    (EXIT_DISK_FULL, "disk full", {28, 122, 27}, ("no space left", "quota", "file too large")),
    (EXIT_READ_ONLY, "read-only file system", {30}, ("read-only file system",)),
    (EXIT_PERMISSION, "permission denied", {13, 1}, ("permission denied",)),
)
_SIGNALS = {signal.SIGINT: "Ctrl-C (SIGINT)", signal.SIGTERM: "SIGTERM"}
_received: list[int] = []


def _interrupt(signum: int, frame) -> None:
    """SIGINT and SIGTERM both stop a command the way Ctrl-C does: what is saved stays saved."""
    _received.append(signum)
    raise KeyboardInterrupt


def catch_signals() -> dict:
    """Install :func:`_interrupt` for SIGINT and SIGTERM; return the handlers to restore.

    SIGINT is installed even where the shell started qcy with it ignored (a background job), so
    that an explicit ``kill -INT`` still stops it cleanly.
    """
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous = {s: signal.getsignal(s) for s in _SIGNALS}
    for s in _SIGNALS:
        signal.signal(s, _interrupt)
    return previous


def log_warnings() -> None:
    """Warnings of the package (a damaged checkpoint run again) as one ``qcy:`` line each."""
    import logging

    log = logging.getLogger("qcy_sim")
    if not any(getattr(h, "_qcy", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("qcy: warning: %(message)s"))
        handler._qcy = True
        log.addHandler(handler)
        log.propagate = False


def interrupted_code() -> int:
    """128 + the signal number: 130 for Ctrl-C, 143 for SIGTERM."""
    return 128 + int(_received[-1] if _received else signal.SIGINT)


def environment_error(exc: OSError) -> int | None:
    """Print one line for a full disk, a read-only folder or a missing permission; its code."""
    text = str(exc).lower()
    for code, cause, errnos, words in _ENVIRONMENT:
        if exc.errno in errnos or any(w in text for w in words):
            path = exc.filename or _path_in(str(exc)) or "output"
            detail = exc.strerror or str(exc).split("\n")[0]
            print(
                f"qcy: error: {path}: {cause} ({detail}); nothing half-written was left",
                file=sys.stderr,
            )
            return code
    return None


def is_environment_errno(errno: int | None) -> bool:
    """Whether an errno is a full disk, a read-only file system or a missing permission."""
    return any(errno in errnos for _code, _cause, errnos, _words in _ENVIRONMENT)


def _path_in(text: str) -> str | None:
    import re

    match = re.search(r"(/[^\s'\"]+)", text)
    return match.group(1) if match else None


def signal_name() -> str:
    """The signal that stopped the command, for its message."""
    return _SIGNALS.get(_received[-1], "a signal") if _received else _SIGNALS[signal.SIGINT]


def reset() -> None:
    """Forget the signals of a previous command (``main`` may run several in one process)."""
    _received.clear()
