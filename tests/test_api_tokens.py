"""API tokens over real HTTP (django-rest-knox, accounts/tokens.py): a new token per login,
stored as a digest, expiring and renewed on use up to a maximum, ended by logout (one or
all), by a password change and by deactivation."""

import datetime as dt
import hashlib

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.models import AuthToken
from rest_framework.test import APIRequestFactory

from accounts.tasks import prune_expired_tokens
from accounts.tokens import do_issue_token
from gridgov.authentication import BearerTokenAuthentication
from org.models import User
from tests.conftest import Http

NODES = "/api/v1/org/nodes/"


@pytest.fixture
def http(live_city):
    return Http(live_city)


def works(client: Http) -> bool:
    status, body = client.get(NODES)
    assert status in (200, 401), (status, body)
    return status == 200


def test_each_login_gets_a_new_token_with_an_expiry_a_working_day_ahead(http):
    before = timezone.now()
    first, second = http.login("demo-leader"), http.login("demo-leader")
    assert first.token != second.token
    assert works(first) and works(second)
    status, body = http.post(
        "/api/v1/auth/token", {"username": "demo-leader", "password": "demo12345"}
    )
    assert status == 200 and set(body) == {"token", "expiry"}
    expiry = parse_datetime(body["expiry"])
    assert before + dt.timedelta(hours=10) <= expiry <= timezone.now() + dt.timedelta(hours=10)


def test_the_token_is_stored_as_a_digest_never_in_clear(http):
    token = http.login("demo-grid").token
    row = AuthToken.objects.get(user__username="demo-grid")
    assert row.digest == hashlib.sha512(token.encode()).hexdigest()
    # knox keeps the first 15 of 64 characters to find the row; the rest is only hashed.
    assert len(token) == 64 and row.token_key == token[:15]
    columns = [str(getattr(row, field.attname)) for field in AuthToken._meta.fields]
    assert not any(token in value for value in columns)


def test_logout_ends_this_token_only(http):
    phone, laptop = http.login("demo-grid"), http.login("demo-grid")
    status, body = phone.post("/api/v1/auth/logout")
    assert (status, body) == (204, None)
    assert not works(phone)
    assert works(laptop)
    status, body = phone.post("/api/v1/auth/logout")
    assert status == 401 and body["code"] == "authentication_failed"


def test_logout_all_ends_every_token_of_the_user_and_no_one_elses(http):
    phone, laptop = http.login("demo-grid"), http.login("demo-grid")
    other = http.login("demo-community")
    assert phone.post("/api/v1/auth/logout-all")[0] == 204
    assert not works(phone) and not works(laptop)
    assert works(other)
    assert not AuthToken.objects.filter(user__username="demo-grid").exists()


def test_logout_needs_a_token(http):
    status, body = http.post("/api/v1/auth/logout")
    assert status == 401 and body["code"] == "not_authenticated"


def test_an_expired_token_no_longer_works_and_is_deleted(http):
    client = http.login("demo-grid")
    AuthToken.objects.filter(user__username="demo-grid").update(
        expiry=timezone.now() - dt.timedelta(seconds=1)
    )
    assert not works(client)
    assert not AuthToken.objects.filter(user__username="demo-grid").exists()


def test_use_renews_the_token_but_never_past_the_maximum_after_login(http):
    client = http.login("demo-grid")
    row = AuthToken.objects.get(user__username="demo-grid")
    # An hour left of a token issued two days ago: using it gives it a working day again.
    two_days_ago = timezone.now() - dt.timedelta(days=2)
    AuthToken.objects.filter(pk=row.pk).update(
        created=two_days_ago, expiry=timezone.now() + dt.timedelta(hours=1)
    )
    assert works(client)
    renewed = AuthToken.objects.get(pk=row.pk).expiry
    assert renewed >= timezone.now() + dt.timedelta(hours=9, minutes=59)
    # Issued almost seven days ago: renewal stops at the seventh day after the login.
    issued = timezone.now() - dt.timedelta(days=7) + dt.timedelta(hours=2)
    AuthToken.objects.filter(pk=row.pk).update(
        created=issued, expiry=timezone.now() + dt.timedelta(minutes=5)
    )
    assert works(client)
    assert AuthToken.objects.get(pk=row.pk).expiry == issued + dt.timedelta(days=7)
    # And once that moment has passed, the token is over for good.
    AuthToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - dt.timedelta(seconds=1))
    assert not works(client)


