"""analytics' pages, one module per part (dashboard, assessment, reports)."""
