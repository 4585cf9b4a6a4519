"""Fixtures for the cycle tests: an aim of team A with one change idea, and a client per person."""

from __future__ import annotations

import pytest

from tests.cycles.factories import make_aim, make_cycle, make_idea


@pytest.fixture
def aim(world):
    return make_aim(world.team_a)


@pytest.fixture
def idea(aim):
    return make_idea(aim)


@pytest.fixture
def cycle(idea):
    """A cycle of team A in Plan with an objective and one question: ready for Do."""
    return make_cycle(idea, questions=[("Will staff have time?", "Yes, on 4 days out of 5")])
