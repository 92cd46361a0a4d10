"""Least squares on the NIST StRD linear datasets: ridgeboot against numpy, scipy, statsmodels.

    python benchmarks/nist.py [--markdown]

For each of the eleven certified datasets, the smallest number of correct digits (log
relative error, LRE) over its coefficients at alpha = 0, for

- ridgeboot with the raw predictors and ``fit_intercept=True`` ("rb, intercept"),
- ridgeboot with an explicit ones column and ``fit_intercept=False`` ("rb, ones column"),
- numpy.linalg.lstsq, scipy.linalg.lstsq (gelsd) and statsmodels OLS on the design with the
  ones column (what a user writes),

measured here, now. NoInt1 and NoInt2 have no intercept: both ridgeboot modes fit X alone.
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))

import ridgeboot as rb  # noqa: E402
from reference.nist import anchors, datasets, design, full_design, min_lre  # noqa: E402


def rb_modes(X: np.ndarray, y: np.ndarray, intercept: bool) -> dict[str, np.ndarray]:
    """ridgeboot's coefficients (intercept first) in both modes at alpha = 0."""
    with_icpt = rb.ridge(X, y, 0.0, fit_intercept=intercept)
    ones = rb.ridge(full_design(X, intercept), y, 0.0, fit_intercept=False)
    first = (
        np.r_[with_icpt.intercept, with_icpt.coef] if intercept else np.atleast_1d(with_icpt.coef)
    )
    return {"rb, intercept": first, "rb, ones column": np.atleast_1d(ones.coef)}


def survey() -> list[dict[str, float]]:
    """One row per dataset: the min LRE of every method, and the best anchor."""
    rows = []
    for name, ds in datasets().items():
        X, y, intercept, cert = design(ds)
        row: dict[str, float] = {"dataset": name}  # type: ignore[dict-item]
        for method, coef in {**rb_modes(X, y, intercept), **anchors(X, y, intercept)}.items():
            row[method] = min_lre(coef, cert)
        row["best anchor"] = max(
            v for k, v in row.items() if k not in ("dataset",) and not k.startswith("rb")
        )
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = ap.parse_args(argv)
    rows = survey()
    cols = [k for k in rows[0] if k != "dataset"]
    if args.markdown:
        print("| dataset | " + " | ".join(cols) + " |")
        print("| --- |" + " ---: |" * len(cols))
        for r in rows:
            print(f"| {r['dataset']} | " + " | ".join(f"{r[c]:.1f}" for c in cols) + " |")
    else:
        print(f"{'dataset':10s}" + "".join(f"{c:>18s}" for c in cols))
        for r in rows:
            print(f"{r['dataset']:10s}" + "".join(f"{r[c]:18.2f}" for c in cols))
    worst = min(min(r["rb, intercept"], r["rb, ones column"]) - r["best anchor"] for r in rows)
    print(f"\nsmallest margin of ridgeboot over the best anchor: {worst:+.2f} digits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
