"""The report archive's pages: a node's reports (filtered by rhythm and period), one
report as a printable page and as an Excel file, and generation on demand.

Reading needs ``analytics.view`` at the report's node; generating needs
``analytics.report`` there (``org.permissions``). A node outside the user's subtrees
answers 403 (the node exists, the user may not read its figures); an unknown one 404.
"""

import datetime as dt
import re
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from analytics.models import Report, ReportRun
from analytics.report_actions import do_generate_report
from analytics.rhythm import last_ended, parse_period, report_levels
from analytics.workbook import workbook_bytes
from org.models import Level, OrgNode
from org.permissions import codes_with, has
from presets.loader import active_preset

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# How far back the on-demand form offers months.
OFFERED_MONTHS = 24


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied("您没有查看这个节点统计报告的权限")


def _node(code: str) -> OrgNode:
    node = OrgNode.objects.select_related("level", "parent").filter(code=code).first()
    if node is None:
        raise Http404("没有这个节点")
    return node


def _report(user, pk: int) -> Report:
    report = get_object_or_404(Report.objects.select_related("node"), pk=pk)
    _require(has(user, "analytics.view", report.code))
    return report


@login_required
def report_home(request):
    """The archive of the user's top node where they read figures."""
    codes = codes_with(request.user, "analytics.view")
    if codes is None:
        root = OrgNode.objects.filter(parent=None).order_by("code").first()
        if root is None:
            raise Http404("还没有组织树")
        return redirect("analytics:reports", code=root.code)
    _require(bool(codes))
    return redirect("analytics:reports", code=min(codes, key=lambda code: (len(code), code)))


@login_required
def report_list(request, code):
    node = _node(code)
    _require(has(request.user, "analytics.view", node.code))
    rhythms = list(active_preset().reporting)
    reports = Report.objects.filter(node=node)
    rhythm = request.GET.get("rhythm", "")
    if rhythm:
        reports = reports.filter(rhythm=rhythm)
    period = request.GET.get("period", "").strip()
    if period:
        # 2026-03 finds the month, and the quarter and half holding it.
        reports = _holding(reports, period)
    levels = report_levels_any(rhythms)
    children = node.children.filter(level__in=levels).order_by("code")
    running = [
        run
        for run in ReportRun.objects.filter(finished_at=None).order_by("-started_at")[:5]
        if node.code.startswith(run.code)
    ]
    return render(
        request,
        "analytics/reports/list.html",
        {
            "node": node,
            "reports": reports[:200],
            "rhythms": rhythms,
            "rhythm": rhythm,
            "period": period,
            "children": children,
            "ancestors": _ancestors(request.user, node),
            "running": running,
            "may_generate": has(request.user, "analytics.report", node.code),
        },
    )


def _holding(reports, period: str):
    """Reports of a year (``2026``) or covering a month (``2026-03``: the month, and the
    quarter and half holding it); an unreadable period finds nothing."""
    if re.fullmatch(r"\d{4}", period):
        return reports.filter(period_start__year=int(period))
    try:
        month = parse_period(period, 1)
    except ValueError:
        return reports.none()
    return reports.filter(period_start__lte=month.start, period_end__gte=month.start)


def report_levels_any(rhythms) -> list:
    levels = list(Level.objects.order_by("depth"))
    chosen = {level.pk: level for r in rhythms for level in report_levels(r, levels)}
    return list(chosen.values())


def _ancestors(user, node) -> list[OrgNode]:
    prefixes = [node.code[:i] for i in range(1, len(node.code))]
    above = OrgNode.objects.filter(code__in=prefixes).order_by("code")
    return [n for n in above if has(user, "analytics.view", n.code)]


