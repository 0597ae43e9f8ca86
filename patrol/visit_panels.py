"""What visits and care offer the rest of the platform, registered from ``PatrolConfig.ready``:
the home panel of ``patrol.visit`` holders, the dashboards' figures (``gridgov.figures``)
and the early-warning rules (``gridgov.early_warning``)."""

from django.utils.translation import gettext_lazy as _

from org.codes import subtree_q
from org.permissions import codes_with
from patrol.models import CareSchedule


def home_panel(user) -> dict | None:
    """``patrol_visits = {"todo", "overdue", "coverage_node"}``: for ``patrol.visit``
    holders the households still to visit this month in their grids; for them and for
    ``patrol.plan_care`` holders the care contacts overdue, and for planners the node whose
    coverage page to open (their widest seat). None for anyone else, and for a superuser,
    whose home page would count the whole city."""
    from patrol.care import care_schedules
    from patrol.visit_coverage import local_today, todo

    visits, plans = codes_with(user, "patrol.visit"), codes_with(user, "patrol.plan_care")
    if not visits and not plans:
        return None
    today = local_today()
    return {
        "patrol_visits": {
            "todo": todo(user, today).count() if visits else None,
            "overdue": care_schedules(user).filter(due_on__lt=today).count(),
            "coverage_node": min(plans, key=len) if plans else "",
        }
    }


def coverage_percent(node_code: str) -> int | None:
    """Per cent of the subtree's households covered this month; None without households."""
    from patrol.visit_coverage import local_today, node_coverage

    share = node_coverage(node_code, local_today())["share"]
    return None if share is None else round(share * 100)


def care_overdue(node_code: str) -> int:
    """Key-population residents of the subtree whose care contact is overdue today."""
    from patrol.visit_coverage import local_today

    return CareSchedule.objects.filter(
        subtree_q(node_code, "resident__household__code"), due_on__lt=local_today()
    ).count()


def register() -> None:
    from gridgov.early_warning import register_rule
    from gridgov.figures import register_figure
    from org.panels import register_home_panel
    from patrol import care_tasks  # noqa: F401 (registers the nightly default care plans)
    from patrol.care import care_missed
    from patrol.visit_coverage import visits_overdue

    register_home_panel("patrol/visits/_home.html", home_panel, order=30)
    register_figure("patrol.visit_coverage", _("本月走访覆盖率(%)"), coverage_percent, order=40)
    register_figure("patrol.care_overdue", _("关爱联系逾期"), care_overdue, order=41)
    register_rule("patrol.visits_overdue", _("入户走访超期"), visits_overdue, order=40)
    register_rule("patrol.care_missed", _("关爱联系逾期"), care_missed, order=41, clears=True)
