"""Sections that other apps add to a person's page (credit points, volunteer orders…).

``residents`` is a foundation app and imports no feature app: a feature registers its
panel in its ``AppConfig.ready()`` with the template to include and a function
``(user, resident) -> dict`` giving that template's context (keys prefixed with the
app's name, as they share the page's context)."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[..., dict]
    order: int = 100


_PANELS: dict[str, Panel] = {}


def register_person_panel(template: str, context: Callable[..., dict], *, order: int = 100):
    """Show ``template`` on every person's page, below the personal details."""
    _PANELS[template] = Panel(template, context, order)


def person_panels(user, resident) -> dict:
    """The page's context for every registered panel, and their templates in order."""
    panels = sorted(_PANELS.values(), key=lambda panel: (panel.order, panel.template))
    context: dict = {}
    for panel in panels:
        context.update(panel.context(user, resident))
    return {**context, "person_panels": [panel.template for panel in panels]}
