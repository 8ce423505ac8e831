"""The one writer of result folders: never deletes what qcy did not write, never leaves a half.

Rules every command follows (``docs/RELIABILITY.md`` lists the faults they answer):

* **Whose folder.** ``--out`` is written only when it is absent, empty, or a qcy result folder
  (recognised by its ``manifest.json``, or holding nothing but qcy's hidden working files).
  Replacing a previous result needs ``overwrite`` (``--overwrite``) and then removes only the
  files qcy's index lists; anything else in the folder stays. Otherwise a :class:`ConfigError`
  is raised before anything is touched.
* **One writer.** A process writing a folder holds an exclusive ``fcntl.flock`` on
  ``<folder>/.qcy.lock`` from the first check to the last write (:func:`hold`); a second
  process gets a :class:`ConfigError`. Temporary names carry the process id and a random token;
  a process removes its own, and under the lock those of dead writers.
* **Atomic.** A folder's files are built in a temporary folder inside it and renamed into place,
  ``manifest.json`` then the index last (:func:`write_folder`, :func:`write_into`); a file that
  is rewritten while a command runs goes through :func:`write_atomic`.
* **Verified.** ``index.jsonl`` records the SHA-256 of every file qcy writes in the folder (one
  JSON line per file, appended, the last line of a path wins) and the code identity that wrote
  it (:func:`code_key`: package version and a hash of the package's source). Readers check a
  file against it (:meth:`Index.verified`, :func:`verify_folder`) before use.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from .core.jitcache import source_fingerprint
from .scenario import ConfigError

__all__ = [
    "MANIFEST",
    "INDEX",
    "LOCK",
    "Index",
    "Held",
    "hold",
    "claim",
    "check_out",
    "is_qcy_folder",
    "write_folder",
    "write_into",
    "write_json",
    "write_atomic",
    "write_json_atomic",
    "write_parquet_atomic",
    "sha256_file",
    "code_identity",
    "code_key",
    "verify_folder",
    "read_verified_json",
]

T = TypeVar("T")
MANIFEST = "manifest.json"
INDEX = "index.jsonl"
LOCK = ".qcy.lock"
_TMP = ".qcy-tmp-"
_HIDDEN = (LOCK, _TMP, ".qcy-checkpoint")  # qcy's own working names inside a result folder


# ----------------------------------------------------------------------------------------------
# Code identity and hashes


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def code_identity() -> dict[str, str]:
    """The package version and a SHA-256 of every ``.py`` file of the package (path and bytes)."""
    from . import __version__

    return {"version": __version__, "source_sha256": source_fingerprint()}


def code_key() -> str:
    """``<version>-<first 16 hex digits of the source hash>``: keys checkpoints and chunks."""
    ident = code_identity()
    return f"{ident['version']}-{ident['source_sha256'][:16]}"


# ----------------------------------------------------------------------------------------------
# The index


class Index:
    """``index.jsonl`` of a folder: one line ``{"path", "sha256", "bytes", "code"}`` per file."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self.path = self.folder / INDEX

    def entries(self) -> dict[str, dict[str, Any]]:
        """The last intact entry of every path (damaged lines are skipped)."""
        out: dict[str, dict[str, Any]] = {}
        try:
            raw = self.path.read_bytes()
        except OSError:
            return out
        for line in raw.splitlines():
            try:
                entry = json.loads(line)
                if isinstance(entry, dict) and _entry_ok(entry):
                    out[entry["path"]] = entry
            except (ValueError, UnicodeDecodeError):
                continue
        return out

    def record(self, *relpaths: str) -> None:
        """Append the hash of each file (relative to the folder); flushed to disk."""
        lines = []
        for rel in relpaths:
            path = self.folder / rel
            lines.append(_entry_line(rel, sha256_file(path), path.stat().st_size))
        with open(self.path, "ab") as fh:
            fh.write("".join(lines).encode())
            fh.flush()
            os.fsync(fh.fileno())

    def verified(self, relpath: str, code: str | None = None, entries: dict | None = None) -> bool:
        """True if the file exists, matches its last entry, and (with ``code``) that code."""
        entry = (entries if entries is not None else self.entries()).get(relpath)
        path = self.folder / relpath
        if entry is None or not path.is_file():
            return False
        if code is not None and entry.get("code") != code:
            return False
        try:
            return path.stat().st_size == entry["bytes"] and sha256_file(path) == entry["sha256"]
        except OSError:
            return False


def _entry_line(rel: str, sha: str, size: int) -> str:
    body = {"path": rel, "sha256": sha, "bytes": size, "code": code_key()}
    body["check"] = _entry_check(body)
    return json.dumps(body, sort_keys=True) + "\n"


def _entry_check(entry: dict[str, Any]) -> str:
    """A hash of the entry itself, so that a flipped bit in the index is caught too."""
    body = {k: entry.get(k) for k in ("path", "sha256", "bytes", "code")}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]


