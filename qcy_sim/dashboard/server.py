"""Serving the dashboard: Solara's Starlette app under uvicorn, stopped cleanly by a signal.

The socket is bound before anything is printed, so a port in use is a one-line user error and
the printed address is the real one (``--port 0`` picks a free port). Ctrl-C or SIGTERM ends
every ensemble process at once, then uvicorn closes the connections, and the command returns 0.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import warnings
from types import FrameType

__all__ = ["serve", "PortInUse"]

_GRACEFUL_S = 1  # open browser pages are told to go; the server does not wait for them


class PortInUse(OSError):
    """The address cannot be bound."""


class _Stopped(Exception):
    """A stop signal arrived (raised from our handler once uvicorn has shut down)."""


def _solara_settings() -> None:
    """Settings for a local, offline server: production mode, no telemetry."""
    os.environ["SOLARA_APP"] = "qcy_sim.dashboard.app"
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ.setdefault("SOLARA_MODE", "production")
    # served over plain http on this machine, so Solara's advice on https cookies does not apply
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise PortInUse(f"{host}:{port}: {exc.strerror}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(scenario: str, host: str = "127.0.0.1", port: int = 8791, workers: int = 1) -> int:
    """Serve the dashboard until Ctrl-C or SIGTERM; return the exit code (0).

    Args:
        scenario: The starting scenario, as given (paths are relative to the cwd).
        host: Address to listen on (default localhost only).
        port: Port; 0 picks a free one.
        workers: Processes each ensemble may use.

    Raises:
        PortInUse: The address cannot be bound.
    """
    _solara_settings()
    sock = _bind(host, port)
    import uvicorn

    from .. import results  # noqa: F401 - scipy, loaded now rather than when a run finishes
    from . import app, jobs

    app.configure(scenario, workers)

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            jobs.shutdown()  # end ensembles and their workers before anything else
            super().handle_exit(sig, frame)

    def stopped(sig: int, frame: FrameType | None) -> None:
        raise _Stopped(sig)

    # uvicorn restores these handlers after its shutdown and raises the signal again:
    # ours turn it into a clean return instead of a traceback or a kill.
    previous = {s: signal.signal(s, stopped) for s in (signal.SIGINT, signal.SIGTERM)}
    config = uvicorn.Config(
        "solara.server.starlette:app",
        log_level="warning",
        timeout_graceful_shutdown=_GRACEFUL_S,
        lifespan="on",
    )
    server = Server(config)
    shown = f"[{host}]" if ":" in host else host
    real_port = sock.getsockname()[1]
    jobs.prestart()
    print(f"qcy dashboard: http://{shown}:{real_port}/ (Ctrl-C to stop)", flush=True)
    try:
        server.run(sockets=[sock])
    except _Stopped:
        pass
    finally:
        jobs.shutdown()
        for s, handler in previous.items():
            signal.signal(s, handler)
        sock.close()
    print("qcy dashboard: stopped", file=sys.stderr, flush=True)
    return 0
