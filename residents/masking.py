"""Masking of personal data, and the one way to see it unmasked."""

from django.db import transaction

from org.permissions import has
from residents.models import AccessLog, Resident

REVEALABLE_FIELDS = ("phone", "id_number")


def mask_phone(phone: str) -> str:
    """13812341234 -> 138****1234; short numbers keep only their last two digits."""
    if not phone:
        return ""
    if len(phone) >= 7:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * (len(phone) - 2) + phone[-2:]


def mask_id_number(id_number: str) -> str:
    """350102199001011234 -> 3501**********1234."""
    if not id_number:
        return ""
    if len(id_number) <= 8:
        return "*" * len(id_number)
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


MASKS = {"phone": mask_phone, "id_number": mask_id_number}


def can_reveal(user, resident: Resident | None = None) -> bool:
    """Whether the user may see ``resident``'s phone and ID number unmasked (the verb
    ``residents.reveal`` at their household), or anyone's where they hold it when no
    resident is given. Callers still find the resident through ``restrict`` first."""
    code = resident.household.code if resident is not None else None
    return has(user, "residents.reveal", code)


def masked(resident: Resident, field: str) -> str:
    return MASKS[field](getattr(resident, field))


def do_reveal_field(resident: Resident, field: str, *, actor, ip=None, channel="page") -> str:
    """The unmasked value, after writing who asked for it. Callers check can_reveal first."""
    if field not in REVEALABLE_FIELDS:
        raise ValueError(f"{field} is not a revealable field")
    with transaction.atomic():
        AccessLog.objects.create(
            actor=actor, resident=resident, field=field, ip=ip, channel=channel
        )
    return getattr(resident, field)


def mask_name(name: str) -> str:
    """张小明 -> 张**: enough for a volunteer to greet, not to look the person up."""
    return name[:1] + "*" * (len(name) - 1) if name else ""
