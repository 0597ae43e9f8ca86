"""Household visits (入户走访): recording one, and turning a need heard on it into a case, a
volunteer order or micro-wish, or a needs-list item (需求清单) in one tap.

Who: whoever holds ``patrol.visit`` at the household (the grid's workers, building and unit
leaders, lane stewards, grid members; ``org.permissions``). A conversion is recorded on the
need by its foreign key and happens once: a second tap, or two taps at once, answer the
object the first made (a conditional UPDATE decides the race; the loser's work is rolled
back).
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.actions import Report, do_create_case
from gridgov.errors import InvalidInput, NotPermitted
from idempotency.offline import field_time
from org.codes import any_subtree_q
from org.models import Household
from org.permissions import codes_with, has
from participation.actions import do_post_order
from patrol.care import count_visit_as_contact
from patrol.models import NeedCategory, NeedsListItem, Visit, VisitNeed, VisitOutcome
from residents.models import Resident

VERB = "patrol.visit"
MAX_NEEDS = 10
# The conversions of a need, each with the need's field that records it.
TARGETS = {
    "case": ("case", _("转为诉求工单")),
    "order": ("order", _("转为志愿服务点单")),
    "wish": ("order", _("转为微心愿")),
    "needs_item": ("needs_item", _("列入需求清单")),
}


@dataclass
class NeedHeard:
    text: str
    category: str = ""
    resident_id: int | None = None


# Who reads visit records: who visits, who plans care, who reads the subtree's figures;
# a resident does not read the worker's notes on their own household.
READERS = (VERB, "patrol.plan_care", "analytics.view")


def readable_visits(user):
    """Visits in the user's scope, in the subtrees where they hold one of ``READERS``."""
    codes: set[str] = set()
    for verb in READERS:
        found = codes_with(user, verb)
        if found is None:
            return Visit.objects.restrict(user)
        codes |= set(found)
    return Visit.objects.restrict(user).filter(any_subtree_q(codes, "household__code"))


def visitable_household(actor, household_id) -> Household:
    """The household, if the actor may see it (else InvalidInput, as for any id out of
    scope) and holds ``patrol.visit`` there (else NotPermitted)."""
    if codes_with(actor, VERB) == []:  # holds it nowhere: refused before any lookup
        raise NotPermitted("只有本网格的网格员、楼栋长等可以记录入户走访")
    household = (
        Household.objects.restrict(actor)
        .select_related("grid", "building")
        .filter(pk=household_id)
        .first()
        if household_id
        else None
    )
    if household is None:
        raise InvalidInput("没有这一户，或不在您的管辖范围内", errors={"household": ["无效"]})
    if not has(actor, VERB, household.code):
        raise NotPermitted("只有本网格的网格员、楼栋长等可以记录入户走访")
    return household


def _residents(household: Household, ids, field: str) -> dict[int, Resident]:
    ids = {int(pk) for pk in ids if pk not in (None, "")}
    found = {r.pk: r for r in Resident.objects.filter(household=household, pk__in=ids)}
    if len(found) != len(ids):
        raise InvalidInput("所选居民不是这一户的成员", errors={field: ["不是这一户的成员"]})
    return found


def do_record_visit(
    *,
    actor,
    household_id,
    outcome: str,
    notes: str = "",
    met_ids=(),
    needs=(),
    offline_at=None,
    offline_sent_at=None,
    now=None,
) -> Visit:
    """Record a visit to a household: ``outcome`` one of ``VisitOutcome``, the residents
    met (ids of the household's members), the needs heard (``NeedHeard``s; blank texts are
    skipped). ``offline_at`` and ``offline_sent_at``
    (``idempotency.offline.field_time``) date a visit recorded offline. A visit
    that met the household counts as a care contact for its scheduled residents
    (``patrol.care``). Errors: InvalidInput (400) with a Chinese reason, NotPermitted (403)."""
    now = now or timezone.now()
    household = visitable_household(actor, household_id)
    if outcome not in VisitOutcome.values:
        raise InvalidInput("请选择走访结果", errors={"outcome": ["无效的走访结果"]})
    notes = (notes or "").strip()
    if len(notes) > 2000:
        raise InvalidInput("走访情况最多 2000 字", errors={"notes": ["太长"]})
    needs = [n for n in needs if (n.text or "").strip()]
    if len(needs) > MAX_NEEDS:
        raise InvalidInput(f"一次最多记录 {MAX_NEEDS} 条需求", errors={"needs": ["太多"]})
    for need in needs:
        if len(need.text.strip()) > 200:
            raise InvalidInput("每条需求最多 200 字", errors={"needs": ["太长"]})
        if need.category and need.category not in NeedCategory.values:
            raise InvalidInput("需求类别无效", errors={"needs": ["类别无效"]})
    try:
        met = _residents(household, met_ids, "met")
        concerned = _residents(household, [n.resident_id for n in needs], "needs")
    except (TypeError, ValueError):
        raise InvalidInput("居民编号无效", errors={"met": ["无效"]}) from None
    visited_at, time_note = field_time(offline_at, offline_sent_at, now=now)
    with transaction.atomic():
        visit = Visit.objects.create(
            household=household,
            grid=household.grid,
            visitor=actor,
            visited_at=visited_at,
            outcome=outcome,
            notes=notes,
            time_note=time_note,
        )
        if met:
            visit.met.set(met.values())
        VisitNeed.objects.bulk_create(
            VisitNeed(
                visit=visit,
                text=need.text.strip(),
                category=need.category or "",
                resident=concerned.get(int(need.resident_id)) if need.resident_id else None,
            )
            for need in needs
        )
        if visit.outcome == VisitOutcome.MET:
            count_visit_as_contact(visit)
    return visit


