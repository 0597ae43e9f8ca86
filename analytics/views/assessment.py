"""Pages of assessment (考核评议): the monthly rankings and each rank's evidence, the
organisational scoring form, the survey form and the residents' rating form (the 十佳
lists are ``analytics.views.awards``).

Who sees what: rankings and evidence need ``analytics.view`` where the ranked subject
sits (a row outside the user's scope is not listed, its evidence is 404); scoring and
surveys need ``analytics.evaluate`` above the node; publishing a ranking needs
``analytics.award`` at the top of the tree; the rating form is a resident's own. Views
parse, check, call the action, render.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from analytics.assessment import (
    COMPONENT_NAMES,
    KIND_NAMES,
    TIE_NOTE,
    compute_ranking,
    month_end,
    parse_month,
    previous_month,
    ranking_of,
    scheme,
    this_month,
)
from analytics.evaluation import (
    do_enter_survey,
    do_score_node,
    do_vote,
    evaluable_children,
    month_locked,
)
from analytics.kpis import KPI_FIELDS, KPI_NAMES
from analytics.models import (
    Answer,
    MonthlyRanking,
    MonthlyScore,
    OrgEvaluation,
    RankingStatus,
    ResidentVote,
    Survey,
)
from analytics.preset_assessment import NODE_KINDS
from gridgov.errors import ActionError
from idempotency.keys import page_once
from org.codes import any_subtree_q
from org.models import OrgNode
from org.permissions import codes_with, has

VIEW = "analytics.view"


def _month(request, default=None) -> dt.date:
    """The month a form sent (a POST's own choice over the page's query), else the page's."""
    sent = request.POST.get("month") if request.method == "POST" else None
    return parse_month(sent or request.GET.get("month")) or (
        default or previous_month(this_month())
    )


def _visible_scores(user, ranking):
    codes = codes_with(user, VIEW)
    scores = ranking.scores.all()
    return scores if codes is None else scores.filter(any_subtree_q(codes, "scope_code"))


def may_publish(user) -> bool:
    """Publishing freezes a ranking for everyone: ``analytics.award`` at the tree's top."""
    roots = OrgNode.objects.filter(parent=None).values_list("code", flat=True)
    return bool(roots) and all(has(user, "analytics.award", code) for code in roots)


def _months(count=12) -> list[dt.date]:
    months, month = [], this_month()
    for _index in range(count):
        months.append(month)
        month = previous_month(month)
    return months


@login_required
def rankings(request):
    """One kind × one month: the ranks the user may see, each opening its evidence."""
    user = request.user
    if codes_with(user, VIEW) == []:
        raise PermissionDenied
    assessment = scheme()
    kinds = [(r.kind, r.name) for r in assessment.rankings]
    kind = request.GET.get("kind") or (kinds[0][0] if kinds else "")
    if kinds and kind not in dict(kinds):
        raise Http404
    month = _month(request)
    ranking = MonthlyRanking.objects.filter(kind=kind, month=month).first()
    scores = list(_visible_scores(user, ranking)) if ranking else []
    context = {
        "kinds": kinds,
        "kind": kind,
        "kind_name": dict(kinds).get(kind, ""),
        "month": month,
        "months": _months(),
        "ranking": ranking,
        "scores": scores,
        "may_publish": ranking is not None
        and may_publish(user)
        and ranking.status == RankingStatus.DRAFT,
        "may_evaluate": has(user, "analytics.evaluate"),
        "may_award": has(user, "analytics.award"),
        "tie_note": TIE_NOTE,
    }
    if context["may_publish"] and kind in NODE_KINDS:
        # Not a block: a month may rightly go without 组织评价, but say so before freezing.
        level = ranking_of(kind, assessment).level
        context["no_evaluations"] = not OrgEvaluation.objects.filter(
            month=month, node__level__key=level
        ).exists()
    return render(request, "analytics/assessment/rankings.html", context)


