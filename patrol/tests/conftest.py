"""The project's shared fixtures (tests/conftest.py) for the patrol tests."""

from tests.conftest import city, live_city  # noqa: F401 (fixtures)
