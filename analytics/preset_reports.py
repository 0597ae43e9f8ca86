"""The preset sections of the reporting rhythm: ``[[reporting]]`` and ``[targets]``
(moved here from ``presets/preset.py`` when analytics was built).

``[[reporting]]`` is one periodic report or review of the seed (吉州: 「一月一調度、一季一督查、
半年一通報」; 张掖: 「社區大黨委每月聽取匯報,街道黨工委每季度調度,包抓社區領導每半年調研,
街道黨工委對“社工委”組織進行半年綜合考評」)::

    [[reporting]]
    key = "hearing"
    name = "社区大党委听取汇报"
    every_months = 1            # 1 = each calendar month, 3 = quarter, 6 = half-year, 12 = year
    levels = ["community"]      # the levels whose nodes each get a report; () = the root and
                                # the level below it (analytics.rhythm.report_levels says why)
    to = ["community-secretary"]  # role codes the report is made for, seated at the node or
                                  # above it; the node's own leaders are told in any case

``[targets]`` are the seed's own figures (「辦結率均達99%」); a report sets those that name a
KPI (``analytics.reports.TARGET_KPIS``) against the period's actual.
"""

from typing import Annotated

from pydantic import Field

from presets.schema import Array, Figure, Positive, Slug, Table, Text, unique
from presets.sections import Section

# A rhythm's months must tile the year, so its periods are calendar months, quarters,
# half-years or years (every_months = 5 would drift against the calendar).
RHYTHM_MONTHS = (1, 2, 3, 4, 6, 12)


class Rhythm(Table):
    """A periodic report or review (一月一调度…)."""

    key: Slug
    name: Text
    every_months: Positive = Field(description="months per period: 1, 2, 3, 4, 6 or 12")
    levels: Array[Slug] = Field((), description="level keys reported on; () = root and below it")
    to: Array[Slug] = Field((), description="role codes the report is for, at the node or above")


def check_reports(preset):
    """Each rhythm's months tile the year; its levels are administrative levels of the
    file; its ``to`` names roles of the file."""
    levels = {level.key: level for level in getattr(preset, "levels", ())}
    roles = {role.code for role in getattr(preset, "roles", ())}
    for index, rhythm in enumerate(preset.reporting):
        if rhythm.every_months not in RHYTHM_MONTHS:
            yield (
                ("reporting", index, "every_months"),
                f"{rhythm.every_months} does not divide the year into periods {RHYTHM_MONTHS}",
            )
        for position, key in enumerate(rhythm.levels):
            level = levels.get(key)
            if level is None:
                yield ("reporting", index, "levels", position), f"no level {key!r} in levels"
            elif level.kind != "admin":
                yield ("reporting", index, "levels", position), f"{key!r} is not an admin level"
        for position, code in enumerate(rhythm.to):
            if code not in roles:
                yield ("reporting", index, "to", position), f"no role {code!r} in roles"


SECTIONS = (
    Section("reporting", Annotated[Array[Rhythm], unique("key")], (), doc="reporting rhythm"),
    Section("targets", dict[Slug, Figure], {}, doc="the seed's own figures, for reports"),
)
