"""Small datasets shipped with ridgeboot (read with :mod:`importlib.resources`).

- :func:`load_longley`: the Longley data as published in the NIST Statistical
  Reference Datasets (StRD), 16 rows, 6 strongly collinear predictors.
- :func:`longley_certified`: NIST's certified least-squares coefficients for it.
- :func:`equicorrelated_features`, :func:`make_equicorrelated`: simulated features with
  one correlation between every pair, and a target from known weights.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any, Optional

import numpy as np

__all__ = [
    "Dataset",
    "equicorrelated_features",
    "load_longley",
    "longley_certified",
    "make_equicorrelated",
]


@dataclass(frozen=True)
class Dataset:
    """A regression dataset.

    Attributes
    ----------
    X : ndarray of shape (n, p)
        Features, float64.
    y : ndarray of shape (n,)
        Target, float64.
    feature_names : tuple of str, length p
    target_name : str
    source : str
        Where the numbers come from.
    """

    X: np.ndarray
    y: np.ndarray
    feature_names: tuple[str, ...]
    target_name: str
    source: str


def _data_text(name: str) -> str:
    """Text of a file in the package's ``data`` folder."""
    return (resources.files("ridgeboot") / "data" / name).read_text(encoding="utf-8")


def load_longley() -> Dataset:
    """Load the Longley data (NIST StRD): ``Employed`` and six economic series, 1947-1962.

    Returns
    -------
    Dataset
        ``X`` (16, 6) with columns GNP.deflator, GNP, Unemployed, Armed.Forces,
        Population, Year; ``y`` (16,) Employed. Values exactly as printed by NIST.

    Examples
    --------
    >>> from ridgeboot.datasets import load_longley
    >>> d = load_longley()
    >>> d.X.shape, d.target_name, d.feature_names[0]
    ((16, 6), 'Employed', 'GNP.deflator')
    """
    rows = list(csv.reader(io.StringIO(_data_text("longley.csv"))))
    header, body = rows[0], np.array(rows[1:], dtype=np.float64)
    return Dataset(
        X=body[:, 1:],
        y=body[:, 0],
        feature_names=tuple(header[1:]),
        target_name=header[0],
        source="NIST StRD, Longley (https://www.itl.nist.gov/div898/strd/lls/lls.shtml)",
    )


def longley_certified() -> dict[str, Any]:
    """Load NIST's certified ordinary-least-squares results for :func:`load_longley`.

    Returns
    -------
    dict
        ``param_names`` (``"(Intercept)"`` then the feature names), ``estimate``
        and ``std_dev`` (7 floats each, in that order; ``estimate_str`` and
        ``std_dev_str`` as printed, 15 significant digits), ``residual_sd``,
        ``r_squared`` and the source.
    """
    return json.loads(_data_text("longley_certified.json"))  # type: ignore[no-any-return]


def equicorrelated_features(rng: np.random.Generator, n: int, p: int, rho: float) -> np.ndarray:
    """Draw features with unit variance and correlation ``rho`` between every pair.

    ``x_ij = sqrt(rho) z_i + sqrt(1 - rho) e_ij`` with z (n, 1) then e (n, p) drawn
    standard normal from ``rng``, in that order.

    Parameters
    ----------
    rng : numpy.random.Generator
    n, p : int
        Rows and features.
    rho : float
        Correlation in [0, 1).

    Returns
    -------
    ndarray of shape (n, p)
    """
    if not 0.0 <= rho < 1.0:
        raise ValueError(f"rho must be in [0, 1), got {rho!r}")
    common = rng.standard_normal((n, 1))
    own = rng.standard_normal((n, p))
    return np.sqrt(rho) * common + np.sqrt(1.0 - rho) * own  # type: ignore[no-any-return]


def make_equicorrelated(
    n: int,
    p: int,
    rho: float,
    noise: float,
    seed: int,
    true_coef: Optional[np.ndarray] = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulate equicorrelated features and a noisy linear target: ``y = X w + noise * eps``.

    From ``numpy.random.default_rng(seed)``: w standard normal (unless given), then X
    by :func:`equicorrelated_features`, then eps standard normal.

    Parameters
    ----------
    n, p : int
        Rows and features.
    rho : float
        Correlation between every pair of features, in [0, 1).
    noise : float
        Standard deviation of the noise.
    seed : int
    true_coef : ndarray of shape (p,), optional
        The weights w; by default drawn standard normal from the same seed.

    Returns
    -------
    X : ndarray of shape (n, p)
    y : ndarray of shape (n,)
    w : ndarray of shape (p,)
    """
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(p) if true_coef is None else np.asarray(true_coef, dtype=np.float64)
    X = equicorrelated_features(rng, n, p, rho)
    y = X @ w + noise * rng.standard_normal(n)
    return X, y, w
