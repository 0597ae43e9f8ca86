"""The preset sections of assessment (考核评议): the scoring scheme ``[assessment]``, the
honours ``[[awards]]`` (十佳), and the evaluation's methods and uses (福州's 评议权),
moved here from ``presets/preset.py`` when analytics was built.

The scheme, as a preset writes it::

    [assessment]
    quantitative_weight = 60     # 量化考核
    organisational_weight = 20   # 组织评价 (scores entered by the level above)
    residents_weight = 20        # 群众评议 (satisfaction rate and surveys)

    [[assessment.indicators]]    # a KPI field (analytics.kpis.KPI_FIELDS), its weight and target
    field = "resolution_rate"
    weight = 40
    target = 0.95                # a rate's points scale to the target: 0.95 or better is full marks

    [[assessment.rankings]]      # 四类排名, and the grid workers
    kind = "grids"
    level = "grid"               # the level key of the tree that is ranked

How the scheme scores is ``analytics.assessment``; who the awards propose is
``analytics.awards``.
"""

from typing import Annotated, Literal

from pydantic import Field

from presets.schema import Array, Names, Positive, Slug, Table, Text, unique
from presets.sections import Section

Weight = Annotated[float, Field(ge=0, le=1000)]
Fraction = Annotated[float, Field(gt=0, le=1)]

# What a ranking ranks: nodes of a level, departments (by the cases they handled), or the
# people holding a duty (by the cases they handled).
RankingKind = Literal["grids", "communities", "streets", "departments", "workers"]
NODE_KINDS = ("grids", "communities", "streets")

# How an award's list is proposed from the data (analytics.awards says what each reads).
AwardSource = Literal["worker_score", "worker_closed", "volunteer_hours", "department", "manual"]


class Indicator(Table):
    """One quantitative indicator: a KPI field with its weight and target. A rate scores
    ``weight × min(value / target, 1)``; with ``lower_is_better`` (a reopen rate) it scores
    full weight at or under the target, falling linearly to nothing at 1."""

    field: Slug
    weight: Weight
    target: Fraction = 1.0
    lower_is_better: bool = False
    source: Text = Field("platform default", description="the seed's words, or platform default")


class Ranking(Table):
    kind: RankingKind
    name: Text
    level: Slug | None = None  # the tree's level key for grids, communities, streets
    duties: Array[Slug] = ()  # for workers: the duties whose holders are ranked


class Assessment(Table):
    quantitative_weight: Weight = 60
    organisational_weight: Weight = 20
    residents_weight: Weight = 20
    # A survey's 基本满意 counts this much of a 满意 (platform default: half).
    basic_counts: Annotated[float, Field(ge=0, le=1)] = 0.5
    # Within 群众评议, the KPI satisfaction rate against the surveys (platform default: alike).
    satisfaction_weight: Weight = 1
    survey_weight: Weight = 1
    indicators: Annotated[Array[Indicator], unique("field")] = ()
    rankings: Annotated[Array[Ranking], unique("kind")] = ()
    source: Text = "platform default"


class Award(Table):
    key: Slug
    name: Text
    top: Positive = Field(10, description="platform default where the seed gives no number")
    source: AwardSource = "manual"
    # worker_closed and department: whom the data proposes (role codes; department kinds).
    roles: Array[Slug] = ()
    department_kinds: Array[Slug] = ()
    duties: Array[Slug] = ()  # worker_score: the duties of the ranked workers


class Evaluation(Table):
    feeds: Array[Text] = ()  # what the evaluation's result decides (funding, pay, honours)


def check_assessment(preset):
    """Indicators name KPI fields; node rankings name a level of the tree; the three
    weights do not all vanish."""
    try:
        from analytics.kpis import KPI_FIELDS
    except ImportError:  # the KPI query is a sibling part of issue 12
        KPI_FIELDS = None  # noqa: N806
    scheme = preset.assessment
    if scheme is None:
        return
    if not (scheme.quantitative_weight + scheme.organisational_weight + scheme.residents_weight):
        yield ("assessment", "quantitative_weight"), "the three weights are all 0"
    for index, indicator in enumerate(scheme.indicators):
        if KPI_FIELDS is not None and indicator.field not in KPI_FIELDS:
            yield ("assessment", "indicators", index, "field"), f"{indicator.field!r} is no KPI"
    levels = {level.key for level in getattr(preset, "levels", ())}
    for index, ranking in enumerate(scheme.rankings):
        if ranking.kind in NODE_KINDS and ranking.level not in levels:
            yield (
                ("assessment", "rankings", index, "level"),
                f"{ranking.level!r} is not one of the levels",
            )


SECTIONS = (
    Section("assessment", Assessment | None, None, doc="scoring scheme (考核评议)"),
    Section("awards", Annotated[Array[Award], unique("key")], (), doc="十佳 lists"),
    Section("evaluation", Evaluation | None, None),
    Section("evaluation_methods", Names, ()),
)
