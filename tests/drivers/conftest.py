"""The aims factories serve the diagram's tests too."""

from tests.aims.conftest import make_aim, make_driver, make_idea  # noqa: F401
