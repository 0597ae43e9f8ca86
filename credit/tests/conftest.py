"""The project's shared fixtures (tests/conftest.py) for the credit tests."""

from tests.conftest import city, live_city  # noqa: F401 (fixtures)
