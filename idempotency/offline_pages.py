"""The pages a phone keeps for offline use: ``/sw.js`` fetches them when it installs, so
they open without a network even before their first visit. The apps that own the pages
offer them (``idempotency`` imports no app above it), each with who may open it, from their
``AppConfig.ready()``::

    register_offline_page("patrol:today", holds_any("patrol.patrol"))

The worker script lists only the pages its user may open: a community secretary's phone
does not fetch the grid worker's 今日巡查 to be refused (403) at every login.
"""

from collections.abc import Callable

from django.urls import NoReverseMatch, reverse

_PAGES: dict[str, Callable[..., bool]] = {}


def register_offline_page(url_name: str, may_open: Callable[..., bool]) -> None:
    """Keep the page ``url_name`` offline for every user ``may_open(user)`` accepts;
    registering a URL name again replaces it."""
    _PAGES[url_name] = may_open


def offline_pages(user) -> list[str]:
    """The paths of the registered pages ``user`` may open, sorted; none for an anonymous
    user. A URL name the project does not route is skipped."""
    if not user.is_authenticated:
        return []
    paths = []
    for name, may_open in _PAGES.items():
        try:
            path = reverse(name)
        except NoReverseMatch:
            continue
        if may_open(user):
            paths.append(path)
    return sorted(paths)
