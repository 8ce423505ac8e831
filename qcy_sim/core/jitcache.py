"""Where numba keeps qcy_sim's compiled kernels: one folder per version of the package's source.

Numba checks a cached kernel only against the file that defines it. Every kernel inlines the
draws of :mod:`qcy_sim.core.rng` and many call kernels of other modules, so after one of those
changed (an update, a checkout, an edit) numba would load the old machine code and the model
would silently compute the old numbers. The kernels are therefore cached in a folder named by a
hash of every source file of the package (:func:`source_fingerprint`): a change anywhere makes a
new folder, compiled afresh, and the old one is never read again.

The folder is ``$NUMBA_CACHE_DIR/qcy_sim-<hash>`` when ``NUMBA_CACHE_DIR`` is set, else
``$XDG_CACHE_HOME/qcy_sim/numba-<hash>`` (``~/.cache`` by default). Numba reads its cache
setting when a kernel is defined, so :func:`kernel_cache` sets it while the package's modules
are imported and restores it afterwards: other numba code in the process keeps its own cache.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from numba.core import config

__all__ = ["source_fingerprint", "cache_folder", "kernel_cache"]

PACKAGE = Path(__file__).resolve().parent.parent


def source_fingerprint(root: Path = PACKAGE) -> str:
    """SHA-256 of the relative paths and contents of every ``.py`` file under ``root``."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def cache_folder(fingerprint: str, environ: dict | None = None) -> Path:
    """The folder of the kernels compiled from the source with ``fingerprint``."""
    environ = os.environ if environ is None else environ
    short = fingerprint[:16]
    if environ.get("NUMBA_CACHE_DIR"):
        return Path(environ["NUMBA_CACHE_DIR"]) / f"qcy_sim-{short}"
    base = Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "qcy_sim" / f"numba-{short}"


@contextmanager
def kernel_cache() -> Iterator[Path]:
    """Kernels defined inside the block are cached in this source's folder."""
    folder = cache_folder(source_fingerprint())
    previous = config.CACHE_DIR
    config.CACHE_DIR = str(folder)
    try:
        yield folder
    finally:
        config.CACHE_DIR = previous
