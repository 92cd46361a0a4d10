"""The benchmark workloads, once: sizes, model flop counts and performance targets.

``compare.py`` runs each workload at its ``full`` sizes (``quick`` with ``--quick``) and
prints every ratio below with PASS / MISS (targets) or INFO; ``test_bench.py`` runs the
``smoke`` sizes (results checked, no timing assertions); ``scaling.py`` builds its flop
model from :func:`fit_data_flops`. Design notes: ``docs/architecture.md``.

Targets are stated against the **flop floor**: the workload's model flop count divided by
numpy's DGEMM rate (``A.T @ B`` on distinct operands, 2·n·p² flops) measured in the same
run, a lower bound on the time of any implementation. The floor comes at two rates: the
**gate**, numpy's DGEMM on the 4000 x 400 shape (the targets are judged on it), and the
**best** rate numpy's DGEMM reaches over the GEMM shapes the workloads of the run imply
(``Workload.gemm_shapes``: a replicate's Gram, every replicate's Grams as one
``counts @ row products`` product, XᵀCY of a batch of replicates, the n x n kernel), the
physical limit on this machine. A ratio compares two timed implementations of one
workload, named by the keys compare.py gives them:

``ridgeboot``        the documented call (``rb.bootstrap`` with default options, ``rb.ridge``,
                     ``rb.ridge_path``, ``rb.ridge_cv(cv="gcv")``)
``ridgeboot_nooob``  ``rb.bootstrap(..., oob=False)``: coefficients only, like the baselines
``rb1``, ``rb2``     ``rb.bootstrap`` with ``n_threads=1`` / ``2``
``rb_loo``, ``rb_kfold``  ``rb.ridge_cv`` with ``cv="loo"`` / ``cv=folds`` (workload
                     ``select``: ``rb.bootstrap(select="loo")``)
``rb_path``          ``rb.bootstrap`` without ``select=`` on the same grid (workload ``select``)
``numpy``, ``sklearn``, ``himalaya``  what users write today (see compare.py)
``numpy_vec``        what a numpy expert writes: every replicate at once (one GEMM
                     ``counts (B x n) @ KR`` with KR the n x p(p+1)/2 row products, the mean
                     correction, a batched solve or eigh; wide data: the kernel XXᵀ once)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np


@dataclass(frozen=True)
class Sizes:
    """The sizes of one run of a workload."""

    n: int
    p: int
    t: Optional[int] = None  # targets; None: one, y is 1-D
    B: Optional[int] = None  # replicates; None: no bootstrap (one fit)
    alphas: Any = 1.0  # one alpha (a float) or a grid (an array)
    seed: int = 0  # of the data (compare.make_data)
    draw_seed: Optional[int] = None  # of the bootstrap draws; None: ``seed``
    folds: Optional[int] = None  # k-fold cross-validation

    @property
    def k(self) -> int:
        return int(np.size(self.alphas))

    @property
    def targets(self) -> int:
        return 1 if self.t is None else self.t

    @property
    def boot_seed(self) -> int:
        return self.seed if self.draw_seed is None else self.draw_seed


@dataclass(frozen=True)
class Ratio:
    """One ratio compare.py prints: a target when ``bound`` is set, else information.

    ``kind``: ``"floor"`` contender time / flop floor (target: <= bound); ``"speedup"``
    baseline time / contender time (>= bound); ``"overhead"`` contender time / baseline time
    (<= bound); ``"rate"`` contender GFLOP/s / baseline GFLOP/s (>= bound). ``rate`` (floor
    ratios only): ``"gate"`` the floor at the 4000 x 400 DGEMM rate, ``"best"`` at the best
    DGEMM rate over the run's GEMM shapes.
    """

    label: str
    kind: str
    bound: Optional[float] = None
    contender: str = "ridgeboot"
    baseline: Optional[str] = None
    rate: str = "gate"

    def met(self, measured: float) -> bool:
        """Whether ``measured`` meets the target."""
        assert self.bound is not None, f"{self.label} is information, not a target"
        if self.kind in ("floor", "overhead"):
            return measured <= self.bound
        return measured >= self.bound


@dataclass(frozen=True)
class Workload:
    """One row of the table."""

    name: str
    description: str
    full: Sizes
    quick: Sizes  # compare.py --quick
    smoke: Sizes  # test_bench.py
    flops: Callable[[Sizes], float]  # model flops of the whole workload at the given sizes
    flop_model: str
    targets: tuple[Ratio, ...] = ()
    info: tuple[Ratio, ...] = ()
    gemm_shapes: Callable[[Sizes], tuple[tuple[str, int, int, int], ...]] = lambda s: ()


# ------------------------------------------------------------------------------ flop models
def bootstrap_fraction(n: int) -> float:
    """Expected fraction of rows drawn at least once by a multinomial bootstrap (≈ 0.632)."""
    return 1.0 - (1.0 - 1.0 / n) ** n


def fit_data_flops(n: int, p: int, t: int = 1) -> float:
    """One replicate's data pass: weighted Gram f·n·p² (symmetric) + XᵀCY 2·f·n·p·t."""
    f = bootstrap_fraction(n)
    return f * n * p * p + 2.0 * f * n * p * t


