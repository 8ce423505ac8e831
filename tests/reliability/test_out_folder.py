"""--out: qcy never deletes what it did not write; names cannot escape results/."""

import json
import os

import pytest

from ..procs import finish, qcy
from .conftest import RUN, TINY, assert_same


def _run(out, *extra, cwd=None):
    kw = {"cwd": cwd} if cwd else {}
    return finish(qcy("run", TINY, *RUN, "--workers", "1", "--out", out, *extra, **kw))


def test_a_folder_of_someone_elses_files_is_refused_and_untouched(tmp_path):
    drafts = tmp_path / "drafts"
    (drafts / "sub").mkdir(parents=True)
    (drafts / "thesis.txt").write_text("draft\n")
    code, out, err = _run(drafts)
    assert code == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "qcy did not write" in err and str(drafts) in err
    assert sorted(p.name for p in drafts.iterdir()) == ["sub", "thesis.txt"]
    assert (drafts / "thesis.txt").read_text() == "draft\n"


def test_root_and_a_file_are_refused(tmp_path):
    before = sorted(os.listdir("/"))
    code, _, err = _run("/")
    assert code == 2 and "--out" in err
    assert sorted(os.listdir("/")) == before
    target = tmp_path / "notes.txt"
    target.write_text("mine\n")
    code, _, err = _run(target)
    assert code == 2 and "a file" in err
    assert target.read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # no hidden sibling


@pytest.mark.parametrize("name", [".", "..", "a/b", ".hidden", "x" * 65, "-dash", "a.b"])
def test_names_are_safe_slugs(tmp_path, name):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "README.md").write_text("tracked\n")
    path = tmp_path / "s.toml"
    path.write_text(f'extends = "{TINY.as_posix()}"\nname = {json.dumps(name)}\n')
    code, _, err = finish(qcy("run", path, *RUN, cwd=tmp_path))
    assert code == 2 and "name" in err and "letters, digits" in err, err
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == ["README.md"]
    exp = tmp_path / "e.toml"
    exp.write_text(
        f'[experiment]\nname = {json.dumps(name)}\nscenarios = ["{TINY.as_posix()}"]\n'
        "replicates = 1\n"
    )
    code, _, err = finish(qcy("validate", exp))
    assert code == 2 and "experiment.name" in err, err


def test_a_previous_result_needs_overwrite_which_keeps_other_files(run_reference, tmp_path):
    out = tmp_path / "r"
    assert _run(out)[0] == 0
    (out / "notes.md").write_text("my notes\n")
    before = (out / "summary.json").read_bytes()
    code, _, err = _run(out)
    assert code == 2 and "--overwrite" in err
    assert (out / "summary.json").read_bytes() == before
    code, _, err = _run(out, "--overwrite")
    assert code == 0, err
    assert (out / "notes.md").read_text() == "my notes\n"
    assert_same(run_reference, out, ("runs.parquet", "timeseries.parquet"))
    # a different result replaces the old files, not the user's
    code, _, err = finish(
        qcy(
            "run",
            TINY,
            "--replicates",
            "3",
            "--parameters",
            "fixed",
            "--quiet",
            "--workers",
            "1",
            "--out",
            out,
            "--overwrite",
        )
    )
    assert code == 0, err
    assert json.loads((out / "summary.json").read_text())["replicates"] == 3
    assert (out / "notes.md").read_text() == "my notes\n"
    assert (out / "figures").is_dir()  # this run drew figures; the old run had none


def test_a_bad_input_leaves_no_folder(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n[talent]\nbeta_wage = nan\n')
    code, _, err = finish(qcy("run", bad, "--out", tmp_path / "out"))
    assert code == 2 and not (tmp_path / "out").exists()
