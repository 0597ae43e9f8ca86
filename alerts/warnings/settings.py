"""The ``[early_warning]`` section as the job and the rules read it, with the platform's
defaults for a preset without one (the demo preset 吉州 has none).

==================  =====================================  ======================================
setting             荣成 (rongcheng.toml)                   platform default (no section)
==================  =====================================  ======================================
every_days          1 (「每日研判会」)                        1: daily
meeting             每日研判会                               每日研判
hotline channels    compare[0] = hotline_12345              hotline_12345, hotline_12343
field channels      patrol, home_visit + compare[1:]        patrol, home_visit, grid_report
                    (grid_report)
lookback_days       14 (schema default)                     14
==================  =====================================  ======================================

``grid_report`` (网格员上报) is in the platform's field channels because it is the grid
worker's own report from the rounds (``cases.config.PLATFORM_CHANNELS``); 荣成 names it.
"""

from dataclasses import dataclass

from presets.loader import PresetError, active_preset

DEFAULT_HOTLINES = ("hotline_12345", "hotline_12343")
FIELD_CHANNELS = ("patrol", "home_visit")
DEFAULT_FIELD_EXTRA = ("grid_report",)
DEFAULT_MEETING = "每日研判"
DEFAULT_LOOKBACK_DAYS = 14
# 「the same address or phone complaining N times in 30 days」: N by the platform (issue 13).
REPEAT_COUNT = 3
REPEAT_WINDOW_DAYS = 30
# Hotspots: the last 7 days against the 8 weeks before them.
HOTSPOT_DAYS = 7
HOTSPOT_BASELINE_WEEKS = 8


@dataclass(frozen=True)
class WarningSettings:
    every_days: int
    meeting: str
    hotlines: tuple[str, ...]
    field_channels: tuple[str, ...]
    lookback_days: int


def warning_settings(preset=None) -> WarningSettings:
    """The active preset's settings, or the platform's when it has no section (or no preset
    is loaded yet)."""
    if preset is None:
        try:
            preset = active_preset()
        except PresetError:
            preset = None
    section = getattr(preset, "early_warning", None) if preset is not None else None
    if section is None or not section.compare:
        return WarningSettings(
            every_days=section.every_days if section else 1,
            meeting=section.meeting if section else DEFAULT_MEETING,
            hotlines=DEFAULT_HOTLINES,
            field_channels=FIELD_CHANNELS + DEFAULT_FIELD_EXTRA,
            lookback_days=section.lookback_days if section else DEFAULT_LOOKBACK_DAYS,
        )
    extra = tuple(code for code in section.compare[1:] if code not in FIELD_CHANNELS)
    return WarningSettings(
        every_days=section.every_days,
        meeting=section.meeting,
        hotlines=(section.compare[0],),
        field_channels=FIELD_CHANNELS + extra,
        lookback_days=section.lookback_days,
    )
