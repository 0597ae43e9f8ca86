from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import throttle
from accounts.models import LoginThrottle

pytestmark = pytest.mark.django_db
T0 = timezone.now()


def _fail(n, username="alice", ip="10.0.0.1", at=T0):
    lock = None
    for _ in range(n):
        lock = throttle.record_failure(username, ip, now=at)
    return lock


def test_four_failures_do_not_lock_the_fifth_does():
    assert _fail(4) is None
    assert throttle.current_lock("alice", "10.0.0.2", now=T0) is None
    lock = _fail(1)
    assert lock and lock.seconds_left == 15 * 60
    assert lock.message == "登录失败次数过多，已暂时锁定，请 15 分钟后再试。"
    # The username is locked from any address, and its case does not matter.
    assert throttle.current_lock("Alice", "10.9.9.9", now=T0)


def test_the_lock_ends_after_fifteen_minutes():
    _fail(5)
    assert throttle.current_lock("alice", None, now=T0 + timedelta(minutes=14, seconds=59))
    assert throttle.current_lock("alice", None, now=T0 + timedelta(minutes=15)) is None


def test_the_remaining_time_is_rounded_up_to_minutes():
    _fail(5)
    lock = throttle.current_lock("alice", None, now=T0 + timedelta(minutes=13, seconds=30))
    assert lock.minutes_left == 2


def test_failures_older_than_the_window_do_not_count():
    _fail(4)
    assert _fail(1, at=T0 + timedelta(minutes=16)) is None
    assert throttle.current_lock("alice", None, now=T0 + timedelta(minutes=16)) is None


def test_a_successful_login_resets_the_username_count():
    _fail(4)
    throttle.record_success("alice")
    assert _fail(4) is None


def test_an_address_is_locked_after_twenty_failures_across_usernames():
    for i in range(19):
        assert throttle.record_failure(f"user{i}", "10.0.0.7", now=T0) is None
    assert throttle.record_failure("user19", "10.0.0.7", now=T0)
    assert throttle.current_lock("someone-else", "10.0.0.7", now=T0)
    assert throttle.current_lock("someone-else", "10.0.0.8", now=T0) is None


def test_a_success_does_not_reset_the_address_count():
    for i in range(19):
        throttle.record_failure(f"user{i}", "10.0.0.7", now=T0)
    throttle.record_success("user0")
    assert throttle.record_failure("user0", "10.0.0.7", now=T0)


def test_limits_come_from_settings(settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    assert _fail(2)
    assert LoginThrottle.objects.get(scope="username").locked_until == T0 + timedelta(minutes=15)


def test_prune_keeps_only_rows_that_still_count():
    _fail(5, username="locked")
    _fail(1, username="counting", ip=None)
    _fail(1, username="old", ip=None, at=T0 - timedelta(minutes=20))
    assert throttle.prune(now=T0) == 1
    assert set(LoginThrottle.objects.values_list("key", flat=True)) == {
        "locked",
        "10.0.0.1",
        "counting",
    }
    assert throttle.prune(now=T0 + timedelta(minutes=16)) == 3


def test_the_client_address_ignores_forwarded_for_unless_proxies_are_trusted(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert throttle.client_ip(request) == "10.0.0.1"
    settings.LOGIN_TRUSTED_PROXY_COUNT = 1
    assert throttle.client_ip(request) == "203.0.113.9"
    settings.LOGIN_TRUSTED_PROXY_COUNT = 3
    assert throttle.client_ip(request) == "10.0.0.1"
