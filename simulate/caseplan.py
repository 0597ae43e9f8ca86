"""The plan of the demo month: arrival and channel weights, the shares of tiers and of
cases made to stall, be rejected or duplicate, and the records a plan and a step are."""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from cases.models import (
    Case,
    Satisfaction,
    Status,
)
from catalog.models import MatterCategory
from org.models import Department, OrgNode, User

# Arrivals per hour of the day (local time): office hours and the evening after work.
HOUR_WEIGHTS = [
    1,
    0.5,
    0.3,
    0.3,
    0.3,
    0.6,
    1.5,
    3,
    6,
    9,
    10,
    9,
    6,
    5,
    8,
    9,
    9,
    8,
    6,
    5,
    4,
    3,
    2,
    1.5,
]
WEEKEND_FACTOR = 0.6
# Channels every installation offers whatever the preset lists.
EXTRA_CHANNELS = ("qr_code", "grid_report")
CHANNEL_WEIGHTS = {"qr_code": 5, "grid_report": 6}
DEFAULT_CHANNEL_WEIGHT = 2
# Channels a resident files from a phone without staff (anonymous unless a resident user).
SELF_SERVICE = {"qr_code", "app"}
# Staff-entered channels taken by the grid worker on their rounds rather than the office.
GRID_ENTERED = {"grid_report", "visit", "diary", "liaison_phone", "chat_group", "sos"}

TIER_SHARES = {0: 0.35, 1: 0.5, 2: 0.15}
P_DUPLICATE = 0.04
P_REJECT = 0.03
P_STALL = 0.07
STALL_STAGES = [
    (Status.SUBMITTED, 15),
    (Status.ACCEPTED, 20),
    (Status.DISPATCHED, 20),
    (Status.IN_PROGRESS, 35),
    (Status.RESOLVED, 10),
]
SATISFACTION = [
    (Satisfaction.SATISFIED, 95),
    (Satisfaction.BASIC, 3),
    (Satisfaction.UNSATISFIED, 2),
]
DUTY_PREFERENCE = ["grid_worker", "grid_leader", "community_secretary", "street_staff", "leader"]
GRID_HOURS = (8, 21)
OFFICE_HOURS = (8.5, 17.5)


@dataclass
class Act:
    at: datetime
    action: str | None  # None: only wake the story up at ``at``
    actor: User | None = None
    data: dict = field(default_factory=dict)
    # A side step (report-in, urge) runs only if this holds for the case at that time.
    guard: Callable[[Case], bool] | None = None
    case_id: int = 0


@dataclass
class Plan:
    index: int
    at: datetime
    grid: OrgNode
    category: MatterCategory
    channel: str
    rng: random.Random
    title: str = ""
    description: str = ""
    address: str = ""
    lng: float = 0.0
    lat: float = 0.0
    reporter_name: str = ""
    reporter_phone: str = ""
    creator: User | None = None
    send_category: bool = True
    stall: str | None = None
    reject: bool = False
    duplicate_of: int | None = None
    resident: User | None = None
    # Demo set-pieces: keep a city-management whistle waiting for its report-in.
    pending_whistle: Department | None = None
    # Demo set-pieces: dispatch to this department whatever the routing says.
    lead_department: Department | None = None
    # Parts of the loop this case is made to show: "escalate", "return", "extension",
    # "reopen", "late_report_in".
    force: set[str] = field(default_factory=set)


class CaseGenerationError(RuntimeError):
    pass
