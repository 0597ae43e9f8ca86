"""The scoring scheme (考核评议) and the monthly rankings (四类排名 and the grid workers).

A subject's total (0–100) is the weighted mean of three components (福州: 「对社区采取量化
考核、组织评价、群众评议等方式进行综合评定」), with the weights of the preset's
``[assessment]`` (``analytics.preset_assessment``):

- 量化考核 ``quantitative``: each indicator (a KPI field of ``analytics.kpis``) earns
  ``weight × min(value / target, 1)``; the component is ``100 × Σ points / Σ weights`` over
  the indicators that have a value (a rate with nothing to count is left out, not zero);
- 组织评价 ``organisational``: the score the level above entered for the month (nodes only);
- 群众评议 ``residents``: the KPI satisfaction rate and the month's survey
  (``(satisfied + basic_counts × basic) / respondents``: the survey staff entered plus the
  residents' own answers from the phone form in the node's subtree), weighted by
  ``satisfaction_weight`` and ``survey_weight``, × 100.

A component without data (no score entered, no survey and no rated case) is left out and
the others' weights renormalised; the components say which were left out. Figures come from
``analytics.kpis.kpis()`` only. Ranks are standard competition ranks (1, 1, 3); a subject
without any total ranks last.

Ties (``TIE_BREAKERS``): subjects with the same shown total (one decimal) are ordered by
the unrounded total, then the KPI 满意率 (``satisfaction_rate``), then 按时办结率
(``on_time_resolution_rate``), then cases received (``received``), each higher first (a
missing rate counts below any value); only subjects equal in every one of these share a
rank. People are shown by name (``person_name``), never by account code.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from analytics.kpis import KPI_NAMES, kpis
from analytics.models import (
    MonthlyRanking,
    MonthlyScore,
    OrgEvaluation,
    RankingStatus,
    ResidentVote,
    Survey,
)
from analytics.preset_assessment import NODE_KINDS, Assessment
from org.models import OrgNode, RoleAssignment
from presets.loader import PresetError, active_section

KIND_NAMES = {
    "grids": "网格",
    "communities": "社区",
    "streets": "街道(镇)",
    "departments": "职能部门",
    "workers": "网格员",
}
COMPONENT_NAMES = {
    "quantitative": "量化考核",
    "organisational": "组织评价",
    "residents": "群众评议",
}


# -- months -------------------------------------------------------------------------------


def parse_month(text: str | None) -> dt.date | None:
    """``"2026-11"`` → 2026-11-01; None for anything else."""
    try:
        year, month = (int(part) for part in str(text or "").split("-"))
        return dt.date(year, month, 1) if 2000 <= year <= 2100 else None
    except ValueError:
        return None


def month_end(month: dt.date) -> dt.date:
    """The month's last day (the KPI query's ``end`` is inclusive)."""
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


# -- the scheme ---------------------------------------------------------------------------


def scheme() -> Assessment:
    """The active preset's scheme; the platform's (no indicators, no rankings) without one."""
    try:
        section = active_section("assessment")
    except PresetError:
        section = None
    return section or Assessment()


def ranking_of(kind: str, assessment: Assessment | None = None):
    assessment = assessment or scheme()
    return next((r for r in assessment.rankings if r.kind == kind), None)


def kind_of_level(level_key: str, assessment: Assessment | None = None) -> str | None:
    """The ranking kind that ranks the nodes of a level (whose publication locks scores)."""
    assessment = assessment or scheme()
    return next(
        (r.kind for r in assessment.rankings if r.kind in NODE_KINDS and r.level == level_key),
        None,
    )


# -- scoring: pure functions over one KPI row ---------------------------------------------


def indicator_points(value, weight: float, target: float, lower_is_better: bool = False):
    """Points of one indicator, or None when the KPI has no value (nothing to count)."""
    if value is None:
        return None
    if lower_is_better:
        if value <= target:
            return weight
        return weight * max(0.0, (1 - value) / (1 - target))
    return weight * min(value / target, 1.0)


def quantitative(row: dict, assessment: Assessment) -> dict:
    items, points, weights = [], 0.0, 0.0
    for indicator in assessment.indicators:
        value = row.get(indicator.field)
        got = indicator_points(value, indicator.weight, indicator.target, indicator.lower_is_better)
        items.append(
            {
                "field": indicator.field,
                "name": str(KPI_NAMES.get(indicator.field, indicator.field)),
                "value": value,
                "target": indicator.target,
                "weight": indicator.weight,
                "points": None if got is None else round(got, 2),
            }
        )
        if got is not None:
            points += got
            weights += indicator.weight
    score = 100 * points / weights if weights else None
    return {"score": _round(score), "exact": score, "items": items}


def residents(row: dict, survey: dict | None, assessment: Assessment) -> dict:
    """``survey``: ``{"respondents", "satisfied", "basic", "unsatisfied"}`` or None."""
    satisfaction = row.get("satisfaction_rate")
    survey_rate = None
    if survey and survey["respondents"]:
        survey_rate = (survey["satisfied"] + assessment.basic_counts * survey["basic"]) / survey[
            "respondents"
        ]
    parts = [
        (rate, weight)
        for rate, weight in (
            (satisfaction, assessment.satisfaction_weight),
            (survey_rate, assessment.survey_weight),
        )
        if rate is not None and weight
    ]
    total_weight = sum(weight for _, weight in parts)
    score = 100 * sum(rate * weight for rate, weight in parts) / total_weight if parts else None
    return {
        "score": _round(score),
        "exact": score,
        "satisfaction_rate": satisfaction,
        "survey_rate": None if survey_rate is None else round(survey_rate, 4),
        "survey": survey,
    }


def organisational(evaluation: dict | None) -> dict:
    """``evaluation``: ``{"score", "comment", "by"}`` or None."""
    if evaluation is None:
        return {"score": None}
    return {**evaluation, "score": _round(float(evaluation["score"]))}


def combine(components: dict, assessment: Assessment) -> float | None:
    """The weighted mean of the components that have a score (0–100), or None."""
    weights = {
        "quantitative": assessment.quantitative_weight,
        "organisational": assessment.organisational_weight,
        "residents": assessment.residents_weight,
    }
    used = [
        (components[name]["score"], weight)
        for name, weight in weights.items()
        if name in components and components[name]["score"] is not None and weight
    ]
    for name in components:
        components[name]["weight"] = weights[name]
        components[name]["counted"] = components[name]["score"] is not None and bool(weights[name])
    if not used:
        return None
    return _round(exact_total(components, assessment))


def exact_total(components: dict, assessment: Assessment) -> float | None:
    """The unrounded weighted mean of the components' exact scores (the tie-breaker)."""
    weights = {
        "quantitative": assessment.quantitative_weight,
        "organisational": assessment.organisational_weight,
        "residents": assessment.residents_weight,
    }
    used = [
        (part.get("exact", part["score"]), weights[name])
        for name, part in components.items()
        if part["score"] is not None and weights.get(name)
    ]
    if not used:
        return None
    return sum(score * w for score, w in used) / sum(w for _, w in used)


