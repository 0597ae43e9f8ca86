"""The ``[early_warning]`` and ``[sos]`` sections (moved here from ``presets/preset.py``
when alerts was built)."""

from presets.schema import Array, Positive, Slug, Table, Text
from presets.sections import Section


class EarlyWarning(Table):
    """荣成's 反向比对: hotline cases compared with patrol cases at a regular meeting."""

    every_days: Positive = 1
    compare: Array[Slug]  # channel codes: the hotline first, then the grid's own field channels
    meeting: Text
    # How far back a field report still counts as having seen the hotline's problem first
    # (the seeds give no figure: platform default 14 days, alerts.warnings.settings).
    lookback_days: Positive = 14


class Sos(Table):
    """One-click help (张掖: wristbands linked to the 社工委 line)."""

    device: Text
    answered_by: Slug
    groups: Array[Text] = ()


def check_early_warning(preset):
    channels = {channel.code for channel in getattr(preset, "channels", ())}
    warning = preset.early_warning
    for index, code in enumerate(warning.compare if warning else ()):
        if code not in channels:
            yield ("early_warning", "compare", index), f"{code!r} is not one of the channels"


SECTIONS = (
    Section("early_warning", EarlyWarning | None, None),
    Section("sos", Sos | None, None),
)
