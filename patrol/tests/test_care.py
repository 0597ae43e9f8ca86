"""Key populations' care: default schedules, contacts (a visit counts), due and missed with
the clock moved, the plan_care verb, and the care_missed rule."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from gridgov.errors import NotPermitted, StaleVersion
from org.models import User
from patrol.care import (
    care_missed,
    care_schedules,
    do_plan_care,
    do_plan_default_care,
    do_record_contact,
    missed_on,
    status_of,
)
from patrol.models import Carer, CareSchedule
from patrol.visits import do_record_visit
from residents.models import Resident, Tag

SH = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=SH)


def user(username):
    return User.objects.get(username=username)


def grid():
    return user("demo-grid").assignments.get().node


@pytest.fixture
def alone(db, city):
    """A resident of demo-grid's grid living alone, with the default schedule from START."""
    resident = Resident.objects.filter(household__grid=grid()).order_by("pk").first()
    resident.tags.set([Tag.objects.get(code="living-alone"), Tag.objects.get(code="elderly")])
    CareSchedule.objects.filter(resident__household__grid=grid()).delete()
    do_plan_default_care(grid().code, now=START)
    return CareSchedule.objects.get(resident=resident)


def test_a_tagged_resident_gets_the_shortest_default_rhythm_of_their_tags(alone):
    # 独居 weekly by the building leader beats 高龄 fortnightly by the grid worker.
    assert (alone.every_days, alone.by, alone.due_on) == (
        7,
        Carer.BUILDING_LEADER,
        dt.date(2026, 11, 9),
    )
    assert set(alone.reason.split("、")) == {"独居", "高龄"}
    assert do_plan_default_care(grid().code, now=START) == 0  # never twice
    assert alone.events.get().action == "plan_default"


def test_due_then_missed_as_the_days_pass(alone):
    assert status_of(alone, dt.date(2026, 11, 3)) == "ok"
    assert status_of(alone, dt.date(2026, 11, 8)) == "due"
    assert status_of(alone, dt.date(2026, 11, 10)) == "overdue"
    assert [s for s, _ in missed_on(dt.date(2026, 11, 8)) if s.pk == alone.pk] == []
    assert [(s.pk, due) for s, due in missed_on(dt.date(2026, 11, 9)) if s.pk == alone.pk] == [
        (alone.pk, dt.date(2026, 11, 9))
    ]


def test_a_visit_that_meets_the_household_is_a_care_contact(alone):
    at = dt.datetime(2026, 11, 8, 10, tzinfo=SH)
    for outcome in ("nobody_home", "met"):
        do_record_visit(
            actor=user("demo-grid"),
            household_id=alone.resident.household_id,
            outcome=outcome,
            now=at,
        )
    alone.refresh_from_db()
    contact = alone.contacts.get()  # the closed door did not count
    assert (contact.kind, contact.contacted_at, alone.due_on) == (
        "visit",
        at,
        dt.date(2026, 11, 15),
    )
    assert alone.pk not in [s.pk for s, _ in missed_on(dt.date(2026, 11, 9))]


def test_a_phone_call_moves_the_due_date_and_a_past_day_stays_missed(alone):
    do_record_contact(
        alone.pk,
        actor=user("demo-grid"),
        note="电话问候",
        now=dt.datetime(2026, 11, 12, 9, tzinfo=SH),
    )
    alone.refresh_from_db()
    assert alone.due_on == dt.date(2026, 11, 19)
    # The rule for 10 November gives what it gave that day: the call came after it.
    signals = [s for s in care_missed(dt.date(2026, 11, 10)) if s.subject == f"care={alone.pk}"]
    assert len(signals) == 1
    signal = signals[0]
    assert signal.node_code == grid().code and signal.figures["days_late"] == 2
    assert alone.resident.name not in signal.title and alone.resident.name[0] + "*" in signal.title
    assert signal.owner_id is not None and "/care/?grid=" in signal.evidence_url
    assert list(care_missed(dt.date(2026, 11, 10))) == list(care_missed(dt.date(2026, 11, 10)))
    assert [s for s in care_missed(dt.date(2026, 11, 13)) if s.subject == f"care={alone.pk}"] == []


def test_who_plans_care_changes_the_rhythm_and_a_stale_change_is_refused(alone):
    with pytest.raises(NotPermitted):
        do_plan_care(alone.resident_id, actor=user("demo-grid"), every_days=3, by="grid_worker")
    changed = do_plan_care(
        alone.resident_id, actor=user("demo-community"), every_days=3, by="grid_worker", version=1
    )
    assert (changed.every_days, changed.version, changed.due_on) == (3, 2, dt.date(2026, 11, 5))
    assert list(changed.events.values_list("action", flat=True)) == ["plan_default", "change"]
    with pytest.raises(StaleVersion):
        do_plan_care(
            alone.resident_id,
            actor=user("demo-community"),
            every_days=5,
            by="grid_worker",
            version=1,
        )


def test_the_care_list_is_the_workers_and_the_planners(alone):
    assert alone in care_schedules(user("demo-grid"))
    assert alone in care_schedules(user("demo-community"))
    assert list(care_schedules(user("demo-resident"))) == []


def test_a_refused_care_form_answers_4xx_with_the_form_not_a_redirect(alone, client):
    """A redirect would use up the offline queue's one-time token: a refusal is the form
    again with its reason (as the visit form does)."""
    client.force_login(user("demo-grid"))
    answer = client.post(f"/care/{alone.pk}/contact/", {"kind": "zzz", "note": "问候"})
    page = answer.content.decode()
    assert answer.status_code == 400 and "联系方式无效" in page and "问候" in page
    assert f'action="/care/{alone.pk}/contact/"' in page and "data-offline" in page
    assert not alone.contacts.exists()
    assert client.post(f"/care/{alone.pk}/contact/", {"next": "/care/"}).status_code == 302
    client.force_login(user("demo-community"))
    answer = client.post(
        f"/care/{alone.pk}/plan/", {"every_days": "9", "by": "grid_worker", "version": "0"}
    )
    page = answer.content.decode()
    assert answer.status_code == 409 and 'value="9"' in page
