"""The reporting rhythm's calendar: the periods of a rhythm and which reports are due.

A rhythm of ``every_months = n`` (n divides 12) cuts the calendar year into periods of n
months starting in January: n = 1 months, 3 quarters, 6 halves, 12 years. Dates are local
(``settings.TIME_ZONE``, Asia/Shanghai): a period ends at local midnight after its last day,
so the December report of a Shanghai installation is due on 1 January local time even
though it is still 31 December in UTC.

- ``Period``: first and last day (inclusive), the key (``2026-01``, ``2026-Q1``, ``2026-H1``,
  ``2026``) and the Chinese label (2026年1月, 2026年第一季度, 2026年上半年, 2026年);
- ``period_of(day, months)``, ``Period.previous()``, ``parse_period(text, months)``;
- ``ended_periods(months, today, since)``: the periods that ended on or before ``today``
  and began on or after ``since`` (how a late run catches up);
- ``report_nodes(rhythm)``: the nodes a rhythm reports on.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

QUARTERS = "一二三四"
HALVES = "上下"


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date  # first day, inclusive
    months: int  # 1, 2, 3, 4, 6 or 12

    @property
    def end(self) -> dt.date:
        """The last day, inclusive."""
        return self.following().start - dt.timedelta(days=1)

    @property
    def index(self) -> int:
        """1-based position of the period in its year."""
        return (self.start.month - 1) // self.months + 1

    @property
    def key(self) -> str:
        """``2026-01`` (month), ``2026-Q1``, ``2026-H1``, ``2026`` (year), ``2026-P2`` (2 or 4
        months): what the archive's filter and ``make_reports --period`` take."""
        year, months = self.start.year, self.months
        if months == 1:
            return f"{year}-{self.start.month:02d}"
        if months == 12:
            return f"{year}"
        kind = {3: "Q", 6: "H"}.get(months, "P")
        return f"{year}-{kind}{self.index}"

    @property
    def label(self) -> str:
        year, months = self.start.year, self.months
        if months == 1:
            return f"{year}年{self.start.month}月"
        if months == 3:
            return f"{year}年第{QUARTERS[self.index - 1]}季度"
        if months == 6:
            return f"{year}年{HALVES[self.index - 1]}半年"
        if months == 12:
            return f"{year}年"
        return f"{year}年{self.start.month}—{self.end.month}月"

    @property
    def noun(self) -> str:
        """What the sentences call the period: 本月, 本季度, 上半年…"""
        return {1: "本月", 3: "本季度", 6: "本半年", 12: "本年"}.get(self.months, "本期")

    @property
    def previous_noun(self) -> str:
        return {1: "上月", 3: "上季度", 6: "上半年", 12: "上年"}.get(self.months, "上期")

    def previous(self) -> "Period":
        year, month = self.start.year, self.start.month - self.months
        if month < 1:
            year, month = year - 1, month + 12
        return Period(dt.date(year, month, 1), self.months)

    def following(self) -> "Period":
        year, month = self.start.year, self.start.month + self.months
        if month > 12:
            year, month = year + 1, month - 12
        return Period(dt.date(year, month, 1), self.months)


def period_of(day: dt.date, months: int) -> Period:
    """The period of ``months`` that holds ``day``."""
    if 12 % months:
        raise ValueError(f"{months} months do not divide the year")
    first = (day.month - 1) // months * months + 1
    return Period(dt.date(day.year, first, 1), months)


PERIOD_KEY = re.compile(r"^(\d{4})(?:-(\d{2})|-([QHP])(\d))?$")


def parse_period(text: str, months: int) -> Period:
    """A period from its key (``2026-03`` also names the quarter or half holding March).
    Raises ValueError with a Chinese reason."""
    found = PERIOD_KEY.match((text or "").strip())
    if not found:
        raise ValueError(f"报告期「{text}」应写成 2026-03、2026-Q1、2026-H1 或 2026")
    year, month, kind, index = found.groups()
    if month is not None:
        month = int(month)
    elif kind is not None:
        size = {"Q": 3, "H": 6, "P": months}[kind]
        if size != months or not 1 <= int(index) <= 12 // months:
            raise ValueError(f"报告期「{text}」与报告周期({months} 个月)不符")
        month = (int(index) - 1) * months + 1
    else:
        month = 1
        if months != 12:
            # A bare year names its first period only for a yearly rhythm.
            raise ValueError(f"报告期「{text}」应写到月份, 如 {year}-01")
    if not 1 <= month <= 12 or not 1 <= int(year):
        raise ValueError(f"报告期「{text}」不是有效的月份")
    return period_of(dt.date(int(year), month, 1), months)


def last_ended(months: int, today: dt.date | None = None) -> Period:
    """The latest period that has ended by ``today`` (local date; default: now)."""
    today = today or timezone.localdate()
    return period_of(today, months).previous()


def ended_periods(months: int, today: dt.date, since: dt.date) -> list[Period]:
    """The periods that ended by ``today`` and began on or after ``since``, oldest first:
    what a run that missed some days (the worker was down) still owes."""
    periods, period = [], last_ended(months, today)
    while period.start >= since:
        periods.append(period)
        period = period.previous()
    return periods[::-1]


def report_levels(rhythm, levels) -> list:
    """The ``org.Level`` rows a rhythm reports on (``levels``: every level, by depth).

    Default (a rhythm without ``levels``): the root and the level below it, i.e. the
    district or city and its streets/towns. Why: the root's leaders hold the review and the
    level below is the one dispatched to and inspected (吉州's 调度/督查/通报 are of the towns);
    communities and grids read their figures live on the dashboard, and a file each month
    for every grid would be thousands nobody reads."""
    admin = [level for level in levels if level.kind == "admin"]
    if not rhythm.levels:
        return admin[:2]
    wanted = set(rhythm.levels)
    return [level for level in admin if level.key in wanted]


def report_nodes(rhythm):
    """The nodes a rhythm reports on, by code (a queryset of ``org.OrgNode``)."""
    from org.models import Level, OrgNode

    levels = report_levels(rhythm, list(Level.objects.order_by("depth")))
    return OrgNode.objects.filter(level__in=levels).order_by("code")
