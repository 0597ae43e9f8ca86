"""Each part of the app keeps its models in a module of its own here, imported below."""

from alerts.models.sos import (  # noqa: F401  (SOS)
    LIVE_STATUSES,
    Alarm,
    AlarmEvent,
    AlarmStatus,
    Device,
    EscalationStep,
    Vendor,
)
from alerts.models.warnings import Warning, WarningEvent, WarningStatus  # noqa: F401
