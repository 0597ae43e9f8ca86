"""Generating periodic reports: one report (its row and its announcement in one
transaction), a run over a rhythm's nodes with its progress, and what the schedule owes.

- ``do_generate_report(rhythm, node, period, *, actor=None)`` → ``(report, created)``:
  the report of that rhythm on that node for that period, written once; a second call
  (the schedule again, a page, the command) returns the one already there. The row and
  the outbox rows telling the node's leaders are written in one transaction.
- ``generate_reports(rhythm, period, nodes, *, actor=None, code="")`` → ``ReportRun``:
  one report per node, counting ``done`` of ``total`` on the run as it goes.
- ``make_due_reports(today=None)`` → list of runs: for every rhythm of the active preset,
  every period that ended by ``today`` (local date) among the last ``CATCH_UP_PERIODS``,
  over the rhythm's nodes (``analytics.rhythm.report_nodes``) that had a case by the
  period's end (``with_cases_by``). What exists is skipped by
  one query per rhythm and period, so the daily task is cheap when nothing is due, and a
  run after the worker was down catches up.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from analytics.models import Report, ReportRun
from analytics.reports import build_content
from analytics.rhythm import Period, ended_periods, period_of, report_nodes
from org.codes import ancestor_prefixes
from org.models import User
from org.permissions import duties_with
from outbox.notify import notify
from presets.loader import PresetError, active_preset

# How many ended periods of each rhythm a run looks back over: the last one and two more,
# so a worker down for up to two periods still writes what it missed (and a fresh
# installation with history gets the last three months, quarters and halves).
CATCH_UP_PERIODS = 3
EVENT = "report_published"


def rhythm_of(key: str):
    """The active preset's rhythm with that key; LookupError if none."""
    for rhythm in active_preset().reporting:
        if rhythm.key == key:
            return rhythm
    raise LookupError(f"没有报告周期「{key}」")


def recipients(node, rhythm):
    """Who is told of a report: the people seated at the node whose duty holds
    ``analytics.view`` (its leaders), and those of the rhythm's ``to`` roles seated at the
    node or above it who hold it too (张掖: the street's 党工委 for a community's 考评).
    The capability table decides, as for every verb (``org.permissions``)."""
    viewers = duties_with("analytics.view")
    here = Q(assignments__node=node, assignments__department=None)
    if rhythm.to:
        here |= Q(
            assignments__node__code__in=ancestor_prefixes([node.code]),
            assignments__role__code__in=list(rhythm.to),
            assignments__department=None,
        )
    return (
        User.objects.filter(is_active=True)
        .filter(here, assignments__role__duty__in=viewers)
        .distinct()
        .order_by("pk")
    )


def do_generate_report(rhythm, node, period: Period, *, actor=None) -> tuple[Report, bool]:
    """The report of ``rhythm`` on ``node`` for ``period``, created and announced if it
    did not exist. Figures come from ``analytics.kpis.kpis()`` (``build_content``)."""
    existing = Report.objects.filter(
        rhythm=rhythm.key, node=node, period_start=period.start
    ).first()
    if existing is not None:
        return existing, False
    content = build_content(node, rhythm, period, dict(active_preset().targets))
    try:
        with transaction.atomic():
            report = Report.objects.create(
                rhythm=rhythm.key,
                rhythm_name=rhythm.name,
                node=node,
                code=node.code,
                months=period.months,
                period_start=period.start,
                period_end=period.end,
                period_key=period.key,
                period_label=period.label,
                content=content,
                created_by=actor,
            )
            _announce(report, rhythm, node, content)
    except IntegrityError:  # another run wrote it meanwhile: theirs stands
        return Report.objects.get(rhythm=rhythm.key, node=node, period_start=period.start), False
    return report, True


def _announce(report: Report, rhythm, node, content: dict) -> None:
    title = f"{node.name}{report.period_label}{rhythm.name}报告已生成"
    body = " ".join(content["sentences"][:3])
    notify(
        report,
        EVENT,
        recipients(node, rhythm),
        title,
        body,
        at=report.created_at,
        payload={
            "report": {
                "id": report.pk,
                "rhythm": rhythm.key,
                "node_code": node.code,
                "period": report.period_key,
            }
        },
    )


def generate_reports(rhythm, period: Period, nodes, *, actor=None, code: str = "") -> ReportRun:
    """One report per node (an iterable of ``OrgNode``), with the run's progress."""
    nodes = list(nodes)
    run = ReportRun.objects.create(
        rhythm=rhythm.key, period_key=period.key, code=code, total=len(nodes)
    )
    for node in nodes:
        _, created = do_generate_report(rhythm, node, period, actor=actor)
        ReportRun.objects.filter(pk=run.pk).update(
            done=F("done") + 1, created=F("created") + int(created)
        )
    ReportRun.objects.filter(pk=run.pk).update(finished_at=timezone.now())
    run.refresh_from_db()
    return run


def make_due_reports(today=None, *, rhythm_key: str | None = None) -> list[ReportRun]:
    """Every report the schedule owes by ``today`` (local date; default now), for every
    rhythm of the active preset (or the one named). Nothing twice; an installation
    without a preset owes nothing."""
    today = today or timezone.localdate()
    try:
        rhythms = active_preset().reporting
    except PresetError:
        return []
    runs = []
    for rhythm in rhythms:
        if rhythm_key and rhythm.key != rhythm_key:
            continue
        oldest = period_of(today, rhythm.every_months)
        for _ in range(CATCH_UP_PERIODS):
            oldest = oldest.previous()
        for period in ended_periods(rhythm.every_months, today, oldest.start):
            nodes = report_nodes(rhythm)
            done = Report.objects.filter(rhythm=rhythm.key, period_start=period.start)
            missing = nodes.exclude(pk__in=done.values("node_id")).select_related("level")
            if missing.exists():
                missing = missing.filter(code__in=with_cases_by(period, missing))
            if missing.exists():
                runs.append(generate_reports(rhythm, period, missing))
    return runs


def with_cases_by(period: Period, nodes) -> list[str]:
    """The codes of ``nodes`` with a case received in their subtree by the end of
    ``period`` (local date): a period that ended before a node's first case owes no
    report (it would be all zeros, e.g. a half-year before the installation's data)."""
    from cases.models import Case

    after = dt.datetime.combine(
        period.end + dt.timedelta(days=1), dt.time(), tzinfo=timezone.get_current_timezone()
    )
    places = set(
        Case.objects.filter(created_at__lt=after).values_list("org_code", flat=True).distinct()
    )
    return [
        code
        for code in nodes.values_list("code", flat=True)
        if any(place.startswith(code) for place in places)
    ]
