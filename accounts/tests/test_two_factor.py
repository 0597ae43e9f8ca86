"""TOTP through the pages, with the requirement on (it is off for the demo)."""

import re

import pytest
from django.urls import reverse

from accounts import totp
from accounts.models import RecoveryCode, TOTPDevice
from org.models import User
from residents.masking import can_reveal
from simulate.citygen import DEMO_PASSWORD
from tests.conftest import city  # noqa: F401

pytestmark = pytest.mark.usefixtures("city", "db")
TOKEN = "/api/v1/auth/token"


@pytest.fixture
def required(settings):
    settings.TOTP_REQUIRED_FOR_REVEAL = True
    return settings


def _password(client, username="demo-community"):
    return client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})


def _code(username="demo-community", offset_steps=0):
    device = TOTPDevice.objects.get(user__username=username)
    secret = totp.decrypt_secret(device.encrypted_secret)
    return totp.hotp(secret, totp.time_step(totp_now()) + offset_steps)


def totp_now():
    import time

    return time.time()


def _enrol(client, username="demo-community"):
    assert _password(client, username)["Location"] == reverse("accounts:enrol")
    client.get(reverse("accounts:enrol"))
    response = client.post(reverse("accounts:enrol"), {"code": _code(username)})
    assert response.status_code == 200
    return re.findall(
        r'<code class="code">([0-9a-f]{5}-[0-9a-f]{5})</code>', response.content.decode()
    )


def test_a_reveal_role_is_sent_to_enrolment_and_cannot_reach_pages_first(client, required):
    response = _password(client)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:enrol")
    assert "_auth_user_id" not in client.session
    home = client.get(reverse("org:home"))
    assert home.status_code == 302 and home["Location"].startswith("/login/")
    page = client.get(reverse("accounts:enrol")).content.decode()
    assert 'src="data:image/svg+xml' in page and "必须先启用两步验证" in page


def test_enrolment_needs_a_correct_code_then_logs_in_with_recovery_codes(client, required):
    _password(client)
    body = client.get(reverse("accounts:enrol")).content.decode()
    secret = re.search(r'<code class="code">([A-Z2-7 ]+)</code>', body).group(1).replace(" ", "")
    device = TOTPDevice.objects.get(user__username="demo-community")
    assert totp.base32(totp.decrypt_secret(device.encrypted_secret)) == secret
    assert secret not in device.encrypted_secret
    wrong = client.post(reverse("accounts:enrol"), {"code": "000000"}).content.decode()
    assert "验证码不正确" in wrong and "_auth_user_id" not in client.session
    response = client.post(reverse("accounts:enrol"), {"code": _code()})
    codes = re.findall(r"[0-9a-f]{5}-[0-9a-f]{5}", response.content.decode())
    assert len(codes) == 10 and "_auth_user_id" in client.session
    assert client.get(reverse("org:home")).status_code == 200
    stored = RecoveryCode.objects.filter(user__username="demo-community")
    assert stored.count() == 10 and not stored.filter(code_hash__in=codes).exists()


def test_the_secret_is_not_shown_once_enrolled(client, required):
    _enrol(client)
    response = client.get(reverse("accounts:enrol"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:two_factor")
    assert "已于" in client.get(reverse("accounts:two_factor")).content.decode()


def test_every_later_login_asks_for_the_code(client, required):
    _enrol(client)
    client.logout()
    response = _password(client)
    assert response["Location"] == reverse("accounts:verify")
    assert client.get(reverse("org:home")).status_code == 302
    assert (
        "验证码不正确"
        in client.post(reverse("accounts:verify"), {"code": "123456"}).content.decode()
    )
    response = client.post(reverse("accounts:verify"), {"code": _code(offset_steps=1)})
    assert response.status_code == 302 and response["Location"] == reverse("org:home")
    assert client.get(reverse("org:home")).status_code == 200


def test_a_code_cannot_be_replayed(client, required):
    _enrol(client)  # used the current step
    client.logout()
    _password(client)
    response = client.post(reverse("accounts:verify"), {"code": _code()})
    assert "验证码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_works_once(client, required):
    codes = _enrol(client)
    assert len(codes) == 10
    client.logout()
    _password(client)
    response = client.post(reverse("accounts:verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    client.logout()
    _password(client)
    response = client.post(reverse("accounts:verify"), {"code": codes[0]})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_wrong_codes_count_towards_the_lockout(client, required):
    _enrol(client)
    client.logout()
    _password(client)
    for _ in range(4):
        client.post(reverse("accounts:verify"), {"code": "000000"})
    body = client.post(reverse("accounts:verify"), {"code": "000000"}).content.decode()
    assert "已暂时锁定" in body
    assert "已暂时锁定" in _password(client).content.decode()


def test_a_role_that_cannot_reveal_logs_in_with_the_password_alone(client, required):
    response = _password(client, "demo-leader")
    assert not can_reveal(User.objects.get(username="demo-leader"))
    assert response.status_code == 302 and response["Location"] == reverse("org:home")


def test_with_the_requirement_off_the_demo_accounts_log_in_directly(client, settings):
    settings.TOTP_REQUIRED_FOR_REVEAL = False
    response = _password(client)
    assert response.status_code == 302 and response["Location"] == reverse("org:home")


def test_a_staff_member_may_enrol_by_choice(client, settings):
    settings.TOTP_REQUIRED_FOR_REVEAL = False
    client.force_login(User.objects.get(username="demo-leader"))
    assert "尚未启用" in client.get(reverse("accounts:two_factor")).content.decode()
    client.get(reverse("accounts:enrol"))
    response = client.post(reverse("accounts:enrol"), {"code": _code("demo-leader")})
    assert response.status_code == 200
    client.logout()
    assert _password(client, "demo-leader")["Location"] == reverse("accounts:verify")


def test_the_api_refuses_a_reveal_role_without_a_device(client, required):
    response = client.post(
        TOKEN,
        {"username": "demo-community", "password": DEMO_PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 403 and response.json()["code"] == "totp_enrolment_required"


def test_the_api_asks_an_enrolled_user_for_the_code(client, required):
    _enrol(client)
    client.logout()
    body = {"username": "demo-community", "password": DEMO_PASSWORD}
    response = client.post(TOKEN, body, content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "totp_required"
    body["otp"] = _code(offset_steps=1)
    response = client.post(TOKEN, body, content_type="application/json")
    assert response.status_code == 200 and response.json()["token"]
