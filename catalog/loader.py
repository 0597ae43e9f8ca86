"""Loading a preset's tiers and matter catalogue (catalog/data/*.toml).

Every preset gets the shared catalogue ``base.toml``; a preset whose key (or whose
``catalog = "…"`` entry) names another file in catalog/data/ gets that one instead
(Fuzhou's 269 of its seed and the 38 shared additions). Loading is idempotent, and an
entry that left the file is deactivated rather than deleted, because cases keep pointing
at their category.
"""

import tomllib
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from catalog.calendar import seed_calendar
from catalog.models import CalendarYear, MatterCategory, Tier

DATA_DIR = Path(__file__).resolve().parent / "data"
BASE_CATALOGUE = "base"
# Platform default for 受理/响应 when the preset names none.
DEFAULT_RESPONSE_HOURS = 24


class CatalogueError(ValueError):
    pass


@transaction.atomic
def do_load_catalog(preset) -> dict[str, Tier]:
    """Write the preset's tiers and its matter catalogue; seed the calendar if empty.
    ``preset`` is the validated preset (its ``key``, ``catalog`` and ``tiers``)."""
    tiers = _load_tiers(preset.tiers)
    if not CalendarYear.objects.exists():
        seed_calendar()
    _load_matters(read_catalogue(catalogue_name(preset)), tiers)
    return tiers


def catalogue_name(preset) -> str:
    name = preset.catalog
    if name is not None:
        if not (DATA_DIR / f"{name}.toml").exists():
            raise CatalogueError(f"{preset.key}: no catalogue {name!r} in {DATA_DIR}")
        return name
    own = preset.key
    return own if (DATA_DIR / f"{own}.toml").exists() else BASE_CATALOGUE


def read_catalogue(name: str) -> list[dict]:
    """The entries of catalog/data/<name>.toml, each with its group, checked."""
    with (DATA_DIR / f"{name}.toml").open("rb") as handle:
        data = tomllib.load(handle)
    entries = [
        {**matter, "group": group["name"]}
        for group in data["groups"]
        for matter in group["matters"]
    ]
    codes = [entry["code"] for entry in entries]
    duplicates = {code for code in codes if codes.count(code) > 1}
    if duplicates:
        raise CatalogueError(f"{name}: duplicate codes {sorted(duplicates)}")
    return entries


def _load_tiers(specs) -> dict[str, Tier]:
    """Tiers are updated in place by code. One the preset no longer names is left alone:
    cases and categories may still point at it (all shipped presets use the same codes)."""
    tiers = {}
    for position, spec in enumerate(specs):
        hours = spec.deadline.hours
        response = spec.response.hours if spec.response else DEFAULT_RESPONSE_HOURS
        if hours is not None:
            # A 2-hour tier cannot leave 24 hours to respond.
            response = min(response, hours)
        tiers[spec.code], _ = Tier.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "order": position,
                "handler": spec.handler,
                "deadline_hours": hours,
                "deadline_working_days": spec.deadline.working_days,
                "min_working_days": spec.deadline.min_working_days,
                "response_hours": response,
            },
        )
    return tiers


def _load_matters(entries: list[dict], tiers: dict[str, Tier]) -> None:
    """Make the active catalogue match ``entries``, by code, in a constant number of
    queries; rows are only written when something changed."""
    now = timezone.now()
    existing = {row.code: row for row in MatterCategory.objects.all()}
    new, changed = [], []
    for entry in entries:
        tier = tiers.get(entry["tier"])
        if tier is None:
            raise CatalogueError(f"{entry['code']}: the preset has no tier {entry['tier']!r}")
        values = {
            "name": entry["name"],
            "group": entry["group"],
            "default_tier_id": tier.pk,
            "department_kind": entry.get("department", ""),
            "keywords": list(entry.get("keywords", [])),
            "is_active": True,
        }
        row = existing.get(entry["code"])
        if row is None:
            new.append(MatterCategory(code=entry["code"], updated_at=now, **values))
        elif any(getattr(row, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(row, field, value)
            row.updated_at = now  # bulk_update skips auto_now
            changed.append(row)
    MatterCategory.objects.bulk_create(new)
    MatterCategory.objects.bulk_update(
        changed,
        ["name", "group", "default_tier", "department_kind", "keywords", "is_active", "updated_at"],
    )
    wanted = {entry["code"] for entry in entries}
    gone = [row.pk for code, row in existing.items() if code not in wanted and row.is_active]
    MatterCategory.objects.filter(pk__in=gone).update(is_active=False, updated_at=now)
