"""A corpus of malformed files: each gets one clear message, exit code 2, no traceback.

Every file in ``tests/corpus/`` starts with ``# expect: <key> | <text>``: the message must name
the file, the key and contain the text.
"""

import subprocess
import sys
from pathlib import Path

import pytest

from qcy_sim.cli import main

CORPUS = Path(__file__).parent / "corpus"
SPECIAL = {  # files that cannot carry a comment
    "empty.toml": ("", "an empty file"),
    "non_utf8.toml": ("", "UTF-8"),
    "a_folder.toml": ("", "a folder"),
}


def expectation(path: Path) -> tuple[str, str]:
    if path.name in SPECIAL:
        return SPECIAL[path.name]
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect:"), path
    key, text = first[len("# expect:") :].split("|")
    return key.strip(), text.strip()


FILES = sorted(CORPUS.iterdir())


def test_corpus_is_large_enough():
    assert len(FILES) >= 30


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_malformed_file_gets_one_clear_message(path, capsys):
    key, text = expectation(path)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("qcy: error: ")
    assert path.name in err or "extends" in key, err
    assert key in err and text in err and "found" in err, err


@pytest.mark.parametrize("name", ["nan.toml", "cyclic_a.toml", "non_utf8.toml"])
def test_run_refuses_before_any_work(tmp_path, name):
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "qcy_sim.cli", "run", str(CORPUS / name), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert not out.exists() and not list(tmp_path.glob(".out*"))


def test_configs_are_data():
    """No eval/exec and no unpickling anywhere in the package: a user's file is only ever parsed."""
    import re

    import qcy_sim

    root = Path(qcy_sim.__file__).parent
    forbidden = re.compile(r"\b(eval|exec)\(|pickle\.load|allow_pickle\s*=\s*True")
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not forbidden.search(text), path