def test_the_lifetimes_come_from_the_settings():
    knox = settings.REST_KNOX
    assert knox["AUTH_HEADER_PREFIX"] == "Bearer" and knox["AUTO_REFRESH"] is True
    assert (
        knox["TOKEN_TTL"] == dt.timedelta(hours=settings.API_TOKEN_HOURS) == dt.timedelta(hours=10)
    )
    assert knox["AUTO_REFRESH_MAX_TTL"] == dt.timedelta(days=7)


def test_a_password_change_by_the_model_or_a_command_ends_the_tokens(http):
    # manage.py changepassword and createsuperuser go through set_password() and save().
    client = http.login("demo-grid")
    user = User.objects.get(username="demo-grid")
    user.set_password("Another-Long-Password-42")
    user.save()
    assert not works(client)
    assert works(http.login("demo-grid", "Another-Long-Password-42"))


def test_a_password_set_in_the_admin_ends_the_tokens(http):
    client = http.login("demo-grid")
    admin = Client()
    admin.force_login(User.objects.get(username="demo-admin"))
    user = User.objects.get(username="demo-grid")
    response = admin.post(
        f"/admin/org/user/{user.pk}/password/",
        {"password1": "Another-Long-Password-42", "password2": "Another-Long-Password-42"},
    )
    assert response.status_code == 302, response.content[:500]
    assert not works(client)


def test_changing_ones_own_password_in_the_admin_ends_ones_tokens(http):
    client = http.login("demo-admin")
    page = Client()
    page.force_login(User.objects.get(username="demo-admin"))
    response = page.post(
        "/admin/password_change/",
        {
            "old_password": "demo12345",
            "new_password1": "Another-Long-Password-42",
            "new_password2": "Another-Long-Password-42",
        },
    )
    assert response.status_code == 302, response.content[:500]
    assert not works(client)


def test_deactivation_ends_the_tokens_for_good(http):
    client = http.login("demo-grid")
    user = User.objects.get(username="demo-grid")
    user.is_active = False
    user.save(update_fields=["is_active"])  # as the admin and the staff register import do
    assert not AuthToken.objects.filter(user=user).exists()
    assert not works(client)
    user.is_active = True
    user.save(update_fields=["is_active"])
    assert not works(client)  # reactivation does not bring old tokens back


def test_last_login_and_other_saves_keep_the_tokens(http):
    client = http.login("demo-grid")
    user = User.objects.get(username="demo-grid")
    user.display_name = "改名"
    user.save()
    assert works(client)


def test_a_user_keeps_at_most_the_configured_number_of_tokens(http, settings):
    settings.API_TOKENS_PER_USER = 3
    clients = [http.login("demo-grid") for _ in range(4)]
    assert AuthToken.objects.filter(user__username="demo-grid").count() == 3
    assert not works(clients[0])
    assert all(works(client) for client in clients[1:])


def test_a_token_header_that_is_not_utf8_is_a_401_not_a_500(db):
    response = Client().get(NODES, HTTP_AUTHORIZATION="Bearer \xff\xfe-not-utf8")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_a_client_still_sending_its_expired_token_can_log_in_again(http):
    client = http.login("demo-grid")
    AuthToken.objects.all().delete()
    status, body = client.post(
        "/api/v1/auth/token", {"username": "demo-grid", "password": "demo12345"}
    )
    assert status == 200 and body["token"] != client.token


def test_expired_tokens_go_at_the_next_login_and_in_the_hourly_prune(db):
    grid, street = User.objects.create_user("grid"), User.objects.create_user("street")
    for user in (grid, grid, street):
        do_issue_token(user)
    AuthToken.objects.update(expiry=timezone.now() - dt.timedelta(seconds=1))
    do_issue_token(grid)
    assert AuthToken.objects.filter(user=grid).count() == 1
    assert AuthToken.objects.filter(user=street).count() == 1
    prune_expired_tokens.call_local()
    assert list(AuthToken.objects.values_list("user", flat=True)) == [grid.pk]


def test_authenticating_a_token_costs_one_query(db, django_assert_num_queries):
    token, _ = do_issue_token(User.objects.create_user("demo-grid"))
    request = APIRequestFactory().get(NODES, HTTP_AUTHORIZATION=f"Bearer {token}")
    with django_assert_num_queries(1):
        user, row = BearerTokenAuthentication().authenticate(request)
    assert user.username == "demo-grid" and row.user_id == user.pk
