"""The dashboards' periods: presets (本月, 上月, 本季度, 本年) and a custom range, in local
(Asia/Shanghai) dates, end inclusive, as ``analytics.kpis.kpis()`` takes them."""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PRESETS = {
    "month": _("本月"),
    "last_month": _("上月"),
    "quarter": _("本季度"),
    "year": _("本年"),
}
CUSTOM = "custom"
DEFAULT = "month"
# The KPI API refuses longer periods (issue 12: "period > 3 years" is a 400); so do we.
MAX_DAYS = 3 * 366
# Up to this many days the trend is drawn per day, beyond it per month.
DAILY_TREND_DAYS = 62


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    preset: str  # a key of PRESETS, or "custom"
    error: str = ""  # why a custom range given was not used (Chinese), else ""

    @property
    def label(self) -> str:
        if self.preset in PRESETS:
            return str(PRESETS[self.preset])
        return f"{self.start:%Y-%m-%d} 至 {self.end:%Y-%m-%d}"

    @property
    def trend_by(self) -> str:
        """``"day"`` for short periods, ``"month"`` otherwise (the ``group_by`` to draw)."""
        return "day" if (self.end - self.start).days < DAILY_TREND_DAYS else "month"

    def query(self) -> dict:
        """The query string that reproduces this period."""
        if self.preset in PRESETS:
            return {"p": self.preset}
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}


def preset_range(preset: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The dates of a preset around ``today``; presets running now end today."""
    first = today.replace(day=1)
    if preset == "last_month":
        return first - relativedelta(months=1), first - datetime.timedelta(days=1)
    if preset == "quarter":
        return first.replace(month=(today.month - 1) // 3 * 3 + 1), today
    if preset == "year":
        return today.replace(month=1, day=1), today
    return first, today


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


def parse_period(params, today: datetime.date | None = None) -> Period:
    """The period a page or its JSON asks for: ``from``/``to`` (YYYY-MM-DD) when both are
    given and sane, else the preset ``p``, else this month. A bad range falls back to this
    month with ``error`` saying why, so a page never fails on a hand-edited address."""
    today = today or timezone.localdate()
    start, end = params.get("from"), params.get("to")
    error = ""
    if start or end:
        start, end = _date(start), _date(end)
        if start is None or end is None:
            error = str(_("日期格式应为 YYYY-MM-DD"))
        elif start > end:
            error = str(_("开始日期晚于结束日期"))
        elif (end - start).days > MAX_DAYS:
            error = str(_("统计区间不能超过三年"))
        else:
            return Period(start, end, CUSTOM)
    preset = params.get("p") if params.get("p") in PRESETS else DEFAULT
    return Period(*preset_range(preset, today), preset, error)
