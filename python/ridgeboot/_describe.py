"""Short, informative ``repr`` of the result objects: shapes and settings, never array dumps."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

MAX_NAMES = 4


def describe(value: Any) -> str:
    """One short token for a field: arrays by dtype and shape, floats to 4 digits."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return describe(value[()])
        if value.size <= 4 and value.ndim == 1:
            return "[" + ", ".join(describe(v) for v in value.tolist()) + "]"
        return f"<{value.dtype} {value.shape}>"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return names(value)
    return repr(value)


def names(value: Optional[tuple[str, ...]]) -> str:
    """Show the first few names and how many there are."""
    if value is None:
        return "None"
    shown = ", ".join(repr(v) for v in value[:MAX_NAMES])
    more = f", ... ({len(value)} names)" if len(value) > MAX_NAMES else ""
    return f"[{shown}{more}]"


def short_repr(obj: Any, fields: dict[str, Any]) -> str:
    """``ClassName(field=token, ...)`` with every field described, None fields left out."""
    inner = ", ".join(f"{k}={describe(v)}" for k, v in fields.items() if v is not None)
    return f"{type(obj).__name__}({inner})"


def coefficient_table(
    columns: dict[str, np.ndarray],
    *,
    alphas: Optional[list[float]],
    targets: Optional[tuple[str, ...]],
    features: Optional[tuple[str, ...]],
    attrs: dict[str, Any],
) -> Any:
    """Make a pandas DataFrame of (k, p, t) columns, one row per (alpha, target, feature).

    ``alphas`` None: no alpha level; ``targets`` None: no target level, () or names of
    another length: targets numbered; ``features`` None: x0, x1, ...
    """
    import pandas as pd

    k, p, t = next(iter(columns.values())).shape
    names = features or tuple(f"x{j}" for j in range(p))
    levels: list[tuple[str, list[Any]]] = []
    if alphas is not None:
        levels.append(("alpha", alphas))
    if targets is not None:
        levels.append(("target", list(targets) if len(targets) == t else list(range(t))))
    levels.append(("feature", list(names)))
    index = pd.MultiIndex.from_product([v for _, v in levels], names=[n for n, _ in levels])
    # (k, p, t) -> rows in (alpha, target, feature) order
    data = {
        name: np.asarray(a, dtype=np.float64).transpose(0, 2, 1).reshape(-1)
        for name, a in columns.items()
    }
    table = pd.DataFrame(data, index=index if len(levels) > 1 else index.get_level_values(0))
    table.attrs.update(attrs)
    return table
