"""Importing 12345 files: mapping, preview, idempotence, bad rows with their reasons,
row atomicity, address and coordinate placement, classification, scope."""

import csv
import io
from datetime import datetime

import pytest
from django.utils import timezone
from openpyxl import Workbook

from cases.models import Case, CaseEvent
from exchange.hotline import HotlineSheet
from exchange.importing import preview
from exchange.jobs import execute_job
from exchange.models import HotlineSystem, ImportJob, ImportKind, JobStatus
from exchange.tabular import open_table
from exchange.tests.conftest import make_file, user
from simulate.hotlinegen import REJECTED_KINDS


def run(path, system, username="demo-leader"):
    job = ImportJob.objects.create(
        kind=ImportKind.HOTLINE,
        system=system,
        user=user(username) if username else None,
        source_name=path.name,
        status=JobStatus.QUEUED,
    )
    return execute_job(job.pk, path=path)


def error_rows(job):
    with job.error_file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def write_csv(path, header, rows, encoding="utf-8-sig"):
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


HEADER = [
    "工单编号",
    "受理时间",
    "来电人",
    "联系电话",
    "事发地址",
    "诉求内容",
    "诉求分类",
    "办理时限",
]


def test_a_generated_file_imports_good_rows_and_reports_bad_ones(hotline_csv, system):
    path, generator = hotline_csv
    job = run(path, system)
    rejected = sum(generator.counts[kind] for kind in REJECTED_KINDS)
    assert job.status == JobStatus.DONE
    assert job.total == job.done == 500
    assert job.failed == rejected > 0
    assert job.created == 500 - rejected
    assert Case.objects.filter(source_system="hotline-12345").count() == job.created
    # Nearly every order lands in a grid: addresses and points from the city.
    assert job.located >= 0.9 * job.created
    errors = error_rows(job)
    assert len(errors) == rejected
    assert list(errors[0])[-2:] == ["行号", "错误原因"]
    assert all(row["行号"].isdigit() and row["错误原因"] for row in errors)


def test_importing_the_same_file_twice_changes_nothing(hotline_csv, system):
    path, _ = hotline_csv
    first = run(path, system)
    snapshot = list(
        Case.objects.order_by("pk").values_list("pk", "number", "status", "version", "grid_id")
    )
    events = CaseEvent.objects.count()
    second = run(path, system)
    assert second.created == 0
    assert second.unchanged == first.created
    assert second.failed == first.failed
    assert (
        list(
            Case.objects.order_by("pk").values_list("pk", "number", "status", "version", "grid_id")
        )
        == snapshot
    )
    assert CaseEvent.objects.count() == events
    assert [r["错误原因"] for r in error_rows(second)] == [r["错误原因"] for r in error_rows(first)]


def test_an_order_keeps_the_hotline_ticket_deadline_and_received_time(system, tmp_path):
    path = write_csv(
        tmp_path / "one.csv",
        HEADER,
        [
            [
                "JA2026110100001",
                "2026-11-01 08:30:00",
                "张先生",
                "13812345678",
                "永康镇朝阳路261号桂梅家园1栋0101室",
                "小区门口路灯不亮。晚上很黑,老人出门不安全。",
                "路灯不亮",
                "2026-11-06 18:00:00",
            ]
        ],
    )
    job = run(path, system)
    assert job.created == 1 and job.located == 1
    case = Case.objects.get(external_ref="JA2026110100001")
    assert case.source_system == "hotline-12345" and case.channel == "hotline_12345"
    assert timezone.localtime(case.created_at) == timezone.make_aware(datetime(2026, 11, 1, 8, 30))
    assert timezone.localtime(case.due_at) == timezone.make_aware(datetime(2026, 11, 6, 18, 0))
    assert case.grid.code == "360802001001001"
    assert case.category.code == "JS-001"  # the file's own category matched the catalogue
    assert case.title == "小区门口路灯不亮"
    assert case.reporter_phone == "13812345678"
    event = case.events.get()
    assert event.data["hotline"]["ticket_no"] == "JA2026110100001"
    assert event.data["hotline"]["located_by"] == "building"


