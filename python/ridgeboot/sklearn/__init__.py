"""scikit-learn estimators over the ridgeboot core: Ridge, RidgeCV, BootstrapRidge.

They follow scikit-learn's conventions (``__init__`` only stores parameters,
``fit`` validates and sets attributes ending in ``_``; ``coef_`` has shape
``(n_features,)`` for a 1-D y and ``(n_targets, n_features)`` for a 2-D y, the
transpose of ridgeboot's ``(p, t)``), so they work in ``Pipeline``,
``GridSearchCV`` and ``cross_val_score``. The penalty convention is
scikit-learn's: ``alpha`` multiplies ``||w||^2`` against the un-normalised
(weighted) sum of squares, so ``Ridge(alpha=a)`` here and in scikit-learn fit
the same model.

Needs scikit-learn: ``pip install "ridgeboot[sklearn]"``.
"""

try:
    import sklearn  # noqa: F401
except ImportError as exc:
    raise ImportError(
        "ridgeboot.sklearn needs scikit-learn, which is not installed: "
        'pip install "ridgeboot[sklearn]"'
    ) from exc

from ._bootstrap_ridge import BootstrapRidge  # noqa: E402
from ._ridge import Ridge  # noqa: E402
from ._ridge_cv import RidgeCV  # noqa: E402

__all__ = ["BootstrapRidge", "Ridge", "RidgeCV"]
