"""Compiled kernels are cached by the package's whole source, never by their own file alone."""

import sys

import numba
from numba.core.registry import CPUDispatcher

import qcy_sim  # noqa: F401 - defines the kernels
from qcy_sim.core.jitcache import cache_folder, source_fingerprint


def _tree(root, files):
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return source_fingerprint(root)


def test_the_fingerprint_follows_every_source_file_and_only_source_files(tmp_path):
    files = {"a.py": "x = 1\n", "sub/b.py": "y = 2\n", "notes.txt": "n"}
    first = _tree(tmp_path, files)
    assert _tree(tmp_path, files) == first
    assert _tree(tmp_path, {**files, "notes.txt": "changed"}) == first
    assert _tree(tmp_path, {**files, "sub/b.py": "y = 3\n"}) != first  # another module's edit
    (tmp_path / "sub" / "b.py").write_text("y = 2\n")
    (tmp_path / "sub" / "b.py").rename(tmp_path / "sub" / "c.py")
    assert source_fingerprint(tmp_path) != first  # a moved module


def test_the_folder_is_under_numba_s_cache_dir_when_set_else_the_user_cache(tmp_path):
    fp = "ab" * 32
    assert cache_folder(fp, {"NUMBA_CACHE_DIR": str(tmp_path)}) == tmp_path / f"qcy_sim-{fp[:16]}"
    expected = tmp_path / "qcy_sim" / f"numba-{fp[:16]}"
    assert cache_folder(fp, {"XDG_CACHE_HOME": str(tmp_path)}) == expected


def test_every_cached_kernel_of_the_package_is_in_the_folder_of_the_current_source():
    folder = str(cache_folder(source_fingerprint()))
    kernels = [
        (name, attr)
        for name, module in list(sys.modules.items())
        if name == "qcy_sim" or name.startswith("qcy_sim.")
        for attr in vars(module).values()
        if isinstance(attr, CPUDispatcher) and attr._cache.__class__.__name__ == "FunctionCache"
    ]
    assert len(kernels) > 40
    outside = [name for name, k in kernels if not k._cache._cache_path.startswith(folder)]
    assert outside == []
    assert numba.config.CACHE_DIR != folder  # restored: other numba code keeps its own cache
