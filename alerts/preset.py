"""The ``[early_warning]`` and ``[sos]`` sections (moved here from ``presets/preset.py``
when alerts was built)."""

from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from presets.schema import Array, Count, Positive, Slug, Table, Text
from presets.sections import Section


class EarlyWarning(Table):
    """荣成's 反向比对: hotline cases compared with patrol cases at a regular meeting."""

    every_days: Positive = 1
    compare: Array[Slug]  # channel codes: the hotline first, then the grid's own field channels
    meeting: Text
    # How far back a field report still counts as having seen the hotline's problem first
    # (the seeds give no figure: platform default 14 days, alerts.warnings.settings).
    lookback_days: Positive = 14


def _platform_duties(duties: tuple) -> tuple:
    """Duties are the platform's (``org.permissions.DEFAULTS``): a misspelt one would tell
    nobody, silently."""
    from org.permissions import DEFAULTS

    unknown = [duty for duty in duties if duty not in DEFAULTS]
    if unknown:
        raise ValueError(f"unknown duties {unknown}; the platform's are {sorted(DEFAULTS)}")
    return duties


class SosStep(Table):
    """One step of an alarm's escalation chain: who is told, how long after the press
    while nobody has acknowledged it.

    ``up``: where the people sit, counted from the resident's grid (0 the grid, 1 its
    community, 2 the street…). ``duties``: which of the duties holding ``alerts.respond``
    (``org.permissions.duties_with``) are told; empty means all of them seated there, and a
    duty that does not hold the verb is never told. ``duty_phone``: this step rings the
    node's duty phone (值班电话/社工委热线) — there is no SMS or voice gateway here, so it is
    the webhook event ``sos.escalated`` with ``duty_phone: true``, which a gateway
    subscribes to. ``source``: the seed's sentence, or "platform default"."""

    after_minutes: Count = 0
    up: Count = 0
    duties: Annotated[Array[Slug], AfterValidator(_platform_duties)] = ()
    duty_phone: bool = False
    source: Text


# Platform default (no seed gives minutes): the grid's workers and building leaders at the
# press, the grid leader 5 minutes later, the community's duty phone and staff at 10. A
# neighbour or grid worker is minutes away on foot; two unanswered five-minute windows are
# when an emergency call-taker would move up a level.
DEFAULT_CHAIN = (
    SosStep(
        after_minutes=0,
        up=0,
        duties=("grid_worker", "building_leader", "unit_leader"),
        source="platform default; 张掖「樓棟長(單元長)」 and the grid worker are nearest",
    ),
    SosStep(after_minutes=5, up=0, duties=("grid_leader",), source="platform default"),
    SosStep(
        after_minutes=10,
        up=1,
        duty_phone=True,
        source="platform default; 张掖「鏈接“社工委”服務專線」",
    ),
)


class Sos(Table):
    """One-click help (张掖: wristbands linked to the 社工委 line)."""

    device: Text
    answered_by: Slug
    groups: Array[Text] = ()
    chain: Array[SosStep] = Field(DEFAULT_CHAIN, min_length=1)
    # A press this long after the alarm's last one opens a new alarm (platform default:
    # the brief's "repeated presses within a minute are one alarm").
    repeat_seconds: Positive = 60

    @model_validator(mode="after")
    def _chain_in_order(self):
        minutes = [step.after_minutes for step in self.chain]
        if minutes[0] != 0:
            raise ValueError("the chain's first step runs at the press: after_minutes = 0")
        if minutes != sorted(minutes):
            raise ValueError(f"the chain's steps must come in order of minutes: {minutes}")
        return self


def sos_settings(preset=None) -> Sos:
    """The active preset's ``[sos]``, or the platform defaults when it has none (jizhou)."""
    from presets.loader import active_preset

    section = getattr(preset or active_preset(), "sos", None)
    return section if section is not None else Sos(device="一键求助设备", answered_by="community")


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
