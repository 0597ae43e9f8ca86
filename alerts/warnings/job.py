"""The daily job (每日研判): every registered rule (``gridgov.early_warning.rules()``) for a
day, its signals kept as warnings.

For each signal, by ``(kind, subject)``:

- a warning of that kind and subject not yet dealt with → updated (its ``last_seen``,
  reason, figures, severity, evidence; ``first_seen`` moves back for a catch-up of an
  earlier day): never a second one (a partial unique constraint says the same); when a
  later day's reason differs (「近30天反映 42 次」 where it opened with 8), an ``update``
  row on its timeline says so, so the timeline does not contradict the warning;
- else, one dealt with on or after the day (the signal was known when it was dealt with:
  a rerun of an old day) → nothing;
- else a new warning, its ``open`` row on its timeline, and a notice to its owner (through
  the outbox, in the same transaction) unless ``notify_owners`` is off (catch-ups).

A rule that ``clears`` (a standing condition: about to turn red, a care contact overdue)
also closes the active warnings its day no longer signals (``clear_gone``). The job's own
changes (open, update, clear) are written here in bulk on the warnings' timelines; people
act through the workflow (``alerts.warnings.workflow``).

Each rule's day is one transaction: a rule that fails loses only its own day's work, and
the others' are kept (the failure is reported, not hidden). Rerunning a day creates
nothing twice. A run over many days reports its progress per day.
"""

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from alerts.models import Warning, WarningEvent, WarningStatus
from alerts.models.warnings import ACTIVE_STATUSES
from alerts.warnings.common import day_bounds
from alerts.warnings.settings import warning_settings
from gridgov.bulk import update_rows
from gridgov.early_warning import Rule, Signal, one_run, rules
from org.models import OrgNode
from outbox.notify import notify

log = logging.getLogger(__name__)
CHUNK = 500  # subjects per query (SQLite's parameter limit is far above)
UPDATED_FIELDS = [
    "title",
    "reason",
    "severity",
    "figures",
    "evidence_url",
    "last_seen",
    "first_seen",
]


@dataclass
class RunSummary:
    days: int = 0
    signals: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    cleared: int = 0
    failed: list = field(default_factory=list)  # (day, rule key, error)
    by_kind: Counter = field(default_factory=Counter)  # new warnings per kind
    seconds: float = 0.0

    def add(self, other: "RunSummary") -> None:
        self.days += other.days
        self.signals += other.signals
        self.created += other.created
        self.updated += other.updated
        self.skipped += other.skipped
        self.cleared += other.cleared
        self.failed += other.failed
        self.by_kind.update(other.by_kind)


def is_meeting_day(day: dt.date, every_days: int | None = None) -> bool:
    """Whether the job runs for ``day``: every ``every_days`` days (1: daily), counted from
    the calendar's day one so that reruns agree on which days those are."""
    every = every_days or warning_settings().every_days
    return day.toordinal() % every == 0


def _chunks(items: list, size: int = CHUNK):
    for index in range(0, len(items), size):
        yield items[index : index + size]


def keep_signals(signals: list[Signal], day: dt.date, *, at, notify_owners: bool) -> RunSummary:
    """Upsert ``signals`` of ``day`` as warnings (see the module's docstring); the caller
    holds the transaction."""
    summary = RunSummary(signals=len(signals))
    unique = {(s.kind, s.subject): s for s in signals}
    if not unique:
        return summary
    keys = list(unique)
    by_kind: dict[str, list[str]] = {}
    for kind, subject in keys:
        by_kind.setdefault(kind, []).append(subject)
    active: dict[tuple[str, str], Warning] = {}
    dealt_since: set[tuple[str, str]] = set()
    day_start, _ = day_bounds(day)
    for kind, subjects in by_kind.items():
        for chunk in _chunks(subjects):
            found = Warning.objects.select_for_update().filter(kind=kind, subject__in=chunk)
            for warning in found.filter(status__in=ACTIVE_STATUSES):
                active[(warning.kind, warning.subject)] = warning
            dealt = found.filter(status=WarningStatus.DEALT, dealt_at__gte=day_start)
            dealt_since |= {(kind, subject) for subject in dealt.values_list("subject", flat=True)}
    codes = sorted({s.node_code for s in unique.values()})
    nodes = {}
    for chunk in _chunks(codes):
        nodes.update(OrgNode.objects.filter(code__in=chunk).values_list("code", "pk"))
    changed, new, updates = [], [], []
    for key, signal in unique.items():
        warning = active.get(key)
        if warning is not None:
            reason = warning.reason
            if _refresh(warning, signal, day):
                changed.append(warning)
                if warning.reason != reason:
                    updates.append(_update_event(warning, day, at))
            summary.updated += 1
        elif key in dealt_since or signal.node_code not in nodes:
            summary.skipped += 1
        else:
            new.append(
                Warning(
                    kind=signal.kind,
                    subject=signal.subject[:200],
                    node_id=nodes[signal.node_code],
                    owner_id=signal.owner_id,
                    title=signal.title[:200],
                    reason=signal.reason[:2000],
                    severity=signal.severity,
                    figures=signal.figures,
                    evidence_url=signal.evidence_url[:300],
                    first_seen=day,
                    last_seen=day,
                    created_at=at,
                )
            )
    if changed:
        update_rows(Warning, changed, UPDATED_FIELDS)
    if updates:
        WarningEvent.objects.bulk_create(updates, batch_size=CHUNK)
    if new:
        Warning.objects.bulk_create(new, batch_size=CHUNK)
        WarningEvent.objects.bulk_create(
            [
                WarningEvent(
                    warning=warning,
                    action="open",
                    actor=None,
                    at=at,
                    from_status="",
                    to_status=WarningStatus.OPEN,
                    note=warning.reason[:500],
                    data={"day": day.isoformat()},
                )
                for warning in new
            ],
            batch_size=CHUNK,
        )
        if notify_owners:
            for warning in new:
                if warning.owner_id:
                    notify(
                        warning,
                        "warning_opened",
                        [warning.owner],
                        f"新预警：{warning.title}",
                        warning.reason,
                        at=at,
                    )
        summary.created = len(new)
        summary.by_kind.update(warning.kind for warning in new)
    return summary


