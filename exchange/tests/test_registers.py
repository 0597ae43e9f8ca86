"""Excel in and out for staff, households and residents, partner units and the
catalogue: scoped, masked unless revealed, neutralised, and idempotent on natural keys."""

import io
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from catalog.models import MatterCategory
from exchange.access import may_import
from exchange.jobs import execute_job, export_register
from exchange.models import ExportRecord, ImportJob, JobStatus
from exchange.tests.conftest import user
from org.models import GridPairing, Household, PartnerUnit, User
from residents.models import AccessLog, Resident
from simulate.citygen import id_number


def export(username, kind, reveal=False):
    content, *_ = export_register(user(username), kind, reveal=reveal, file_format="xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return rows[0], rows[1:], content


def save(tmp_path, name, header, rows):
    workbook = Workbook()
    workbook.active.append(header)
    for row in rows:
        workbook.active.append(row)
    path = tmp_path / name
    workbook.save(path)
    return path


def run(kind, path, username):
    job = ImportJob.objects.create(
        kind=kind, user=user(username), source_name=path.name, status=JobStatus.QUEUED
    )
    return execute_job(job.pk, path=path)


def error_reasons(job):
    sheet = load_workbook(job.error_file.path).active
    rows = list(sheet.iter_rows(values_only=True))
    return {row[-2]: row[-1] for row in rows[1:]}


def round_trip(tmp_path, kind, username):
    header, rows, content = export(username, kind)
    path = tmp_path / f"{kind}.xlsx"
    path.write_bytes(content)
    return header, rows, run(kind, path, username)


# -- staff ----------------------------------------------------------------------------------


def test_a_community_secretary_exports_only_their_community_staff(db, city):
    header, rows, _ = export("demo-community", "staff")
    assert header[:3] == ["用户名", "姓名", "手机号"]
    assert rows and all(row[5].startswith("360802001001") for row in rows)
    assert all("****" in row[2] for row in rows if row[2])
    leader_rows = export("demo-leader", "staff")[1]
    assert len(leader_rows) > len(rows)


def test_phones_are_revealed_only_to_roles_that_may_and_ask(db, city):
    masked = export("demo-community", "staff")[1]
    revealed = export("demo-community", "staff", reveal=True)[1]
    assert all("*" not in (row[2] or "") for row in revealed)
    assert [row[0] for row in masked] == [row[0] for row in revealed]
    # The district leader's role may not reveal: asking changes nothing.
    leader = export("demo-leader", "staff", reveal=True)[1]
    assert all("*" in row[2] for row in leader if row[2])
    assert list(ExportRecord.objects.values_list("revealed", flat=True).order_by("pk")) == [
        False,
        True,
        False,
    ]


def test_exported_staff_import_back_unchanged(db, city, tmp_path):
    _, rows, job = round_trip(tmp_path, "staff", "demo-community")
    assert job.failed == 0 and job.created == job.updated == 0
    assert job.unchanged == len(rows)


def test_a_new_staff_row_creates_the_account_and_its_role(db, city, tmp_path):
    header = ["用户名", "姓名", "手机号", "角色编码", "节点编码"]
    path = save(
        tmp_path,
        "new.xlsx",
        header,
        [
            ["wang-gezhang", "王格长", "13911112222", "grid-leader", "360802001001002"],
            ["wang-gezhang", "王格长", "13911112222", "grid-worker", "360802001001003"],
            ["li-outside", "李外", "", "grid-worker", "360802001002001"],
            ["zhao-wrong", "赵错", "", "grid-worker", "360802001001"],
            ["demo-leader", "改名", "", "grid-worker", "360802001001001"],
        ],
    )
    job = run("staff", path, "demo-community")
    assert (job.created, job.updated, job.failed) == (1, 1, 3)
    person = User.objects.get(username="wang-gezhang")
    assert not person.has_usable_password() and person.phone == "13911112222"
    assert set(person.assignments.values_list("role__code", flat=True)) == {
        "grid-leader",
        "grid-worker",
    }
    reasons = error_reasons(job)
    assert "不在您的管辖范围" in reasons[4]
    assert "应任职在" in reasons[5]
    assert "管辖范围外另有任职" in reasons[6]
    assert User.objects.get(username="demo-leader").display_name != "改名"
    again = run("staff", path, "demo-community")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


# -- households and residents -------------------------------------------------------------------


def test_residents_export_is_masked_scoped_and_neutralised(db, city):
    Resident.objects.filter(household__code__startswith="360802001001001").update(
        name="=HYPERLINK(1)"
    )
    header, rows, _ = export("demo-grid", "residents")
    assert rows and all(row[0].startswith("360802001001001") for row in rows)
    index = {name: i for i, name in enumerate(header)}
    assert all("*" in row[index["身份证号"]] for row in rows if row[index["身份证号"]])
    # An XLSX text cell: never evaluated, so written as it is (CSV gets the guard).
    assert {row[index["姓名"]] for row in rows} == {"=HYPERLINK(1)"}
    assert not AccessLog.objects.exists()


def test_revealed_residents_are_written_to_the_access_log(db, city):
    """Unmasked exports are the community secretary's (residents.export), each one logged."""
    header, rows, _ = export("demo-community", "residents", reveal=True)
    index = header.index("身份证号")
    assert all("*" not in row[index] for row in rows if row[index])
    community = user("demo-community").assignments.get().node.code
    people = Resident.objects.filter(household__code__startswith=community)
    logged = AccessLog.objects.filter(actor__username="demo-community", channel="export")
    assert logged.filter(field="id_number").count() == people.exclude(id_number="").count()
    assert logged.filter(field="phone").count() == people.exclude(phone="").count()


def test_department_staff_cannot_export_residents(db, city):
    from exchange.access import may_export

    assert not may_export(user("demo-dept"), "residents")
    assert may_export(user("demo-dept"), "catalogue")


def test_exported_residents_import_back_unchanged_masks_and_all(db, city, tmp_path):
    before = list(Resident.objects.order_by("pk").values())
    _, rows, job = round_trip(tmp_path, "residents", "demo-community")
    assert job.failed == 0, error_reasons(job)
    assert (job.created, job.updated, job.unchanged) == (0, 0, len(rows))
    assert list(Resident.objects.order_by("pk").values()) == before


def test_residents_are_added_and_updated_by_id_number(db, city, tmp_path):
    household = Household.objects.filter(code__startswith="360802001001001").first()
    someone = household.residents.exclude(id_number="").first()
    child_id = id_number("360802", date(2015, 1, 1), 1)  # a boy (odd 17th digit)
    wrong_check = child_id[:-1] + ("0" if child_id[-1] != "0" else "1")
    header = ["户编码", "姓名", "性别", "出生年份", "身份证号", "手机号", "户主", "标签"]
    path = save(
        tmp_path,
        "people.xlsx",
        header,
        [
            [household.code, someone.name, "", "", someone.id_number, "13700000000", "", ""],
            [household.code, "新成员", "", "", child_id, "", "否", "儿童"],
            [household.code, "错号", "", "", wrong_check, "", "", ""],
            [household.code, "没号", "", "", "3608**********0016", "", "", ""],
            ["360802002001001001" + "0001", "越界", "男", "1980", "", "", "", ""],
        ],
    )
    job = run("residents", path, "demo-community")
    assert (job.created, job.updated, job.failed) == (1, 1, 3)
    someone.refresh_from_db()
    assert someone.phone == "13700000000"
    child = household.residents.get(name="新成员")
    assert (child.gender, child.birth_year) == ("M", 2015)
    assert [tag.code for tag in child.tags.all()] == ["child"]
    reasons = error_reasons(job)
    assert "校验位" in reasons[4]
    assert "已脱敏" in reasons[5]
    assert "不在您的管辖范围" in reasons[6]
    again = run("residents", path, "demo-community")
    assert (again.created, again.updated, again.failed) == (0, 0, 3)


# -- partners and catalogue ---------------------------------------------------------------------


def test_partners_round_trip_and_new_pairings(db, city, tmp_path):
    header, rows, job = round_trip(tmp_path, "partners", "demo-community")
    assert rows and all(row[4].startswith("360802001001") for row in rows)
    assert job.failed == 0 and job.unchanged == len(rows)
    path = save(
        tmp_path,
        "new.xlsx",
        header,
        [
            ["P-NEW", "新共建单位", "国有企业", "", "360802001001003", "", "2026-01-01"],
            ["P-NEW", "新共建单位", "国有企业", "", "360802001001002", "", ""],
            ["P-OUT", "外面的单位", "机关", "", "360802002001001", "", ""],
        ],
    )
    job = run("partners", path, "demo-community")
    assert (job.created, job.updated, job.failed) == (1, 1, 1)
    partner = PartnerUnit.objects.get(code="P-NEW")
    assert GridPairing.objects.filter(partner=partner).count() == 2
    assert not PartnerUnit.objects.filter(code="P-OUT").exists()


def test_the_catalogue_round_trips_and_only_the_top_may_change_it(db, city, tmp_path):
    header, rows, job = round_trip(tmp_path, "catalogue", "demo-leader")
    assert job.unchanged == len(rows) == MatterCategory.objects.count()
    assert not may_import(user("demo-community"), "catalogue")
    assert may_import(user("demo-leader"), "catalogue")
    path = save(
        tmp_path,
        "cat.xlsx",
        header,
        [
            [
                "JS-001",
                "路灯不亮或损坏",
                "市政设施",
                "coordinated",
                "city_management",
                "路灯、不亮",
                "是",
            ],
            ["XX-001", "新事项", "其他", "简易问题", "", "新词", "是"],
            ["XX-002", "坏层级", "其他", "nope", "", "", ""],
        ],
    )
    job = run("catalogue", path, "demo-leader")
    assert (job.created, job.updated, job.failed) == (1, 1, 1)
    assert MatterCategory.objects.get(code="JS-001").keywords == ["路灯", "不亮"]
    assert MatterCategory.objects.get(code="XX-001").default_tier.code == "immediate"


@pytest.mark.parametrize("kind", ["staff", "residents", "partners", "catalogue"])
def test_a_register_file_without_its_key_column_fails_clearly(db, city, tmp_path, kind):
    path = save(tmp_path, "x.xlsx", ["随便"], [["1"]])
    job = run(kind, path, "demo-leader")
    assert job.status == JobStatus.FAILED and "缺少" in job.message
