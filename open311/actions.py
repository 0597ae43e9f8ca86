"""The one write Open311 does: a client's POST becomes an ordinary case (channel
``open311``, source system = the client's slug) through ``do_create_case``, with its
Open311 submission in the same transaction."""

import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
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
    # The client's Idempotency-Key: kept as the case's external_ref, so a retry finds
    # the case its first try created.
    idempotency_key: str = ""


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


def _retried(client: ApiClient, key: str) -> Case | None:
    if not key:
        return None
    return Case.objects.filter(open311_submission__client=client, external_ref=key).first()


def do_submit_request(client: ApiClient, new: NewRequest, *, at=None) -> tuple[Case, bool]:
    """Create the case of an Open311 POST. Returns the case and whether it was created now
    (False when the same Idempotency-Key already created it)."""
    existing = _retried(client, new.idempotency_key)
    if existing is not None:
        return existing, False
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
        external_ref=new.idempotency_key,
        extra={"open311": {"client": client.slug, "attributes": new.answers}},
    )
    try:
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
    except IntegrityError:
        # A concurrent retry with the same key won the race for the external ticket.
        existing = _retried(client, new.idempotency_key)
        if existing is None:
            raise
        return existing, False
    return case, True
