"""analytics' models, one module per part (facts and aggregates, assessment, reports)."""

from analytics.models.facts import CaseFact, KpiCell  # noqa: F401