def _bootstrap_flops(s: Sizes) -> float:
    return fit_data_flops(s.n, s.p) * s.B


def _path_flops(s: Sizes) -> float:
    return (fit_data_flops(s.n, s.p) + 2.0 * s.p * s.p * s.k) * s.B


def _targets_flops(s: Sizes) -> float:
    t = s.targets
    return (fit_data_flops(s.n, s.p, t) + 2.0 * s.p * s.p * t * (s.k + 1)) * s.B


def _wide_flops(s: Sizes) -> float:
    m = bootstrap_fraction(s.n) * s.n  # distinct rows of a replicate
    return (m * m * s.p + 2.0 * m * s.p + m**3 / 3.0) * s.B


def _gram_flops(s: Sizes) -> float:
    return bootstrap_fraction(s.n) * s.n * s.p * s.p * s.B


def _small_flops(s: Sizes) -> float:
    return s.n * s.p * s.p + 2.0 * s.n * s.p


def _tall_flops(s: Sizes) -> float:
    return s.n * s.p * s.p + 2.0 * s.n * s.p + s.p**3 / 3.0


def _widefit_flops(s: Sizes) -> float:
    return s.n * s.n * s.p + 2.0 * s.n * s.p + s.n**3 / 3.0


def _pathfit_flops(s: Sizes) -> float:
    return s.n * s.p * s.p + 2.0 * s.n * s.p + 2.0 * s.p * s.p * s.k


def _cv_flops(s: Sizes) -> float:
    t = s.targets
    return s.n * s.p * s.p + 2.0 * s.n * s.p * t + 2.0 * s.n * s.p * t * s.k


# ------------------------------------------------------------------------------ GEMM shapes
# (label, m, k, n): an (m x k) @ (k x n) product the workload implies, timed by compare.py
# (numpy, distinct operands) for the best DGEMM rate; see the module docstring.
KR_BYTES = 256 << 20  # compare.py's vectorized baseline builds the row products in blocks
XCY_BYTES = 64 << 20  # and stacks XᵀC_b of a batch of replicates up to this size


