"""ridgeboot: fast ridge regression and multithreaded bootstrap resampling.

A C++17/Eigen core (``ridgeboot._core``) behind a thin numpy API:

- :func:`ridge`, :func:`ridge_path`: Cholesky, SVD and eigh solvers, weights,
  intercept, many targets, one alpha per target or a path of alphas;
- :func:`bootstrap`, :func:`bootstrap_counts`: B weighted refits on native
  threads, reproducible draws, spread, confidence intervals, out-of-bag error;
- :func:`ridge_cv`: alpha by GCV, leave-one-out, k-fold or bootstrap;
- :func:`ridge_truth`, :func:`simulate_ridge_truth`, :func:`simulate_random_design_truth`:
  on simulated data, the true bias, variance and error of the weights that the
  bootstrap estimates.
"""

from __future__ import annotations

import os
from typing import Any

from . import _core
from ._bootstrap import BiasVariance, BootstrapResult, bootstrap, bootstrap_counts
from ._cv import RidgeCVResult, ridge_cv
from ._interpolation import InterpolationWarning
from ._ridge import RidgePathResult, RidgeResult, ridge, ridge_path
from ._truth import (
    RidgeTruth,
    SimulatedTruth,
    ridge_truth,
    simulate_random_design_truth,
    simulate_ridge_truth,
)

__version__ = "0.1.0"

__all__ = [
    "BiasVariance",
    "BootstrapResult",
    "InterpolationWarning",
    "RidgeCVResult",
    "RidgePathResult",
    "RidgeResult",
    "RidgeTruth",
    "SimulatedTruth",
    "__version__",
    "bootstrap",
    "bootstrap_counts",
    "build_info",
    "get_include",
    "ridge",
    "ridge_cv",
    "ridge_path",
    "ridge_truth",
    "simulate_random_design_truth",
    "simulate_ridge_truth",
]


def build_info() -> dict[str, Any]:
    """How the C++ core was built.

    Returns
    -------
    dict
        ``compiler``, ``flags``, ``build_type``, ``isa`` (the instruction set
        the core was compiled for: "AVX-512", "AVX2+FMA", "SSE2", ...),
        ``eigen_version``, ``eigen_source`` (the cmeel-eigen wheel and its
        version, or a system install), ``eigen_simd``, ``native`` (built with
        -march=native), ``threads``, ``hardware_threads``, ``version``.
    """
    return dict(_core.build_info())


def get_include() -> str:
    """Directory of the header-only C++ core (``#include <ridgeboot/fitter.hpp>``)."""
    here = os.path.dirname(__file__)
    installed = os.path.join(here, "include")
    if os.path.isdir(installed):
        return installed
    # editable (development) install: the headers live in the source tree
    return os.path.normpath(os.path.join(here, "..", "..", "cpp", "include"))
