"""What members offers the dashboards (``gridgov.figures``) and the home page
(``org.panels``): registrations counted by home grid, and a person's own registration."""

from django.utils.translation import gettext_lazy as _

from members.models import Registration, RegistrationStatus
from org.codes import subtree_q


def count_registered(node_code: str) -> int:
    """Registrations in the register (在册) whose home grid is in the subtree."""
    return Registration.objects.filter(
        subtree_q(node_code, "home_grid__code"), status=RegistrationStatus.ACTIVE
    ).count()


def home_panel(user) -> dict | None:
    """A person's 双报到 on their home page: their registration, or the way to register
    for a resident who has none (staff find the register under 双报到名册)."""
    registration = (
        Registration.objects.filter(user=user, status=RegistrationStatus.ACTIVE)
        .select_related("home_grid")
        .first()
    )
    if registration is None and getattr(user, "resident", None) is None:
        return None
    return {"members_home": {"registration": registration, "label": _("双报到")}}
