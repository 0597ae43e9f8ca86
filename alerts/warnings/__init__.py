"""The daily early warning (预警, 每日研判, issue 13 item 6).

- ``job``: the job that runs every registered rule (``gridgov.early_warning.rules()``) for a
  day and keeps their signals as warnings (one per kind and subject while not dealt with;
  a rerun creates nothing twice; one transaction per rule and day). Run by
  ``alerts.tasks.run_daily_early_warning`` at 05:30 local time for the day before, on the
  preset's meeting days (``[early_warning].every_days``: 荣成 1; daily without a section),
  and by hand: ``manage.py run_early_warning --day YYYY-MM-DD`` or ``--from … --to …``.
  ``manage.py make_warnings --days 30`` runs it over the demo's last 30 days.
- The rules this app writes: 反向比对 (``reverse``: blind spots, and the weekly
  patrol-quality score), ``hotspots``, ``repeats``, ``turning_red``. Other apps register
  theirs (overdue visits and care contacts, unanswered SOS alarms).
- ``settings``: the ``[early_warning]`` section and the platform's defaults (documented
  there).
- ``workflow``: open → acknowledged → dealt with (a note), verb ``alerts.handle``.
- Pages: ``/warnings/?node=CODE`` (预警研判: counts by kind, filters, acknowledge and
  deal-with forms, the node's grids' patrol quality; the leader's view of the subtree),
  ``/warnings/ID/`` (the timeline). API: ``/api/v1/alerts/warnings/`` (``?kind=&status=
  active|open|acknowledged|dealt&severity=&node=&seen_after=&seen_before=``),
  ``POST …/ID/actions/acknowledge|deal/`` with ``version`` (409 when stale),
  ``/api/v1/alerts/patrol-quality/?node=&week=``.
- ``panels``: the home page's panel for who handles warnings, and the dashboards' watch
  list ``alerts.warnings``.
"""