def test_a_category_the_catalogue_lacks_is_left_to_the_classifier(system, tmp_path):
    rows = [
        [
            "T1",
            "2026-11-01 08:30",
            "",
            "",
            "桂梅家园1栋",
            "楼下井盖丢了,晚上很危险。",
            "城乡建设",
            "",
        ],
        [
            "T2",
            "2026-11-01 08:31",
            "",
            "",
            "桂梅家园1栋",
            "有人在绿化带里种菜。",
            "市政设施>路灯不亮",
            "",
        ],
    ]
    run(write_csv(tmp_path / "c.csv", HEADER, rows), system)
    assert Case.objects.get(external_ref="T1").category.code == "JS-002"
    assert Case.objects.get(external_ref="T2").category.code == "JS-001"  # path, last part


def test_each_bad_row_gets_its_line_and_reason_and_good_rows_stay(system, tmp_path):
    rows = [
        ["B1", "2026-11-01 08:30", "甲", "13800000000", "桂梅家园1栋", "路灯不亮", "", ""],
        ["B2", "2026-13-45 25:61", "乙", "", "桂梅家园1栋", "路灯不亮", "", ""],
        ["B3", "2026-11-01 08:30", "丙", "", "桂梅家园1栋", "", "", ""],
        ["B1", "2026-11-01 09:00", "丁", "", "桂梅家园1栋", "又一个", "", ""],
        ["B5", "2026-11-01 08:30", "戊", "1381234abcd", "桂梅家园1栋", "路灯不亮", "", ""],
        ["B6", "2026-11-01 08:30", "己", "", "桂梅家园1栋", "路灯不亮", "", "2026-10-01"],
        ["", "2026-11-01 08:30", "庚", "", "桂梅家园1栋", "路灯不亮", "", ""],
        ["B8", "2030-01-01 08:30", "辛", "", "桂梅家园1栋", "路灯不亮", "", ""],
        ["B9", "2026-11-01 08:30", "壬", "", "望星路9号", "路灯不亮", "", ""],
    ]
    job = run(write_csv(tmp_path / "bad.csv", HEADER, rows), system)
    reasons = {row["行号"]: row["错误原因"] for row in error_rows(job)}
    assert set(reasons) == {"3", "4", "5", "6", "7", "8", "9"}
    assert "受理时间" in reasons["3"]
    assert reasons["4"] == "诉求内容为空"
    assert reasons["5"] == "工单编号 B1 与第 2 行重复"
    assert "联系电话" in reasons["6"]
    assert reasons["7"] == "办理时限早于受理时间"
    assert reasons["8"] == "工单编号为空"
    assert "不可信" in reasons["9"]  # 2030: after next year
    assert set(Case.objects.values_list("external_ref", flat=True)) == {"B1", "B9"}
    # An unknown address is imported all the same, without a grid, for the dispatcher.
    assert Case.objects.get(external_ref="B9").grid is None
    assert job.located == 1


def test_a_row_that_fails_halfway_leaves_nothing_behind(system, tmp_path, monkeypatch):
    """The case is written, then its notification fails: the row's savepoint takes the
    case and its timeline back, and the rows around it are kept."""
    import cases.actions.intake as intake

    real_notify = intake.notify

    def notify(case, *args, **kwargs):
        if case.external_ref == "H2":
            raise intake.InvalidInput("通知失败")
        return real_notify(case, *args, **kwargs)

    monkeypatch.setattr(intake, "notify", notify)
    rows = [
        [f"H{i}", "2026-11-01 08:30", "", "", "桂梅家园1栋", "路灯不亮", "", ""] for i in (1, 2, 3)
    ]
    job = run(write_csv(tmp_path / "h.csv", HEADER, rows), system)
    assert job.created == 2 and job.failed == 1
    assert set(Case.objects.values_list("external_ref", flat=True)) == {"H1", "H3"}
    assert not CaseEvent.objects.filter(case__external_ref="H2").exists()
    assert error_rows(job)[0]["错误原因"] == "通知失败"


def test_coordinates_place_an_order_even_without_a_known_address(system, tmp_path):
    from org.models import Building

    building = Building.objects.get(address="人民路158号乐丰花园1栋")
    header = [*HEADER, "经度", "纬度"]
    row = ["P1", "2026-11-01 08:30", "", "", "不知道哪里", "路灯不亮", "", ""]
    job = run(write_csv(tmp_path / "p.csv", header, [[*row, building.lng, building.lat]]), system)
    assert job.located == 1
    assert Case.objects.get(external_ref="P1").grid.code == building.grid.code


