"""analytics' models, one module per part (facts and aggregates, assessment, reports)."""
