"""The one write Open311 does: a client's POST becomes an ordinary case (channel
``open311``, source system = the client's slug) through ``do_create_case``, with its
Open311 submission in the same transaction."""

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from cases.actions import Report, do_create_case
from cases.models import Case
from catalog.models import MatterCategory
from open311.attributes import describe_answers
from open311.models import ApiClient, Submission

TITLE_LIMIT = 60
_CJK = re.compile(r"[\u3400-\u9fff]")


@dataclass
class NewRequest:
    """A POST that passed its checks (open311.forms)."""

    category: MatterCategory
    lat: float | None = None
    lng: float | None = None
    address: str = ""
    address_id: str = ""
    grid_code: str | None = None
    description: str = ""
    answers: dict = field(default_factory=dict)
    media_url: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""


def reporter_name(first: str, last: str) -> str:
    """姓 + 名 for Chinese names, "First Last" otherwise."""
    first, last = first.strip(), last.strip()
    if _CJK.search(first + last):
        return f"{last}{first}"[:50]
    return " ".join(part for part in (first, last) if part)[:50]


def _title(new: NewRequest) -> str:
    first_line = new.description.strip().splitlines()[0].strip() if new.description.strip() else ""
    if not first_line:
        return new.category.name
    if len(first_line) > TITLE_LIMIT:
        return first_line[: TITLE_LIMIT - 1] + "…"
    return first_line


def _description(new: NewRequest) -> str:
    answers = describe_answers(new.category, new.answers)
    parts = [new.description.strip(), f"【Open311 补充信息】\n{answers}" if answers else ""]
    return "\n\n".join(part for part in parts if part)


def do_submit_request(client: ApiClient, new: NewRequest, *, at=None) -> Case:
    """Create the case of an Open311 POST. (A retry with the same Idempotency-Key never
    gets here: ``open311.views`` answers it from ``idempotency``, as the REST API does.)"""
    now = at or timezone.now()
    report = Report(
        title=_title(new),
        description=_description(new),
        channel="open311",
        lng=new.lng,
        lat=new.lat,
        grid_code=new.grid_code,
        address=new.address,
        category_code=new.category.code,
        reporter_name=reporter_name(new.first_name, new.last_name),
        reporter_phone=new.phone,
        source_system=client.slug,
        extra={"open311": {"client": client.slug, "attributes": new.answers}},
    )
    with transaction.atomic():
        case = do_create_case(report, actor=None, at=now)
        Submission.objects.create(
            case=case,
            client=client,
            attributes=new.answers,
            address_id=new.address_id,
            media_url=new.media_url,
            email=new.email,
            device_id=new.device_id,
            account_id=new.account_id,
            created_at=now,
        )
    return case