class GenerateForm(forms.Form):
    rhythm = forms.ChoiceField(label="报告类型")
    month = forms.ChoiceField(
        label="报告期", help_text="季度、半年报告取包含这个月的季度、半年；只能选已结束的报告期。"
    )

    def __init__(self, *args, rhythms, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.rhythms, self.today = {r.key: r for r in rhythms}, today
        self.fields["rhythm"].choices = [
            (r.key, f"{r.name}（{_every(r.every_months)}）") for r in rhythms
        ]
        month, choices = last_ended(1, today), []
        for _ in range(OFFERED_MONTHS):
            choices.append((month.key, month.label))
            month = month.previous()
        self.fields["month"].choices = choices

    def clean(self):
        data = super().clean()
        rhythm = self.rhythms.get(data.get("rhythm"))
        if rhythm is None or not data.get("month"):
            return data
        period = parse_period(data["month"], rhythm.every_months)
        if period.end >= self.today:
            raise forms.ValidationError(f"{period.label}尚未结束，结束后才能生成报告")
        data["period"], data["rhythm_obj"] = period, rhythm
        return data


def _every(months: int) -> str:
    return {1: "每月", 3: "每季度", 6: "每半年", 12: "每年"}.get(months, f"每 {months} 个月")


@login_required
def report_new(request, code):
    node = _node(code)
    _require(has(request.user, "analytics.report", node.code))
    form = GenerateForm(
        request.POST or None,
        rhythms=list(active_preset().reporting),
        today=timezone.localdate(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report, created = do_generate_report(
            data["rhythm_obj"], node, data["period"], actor=request.user
        )
        if created:
            messages.success(request, f"已生成{report.period_label}{report.rhythm_name}报告")
        else:
            messages.info(request, "这份报告已经生成过，下面是存档的那一份")
        return redirect(report)
    return render(request, "analytics/reports/new.html", {"node": node, "form": form})


@login_required
def report_detail(request, pk):
    report = _report(request.user, pk)
    content = report.content
    return render(
        request,
        "analytics/reports/detail.html",
        {
            "report": report,
            "c": content,
            "headline": _headline(content),
            "tables": _tables(content),
        },
    )


@login_required
def report_xlsx(request, pk):
    report = _report(request.user, pk)
    name = f"{report.content['node']['name']}{report.period_label}{report.rhythm_name}报告.xlsx"
    response = HttpResponse(workbook_bytes(report.content), content_type=XLSX)
    response["Content-Disposition"] = (
        f"attachment; filename=\"report-{report.pk}.xlsx\"; filename*=UTF-8''{quote(name)}"
    )
    return response


# -- what the printable page shows ------------------------------------------------------

RATE_FIELDS = {
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "closure_rate",
    "on_time_resolution_rate",
}
TABLE_FIELDS = (
    ("received", "接收"),
    ("closed", "办结"),
    ("overdue_open", "超期未办"),
    ("response_rate", "响应率"),
    ("resolution_rate", "解决率"),
    ("satisfaction_rate", "满意率"),
    ("score", "综合得分"),
    ("avg_handling_workdays", "平均用时(工作日)"),
)


def _shown(field: str, value) -> str:
    if value is None:
        return "—"
    if field in RATE_FIELDS:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def signed(value: float) -> str:
    """A change with one decimal, rounded first and then signed: +2.3, -0.4, and 0.0 for
    anything that rounds to nothing (never "-0.0")."""
    rounded = round(value, 1) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{rounded:+.1f}" if rounded else "0.0"


def _headline(content: dict) -> list[dict]:
    rows = []
    for field, name in content["fields"]:
        now, before = content["current"].get(field), content["prior"].get(field)
        change = ""
        if now is not None and before is not None:
            delta = now - before
            if field in RATE_FIELDS:
                change = f"{signed(delta * 100)} 个百分点"
            elif isinstance(delta, float):
                change = signed(delta)
            else:
                change = f"{delta:+d}" if delta else "0"
        shown = {"now": _shown(field, now), "before": _shown(field, before)}
        rows.append({"name": name, **shown, "change": change})
    return rows


TREND_FIELDS = (("received", "接收"), ("closed", "办结"), ("satisfaction_rate", "满意率"))


def _tables(content: dict) -> list[dict]:
    tables = []
    # The best (highest score) and slowest (longest handling) children, marked in their table.
    marks: dict[str, list[str]] = {}
    for key, mark in (("best", "得分最高"), ("slowest", "用时最长")):
        if content.get(key):
            marks.setdefault(content[key]["key"], []).append(mark)
    trend = "趋势（按日）" if content["trend_by"] == "day" else "趋势（按月）"
    for title, rows, fields in (
        ("下级", content["children"], TABLE_FIELDS),
        ("按类别", content["groups"], TABLE_FIELDS),
        ("按渠道", content["channels"], TABLE_FIELDS),
        ("按承办部门", content["units"], TABLE_FIELDS),
        (trend, content["trend"], TREND_FIELDS),
    ):
        if not rows:
            continue
        tables.append(
            {
                "title": title,
                "headers": [name for _, name in fields],
                "rows": [
                    {
                        "name": row["name"],
                        "marks": marks.get(row["key"], []) if rows is content["children"] else [],
                        "cells": [_shown(field, row.get(field)) for field, _ in fields],
                    }
                    for row in rows
                ],
            }
        )
    return tables
