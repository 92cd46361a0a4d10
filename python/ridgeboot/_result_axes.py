"""The public shape of results: which axes a result keeps, and the full-data fit.

Internally arrays carry every axis, (k, ..., t); the public ones drop the alpha axis
for a scalar alpha and the target axis for a 1-D y.
"""

from __future__ import annotations

from typing import Union

import numpy as np

from ._ridge import RidgePathResult, RidgeResult
from ._validation import Names

Axes = tuple[bool, bool]  # (alpha axis, target axis) present in the public arrays


def drop_absent_axes(a: np.ndarray, axes: Axes, k_axis: int, t_axis: int) -> np.ndarray:
    """Squeeze the alpha axis (scalar alpha) and the target axis (1-D y) where absent."""
    has_k, has_t = axes
    drop = [ax for ax, keep in ((k_axis, has_k), (t_axis, has_t)) if not keep]
    return np.squeeze(a, axis=tuple(drop)) if drop else a


def one_alpha(grid: np.ndarray) -> Union[float, np.ndarray]:
    """Return the alpha of a one-point grid (1, t): a float, or (t,) when targets differ."""
    row = grid[0]
    return float(row[0]) if (row == row[0]).all() else row.astype(np.float64)


def full_fit_result(
    coef: np.ndarray,
    icpt: np.ndarray,
    grid: np.ndarray,
    axes: Axes,
    solver: str,
    names: tuple[Names, Names] = (None, None),
) -> Union[RidgeResult, RidgePathResult]:
    """Return the full-data fit, coef (k, p, t) and intercept (k, t), as ridge(_path) would."""
    has_k, has_t = axes
    if has_k:
        return RidgePathResult(
            drop_absent_axes(coef, axes, 0, 2),
            drop_absent_axes(icpt, axes, 0, 1),
            grid[:, 0].copy(),
            solver,
            feature_names=names[0],
            target_names=names[1],
        )
    c, b = coef[0], icpt[0]
    return RidgeResult(
        c[:, 0] if not has_t else c,
        b[0].item() if not has_t else b,
        one_alpha(grid),
        solver,
        feature_names=names[0],
        target_names=names[1],
    )
