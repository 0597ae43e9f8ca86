"""What others show of the warnings: the home page's panel for who holds ``alerts.handle``
(``org.panels``) and the dashboards' watch list ``alerts.warnings`` (``gridgov.figures``)."""

from django.db.models import Case as When_
from django.db.models import IntegerField, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alerts.models import Warning
from alerts.models.warnings import ACTIVE_STATUSES
from org.permissions import codes_with, restrict

PANEL_ROWS = 5

_RED_FIRST = When_(
    When(severity="red", then=Value(0)), default=Value(1), output_field=IntegerField()
)


def active_warnings():
    return (
        Warning.objects.filter(status__in=ACTIVE_STATUSES)
        .annotate(red_first=_RED_FIRST)
        .order_by("red_first", "-last_seen", "-pk")
    )


def home_panel(user) -> dict | None:
    """``alerts_warnings = {count, rows, url}``: the open warnings where the user handles
    them; None for who handles none."""
    if codes_with(user, "alerts.handle") == []:
        return None
    mine = restrict(active_warnings(), user, "alerts.handle").select_related("node")
    return {
        "alerts_warnings": {
            "count": mine.count(),
            "rows": list(mine[:PANEL_ROWS]),
            "url": reverse("alerts:warnings"),
        }
    }


def watch_rows(node_code: str, limit: int) -> list[dict]:
    """The watch list ``alerts.warnings``: the subtree's open warnings, red first, newest
    first; no personal data (titles are masked by the rules)."""
    rows = active_warnings().filter(node__code__startswith=node_code)[:limit]
    return [
        {
            "title": warning.title,
            "url": warning.get_absolute_url(),
            "when": warning.created_at,
            "when_label": _("发现"),  # when the rule found it, not a deadline
            "tone": warning.severity,
        }
        for warning in rows
    ]


WATCH_LABEL = _("预警")
