"""Administrators enter the years the chinese-calendar package does not know, and see how
well the classifier does."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.calendar import add_working_days
from catalog.models import CalendarDay, CalendarYear, ClassifierModel

pytestmark = [pytest.mark.django_db]

WARNING = "尚未录入"


def _messages(response):
    return [str(message) for message in response.context["messages"]]


def test_the_calendar_year_list_warns_when_next_year_is_not_entered(admin_client):
    this_year = timezone.localdate().year
    CalendarYear.objects.create(year=this_year, source="chinese-calendar")
    response = admin_client.get(reverse("admin:catalog_calendaryear_changelist"))
    assert response.status_code == 200
    (message,) = [text for text in _messages(response) if WARNING in text]
    assert str(this_year + 1) in message
    CalendarYear.objects.create(year=this_year + 1, source="admin")
    response = admin_client.get(reverse("admin:catalog_calendaryear_changelist"))
    assert not [text for text in _messages(response) if WARNING in text]


def test_an_administrator_enters_2027_and_deadlines_use_it(admin_client, calendar_2026, local, tz):
    add_year = admin_client.get(reverse("admin:catalog_calendaryear_add"))
    assert add_year.context["adminform"].form.initial["source"] == "admin"
    response = admin_client.post(
        reverse("admin:catalog_calendaryear_add"), {"year": 2027, "source": "admin"}
    )
    assert response.status_code == 302
    response = admin_client.post(
        reverse("admin:catalog_calendarday_add"),
        {"date": "2027-01-01", "is_workday": "", "name": "元旦"},
    )
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=dt.date(2027, 1, 1)).is_workday is False
    assert add_working_days(local(2026, 12, 28, 9), 5, tz) == (local(2027, 1, 6), False)


@pytest.mark.parametrize(
    "model", ["tier", "mattercategory", "routingrule", "calendarday", "classifiermodel"]
)
def test_the_catalogue_pages_open(admin_client, model):
    response = admin_client.get(reverse(f"admin:catalog_{model}_changelist"))
    assert response.status_code == 200


def test_administrators_see_the_classifiers_held_out_accuracy(admin_client):
    listing = reverse("admin:catalog_mattercategory_changelist")
    assert any("尚未训练模型" in m for m in _messages(admin_client.get(listing)))
    ClassifierModel.objects.create(
        version=3,
        trained_at=timezone.now(),
        n_seed=1400,
        n_confirmed=420,
        n_categories=159,
        top1=0.645,
        top3=0.824,
        abstention=0.536,
        precision=0.915,
        threshold=0.5,
        catalogue_stamp="x",
        blob=b"",
    )
    line = next(m for m in _messages(admin_client.get(listing)) if "自动分类模型" in m)
    assert "v3" in line and "首选正确 64%" in line and "自动分类的正确率 92%" in line
    versions = admin_client.get(reverse("admin:catalog_classifiermodel_changelist"))
    assert "82%" in versions.content.decode()
    assert admin_client.get(reverse("admin:catalog_classifiermodel_add")).status_code == 403
