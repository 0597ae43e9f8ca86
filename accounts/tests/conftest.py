import pytest

from accounts import throttle


class Clock:
    """The throttle's clock, moved by tests instead of sleeping."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        from datetime import timedelta

        self.now += timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(throttle.clock())
    monkeypatch.setattr(throttle, "clock", fake)
    return fake


@pytest.fixture
def alice(db):
    from org.models import User

    return User.objects.create_user("alice", password="Correct-horse-42")
