"""The ``[[reporting]]`` section: the seeds' rhythms, whom each reports on and to, and the
checks across sections (levels and roles the file has, months that tile the year)."""

import copy

import pytest

from presets.loader import PRESET_KEYS, PresetError, parse_preset, read_preset_data


@pytest.mark.parametrize("key", PRESET_KEYS)
def test_every_preset_has_a_rhythm_with_levels(key):
    preset = parse_preset(read_preset_data(key))
    assert preset.reporting
    for rhythm in preset.reporting:
        assert rhythm.levels, (key, rhythm.key)


def test_zhangye_reports_to_its_three_bodies():
    """「社區大黨委每月聽取匯報,街道黨工委每季度調度,包抓社區領導每半年調研,
    街道黨工委對“社工委”組織進行半年綜合考評」"""
    rhythms = {r.key: r for r in parse_preset(read_preset_data("zhangye")).reporting}
    assert (rhythms["hearing"].every_months, rhythms["hearing"].levels) == (1, ("community",))
    assert rhythms["hearing"].to == ("community-secretary",)
    assert (rhythms["dispatch"].every_months, rhythms["dispatch"].levels) == (3, ("street",))
    assert rhythms["research"].to == ("liaison-leader",)
    assert rhythms["assessment"].to == ("street-staff",)


def test_jizhou_has_its_monthly_quarterly_and_half_year_reviews_and_the_99_percent_target():
    preset = parse_preset(read_preset_data("jizhou"))
    assert [(r.key, r.every_months) for r in preset.reporting] == [
        ("dispatch", 1),
        ("inspection", 3),
        ("bulletin", 6),
    ]
    assert preset.targets["closure_rate_percent"] == 99


@pytest.mark.parametrize(
    ("change", "where", "reason"),
    [
        (("levels", ["nowhere"]), "reporting[0].levels[0]", "no level 'nowhere'"),
        (("levels", ["grid"]), "reporting[0].levels[0]", "not an admin level"),
        (("to", ["boss"]), "reporting[0].to[0]", "no role 'boss'"),
        (("every_months", 5), "reporting[0].every_months", "does not divide the year"),
    ],
)
def test_a_rhythm_naming_what_the_file_lacks_is_refused(change, where, reason):
    data = copy.deepcopy(read_preset_data("zhangye"))
    data["reporting"][0][change[0]] = change[1]
    with pytest.raises(PresetError) as error:
        parse_preset(data)
    assert where in str(error.value) and reason in str(error.value)
