"""Intake: a report from any channel becomes a case with a number, a grid, a category,
a tier and its deadlines, in one transaction with its first timeline event."""

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from cases.config import case_settings, channel_names
from cases.duplicates import flag_possible_duplicate
from cases.models import Case, CaseEvent, CategorySource, Light, Status
from cases.notify import node_staff, notify
from cases.numbers import next_case_number
from cases.sla import warn_at_for
from catalog.classify import auto_category_threshold, get_classifier
from catalog.deadlines import resolution_due, response_due
from catalog.models import MatterCategory, Tier
from gridgov.errors import InvalidInput
from gridgov.parsing import implausible_date
from org.locator import locator
from org.models import Building, Household, OrgNode
from org.permissions import codes_with


@dataclass
class Report:
    title: str
    description: str = ""
    channel: str = "api"
    lng: float | None = None
    lat: float | None = None
    grid_code: str | None = None
    address: str = ""
    category_code: str | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    # From another system: its name, its ticket number and, if it sets one, its deadline.
    source_system: str = ""
    external_ref: str = ""
    due_at: datetime | None = None
    extra: dict = field(default_factory=dict)


def default_tier() -> Tier:
    """For a case with no category: the middle tier (coordinated: working days, never the
    hours of a simple matter), the preset's first else. Every shipped preset has it."""
    return Tier.objects.filter(code="coordinated").first() or Tier.objects.order_by("order").first()


def _locate(report: Report, actor, staff_codes: list[str]) -> tuple[OrgNode | None, str]:
    """The grid of a report: from its grid code, its point, or its address. Without one,
    the case sits at the reporting staff member's node, or the root."""
    if report.grid_code:
        grid = OrgNode.objects.filter(code=report.grid_code).exclude(grid_kind="").first()
        if grid is None:
            raise InvalidInput("没有这个网格编码", errors={"grid_code": ["没有这个网格"]})
        return grid, grid.code
    if report.lng is not None and report.lat is not None:
        code = locator.locate(report.lng, report.lat)
        if code:
            return OrgNode.objects.get(code=code), code
    if report.address:
        place = (
            Household.objects.filter(address=report.address)
            .values_list("grid_id", flat=True)
            .first()
            or Building.objects.filter(address=report.address)
            .values_list("grid_id", flat=True)
            .first()
        )
        if place:
            grid = OrgNode.objects.get(pk=place)
            return grid, grid.code
    if staff_codes:
        return None, min(staff_codes, key=len)
    resident = getattr(actor, "resident", None) if actor is not None else None
    if resident is not None:
        grid = resident.household.grid
        return grid, grid.code
    return None, OrgNode.objects.filter(parent=None).values_list("code", flat=True).first()


def _classify(report: Report) -> tuple[MatterCategory | None, str, list[dict]]:
    """(category, how it was set, the suggestions). A category the report names is a
    person's choice, or an import's; else the classifier's best suggestion is taken only
    when its probability reaches the preset's threshold (``[classifier]``). Below it the
    case keeps no category, so no guessed tier: a dispatcher picks from the suggestions
    in triage."""
    if report.category_code:
        category = MatterCategory.objects.filter(code=report.category_code, is_active=True).first()
        if category is None:
            raise InvalidInput(
                "没有这个事项编码", errors={"category_code": ["事项清单里没有这个编码"]}
            )
        source = CategorySource.IMPORT if report.source_system else CategorySource.PERSON
        return category, source, []
    suggestions = get_classifier().suggest(f"{report.title} {report.description}", limit=3)
    summary = [
        {"code": s.category.code, "name": s.category.name, "score": round(s.score, 3)}
        for s in suggestions
    ]
    best = suggestions[0] if suggestions else None
    if best is not None and best.score >= auto_category_threshold():
        return best.category, CategorySource.CLASSIFIER, summary
    return None, "", summary


def _filing_codes(actor, as_public: bool) -> list[str] | None:
    """Where the actor files cases as staff (``cases.report``): None everywhere (a
    superuser), [] when they report as the public does (a resident, the QR form)."""
    if as_public or actor is None or not actor.is_authenticated:
        return []
    return codes_with(actor, "cases.report")


def may_file_at(actor, code: str, *, as_public=False) -> bool:
    """Whether ``do_create_case`` lets ``actor`` file a case at the node ``code`` (the one
    rule, asked ahead by importers that report row by row)."""
    codes = _filing_codes(actor, as_public)
    return not codes or any(code.startswith(prefix) for prefix in codes)


