"""analytics' models, one module per part (facts and aggregates, assessment, reports)."""

from analytics.models.assessment import (  # noqa: F401
    Answer,
    AwardEntry,
    AwardEvent,
    AwardList,
    AwardStatus,
    MonthlyRanking,
    MonthlyScore,
    OrgEvaluation,
    OrgEvaluationEvent,
    RankingStatus,
    ResidentVote,
    Survey,
)
from analytics.models.facts import CaseFact, KpiCell  # noqa: F401
from analytics.models.reports import Report, ReportRun  # noqa: F401
