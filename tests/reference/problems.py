"""Test data: sample weights, repeated rows, NIST's log relative error, the named problems.

:func:`make_weights`, :func:`repeat_rows` / :func:`weights_from_counts` (integer row weights
== repeated rows, for the bootstrap tests), :func:`lre` (NIST log relative error), and the
named test problems :func:`get_problem` (wrapped as fixtures in conftest.py).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np


def make_weights(kind: Optional[str], n: int, rng: np.random.Generator, min_nonzero: int = 1):
    """Sample weights: ``None``; ``"positive"`` uniform on [0.2, 3]; ``"zeros"`` like
    positive with about a quarter of the rows (at most ``n - min_nonzero``) set to 0;
    ``"integer"`` bootstrap-like counts in {0, 1, 2, 3} with at least ``min_nonzero`` > 0.
    """
    if kind is None or kind == "none":
        return None
    if kind == "positive":
        return rng.uniform(0.2, 3.0, n)
    if kind == "zeros":
        w = rng.uniform(0.2, 3.0, n)
        n_zero = min(max(1, n // 4), n - min_nonzero)
        if n_zero > 0:
            w[rng.choice(n, n_zero, replace=False)] = 0.0
        return w
    if kind == "integer":
        w = rng.integers(0, 4, n).astype(np.float64)
        short = min_nonzero - np.count_nonzero(w)
        if short > 0:
            w[rng.choice(np.flatnonzero(w == 0), short, replace=False)] = 1.0
        return w
    raise ValueError(f"unknown weight kind {kind!r}")


def repeat_rows(X: np.ndarray, y: np.ndarray, counts, sample_weight=None):
    """Materialise integer row weights: each row ``i`` repeated ``counts[i]`` times (np.repeat).

    Returns ``(X_rep, y_rep)`` or ``(X_rep, y_rep, w_rep)`` when ``sample_weight`` is given.
    Fitting ``(X_rep, y_rep)`` unweighted must equal fitting ``(X, y)`` with
    ``sample_weight = counts`` (times ``sample_weight`` when given).
    """
    counts = np.asarray(counts)
    if counts.ndim != 1 or counts.shape[0] != np.shape(X)[0]:
        raise ValueError("counts must be 1-D with one entry per row")
    if not np.issubdtype(counts.dtype, np.integer):
        if not np.all(counts == np.round(counts)):
            raise ValueError("counts must be integers")
        counts = counts.astype(np.int64)
    idx = np.repeat(np.arange(counts.shape[0]), counts)
    out = (np.asarray(X)[idx], np.asarray(y)[idx])
    if sample_weight is not None:
        out = (*out, np.asarray(sample_weight)[idx])
    return out


def weights_from_counts(counts, sample_weight=None) -> np.ndarray:
    """Row weights of a bootstrap replicate: ``sample_weight * counts`` as float64."""
    c = np.asarray(counts, dtype=np.float64)
    return c if sample_weight is None else c * np.asarray(sample_weight, dtype=np.float64)


def lre(estimate, certified) -> np.ndarray:
    """Log relative error ``-log10(|est - cert| / |cert|)`` (number of correct digits).

    Capped at 17 for exact agreement.
    """
    est = np.asarray(estimate, dtype=np.float64)
    cert = np.asarray(certified, dtype=np.float64)
    rel = np.abs(est - cert) / np.abs(cert)
    with np.errstate(divide="ignore"):
        out = -np.log10(rel)
    return np.minimum(out, 17.0)


# ----------------------------------------------------------------------------------------------
# named test problems (wrapped as fixtures in conftest.py)
# ----------------------------------------------------------------------------------------------
#
# ``well_conditioned``  n=60,  p=8   independent Gaussian features with non-zero means
# ``correlated``        n=80,  p=10  AR(1) correlated features (rho=0.95), cond(Xc) ~ 20
# ``wide``              n=20,  p=45  more features than rows (p > n)
# ``rank_deficient``    n=50,  p=9   exact linear dependencies (x5 = 2 x0, x6 = -x1,
#                                    x7 = x2/2, x8 = 0): rank 5, exactly, also after centring
# ``vandermonde``       n=40,  p=7   polynomial columns x, x^2, ..., x^7 on [0, 1]
#
# Every problem has three targets ``Y`` (n, 3) with non-zero means (so the intercept matters).

PROBLEM_SEED = 20240611


@dataclass(frozen=True)
class Problem:
    """A named regression problem; ``full_rank`` says whether the centred X has rank p."""

    name: str
    X: np.ndarray
    Y: np.ndarray
    full_rank: bool

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def p(self) -> int:
        return self.X.shape[1]

    def y(self, ndim: int = 1) -> np.ndarray:
        """Target: first column (1-D) or all three (2-D)."""
        return self.Y[:, 0].copy() if ndim == 1 else self.Y.copy()

    def alpha_scale(self) -> float:
        """Mean eigenvalue of the centred Gram matrix: a natural unit for alpha."""
        Xc = self.X - self.X.mean(axis=0)
        return float(np.sum(Xc * Xc) / self.p)


def _targets(X: np.ndarray, rng: np.random.Generator, t: int = 3, noise: float = 0.5):
    n, p = X.shape
    W = rng.normal(size=(p, t))
    return X @ W + noise * rng.normal(size=(n, t)) + rng.uniform(1.0, 5.0, t)


def _well_conditioned(rng: np.random.Generator) -> Problem:
    X = rng.normal(size=(60, 8)) + rng.uniform(-3.0, 3.0, 8)
    return Problem("well_conditioned", X, _targets(X, rng), True)


def _correlated(rng: np.random.Generator) -> Problem:
    n, p, rho = 80, 10, 0.95
    Z = rng.normal(size=(n, p))
    X = np.empty((n, p))
    X[:, 0] = Z[:, 0]
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho**2) * Z[:, j]
    X += rng.uniform(-2.0, 2.0, p)
    return Problem("correlated", X, _targets(X, rng), True)


def _wide(rng: np.random.Generator) -> Problem:
    X = rng.normal(size=(20, 45)) + rng.uniform(-1.0, 1.0, 45)
    return Problem("wide", X, _targets(X, rng), False)


def _rank_deficient(rng: np.random.Generator) -> Problem:
    A = rng.normal(size=(50, 5)) + rng.uniform(-0.5, 0.5, 5)
    # scaling by powers of two and negation are exact, so the dependencies survive rounding
    X = np.column_stack([A, 2.0 * A[:, 0], -A[:, 1], 0.5 * A[:, 2], np.zeros(50)])
    return Problem("rank_deficient", X, _targets(X, rng), False)


def _vandermonde(rng: np.random.Generator) -> Problem:
    x = np.linspace(0.0, 1.0, 40)
    X = np.column_stack([x**k for k in range(1, 8)])
    Y = np.column_stack([np.sin(4 * x), np.exp(x), 1 / (1 + 4 * x**2)])
    Y = Y + 1e-3 * rng.normal(size=Y.shape)
    return Problem("vandermonde", X, Y, True)


PROBLEM_GENERATORS: dict[str, Callable[[np.random.Generator], Problem]] = {
    "well_conditioned": _well_conditioned,
    "correlated": _correlated,
    "wide": _wide,
    "rank_deficient": _rank_deficient,
    "vandermonde": _vandermonde,
}
PROBLEM_NAMES = tuple(PROBLEM_GENERATORS)
_CACHE: dict[str, Problem] = {}


def get_problem(name: str) -> Problem:
    """The named problem (deterministic; arrays are read-only, copy before modifying)."""
    if name not in _CACHE:
        seed = zlib.crc32(name.encode()) ^ PROBLEM_SEED
        prob = PROBLEM_GENERATORS[name](np.random.default_rng(seed))
        prob.X.setflags(write=False)
        prob.Y.setflags(write=False)
        _CACHE[name] = prob
    return _CACHE[name]
