"""Personal details of cases closed long ago are anonymised; the rest of the record stays."""

import secrets
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from audit.retention import ACTION, anonymise_closed_cases, anonymise_finished_orders
from cases.models import Case, CaseEvent, Status

NOW = timezone.datetime(2026, 11, 20, 10, tzinfo=timezone.get_current_timezone())


def make_case(number, status, closed_days_ago, **fields):
    closed_at = NOW - timezone.timedelta(days=closed_days_ago) if closed_days_ago else None
    return Case.objects.create(
        number=number,
        title="路灯不亮",
        description="三号楼门口路灯坏了",
        channel="web",
        status=status,
        org_code="3608020010010",
        lng=115.0123456,
        lat=27.1198765,
        address="吉州区某路 3 号",
        reporter_name="张三",
        reporter_phone="13800001234",
        tracking_token=secrets.token_hex(8),
        created_at=NOW - timezone.timedelta(days=900),
        closed_at=closed_at,
        **fields,
    )


@pytest.fixture
def cases(db):
    reporter = get_user_model().objects.create_user("reporter")
    return {
        "old_closed": make_case("A-1", Status.CLOSED, 800, reporter_user=reporter),
        "old_rejected": make_case("A-2", Status.REJECTED, 731),
        "recent_closed": make_case("A-3", Status.CLOSED, 700),
        "old_open": make_case("A-4", Status.IN_PROGRESS, None),
        "resolved_not_closed": make_case("A-5", Status.RESOLVED, None),
    }


def test_cases_closed_past_the_period_lose_their_personal_details(cases):
    assert anonymise_closed_cases(older_than_days=730, now=NOW) == 2
    case = Case.objects.get(number="A-1")
    assert (case.reporter_name, case.reporter_phone, case.reporter_user) == ("", "", None)
    assert (case.lng, case.lat) == (115.012, 27.12)
    assert case.description == "三号楼门口路灯坏了" and case.title == "路灯不亮"
    assert case.version == 2
    assert Case.objects.get(number="A-2").reporter_phone == ""


def test_the_open311_submitters_contact_details_go_too(cases):
    from open311.models import ApiClient, Submission

    client = ApiClient.objects.create(name="App", slug="app")
    for number in ("A-1", "A-3"):
        Submission.objects.create(
            case=cases["old_closed"] if number == "A-1" else cases["recent_closed"],
            client=client,
            email="zhang@example.com",
            device_id="device-1",
            account_id="acct-1",
            created_at=NOW,
        )
    anonymise_closed_cases(older_than_days=730, now=NOW)
    old = Submission.objects.get(case__number="A-1")
    assert (old.email, old.device_id, old.account_id) == ("", "", "")
    assert Submission.objects.get(case__number="A-3").email == "zhang@example.com"


def test_recent_and_open_cases_are_untouched(cases):
    anonymise_closed_cases(older_than_days=730, now=NOW)
    for number in ("A-3", "A-4", "A-5"):
        case = Case.objects.get(number=number)
        assert case.reporter_phone == "13800001234" and case.lng == 115.0123456, number


def test_the_timeline_shows_the_anonymisation_once(cases):
    anonymise_closed_cases(older_than_days=730, now=NOW)
    assert anonymise_closed_cases(older_than_days=730, now=NOW) == 0
    events = CaseEvent.objects.filter(action=ACTION)
    assert sorted(e.case.number for e in events) == ["A-1", "A-2"]
    event = events.get(case__number="A-1")
    assert event.actor is None and event.at == NOW
    assert event.from_status == event.to_status == Status.CLOSED


def test_batches_cover_more_cases_than_one_batch(db, monkeypatch):
    monkeypatch.setattr("audit.retention.BATCH_SIZE", 2)
    for i in range(5):
        make_case(f"B-{i}", Status.CLOSED, 800)
    assert anonymise_closed_cases(now=NOW) == 5
    assert not Case.objects.exclude(reporter_phone="").exists()


def test_the_command_counts_on_a_dry_run_and_honours_the_setting(cases, settings):
    out = StringIO()
    settings.CASE_RETENTION_DAYS = 10_000
    call_command("anonymise_cases", "--dry-run", stdout=out)
    assert out.getvalue().startswith("0 cases")
    call_command("anonymise_cases", "--days", "30", "--dry-run", stdout=out)
    assert "3 cases and 0 volunteer orders would be anonymised" in out.getvalue()
    assert not CaseEvent.objects.filter(action=ACTION).exists()
    call_command("anonymise_cases", "--days", "30", stdout=out)
    assert "anonymised 3 cases" in out.getvalue()


def test_finished_volunteer_orders_lose_their_requester_and_description(db):
    from org.models import User
    from participation.actions import do_order_action, do_post_order
    from participation.models import OrderEvent, ServiceOrder
    from tests.conftest import build_city

    build_city()
    resident = User.objects.get(username="demo-resident")
    old = do_post_order(actor=resident, kind="wish", title="想要收音机", description="我家住三楼")
    do_order_action(old.pk, "cancel", actor=resident)
    recent = do_post_order(actor=resident, kind="wish", title="学手机", description="住五楼")
    do_order_action(recent.pk, "cancel", actor=resident)
    still_open = do_post_order(actor=resident, kind="order", title="修水管", description="二楼")
    OrderEvent.objects.filter(order__in=[old, still_open]).update(
        at=NOW - timezone.timedelta(days=800)
    )
    assert anonymise_finished_orders(now=NOW) == 1
    assert anonymise_finished_orders(now=NOW) == 0  # once
    old.refresh_from_db()
    assert (old.requester, old.description, old.title) == (None, "", "想要收音机")
    assert old.events.last().action == ACTION and old.events.last().actor is None
    for kept in (recent, still_open):
        assert ServiceOrder.objects.get(pk=kept.pk).requester_id is not None