class _Lost(Exception):
    """Another tap converted the need first: roll this one's work back."""


def convertible_need(actor, need_id) -> VisitNeed:
    need = (
        VisitNeed.objects.restrict(actor)
        .select_related("visit__household__grid", "visit__household__building", "resident")
        .filter(pk=need_id)
        .first()
    )
    if need is None:
        raise InvalidInput("没有这条需求，或不在您的管辖范围内", errors={"need": ["无效"]})
    if not has(actor, VERB, need.visit.household.code):
        raise NotPermitted("只有本网格的网格员、楼栋长等可以处理走访需求")
    return need


def converted_object(need: VisitNeed, target: str):
    field = TARGETS[target][0]
    return getattr(need, field)


def do_convert_need(need_id, target: str, *, actor, now=None):
    """Turn a need into ``target`` (``case``, ``order``, ``wish``, ``needs_item``);
    returns ``(object, created)``. Idempotent: once the need's field is set, the same object
    is returned (an order and a wish share the ``order`` field: a need becomes one or the
    other). A case is filed through ``cases.actions.do_create_case`` (channel ``home_visit``,
    the household's grid, address and building's point, the resident concerned as the
    person reporting), an order or wish through ``participation.actions.do_post_order``
    (needs ``volunteer.post_for``), a needs-list item here."""
    if target not in TARGETS:
        raise InvalidInput(
            "转办方式须为 case、order、wish 或 needs_item", errors={"target": ["无效"]}
        )
    field = TARGETS[target][0]
    now = now or timezone.now()
    need = convertible_need(actor, need_id)
    if getattr(need, f"{field}_id"):
        return converted_object(need, target), False
    try:
        with transaction.atomic():
            made = _make(need, target, actor=actor, now=now)
            won = VisitNeed.objects.filter(pk=need.pk, **{f"{field}__isnull": True}).update(
                **{field: made}
            )
            if not won:
                raise _Lost
    except _Lost:
        need = VisitNeed.objects.get(pk=need.pk)
        return converted_object(need, target), False
    return made, True


def _make(need: VisitNeed, target: str, *, actor, now):
    visit, household = need.visit, need.visit.household
    resident = need.resident
    if target == "case":
        building = household.building
        located = building is not None and building.lng is not None and building.lat is not None
        return do_create_case(
            Report(
                title=need.text[:200],
                description=f"入户走访（{timezone.localtime(visit.visited_at):%Y-%m-%d}）了解到：{need.text}",
                channel="home_visit",
                grid_code=household.grid.code,
                lng=building.lng if located else None,
                lat=building.lat if located else None,
                address=household.address,
                reporter_name=resident.name if resident else "",
                reporter_phone=resident.phone if resident else "",
                extra={"visit": visit.pk, "need": need.pk, "household": household.code}
                | ({"resident": resident.pk} if resident else {}),
            ),
            actor=actor,
            at=now,
        )
    if target in ("order", "wish"):
        return do_post_order(
            actor=actor,
            kind=target,
            title=need.text[:100],
            description=f"入户走访了解到的需求（{household.grid.name}）",
            grid_code="" if resident else household.grid.code,
            requester_id=resident.pk if resident else None,
        )
    return NeedsListItem.objects.create(
        node=household.grid, text=need.text, source_need=need, created_by=actor, created_at=now
    )
