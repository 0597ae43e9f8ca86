"""The preset sections credit owns: the credit scheme, its subjects and incentive items; and
their loader.

Rules the administrator added stay; the preset's own are updated in place on reload.
Every preset gets the platform's volunteer-hour rule, which pays volunteer orders, and a
preset that names no incentive items gets the platform's few everyday ones.
"""

from typing import Annotated

from pydantic import Field

from credit.models import MAX_RULE_POINTS, CreditSubject, IncentiveRule, RuleUnit
from presets.schema import Array, Choice, Count, Name, Positive, Slug, Table, Text, unique
from presets.sections import Section


class CreditScheme(Table):
    """``[credit]``: the scheme as a seed describes it (荣成's 信用管理办法)."""

    credit_subject_count: Count | None = None
    incentive_item_count: Count | None = None
    cadre_volunteer_hours_per_year: Count | None = None
    score_feedback_every_months: Positive | None = None
    volunteer_hours_tree: bool = False
    stores: Array[Text] = ()


class Subject(Table):
    code: Slug
    name: Name(50)


class Incentive(Table):
    key: Slug
    name: Name(80)
    points: Positive = Field(le=MAX_RULE_POINTS)
    unit: Choice(RuleUnit) = RuleUnit.DEED
    subject: Slug | None = None  # a credit subject's code; None: the "resident" subject


# Platform default: the seeds give no rate for volunteer time ("志愿时长“生长树”").
VOLUNTEER_HOUR = Incentive(key="volunteer_hour", name="志愿服务(每小时)", points=2, unit="hour")
# Platform defaults for presets whose seed names no incentive items (「小微善举」 in kind).
EVERYDAY_DEEDS = (
    Incentive(key="neighbour_help", name="邻里互助", points=2),
    Incentive(key="clean_up", name="参加环境整治", points=3),
    Incentive(key="report_hazard", name="报告安全隐患", points=2),
    Incentive(key="mediation_help", name="协助调解邻里纠纷", points=5),
)

SECTIONS = (
    Section("credit", CreditScheme, CreditScheme()),
    Section("credit_subjects", Annotated[Array[Subject], unique("code")], ()),
    Section(
        "credit_incentives",
        Annotated[Array[Incentive], unique("key")],
        (),
        doc="incentive items; none: the platform's everyday deeds",
    ),
)


def check_credit(preset):
    codes = {subject.code for subject in preset.credit_subjects}
    for index, incentive in enumerate(preset.credit_incentives):
        if incentive.subject is not None and incentive.subject not in codes:
            yield (
                ("credit_incentives", index, "subject"),
                f"no credit subject {incentive.subject!r}",
            )


def do_load_credit(preset, context) -> None:
    subjects = {}
    for spec in preset.credit_subjects:
        subjects[spec.code], _ = CreditSubject.objects.update_or_create(
            code=spec.code, defaults={"name": spec.name}
        )
    default_subject = subjects.get("resident")
    specs = list(preset.credit_incentives or EVERYDAY_DEEDS)
    if not any(spec.key == VOLUNTEER_HOUR.key for spec in specs):
        specs.append(VOLUNTEER_HOUR)
    for spec in specs:
        IncentiveRule.objects.update_or_create(
            key=spec.key,
            defaults={
                "name": spec.name,
                "points": spec.points,
                "unit": spec.unit,
                "subject": subjects.get(spec.subject, default_subject),
            },
        )
