"""The C++ tests of the core (cpp/tests), built and run by CMake and ctest.

The build directory ``build/cpp-tests`` is configured once (with Ninja) and rebuilt
incrementally afterwards; settings that differ from the ones below are updated in place.
By hand: ``cmake -S . -B build/cpp-tests -DBUILD_TESTING=ON && cmake --build build/cpp-tests
&& ctest --test-dir build/cpp-tests --output-on-failure``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "cpp-tests"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true")


def _tool(name: str) -> str | None:
    """A tool of this Python environment (the test extra's cmake and ninja), else from PATH."""
    local = Path(sys.executable).parent / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which(name)


def _compiler() -> str | None:
    return os.environ.get("CXX") or next(
        (c for c in ("c++", "g++", "clang++") if shutil.which(c)), None
    )


def _cached_settings() -> dict[str, str]:
    """``NAME:TYPE=VALUE`` entries of the build directory's CMakeCache.txt."""
    cache = BUILD / "CMakeCache.txt"
    if not cache.is_file():
        return {}
    entries = {}
    for line in cache.read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and not line.startswith(("#", "//")):
            entries[name.split(":")[0]] = value
    return entries


def _run(cmd: list[str], what: str, cwd: Path = ROOT) -> None:
    # No sanitizer runtime preloaded into the compiler (tools/sanitize.sh sets LD_PRELOAD).
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    run = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        output = (run.stdout + run.stderr)[-20000:]  # the end: the summary and the failures
        pytest.fail(f"{what} failed (exit {run.returncode}):\n{output}", pytrace=False)


def test_cpp_core() -> None:
    if _compiler() is None:
        if IN_CI:
            pytest.fail("no C++ compiler found: CI must run the C++ tests")
        pytest.skip("no C++ compiler found (c++, g++, clang++ or $CXX): C++ tests not run")
    cmake, ctest, ninja = _tool("cmake"), _tool("ctest"), _tool("ninja")
    assert cmake and ctest, "cmake not found: pip install -e '.[test]'"
    defines = {
        "CMAKE_BUILD_TYPE": "Release",
        "BUILD_TESTING": "ON",
        "RIDGEBOOT_NATIVE": os.environ.get("RIDGEBOOT_NATIVE", "ON"),
        "Python_EXECUTABLE": sys.executable,  # finds this environment's cmeel Eigen
    }
    cached = _cached_settings()
    configure = [cmake, "-S", str(ROOT), "-B", str(BUILD)]
    # A build directory whose cmake or ninja is gone (another environment) starts afresh;
    # any other, even one configured by hand, is reused.
    if not all(Path(cached.get(k, "")).is_file() for k in ("CMAKE_COMMAND", "CMAKE_MAKE_PROGRAM")):
        shutil.rmtree(BUILD, ignore_errors=True)
        cached = {}
        configure += ["-G", "Ninja", f"-DCMAKE_MAKE_PROGRAM={ninja}"] if ninja else []
    if any(cached.get(k) != v for k, v in defines.items()):
        _run(configure + [f"-D{k}={v}" for k, v in defines.items()], "configure")
    _run([cmake, "--build", str(BUILD), "--parallel", str(os.cpu_count() or 1)], "build")
    _run([ctest, "--output-on-failure"], "ctest", cwd=BUILD)
