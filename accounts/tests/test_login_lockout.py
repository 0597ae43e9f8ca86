"""Lockout through the login page and the token endpoint."""

import pytest
from django.urls import reverse

TOKEN = "/api/v1/auth/token"
GOOD = "Correct-horse-42"


def _web(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _api(client, username, password, ip="10.0.0.1"):
    return client.post(
        TOKEN,
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


def _logged_in(client):
    return "_auth_user_id" in client.session


def test_web_login_locks_after_five_failures_with_the_remaining_time(client, alice, clock):
    for _ in range(4):
        assert "用户名或密码不正确" in _web(client, "alice", "wrong").content.decode()
    body = _web(client, "alice", "wrong").content.decode()
    assert "登录失败次数过多，已暂时锁定，请 15 分钟后再试。" in body
    clock.advance(minutes=5)
    body = _web(client, "alice", GOOD, ip="10.0.0.2").content.decode()
    assert "请 10 分钟后再试" in body and not _logged_in(client)


def test_web_login_works_again_after_the_lock(client, alice, clock):
    for _ in range(5):
        _web(client, "alice", "wrong")
    clock.advance(minutes=15)
    response = _web(client, "alice", GOOD)
    assert response.status_code == 302 and _logged_in(client)


def test_a_successful_web_login_resets_the_count(client, alice, clock):
    for _ in range(4):
        _web(client, "alice", "wrong")
    assert _web(client, "alice", GOOD).status_code == 302
    client.logout()
    for _ in range(4):
        _web(client, "alice", "wrong")
    assert _web(client, "alice", GOOD).status_code == 302


def test_web_login_locks_an_address_guessing_many_usernames(client, alice, clock):
    for i in range(20):
        _web(client, f"nobody{i}", "wrong", ip="10.0.0.66")
    body = _web(client, "alice", GOOD, ip="10.0.0.66").content.decode()
    assert "已暂时锁定" in body and not _logged_in(client)
    assert _web(client, "alice", GOOD, ip="10.0.0.67").status_code == 302


def test_api_token_answers_429_locked_after_five_failures(client, alice, clock):
    for _ in range(4):
        response = _api(client, "alice", "wrong")
        assert response.status_code == 401
    response = _api(client, "alice", "wrong")
    assert response.status_code == 429
    assert response.json()["code"] == "locked"
    assert "15 分钟" in response.json()["detail"]
    assert response["Retry-After"] == str(15 * 60)
    response = _api(client, "alice", GOOD)
    assert response.status_code == 429 and response.json()["code"] == "locked"
    clock.advance(minutes=15, seconds=1)
    assert _api(client, "alice", GOOD).status_code == 200


def test_api_and_web_share_one_count(client, alice, clock):
    for _ in range(3):
        _api(client, "alice", "wrong")
    for _ in range(2):
        _web(client, "alice", "wrong")
    assert _api(client, "alice", GOOD).status_code == 429


def test_api_locks_an_address_guessing_many_usernames(client, alice, clock):
    for i in range(20):
        _api(client, f"nobody{i}", "wrong", ip="10.0.0.66")
    response = _api(client, "alice", GOOD, ip="10.0.0.66")
    assert response.status_code == 429 and response.json()["code"] == "locked"
    assert _api(client, "alice", GOOD, ip="10.0.0.67").status_code == 200


def test_a_successful_api_login_resets_the_count(client, alice, clock):
    for _ in range(4):
        _api(client, "alice", "wrong")
    assert _api(client, "alice", GOOD).status_code == 200
    for _ in range(4):
        assert _api(client, "alice", "wrong").status_code == 401


@pytest.mark.django_db
def test_the_admin_login_goes_through_ours(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/admin/"
