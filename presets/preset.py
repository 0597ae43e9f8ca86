"""The sections presets owns: the file's header, and the sections of apps not built yet.

The header (``key``, ``title``, ``seed``, ``mechanisms``) describes the preset itself.

The other sections here belong to apps that DESIGN.md plans but nobody has built: their
figures are in the seeds, so the presets carry them and they are checked like any other.
When the app is built, move its classes to ``<app>/preset.py`` and its ``Section`` lines to
its ``AppConfig.ready()`` registration (one cut, one paste):

- ``patrol/``: ``patrol`` (patrol hours, visit rate);
- ``alerts/``: ``early_warning``, ``sos``, ``emergency``;
- ``analytics/``: none left (``reporting`` and ``targets`` moved to
  ``analytics/preset_reports.py``; ``awards``, ``evaluation`` and ``evaluation_methods`` to
  ``analytics/preset_assessment.py``).
"""

from pydantic import Field

from presets.schema import (
    Array,
    Count,
    Name,
    Names,
    Positive,
    Slug,
    Table,
    Text,
)
from presets.sections import Section

# -- patrol/ --------------------------------------------------------------------------------


class Patrol(Table):
    hours_per_day: Count = Field(2, description="platform default; 荣成: 「每日4小时」")
    visits_per_household_per_month: Count = Field(
        0, description="platform default (no standard); 张掖: 「入戶走訪每月不少于1次」"
    )
    # What a patrol collects and the databases it fills (荣成: 人房地事物, 全息库/重点库).
    collects: Array[Text] = ()
    databases: Array[Text] = ()


# -- alerts/ --------------------------------------------------------------------------------


class EarlyWarning(Table):
    """荣成's 反向比对: hotline cases compared with patrol cases at a regular meeting."""

    every_days: Positive = 1
    compare: Array[Slug]  # channel codes
    meeting: Text


class Sos(Table):
    """One-click help (张掖: wristbands linked to the 社工委 line)."""

    device: Text
    answered_by: Slug
    groups: Array[Text] = ()


class Emergency(Table):
    """The peacetime/emergency switch (福州: 平急转换)."""

    switch: bool = False
    teams: Count = 0
    registered_members: Count = 0


def check_pending(preset):
    channels = {channel.code for channel in getattr(preset, "channels", ())}
    warning = preset.early_warning
    for index, code in enumerate(warning.compare if warning else ()):
        if code not in channels:
            yield ("early_warning", "compare", index), f"{code!r} is not one of the channels"


SECTIONS = (
    Section("key", Slug, doc="the preset's name: presets/data/<key>.toml"),
    Section("title", Name(100)),
    Section("seed", Text, doc="the seed document in shared/seeds/ the preset comes from"),
    Section("mechanisms", Names, (), doc="the model's mechanisms (张掖: 5个机制)"),
    # patrol/
    Section("patrol", Patrol, Patrol()),
    # alerts/
    Section("early_warning", EarlyWarning | None, None),
    Section("sos", Sos | None, None),
    Section("emergency", Emergency | None, None),
)
