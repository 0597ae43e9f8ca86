"""The escalation chain of the active preset (``alerts.preset.sos_settings().chain``) and
whom each step tells: the people seated at the step's node whose duty holds
``alerts.respond`` in the rulebook (``org.permissions.duties_with``), narrowed to the
step's duties when it names some. Nothing here looks at a role's kind or name."""

from datetime import timedelta

from alerts.preset import SosStep, sos_settings
from org.models import OrgNode, User
from org.permissions import duties_with

VERB = "alerts.respond"


def chain() -> tuple[SosStep, ...]:
    return sos_settings().chain


def repeat_window() -> timedelta:
    """Presses this close to an alarm's last press belong to it."""
    return timedelta(seconds=sos_settings().repeat_seconds)


def step_node(grid: OrgNode, step: SosStep) -> OrgNode:
    """The node ``step.up`` levels above the grid (the root when the tree is shorter)."""
    node = grid
    for _ in range(step.up):
        if node.parent_id is None:
            break
        node = node.parent
    return node


def step_duties(step: SosStep) -> list[str]:
    holding = duties_with(VERB)
    return [duty for duty in holding if not step.duties or duty in step.duties]


def recipients(grid: OrgNode, step: SosStep):
    """The active people the step tells (a queryset of users)."""
    return (
        User.objects.filter(
            is_active=True,
            assignments__node=step_node(grid, step),
            assignments__department=None,
            assignments__role__duty__in=step_duties(step),
        )
        .distinct()
        .order_by("pk")
    )
