"""The preset sections cases owns: intake channels, the whistle, the case settings, and the
seeds' descriptions of the case loop. ``cases.config`` reads them for the case code."""

from typing import Annotated

from pydantic import Field

from presets.schema import Array, Name, Names, Positive, Slug, Table, Text, unique
from presets.sections import Section


class Channel(Table):
    code: Slug
    name: Name(50)


class Whistle(Table):
    """吹哨报到: how soon a summoned department reports in. Who may blow the whistle is a
    verb of the rulebook (``cases.whistle``; a preset grants it in ``[permissions]``)."""

    report_in_hours: Positive = Field(24, description="platform default: no seed gives a limit")
    supervised_by: Text | None = Field(None, description="荣成: 「市級層面跟蹤督辦」")


class CaseSettings(Table):
    """``[cases]``: no seed gives these figures; every default is the platform's."""

    reopen_limit: int = Field(1, ge=0, description="platform default: 「不满意重办」 once")
    yellow_at: float = Field(
        0.75, gt=0, lt=1, description="platform default: share of the allowed time before yellow"
    )
    duplicate_radius_m: Positive = Field(100, description="platform default")
    duplicate_hours: Positive = Field(72, description="platform default")


SECTIONS = (
    Section("channels", Annotated[Array[Channel], unique("code")], doc="intake channels"),
    Section("whistle", Whistle, Whistle()),
    Section("cases", CaseSettings, CaseSettings()),
    # What the seeds say of the loop, for the model's description (福州: 有呼必应 …).
    Section("case_loop", Names, ()),
    Section("response_flow", Names, ()),
    Section("supervision_methods", Names, ()),
    Section("feedback_modes", Names, ()),
    Section("grid_rights", Names, ()),
)
