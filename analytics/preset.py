"""The ``[kpi]`` section: what the KPIs count, as data (issue 12). ``analytics.facts``
reads it when it derives a case's fact; ``analytics.kpis`` for the composite score.

Every default says where it comes from. The 三率 (响应率, 解决率, 满意率) are how the
12345 hotlines are assessed; the weights are one published scheme's (see ``Weights``).
"""

from typing import Literal

from pydantic import Field

from presets.schema import Array, Table
from presets.sections import Section


class Weights(Table):
    """Weights of the 三率 in the composite score (0–100), relative to each other.

    Default 30/35/35 (响应率/解决率/满意率): the weighting issue 12 cites from a published
    12345 assessment scheme. We did not find that scheme's text; the schemes we found
    also score units out of 100 on closure and satisfaction figures, e.g. a city's
    《12345政务服务便民热线工作考核办法》 (组织机构建设 10 分, 办结率, 群众满意率 and
    知识库维护; https://yzwku.com/doc/67637.html). No seed gives weights."""

    response_rate: float = Field(30, ge=0, description="12345 scheme: 响应率 30")
    resolution_rate: float = Field(35, ge=0, description="12345 scheme: 解决率 35")
    satisfaction_rate: float = Field(35, ge=0, description="12345 scheme: 满意率 35")


class KpiSettings(Table):
    """``[kpi]``: the definitions behind the figures leaders are assessed on."""

    # 响应: "on_time" = signed for / accepted / refused by the response deadline (12345
    # schemes count 按时签收); "any" = responded at all. Platform default: on_time.
    responded: Literal["on_time", "any"] = Field(
        "on_time", description="12345 schemes: 按时签收为响应; platform default on_time"
    )
    # 解决: "finished" = resolved or closed (办结); "not_unsatisfied" = finished and not
    # rated 不满意 (a case rated 不满意 and reopened is open again anyway);
    # "satisfied" = finished and rated in ``satisfied``. Platform default: not_unsatisfied.
    resolved: Literal["finished", "not_unsatisfied", "satisfied"] = Field(
        "not_unsatisfied", description="platform default: 办结且未评不满意"
    )
    # Which ratings count as satisfied: 满意 + 基本满意 is the usual 满意率 of 12345
    # schemes (「满意和基本满意」); "satisfied" only is the strict reading.
    satisfied: Array[Literal["satisfied", "basic"]] = Field(
        ("satisfied", "basic"), description="12345 schemes: 满意 + 基本满意"
    )
    # Cases that count nowhere but in ``excluded``: merged duplicates (their target
    # counts) and, optionally, cases refused as not our matter (不予受理).
    exclude: Array[Literal["merged", "rejected"]] = Field(
        ("merged",), description="platform default: merged duplicates only"
    )
    weights: Weights = Weights()


SECTIONS = (Section("kpi", KpiSettings, KpiSettings(), doc="KPI definitions (analytics)"),)
