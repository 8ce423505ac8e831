"""Reading result folders and configuration files, and small formatting helpers.

The atomic writers of :mod:`qcy_sim.outputs` are re-exported for the analysis commands.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..outputs import verify_folder, write_folder, write_into, write_json
from ..scenario import ConfigError, _describe, read_toml

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
    if manifest.get("kind") == "sweep" and manifest.get("status") == "complete":
        # every table analysed is checked against its SHA-256 in the sweep's index first
        verify_folder(path, ["manifest.json", "runs.parquet", "points.parquet"])
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
