"""The coordinator view's world and scene (defined with the dashboard's tests), for every test
module here."""

from tests.coordination.test_dashboard import dated, scene  # noqa: F401
