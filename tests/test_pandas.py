"""pandas in, names out: DataFrames and Series as input, feature/target names on results,
short reprs, and BootstrapResult.summary()."""

from __future__ import annotations

import numpy as np
import pytest
import ridgeboot as rb

pd = pytest.importorskip("pandas")


def frames(n=40, seed=0):
    g = np.random.default_rng(seed)
    X = g.normal(size=(n, 3))
    df = pd.DataFrame(
        {
            "age": pd.array(np.round(X[:, 0] * 10).astype(int), dtype="Int64"),
            "dose": pd.array(X[:, 1], dtype="Float64"),
            "flag": X[:, 2] > 0,
            "w": X[:, 2],
        }
    )
    dense = np.column_stack([np.round(X[:, 0] * 10), X[:, 1], (X[:, 2] > 0).astype(float), X[:, 2]])
    Y = pd.DataFrame({"a": dense @ [1.0, 2, 0, 1] + g.normal(size=n), "b": g.normal(size=n)})
    return df, dense, Y


def test_mixed_and_nullable_columns_equal_numpy():
    df, dense, Y = frames()
    r = rb.ridge(df, Y, 1.0)
    ref = rb.ridge(dense, Y.to_numpy(), 1.0)
    np.testing.assert_array_equal(r.coef, ref.coef)
    assert r.feature_names == ("age", "dose", "flag", "w") and r.target_names == ("a", "b")
    np.testing.assert_array_equal(r.predict(df), ref.predict(dense))


def test_names_on_every_result():
    df, _, Y = frames()
    names = ("age", "dose", "flag", "w")
    assert rb.ridge_path(df, Y["a"], [0.1, 1.0]).feature_names == names
    cv = rb.ridge_cv(df, Y["a"], [0.1, 1.0, 10.0], cv="loo", warn_edges=False)
    assert cv.feature_names == names and cv.target_names == ("a",)
    boot = rb.bootstrap(df, Y, 1.0, 20, seed=0)
    assert boot.feature_names == names and boot.target_names == ("a", "b")
    assert boot.full.feature_names == names


def test_column_with_missing_values_is_named():
    df, _, Y = frames()
    df.loc[3, "dose"] = pd.NA
    with pytest.raises(ValueError, match="X column 'dose' has 1 missing"):
        rb.ridge(df, Y, 1.0)
    y = Y["a"].copy()
    y.iloc[0] = np.nan
    with pytest.raises(ValueError, match="y .*'a'.* missing"):
        rb.ridge(df.fillna(0), y, 1.0)


def test_text_column_is_named():
    df, _, Y = frames()
    df["city"] = "Oslo"
    with pytest.raises(TypeError, match="X column 'city'"):
        rb.bootstrap(df, Y, 1.0, 5)
    df["city"] = df["city"].astype("category")
    with pytest.raises(TypeError, match="X column 'city'"):
        rb.ridge(df, Y, 1.0)


def test_float32_frame_stays_float32():
    _, dense, Y = frames()
    df = pd.DataFrame(dense.astype(np.float32), columns=list("abcd"))
    assert rb.ridge(df, Y["a"].astype(np.float32), 1.0).coef.dtype == np.float32


@pytest.mark.parametrize("alphas", [1.0, [0.1, 1.0, 10.0]], ids=["one-alpha", "path"])
@pytest.mark.parametrize("method", ["percentile", "normal"])
def test_summary_rows_and_values(alphas, method):
    df, _, Y = frames()
    boot = rb.bootstrap(df, Y, alphas, 50, seed=1)
    table = boot.summary(level=0.9, method=method)
    assert list(table.columns) == ["coef", "std", "ci_low", "ci_high"]
    levels = (["alpha"] if np.ndim(alphas) else []) + ["target", "feature"]
    assert list(table.index.names) == levels
    assert len(table) == np.size(alphas) * 2 * 4
    lo, hi = boot.ci(0.9, method)
    coef = np.asarray(boot.full.coef)
    if np.ndim(alphas) == 0:
        lo, hi, coef, std = lo[None], hi[None], coef[None], boot.coef_std[None]
    else:
        std = boot.coef_std
    row = table.loc[(0.1, "a", "dose")] if np.ndim(alphas) else table.loc[("a", "dose")]
    k = 0
    assert row["coef"] == coef[k, 1, 0] and row["std"] == std[k, 1, 0]
    assert row["ci_low"] == lo[k, 1, 0] and row["ci_high"] == hi[k, 1, 0]
    assert "alpha held fixed" in table.attrs["interval"]
    assert table.attrs["level"] == 0.9 and table.attrs["method"] == method


def test_summary_without_names_numbers_the_features():
    g = np.random.default_rng(0)
    X = g.normal(size=(30, 2))
    table = rb.bootstrap(X, X[:, 0] + g.normal(size=30), 1.0, 20).summary()
    assert list(table.index) == ["x0", "x1"]


def test_reprs_are_short():
    df, _, Y = frames(n=200)
    boot = rb.bootstrap(df, Y, np.logspace(-2, 2, 10), 200, seed=0)
    results = [
        boot,
        boot.full,
        rb.ridge(df, Y, 1.0),
        rb.ridge_cv(df, Y, [0.1, 1.0, 10.0], warn_edges=False),
    ]
    for r in results:
        text = repr(r)
        assert len(text) < 400, text
        assert type(r).__name__ in text and "age" in text
    assert "n_boot=200" in repr(boot)
