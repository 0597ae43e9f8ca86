import pytest

from residents.masking import mask_id_number, mask_phone
from residents.models import AccessLog, Resident
from tests.conftest import Http


def test_phone_keeps_the_first_three_and_last_four_digits():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("") == ""
    assert mask_phone("12345") == "***45"


def test_id_number_keeps_the_first_four_and_last_four_characters():
    assert mask_id_number("35010219900101123X") == "3501**********123X"
    assert mask_id_number("") == ""


@pytest.fixture
def http(live_city):
    return Http(live_city)


def _resident_of_demo_grid():
    return (
        Resident.objects.filter(household__grid__assignments__user__username="demo-grid")
        .exclude(phone="")
        .first()
    )


def test_api_masks_phone_and_id_number(http):
    resident = _resident_of_demo_grid()
    status, body = http.login("demo-grid").get(f"/api/v1/residents/{resident.pk}/")
    assert status == 200
    assert body["phone"] == mask_phone(resident.phone) != resident.phone
    assert body["id_number"] == mask_id_number(resident.id_number)


def test_reveal_returns_the_number_and_writes_the_access_log(http):
    resident = _resident_of_demo_grid()
    status, body = http.login("demo-grid").post(
        f"/api/v1/residents/{resident.pk}/reveal/", {"field": "id_number"}
    )
    assert status == 200
    assert body == {"field": "id_number", "value": resident.id_number}
    log = AccessLog.objects.get()
    assert (log.actor.username, log.resident_id, log.field, log.channel) == (
        "demo-grid",
        resident.pk,
        "id_number",
        "api",
    )


def test_a_role_without_the_permission_cannot_reveal(http):
    resident = Resident.objects.get(user__username="demo-resident")
    status, body = http.login("demo-resident").post(
        f"/api/v1/residents/{resident.pk}/reveal/", {"field": "phone"}
    )
    assert status == 403 and body["code"] == "reveal_not_allowed"
    assert not AccessLog.objects.exists()


def test_reveal_of_an_unknown_field_is_a_400(http):
    resident = _resident_of_demo_grid()
    status, body = http.login("demo-grid").post(
        f"/api/v1/residents/{resident.pk}/reveal/", {"field": "name"}
    )
    assert status == 400 and "field" in body["errors"]
    assert not AccessLog.objects.exists()


def test_the_access_log_is_append_only(city, db):
    from org.models import User

    log = AccessLog.objects.create(
        actor=User.objects.get(username="demo-grid"),
        resident=Resident.objects.first(),
        field="phone",
        channel="page",
    )
    with pytest.raises(ValueError):
        log.save()
    with pytest.raises(ValueError):
        log.delete()
