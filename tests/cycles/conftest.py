"""Fixtures for the cycle tests: an aim of team A with one change idea, and a client per person."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD
from tests.cycles.factories import make_aim, make_cycle, make_idea


@pytest.fixture
def client_for(app):
    """A new client signed in as this person: one client per person, as two browsers would be."""

    def make(user):
        client = app.test_client()
        response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 303
        return client

    return make


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
