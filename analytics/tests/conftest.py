from tests.conftest import city, live_city  # noqa: F401 (fixtures)
