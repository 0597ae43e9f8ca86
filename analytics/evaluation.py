"""Organisational evaluation (组织评价) and residents' surveys (群众评议): entered by the
level above, each write in one transaction with its trail row.

Who: ``analytics.evaluate`` held strictly above the node (``has(…, above=True)``): a street
scores its communities, never itself; a grid worker holds no such verb. A score is changed
until the month's ranking of the node's kind is published (``analytics.assessment``); an
edit carrying a stale ``version`` is refused with 409.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from analytics.assessment import kind_of_level, this_month
from analytics.models import (
    Answer,
    MonthlyRanking,
    OrgEvaluation,
    OrgEvaluationEvent,
    RankingStatus,
    ResidentVote,
    Survey,
)
from gridgov.errors import Conflict, InvalidInput, NotPermitted, StaleVersion
from org.models import OrgNode
from org.permissions import has

VERB = "analytics.evaluate"


def may_evaluate(user, node: OrgNode) -> bool:
    return has(user, VERB, node.code, above=True)


def _node(code: str, actor) -> OrgNode:
    node = OrgNode.objects.select_related("level").filter(code=str(code or "")).first()
    if node is None:
        raise InvalidInput("没有这个节点", errors={"node": ["无效"]})
    if not may_evaluate(actor, node):
        raise NotPermitted("只有上级可以为这个节点评分")
    return node


def month_locked(node: OrgNode, month: dt.date) -> bool:
    """Whether ``node``'s scores of ``month`` are frozen: its level's ranking is published."""
    kind = kind_of_level(node.level.key)
    return bool(
        kind
        and MonthlyRanking.objects.filter(
            kind=kind, month=month, status=RankingStatus.PUBLISHED
        ).exists()
    )


def _open_month(node: OrgNode, month: dt.date) -> None:
    if month_locked(node, month):
        raise Conflict(f"{month:%Y年%m月}的排名已公布，评分不能再改", code="published")


def _score(value) -> Decimal:
    try:
        score = Decimal(str(value).strip()).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        score = None
    if score is None or not Decimal(0) <= score <= Decimal(100):
        raise InvalidInput("得分须在 0 到 100 之间", errors={"score": ["超出范围"]})
    return score


@transaction.atomic
def do_score_node(
    code: str, month: dt.date, *, score, comment: str = "", version=None, actor
) -> OrgEvaluation:
    """Enter or change the organisational score of node ``code`` for ``month``. ``version``
    is the score's version the form showed (None or "" for a first entry). Raises
    NotPermitted (403), InvalidInput (400), StaleVersion (409 ``stale_version``: someone
    changed it since) or Conflict (409 ``published``)."""
    node = _node(code, actor)
    value, comment = _score(score), str(comment or "").strip()[:500]
    _open_month(node, month)
    now = timezone.now()
    current = OrgEvaluation.objects.select_for_update().filter(node=node, month=month).first()
    seen = None if version in (None, "") else str(version)
    if current is None:
        if seen is not None:  # the form showed a score that is gone: not ours to recreate
            raise StaleVersion("评分已被他人更新，请刷新后再试")
        evaluation = OrgEvaluation.objects.create(
            node=node, month=month, score=value, comment=comment, scored_by=actor, scored_at=now
        )
        before = None
    else:
        if seen != str(current.version):
            raise StaleVersion(f"评分已被他人更新（当前版本 {current.version}），请刷新后再试")
        before = {"score": str(current.score), "comment": current.comment}
        current.score, current.comment = value, comment
        current.scored_by, current.scored_at = actor, now
        current.version += 1
        current.save(update_fields=["score", "comment", "scored_by", "scored_at", "version"])
        evaluation = current
    OrgEvaluationEvent.objects.create(
        evaluation=evaluation,
        action="score" if before is None else "rescore",
        actor=actor,
        at=now,
        from_status="" if before is None else "scored",
        to_status="scored",
        note=comment,
        data={"before": before, "after": {"score": str(value), "comment": comment}},
    )
    return evaluation


def _count(data: dict, name: str) -> int:
    try:
        value = int(str(data.get(name, "")).strip())
    except ValueError:
        value = -1
    if not 0 <= value <= 1_000_000:
        raise InvalidInput("人数须为不小于 0 的整数", errors={name: ["无效"]})
    return value


@transaction.atomic
def do_enter_survey(code: str, month: dt.date, data: dict, *, actor) -> Survey:
    """Enter (or replace) a node's satisfaction survey for ``month``: ``data`` has
    respondents, satisfied, basic, unsatisfied (the three add up to the respondents).
    The same rules as scores: the level above, until the ranking is published."""
    node = _node(code, actor)
    figures = {name: _count(data, name) for name in ("satisfied", "basic", "unsatisfied")}
    respondents = sum(figures.values())
    if respondents == 0:
        raise InvalidInput("请填写受访人数", errors={"satisfied": ["不能都为 0"]})
    given = str(data.get("respondents", "")).strip()
    if given and given != str(respondents):
        raise InvalidInput(
            f"满意、基本满意、不满意合计 {respondents} 人，与受访人数不符",
            errors={"respondents": ["与合计不符"]},
        )
    _open_month(node, month)
    survey, _ = Survey.objects.update_or_create(
        node=node,
        month=month,
        defaults={
            **figures,
            "respondents": respondents,
            "entered_by": actor,
            "entered_at": timezone.now(),
        },
    )
    return survey


def do_vote(answer: str, *, actor) -> ResidentVote:
    """A resident answers how satisfied they are with their grid this month (one answer a
    month; answering again changes it). Raises NotPermitted (403) for an account that is
    no resident, InvalidInput (400) for another answer, Conflict (409) once the month's
    grid ranking is published."""
    resident = getattr(actor, "resident", None) if actor.is_authenticated else None
    if resident is None:
        raise NotPermitted("只有居民可以评议自己所在的网格")
    if answer not in Answer.values:
        raise InvalidInput("请选择满意、基本满意或不满意", errors={"answer": ["无效"]})
    grid, month = resident.household.grid, this_month()
    _open_month(grid, month)
    vote, _ = ResidentVote.objects.update_or_create(
        user=actor,
        month=month,
        defaults={"node": grid, "answer": answer, "at": timezone.now()},
    )
    return vote


def evaluable_children(user, node: OrgNode) -> list[OrgNode]:
    """The nodes just below ``node`` the user may score (the form's rows)."""
    return [child for child in node.children.order_by("code") if may_evaluate(user, child)]
