"""The rules of the daily early warning (每日研判), offered by the apps that know each
condition, without importing the app that keeps the warnings.

``alerts`` runs the daily job: it calls every registered rule for the day and keeps one
warning per signal (``alerts.models.Warning``). An app registers, from its
``AppConfig.ready()``::

    register_rule("patrol.visits_overdue", _("入户走访超期"), overdue_visits, order=40)

``rule(day: datetime.date) -> Iterable[Signal]``: the conditions that hold at the end of
``day`` (a local, Asia/Shanghai date). A rule only reads; it may be called again for the
same day (a rerun, a catch-up), and must then give the same signals, so that the job
creates nothing twice.

A rule that reads a sliding window (repeats: the last 30 days) may keep what it read for
one day in ``run_memo(key)``, for the next day of the same run (a catch-up over a year reads
each day once instead of thirty times); outside ``one_run()`` the memo is empty each call.
"""

import contextlib
import contextvars
import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Signal:
    """One condition worth a warning.

    ``kind`` is the rule's key. ``subject`` names what the signal is about, stable from one
    run to the next (``"grid=360802001001001;group=市容环境"``): while a warning of the same
    kind and subject is not dealt with, the job updates it instead of opening another.
    ``node_code`` is where it belongs (a grid, a community…): the warning shows on that
    node's page and on every node above it. ``owner_id`` is the user who should deal with
    it (the grid's worker), None for the node's staff. ``evidence_url`` opens what the
    warning rests on (the cases, the patrol, the alarm). ``figures`` are the numbers behind
    ``reason`` (JSON-serialisable).
    """

    kind: str
    subject: str
    node_code: str
    title: str
    reason: str
    evidence_url: str = ""
    owner_id: int | None = None
    severity: Literal["red", "yellow"] = "yellow"
    figures: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    run: Callable[[datetime.date], Iterable[Signal]]
    order: int = 100
    clears: bool = False


_RULES: dict[str, Rule] = {}


def register_rule(
    key: str,
    label,
    run: Callable[[datetime.date], Iterable[Signal]],
    *,
    order: int = 100,
    clears: bool = False,
):
    """Offer ``run(day)`` under ``key`` (``<app>.<name>``); registering a key again replaces
    it (``ready()`` may run more than once in tests).

    ``clears``: the rule's signals are the whole of a standing condition at the end of the
    day (a case about to turn red, a care contact overdue), so a warning the latest day no
    longer signals has cleared and the job closes it. Without it, a signal is an event (a
    blind spot, a repeat, a late answer to an alarm) that a person deals with."""
    _RULES[key] = Rule(key, label, run, order, clears)


def rules() -> list[Rule]:
    """Every registered rule, in order."""
    return sorted(_RULES.values(), key=lambda rule: (rule.order, rule.key))


_MEMO: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "early_warning_memo", default=None
)


@contextlib.contextmanager
def one_run() -> Iterator[None]:
    """One run of the job (a day, or a catch-up over many): the rules share ``run_memo``
    within it. What a rule keeps there is read at most the run's length earlier (minutes):
    a case merged meanwhile still counts until the next run."""
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def run_memo(key: str) -> dict:
    """The dict ``key`` (a rule's key) keeps for the current ``one_run()``; a fresh, unshared
    dict outside one."""
    memo = _MEMO.get()
    return {} if memo is None else memo.setdefault(key, {})