def _entry_ok(entry: dict[str, Any]) -> bool:
    return isinstance(entry.get("path"), str) and entry.get("check") == _entry_check(entry)


def verify_folder(folder: str | Path, files: list[str] | None = None) -> None:
    """Check the files of a finished qcy folder against its index; raise on any mismatch.

    Args:
        folder: A result folder written by qcy.
        files: The files to check (default: every file the index lists, ``manifest.json``
            included).

    Raises:
        ConfigError: A listed file is missing, damaged, or not in the index.
    """
    folder = Path(folder)
    index = Index(folder)
    entries = index.entries()
    if not entries:
        raise ConfigError(
            folder / INDEX,
            "",
            "the index of a finished qcy result (written last)",
            "no readable index: the folder is incomplete or damaged; run the command again",
        )
    for rel in files if files is not None else sorted(entries):
        if not index.verified(rel, entries=entries):
            found = "no entry" if rel not in entries else "other bytes than recorded"
            raise ConfigError(
                folder / rel,
                "sha256",
                f"the bytes recorded in {INDEX}",
                f"{found}: the file is damaged or was changed; run the command again",
            )


def read_verified_json(path: str | Path) -> dict[str, Any]:
    """A JSON object of a finished qcy folder, verified against the folder's index first."""
    path = Path(path)
    verify_folder(path.parent, [path.name])
    return json.loads(path.read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------------------------
# Whose folder, and one writer per folder


def _is_hidden_own(name: str) -> bool:
    return name == INDEX or any(name.startswith(h) for h in _HIDDEN)


def is_qcy_folder(path: str | Path) -> bool:
    """True if ``path`` holds a qcy ``manifest.json`` (or only qcy's hidden working files)."""
    path = Path(path)
    try:
        names = [p.name for p in path.iterdir()]
    except OSError:
        return False
    if names and all(_is_hidden_own(n) for n in names):
        return True
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("package") == "qcy_sim"


def check_out(
    path: str | Path, overwrite: bool = False, resume: bool = False, advice: str | None = None
) -> None:
    """Refuse ``--out`` unless qcy may write there; touches nothing.

    Args:
        path: The output folder.
        overwrite: A previous qcy result there may be replaced (its own files only).
        resume: The folder is expected to hold a qcy folder to continue (a sweep).
        advice: What to pass instead, for the message (default: ``--overwrite``).

    Raises:
        ConfigError: A file, a folder with files qcy did not write, or a previous result
            without ``overwrite``.
    """
    path = Path(path)
    if not path.exists():
        if path.is_symlink():
            raise ConfigError(path, "--out", "a folder", "a broken symbolic link")
        return
    if not path.is_dir():
        raise ConfigError(path, "--out", "a folder (new, empty or a qcy result)", "a file")
    try:
        entries = [p.name for p in path.iterdir()]
    except OSError as exc:
        raise ConfigError(path, "--out", "a readable folder", exc.strerror or str(exc)) from None
    if not entries or all(_is_hidden_own(n) for n in entries):
        return
    if not is_qcy_folder(path):
        raise ConfigError(
            path,
            "--out",
            "a new or empty folder, or a qcy result folder (qcy never writes into other folders)",
            f"a folder with {len(entries)} entries that qcy did not write",
        )
    if not (overwrite or resume):
        raise ConfigError(
            path,
            "--out",
            f"a new or empty folder (pass {advice or '--overwrite to replace the qcy result there'}"
            ", or choose a new --out)",
            "a previous qcy result",
        )


class Held:
    """A folder this process holds the lock of (see :func:`hold`)."""

    def __init__(self, path: Path, overwrite: bool):
        self.path = path
        self.overwrite = overwrite
        self.fd: int | None = None
        self.depth = 0

    def new_tmp(self) -> Path:
        """A temporary folder inside the held folder, unique to this process."""
        tmp = self.path / f"{_TMP}{os.getpid()}-{secrets.token_hex(4)}"
        tmp.mkdir()
        return tmp


_held: dict[Path, Held] = {}


def _key(path: Path) -> Path:
    return Path(os.path.abspath(path))


@contextmanager
def hold(
    path: str | Path,
    overwrite: bool = False,
    resume: bool = False,
    check: bool = True,
    advice: str | None = None,
) -> Iterator[Held]:
    """Check ``path`` (:func:`check_out`), create it, and hold its lock for the block.

    Re-entrant within a process: an inner ``hold`` of a held folder reuses the lock.

    Raises:
        ConfigError: The folder may not be written (see :func:`check_out`), or another process
            holds its lock.
    """
    path = Path(path)
    key = _key(path)
    held = _held.get(key)
    if held is not None:
        held.depth += 1
        try:
            yield held
        finally:
            held.depth -= 1
        return
    if check:
        check_out(path, overwrite, resume, advice)
    created = not path.exists()
    path.mkdir(parents=True, exist_ok=True)
    fd = os.open(path / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise ConfigError(
                path,
                "--out",
                "a folder no other qcy process is writing",
                "a folder locked by another running qcy command; wait for it or choose "
                "another --out",
            ) from None
        raise
    held = Held(path, overwrite)
    held.fd = fd
    _held[key] = held
    try:
        for stale in path.glob(f"{_TMP}*"):  # under the lock: left by writers that died
            shutil.rmtree(stale, ignore_errors=True)
        yield held
    finally:
        del _held[key]
        os.close(fd)  # releases the lock
        if created and _only_lock(path):
            shutil.rmtree(path, ignore_errors=True)  # nothing was written: leave nothing


def _only_lock(path: Path) -> bool:
    try:
        return [p.name for p in path.iterdir()] == [LOCK]
    except OSError:
        return False


@contextmanager
def claim(path: str | Path, kind: str) -> Iterator[Held]:
    """Hold a folder that keeps state across runs (a study, a sweep inside it) for a command.

    The folder may be new, empty or already qcy's; a ``manifest.json`` naming ``kind`` is
    written first if there is none, so that an interrupted command's folder is recognised as
    qcy's when the same command runs again.
    """
    with hold(path, resume=True) as held:
        if not (held.path / MANIFEST).exists():
            from .results import provenance

            write_json_atomic(held.path / MANIFEST, provenance({"kind": kind}))
            Index(held.path).record(MANIFEST)
        yield held


# ----------------------------------------------------------------------------------------------
# Writing


def _own_files(folder: Path) -> set[str]:
    """Files of a previous result that qcy may remove: its index, and what the index lists."""
    own = set(Index(folder).entries())
    own |= {MANIFEST, INDEX}
    return {rel for rel in own if (folder / rel).is_file() or (folder / rel).is_symlink()}


def _move_in(held: Held, tmp: Path, last: str, replace: bool) -> list[str]:
    """Move every file of ``tmp`` into the held folder, ``last`` last; return their paths."""
    out = held.path
    files = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
    files.sort(key=lambda rel: rel == last)
    if replace:
        old = _own_files(out)
        # the manifest goes first: from here on the folder no longer looks complete
        for rel in sorted(old, key=lambda r: r != MANIFEST):
            (out / rel).unlink(missing_ok=True)
            _prune(out, (out / rel).parent)
    for rel in files:
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp / rel, target)
    return files


def _prune(root: Path, folder: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def write_folder(out_dir: str | Path, build: Callable[[Path], T]) -> T:
    """Build a result folder's files in a temporary folder, then put them in ``out_dir``.

    ``out_dir`` must be absent, empty, or a qcy result that the caller holds with
    ``overwrite`` (:func:`hold`); the previous result's files are replaced, nothing else. The
    new files are moved in with ``manifest.json`` last, then the index is written; a command
    killed before that leaves no manifest, so the folder does not look complete.
    """
    with hold(out_dir) as held:
        replace = is_qcy_folder(held.path) and (held.path / MANIFEST).exists()
        if replace and not held.overwrite:
            check_out(held.path)  # raises: a previous result without --overwrite
        tmp = held.new_tmp()
        try:
            result = build(tmp)
            files = _move_in(held, tmp, MANIFEST, replace)
            Index(held.path).path.unlink(missing_ok=True)
            Index(held.path).record(*files)
        except BaseException as exc:
            _name_path(exc, held.path)
            raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return result


def write_into(out_dir: str | Path, build: Callable[[Path], T], last: str) -> T:
    """Build files in a temporary folder, then move them into ``out_dir`` next to its state.

    For folders that also hold other state (a sweep, an optimisation study) and so cannot be
    replaced whole. Each file is moved with an atomic rename, ``last`` (the JSON that readers
    look for) last, and each is added to the folder's index.
    """
    with hold(out_dir, resume=True) as held:
        tmp = held.new_tmp()
        try:
            result = build(tmp)
            files = _move_in(held, tmp, last, replace=False)
            Index(held.path).record(*files)
        except BaseException as exc:
            _name_path(exc, held.path)
            raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return result


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through ``write(tmp)`` to a unique temporary name, then rename into place.

    The temporary file is removed if writing fails (a full disk leaves nothing behind).
    """
    path = Path(path)
    tmp = path.with_name(f"{_TMP}{path.name}.{os.getpid()}-{secrets.token_hex(4)}")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        _name_path(exc, path)
        raise


def _name_path(exc: BaseException, path: Path) -> None:
    """Give an OSError without a file name (pyarrow's, a temporary's) the path being written."""
    if isinstance(exc, OSError) and not exc.filename:
        try:
            exc.filename = str(path)
        except (AttributeError, TypeError):
            pass


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
