"""Writing outputs atomically, reading result folders, small formatting helpers."""

from __future__ import annotations

import json
import os
import shutil
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from ..scenario import ConfigError, _describe

__all__ = [
    "write_folder",
    "write_into",
    "write_json",
    "read_json",
    "read_toml",
    "md_table",
    "save_figure",
    "sweep_folder",
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

    As :func:`qcy_sim.results.write_outputs` does: a command killed while building leaves
    ``out_dir`` as it was.
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


def read_json(path: Path, what: str) -> dict[str, Any]:
    """Read a result JSON; a missing or broken file is a :class:`ConfigError`."""
    if not path.is_file():
        raise ConfigError(path.parent, path.name, what, "no such file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(path, "", "valid JSON", f"unreadable ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(path, "", "a JSON object", _describe(data))
    return data


def read_toml(path: str | Path, what: str) -> dict[str, Any]:
    """Read a TOML configuration file; every problem is a :class:`ConfigError`."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(path, "", f"an existing {what}", f"no file at {path}")
    if path.is_dir():
        raise ConfigError(path, "", f"a {what}", "a folder")
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(path, "", "a readable file", f"{exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(path, "", "UTF-8 text", f"invalid byte at offset {exc.start}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "", "valid TOML", f"a syntax error ({exc})") from None


def md_table(head: Iterable[str], rows: Iterable[Iterable[Any]]) -> list[str]:
    """Lines of a Markdown table."""
    head = list(head)
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        out.append("| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |")
    return out


def save_figure(fig, path: Path, dpi: int = 120) -> None:
    """Save a matplotlib Figure made with the object API (no pyplot state is touched)."""
    fig.savefig(path, dpi=dpi)


def sweep_folder(path: str | Path) -> tuple[Path, dict[str, Any]]:
    """A complete sweep folder and its manifest, or a :class:`ConfigError` saying what is wrong."""
    path = Path(path)
    if not path.is_dir():
        raise ConfigError(
            path,
            "",
            "a sweep folder (qcy sweep --out DIR)",
            "no such folder" if not path.exists() else "a file",
        )
    manifest = read_json(path / "manifest.json", "manifest.json of a sweep folder")
    if manifest.get("kind") != "sweep":
        raise ConfigError(
            path / "manifest.json",
            "kind",
            "'sweep' (a folder written by qcy sweep)",
            _describe(manifest.get("kind")),
        )
    if manifest.get("status") != "complete" or not (path / "runs.parquet").is_file():
        raise ConfigError(
            path / "manifest.json",
            "status",
            "a complete sweep (finish it with qcy sweep EXPERIMENT --out DIR --resume)",
            _describe(manifest.get("status")),
        )
    return path, manifest
