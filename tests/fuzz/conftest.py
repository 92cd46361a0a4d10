"""The fuzz tests' watchdog: a hang anywhere kills the run with every thread's stack."""

from __future__ import annotations

import faulthandler

import numpy as np
import pytest
from screening import WATCHDOG_S


@pytest.fixture(autouse=True)
def _watchdog():
    """A hang kills the run with every thread's stack; failing examples print exactly."""
    faulthandler.dump_traceback_later(WATCHDOG_S, exit=True)
    with np.printoptions(precision=17, threshold=2000):
        yield
    faulthandler.cancel_dump_traceback_later()
