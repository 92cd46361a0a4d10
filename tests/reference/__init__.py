"""The tests' one numerical oracle: independent numpy references (nothing here imports ridgeboot).

``fits``        the numpy ridge fits every test compares with: closed-form solve, lstsq
                minimum norm, SVD filter factors (and their dispatch ``ridge_auto_reference``),
                exact rationals, paths, brute-force leave-one-out, the hat matrix and GCV.
``tolerances``  :func:`tolerance` (``100 * eps(dtype) * max(cond, 10)``), the condition number
                it uses, and the assertions :func:`assert_ridge_close`,
                :func:`assert_normwise_close`.
``problems``    sample weights, repeated rows, :func:`lre`, the named test problems.
``draws``       Philox4x32-10 and the multinomial / block / Poisson draws, bit for bit.

Import from the package (``import reference as ref`` or ``from reference import ...``):
``tests/conftest.py`` puts ``tests/`` on the import path for every test below it.
"""

from .draws import (
    STREAM_BLOCKS,
    STREAM_POISSON_BLOCKS,
    STREAM_POISSON_ROWS,
    STREAM_ROWS,
    LemireDraws,
    philox_scalar,
    philox_vec,
    poisson1_counts,
    reference_counts,
    reference_counts_one,
    split_seed,
    stream_words,
)
from .fits import (
    Centered,
    RefFit,
    centered_problem,
    default_rcond,
    gcv_reference,
    hat_matrix,
    loo_brute,
    predict_reference,
    ridge_auto_reference,
    ridge_exact,
    ridge_lstsq_minnorm,
    ridge_path_reference,
    ridge_reference,
    ridge_svd_reference,
)
from .problems import (
    PROBLEM_NAMES,
    Problem,
    get_problem,
    lre,
    make_weights,
    repeat_rows,
    weights_from_counts,
)
from .tolerances import (
    COND_FLOOR,
    DEFAULT_C,
    assert_normwise_close,
    assert_ridge_close,
    condition_number,
    tolerance,
)

__all__ = [
    "COND_FLOOR",
    "DEFAULT_C",
    "PROBLEM_NAMES",
    "STREAM_BLOCKS",
    "STREAM_POISSON_BLOCKS",
    "STREAM_POISSON_ROWS",
    "STREAM_ROWS",
    "Centered",
    "LemireDraws",
    "Problem",
    "RefFit",
    "assert_normwise_close",
    "assert_ridge_close",
    "centered_problem",
    "condition_number",
    "default_rcond",
    "gcv_reference",
    "get_problem",
    "hat_matrix",
    "loo_brute",
    "lre",
    "make_weights",
    "philox_scalar",
    "philox_vec",
    "poisson1_counts",
    "predict_reference",
    "reference_counts",
    "reference_counts_one",
    "repeat_rows",
    "ridge_auto_reference",
    "ridge_exact",
    "ridge_lstsq_minnorm",
    "ridge_path_reference",
    "ridge_reference",
    "ridge_svd_reference",
    "split_seed",
    "stream_words",
    "tolerance",
    "weights_from_counts",
]
