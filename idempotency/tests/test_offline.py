"""The server's side of the offline queue: a page form kept on the phone and posted later
(perhaps twice, when an answer was lost) is answered as the first post was and does its
work once; the time it was pressed (``offline_at``) is believed within limits; ``/sw.js``
is served at the root."""

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.middleware.csrf import CSRF_ALLOWED_CHARS
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from cases.models import Case
from idempotency.offline import (
    AHEAD,
    MAX_OFFLINE,
    SKEW,
    TOO_OLD,
    UNREADABLE,
    field_time,
    offline_fields,
)
from org.models import User

NOW = timezone.now().replace(microsecond=0)
OFFLINE = {"HTTP_X_GRIDGOV_OFFLINE": "replay"}
SH = ZoneInfo("Asia/Shanghai")


def _iso(moment):
    return moment.isoformat()


# -- offline_at: the one rule (idempotency.offline.field_time) ---------------------------
# Patrols, visits, care contacts and the quick report all take their time from it; their
# own tests check only that they record what it gives.


def test_a_form_sent_online_is_recorded_now_without_a_note():
    assert field_time(now=NOW) == (NOW, "")
    assert field_time(**offline_fields({}), now=NOW) == (NOW, "")
    assert field_time("  ", now=NOW) == (NOW, "")


def test_the_time_pressed_offline_is_recorded():
    pressed = NOW - timedelta(hours=3)
    assert field_time(_iso(pressed), now=NOW) == (pressed, "")
    assert field_time(pressed, now=NOW) == (pressed, "")  # a datetime, as the demo passes
    # An API body as a form: the same two fields.
    body = {"offline_at": _iso(pressed), "text": "…"}
    assert field_time(**offline_fields(body), now=NOW) == (pressed, "")


def test_a_phone_clock_that_is_off_is_corrected_by_the_span_it_measured():
    # The phone's clock is 2 days behind; it kept the post 3 hours.
    phone_now = NOW - timedelta(days=2)
    data = {"offline_at": _iso(phone_now - timedelta(hours=3)), "offline_sent_at": _iso(phone_now)}
    assert field_time(**offline_fields(data), now=NOW) == (NOW - timedelta(hours=3), "")
    # 10 days ahead and kept an hour: believed too, as it is corrected.
    phone_now = NOW + timedelta(days=10)
    data = {"offline_at": _iso(phone_now - timedelta(hours=1)), "offline_sent_at": _iso(phone_now)}
    assert field_time(**offline_fields(data), now=NOW) == (NOW - timedelta(hours=1), "")
    # A sent time before the press says nothing: the press is taken as it is.
    pressed = NOW - timedelta(hours=2)
    assert field_time(_iso(pressed), _iso(pressed - timedelta(hours=1)), now=NOW) == (pressed, "")


def test_a_time_ahead_within_a_phones_drift_is_now_beyond_it_is_said():
    assert field_time(_iso(NOW + SKEW - timedelta(seconds=1)), now=NOW) == (NOW, "")
    assert field_time(_iso(NOW + SKEW + timedelta(minutes=1)), now=NOW) == (NOW, AHEAD)
    assert "晚于" in AHEAD and "按收到时间记录" in AHEAD


def test_a_time_older_than_a_week_is_not_believed():
    assert field_time(_iso(NOW - MAX_OFFLINE + timedelta(minutes=1)), now=NOW)[1] == ""
    too_old = NOW - MAX_OFFLINE - timedelta(minutes=1)
    assert field_time(_iso(too_old), now=NOW) == (NOW, TOO_OLD)
    assert "7 天" in TOO_OLD
    # Corrected by the phone's span, still too old: kept on the phone 8 days.
    data = {"offline_at": _iso(NOW - timedelta(days=8)), "offline_sent_at": _iso(NOW)}
    assert field_time(**offline_fields(data), now=NOW) == (NOW, TOO_OLD)


@pytest.mark.parametrize("value", ["yesterday", "昨天", "2026-13-40T25:00:00Z", "1e9"])
def test_an_unreadable_time_is_now_and_said(value):
    assert field_time(value, now=NOW) == (NOW, UNREADABLE)
    assert field_time(value, _iso(NOW), now=NOW) == (NOW, UNREADABLE)
    assert "无法识别" in UNREADABLE


def test_a_time_without_an_offset_is_local_time():
    local = timezone.localtime(NOW - timedelta(hours=1)).replace(tzinfo=None)
    assert field_time(local.isoformat(), now=NOW) == (NOW - timedelta(hours=1), "")
    # Asia/Shanghai, as the settings say: 10:00 there is 02:00 UTC.
    now = datetime(2026, 11, 30, 14, 0, tzinfo=SH)
    assert field_time("2026-11-30T10:00", now=now) == (now.replace(hour=10), "")
    # A "+08:00" whose plus became a space in a URL-encoded body.
    assert field_time("2026-11-30T10:00:00 08:00", now=now) == (now.replace(hour=10), "")


# -- replays of a page form ----------------------------------------------------------------


def _report(title, token="a" * 32, **fields):
    grid = User.objects.get(username="demo-grid").assignments.get().node
    return {"grid": grid.code, "title": title, "then": "report", "once": token, **fields}


