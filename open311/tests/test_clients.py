"""API keys: issued in the admin, shown once, stored as a hash; the demo client's command."""

import io

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command

from open311.models import ApiClient, hash_key
from open311.tests.conftest import DEMO_KEY, post, report

pytestmark = pytest.mark.django_db


def demo_command(monkeypatch) -> str:
    monkeypatch.setenv("GRIDGOV_DEMO", "1")
    out = io.StringIO()
    call_command("open311_demo_client", stdout=out)
    return out.getvalue()


def shown_key(response) -> str:
    """The key in the last message about one (earlier ones were never displayed)."""
    shown = [str(m) for m in get_messages(response.wsgi_request) if "api_key" in str(m)]
    return shown[-1].rsplit("：", 1)[1]


def test_the_demo_client_command_is_idempotent(city, monkeypatch, client):
    assert "已创建" in demo_command(monkeypatch)
    ApiClient.objects.filter(slug="demo").update(is_active=False, scopes=[], key_hash="x")
    assert "已更新" in demo_command(monkeypatch)
    demo = ApiClient.objects.get()
    assert demo.slug == "demo" and demo.is_active and demo.requests_public
    assert demo.jurisdictions == ["gridgov.local"]
    assert demo.scopes == ["open311.post", "open311.read"]
    assert demo.key_hash == hash_key(DEMO_KEY) and DEMO_KEY not in str(demo.__dict__)
    status, _, _ = post(client, "json", report())
    assert status == 201


def test_the_demo_key_is_refused_outside_a_demo(city, monkeypatch, settings):
    monkeypatch.setenv("GRIDGOV_DEMO", "0")
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("open311_demo_client", stdout=io.StringIO())
    assert not ApiClient.objects.exists()


def test_the_admin_issues_a_key_once_and_keeps_only_its_hash(city, admin_client):
    response = admin_client.post(
        "/admin/open311/apiclient/add/",
        {
            "name": "市民通 App",
            "slug": "citizen-app",
            "jurisdictions": "gridgov.local, other.city",
            "scopes": ["open311.post"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    app = ApiClient.objects.get(slug="citizen-app")
    assert app.jurisdictions == ["gridgov.local", "other.city"]
    assert app.scopes == ["open311.post"] and not app.requests_public
    key = shown_key(response)
    assert len(key) >= 40 and app.key_hash == hash_key(key) and key not in app.key_hint
    assert ApiClient.for_key(key) == app

    response = admin_client.post(
        "/admin/open311/apiclient/",
        {"action": "issue_new_key", "_selected_action": [app.pk]},
    )
    assert response.status_code == 302
    new_key = shown_key(response)
    assert new_key != key
    assert ApiClient.for_key(key) is None and ApiClient.for_key(new_key) == app

    # Editing a client keeps its key.
    response = admin_client.post(
        f"/admin/open311/apiclient/{app.pk}/change/",
        {"name": "市民通", "slug": "citizen-app", "jurisdictions": "gridgov.local"},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.name == "市民通" and not app.is_active and app.scopes == []
    assert app.key_hash == hash_key(new_key)


def test_the_admin_lists_clients_and_submissions(city, admin_client, demo, client):
    post(client, "json", report(email="someone@example.com"))
    assert admin_client.get("/admin/open311/apiclient/").status_code == 200
    response = admin_client.get("/admin/open311/submission/")
    assert response.status_code == 200
    submission = demo.submissions.get()
    page = admin_client.get(f"/admin/open311/submission/{submission.pk}/change/")
    assert page.status_code == 200
    assert "someone@example.com" not in page.content.decode()
