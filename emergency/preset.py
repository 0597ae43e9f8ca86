"""The ``[emergency]`` section (moved here from ``presets/preset.py`` when emergency was
built): 福州's 平急转换.

福州: 「建立平急转换机制…组建9支队伍担当应急网格员,推动18.7万名在职党员、干部到居住地社区小区
报到,充实“战时”力量」. The seed gives the number of teams (9) but not their names, so the
kinds of team (``team_kinds``) default to the platform's nine names below (platform default,
not the seed's words); a preset may name its own."""

from pydantic import Field, model_validator

from presets.schema import Array, Count, Table, Text
from presets.sections import Section

# Platform default: the seed says 「组建9支队伍」 and names none of them. These are the
# usual kinds of a community's emergency forces (应急队伍), named by the platform.
DEFAULT_TEAM_KINDS = (
    "应急网格员队",
    "党员先锋队",
    "干部下沉队",
    "志愿服务队",
    "治安巡防队",
    "医疗救护队",
    "抢险救援队",
    "物资保障队",
    "宣传引导队",
)


class Emergency(Table):
    """The peacetime/emergency switch (福州: 平急转换)."""

    switch: bool = False
    teams: Count = Field(0, description="福州: 「组建9支队伍」")
    registered_members: Count = Field(
        0, description="a target figure; 福州: 「推动18.7万名在职党员、干部到居住地社区小区报到」"
    )
    team_kinds: Array[Text] = Field(
        DEFAULT_TEAM_KINDS,
        description="platform default names (the seed gives only the number of teams)",
    )

    @model_validator(mode="after")
    def _enough_kinds(self):
        if self.teams and len(self.team_kinds) < self.teams:
            raise ValueError(f"teams = {self.teams} but only {len(self.team_kinds)} team_kinds")
        return self


# Without an [emergency] section (the demo's 吉州) the switch still works on these defaults.
PLATFORM_DEFAULT = Emergency()

SECTIONS = (Section("emergency", Emergency | None, None),)


def emergency_settings() -> Emergency:
    """The active preset's section, or the platform's defaults when it has none (or no
    preset is loaded)."""
    from presets.loader import PresetError, active_preset

    try:
        section = active_preset().emergency
    except PresetError:
        return PLATFORM_DEFAULT
    return section or PLATFORM_DEFAULT


def team_kinds() -> tuple[str, ...]:
    """The kinds of team in use: the preset's first ``teams`` names (all when it gives no
    number)."""
    settings = emergency_settings()
    kinds = settings.team_kinds or DEFAULT_TEAM_KINDS
    return tuple(kinds[: settings.teams] if settings.teams else kinds)
