"""Writing results so that an interrupted command never leaves files that look complete.

A result folder is built in a hidden temporary sibling and put in place with one rename
(:func:`write_folder`); folders that also hold other state get their new files renamed in one by
one, the file readers look for last (:func:`write_into`); a single file that is rewritten while a
command runs (a sweep's manifest, its chunks) is written under a temporary name and renamed
(:func:`write_atomic`). This module is the only writer of result files.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

__all__ = [
    "write_folder",
    "write_into",
    "write_json",
    "write_atomic",
    "write_json_atomic",
    "write_parquet_atomic",
]

T = TypeVar("T")


def _tmp_sibling(out_dir: Path) -> Path:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.parent.glob(f".{out_dir.name}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    tmp = out_dir.parent / f".{out_dir.name}.tmp-{os.getpid()}"
    tmp.mkdir()
    return tmp


def write_folder(out_dir: str | Path, build: Callable[[Path], T]) -> T:
    """Build a whole output folder in a temporary sibling, then put it in place of ``out_dir``.

    A command killed while building leaves ``out_dir`` as it was, and a ``.tmp-`` folder that the
    next write removes.
    """
    out_dir = Path(out_dir)
    tmp = _tmp_sibling(out_dir)
    try:
        result = build(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old = None
    if out_dir.exists():
        old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
        os.replace(out_dir, old)
    os.replace(tmp, out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return result


def write_into(out_dir: str | Path, build: Callable[[Path], T], last: str) -> T:
    """Build files in a temporary sibling folder, then move them into ``out_dir``.

    For folders that also hold other state (a sweep, an optimisation study) and so cannot be
    replaced whole. Each file is moved with an atomic rename and ``last`` (the JSON that readers
    look for) is moved last, so a reader never sees it before the files it describes.
    """
    out_dir = Path(out_dir)
    tmp = _tmp_sibling(out_dir)
    try:
        result = build(tmp)
        out_dir.mkdir(parents=True, exist_ok=True)
        files = sorted(p for p in tmp.rglob("*") if p.is_file())
        files.sort(key=lambda p: p.relative_to(tmp).as_posix() == last)
        for path in files:
            target = out_dir / path.relative_to(tmp)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through ``write(tmp)`` to a hidden temporary name, then rename into place."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, data: Any) -> None:
    """:func:`write_json` through :func:`write_atomic`."""
    write_atomic(path, lambda tmp: write_json(tmp, data))


def write_parquet_atomic(path: Path, table: Any) -> None:
    """A pyarrow table as Parquet through :func:`write_atomic`."""
    import pyarrow.parquet as pq

    write_atomic(path, lambda tmp: pq.write_table(table, tmp))


def write_json(path: Path, data: Any) -> None:
    """Indented UTF-8 JSON with a final newline (NaN written as null)."""
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(_clean(data), fh, indent=2, ensure_ascii=False, allow_nan=False)
        fh.write("\n")


def _clean(data: Any) -> Any:
    import math

    import numpy as np

    if isinstance(data, dict):
        return {str(k): _clean(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_clean(v) for v in data]
    if isinstance(data, np.ndarray):
        return [_clean(v) for v in data.tolist()]
    if isinstance(data, np.bool_):
        return bool(data)
    if isinstance(data, np.integer):
        return int(data)
    if isinstance(data, float | np.floating):
        v = float(data)
        return None if not math.isfinite(v) else v
    return data
