from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from cases.views.common import workbench
from org.nav import nav_links
from org.permissions import codes_with
from outbox.models import InboxMessage

# How many of a person's entries stay in the header on a phone; the rest go under 更多.
# Three fit a 390 px screen beside 更多 and 消息 with its unread count.
DAILY_ENTRIES = 3


def _sees_statistics(user) -> bool:
    codes = codes_with(user, "analytics.view")
    return codes is None or bool(codes)


def nav_entries(user) -> dict:
    """The header's links for the user's verbs, as ``{"mine": files as the public,
    "daily": [(href, label)], "more": [(href, label)], "field": [(href, label)]}``
    (``field``: the field apps' pages, ``org.nav``, under 外勤): work pages first (queue,
    triage, inbox, board, dashboard), because they are what a person opens every day; then cases,
    volunteering, credit and data exchange; the home page (also behind the site title)
    first under 更多."""
    links = workbench(user)
    entries = [
        (links["queue"], "cases:queue", _("网格待办")),
        (links["triage"], "cases:triage", _("分拨")),
        (links["inbox"], "cases:inbox", _("部门待办")),
        (links["board"], "cases:board", _("督办")),
        # The leaders' dashboards (analytics): daily for whoever may see statistics at a
        # node (None: a superuser, everywhere; a department's seat has no node to show).
        (_sees_statistics(user), "analytics:dashboard_home", _("看板")),
        (True, "cases:list", _("我的诉求") if links["mine"] else _("诉求")),
        (True, "participation:market", _("志愿服务")),
        (True, "credit:index", _("信用积分")),
        (links["exchange"], "exchange:index", _("数据交换")),
    ]
    shown = [(reverse(name), label) for opens, name, label in entries if opens]
    return {
        "mine": links["mine"],
        "daily": shown[:DAILY_ENTRIES],
        "more": [(reverse("org:home"), _("首页")), *shown[DAILY_ENTRIES:]],
        "field": nav_links(user),
    }


def workbench_nav(request) -> dict:
    """The header's links for the user's roles and the unread count, read only when a
    page renders the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav": SimpleLazyObject(lambda: nav_entries(user)),
        "nav_unread": SimpleLazyObject(
            lambda: InboxMessage.objects.filter(user=user, read_at=None).count()
        ),
    }
