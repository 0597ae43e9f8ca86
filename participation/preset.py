"""The preset sections participation owns: deliberation (steps, levels, forms, methods),
the three lists, volunteer posts and marketplace, services, and the seeds' community
mechanisms (红色物业大家谈, community fund and market, 四个一)."""

from typing import Annotated, Literal

from presets.schema import Array, Count, Names, Positive, Slug, Table, Text, unique
from presets.sections import Section


class DeliberationStep(Table):
    key: Slug
    name: Text
    actor: Slug | None = None  # who takes the step (张掖's 七步: community, 社工委…)


class DeliberationLevel(Table):
    """Who deliberates what at which level (荣成's three-level 议事)."""

    level: Slug  # a level key of the tree
    leader_role: Slug  # a role code
    scope: Text
    forms: Array[Text] = ()
    when: Literal["as_needed"] | None = None
    every_months: Positive | None = None


class VolunteerMarket(Table):
    online: bool = False
    matches: Slug  # which list orders are matched against (张掖: needs)


class RedPropertyTalks(Table):
    every_months: Positive
    required_parties: Array[Text]


class CommunityFund(Table):
    partners_claim_projects: bool = False


class CommunityMarket(Table):
    name: Text
    online_ordering: bool = False
    home_delivery_for: Array[Text] = ()


class PerCommunity(Table):
    """福州's 四个一 per community."""

    activity_carriers: Count = 0
    grid_deliberation_platforms: Count = 0
    activist_batches: Count = 0
    best_volunteer_batches: Count = 0


SECTIONS = (
    Section(
        "deliberation_steps",
        Annotated[Array[DeliberationStep], unique("key")],
        (),
        doc="the order of a deliberation (张掖: 七步)",
    ),
    Section("deliberation_levels", Annotated[Array[DeliberationLevel], unique("level")], ()),
    Section("deliberation_forms", Names, ()),
    Section("deliberation_methods", Names, ()),
    Section("five_matters", Names, (), doc="五事工作法"),
    Section("lists", Names, (), doc="三张清单: resources, needs, projects"),
    Section("volunteer_posts", Names, (), doc="posts party members claim (武功)"),
    Section("volunteer_market", VolunteerMarket | None, None),
    Section("services", Names, (), doc="how the community serves (坐班值班, 预约上门…)"),
    Section("red_property_talks", RedPropertyTalks | None, None),
    Section("community_fund", CommunityFund | None, None),
    Section("community_market", CommunityMarket | None, None),
    Section("per_community", PerCommunity | None, None),
)


def check_participation(preset):
    levels = {level.key for level in preset.levels}
    roles = {role.code for role in preset.roles}
    for index, spec in enumerate(preset.deliberation_levels):
        if spec.level not in levels:
            yield ("deliberation_levels", index, "level"), f"no level {spec.level!r} in levels"
        if spec.leader_role not in roles:
            yield (
                ("deliberation_levels", index, "leader_role"),
                f"no role {spec.leader_role!r} in roles",
            )
