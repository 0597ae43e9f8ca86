"""Case settings: the active preset's [cases] and [whistle] tables over platform defaults."""

from presets.loader import active_preset

# Platform defaults, used where a preset says nothing (none of the seeds gives these figures).
DEFAULTS = {
    "reopen_limit": 1,  # 「不满意重办」 once by default
    "yellow_at": 0.75,  # share of the allowed time used before the light turns yellow
    "duplicate_radius_m": 100,
    "duplicate_hours": 72,
    "report_in_hours": 24,  # a summoned department reports in within this many hours
}


def case_settings() -> dict:
    preset = active_preset()
    values = dict(DEFAULTS)
    values.update(preset.get("cases", {}))
    if "report_in_hours" in preset.get("whistle", {}):
        values["report_in_hours"] = preset["whistle"]["report_in_hours"]
    values["case_prefix"] = preset["region"].get("case_prefix", preset["key"][:2].upper())
    values["channels"] = {channel["code"]: channel["name"] for channel in preset["channels"]}
    return values


# Channels every installation has, whatever its preset lists.
PLATFORM_CHANNELS = {
    "qr_code": "扫码上报(码上办)",
    "grid_report": "网格员上报",
    "open311": "Open311 接口",
    "walk_in": "来访",
    "api": "外部系统",
}


def channel_names() -> dict[str, str]:
    return {**PLATFORM_CHANNELS, **case_settings()["channels"]}
