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
