"""The seed presets in presets/data/: they read, check, load, and keep the seeds' figures."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from org.models import Level, LevelKind, PartyLevel, Role, RoleKind
from org.permissions import duty_table, verbs_of
from presets.loader import (
    PRESET_KEYS,
    PresetError,
    active_preset,
    available_presets,
    do_load_preset,
    parse_preset,
    read_preset,
    read_preset_data,
)
from presets.models import PresetRecord
from residents.models import Tag

# duty -> the role kind it must have (the demo generator relies on these in every preset).
REQUIRED_DUTIES = {
    "leader": RoleKind.LEADER,
    "street_staff": RoleKind.STAFF,
    "community_secretary": RoleKind.STAFF,
    "grid_worker": RoleKind.STAFF,
    "department_staff": RoleKind.DEPARTMENT,
    "resident": RoleKind.RESIDENT,
}
SHARED_CHANNELS = {
    "qr_code",
    "grid_report",
    "hotline_12345",
    "hotline_12343",
    "visit",
    "mailbox",
    "chat_group",
    "liaison_phone",
    "diary",
    "app",
    "video",
    "city_management_system",
    "open311",
    "walk_in",
}
# Channels a preset added because nothing on the shared list fits.
OWN_CHANNELS = {"service_hotline", "sos", "appointment"}
HANDLERS = {"grid", "community", "department", "departments", "party_committee"}
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


def _level_by_key(preset):
    return {level.key: (depth, level) for depth, level in enumerate(preset.levels)}


def _snapshot():
    """Everything the loader writes, without ids and timestamps."""
    return {
        "levels": list(
            Level.objects.order_by("depth").values_list(
                "depth", "key", "name", "kind", "code_width"
            )
        ),
        "party": list(
            PartyLevel.objects.order_by("depth").values_list(
                "depth", "key", "name", "org_level__key"
            )
        ),
        "roles": list(
            Role.objects.order_by("code").values_list(
                "code", "name", "kind", "duty", "level__key", "description"
            )
        ),
        "tags": list(Tag.objects.order_by("code").values_list("code", "name")),
        "records": list(
            PresetRecord.objects.order_by("key").values_list("key", "title", "data", "is_active")
        ),
    }


def test_every_preset_file_is_listed():
    assert set(available_presets()) == set(PRESET_KEYS)


# ---------------------------------------------------------------- reading and schema


@pytest.mark.parametrize("key", PRESET_KEYS)
def test_preset_reads_and_follows_the_schema(key):
    data = read_preset(key)
    assert data.key == key
    region = data.region
    assert 73 < region.lng < 136 and 3 < region.lat < 54  # inside China
    assert re.fullmatch(r"[A-Z]{2}", region.case_prefix)

    levels = data.levels
    assert 3 <= len(levels) <= 8
    assert levels[0].code_width == len(region.code)
    for level in levels[1:]:
        expected = {"grid": 3, "building": 3, "unit": 2, "household": 4}.get(level.kind)
        if expected:
            assert level.code_width == expected, level.key
        else:
            assert level.code_width in (2, 3), level.key
    assert len({level.key for level in levels}) == len(levels)

    codes = [role.code for role in data.roles]
    assert len(codes) == len(set(codes)), "role codes are unique within a preset"
    for role in data.roles:
        assert SLUG.match(role.code) and SLUG.match(role.duty), role.code
        assert role.kind in RoleKind.values

    # Every preset has city management (the demo account demo-dept belongs to it).
    kinds = [department.kind for department in data.departments]
    assert "city_management" in kinds
    assert len(kinds) == len(set(kinds)) and all(SLUG.match(kind) for kind in kinds)

    channels = [channel.code for channel in data.channels]
    assert len(channels) == len(set(channels))
    assert set(channels) <= SHARED_CHANNELS | OWN_CHANNELS

    assert [tier.code for tier in data.tiers] == ["immediate", "coordinated", "escalated"]
    for tier in data.tiers:
        assert tier.handler in HANDLERS
        assert tier.deadline.hours or tier.deadline.working_days

    whistlers = {d for d, verbs in duty_table(data.permissions).items() if "cases.whistle" in verbs}
    assert "community_secretary" in whistlers
    assert data.whistle.report_in_hours > 0
    assert data.deliberation_steps and data.reporting and data.credit_subjects
    # The patrol standard is given, not left to the platform default.
    assert {"hours_per_day", "visits_per_household_per_month"} <= data.patrol.model_fields_set
    level_keys = {level.key for level in levels}
    assert {party.org_level for party in data.party_levels} <= level_keys


@pytest.mark.parametrize("key", PRESET_KEYS)
def test_required_duties_sit_where_the_demo_expects_them(key):
    data = read_preset(key)
    levels = _level_by_key(data)
    grid_depth = next(d for d, level in levels.values() if level.kind == LevelKind.GRID)
    by_duty = {}
    for role in data.roles:
        by_duty.setdefault(role.duty, []).append(role)
    for duty, kind in REQUIRED_DUTIES.items():
        assert len(by_duty.get(duty, [])) == 1, f"{key}: exactly one role with duty {duty}"
        role = by_duty[duty][0]
        assert role.kind == kind, f"{key}: {duty}"
        depth, level = levels[role.level]
        if duty in ("leader", "department_staff"):
            assert depth == 0, f"{key}: {duty} is bound to the root"
        elif duty == "street_staff":
            assert level.kind == LevelKind.ADMIN and 1 <= depth < grid_depth - 1
            assert "街" in level.name, f"{key}: street_staff sits at the street/town level"
        elif duty == "community_secretary":
            assert depth == grid_depth - 1 and level.kind == LevelKind.ADMIN
            assert "residents.reveal" in duty_table(data.permissions)[duty]
        elif duty == "grid_worker":
            assert depth == grid_depth
            assert "residents.reveal" in duty_table(data.permissions)[duty]
        elif duty == "resident":
            assert depth == grid_depth


SEEDS_DIR = Path(os.environ.get("GRIDGOV_SEEDS_DIR", settings.BASE_DIR.parent / "shared" / "seeds"))


@pytest.mark.skipif(not SEEDS_DIR.is_dir(), reason="seed documents are not on this machine")
@pytest.mark.parametrize("key", PRESET_KEYS)
def test_quoted_seed_sentences_are_verbatim(key):
    """Every 「…」 quote in a preset's comments is the seed's own text ("…" marks a cut)."""
    path = Path(__file__).resolve().parents[1] / "data" / f"{key}.toml"
    seed = (SEEDS_DIR / read_preset(key).seed).read_text(encoding="utf-8")
    quoted = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if "#" not in line:
            continue
        for quote in re.findall(r"「(.*?)」", line.split("#", 1)[1]):
            for piece in filter(None, (part.strip() for part in quote.split("…"))):
                assert piece in seed, f"{key}: not in the seed: {piece}"
                quoted += 1
    assert quoted >= 20


# ---------------------------------------------------------------- loading


@pytest.mark.django_db
@pytest.mark.parametrize("key", PRESET_KEYS)
def test_preset_loads_into_an_empty_database(key):
    assert not Level.objects.exists() and not Role.objects.exists()
    data = read_preset(key)
    record = do_load_preset(key)

    assert record.is_active and record.key == key
    assert active_preset().key == key
    assert list(Level.objects.order_by("depth").values_list("key", "kind", "code_width")) == [
        (level.key, level.kind, level.code_width) for level in data.levels
    ]
    assert list(PartyLevel.objects.order_by("depth").values_list("key", "org_level__key")) == [
        (party.key, party.org_level) for party in data.party_levels
    ]
    assert set(Role.objects.values_list("code", flat=True)) == {role.code for role in data.roles}
    root = Level.objects.get(depth=0)
    grid = Level.objects.get(kind=LevelKind.GRID)
    community = Level.objects.get(depth=grid.depth - 1)
    for duty, kind in REQUIRED_DUTIES.items():
        role = Role.objects.get(duty=duty)
        assert role.kind == kind
        expected_level = {
            "leader": root,
            "department_staff": root,
            "community_secretary": community,
            "grid_worker": grid,
            "resident": grid,
        }.get(duty)
        if expected_level is not None:
            assert role.level == expected_level, f"{key}: {duty}"
    assert "residents.reveal" in verbs_of("community_secretary")
    assert "residents.reveal" in verbs_of("grid_worker")
    street = Role.objects.get(duty="street_staff").level
    assert street.kind == LevelKind.ADMIN and 0 < street.depth < community.depth
    assert Tag.objects.filter(is_key_population=True).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("key", PRESET_KEYS)
def test_loading_twice_changes_nothing(key):
    do_load_preset(key)
    before = _snapshot()
    do_load_preset(key)
    assert _snapshot() == before
    assert PresetRecord.objects.count() == 1


# ---------------------------------------------------------------- the seeds' figures


@pytest.mark.django_db
def test_jizhou_tier_deadlines():
    do_load_preset("jizhou")
    tiers = {tier.code: tier for tier in active_preset().tiers}
    deadlines = {code: tier.deadline.model_dump(exclude_none=True) for code, tier in tiers.items()}
    assert deadlines["immediate"] == {"hours": 2}
    assert deadlines["coordinated"] == {"working_days": 5}
    assert deadlines["escalated"] == {"min_working_days": 10, "working_days": 15}
    assert [award.top for award in active_preset().awards] == [10, 10, 10, 10]


@pytest.mark.django_db
def test_zhangye_three_kinds_seven_steps_and_monthly_visits():
    do_load_preset("zhangye")
    data = active_preset()
    assert [tier.name for tier in data.tiers] == ["即办件", "承诺件", "上报件"]
    assert [tier.handler for tier in data.tiers] == [
        "community",
        "community",
        "party_committee",
    ]
    steps = [step.key for step in data.deliberation_steps]
    assert len(steps) == 7
    assert steps[0] == "accept" and steps[1] == "approve_agenda"
    assert steps[2] == "draft_proposal" and steps[-1] == "close_publish"
    assert data.patrol.visits_per_household_per_month == 1
    assert {channel.code for channel in data.channels} >= {
        "visit",
        "service_hotline",
        "mailbox",
        "chat_group",
        "liaison_phone",
        "diary",
    }
    assert [r.every_months for r in data.reporting] == [1, 3, 6, 6]
    assert len(data.targets["micro_actions"]) == 6
    assert [party.key for party in data.party_levels] == [
        "work_committee",
        "party_committee",
        "grid_branch",
        "building_group",
        "member_household",
    ]
    names = set(Role.objects.values_list("name", flat=True))
    assert {
        "社工委委员",
        "网格长",
        "网格员",
        "社区民警",
        "监督员",
        "信息员",
        "楼栋长",
        "单元长",
    } <= names
    assert Level.objects.filter(kind=LevelKind.UNIT).exists()


@pytest.mark.django_db
def test_wugong_one_net_three_workers():
    do_load_preset("wugong")
    data = active_preset()
    names = set(Role.objects.values_list("name", flat=True))
    assert {"基础网格员", "便民服务员", "财经管理员"} <= names
    targets = data.targets
    assert (targets["communities"], targets["grids"]) == (9, 48)
    assert targets["red_owners_committees"] == 21
    assert (targets["post_claimants"], targets["posts_claimed"]) == (280, 130)
    assert (targets["organ_party_branches"], targets["party_volunteers"]) == (157, 1877)
    assert Level.objects.filter(kind=LevelKind.UNIT).exists()


@pytest.mark.django_db
def test_rongcheng_patrol_credit_and_team():
    do_load_preset("rongcheng")
    data = active_preset()
    assert data.patrol.hours_per_day == 4
    assert data.credit.incentive_item_count == 210
    assert data.credit.credit_subject_count == 10
    assert data.credit.cadre_volunteer_hours_per_year == 20
    assert len(data.credit_subjects) <= data.credit.credit_subject_count
    assert [tier.name for tier in data.tiers] == ["小事即时办", "大事协调办", "难事吹哨办"]
    # 「将哨权下放至社区」: the community's, not the grid's.
    assert "cases.whistle" in verbs_of("community_secretary")
    assert "cases.whistle" not in verbs_of("grid_worker")
    assert data.early_warning.compare == ("hotline_12345", "grid_report")
    assert [level.level for level in data.deliberation_levels] == [
        "building",
        "grid",
        "community",
    ]
    assert len(data.party_levels) == 5
    targets = data.targets
    assert (
        targets["community_secretaries"],
        targets["full_time_grid_leaders"],
        targets["building_leaders"],
        targets["unit_leaders"],
    ) == (60, 447, 6874, 16122)
    assert (
        targets["paired_departments"],
        targets["registered_members"],
        targets["chat_groups"],
    ) == (134, 5094, 5808)
    names = set(Role.objects.values_list("name", flat=True))
    assert {"社区书记", "专职网格长", "楼长", "单元长", "小巷管家"} <= names


@pytest.mark.django_db
def test_fuzhou_grids_and_results():
    do_load_preset("fuzhou")
    data = active_preset()
    assert Level.objects.get(depth=0).code_width == 4
    assert Level.objects.get(depth=1).code_width == 2
    targets = data.targets
    assert targets["residential_grids"] + targets["unit_grids"] == 13113 + 16673
    assert targets["matter_types"] == 269
    assert targets["hotline_12345_satisfaction"] == 99.68
    assert (targets["registered_members"], targets["emergency_teams"]) == (187000, 9)
    assert [kind.code for kind in data.grid_kinds] == ["residential", "unit"]
    assert {channel.code for channel in data.channels} >= {
        "grid_report",
        "app",
        "hotline_12345",
        "video",
        "city_management_system",
    }
    names = set(Role.objects.values_list("name", flat=True))
    assert {"网格党支部书记", "专职网格员", "兼职网格员", "应急网格员", "网格志愿者"} <= names


# ---------------------------------------------------------------- broken data

SOURCE = "presets/data/jizhou.toml"


def _broken(change):
    data = read_preset_data("jizhou")
    change(data)
    return data


def _extra_admin_levels(data, count):
    for index in range(count):
        data["levels"].insert(
            1, {"key": f"extra{index}", "name": f"附加{index}", "kind": "admin", "code_width": 3}
        )


def _set(path, value):
    """A change that sets data[path…] = value (a path of keys and indexes)."""

    def change(data):
        target = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return change


BROKEN = [
    # the shape of the tree
    (lambda d: d.update(levels=d["levels"][:2]), "levels", "2 levels; a preset has 3 to 8"),
    (lambda d: _extra_admin_levels(d, 3), "levels", "9 levels; a preset has 3 to 8"),
    (_set(["levels", 3, "kind"], "admin"), "levels", "exactly one level must be of kind 'grid'"),
    (_set(["levels", 4, "kind"], "grid"), "levels", "exactly one level must be of kind 'grid'"),
    (lambda d: d["levels"].reverse(), "levels", "the first level must be administrative"),
    (_set(["region", "code"], "3608"), "region.code", "'3608' must have the root level's 6"),
    # unknown keys, at the top and inside, with the nearest known key
    (_set(["tierz"], []), "tierz", "unknown key (did you mean 'tiers'?)"),
    (_set(["roles", 3, "levle"], "grid"), "roles[3].levle", "unknown key (did you mean 'level'?)"),
    (_set(["tiers", 0, "deadline"], {"minutes": 5}), "tiers[0].deadline.minutes", "unknown key"),
    # wrong types: TOML's own types are kept, nothing is coerced
    (
        _set(["tiers", 2, "deadline", "working_days"], "15"),
        "tiers[2].deadline.working_days",
        "should be a valid integer, not '15' (a string)",
    ),
    (
        _set(["tiers", 1, "whistle"], 1),
        "tiers[1].whistle",
        "should be a valid boolean, not 1 (an integer)",
    ),
    (
        _set(["levels", 1, "code_width"], 3.0),
        "levels[1].code_width",
        "should be a valid integer, not 3.0 (a float)",
    ),
    (_set(["channels"], {"code": "x"}), "channels", "should be an array, not a table"),
    (_set(["whistle"], ["grid"]), "whistle", "should be a table, not an array"),
    (_set(["targets", "towns"], True), "targets.towns", "a number or an array of names"),
    # values: choices, ranges, lengths, patterns, uniqueness
    (_set(["roles", 0, "kind"], "boss"), "roles[0].kind", "should be 'staff', 'leader'"),
    (_set(["roles", 0, "kind"], "boss"), "roles[0].kind", "'department' or 'resident'"),
    (_set(["whistle", "holder"], "grid"), "whistle.holder", "unknown key"),
    (_set(["cases"], {"yellow_at": 1.5}), "cases.yellow_at", "should be less than 1"),
    (_set(["roles", 0, "name"], "长" * 51), "roles[0].name", "at most 50 characters"),
    (_set(["channels", 0, "code"], "grid report"), "channels[0].code", "should match pattern"),
    (
        _set(["roles", 1, "code"], "chief-grid-leader"),
        "roles",
        "code 'chief-grid-leader' is given twice",
    ),
    (_set(["tiers", 0, "deadline"], {}), "tiers[0].deadline", "give hours or working_days"),
    # missing keys
    (lambda d: d["tiers"][0].pop("deadline"), "tiers[0].deadline", "missing: this key is required"),
    (lambda d: d.pop("tiers"), "tiers", "missing: this key is required"),
    # references between sections
    (_set(["roles", 0, "level"], "nowhere"), "roles[0].level", "no level 'nowhere' in levels"),
    (
        _set(["party_levels", 0, "org_level"], "nowhere"),
        "party_levels[0].org_level",
        "no level 'nowhere' in levels",
    ),
    (_set(["catalog"], "nowhere"), "catalog", "no catalogue 'nowhere' in catalog/data/"),
    (
        _set(["credit_incentives"], [{"key": "k", "name": "善举", "points": 2, "subject": "x"}]),
        "credit_incentives[0].subject",
        "no credit subject 'x'",
    ),
    (
        _set(["hotline"], {"systems": [{"slug": "h", "name": "热线", "channel": "fax"}]}),
        "hotline.systems[0].channel",
        "no channel 'fax'",
    ),
    (
        _set(["deliberation_levels"], [{"level": "grid", "leader_role": "x", "scope": "小事"}]),
        "deliberation_levels[0].leader_role",
        "no role 'x' in roles",
    ),
    # [permissions]: verbs and duties the platform knows
    (
        _set(["permissions", "grant", "grid_worker"], ["cases.fly"]),
        "permissions.grant.grid_worker[0]",
        "unknown verb 'cases.fly'",
    ),
    (
        _set(["permissions", "grant", "astronaut"], ["cases.report"]),
        "permissions.grant.astronaut",
        "no role has this duty",
    ),
    (
        _set(["permissions", "revoke"], {"grid_worker": "cases.close"}),
        "permissions.revoke.grid_worker",
        "should be an array, not 'cases.close' (a string)",
    ),
    (_set(["permissions", "grants"], {}), "permissions.grants", "did you mean 'grant'?"),
    (
        _set(["early_warning"], {"compare": ["fax"], "meeting": "研判会"}),
        "early_warning.compare[0]",
        "'fax' is not one of the channels",
    ),
]


@pytest.mark.parametrize(
    ("change", "path", "reason"), [pytest.param(*case, id=case[1]) for case in BROKEN]
)
def test_a_broken_preset_fails_naming_file_key_and_reason(change, path, reason):
    with pytest.raises(PresetError) as caught:
        parse_preset(_broken(change), source=SOURCE)
    error = caught.value
    assert error.source == SOURCE
    assert any(p == path and reason in r for p, r in error.problems), error.problems
    assert f"{SOURCE}: {path}: " in str(error)


def test_every_problem_of_a_file_is_reported_at_once():
    def change(data):
        data["tierz"] = []
        data["whistle"]["report_in_hours"] = -1
        data["tiers"][2]["whistle"] = "yes"

    with pytest.raises(PresetError) as caught:
        parse_preset(_broken(change), source=SOURCE)
    paths = [path for path, _ in caught.value.problems]
    assert sorted(paths) == ["tiers[2].whistle", "tierz", "whistle.report_in_hours"]


def test_the_unbroken_copy_parses():
    parse_preset(_broken(lambda data: None), source=SOURCE)


@pytest.mark.django_db
def test_a_broken_file_on_disk_is_named_by_load_preset(tmp_path, monkeypatch):
    from django.core.management import CommandError, call_command

    import presets.loader

    text = (presets.loader.DATA_DIR / "jizhou.toml").read_text(encoding="utf-8")
    path = tmp_path / "jizhou.toml"
    path.write_text(text.replace("report_in_hours = 24", 'report_in_hours = "24"'), "utf-8")
    monkeypatch.setattr(presets.loader, "DATA_DIR", tmp_path)
    with pytest.raises(CommandError) as caught:
        call_command("load_preset", "jizhou")
    message = str(caught.value)
    assert f"{path}: whistle.report_in_hours: should be a valid integer" in message


def test_a_file_named_for_another_preset_is_refused(tmp_path, monkeypatch):
    import presets.loader

    text = (presets.loader.DATA_DIR / "jizhou.toml").read_text(encoding="utf-8")
    (tmp_path / "atlantis.toml").write_text(text, "utf-8")
    monkeypatch.setattr(presets.loader, "DATA_DIR", tmp_path)
    with pytest.raises(PresetError, match="key: is 'jizhou', but the file is atlantis.toml"):
        read_preset("atlantis")


def test_unknown_preset_is_an_error():
    with pytest.raises(PresetError):
        read_preset("atlantis")


@pytest.mark.django_db
def test_switching_presets_before_a_city_exists_replaces_the_catalogue():
    from org.models import Level, PartyLevel, Role

    do_load_preset("jizhou")
    do_load_preset("zhangye")
    zhangye = read_preset("zhangye")
    assert set(Role.objects.values_list("code", flat=True)) == {r.code for r in zhangye.roles}
    assert list(Level.objects.values_list("key", flat=True)) == [lv.key for lv in zhangye.levels]
    assert PartyLevel.objects.count() == len(zhangye.party_levels)


@pytest.mark.django_db
def test_reloading_the_active_preset_keeps_a_generated_city():
    from org.models import PartyLevel, PartyOrg
    from simulate.citygen import CityGenerator

    do_load_preset("zhangye")
    CityGenerator("tiny", 1).run()
    before = list(PartyLevel.objects.values_list("pk", "key"))
    do_load_preset("zhangye")
    assert list(PartyLevel.objects.values_list("pk", "key")) == before
    assert PartyOrg.objects.exists()
    with pytest.raises(PresetError):
        do_load_preset("fuzhou")
