"""The schedule owes no report for a period that ended before the first case received
in the node's subtree (an all-zeros 2025年上半年通报 said nothing)."""

import datetime as dt

import pytest

from analytics.models import Report
from analytics.report_actions import make_due_reports
from analytics.rhythm import report_nodes
from analytics.tests.test_reports_schedule import file_case, rhythms
from org.models import User

pytestmark = pytest.mark.usefixtures("city", "db")
D = dt.date


def test_periods_that_ended_before_a_node_s_first_case_owe_no_report():
    """The 2025 halves ended before the first case (10 February 2026, local): no
    all-zeros 2025年上半年通报; 2026-H1 is owed only where the case is."""
    grid = User.objects.get(username="demo-grid").assignments.get().node
    file_case(grid.code, dt.datetime(2026, 2, 10, 2, 0, tzinfo=dt.UTC))
    make_due_reports(D(2026, 11, 3))
    bulletins = Report.objects.filter(rhythm="bulletin")
    assert set(bulletins.values_list("period_key", flat=True)) == {"2026-H1"}
    assert all(grid.code.startswith(r.node.code) for r in bulletins.select_related("node"))
    dispatch = set(Report.objects.filter(rhythm="dispatch").values_list("period_key", flat=True))
    assert dispatch == {"2026-08", "2026-09", "2026-10"}  # all after the first case
    nodes = report_nodes(rhythms()["dispatch"])
    assert Report.objects.filter(rhythm="dispatch").count() == 3 * len(
        [n for n in nodes if grid.code.startswith(n.code)]
    )
