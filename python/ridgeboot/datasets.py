"""Small datasets shipped with ridgeboot (read with :mod:`importlib.resources`).

- :func:`load_longley`: the Longley data as published in the NIST Statistical
  Reference Datasets (StRD), 16 rows, 6 strongly collinear predictors.
- :func:`longley_certified`: NIST's certified least-squares coefficients for it.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

__all__ = ["Dataset", "load_longley", "longley_certified"]


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