def do_create_case(
    report: Report, *, actor=None, at=None, as_public=False, notify_staff=True
) -> Case:
    """Create a case from a report. ``actor`` is the staff member or resident who filed it
    (None for an anonymous report); ``as_public`` for the public QR form, where anyone may
    report in any grid.

    The one rule of where, for every entry point (page, API, import; Open311 files as the
    public): a person who files cases as staff (holding ``cases.report``) files them only
    in the subtrees where they hold it, else InvalidInput ``out_of_scope`` (400); anyone
    else reports as the public and follows their own case as its reporter.

    A time before 2000 or after next year (``at``, ``due_at``) is refused
    (gridgov.parsing.implausible_date). ``notify_staff=False`` files without telling the
    node's staff of new work (history from another system, already closed there)."""
    title = report.title.strip()
    if not title:
        raise InvalidInput("请填写标题", errors={"title": ["不能为空"]})
    for name, moment, label in (("at", at, "提交时间"), ("due_at", report.due_at, "办结时限")):
        if reason := implausible_date(moment, label):
            raise InvalidInput(reason, errors={name: [reason]})
    if report.channel not in channel_names():
        raise InvalidInput(
            f"未知渠道 {report.channel}",
            errors={"channel": [f"可用渠道：{'、'.join(channel_names())}"]},
        )
    if (report.lng is None) != (report.lat is None):
        raise InvalidInput("经度和纬度要一起提供", errors={"location": ["lng 和 lat 缺一"]})
    settings = case_settings()
    now = at or timezone.now()
    codes = _filing_codes(actor, as_public)
    with transaction.atomic():
        grid, org_code = _locate(report, actor, codes or [])
        if not may_file_at(actor, org_code, as_public=as_public):
            field = "grid_code" if report.grid_code else "location"
            raise InvalidInput(
                "这个位置不在您的管辖范围内",
                code="out_of_scope",
                errors={field: ["不在您的范围内"]},
            )
        category, category_source, suggestions = _classify(report)
        tier = category.default_tier if category else default_tier()
        if category_source == CategorySource.CLASSIFIER and tier.order < default_tier().order:
            # A guess never shortens the deadline (issue 10: 「never the 2-hour tier on a
            # guess」): a simple matter's hours wait for a person to confirm the category.
            tier = default_tier()
        if report.due_at is not None:  # another system's own deadline
            due_at, warning = report.due_at, False
        else:
            due_at, warning = resolution_due(tier, now)
        # Filed as the public by a person with an account: their own case to follow.
        is_reporter = (
            codes == []
            and actor is not None
            and actor.is_authenticated
            and (as_public or hasattr(actor, "resident"))
        )
        case = Case.objects.create(
            number=next_case_number(settings["case_prefix"], now),
            title=title[:200],
            description=report.description,
            channel=report.channel,
            status=Status.SUBMITTED,
            grid=grid,
            org_code=org_code,
            handling_node=grid or OrgNode.objects.filter(code=org_code).first(),
            lng=report.lng,
            lat=report.lat,
            address=report.address,
            category=category,
            category_source=category_source,
            tier=tier,
            reporter_name=report.reporter_name,
            reporter_phone=report.reporter_phone,
            source_system=report.source_system,
            external_ref=report.external_ref,
            reporter_user=actor if is_reporter else None,
            created_by=actor if actor is not None and actor.is_authenticated else None,
            tracking_token=secrets.token_urlsafe(16),
            created_at=now,
            response_due_at=response_due(tier, now, resolution_at=due_at),
            due_at=due_at,
            warn_at=warn_at_for(now, due_at, settings["yellow_at"]),
            deadline_warning=warning,
            light=Light.GREEN,
        )
        flag_possible_duplicate(case)
        CaseEvent.objects.create(
            case=case,
            action="submit",
            actor=case.created_by,
            at=now,
            from_status="",
            to_status=Status.SUBMITTED,
            note=channel_names().get(case.channel, case.channel),
            data={"suggestions": suggestions, **report.extra},
        )
        if case.handling_node_id and notify_staff:
            notify(
                case,
                "case_submitted",
                node_staff([case.handling_node_id], verb="cases.accept"),
                f"新诉求 {case.number}：{case.title}",
                at=now,
            )
    return case
