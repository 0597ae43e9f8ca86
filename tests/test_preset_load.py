"""Loading a preset writes every app's setup state, once: a second load changes nothing,
and no page has to be opened first for anything to exist."""

import pytest

from catalog.models import MatterCategory, Tier
from credit.models import CreditSubject, IncentiveRule
from exchange.models import HotlineSystem
from org.models import Level, PartyLevel, Role
from presets.loader import do_load_preset, read_preset
from presets.models import PresetRecord
from residents.models import Tag
from tests.conftest import EVERY_PRESET


def _state():
    """Every row a preset's loaders write, without ids and timestamps."""
    return {
        "levels": list(Level.objects.values_list("depth", "key", "name", "kind", "code_width")),
        "party": list(PartyLevel.objects.values_list("depth", "key", "name", "org_level__key")),
        "roles": list(
            Role.objects.order_by("code").values_list(
                "code", "name", "kind", "duty", "level__key", "description"
            )
        ),
        "tags": list(Tag.objects.values_list("code", "name", "is_key_population")),
        "tiers": list(
            Tier.objects.values_list(
                "code",
                "name",
                "order",
                "handler",
                "deadline_hours",
                "deadline_working_days",
                "min_working_days",
                "response_hours",
            )
        ),
        "matters": list(
            MatterCategory.objects.order_by("code").values_list(
                "code", "name", "default_tier__code", "is_active", "updated_at"
            )
        ),
        "subjects": list(CreditSubject.objects.order_by("code").values_list("code", "name")),
        "rules": list(
            IncentiveRule.objects.order_by("key").values_list(
                "key", "name", "points", "unit", "subject__code"
            )
        ),
        "hotlines": list(
            HotlineSystem.objects.order_by("slug").values_list(
                "slug", "name", "channel", "mapping", "is_active"
            )
        ),
        "records": list(PresetRecord.objects.values_list("key", "title", "data", "is_active")),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("key", EVERY_PRESET)
def test_loading_a_preset_twice_changes_nothing(key):
    do_load_preset(key)
    before = _state()
    do_load_preset(key)
    assert _state() == before


@pytest.mark.django_db
@pytest.mark.parametrize("key", EVERY_PRESET)
def test_the_hotline_systems_follow_the_preset_channels(key):
    do_load_preset(key)
    channels = {channel.code for channel in read_preset(key).channels}
    expected = {"hotline_12345": "hotline-12345", "hotline_12343": "hotline-12343"}
    assert set(HotlineSystem.objects.values_list("slug", flat=True)) == {
        slug for channel, slug in expected.items() if channel in channels
    }


@pytest.mark.django_db
def test_a_reload_keeps_what_the_administrator_changed_in_a_hotline_system():
    do_load_preset("jizhou")
    HotlineSystem.objects.filter(slug="hotline-12345").update(
        name="吉安 12345", mapping={"ticket_no": "工单号"}
    )
    do_load_preset("jizhou")
    system = HotlineSystem.objects.get(slug="hotline-12345")
    assert (system.name, system.mapping) == ("吉安 12345", {"ticket_no": "工单号"})


@pytest.mark.django_db
def test_make_city_if_empty_reloads_the_preset_of_an_existing_city():
    """A demo database generated before the hotline systems were load-time state gets them
    on the next `make demo`, whose make_city --if-empty skips the generation."""
    import io

    from django.core.management import call_command

    from org.models import OrgNode
    from simulate.citygen import CityGenerator

    do_load_preset("jizhou")
    CityGenerator("tiny", 1).run()
    HotlineSystem.objects.all().delete()
    nodes = OrgNode.objects.count()
    out = io.StringIO()
    call_command("make_city", "--preset", "jizhou", "--scale", "tiny", "--if-empty", stdout=out)
    assert "跳过生成" in out.getvalue() and OrgNode.objects.count() == nodes
    assert HotlineSystem.objects.filter(slug="hotline-12345").exists()
    # Another preset's name: the city stays as it is, with a warning.
    call_command("make_city", "--preset", "zhangye", "--scale", "tiny", "--if-empty", stdout=out)
    assert "未重新加载预设" in out.getvalue()
    assert PresetRecord.objects.get(is_active=True).key == "jizhou"
