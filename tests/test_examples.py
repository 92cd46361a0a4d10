"""The installed header-only core builds into a downstream C++ program (ridgeboot.get_include())."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import ridgeboot as rb

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "ridge_from_cpp.cpp"


def _eigen_include() -> str | None:
    """Eigen's include directory: the cmeel-eigen wheel's, or a system one."""
    try:
        out = subprocess.run(
            [sys.executable, "-m", "cmeel", "cmake"], capture_output=True, text=True, check=True
        ).stdout.strip()
        candidate = Path(out) / "include" / "eigen3"
        if candidate.is_dir():
            return str(candidate)
    except (OSError, subprocess.CalledProcessError):
        pass
    for candidate in ("/usr/include/eigen3", "/usr/local/include/eigen3"):
        if os.path.isdir(candidate):
            return candidate
    return None


def test_get_include_has_the_headers():
    inc = Path(rb.get_include())
    for header in ("fitter.hpp", "bootstrap.hpp", "rng.hpp", "gram.hpp", "thread_pool.hpp"):
        assert (inc / "ridgeboot" / header).is_file()


@pytest.mark.skipif(shutil.which("g++") is None, reason="needs a C++ compiler")
def test_downstream_cpp_program_matches_python(tmp_path):
    eigen = _eigen_include()
    if eigen is None:
        pytest.skip("Eigen headers not found (pip install cmeel-eigen)")
    exe = tmp_path / "ridge_from_cpp"
    # no sanitizer runtime preloaded into the compiler (tools/sanitize.sh sets LD_PRELOAD)
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    include = ["-I", rb.get_include(), "-I", eigen]
    compile_cmd = ["g++", "-std=c++17", "-O1", *include, str(EXAMPLE), "-o", str(exe), "-pthread"]
    subprocess.run(compile_cmd, check=True, env=env)
    run = subprocess.run([str(exe)], capture_output=True, text=True, check=True, env=env)
    out = np.array(run.stdout.split(), dtype=float)
    i = np.arange(50)
    X = np.sin(np.outer(i, np.arange(1, 4)).astype(float))
    y = 1 + 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2] + 0.1 * np.cos(i)
    r = rb.ridge(X, y, 0.5, sample_weight=1.0 + i % 3, solver="cholesky")
    np.testing.assert_allclose(out[:3], r.coef, rtol=1e-12)
    np.testing.assert_allclose(out[3], r.intercept, rtol=1e-12)