def kr_rows(n: int, p: int) -> int:
    """Rows of X per block of row products (n x p(p+1)/2 in all)."""
    return max(1, min(n, KR_BYTES // (8 * (p * (p + 1) // 2))))


def xcy_batch(n: int, p: int, B: int) -> int:
    """Replicates per stacked product [XᵀC_b]_b @ Y."""
    return max(1, min(B, XCY_BYTES // (8 * n * p)))


def _replicate_gram(s: Sizes) -> tuple[str, int, int, int]:
    m = round(bootstrap_fraction(s.n) * s.n)
    return (f"replicate Gram XᵀX, {m} rows", s.p, m, s.p)


def _all_grams(s: Sizes) -> tuple[str, int, int, int]:
    P = s.p * (s.p + 1) // 2
    return ("all Grams counts @ KR", s.B, kr_rows(s.n, s.p), P)


def _boot_shapes(s: Sizes) -> tuple[tuple[str, int, int, int], ...]:
    return (_replicate_gram(s), _all_grams(s))


def _targets_shapes(s: Sizes) -> tuple[tuple[str, int, int, int], ...]:
    m = round(bootstrap_fraction(s.n) * s.n)
    bc = xcy_batch(s.n, s.p, s.B)
    return (
        *_boot_shapes(s),
        (f"replicate XᵀY, {m} rows", s.p, m, s.targets),
        (f"[XᵀC_b] of {bc} replicates @ Y", bc * s.p, s.n, s.targets),
    )


def _wide_shapes(s: Sizes) -> tuple[tuple[str, int, int, int], ...]:
    m = round(bootstrap_fraction(s.n) * s.n)
    return (("kernel XXᵀ", s.n, s.p, s.n), (f"replicate kernel, {m} rows", m, s.p, m))


# ------------------------------------------------------------------------------ the table
PATH_ALPHAS = np.logspace(-1, 4, 20)
GRID_10 = np.logspace(-1, 4, 10)
NOOOB = "ridgeboot_nooob"


def _floor(
    label: str, bound: Optional[float] = None, contender: str = "ridgeboot", rate: str = "gate"
) -> Ratio:
    return Ratio(label, "floor", bound, contender, rate=rate)


def _boot_info(
    loop: str, sklearn: Optional[str], loop_is_target: bool = False
) -> tuple[Ratio, ...]:
    """The information rows of a bootstrap workload: both floors, every baseline."""
    rows = [
        _floor("flop floor at best DGEMM rate, default call", rate="best"),
        _floor("flop floor, oob=False", contender=NOOOB),
        _floor("flop floor at best DGEMM rate, oob=False", contender=NOOOB, rate="best"),
        *(() if loop_is_target else (_vs(loop, "numpy"),)),
        _vs(f"{loop} [rb oob=False]", "numpy", contender=NOOOB),
        _vs("numpy vectorized (expert)", "numpy_vec"),
        _vs("numpy vectorized [rb oob=False]", "numpy_vec", contender=NOOOB),
    ]
    if sklearn is not None:
        rows.append(_vs(sklearn, "sklearn"))
    return tuple(rows)


def _vs(
    label: str, baseline: str, bound: Optional[float] = None, contender: str = "ridgeboot"
) -> Ratio:
    return Ratio(label, "speedup", bound, contender, baseline)


TABLE: tuple[Workload, ...] = (
    Workload(
        "bootstrap",
        "bootstrap, 1 alpha, intercept",
        full=Sizes(2000, 100, B=500, seed=1, draw_seed=11),
        quick=Sizes(2000, 100, B=50, seed=1, draw_seed=11),
        smoke=Sizes(200, 20, B=20, seed=1),
        flops=_bootstrap_flops,
        flop_model="per replicate 0.632·n·p² (weighted Gram) + 2·0.632·n·p (Xᵀy)",
        targets=(
            _floor("flop floor, default call", 1.4),
            Ratio("default call vs oob=False", "overhead", 1.15, "ridgeboot", NOOOB),
        ),
        info=_boot_info("numpy loop", "sklearn resample+Ridge"),
        gemm_shapes=_boot_shapes,
    ),
    Workload(
        "path",
        "bootstrap path",
        full=Sizes(5000, 200, B=200, alphas=PATH_ALPHAS, seed=2, draw_seed=12),
        quick=Sizes(5000, 200, B=10, alphas=PATH_ALPHAS, seed=2, draw_seed=12),
        smoke=Sizes(300, 30, B=8, alphas=np.logspace(-1, 3, 6), seed=2),
        flops=_path_flops,
        flop_model="per replicate 0.632·n·p² + 2·0.632·n·p + 2·p²·k (factorization excluded)",
        targets=(
            _floor("flop floor, default call", 1.3),
            Ratio("default call vs oob=False", "overhead", 1.15, "ridgeboot", NOOOB),
        ),
        info=_boot_info("numpy eigh loop", "sklearn Ridge per alpha"),
        gemm_shapes=_boot_shapes,
    ),
    Workload(
        "select",
        "bootstrap path, alpha re-chosen per replicate by GCV",
        full=Sizes(2000, 100, B=200, alphas=PATH_ALPHAS, seed=5, draw_seed=15),
        quick=Sizes(2000, 100, B=20, alphas=PATH_ALPHAS, seed=5, draw_seed=15),
        smoke=Sizes(200, 10, B=8, alphas=np.logspace(-1, 3, 9), seed=5),
        flops=_path_flops,
        flop_model="as `path`: choosing alpha adds O(p·k) per replicate (GCV from the "
        "tridiagonal form the path makes)",
        targets=(Ratio("select='gcv' vs the plain path", "overhead", 1.3, "ridgeboot", "rb_path"),),
        info=(
            Ratio("select='loo' vs the plain path", "overhead", None, "rb_loo", "rb_path"),
            _vs("numpy eigh + GCV loop", "numpy"),
            _vs("sklearn RidgeCV loop [rb loo]", "sklearn", contender="rb_loo"),
        ),
        gemm_shapes=lambda s: (_replicate_gram(s),),
    ),
    Workload(
        "targets",
        "many targets",
        full=Sizes(20000, 50, t=1000, B=20, alphas=GRID_10, seed=3, draw_seed=13),
        quick=Sizes(20000, 50, t=200, B=2, alphas=GRID_10, seed=3, draw_seed=13),
        smoke=Sizes(400, 10, t=40, B=4, alphas=np.logspace(-1, 3, 4), seed=3),
        flops=_targets_flops,
        flop_model="per replicate 0.632·n·p² + 2·0.632·n·p·t + 2·p²·t·(k+1)",
        targets=(
            _floor("flop floor, default call", 1.5),
            Ratio("default call vs oob=False", "overhead", 1.15, "ridgeboot", NOOOB),
        ),
        info=_boot_info("numpy eigh loop", "sklearn Ridge per alpha"),
        gemm_shapes=_targets_shapes,
    ),
    Workload(
        "wide",
        "wide bootstrap, 1 alpha",
        full=Sizes(500, 2000, B=100, seed=4, draw_seed=14),
        quick=Sizes(500, 2000, B=5, seed=4, draw_seed=14),
        smoke=Sizes(60, 300, B=8, seed=4),
        flops=_wide_flops,
        flop_model="per replicate m²·p + 2·m·p + m³/3 with m = 0.632·n distinct rows",
        targets=(
            _vs("numpy kernel-form loop", "numpy", 15.0),
            Ratio("default call vs oob=False", "overhead", 1.15, "ridgeboot", NOOOB),
        ),
        info=(
            _floor("flop floor, default call"),
            *_boot_info("numpy kernel-form loop", "sklearn resample+Ridge", loop_is_target=True),
        ),
        gemm_shapes=_wide_shapes,
    ),
    Workload(
        "small",
        "one small fit",
        full=Sizes(200, 10, seed=5),
        quick=Sizes(200, 10, seed=5),
        smoke=Sizes(200, 10, seed=5),
        flops=_small_flops,
        flop_model="n·p² + 2·n·p per fit",
        targets=(
            _vs("sklearn Ridge().fit", "sklearn", 25.0),
            _vs("hand-written numpy", "numpy", 1.5),
        ),
    ),
    Workload(
        "gram",
        "Gram kernel throughput",
        full=Sizes(4000, 400, B=50, seed=6, draw_seed=15),
        quick=Sizes(4000, 400, B=10, seed=6, draw_seed=15),
        smoke=Sizes(400, 40, B=6, seed=6),
        flops=_gram_flops,
        flop_model="ridgeboot: 0.632·n·p² per replicate; numpy: 2·n·p² per A.T@B",
        targets=(Ratio("numpy DGEMM GFLOP/s", "rate", 0.70, "ridgeboot", "numpy"),),
    ),
    Workload(
        "threads",
        "rb.bootstrap n_threads=1 vs 2",
        full=Sizes(2000, 100, B=500, seed=7, draw_seed=16),
        quick=Sizes(2000, 100, B=100, seed=7, draw_seed=16),
        smoke=Sizes(300, 20, B=16, seed=7),
        flops=_bootstrap_flops,
        flop_model="per replicate 0.632·n·p² + 2·0.632·n·p",
        targets=(_vs("1 thread", "rb1", 1.85, contender="rb2"),),
    ),
    Workload(
        "tall",
        "one tall fit, 1 alpha",
        full=Sizes(20000, 200, seed=8),
        quick=Sizes(20000, 200, seed=8),
        smoke=Sizes(2000, 40, seed=8),
        flops=_tall_flops,
        flop_model="n·p² (symmetric Gram) + 2·n·p (Xᵀy) + p³/3 (Cholesky) per fit",
        info=(_vs("hand-written numpy/LAPACK", "numpy"), _vs("sklearn Ridge().fit", "sklearn")),
    ),
    Workload(
        "widefit",
        "one wide fit, 1 alpha (dual / kernel form)",
        full=Sizes(500, 5000, seed=9),
        quick=Sizes(500, 5000, seed=9),
        smoke=Sizes(60, 600, seed=9),
        flops=_widefit_flops,
        flop_model="n²·p (symmetric kernel XXᵀ) + 2·n·p (Xᵀd) + n³/3 (Cholesky) per fit",
        info=(
            _vs("numpy kernel-form closed form", "numpy"),
            _vs("sklearn Ridge().fit", "sklearn"),
        ),
    ),
    Workload(
        "pathfit",
        "one path fit",
        full=Sizes(5000, 200, alphas=PATH_ALPHAS, seed=10),
        quick=Sizes(5000, 200, alphas=PATH_ALPHAS, seed=10),
        smoke=Sizes(500, 30, alphas=np.logspace(-1, 4, 8), seed=10),
        flops=_pathfit_flops,
        flop_model="n·p² + 2·n·p + 2·p²·k (factorization excluded, as for `path`)",
        info=(
            _vs("numpy one eigh + all alphas", "numpy"),
            _vs("sklearn Ridge per alpha", "sklearn"),
        ),
    ),
    Workload(
        "cv",
        "alpha per target by cross-validation",
        full=Sizes(20000, 50, t=1000, alphas=GRID_10, seed=17, folds=5),
        quick=Sizes(2000, 50, t=100, alphas=GRID_10, seed=17, folds=5),
        smoke=Sizes(100, 6, t=5, alphas=np.logspace(-3, 5, 9), seed=17, folds=5),
        flops=_cv_flops,
        flop_model="n·p² + 2·n·p·t (UᵀY or Xᵀy) + 2·n·p·t·k (every row's prediction or "
        "residual, per alpha: what LOO and k-fold need; GCV needs only the first two terms)",
        info=(
            _vs("sklearn RidgeCV (exact LOO) [rb gcv]", "sklearn"),
            _vs("sklearn RidgeCV (exact LOO) [rb loo]", "sklearn", contender="rb_loo"),
            _vs("himalaya k-fold [rb gcv]", "himalaya"),
            _vs("himalaya k-fold [rb k-fold]", "himalaya", contender="rb_kfold"),
        ),
    ),
)

WORKLOADS: dict[str, Workload] = {w.name: w for w in TABLE}
NAMES = tuple(WORKLOADS)
