"""The ``[patrol]`` section: the patrol and visit standards of the seeds (moved here from
``presets/preset.py`` when patrol was built)."""

from pydantic import Field

from presets.schema import Array, Count, Table, Text
from presets.sections import Section


class Patrol(Table):
    hours_per_day: Count = Field(2, description="platform default; 荣成: 「每日4小时」")
    visits_per_household_per_month: Count = Field(
        0, description="platform default (no standard); 张掖: 「入戶走訪每月不少于1次」"
    )
    # What a patrol collects and the databases it fills (荣成: 人房地事物, 全息库/重点库).
    collects: Array[Text] = ()
    databases: Array[Text] = ()


SECTIONS = (Section("patrol", Patrol, Patrol()),)
