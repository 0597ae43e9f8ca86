import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gridgov.masking import mask_text
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


def test_the_access_log_is_append_only(live_city):
    # live_city, not the module's city: that one would still be there when the live tests
    # build theirs (pytest runs a module fixture's tests first).
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


# -- free text (gridgov.masking.mask_text) ---------------------------------------------------

# What residents really write, and what the public sees of it.
MASKED = [
    ("有事打我电话 138-0013-8000", "有事打我电话 138****8000"),
    ("139 0013 8001", "139****8001"),
    ("+86 137 0013 8002", "137****8002"),
    ("0086 13800138000", "138****8000"),
    ("86 13800138000", "138****8000"),
    ("8613800138000", "138****8000"),
    ("138.0013.8000", "138****8000"),
    ("(138)0013-8000", "138****8000"),
    ("电话13800138000谢谢", "电话138****8000谢谢"),
    ("14400138000", "144****8000"),  # an unassigned range: masked by its shape
    ("(0796) 822-1234", "0796-****1234"),
    ("（0796）8221234", "0796-****1234"),
    ("0796-8221234", "0796-****1234"),
    ("010 1234 5678", "010-****5678"),
    ("住址 3栋2单元501室 电话:021-62345678", "住址 3栋2单元501室 电话:021-****5678"),
    ("电话 822-1234", "电话 *****34"),  # no area code, but announced
    ("QQ:12345678", "QQ:******78"),
    ("身份证350102199001011234", "身份证3501**********1234"),
    ("身份证号 35010219900101123x", "身份证号 3501**********123x"),
    ("卡号6222021234567890123", "卡号6222 **** **** 0123"),
    ("卡 6222 0212 3456 7890", "卡 6222 **** **** 7890"),
    ("联系 zhangsan@example.com 或 ab@x.cn", "联系 zh***@example.com 或 a***@x.cn"),
    ("13800138000@qq.com", "13***@qq.com"),
]

# Real-looking text that holds no personal data: it must come back as it went in.
UNCHANGED = [
    "3栋2单元501",
    "1号楼2-1201",
    "3-2-1201室",
    "2025-03-01",
    "2025.03.01",
    "2025年3月1日下午3点",
    "2025-03-01至2025-03-15",
    "时间 2025-03-01 12:30",
    "时间: 09:00-17:30",
    "20250301",
    "JZ-2025-000123",
    "JZ-20250301-000123",
    "已与同类诉求 FZ-20260102-000007 合并办理",
    "金额 12000 元",
    "¥1,280.50",
    "2024年度 12000.00元",
    "面积 89.5 平方米",
    "邮编 332000",
    "车牌 赣G12345",
    "门牌号 128-3",
    "GPS 29.7061, 116.0019",
    "坐标 116.001923,29.706145",
    "拨打 12345 市民热线",
    "客服 400-800-8888",
    "第3网格，共56户",
    "",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_phones_ids_cards_and_emails_are_masked_keeping_what_helps_the_reader(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize("text", UNCHANGED)
def test_ordinary_numbers_stay_as_written(text):
    assert mask_text(text) == text


def test_none_is_empty():
    assert mask_text(None) == ""


_NOT_A_DIGIT = st.characters(blacklist_categories=["Nd"], blacklist_characters="+")
_SEPARATORS = st.sampled_from(["", " ", "-", ".", "  ", " - "])
_PREFIXES = st.sampled_from(["", "+86", "+86 ", "0086", "0086 ", "86 ", "86-"])


@st.composite
def _written_mobile(draw) -> tuple[str, str]:
    """A mobile number as people write it: (its 11 digits, the written form)."""
    digits = draw(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
    one, two = draw(_SEPARATORS), draw(_SEPARATORS)
    if draw(st.booleans()):
        written = f"{digits[:3]}{one}{digits[3:7]}{two}{digits[7:]}"
    else:
        written = f"({digits[:3]}){digits[3:7]}{two}{digits[7:]}"
    return digits, draw(_PREFIXES) + written


@settings(max_examples=300, deadline=None)
@given(
    mobile=_written_mobile(),
    before=st.text(max_size=12).map(lambda s: s + "："),
    after=st.text(_NOT_A_DIGIT, max_size=12),
)
def test_no_mobile_number_survives_in_any_spelling(mobile, before, after):
    digits, written = mobile
    masked = mask_text(before + written + after)
    assert digits not in re.sub(r"\D", "", masked.replace(before, "", 1))
    assert digits[:3] + "****" + digits[-4:] in masked


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=["Cs"]), max_size=60))
def test_masking_never_fails_and_leaves_text_without_digits_or_at_alone(text):
    masked = mask_text(text)
    if not re.search(r"[0-9@]", text):
        assert masked == text


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[0-9]{17}[0-9X]", fullmatch=True))
def test_no_id_number_survives(number):
    assert number not in mask_text(f"身份证：{number}。")