def _cases_link(score: MonthlyScore, kind: str, month: dt.date) -> str:
    """The case list filtered to the subject's place and the month (local days)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(month, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(month_end(month) + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    params = {"created_after": start.isoformat(), "created_before": end.isoformat()}
    if kind in ("grids", "communities", "streets"):
        params["grid"] = score.key
    elif score.scope_code:
        params["grid"] = score.scope_code
    return reverse("cases:list") + "?" + urlencode(params)


def duration(seconds: float) -> str:
    """Seconds as a person reads them: "1天22小时", "3小时5分", "12分钟"."""
    minutes = round(seconds / 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{minutes}分" if minutes else f"{hours}小时"
    return f"{minutes}分钟"


def label(field: str) -> str:
    """The KPI's Chinese name without the unit its figure no longer has ("（秒）")."""
    return str(KPI_NAMES.get(field, field)).replace("（秒）", "")


def shown(field: str, value) -> str:
    """A KPI figure as a person reads it: rates as percentages, durations in days and
    hours, working days with their unit, other figures rounded, "—" for none."""
    if value is None:
        return "—"
    if field.endswith("_rate"):
        return f"{value * 100:.1f}%"
    if field.endswith("_seconds"):
        return duration(value)
    if field.endswith("_workdays"):
        return f"{value:.1f}个工作日"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def _shown_part(part: dict) -> dict:
    """A component with its rates ready to show (the stored figures stay fractions)."""
    part = dict(part)
    if "items" in part:
        part["items"] = [
            {
                **item,
                "name": label(item["field"]),
                "value": shown(item["field"], item["value"]),
                "target": shown(item["field"], item["target"]),
            }
            for item in part["items"]
        ]
    for name in ("satisfaction_rate", "survey_rate"):
        if name in part:
            part[name] = shown(name, part[name])
    return part


@login_required
def evidence(request, kind, month, key):
    """One rank's evidence: the components and their parts, the KPI row, and the cases."""
    month = parse_month(month)
    if month is None:
        raise Http404
    ranking = get_object_or_404(MonthlyRanking, kind=kind, month=month)
    score = get_object_or_404(_visible_scores(request.user, ranking), key=key)
    kpi_rows = [
        (label(field), shown(field, score.kpi.get(field)))
        for field in KPI_FIELDS
        if field in score.kpi
    ]
    components = [
        (name, COMPONENT_NAMES[name], _shown_part(part))
        for name, part in score.components.items()
        if name in COMPONENT_NAMES
    ]
    trail = []
    if kind in ("grids", "communities", "streets"):
        evaluation = (
            OrgEvaluation.objects.filter(node__code=score.key, month=month)
            .prefetch_related("events__actor")
            .first()
        )
        trail = list(evaluation.events.all()) if evaluation else []
    context = {
        "ranking": ranking,
        "score": score,
        "kind_name": KIND_NAMES.get(kind, kind),
        "components": components,
        "kpi_rows": kpi_rows,
        "cases_link": _cases_link(score, kind, month),
        "by_place": kind in ("grids", "communities", "streets"),
        "trail": trail,
    }
    return render(request, "analytics/assessment/evidence.html", context)


@require_POST
@login_required
@page_once
def publish_ranking(request):
    """Compute the month's ranking a last time and publish it (frozen from then on)."""
    kind, month = request.POST.get("kind", ""), _month(request)
    target = (
        reverse("analytics:rankings") + "?" + urlencode({"kind": kind, "month": f"{month:%Y-%m}"})
    )
    if not may_publish(request.user):
        raise PermissionDenied
    if kind not in {r.kind for r in scheme().rankings}:
        raise Http404
    ranking, _changed = compute_ranking(kind, month)
    updated = MonthlyRanking.objects.filter(pk=ranking.pk, status=RankingStatus.DRAFT).update(
        status=RankingStatus.PUBLISHED, published_at=timezone.now(), published_by=request.user
    )
    if updated:
        messages.success(request, _("排名已公布。"))
    else:
        messages.error(request, _("这个月的排名已经公布过了。"))
    return redirect(target)


# -- organisational evaluation -------------------------------------------------------------


def _scoring_node(request) -> OrgNode:
    """The node whose children the form scores: ``?node=``, else the user's first seat.
    403 unless the user holds ``analytics.evaluate`` there; 404 for an unknown node."""
    user = request.user
    if codes_with(user, "analytics.evaluate") == []:
        raise PermissionDenied
    code = request.GET.get("node") or request.POST.get("parent") or ""
    if not code:
        codes = codes_with(user, "analytics.evaluate")
        code = min(codes, key=len) if codes else ""
        if codes is None:
            root = OrgNode.objects.filter(parent=None).order_by("code").first()
            code = root.code if root else ""
    node = OrgNode.objects.filter(code=code).first()
    if node is None:
        raise Http404
    if not has(user, "analytics.evaluate", node.code):
        raise PermissionDenied
    return node


