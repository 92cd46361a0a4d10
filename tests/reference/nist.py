"""NIST StRD linear least squares: the eleven certified datasets, their designs, and the
least-squares anchors ridgeboot is measured against (numpy, scipy, statsmodels)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np

from .problems import lre

NIST_FILE = Path(__file__).resolve().parent.parent / "data" / "nist_strd.json"


def datasets() -> dict:
    """The datasets by name (tests/data/nist_strd.json)."""
    with open(NIST_FILE, encoding="utf-8") as f:
        return json.load(f)["datasets"]


def design(ds: dict) -> tuple[np.ndarray, np.ndarray, bool, np.ndarray]:
    """Predictors X (n, p) without the ones column, y (n,), whether the model has an
    intercept, and the certified coefficients (intercept first when it has one)."""
    model = ds["model"]
    if model["kind"] == "polynomial":
        x = np.array(ds["x"][model["x_column"]], dtype=np.float64)
        X = np.column_stack([x**k for k in range(1, model["degree"] + 1)])
    else:
        X = np.column_stack([np.array(ds["x"][k], dtype=np.float64) for k in model["predictors"]])
    cert = np.array([float(s) for s in ds["certified_estimate"]])
    return X, np.array(ds["y"], dtype=np.float64), model["intercept"], cert


def full_design(X: np.ndarray, intercept: bool) -> np.ndarray:
    """The design with an explicit ones column first when the model has an intercept."""
    return np.column_stack([np.ones(len(X)), X]) if intercept else X


def anchors(X: np.ndarray, y: np.ndarray, intercept: bool) -> dict[str, np.ndarray]:
    """Coefficients (intercept first) from the tools a user would reach for, on the full
    design: numpy.linalg.lstsq, scipy.linalg.lstsq (gelsd) and statsmodels OLS (pinv)."""
    import scipy.linalg

    A = full_design(X, intercept)
    out = {
        "numpy lstsq": np.linalg.lstsq(A, y, rcond=None)[0],
        "scipy lstsq": scipy.linalg.lstsq(A, y)[0],
    }
    try:
        import statsmodels.api as sm
    except ImportError:  # pragma: no cover - statsmodels is in the test extra
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # it says when it finds the design rank-deficient (Filip)
        out["statsmodels OLS"] = np.asarray(sm.OLS(y, A).fit().params)
    return out


def min_lre(estimate: np.ndarray, certified: np.ndarray) -> float:
    """The smallest number of correct digits over the coefficients."""
    return float(lre(estimate, certified).min())
