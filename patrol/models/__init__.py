"""Each part of the app keeps its models in a module of its own here, imported below."""

from patrol.models.care import CareContact, CarePlanEvent, Carer, CareSchedule, ContactKind  # noqa: F401
from patrol.models.needs import NeedsItemStatus, NeedsListItem  # noqa: F401
from patrol.models.patrols import *  # noqa: F403
from patrol.models.visits import NeedCategory, Visit, VisitNeed, VisitOutcome  # noqa: F401
