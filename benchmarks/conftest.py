"""Make ``compare`` and ``workloads`` (beside this file) and the tests' numpy oracle
``reference`` (``tests/reference``) importable in any import mode."""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
for path in (HERE, os.path.join(os.path.dirname(HERE), "tests")):
    if path not in sys.path:
        sys.path.insert(0, path)
