"""双报到: a person registers themselves; the community keeps the register (scoped, masked)
and imports it from Excel, a bad row going to the error file with its reason."""

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from exchange.importing import preview
from exchange.jobs import execute_job
from exchange.models import ImportJob, JobStatus
from exchange.registers.members import MemberSheet
from exchange.tabular import open_table
from gridgov.errors import InvalidInput, NotPermitted, StaleVersion
from members.actions import (
    Details,
    do_create_registration,
    do_register_self,
    do_update_registration,
)
from members.figures import count_registered
from members.models import Registration, RegistrationKind
from org.models import OrgNode, User


def user(username) -> User:
    return User.objects.get(username=username)


def grids():
    return OrgNode.objects.exclude(grid_kind="").order_by("code")


def test_a_resident_registers_at_their_own_grid_and_changes_it(db, city):
    resident = user("demo-resident")
    registration = do_register_self(actor=resident, employer="区财政局", skills="急救、驾驶 急救")
    assert registration.home_grid == resident.resident.household.grid
    assert registration.name == resident.resident.name and registration.user == resident
    assert registration.skills == ["急救", "驾驶"]
    assert registration.kind == RegistrationKind.PARTY_MEMBER
    other = grids().exclude(pk=registration.home_grid_id).first()
    again = do_register_self(actor=resident, employer="区财政局", grid_code=other.code)
    assert again.pk == registration.pk and again.home_grid == other and again.version == 2
    assert Registration.objects.filter(user=resident).count() == 1


def test_an_account_without_a_home_must_choose_a_grid(db, city):
    with pytest.raises(InvalidInput) as error:
        do_register_self(actor=user("demo-leader"), employer="市委组织部", phone="13900001111")
    assert "网格" in error.value.detail
    # The form's grid list names each grid with its community: two communities may each
    # have a grid of the same name (民康新村网格).
    client = Client()
    client.force_login(user("demo-street"))
    page = client.get("/members/register/").content.decode()
    grid = OrgNode.objects.filter(code__startswith=user("demo-street").assignments.get().node.code)
    grid = grid.exclude(grid_kind="").select_related("parent").order_by("code").first()
    assert f'value="{grid.code}">{grid.parent.name} · {grid.name}</option>' in page


def test_the_community_registers_in_its_subtree_only_and_versions_guard_edits(db, city):
    community = user("demo-community")
    mine = user("demo-grid").assignments.get().node
    registration = do_create_registration(
        actor=community,
        details=Details(name="王强", phone="13912345678", employer="市税务局", grid_code=mine.code),
    )
    foreign = grids().exclude(code__startswith=mine.parent.code).first()
    with pytest.raises(NotPermitted):
        do_create_registration(
            actor=community,
            details=Details(name="李四", phone="13912345679", employer="x", grid_code=foreign.code),
        )
    with pytest.raises(NotPermitted):
        do_create_registration(
            actor=user("demo-grid"),
            details=Details(name="李四", phone="13912345679", employer="x", grid_code=mine.code),
        )
    do_update_registration(
        registration.pk, actor=community, version=1, details=Details(employer="市统计局")
    )
    with pytest.raises(StaleVersion):
        do_update_registration(
            registration.pk, actor=community, version=1, details=Details(employer="y")
        )
    assert count_registered(mine.parent.code) == 1
    assert count_registered(foreign.code) == 0


def test_the_excel_import_creates_updates_and_reports_a_bad_row(db, city, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    mine = user("demo-grid").assignments.get().node
    foreign = grids().exclude(code__startswith=mine.parent.code).first()
    book = Workbook()
    book.active.append(["姓名", "手机号", "工作单位", "居住地网格编码", "身份", "技能特长"])
    book.active.append(["王强", "13912345678", "市税务局", mine.code, "在职党员", "急救、驾驶"])
    book.active.append(["刘芳", "13912345670", "市卫健委", mine.code, "干部", ""])
    book.active.append(["赵错", "1391234", "x", mine.code, "", ""])
    book.active.append(["钱外", "13912345671", "x", foreign.code, "", ""])
    book.active.append(["", "1391234", "", foreign.code, "群众", ""])
    path = tmp_path / "members.xlsx"
    book.save(path)

    def run():
        job = ImportJob.objects.create(
            kind="members",
            user=user("demo-community"),
            source_name=path.name,
            status=JobStatus.QUEUED,
        )
        return execute_job(job.pk, path=path)

    # The preview checks what the import checks (scope included), every error of a row.
    sheet = MemberSheet(user("demo-community"))
    shown = preview(sheet, open_table(path, path.name))["rows"]
    assert [r["ok"] for r in shown] == [True, True, False, False, False]
    assert shown[3]["reason"] == f"网格 {foreign.code} 不在您的管辖范围"
    assert shown[4]["reason"].split("；") == [
        "姓名为空",
        "手机号「1391234」格式不对",
        "工作单位为空",
        f"网格 {foreign.code} 不在您的管辖范围",
        "身份「群众」应填 在职党员 或 在职干部",
    ]

    job = run()
    assert (job.created, job.updated, job.failed) == (2, 0, 3)
    rows = list(load_workbook(job.error_file.path).active.iter_rows(values_only=True))
    reasons = {row[-2]: row[-1] for row in rows[1:]}
    assert "手机号" in reasons[4] and "格式不对" in reasons[4]
    assert reasons[5] == shown[3]["reason"] and reasons[6] == shown[4]["reason"]
    wang = Registration.objects.get(phone="13912345678")
    assert wang.skills == ["急救", "驾驶"] and wang.home_grid == mine
    assert Registration.objects.get(phone="13912345670").kind == RegistrationKind.CADRE
    again = run()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
