"""Case settings: the active preset's [cases], [whistle], region and channels, typed."""

from cases.preset import CaseSettings
from presets.loader import active_preset

# Channels every installation has, whatever its preset lists: the platform's own, and the
# 六个一 of the seeds (入户走访, 热线, 信箱, 群聊, 联系电话; MISSION.md) a grid collects through.
PLATFORM_CHANNELS = {
    "qr_code": "扫码上报（码上办）",
    "resident": "居民网上反映",
    "grid_report": "网格员上报",
    "patrol": "巡查发现",
    "open311": "Open311 接口",
    "walk_in": "来访",
    "home_visit": "入户走访",
    "mailbox": "意见信箱",
    "chat_group": "网格群聊",
    "liaison_phone": "联系电话",
    "api": "外部系统",
}


def case_settings(preset=None) -> dict:
    """The [cases] settings (defaults in ``cases.preset.CaseSettings``) with the whistle's
    report-in limit, the case number prefix and the preset's channels."""
    preset = preset or active_preset()
    settings: CaseSettings = preset.cases
    return {
        **settings.model_dump(),
        "report_in_hours": preset.whistle.report_in_hours,
        "case_prefix": preset.region.case_prefix or preset.key[:2].upper(),
        "channels": {channel.code: channel.name for channel in preset.channels},
    }


def channel_names(preset=None) -> dict[str, str]:
    preset = preset or active_preset()
    return {**PLATFORM_CHANNELS, **{channel.code: channel.name for channel in preset.channels}}
