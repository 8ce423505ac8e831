"""A Dask cluster that loses every worker: a clear message within the stated wait, and a
folder that resumes to the same tables."""

import json
import signal
import socket
import sys
import time

import pytest

from ..procs import HANG, finish, qcy, wait_paused
from .conftest import EXPERIMENT, assert_same

WAIT_S = "3"  # QCY_DASK_NO_WORKER_TIMEOUT for the test


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask(*args, tmp_path):
    import subprocess

    return subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_" + args[0], *args[1:]],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
    )


@pytest.fixture
def cluster(tmp_path):
    address = f"tcp://127.0.0.1:{_free_port()}"
    port = address.rsplit(":", 1)[1]
    scheduler = _dask(
        "scheduler",
        "--host",
        "127.0.0.1",
        "--port",
        port,
        "--dashboard-address",
        ":0",
        tmp_path=tmp_path,
    )
    worker = _dask(
        "worker",
        address,
        "--no-nanny",
        "--nthreads",
        "1",
        "--local-directory",
        str(tmp_path / "w"),
        tmp_path=tmp_path,
    )
    from dask.distributed import Client

    with Client(address, timeout=HANG) as client:
        client.wait_for_workers(1, timeout=HANG)
    yield address, worker
    for proc in (worker, scheduler):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=HANG)


def test_no_worker_left_stops_with_a_message_and_resumes(sweep_reference, tmp_path, cluster):
    address, worker = cluster
    out, flag = tmp_path / "s", tmp_path / "paused"
    proc = qcy(
        "sweep",
        EXPERIMENT,
        "--scheduler",
        address,
        "--quiet",
        "--out",
        out,
        pause_after=3,
        flag=flag,
        env={"QCY_DASK_NO_WORKER_TIMEOUT": WAIT_S},
    )
    wait_paused(proc, flag)
    worker.send_signal(signal.SIGKILL)  # the only worker is gone, work remains
    worker.wait(timeout=HANG)
    flag.unlink()
    t0 = time.monotonic()
    code, _, err = finish(proc)
    assert code == 6, err
    assert "no Dask worker" in err and "--resume" in err and "Traceback" not in err
    assert time.monotonic() - t0 < HANG
    assert json.loads((out / "manifest.json").read_text())["status"] == "interrupted"
    code, _, err = finish(
        qcy("sweep", EXPERIMENT, "--executor", "serial", "--quiet", "--out", out, "--resume")
    )
    assert code == 0, err
    assert_same(sweep_reference, out)
