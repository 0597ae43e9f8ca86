"""The preset's credit scheme into the tables: subjects and incentive items.

Rules the administrator added stay; the preset's own are updated in place on reload.
Every preset gets the platform's volunteer-hour rule, which pays volunteer orders, and a
preset that names no incentive items gets the platform's few everyday ones.
"""

from credit.models import CreditSubject, IncentiveRule, RuleUnit

# Platform default: the seeds give no rate for volunteer time ("志愿时长“生长树”").
VOLUNTEER_HOUR = {"key": "volunteer_hour", "name": "志愿服务(每小时)", "points": 2, "unit": "hour"}
# Platform defaults for presets whose seed names no incentive items (「小微善举」 in kind).
EVERYDAY_DEEDS = [
    {"key": "neighbour_help", "name": "邻里互助", "points": 2},
    {"key": "clean_up", "name": "参加环境整治", "points": 3},
    {"key": "report_hazard", "name": "报告安全隐患", "points": 2},
    {"key": "mediation_help", "name": "协助调解邻里纠纷", "points": 5},
]


def do_load_credit(data: dict) -> None:
    subjects = {}
    for spec in data.get("credit_subjects", []):
        subjects[spec["code"]], _ = CreditSubject.objects.update_or_create(
            code=spec["code"], defaults={"name": spec["name"]}
        )
    default_subject = subjects.get("resident")
    specs = [*(data.get("credit_incentives") or EVERYDAY_DEEDS)]
    if not any(spec["key"] == VOLUNTEER_HOUR["key"] for spec in specs):
        specs.append(VOLUNTEER_HOUR)
    for spec in specs:
        IncentiveRule.objects.update_or_create(
            key=spec["key"],
            defaults={
                "name": spec["name"],
                "points": spec["points"],
                "unit": spec.get("unit", RuleUnit.DEED),
                "subject": subjects.get(spec.get("subject"), default_subject),
            },
        )
