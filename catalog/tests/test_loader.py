"""Loading the five presets' tiers and catalogues."""

import re

import pytest

from catalog.loader import (
    BASE_CATALOGUE,
    CatalogueError,
    catalogue_name,
    do_load_catalog,
    read_catalogue,
)
from catalog.models import CalendarYear, HandlerKind, MatterCategory, Tier
from presets.loader import PRESET_KEYS, do_load_preset, parse_preset, read_preset, read_preset_data

SLUG = re.compile(r"^[a-z_]*$")
TIERS = {"immediate", "coordinated", "escalated"}
# Fuzhou: the seed's 「269项」 and the 38 entries every catalogue shares since issue 10.
FUZHOU = 269 + 38


def _snapshot():
    return list(
        MatterCategory.objects.order_by("code").values_list(
            "code",
            "name",
            "group",
            "default_tier__code",
            "department_kind",
            "keywords",
            "is_active",
            "updated_at",
        )
    )


@pytest.mark.django_db
@pytest.mark.parametrize("key", PRESET_KEYS)
def test_each_preset_loads_its_tiers_and_catalogue(key):
    do_load_preset(key)
    data = read_preset(key)
    assert [tier.code for tier in Tier.objects.all()] == [spec.code for spec in data.tiers]
    for spec, tier in zip(data.tiers, Tier.objects.all(), strict=True):
        assert tier.handler == spec.handler
        assert tier.deadline_working_days == spec.deadline.working_days
        assert tier.deadline_hours == spec.deadline.hours
    active = MatterCategory.objects.filter(is_active=True)
    if key == "fuzhou":
        # 「规范梳理了269项信息采集及分类处置的事项清单」, plus the shared additions.
        assert active.count() == FUZHOU
        assert active.values("group").distinct().count() >= 15
    else:
        assert active.count() == len(read_catalogue(BASE_CATALOGUE))
    assert CalendarYear.objects.count() == 23  # seeded on first load


@pytest.mark.django_db
def test_jizhou_two_hour_tier_gets_a_response_limit_within_it():
    do_load_preset("jizhou")
    tiers = {tier.code: tier for tier in Tier.objects.all()}
    assert tiers["immediate"].response_hours == 2
    assert tiers["coordinated"].response_hours == 24
    assert tiers["escalated"].min_working_days == 10
    assert tiers["escalated"].deadline_working_days == 15


@pytest.mark.django_db
def test_a_preset_may_name_its_response_limit():
    data = read_preset_data("jizhou")
    data["tiers"][1]["response"] = {"hours": 8}
    do_load_catalog(parse_preset(data))
    assert Tier.objects.get(code="coordinated").response_hours == 8


@pytest.mark.django_db
def test_loading_twice_changes_nothing(django_assert_max_num_queries):
    data = read_preset("fuzhou")
    do_load_catalog(data)
    before = _snapshot()
    # Tiers (one update_or_create each) and the catalogue in a few bulk queries.
    with django_assert_max_num_queries(20):
        do_load_catalog(data)
    assert _snapshot() == before


@pytest.mark.django_db
def test_entries_leaving_the_catalogue_are_deactivated_not_deleted():
    do_load_catalog(read_preset("fuzhou"))
    do_load_catalog(read_preset("jizhou"))
    base = len(read_catalogue(BASE_CATALOGUE))
    assert MatterCategory.objects.count() == FUZHOU
    assert MatterCategory.objects.filter(is_active=True).count() == base
    do_load_catalog(read_preset("fuzhou"))
    assert MatterCategory.objects.filter(is_active=True).count() == FUZHOU


@pytest.mark.django_db
def test_a_preset_can_borrow_a_catalogue_by_name():
    data = read_preset("jizhou").model_copy(update={"catalog": "fuzhou"})
    do_load_catalog(data)
    assert MatterCategory.objects.filter(is_active=True).count() == FUZHOU
    with pytest.raises(CatalogueError):
        catalogue_name(data.model_copy(update={"catalog": "nowhere"}))


def test_catalogue_files_are_well_formed():
    base = {entry["code"]: entry for entry in read_catalogue(BASE_CATALOGUE)}
    fuzhou = {entry["code"]: entry for entry in read_catalogue("fuzhou")}
    assert len(fuzhou) == FUZHOU  # read_catalogue refuses duplicate codes
    for entry in [*base.values(), *fuzhou.values()]:
        assert re.fullmatch(r"[A-Z]{2}-\d{3}", entry["code"]), entry
        assert entry["tier"] in TIERS, entry
        assert SLUG.match(entry["department"]), entry
        assert 3 <= len(entry["keywords"]) <= 8, entry
        assert len(set(entry["keywords"])) == len(entry["keywords"]), entry
    # Fuzhou's list contains the shared one, so routing rules carry over.
    for code, entry in base.items():
        assert (fuzhou[code]["name"], fuzhou[code]["group"]) == (entry["name"], entry["group"])


def test_every_preset_tier_handler_is_known():
    for key in PRESET_KEYS:
        for spec in read_preset(key).tiers:
            assert spec.handler in HandlerKind.values