def score(row: dict, assessment: Assessment, *, evaluation=None, survey=None, nodes=True):
    """``(total, components)`` of one subject's KPI row; ``nodes=False`` for departments and
    workers, who get no organisational score or survey."""
    components = {"quantitative": quantitative(row, assessment)}
    if nodes:
        components["organisational"] = organisational(evaluation)
    components["residents"] = residents(row, survey if nodes else None, assessment)
    return combine(components, assessment), components


TIE_BREAKERS = ("satisfaction_rate", "on_time_resolution_rate", "received")
TIE_NOTE = "同分时依次比较：未四舍五入的总分、满意率、按时办结率、受理量，都相同才并列。"


def order_key(row: dict) -> tuple:
    """What ranks a scored row (see the module's Ties): equal keys share a rank. ``row``
    has ``total``, ``exact`` (the unrounded total) and ``kpi``."""
    figures = [row.get("exact", row["total"]), *(row["kpi"].get(f) for f in TIE_BREAKERS)]
    return (row["total"] is None, *((v is None, -(v or 0)) for v in figures))


def competition_ranks(totals: list) -> list[int]:
    """Ranks of ``totals`` already sorted best first: equal totals share a rank (1, 1, 3)."""
    ranks, previous = [], object()
    for index, total in enumerate(totals):
        ranks.append(ranks[-1] if total == previous and ranks else index + 1)
        previous = total
    return ranks


def person_name(user, *, public: bool = False) -> str:
    """How a person is shown: ``display_name``, else the full name, else (never on a public
    page, where it reads "网格员") the username."""
    if user is None:
        return ""
    name = (user.display_name or user.get_full_name() or "").strip()
    return name or ("网格员" if public else user.username)


def _round(value):
    return None if value is None else round(value, 1)


# -- subjects of a ranking ----------------------------------------------------------------


@dataclass
class Subject:
    key: str
    name: str
    scope_code: str
    row: dict


def _roots() -> list[OrgNode]:
    return list(OrgNode.objects.filter(parent=None).order_by("code"))


def subjects(kind: str, month: dt.date, assessment: Assessment) -> list[Subject]:
    """The subjects a ranking ranks, each with its KPI row for the month."""
    ranking = ranking_of(kind, assessment)
    if ranking is None:
        return []
    start, end = month, month_end(month)
    found = []
    if kind in NODE_KINDS:
        parents = (
            OrgNode.objects.filter(level__key=ranking.level)
            .order_by()  # the model's ordering would make distinct() keep duplicates
            .values_list("parent__code", flat=True)
            .distinct()
        )
        for parent in sorted(code for code in parents if code):
            for row in kpis(parent, start, end, group_by="child"):
                if row["key"] != parent:  # not kpis' 「本级（未落到下级）」 row: no subject
                    found.append(Subject(row["key"], row["name"], row["key"], row))
        for node in OrgNode.objects.filter(level__key=ranking.level, parent=None):
            (row,) = kpis(node.code, start, end)
            found.append(Subject(node.code, node.name, node.code, row))
        return found
    for root in _roots():
        if kind == "departments":
            from org.models import Department

            places = dict(Department.objects.values_list("code", "node__code"))
            for row in kpis(root.code, start, end, group_by="unit"):
                if row["key"] in places:  # not the cases without a lead department ("")
                    found.append(Subject(row["key"], row["name"], places[row["key"]], row))
        else:
            rows = kpis(root.code, start, end, group_by="worker")
            seats = {
                seat.user.username: seat
                for seat in RoleAssignment.objects.filter(
                    user__username__in=[row["key"] for row in rows],
                    role__duty__in=ranking.duties,
                )
                .select_related("user", "node")
                .order_by("-node__code")
            }
            for row in rows:
                if seat := seats.get(row["key"]):
                    # The person's name and grid, never the account code (it may be public).
                    name = f"{person_name(seat.user, public=True)}（{seat.node.name}）"
                    found.append(Subject(row["key"], name, seat.node.code, row))
    return found


