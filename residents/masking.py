"""Masking of a resident's personal fields, and the one way to see them unmasked. The
maskers themselves are ``gridgov.masking``'s (free text too); re-exported here for the
callers that mask a structured phone, ID number or name."""

from django.db import transaction

from gridgov.masking import mask_id_number, mask_name, mask_phone
from org.permissions import has
from residents.models import AccessLog, Resident

__all__ = [
    "MASKS",
    "REVEALABLE_FIELDS",
    "can_reveal",
    "do_reveal_field",
    "mask_id_number",
    "mask_name",
    "mask_phone",
    "masked",
]

REVEALABLE_FIELDS = ("phone", "id_number")


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
