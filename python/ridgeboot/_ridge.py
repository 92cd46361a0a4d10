"""Ridge fits: one alpha, one alpha per target, or a whole alpha path."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, NamedTuple, Optional, Union

import numpy as np

from . import _core
from ._describe import short_repr
from ._interpolation import warn_if_interpolating
from ._sparse import SparseX, check_sparse_solver, is_sparse, predict_sparse
from ._validation import (
    SOLVERS,
    FloatArray,
    Names,
    Prepared,
    alpha_grid,
    as_array,
    cast,
    check_bool,
    check_choice,
    check_rcond,
    from_pandas,
    name_non_finite,
    path_grid,
    prepare,
    resolve_threads,
)

ArrayOrFloat = Union[float, FloatArray]

# A Cholesky factor whose condition bound times eps exceeds this keeps fewer than ~3
# correct digits (the core's kIllConditioned): "auto" redoes such a fit by SVD in the
# core, an explicit solver="cholesky" warns.
ILL_CONDITIONED: float = _core.ILL_CONDITIONED


def choose_solver(solver: str, grid: np.ndarray) -> str:
    """Resolve solver="auto" for an alpha grid.

    "svd" when some alpha is 0 (the minimum-norm solution needs the SVD of X);
    "cholesky" for up to 4 distinct alphas (one Cholesky each, the fastest route);
    "eigh" beyond that (one eigendecomposition serves every alpha). Cholesky and
    eigh use the dual (kernel) form when there are more features than rows.
    """
    if solver != "auto":
        return solver
    if grid.size == 1:
        return "svd" if grid.flat[0] == 0 else "cholesky"
    if (grid == 0).any():
        return "svd"
    return "cholesky" if np.unique(grid).size <= 4 else "eigh"


def path_solver(grid: np.ndarray) -> str:
    """First choice of "auto" for a path: one eigen-reduction serves many alphas."""
    if (grid == 0).any():
        return "svd"
    return "cholesky" if grid.shape[0] <= 2 else "eigh"


_CORE: dict[tuple[str, bool], Any] = {}


def core_function(kind: str, dtype: np.dtype[Any]) -> Any:
    """Return the core entry point for a dtype: float32 data is computed in float32."""
    key = (kind, dtype == np.float32)
    fn = _CORE.get(key)
    if fn is None:
        fn = _CORE[key] = getattr(_core, f"{kind}_{'float32' if key[1] else 'float64'}")
    return fn


# machine epsilon per computing dtype (np.finfo costs a microsecond per call)
_EPS = {np.dtype(d): float(np.finfo(d).eps) for d in (np.float32, np.float64)}


class GridFit(NamedTuple):
    """One core fit: coef (k, p, t), intercept (k, t), the solver that ran, the rank used."""

    coef: np.ndarray
    intercept: np.ndarray
    solver: str
    rank: int


def fit_grid(
    data: Prepared,
    grid: np.ndarray,
    solver: str,
    fit_intercept: bool,
    n_threads: Optional[int],
    auto_choice: Optional[str] = None,
    rcond: Optional[float] = None,
) -> GridFit:
    """Fit every alpha of a (k, t) grid.

    With solver="auto" the core redoes by SVD a fit whose factorization fails, whose
    Cholesky factor shows a condition number beyond ILL_CONDITIONED / eps (fewer
    than ~3 correct digits) or that gives a non-finite number, and says so; an
    explicit solver="cholesky" raises or warns instead. ``auto_choice`` overrides
    the first choice of "auto" (a path prefers "eigh"). ``rcond``: see :func:`ridge`.
    Data prepared with ``defer_finite`` are checked for NaN and infinity here, in
    the core fit's own call (ValueError naming the input).
    """
    check_choice(solver, SOLVERS, "solver")
    fit_intercept = check_bool(fit_intercept, "fit_intercept")
    cutoff = check_rcond(rcond)
    chosen = auto_choice if solver == "auto" and auto_choice else choose_solver(solver, grid)
    threads = resolve_threads(n_threads)
    if isinstance(data.X, SparseX):
        # the Gram of the sparse rows: "auto" takes eigh where it would take the SVD
        check_sparse_solver(solver)
        fit = core_function("fit_sparse", data.dtype)
        (coef, intercept), condition, ran, rank = fit(
            *data.X.core_args(),
            data.Y,
            data.weight,
            grid,
            "eigh" if chosen == "svd" else chosen,
            fit_intercept,
            solver == "auto",
            cutoff,
        )
    else:
        fit = core_function("fit", data.dtype)
        try:
            (coef, intercept), condition, ran, rank = fit(
                data.X,
                data.Y,
                data.weight,
                grid,
                chosen,
                fit_intercept,
                solver == "auto",
                cutoff,
                threads,
                data.finite_unchecked,
            )
        except _core.NonFiniteInput:
            name_non_finite(data.X, data.Y)
            raise
    warn_if_ill_conditioned(solver, ran, condition, data.dtype, stacklevel=4)
    return GridFit(coef, intercept, ran, int(rank))


def warn_if_ill_conditioned(
    requested: str, ran: str, condition: float, dtype: np.dtype[Any], stacklevel: int
) -> None:
    """Warn when an explicitly requested Cholesky fit kept fewer than ~3 digits.

    ``condition``: the core's lower bound on the condition number of X^T W X + alpha I.
    solver="auto" redoes such a fit by SVD instead. ``stacklevel`` counts from this call.
    """
    eps = _EPS.get(dtype) or float(np.finfo(dtype).eps)
    if ran == "cholesky" and requested != "auto" and condition * eps > ILL_CONDITIONED:
        warnings.warn(
            f"X^T W X + alpha I is ill-conditioned (condition number >= {condition:.1e} in "
            f"{dtype}): the Cholesky solution may have lost most of its digits; "
            'use solver="svd" or a larger alpha',
            RuntimeWarning,
            stacklevel=stacklevel,
        )


def _predict(X: Any, coef: np.ndarray, intercept: Any, dtype: np.dtype[Any]) -> FloatArray:
    if is_sparse(X):
        return predict_sparse(X, coef, intercept, dtype)  # type: ignore[no-any-return]
    Xa = as_array(from_pandas(X, "X")[0], "X")
    if Xa.ndim != 2 or Xa.shape[1] != coef.shape[0]:
        raise ValueError(f"X must have shape (n_samples, {coef.shape[0]}), got {Xa.shape}")
    Xa = cast(Xa, dtype, "X")
    return Xa @ coef + intercept  # type: ignore[no-any-return]


@dataclass(frozen=True, repr=False)
class RidgeResult:
    """A ridge fit for one alpha (or one alpha per target).

    Attributes
    ----------
    coef : ndarray of shape (p,) or (p, t)
        Weights; a 1-D ``y`` gives no target axis.
    intercept : float or ndarray of shape (t,)
        Unpenalized intercept (0 when ``fit_intercept=False``).
    alpha : float or ndarray of shape (t,)
        The penalty of each target.
    solver : str
        The solver that ran: "cholesky", "svd" or "eigh".
    rank : int or None
        The rank the solver used: singular values (svd; at alpha = 0 those of the
        column-equilibrated design) or eigenvalues (eigh's eigenvalue route) above
        the cutoff; the full size of the factored matrix for Cholesky and the
        tridiagonal route. None where it was not recorded.
    feature_names, target_names : tuple of str or None
        The column names of X and y when they were pandas objects.
    """

    coef: FloatArray
    intercept: ArrayOrFloat
    alpha: ArrayOrFloat
    solver: str
    rank: Optional[int] = None
    feature_names: Names = None
    target_names: Names = None

    def __repr__(self) -> str:
        return short_repr(
            self,
            {
                "coef": self.coef,
                "alpha": self.alpha,
                "solver": self.solver,
                "rank": self.rank,
                "feature_names": self.feature_names,
                "target_names": self.target_names,
            },
        )

    def predict(self, X: Any) -> FloatArray:
        """Predictions for X (n, p): shape (n,) or (n, t)."""
        return _predict(X, self.coef, self.intercept, self.coef.dtype)


@dataclass(frozen=True, repr=False)
class RidgePathResult:
    """Ridge fits for a path of alphas from one factorization.

    Attributes
    ----------
    coef : ndarray of shape (k, p) or (k, p, t)
    intercept : ndarray of shape (k,) or (k, t)
    alphas : ndarray of shape (k,)
    solver : str
    rank : int or None
        As in :class:`RidgeResult`: one factorization serves every alpha.
    feature_names, target_names : tuple of str or None
        The column names of X and y when they were pandas objects.
    """

    coef: FloatArray
    intercept: FloatArray
    alphas: FloatArray
    solver: str
    rank: Optional[int] = None
    feature_names: Names = None
    target_names: Names = None

    def __repr__(self) -> str:
        return short_repr(
            self,
            {
                "coef": self.coef,
                "alphas": self.alphas,
                "solver": self.solver,
                "rank": self.rank,
                "feature_names": self.feature_names,
                "target_names": self.target_names,
            },
        )

    def predict(self, X: Any) -> FloatArray:
        """Predictions for X (n, p) at every alpha: shape (k, n) or (k, n, t)."""
        coef = self.coef if self.coef.ndim == 3 else self.coef[:, :, None]
        out = np.stack(
            [
                _predict(X, c, b, c.dtype)
                for c, b in zip(coef, self.intercept.reshape(len(coef), -1))
            ]
        )
        return out if self.coef.ndim == 3 else out[:, :, 0]


def ridge(
    X: Any,
    y: Any,
    alpha: Any = 1.0,
    *,
    solver: str = "auto",
    fit_intercept: bool = True,
    sample_weight: Any = None,
    n_threads: Optional[int] = None,
    check_finite: bool = True,
    rcond: Optional[float] = None,
) -> RidgeResult:
    """Fit ridge regression: minimize sum_i w_i (y_i - b - x_i.w)^2 + alpha ||w||^2.

    Parameters
    ----------
    X : array_like or scipy.sparse matrix/array of shape (n, p)
        Features. float32 is computed in float32, float64 in float64, other
        numeric dtypes are converted to float64. C or Fortran order, no copy.
        A sparse X is never densified: the Gram and cross-products are formed
        from its stored entries (any format, read as CSR; solvers "auto",
        "cholesky" and "eigh"; "auto" takes "eigh" where it would take "svd").
    y : array_like of shape (n,) or (n, t)
        Targets; a 1-D y gives results without a target axis.
    alpha : float or array_like of shape (t,), default=1.0
        Non-negative penalty, one for all targets or one per target. It
        multiplies ||w||^2 against the un-normalised (weighted) sum of squares,
        as in scikit-learn.
    solver : {"auto", "cholesky", "svd", "eigh"}, default="auto"
        "cholesky": Cholesky of X^T W X + alpha I (of the n x n kernel when
        p > n). "svd": thin SVD of the weighted, centred X; singular values at or
        below rcond * s_max count as zero. At alpha = 0 it solves least squares
        with the columns equilibrated (powers of two) and the solution refined
        with residuals in extended precision -- more accurate than LAPACK's
        least squares on the NIST StRD datasets; when the equilibrated design is
        rank-deficient it gives the minimum-norm least-squares solution instead.
        "eigh": symmetric reduction of the Gram (kernel when p > n) --
        Householder tridiagonalization, then one O(p) solve per alpha and target;
        alphas below eps * max(n, p) * max diag(Gram) use the eigenvalues
        instead, dropping those below max(eps * max(n, p), rcond^2) * lambda_max.
        "auto": "svd" if an alpha is 0, else "cholesky" for up to 4 distinct
        alphas, else "eigh"; a fit whose factorization fails, keeps fewer than ~3
        digits or gives a non-finite number is redone with "svd" (``solver`` of
        the result says which ran). Data whose Gram would overflow or underflow
        are rescaled by powers of two and the answer scaled back (exact).
    fit_intercept : bool, default=True
        Fit an unpenalized intercept (centring by the weighted means).
    sample_weight : array_like of shape (n,), optional
        Non-negative row weights; rows of weight 0 are skipped.
    n_threads : int, optional
        Threads for a large fit (None or -1: all cores). The result does not
        depend on it.
    check_finite : bool, default=True
        Reject NaN and infinity in the inputs.
    rcond : float, optional
        Relative cutoff under which singular values count as zero (rank
        decisions). Default eps * max(m, p), m rows of positive weight, as
        numpy.linalg.lstsq's default.

    Returns
    -------
    RidgeResult
        ``coef`` (p[, t]), ``intercept`` ([t]), ``alpha``, ``solver``, ``rank``,
        ``predict(X)``.

    Raises
    ------
    numpy.linalg.LinAlgError
        When solver="cholesky" meets a matrix that is not positive definite.

    Examples
    --------
    >>> import numpy as np, ridgeboot as rb
    >>> X = np.arange(12.0).reshape(6, 2) ** 0.5
    >>> r = rb.ridge(X, X @ [1.0, -1.0] + 2, alpha=1e-8)
    >>> np.round(r.coef, 4).tolist(), round(float(r.intercept), 4)
    ([1.0, -1.0], 2.0)
    """
    data = prepare(X, y, sample_weight, check_finite, n_threads=n_threads, defer_finite=True)
    grid, per_target = alpha_grid(alpha, data.t, data.y_1d, data.dtype)
    coef, intercept, solver_ran, rank = fit_grid(
        data, grid, solver, fit_intercept, n_threads, rcond=rcond
    )
    warn_if_interpolating(data, grid.ravel(), fit_intercept)  # (on data the fit checked)
    alpha_out = grid[0].copy() if per_target else float(grid[0, 0])
    names = (data.feature_names, data.target_names)
    if data.y_1d:
        return RidgeResult(
            coef[0, :, 0], float(intercept[0, 0]), alpha_out, solver_ran, rank, *names
        )
    return RidgeResult(coef[0], intercept[0], alpha_out, solver_ran, rank, *names)


def ridge_path(
    X: Any,
    y: Any,
    alphas: Any,
    *,
    solver: str = "auto",
    fit_intercept: bool = True,
    sample_weight: Any = None,
    n_threads: Optional[int] = None,
    check_finite: bool = True,
    rcond: Optional[float] = None,
) -> RidgePathResult:
    """Fit ridge for every alpha of a path from one factorization.

    Parameters
    ----------
    X : array_like or scipy.sparse matrix/array of shape (n, p)
        As in :func:`ridge` (sparse X: solvers "auto", "cholesky" and "eigh").
    y : array_like of shape (n,) or (n, t)
    alphas : array_like of shape (k,)
        Non-negative penalties.
    solver : {"auto", "cholesky", "svd", "eigh"}, default="auto"
        "svd" and "eigh" factor once for all k alphas (O(p^2 t) more per
        alpha); "cholesky" factors once per distinct alpha. "auto": "svd" if an
        alpha is 0, "cholesky" for up to 2 alphas, else "eigh".
    fit_intercept, sample_weight, n_threads, check_finite, rcond
        As in :func:`ridge`.

    Returns
    -------
    RidgePathResult
        ``coef`` (k, p[, t]), ``intercept`` (k[, t]), ``alphas`` (k,), ``solver``.
    """
    data = prepare(X, y, sample_weight, check_finite, n_threads=n_threads, defer_finite=True)
    grid, _ = path_grid(alphas, data.t, data.dtype)
    coef, intercept, solver_ran, rank = fit_grid(
        data, grid, solver, fit_intercept, n_threads, auto_choice=path_solver(grid), rcond=rcond
    )
    warn_if_interpolating(data, grid[:, 0], fit_intercept)  # (on data the fit checked)
    if data.y_1d:
        coef, intercept = coef[:, :, 0], intercept[:, 0]
    return RidgePathResult(
        coef,
        intercept,
        grid[:, 0].copy(),
        solver_ran,
        rank,
        data.feature_names,
        data.target_names,
    )
