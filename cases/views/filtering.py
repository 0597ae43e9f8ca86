"""The search box and filters every case list carries (list, triage, board, inbox), drawn
from the API's filter set so the pages and the API filter alike."""

from cases.config import channel_names
from cases.filters import CaseFilterSet
from cases.models import Light, Status
from catalog.models import Tier
from org.models import OrgNode

# Nodes offered in the place filter; past this, only the levels above the grids.
MAX_PLACE_OPTIONS = 200


def _places(user) -> list[OrgNode]:
    nodes = OrgNode.objects.restrict(user).order_by("code").only("code", "name", "grid_kind")
    if nodes.count() > MAX_PLACE_OPTIONS:
        nodes = nodes.filter(grid_kind="")
    return list(nodes[:MAX_PLACE_OPTIONS])


def filter_cases(request, cases, *, statuses=True):
    """``(filtered cases, context)``: ``cases`` narrowed by the request's query (search
    text, status, light, tier, channel, place), and what ``cases/_filters.html`` needs to
    show the form with the current choices; ``statuses=False`` for a list that is one
    stage already (triage), where a status choice would only empty it."""
    filterset = CaseFilterSet(request.GET or None, queryset=cases)
    context = {
        "filterset": filterset,
        "params": request.GET,
        "statuses": Status.choices if statuses else [],
        "lights": Light.choices,
        "tiers": Tier.objects.all(),
        "channels": channel_names(),
        "places": _places(request.user),
        "filtered": any(request.GET.get(name) for name in filterset.filters),
    }
    return filterset.qs, context
