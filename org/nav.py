"""Links other apps add to the header (今日巡查, 走访, 关爱, 求助, 预警, 平急转换…).

``org`` is a foundation app and imports no feature app, and ``cases`` (which draws the
header, ``cases/_nav.html``) may not import the field apps either (import-linter layers):
a feature registers its link in its ``AppConfig.ready()`` with the URL name and a function
``(user) -> bool`` saying whether the user may use the page, by the verb the page needs
(``holds_any``: ``org.permissions.codes_with``, never a role's kind or name). The header
shows them as one group, 外勤: a menu of its own on a phone, in the row on a wide screen.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from org.permissions import codes_with


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    show: Callable[..., bool]
    order: int = 100


_LINKS: dict[str, NavLink] = {}


def register_nav_link(label, url_name: str, show: Callable[..., bool], *, order: int = 100):
    """Show ``label`` linking to ``url_name`` in the header for every user ``show(user)``
    accepts; links sort by ``order``, then URL name. Registering a URL name again replaces
    its link."""
    _LINKS[url_name] = NavLink(label, url_name, show, order)


def holds_any(*verbs: str) -> Callable[..., bool]:
    """``show`` for a page that needs one of ``verbs`` somewhere (a node-level seat: a
    department's seat opens none of the field pages; a superuser everywhere)."""

    def show(user) -> bool:
        for verb in verbs:
            codes = codes_with(user, verb)
            if codes is None or codes:
                return True
        return False

    return show


def nav_links(user) -> list[tuple[str, str]]:
    """``[(href, label)]`` of the registered links ``user`` may use, in order."""
    links = sorted(_LINKS.values(), key=lambda link: (link.order, link.url_name))
    return [(reverse(link.url_name), str(link.label)) for link in links if link.show(user)]
