"""Shared fixtures: seeded random generators and the named ridge test problems.

The problems themselves (``well_conditioned``, ``correlated``, ``wide``, ``rank_deficient``,
``vandermonde``) are defined in the oracle package (``reference/problems.py``) so that test
modules and property tests can use them without importing conftest.
"""

from __future__ import annotations

import zlib
from typing import Callable

import numpy as np
import pytest
from reference import PROBLEM_NAMES, Problem, get_problem

FULL_RANK_NAMES = [n for n in PROBLEM_NAMES if get_problem(n).full_rank]


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> np.random.Generator:
    """A generator seeded from the test's node id: reproducible, different per test."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


@pytest.fixture(params=PROBLEM_NAMES, ids=list(PROBLEM_NAMES))
def problem(request: pytest.FixtureRequest) -> Problem:
    """Each named problem in turn (arrays are read-only)."""
    return get_problem(request.param)


@pytest.fixture(params=FULL_RANK_NAMES, ids=FULL_RANK_NAMES)
def full_rank_problem(request: pytest.FixtureRequest) -> Problem:
    """Each problem whose centred X has full column rank."""
    return get_problem(request.param)


@pytest.fixture
def make_problem() -> Callable[[str], Problem]:
    """Factory: ``make_problem(name)`` returns the named problem."""
    return get_problem
