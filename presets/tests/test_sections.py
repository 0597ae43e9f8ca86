"""The registry of preset sections and the one accessor features read them through."""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from presets import sections
from presets.loader import (
    PresetError,
    active_preset,
    active_section,
    do_load_preset,
    parse_preset,
    read_preset_data,
)
from presets.schema import Table
from presets.sections import Section, SectionConflict, register, section_keys


@pytest.fixture
def registry():
    """The registry as the apps left it, restored after the test."""
    saved = list(sections._registry.registrations)
    yield
    sections._registry.registrations[:] = saved
    sections._registry.model = None


class Extra(Table):
    level: int = 1


def test_registering_a_section_is_one_line_and_its_loader_runs_on_load(registry, db):
    written = []
    register(Section("extra", Extra, Extra()), load=lambda preset, context: written.append(preset))

    data = read_preset_data("jizhou")
    assert parse_preset(data).extra == Extra()  # absent: the default
    assert parse_preset({**data, "extra": {"level": 3}}).extra.level == 3
    with pytest.raises(PresetError, match=r"extra.level: should be a valid integer"):
        parse_preset({**data, "extra": {"level": "3"}})
    do_load_preset("jizhou")
    assert [preset.key for preset in written] == ["jizhou"]
    assert active_section("extra") == Extra()


def test_a_key_another_app_holds_cannot_be_registered(registry):
    with pytest.raises(SectionConflict, match="tiers"):
        register(Section("tiers", Extra))
    with pytest.raises(SectionConflict):
        register(Section("json", Extra))  # would shadow the model's own attribute


def test_registering_the_same_sections_again_replaces_them(registry):
    register(Section("extra", Extra, Extra()))
    register(Section("extra", Extra, Extra(level=2)))
    assert section_keys().count("extra") == 1
    assert parse_preset(read_preset_data("jizhou")).extra.level == 2


def test_every_app_registers_what_it_owns():
    owners = {}
    for r in sections.registrations():  # an app may register its parts' sections apart
        owners.setdefault(r.owner, set()).update(s.key for s in r.sections)
    assert {"tiers", "catalog"} <= owners["catalog"]
    assert {"region", "levels", "party_levels", "roles", "departments"} <= owners["org"]
    assert {"channels", "whistle", "cases"} <= owners["cases"]
    assert {"credit", "credit_subjects", "credit_incentives"} <= owners["credit"]
    assert {"deliberation_steps", "lists", "volunteer_posts"} <= owners["participation"]
    assert owners["exchange"] == {"hotline"} and owners["residents"] == {"tags"}
    assert {"reporting", "targets"} <= owners["analytics"]
    assert {"assessment", "awards", "evaluation", "evaluation_methods"} <= owners["analytics"]
    assert owners["patrol"] == {"patrol"} and owners["emergency"] == {"emergency"}
    assert owners["alerts"] == {"early_warning", "sos"}
    assert owners["presets"] == {"key", "title", "seed", "mechanisms"}


def test_presets_imports_no_other_app():
    """presets is a foundation: the apps register with it, it never imports them."""
    root = Path(__file__).resolve().parents[1]
    ours = {
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == root.parent
    } - {"presets"}
    assert {"org", "catalog", "cases", "credit", "exchange"} <= ours
    for path in root.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in ours, f"{path.name} imports {name}"


@pytest.mark.django_db
def test_features_read_typed_sections():
    do_load_preset("rongcheng")
    assert active_section("whistle").supervised_by == "city"
    assert active_section("credit").incentive_item_count == 210
    assert active_section("cases").reopen_limit == 1  # no [cases]: the platform default
    assert active_section("permissions").grant == {}  # no [permissions]: the platform's table
    with pytest.raises(LookupError, match="no preset section 'nowhere'"):
        active_section("nowhere")


@pytest.mark.django_db
def test_a_preset_permissions_table_changes_the_platform_table():
    from org.permissions import DEFAULTS, verbs_of

    do_load_preset("jizhou")
    assert active_section("permissions").grant["grid_worker"] == (
        "cases.dispatch",
        "cases.whistle",
    )
    assert verbs_of("grid_worker") == DEFAULTS["grid_worker"] | {"cases.dispatch", "cases.whistle"}


@pytest.mark.django_db
def test_the_validated_preset_is_kept_and_costs_one_small_read():
    do_load_preset("jizhou")
    first = active_preset()
    with CaptureQueriesContext(connection) as queries:
        assert active_preset() is first
        assert active_section("tiers") is first.tiers
    assert len(queries) == 2  # the active record's stamp, once per call
    with pytest.raises(Exception):  # noqa: B017 (frozen: no caller changes it for the others)
        first.whistle.report_in_hours = 1


@pytest.mark.django_db
def test_loading_another_preset_is_seen_at_once():
    do_load_preset("jizhou")
    assert active_preset().key == "jizhou"
    do_load_preset("zhangye")  # no tree yet: switching is allowed
    assert active_preset().key == "zhangye"


@pytest.mark.django_db
def test_without_a_preset_the_accessor_says_what_to_do():
    with pytest.raises(PresetError, match="manage.py load_preset"):
        active_section("whistle")
