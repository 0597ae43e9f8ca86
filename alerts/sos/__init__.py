"""One-click SOS (一键求助): vendor keys (``keys``), the escalation chain and who it tells
(``chain``), presses and the alarm's lifecycle (``actions``, ``transitions``), the periodic
escalation (``escalation``, ``tasks``), the device sheet (``devices``) and what the alarm
offers other apps (``offers``: home panel, watch list, early-warning rule)."""