@login_required
@page_once
def evaluate(request):
    """The level above scores each node below it for a month (0–100, with a comment)."""
    user = request.user
    node = _scoring_node(request)
    month = _month(request, default=this_month())
    errors, status = {}, 200
    if request.method == "POST":
        child = request.POST.get("node", "")
        try:
            do_score_node(
                child,
                month,
                score=request.POST.get("score", ""),
                comment=request.POST.get("comment", ""),
                version=request.POST.get("version", ""),
                actor=user,
            )
        except ActionError as exc:
            errors[child], status = exc.detail, exc.status
        else:
            messages.success(request, _("评分已保存。"))
            return redirect(
                reverse("analytics:evaluate")
                + "?"
                + urlencode({"node": node.code, "month": f"{month:%Y-%m}"})
            )
    children = evaluable_children(user, node)
    scored = {
        e.node_id: e
        for e in OrgEvaluation.objects.filter(node__in=children, month=month).select_related(
            "scored_by"
        )
    }
    # Once the month's ranking is published the scores are frozen: shown, not offered.
    locked = {child.pk for child in children if month_locked(child, month)}
    rows = [
        (child, scored.get(child.pk), errors.get(child.code), child.pk in locked)
        for child in children
    ]
    context = {
        "node": node,
        "month": month,
        "locked": bool(children) and len(locked) == len(children),
        "months": _months(),
        "rows": rows,
        "up": node.parent
        if node.parent and has(user, "analytics.evaluate", node.parent.code)
        else None,
    }
    return render(request, "analytics/assessment/evaluate.html", context, status=status)


@login_required
@page_once
def survey(request):
    """Enter a residents' satisfaction survey of a node below the user for a month."""
    user = request.user
    node = _scoring_node(request)
    month = _month(request, default=this_month())
    error, status = None, 200
    if request.method == "POST":
        try:
            do_enter_survey(request.POST.get("node", ""), month, request.POST, actor=user)
        except ActionError as exc:
            error, status = exc.detail, exc.status
        else:
            messages.success(request, _("测评结果已保存。"))
            return redirect(
                reverse("analytics:survey")
                + "?"
                + urlencode({"node": node.code, "month": f"{month:%Y-%m}"})
            )
    children = evaluable_children(user, node)
    entered = Survey.objects.filter(node__in=children, month=month).select_related("node")
    context = {
        "node": node,
        "month": month,
        "months": _months(),
        "children": children,
        "entered": entered,
        "error": error,
    }
    return render(request, "analytics/assessment/survey.html", context, status=status)


def rate_panel(user) -> dict | None:
    """The home page's way to 群众评议 (``org.panels``): for whoever the rating form admits
    (an account with a resident record, as ``rate``), with this month's answer if any."""
    resident = getattr(user, "resident", None) if user.is_authenticated else None
    if resident is None:
        return None
    vote = ResidentVote.objects.filter(user=user, month=this_month()).first()
    return {
        "analytics_rate": {
            "grid": resident.household.grid,
            "vote": vote,
            "url": reverse("analytics:rate"),
        }
    }


@login_required
@page_once
def rate(request):
    """A resident's phone form: how satisfied they are with their grid this month."""
    user = request.user
    resident = getattr(user, "resident", None)
    if resident is None:
        raise PermissionDenied
    error, status = None, 200
    if request.method == "POST":
        try:
            do_vote(request.POST.get("answer", ""), actor=user)
        except ActionError as exc:
            error, status = exc.detail, exc.status
        else:
            messages.success(request, _("谢谢您的评议！"))
            return redirect("analytics:rate")
    month = this_month()
    vote = ResidentVote.objects.filter(user=user, month=month).first()
    context = {
        "grid": resident.household.grid,
        "month": month,
        "vote": vote,
        "answers": Answer.choices,
        "error": error,
    }
    return render(request, "analytics/assessment/rate.html", context, status=status)