def test_a_saved_mapping_reads_the_hotline_own_headers_and_dates(system, tmp_path):
    system.mapping = {
        "ticket_no": "受理单号",
        "received_at": "来电日期",
        "content": "来电内容",
        "address": "诉求地点",
    }
    system.date_format = "%Y/%m/%d %H:%M"
    system.save()
    path = write_csv(
        tmp_path / "theirs.csv",
        ["受理单号", "来电日期", "诉求地点", "来电内容"],
        [["X1", "2026/11/01 08:30", "桂梅家园1栋", "路灯不亮"]],
    )
    job = run(path, system)
    assert job.created == 1
    assert timezone.localtime(Case.objects.get(external_ref="X1").created_at).hour == 8


def test_a_file_missing_a_required_column_fails_with_its_name(system, tmp_path):
    path = write_csv(tmp_path / "short.csv", ["工单编号", "诉求内容"], [["1", "x"]])
    job = run(path, system)
    assert job.status == JobStatus.FAILED
    assert "受理时间" in job.message
    assert not Case.objects.exists()


def test_the_preview_checks_the_first_rows_and_writes_nothing(hotline_csv, system):
    path, _ = hotline_csv
    result = preview(HotlineSheet(user("demo-leader"), system), open_table(path))
    assert result["total"] == 500 and not result["missing"]
    assert len(result["rows"]) == 20
    assert [row["line"] for row in result["rows"]] == list(range(2, 22))
    good = [row for row in result["rows"] if row["ok"]]
    assert good and all(row["notes"]["category"] for row in good)
    assert any(row["notes"]["how"] == "坐标" for row in good)
    assert not Case.objects.exists()


def test_xlsx_and_gbk_files_import_like_the_csv(system, tmp_path):
    csv_path, xlsx_path, gbk_path = (
        tmp_path / "a.csv",
        tmp_path / "b.xlsx",
        tmp_path / "c.csv",
    )
    make_file(csv_path, rows=120, seed=11, system=system)
    make_file(xlsx_path, rows=120, seed=11, system=system)
    make_file(gbk_path, rows=120, seed=11, system=system, encoding="gbk")
    first = run(csv_path, system)
    for path in (xlsx_path, gbk_path):
        again = run(path, system)
        assert (again.created, again.unchanged, again.failed) == (
            0,
            first.created,
            first.failed,
        )


def test_received_times_in_xlsx_date_cells_are_read(system, tmp_path):
    workbook = Workbook()
    workbook.active.append(["工单编号", "受理时间", "事发地址", "诉求内容"])
    workbook.active.append(["D1", datetime(2026, 11, 2, 9, 15), "桂梅家园1栋", "路灯不亮"])
    path = tmp_path / "dates.xlsx"
    workbook.save(path)
    run(path, system)
    received = timezone.localtime(Case.objects.get(external_ref="D1").created_at)
    assert (received.day, received.hour, received.minute) == (2, 9, 15)


def test_a_community_secretary_imports_only_orders_in_their_community(system, tmp_path):
    rows = [
        ["S1", "2026-11-01 08:30", "", "", "东桂社区桂梅家园1栋", "路灯不亮", "", ""],
        ["S2", "2026-11-01 08:30", "", "", "乐溪社区青康公寓1栋", "路灯不亮", "", ""],
        ["S3", "2026-11-01 08:30", "", "", "望星路9号", "路灯不亮", "", ""],
    ]
    job = run(write_csv(tmp_path / "s.csv", HEADER, rows), system, "demo-community")
    assert job.created == 2 and job.failed == 1
    assert "不在您的管辖范围" in error_rows(job)[0]["错误原因"]
    # The unplaced order waits at the secretary's own community.
    assert Case.objects.get(external_ref="S3").org_code == "360802001001"


def test_two_hotline_systems_may_use_the_same_ticket_number(system, tmp_path):
    other = HotlineSystem.objects.get(slug="hotline-12343")
    path = write_csv(
        tmp_path / "t.csv", HEADER, [["SAME1", "2026-11-01 08:30", "", "", "", "路灯不亮", "", ""]]
    )
    run(path, system)
    run(path, other)
    assert sorted(Case.objects.values_list("channel", flat=True)) == [
        "hotline_12343",
        "hotline_12345",
    ]


@pytest.mark.parametrize("rows", [0, 1])
def test_tiny_files_work(system, tmp_path, rows):
    data = [["E1", "2026-11-01 08:30", "", "", "", "路灯不亮", "", ""]][:rows]
    job = run(write_csv(tmp_path / "e.csv", HEADER, data), system)
    assert job.status == JobStatus.DONE and job.created == rows
