"""Start ``qcy`` in a subprocess that pauses at a known point (see ``qcy_sim.testhook``).

A test that stops a command mid-way waits for the pause instead of racing the command: the
signal then lands while work is left, however fast or slow the machine is. Timeouts here only
guard against a hang.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

HANG = 600.0  # seconds: a guard against a hang, never a measure of speed

ROOT = Path(__file__).resolve().parent.parent


def qcy(*args, pause_after=None, flag=None, env=None, **kw):
    """``python -m qcy_sim.cli ARGS`` as a Popen; with ``pause_after`` it pauses at ``flag``."""
    full = dict(os.environ)
    full.update(env or {})
    if pause_after is not None:
        full["QCY_TEST_PAUSE_AFTER_RUNS"] = str(pause_after)
        full["QCY_TEST_PAUSE_FILE"] = str(flag)
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    kw.setdefault("text", True)
    kw.setdefault("cwd", ROOT)
    return subprocess.Popen([sys.executable, "-m", "qcy_sim.cli", *map(str, args)], env=full, **kw)


def wait_paused(proc, flag) -> int:
    """Wait until ``proc`` is paused at ``flag``; return the runs it had saved by then."""
    flag = Path(flag)
    deadline = time.monotonic() + HANG
    while not flag.exists():
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"exited {proc.returncode} before pausing:\n{out}\n{err}")
        assert time.monotonic() < deadline, "no pause within the hang guard"
        time.sleep(0.01)
    return int(flag.read_text())


def finish(proc, timeout=HANG):
    """``(returncode, stdout, stderr)`` of ``proc``; killed if it hangs."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"hung:\n{out}\n{err}") from None
    return proc.returncode, out, err