@pytest.fixture
def worker(city, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = Client()
    client.force_login(User.objects.get(username="demo-grid"))
    return client


def test_a_replayed_quick_report_is_answered_as_the_first_and_filed_once(worker):
    url = reverse("cases:queue")
    pressed = NOW - timedelta(hours=2)
    data = _report("村口垃圾满了", offline_at=_iso(pressed))
    first = worker.post(url, data, **OFFLINE)
    assert first.status_code == 200
    case = Case.objects.get(title="村口垃圾满了")
    location = reverse("cases:detail", args=[case.pk])
    assert first.json() == {
        "ok": True,
        "location": location,
        "replayed": False,
        "messages": [{"level": "success", "text": f"已提交，编号 {case.number}"}],
    }

    again = worker.post(url, data, **OFFLINE)  # the first answer was lost
    assert again.json() == {
        "ok": True,
        "location": location,
        "replayed": True,
        "messages": [{"level": "info", "text": "这个表单已经提交过,没有重复办理。"}],
    }
    sent = worker.post(url, _report("路面塌陷", token="e" * 32), HTTP_X_GRIDGOV_OFFLINE="send")
    assert "messages" not in sent.json()  # they wait for the page the person goes to
    assert "已提交" in worker.get(sent.json()["location"]).content.decode()
    by_hand = worker.post(url, data)  # or the person sends the kept form themselves
    assert (by_hand.status_code, by_hand["Location"]) == (302, location)
    assert Case.objects.filter(title="村口垃圾满了").count() == 1

    # Filed now (its deadlines run from now), pressed then (on its 提交 event).
    submitted = case.events.get(action="submit")
    assert submitted.data["offline_at"] == pressed.isoformat()
    assert case.created_at > pressed + timedelta(hours=1)


def test_a_refused_replay_uses_up_nothing_and_goes_once_put_right(worker):
    url = reverse("cases:queue")
    refused = worker.post(url, _report("", token="b" * 32), **OFFLINE)
    assert refused.status_code == 400
    assert "alert--error" in refused.content.decode()  # the reason the phone shows
    fixed = worker.post(url, _report("路灯不亮", token="b" * 32), **OFFLINE)
    assert fixed.json()["replayed"] is False
    assert Case.objects.filter(title="路灯不亮").count() == 1


def test_a_replay_after_the_session_ended_is_sent_to_the_login_and_files_nothing(city, db):
    response = Client().post(reverse("cases:queue"), _report("无人登录"), **OFFLINE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not Case.objects.filter(title="无人登录").exists()


def test_a_replay_hours_later_passes_the_csrf_check_with_the_cookies_token(city, db):
    """The queue sends the csrftoken cookie's value at the time of sending, not the kept
    form's token: after a new login (which gives a new cookie) the kept post still goes."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(username="demo-grid"))
    page = client.get(reverse("cases:queue")).content.decode()
    kept = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    client.cookies["csrftoken"] = get_random_string(32, CSRF_ALLOWED_CHARS)  # a new login
    stale = client.post(
        reverse("cases:queue"), _report("旧令牌", csrfmiddlewaretoken=kept), **OFFLINE
    )
    fresh = client.post(
        reverse("cases:queue"),
        _report("新令牌", csrfmiddlewaretoken=client.cookies["csrftoken"].value),
        **OFFLINE,
    )
    assert stale.status_code == 403 and not Case.objects.filter(title="旧令牌").exists()
    assert fresh.status_code == 200 and fresh.json()["ok"]
    assert Case.objects.filter(title="新令牌").count() == 1


# -- the service worker --------------------------------------------------------------------


def test_the_service_worker_is_served_at_the_root_without_a_login(city, db, client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert "/static/js/offline.js" in body and "/static/css/gridgov.css" in body
    assert reverse("cases:queue") not in body  # no pages kept for nobody
    assert client.post("/sw.js").status_code == 405


def test_the_service_worker_keeps_the_pages_its_user_may_open(city, db, client):
    """The worker's pages follow the verbs (idempotency.offline_pages): the grid worker's
    phone keeps 今日巡查 and the grid's to-do list; the community secretary's, neither of
    those it would be refused, but the care list it plans."""
    import re

    from org.models import User

    def kept(username):
        client.force_login(User.objects.get(username=username))
        body = client.get("/sw.js").content.decode()
        pages = set(json.loads(re.search(r'"pages": (\[[^\]]*\])', body).group(1)))
        assert {path: client.get(path).status_code for path in pages} == dict.fromkeys(
            pages, 200
        ), username  # each page kept opens for its user
        return pages

    grid = kept("demo-grid")
    assert {reverse("org:home"), reverse("cases:queue"), reverse("patrol:today")} <= grid
    community = kept("demo-community")
    assert reverse("patrol:today") not in community and reverse("cases:queue") not in community
    assert reverse("patrol:care_list") in community


def test_the_service_worker_names_the_hashed_files_under_the_manifest_storage(
    city, db, client, tmp_path, settings
):
    """The demo and production keep static files in the manifest storage, the tests in the
    plain one: a name the manifest lacks (``static("")`` once) is a 500 there only. A
    manifest of every file the finders see stands in for ``collectstatic`` (seconds saved)."""
    from django.contrib.staticfiles import finders

    paths = {}
    for finder in finders.get_finders():
        for path, _storage in finder.list(["*.map", "*.gz", "*.br"]):
            stem, dot, ext = path.replace("\\", "/").rpartition(".")
            paths[path.replace("\\", "/")] = f"{stem}.0a1b2c3d4e5f{dot}{ext}"
    manifest = {"paths": paths, "version": "1.1", "hash": "0"}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    response = client.get("/sw.js")
    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/js/offline.0a1b2c3d4e5f.js" in body
    assert '"static": "/static/"' in body
