"""The grid worker's day in the field: patrols with their tracks and findings, household
visits and their coverage, key populations' care schedules and contacts (issue 13)."""
