"""Hostile inputs are refused before any work, with one line and exit code 2."""

import os

import pytest

from ..procs import finish, qcy
from .conftest import TINY

HUGE = """
extends = "{tiny}"
name = "huge"
[time]
horizon_months = 600
[talent]
candidates_domestic_per_month = 1e7
graduates_per_year = 1e8
"""


def _validate(path):
    return finish(qcy("validate", path))


def _one_line(err):
    assert err.strip().count("\n") == 0 and err.startswith("qcy: error: "), err
    assert "Traceback" not in err


def test_extends_a_fifo_or_a_device(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    for target, kind in ((fifo, "a FIFO"), ("/dev/zero", "a device")):
        path = tmp_path / "s.toml"
        path.write_text(f'extends = "{target}"\nname = "s"\n')
        code, _, err = _validate(path)
        assert code == 2 and kind in err, err
        _one_line(err)
        code, _, err = _validate(target)  # the file itself
        assert code == 2 and kind in err, err


def test_a_big_file_and_a_long_string(tmp_path):
    big = tmp_path / "big.toml"
    big.write_text(f'name = "big"\ndescription = "{"x" * 2_000_000}"\n')
    code, _, err = _validate(big)
    assert code == 2 and "at most 1024 KiB" in err, err
    _one_line(err)
    long = tmp_path / "long.toml"
    long.write_text(f'name = "long"\ndescription = "{"x" * 20_000}"\n')
    code, _, err = _validate(long)
    assert code == 2 and "description" in err and "10,000 characters" in err, err


@pytest.mark.parametrize(
    "body",
    [
        'name = "deep"\n{key} = 1\n',
        '[experiment]\nscenarios = ["{tiny}"]\n[levers]\n{key} = {{ values = [1] }}\n',
        '[calibration]\nscenario = "{tiny}"\n[parameters]\n{key} = {{ range = [0, 1] }}\n',
    ],
    ids=["scenario", "experiment", "calibration"],
)
def test_a_5000_level_dotted_key(tmp_path, body):
    path = tmp_path / "deep.toml"
    path.write_text(body.format(key=".".join(["a"] * 5000), tiny=TINY.as_posix()))
    code, _, err = _validate(path)
    assert code == 2, err
    _one_line(err)
    assert "nesting" in err


def test_a_scenario_that_cannot_fit_is_refused_with_its_estimate(tmp_path):
    path = tmp_path / "huge.toml"
    path.write_text(HUGE.format(tiny=TINY.as_posix()))
    assert _validate(path)[0] == 0  # every value is inside its valid range
    code, _, err = finish(qcy("run", path, "--replicates", "2", "--out", tmp_path / "o"))
    assert code == 2, err
    _one_line(err)
    assert "600 months" in err and "memory" in err and "--force" in err
    assert not (tmp_path / "o").exists()


def test_a_scenario_without_targets_says_so(tmp_path):
    path = tmp_path / "none.toml"
    path.write_text('name = "none"\n[time]\nhorizon_months = 3\n')
    code, out, err = finish(
        qcy(
            "run",
            path,
            "--replicates",
            "2",
            "--workers",
            "1",
            "--quiet",
            "--no-figures",
            "--out",
            tmp_path / "o",
        )
    )
    assert code == 0, err
    assert "no targets" in out and "all targets" not in out