def _evaluations(month: dt.date) -> dict[str, dict]:
    rows = OrgEvaluation.objects.filter(month=month).values(
        "node__code", "score", "comment", "scored_by__display_name", "scored_by__username"
    )
    return {
        row["node__code"]: {
            "score": float(row["score"]),
            "comment": row["comment"],
            "by": row["scored_by__display_name"] or row["scored_by__username"],
        }
        for row in rows
    }


ANSWERS = ("satisfied", "basic", "unsatisfied")


def _surveys(month: dt.date, keys) -> dict[str, dict]:
    """Per subject node: its staff-entered survey plus the residents' own answers from
    the phone form in its subtree, as one survey ``{"respondents", "satisfied", …}``."""
    found: dict[str, dict] = {}
    for row in Survey.objects.filter(month=month).values("node__code", "respondents", *ANSWERS):
        found[row.pop("node__code")] = row
    votes = (
        ResidentVote.objects.filter(month=month)
        .values("node__code", "answer")
        .annotate(n=Count("pk"))
        .order_by()
    )
    keys = set(keys)
    for vote in votes:
        code = vote["node__code"]
        # The subjects above the grid (or the grid itself): prefixes of its code.
        for key in (code[:end] for end in range(1, len(code) + 1)):
            if key in keys:
                survey = found.setdefault(key, dict.fromkeys(("respondents", *ANSWERS), 0))
                survey[vote["answer"]] += vote["n"]
                survey["respondents"] += vote["n"]
    return found


def scored_rows(kind: str, month: dt.date, assessment: Assessment | None = None) -> list[dict]:
    """The ranking's rows, best first: key, name, scope_code, rank, total, components, kpi."""
    assessment = assessment or scheme()
    nodes = kind in NODE_KINDS
    evaluations = _evaluations(month) if nodes else {}
    found = subjects(kind, month, assessment)
    surveys = _surveys(month, [s.key for s in found]) if nodes else {}
    rows = []
    for subject in found:
        total, components = score(
            subject.row,
            assessment,
            evaluation=evaluations.get(subject.key),
            survey=surveys.get(subject.key),
            nodes=nodes,
        )
        rows.append(
            {
                "key": subject.key,
                "name": subject.name,
                "scope_code": subject.scope_code,
                "total": total,
                "components": components,
                "kpi": subject.row,
            }
        )
    for row in rows:
        row["exact"] = exact_total(row["components"], assessment)
    rows.sort(key=lambda r: (order_key(r), r["key"]))
    for row, rank in zip(rows, competition_ranks([order_key(r) for r in rows]), strict=True):
        row["rank"] = rank
    for row in rows:
        row.pop("exact")
        for part in row["components"].values():
            part.pop("exact", None)  # stored rounded: the rank already says the order
    return rows


# -- the monthly ranking, idempotent ------------------------------------------------------


def _digest(rows: list[dict]) -> str:
    text = json.dumps(rows, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def compute_ranking(kind: str, month: dt.date) -> tuple[MonthlyRanking, bool]:
    """Compute one kind's ranking for a month and store it; ``(ranking, changed)``.
    Idempotent: when every input is what it was (the digest of the scored rows), nothing is
    written; a published ranking is frozen and never recomputed."""
    rows = scored_rows(kind, month)
    digest = _digest(rows)
    with transaction.atomic():
        ranking, _ = MonthlyRanking.objects.select_for_update().get_or_create(
            kind=kind, month=month
        )
        if ranking.status == RankingStatus.PUBLISHED or ranking.digest == digest:
            return ranking, False
        ranking.scores.all().delete()
        MonthlyScore.objects.bulk_create(
            MonthlyScore(
                ranking=ranking,
                key=row["key"],
                name=row["name"][:150],
                scope_code=row["scope_code"],
                rank=row["rank"],
                total=row["total"],
                components=row["components"],
                kpi=row["kpi"],
            )
            for row in rows
        )
        ranking.digest, ranking.computed_at = digest, timezone.now()
        ranking.save(update_fields=["digest", "computed_at"])
    return ranking, True


def compute_month(month: dt.date) -> dict[str, bool]:
    """Every ranking of the scheme for a month: ``{kind: changed}``."""
    return {r.kind: compute_ranking(r.kind, month)[1] for r in scheme().rankings}
