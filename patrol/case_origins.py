"""The links a case filed from the field shows back to where it came from (cases.origins):
「来自巡查」 to the patrol of a finding (``extra={"patrol": pk}``, patrol/patrols.py) and
「来自入户走访」 to the visit of a need (``extra={"visit": pk}``, patrol/visits.py). A patrol
or visit the reader may not see is not linked."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from patrol.models import Patrol
from patrol.visits import readable_visits


def _pk(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def patrol_origin(value, user):
    patrol = Patrol.objects.restrict(user).select_related("grid").filter(pk=_pk(value)).first()
    if patrol is None:
        return None
    text = f"{patrol.grid.name} {timezone.localtime(patrol.started_at):%m-%d %H:%M}"
    return _("来自巡查"), text, reverse("patrol:detail", args=[patrol.pk])


def visit_origin(value, user):
    visit = readable_visits(user).select_related("household").filter(pk=_pk(value)).first()
    if visit is None:
        return None
    where = visit.household.address or visit.household.code
    text = f"{where} {timezone.localtime(visit.visited_at):%m-%d}"
    return _("来自入户走访"), text, reverse("patrol:visit_detail", args=[visit.pk])


def register():
    from cases.origins import register_origin

    register_origin("patrol", patrol_origin)
    register_origin("visit", visit_origin)
