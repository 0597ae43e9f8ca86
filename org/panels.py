"""Sections other apps add to the home page (a leader's 三率 and a link to the dashboard…).

``org`` is a foundation app and imports no feature app: a feature registers its panel in
its ``AppConfig.ready()`` with the template to include and a function ``(user) -> dict |
None`` giving that template's context (keys prefixed with the app's name, as they share
the page's context); None leaves the panel out for that user (as ``residents.panels``)."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[..., dict | None]
    order: int = 100


_PANELS: dict[str, Panel] = {}


def register_home_panel(template: str, context: Callable[..., dict | None], *, order: int = 100):
    """Show ``template`` on the home page of every user for whom ``context`` gives a dict."""
    _PANELS[template] = Panel(template, context, order)


def home_panels(user) -> dict:
    """The page's context for every registered panel that has something for ``user``,
    and their templates in order (``home_panels``)."""
    context: dict = {}
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda panel: (panel.order, panel.template)):
        found = panel.context(user)
        if found is not None:
            context.update(found)
            shown.append(panel.template)
    return {**context, "home_panels": shown}
