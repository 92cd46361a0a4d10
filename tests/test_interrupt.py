"""Ctrl-C stops every long native run promptly: the bootstrap, ridge_cv's closed forms, a fit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

SETUP = """
import sys, numpy as np, ridgeboot as rb
rng = np.random.default_rng(0)
X = rng.standard_normal(({n}, {p}))
y = X @ rng.standard_normal({p}) + rng.standard_normal({n})
print("ready", flush=True)
"""

CALLS = {
    "bootstrap": (
        (4000, 300),
        "rb.bootstrap(X, y, [1.0, 10.0], 100000, keep_coefs=False, n_threads=2, seed=1)",
    ),
    # leave-one-out: the Gram, then a pass over the rows per panel, 400 alphas
    "ridge_cv_loo": (
        (60000, 500),
        "for _ in range(20): rb.ridge_cv(X, y, np.logspace(-3, 3, 400), cv='loo', n_threads=2)",
    ),
    "ridge_cv_gcv": (
        (60000, 500),
        "for _ in range(20): rb.ridge_cv(X, y, np.logspace(-3, 3, 40), cv='gcv', n_threads=2)",
    ),
}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("what", list(CALLS))
def test_keyboard_interrupt_stops_promptly(what):
    (n, p), call = CALLS[what]
    child = textwrap.dedent(SETUP.format(n=n, p=p)) + call + '\nprint("finished", flush=True)\n'
    proc = subprocess.Popen(
        [sys.executable, "-c", child],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        # (an editable install may print build messages first)
        lines = iter(proc.stdout.readline, "")
        assert any(line.strip() == "ready" for line in lines), "child never got ready"
        time.sleep(1.0)  # let the native run start
        assert proc.poll() is None, f"{what} finished before it could be interrupted"
        t0 = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
        elapsed = time.perf_counter() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "KeyboardInterrupt" in err, err[-2000:]
    assert "finished" not in out
    assert proc.returncode != 0
    # the core polls every 100 ms; the rest is the interpreter unwinding (more when busy)
    assert elapsed < 1.5, f"took {elapsed:.2f} s to stop after SIGINT (target 0.5 s)"
