"""A full disk, a read-only file system and a missing permission: one line, its own exit code,
no temporary file left behind."""

import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from ..procs import finish, qcy
from .conftest import EXPERIMENT, RUN, TINY, leftovers


def _limit_file_size(limit: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def _assert_clean(folder: Path) -> None:
    assert not leftovers(folder)
    assert not [
        p
        for p in folder.rglob("*")
        if p.is_file() and p.stat().st_size == 0 and p.name != ".qcy.lock"
    ]


@pytest.mark.parametrize("cache", ["warm", "cold"])
def test_a_file_size_limit_is_a_full_disk(tmp_path, cache):
    """RLIMIT_FSIZE makes every write past 20 kB fail as a full disk would (EFBIG): the results
    (a warm numba cache) or, with a cold cache, numba's compiled kernels inside a replicate,
    which is the machine's failure, not the model's."""
    out = tmp_path / "r"
    env = {"NUMBA_CACHE_DIR": str(tmp_path / "numba")} if cache == "cold" else None
    proc = qcy(
        "run", TINY, *RUN, "--workers", "1", "--out", out, env=env,
        preexec_fn=_limit_file_size(20_000),
    )  # fmt: skip
    code, _, err = finish(proc)
    assert code == 3, err
    assert err.strip().count("\n") == 0 and "disk full" in err and "Traceback" not in err
    assert not (out / "manifest.json").exists()
    _assert_clean(tmp_path)


@pytest.fixture
def small_mount():
    """A 200 kB tmpfs, or skip where this machine cannot mount one."""
    point = Path(tempfile.mkdtemp(prefix="qcy-tmpfs-"))
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(point)], capture_output=True
    )
    if made.returncode != 0:
        point.rmdir()
        pytest.skip("cannot mount a tmpfs here: the file-size limit test covers a full disk")
    yield point
    subprocess.run(["umount", str(point)], check=True)
    point.rmdir()


def test_a_full_tmpfs(small_mount):
    out = small_mount / "s"
    code, _, err = finish(qcy("sweep", EXPERIMENT, "--executor", "serial", "--quiet", "--out", out))
    assert code == 3, err
    assert "disk full" in err and str(small_mount) in err and "Traceback" not in err
    _assert_clean(small_mount)


def test_a_read_only_file_system(small_mount):
    subprocess.run(["mount", "-o", "remount,ro", str(small_mount)], check=True)
    try:
        code, _, err = finish(qcy("run", TINY, *RUN, "--out", small_mount / "r"))
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_mount)], check=True)
    assert code == 4, err
    assert "read-only" in err and "Traceback" not in err
    assert not list(small_mount.iterdir())


def test_no_permission(tmp_path):
    """A folder without write permission (as root: with the override capabilities dropped)."""
    base = tmp_path / "locked"
    base.mkdir()
    os.chmod(base, 0o555)
    try:
        args = ["run", TINY, *RUN, "--workers", "1", "--out", base / "r"]
        if os.geteuid() == 0:
            if not shutil.which("setpriv"):
                pytest.skip("root without setpriv: permissions cannot be denied")
            cmd = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"]
            cmd += [sys.executable, "-m", "qcy_sim.cli", *map(str, args)]
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        else:
            proc = qcy(*args)
        code, _, err = finish(proc)
        assert code == 5, err
        assert "permission denied" in err and str(base) in err and "Traceback" not in err
        assert not list(base.iterdir())
    finally:
        os.chmod(base, 0o755)
