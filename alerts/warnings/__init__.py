"""The daily early warning (预警, 每日研判, issue 13 item 6): the job that runs every
registered rule (``gridgov.early_warning``) and keeps their warnings, the rules this app
writes (反向比对 ``reverse``, ``hotspots``, ``repeats``, ``turning_red``), the warnings'
workflow, and what the home page and the dashboards show of them."""
