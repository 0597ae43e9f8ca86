"""The schedule, the archive and the announcement on a tiny generated city: reports are
due when their period ends (local dates, the clock moved by ``today=``), written once per
(rhythm, node, period), told to the node's leaders through the outbox in the report's own
transaction, and readable only inside the reader's subtree."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from analytics import report_actions
from analytics.models import Report, ReportRun
from analytics.report_actions import CATCH_UP_PERIODS, make_due_reports
from analytics.rhythm import report_nodes
from org.models import OrgNode, RoleAssignment, User
from org.permissions import duties_with
from outbox.models import Outbox
from presets.loader import active_preset

pytestmark = pytest.mark.usefixtures("city", "db")
D = dt.date


def file_case(grid_code: str, at: dt.datetime) -> None:
    from cases.actions import Report as CaseReport
    from cases.actions import do_create_case

    admin = User.objects.get(username="demo-admin")
    do_create_case(
        CaseReport(title="路灯不亮", channel="api", grid_code=grid_code), actor=admin, at=at
    )


def rhythms():
    return {r.key: r for r in active_preset().reporting}


@pytest.fixture(autouse=True)
def history(city):
    """One case in every grid late in 2024, before every period these tests look at: a
    period that ended before a node's first case owes no report
    (``test_reports_first_case``)."""
    at = dt.datetime(2024, 12, 2, 2, 0, tzinfo=dt.UTC)
    for code in OrgNode.objects.filter(level__kind="grid").values_list("code", flat=True):
        file_case(code, at)


def test_a_run_writes_each_due_report_once_and_a_later_day_only_what_ended_since():
    nodes = {key: report_nodes(r).count() for key, r in rhythms().items()}
    assert nodes["dispatch"] > 1  # the district and its towns (jizhou's levels)

    make_due_reports(D(2026, 11, 3))
    per_rhythm = {key: Report.objects.filter(rhythm=key).count() for key in nodes}
    assert per_rhythm == {key: CATCH_UP_PERIODS * n for key, n in nodes.items()}
    keys = set(Report.objects.filter(rhythm="dispatch").values_list("period_key", flat=True))
    assert keys == {"2026-08", "2026-09", "2026-10"}
    assert set(Report.objects.filter(rhythm="inspection").values_list("period_key", flat=True)) == {
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
    }
    assert set(Report.objects.filter(rhythm="bulletin").values_list("period_key", flat=True)) == {
        "2025-H1",
        "2025-H2",
        "2026-H1",
    }
    total, messages = Report.objects.count(), Outbox.objects.count()

    # The same day again, and the last day of November: nothing new has ended.
    assert make_due_reports(D(2026, 11, 3)) == []
    assert make_due_reports(D(2026, 11, 30)) == []
    assert (Report.objects.count(), Outbox.objects.count()) == (total, messages)

    # 1 December (local): November is due, one report per node, with its progress row.
    runs = make_due_reports(D(2026, 12, 1))
    assert [(r.rhythm, r.period_key, r.done, r.total, r.created) for r in runs] == [
        ("dispatch", "2026-11", nodes["dispatch"], nodes["dispatch"], nodes["dispatch"])
    ]
    assert runs[0].finished_at is not None
    assert Report.objects.count() == total + nodes["dispatch"]


def test_a_late_run_catches_up_on_the_periods_it_missed():
    make_due_reports(D(2026, 3, 2))  # Dec, Jan, Feb
    make_due_reports(D(2026, 6, 15))  # the worker was down from March: Mar, Apr, May
    months = sorted(Report.objects.filter(rhythm="dispatch").values_list("period_key", flat=True))
    assert sorted(set(months)) == [
        "2025-12",
        "2026-01",
        "2026-02",
        "2026-03",
        "2026-04",
        "2026-05",
    ]


def test_the_node_s_leaders_are_told_in_the_report_s_transaction():
    root = OrgNode.objects.get(parent=None)
    make_due_reports(D(2026, 2, 1), rhythm_key="dispatch")
    report = Report.objects.get(node=root, period_key="2026-01")
    told = set(
        Outbox.objects.about(report).filter(channel="inbox").values_list("recipient", flat=True)
    )
    seated = set(
        RoleAssignment.objects.filter(
            node=root, department=None, role__duty__in=duties_with("analytics.view")
        ).values_list("user", flat=True)
    )
    assert told == seated and User.objects.get(username="demo-leader").pk in told
    message = Outbox.objects.about(report).filter(channel="inbox").first()
    assert message.event == "report_published"
    assert message.payload["title"] == f"{root.name}2026年1月调度报告已生成"
    assert message.payload["body"].startswith(report.content["sentences"][0])
    assert message.url == f"/reports/r/{report.pk}/"


def test_a_failed_announcement_leaves_no_report(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("outbox down")

    monkeypatch.setattr(report_actions, "notify", broken)
    root = OrgNode.objects.get(parent=None)
    with pytest.raises(RuntimeError):
        report_actions.do_generate_report(
            rhythms()["dispatch"], root, report_actions.period_of(D(2026, 1, 5), 1)
        )
    assert not Report.objects.exists()


def test_the_archive_shows_and_serves_reports_only_inside_the_subtree(client):
    make_due_reports(D(2026, 2, 1), rhythm_key="dispatch")
    root = OrgNode.objects.get(parent=None)
    community_user = User.objects.get(username="demo-community")
    town = community_user.assignments.get().node.parent
    root_report = Report.objects.get(node=root, period_key="2026-01")
    town_report = Report.objects.get(node=town, period_key="2026-01")

    client.force_login(community_user)
    assert client.get(f"/reports/{root.code}/").status_code == 403
    assert client.get(f"/reports/{town.code}/").status_code == 403  # above the community
    assert client.get(f"/reports/r/{root_report.pk}/").status_code == 403
    assert client.get(f"/reports/r/{town_report.pk}/xlsx/").status_code == 403
    assert client.get("/reports/999999999/").status_code == 404

    client.force_login(User.objects.get(username="demo-leader"))
    page = client.get(f"/reports/{root.code}/?rhythm=dispatch&period=2026-01")
    assert page.status_code == 200 and root_report.period_label in page.content.decode()
    assert client.get(f"/reports/{root.code}/?period=2025-07").context["reports"].count() == 0
    detail = client.get(f"/reports/r/{town_report.pk}/").content.decode()
    assert town_report.content["sentences"][0] in detail
    download = client.get(f"/reports/r/{root_report.pk}/xlsx/")
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(download.content))
    assert book["概况"]["A5"].value == root_report.content["sentences"][0]


def test_on_demand_generation_needs_the_verb_and_an_ended_period(client):
    root = OrgNode.objects.get(parent=None)
    grid_user = User.objects.get(username="demo-grid")
    grid = grid_user.assignments.get().node
    client.force_login(grid_user)
    assert client.get(f"/reports/{grid.code}/").status_code == 200  # reads its grid
    assert client.get(f"/reports/{grid.code}/new/").status_code == 403

    client.force_login(User.objects.get(username="demo-leader"))
    answer = client.post(f"/reports/{root.code}/new/", {"rhythm": "inspection", "month": "2026-02"})
    report = Report.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/reports/r/{report.pk}/"
    assert (report.period_key, report.node, report.created_by.username) == (
        "2026-Q1",
        root,
        "demo-leader",
    )
    again = client.post(
        f"/reports/{root.code}/new/", {"rhythm": "inspection", "month": "2026-03"}, follow=True
    )
    assert Report.objects.count() == 1 and "已经生成过" in again.content.decode()
    assert not ReportRun.objects.exists()  # one report: no run


def test_a_period_not_yet_ended_is_refused(client, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: D(2026, 3, 15))
    root = OrgNode.objects.get(parent=None)
    client.force_login(User.objects.get(username="demo-leader"))
    answer = client.post(f"/reports/{root.code}/new/", {"rhythm": "inspection", "month": "2026-02"})
    assert answer.status_code == 200 and "尚未结束" in answer.content.decode()
    assert not Report.objects.exists()


def test_the_command_generates_one_rhythm_period_and_node_once():
    from django.core.management import CommandError, call_command

    root = OrgNode.objects.get(parent=None)
    out = io.StringIO()
    args = ["make_reports", "--rhythm", "bulletin", "--period", "2025-09", "--node", root.code]
    call_command(*args, stdout=out)
    assert "bulletin 2025-H2: 1/1 个节点, 1 份新报告" in out.getvalue()
    call_command(*args, stdout=out)
    assert out.getvalue().rstrip().endswith("共 0 份新报告")
    assert Report.objects.get().period_label == "2025年下半年"
    with pytest.raises(CommandError, match="报告期"):
        call_command("make_reports", "--rhythm", "bulletin", "--period", "2025-13")
    with pytest.raises(CommandError, match="没有报告周期"):
        call_command("make_reports", "--rhythm", "weekly", "--period", "2025-01")


def test_the_periodic_task_makes_what_is_due_today():
    from analytics.tasks import make_scheduled_reports

    make_scheduled_reports.call_local()
    expected = sum(report_nodes(r).count() * CATCH_UP_PERIODS for r in rhythms().values())
    assert Report.objects.count() == expected
    make_scheduled_reports.call_local()
    assert Report.objects.count() == expected


def test_a_report_on_real_cases_says_what_kpis_says():
    """Cases received in January through the real intake: the report's figures are
    kpis()' figures, and its first sentence counts them."""
    import datetime as dtm

    from django.utils import timezone

    from analytics.kpis import kpis
    from cases.actions import Report as CaseReport
    from cases.actions import do_create_case

    grid = User.objects.get(username="demo-grid").assignments.get().node
    admin = User.objects.get(username="demo-admin")
    at = timezone.make_aware(dtm.datetime(2026, 1, 31, 23, 30))  # local: still January
    for number in range(3):
        do_create_case(
            CaseReport(title=f"井盖缺失 {number}", channel="api", grid_code=grid.code),
            actor=admin,
            at=at,
        )
    root = OrgNode.objects.get(parent=None)
    make_due_reports(D(2026, 2, 1), rhythm_key="dispatch")
    report = Report.objects.get(node=root, period_key="2026-01")
    january = kpis(root.code, D(2026, 1, 1), D(2026, 1, 31))[0]
    assert report.content["current"]["received"] == january["received"] == 3
    assert report.content["sentences"][0].startswith("本月接收诉求 3 件")
    assert report.content["prior"]["received"] == 0
    assert "上月无诉求，暂无环比。" in report.content["sentences"]
    children = {row["key"]: row["received"] for row in report.content["children"]}
    town = next(n for n in root.children.all() if grid.code.startswith(n.code))
    assert children[town.code] == 3


def test_the_archive_shows_a_run_in_progress(client):
    root = OrgNode.objects.get(parent=None)
    ReportRun.objects.create(rhythm="dispatch", period_key="2026-01", total=10, done=3)
    client.force_login(User.objects.get(username="demo-leader"))
    page = client.get(f"/reports/{root.code}/").content.decode()
    assert "正在生成 2026-01 的报告：已处理 3 / 10 个节点" in page