def _update_event(warning: Warning, day: dt.date, at) -> WarningEvent:
    """The timeline row of a warning whose reason a later day changed (status unchanged)."""
    return WarningEvent(
        warning=warning,
        action="update",
        actor=None,
        at=at or timezone.now(),
        from_status=warning.status,
        to_status=warning.status,
        note=warning.reason[:500],
        data={"day": day.isoformat()},
    )


def _refresh(warning: Warning, signal: Signal, day: dt.date) -> bool:
    """Bring an active warning up to ``signal`` of ``day``; whether anything changed."""
    before = [getattr(warning, name) for name in UPDATED_FIELDS]
    if day >= warning.last_seen:
        warning.title = signal.title[:200]
        warning.reason = signal.reason[:2000]
        warning.severity = signal.severity
        warning.figures = signal.figures
        warning.evidence_url = signal.evidence_url[:300]
        warning.last_seen = day
    warning.first_seen = min(warning.first_seen, day)
    return before != [getattr(warning, name) for name in UPDATED_FIELDS]


def clear_gone(kind: str, signals: list[Signal], day: dt.date, *, at) -> int:
    """Close the active warnings of ``kind`` (a rule that ``clears``) that ``day``'s
    signals no longer name and that no later day has seen (``last_seen`` before ``day``):
    dealt with by the job, 「已消除」 on their timeline, nobody told. Returns how many; the
    caller holds the transaction."""
    named = {signal.subject[:200] for signal in signals}
    gone = [
        warning
        for warning in Warning.objects.select_for_update().filter(
            kind=kind, status__in=ACTIVE_STATUSES, last_seen__lt=day
        )
        if warning.subject not in named
    ]
    note = f"{day:%m月%d日}研判时已不再满足条件，自动关闭"
    events = []
    for warning in gone:
        events.append(
            WarningEvent(
                warning=warning,
                action="clear",
                actor=None,
                at=at,
                from_status=warning.status,
                to_status=WarningStatus.DEALT,
                note=note,
                data={"day": day.isoformat()},
            )
        )
        warning.status, warning.dealt_at, warning.dealt_note = WarningStatus.DEALT, at, note
        warning.version += 1
    update_rows(Warning, gone, ["status", "dealt_at", "dealt_note", "version"])
    WarningEvent.objects.bulk_create(events, batch_size=CHUNK)
    return len(gone)


def run_rule(rule: Rule, day: dt.date, *, at=None, notify_owners: bool = True) -> RunSummary:
    """One rule for one day, in one transaction."""
    at = at or timezone.now()
    with transaction.atomic():
        signals = list(rule.run(day))
        summary = keep_signals(signals, day, at=at, notify_owners=notify_owners)
        if rule.clears:
            summary.cleared = clear_gone(rule.key, signals, day, at=at)
        return summary


def run_day(
    day: dt.date, *, at=None, notify_owners: bool = True, only: set[str] | None = None
) -> RunSummary:
    """Every registered rule (or those keyed in ``only``) for ``day``. A failing rule is
    logged and listed in ``failed``; the others still run."""
    summary = RunSummary(days=1)
    for rule in rules():
        if only is not None and rule.key not in only:
            continue
        try:
            summary.add(run_rule(rule, day, at=at, notify_owners=notify_owners))
        except Exception as error:  # one rule's bug must not cost the others their day
            log.exception("early warning rule %s failed for %s", rule.key, day)
            summary.failed.append((day.isoformat(), rule.key, repr(error)))
    return summary


def run_days(
    first: dt.date,
    last: dt.date,
    *,
    notify_owners: bool = False,
    progress: Callable[[str], None] | None = None,
    only: set[str] | None = None,
    at_for: Callable[[dt.date], dt.datetime] | None = None,
) -> RunSummary:
    """The job for every meeting day from ``first`` to ``last`` (both included), oldest
    first; ``at_for(day)`` gives the moment recorded as the run's time (default now)."""
    started = time.perf_counter()
    summary = RunSummary()
    every = warning_settings().every_days
    day = first
    with one_run():
        while day <= last:
            if is_meeting_day(day, every):
                at = at_for(day) if at_for else None
                done = run_day(day, at=at, notify_owners=notify_owners, only=only)
                summary.add(done)
                if progress:
                    progress(
                        f"{day}: {done.signals} 条信号，新增 {done.created}，更新 {done.updated}"
                        + (f"，消除 {done.cleared}" if done.cleared else "")
                        + (f"，失败 {len(done.failed)}" if done.failed else "")
                    )
            day += dt.timedelta(days=1)
    summary.seconds = time.perf_counter() - started
    return summary


def morning_after(day: dt.date) -> dt.datetime:
    """When the daily job runs for ``day``: 05:30 local time the next morning (``tasks``)."""
    _, end = day_bounds(day)
    return end + dt.timedelta(hours=5, minutes=30)
