"""A fact per case and the additive KPI cells rolled up the tree (issue 12).

``CaseFact`` is what one case contributes to the figures, derived by
``analytics.facts.derive`` from the case, its events and its assignments; ``KpiCell`` holds
the sums of the facts per (node, day or month, dimension), for every ancestor of the
case's node, maintained by delta (``analytics.aggregates``). Pages read cells, never cases.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Additive measures, the same columns on facts and cells (sums on cells).
MEASURES = (
    "received",  # 1: in the cohort and not excluded
    "excluded",  # 1: merged duplicate or refused, per [kpi].exclude; nothing else counts
    "accepted",  # 1: left 已提交 other than refused
    "rejected",  # 1: 不予受理
    "closed",  # 1: finished (已办结 or 已销号), not merged
    "responded",  # 1: responded per [kpi].responded
    "responded_any",  # 1: responded at all (accepted, claimed, dispatched, refused…)
    "responded_on_time",  # 1: responded by the response deadline (none: on time)
    "resolved",  # 1: resolved per [kpi].resolved
    "resolved_on_time",  # 1: finished by the resolution deadline (none: on time)
    "rated",  # 1: a satisfaction was given
    "satisfied",  # 1: the rating is one of [kpi].satisfied
    "called_back",  # 1: closed, with at least one 回访 event
    "reopened",  # 1: reopened (重办) at least once
    "whistles",  # whistle assignments (吹哨)
    "report_ins",  # whistles answered by reporting in (报到)
    "report_in_seconds",  # seconds from whistle to report-in, summed
    "extensions",  # approved extensions
    "escalations",  # escalations (上报上级)
    "handled",  # 1: finished with a resolution time
    "handling_seconds",  # resolved_at − created_at, seconds
    "handling_workdays",  # working days from the day after receipt to the resolution day
)

# Upper edges, in seconds, of the handling-time histogram's bins; the last bin is open.
# p90 = the upper edge of the bin where the cumulative count reaches 90 % (analytics.kpis).
HOUR, DAY = 3600, 86400
BIN_EDGES = (
    HOUR,
    2 * HOUR,
    4 * HOUR,
    8 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    3 * DAY,
    5 * DAY,
    7 * DAY,
    10 * DAY,
    15 * DAY,
    20 * DAY,
    30 * DAY,
    45 * DAY,
    60 * DAY,
    90 * DAY,
    180 * DAY,
    365 * DAY,
)
BINS = tuple(f"h{index:02d}" for index in range(len(BIN_EDGES) + 1))
CELL_MEASURES = MEASURES + BINS

DIMENSIONS = ("category", "group", "channel", "tier", "unit")


def _measure_fields() -> dict:
    return {name: models.BigIntegerField(default=0, db_default=0) for name in MEASURES}


class CaseFact(models.Model):
    """One case's contribution, as of its ``version``. Dimensions are codes ('' = none)."""

    case = models.OneToOneField("cases.Case", models.CASCADE, primary_key=True, related_name="fact")
    version = models.PositiveIntegerField()
    node_code = models.CharField(max_length=32)
    day = models.DateField()  # the local (TIME_ZONE) date of receipt
    month = models.DateField()  # its month's first day
    category = models.CharField(max_length=32, blank=True)
    group = models.CharField(max_length=50, blank=True)
    tier = models.CharField(max_length=32, blank=True)
    channel = models.CharField(max_length=32, blank=True)
    unit = models.CharField(max_length=40, blank=True)  # lead department's code
    handling_bin = models.SmallIntegerField(null=True)  # index into BINS, None: not handled

    locals().update(_measure_fields())

    class Meta:
        verbose_name = _("案件统计事实")
        verbose_name_plural = _("案件统计事实")
        indexes = [models.Index(fields=["node_code", "day"], name="fact_node_day")]

    def __str__(self):
        return f"fact {self.case_id} v{self.version}"


class Period(models.TextChoices):
    DAY = "d", _("日")
    MONTH = "m", _("月")


class KpiCell(models.Model):
    """Sums of the facts of the cases received in one period under one node (its whole
    subtree), overall (``dim``='') or per value of one dimension."""

    node_code = models.CharField(max_length=32)
    period = models.CharField(max_length=1, choices=Period.choices)
    start = models.DateField()
    dim = models.CharField(max_length=16, blank=True)
    value = models.CharField(max_length=50, blank=True)

    # A database default too: the delta upsert names only the measures it changes.
    locals().update(
        {name: models.BigIntegerField(default=0, db_default=0) for name in CELL_MEASURES}
    )

    class Meta:
        verbose_name = _("统计单元")
        verbose_name_plural = _("统计单元")
        constraints = [
            models.UniqueConstraint(
                fields=["node_code", "period", "start", "dim", "value"], name="kpi_cell_key"
            )
        ]
        # What kpis() filters on, in that order: one node (or a node's children), one
        # dimension, then the period's months or a run of days. The key above puts the
        # dimension after the start, so a run of days read by it walks every dimension
        # value of every day (about 200 rows a day under a busy node) to keep one.
        indexes = [
            models.Index(fields=["node_code", "dim", "period", "start"], name="kpi_cell_read")
        ]

    def __str__(self):
        return f"{self.node_code} {self.period}{self.start} {self.dim}={self.value}"
