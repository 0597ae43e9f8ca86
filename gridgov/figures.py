"""Figures and watch lists that apps offer to the dashboards, without importing them.

``analytics`` reads every app, and nothing imports analytics (STYLE: "analytics reads
every app through the figures each offers"). An app registers, from its
``AppConfig.ready()``:

- a **figure**, a count for a node's subtree::

      register_figure("participation.volunteers", _("志愿者"), count_volunteers, order=20)

  ``count(node_code: str) -> int | None``; None means "this app has nothing to say
  here" and the figure is left out (a list that does not exist in this installation).
- a **watch list**, live rows a leader keeps an eye on (warnings, SOS…)::

      register_watch_list("alerts.sos", _("SOS 求助"), open_sos, order=10)

  ``rows(node_code: str, limit: int) -> list[dict]``, each row
  ``{"title": str, "url": str, "when": datetime | None, "tone": "red" | "yellow" | "",
  "when_label": str}``, newest or most urgent first, at most ``limit`` rows.
  ``when_label`` (optional) says what ``when`` is, shown before it: 「求助 11-30 19:32」 for
  a press, 「发现」 for a warning's finding; without it the row reads 「时限」 (``WHEN_LABEL``),
  a deadline, as the cases' lists do.

The caller has already checked that the user may see statistics at ``node_code``
(``has(user, "analytics.view", code)``); providers count the whole subtree and return
no personal data. A provider that fails is the app's bug: it is not hidden here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# What a row's ``when`` is when the row does not say: a deadline (the cases' lists).
WHEN_LABEL = _("时限")


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    count: Callable[[str], int | None]
    order: int = 100


@dataclass(frozen=True)
class WatchList:
    key: str
    label: str
    rows: Callable[[str, int], list[dict]]
    order: int = 100


_FIGURES: dict[str, Figure] = {}
_WATCH_LISTS: dict[str, WatchList] = {}


def register_figure(key: str, label, count: Callable[[str], int | None], *, order: int = 100):
    """Offer ``count(node_code)`` under ``key`` (``<app>.<name>``); registering a key
    again replaces it (``ready()`` may run more than once in tests)."""
    _FIGURES[key] = Figure(key, label, count, order)


def register_watch_list(
    key: str, label, rows: Callable[[str, int], list[dict]], *, order: int = 100
):
    """Offer ``rows(node_code, limit)`` under ``key``; see the module's docstring."""
    _WATCH_LISTS[key] = WatchList(key, label, rows, order)


def _ordered(registry: dict):
    return sorted(registry.values(), key=lambda item: (item.order, item.key))


def figures(node_code: str) -> list[dict]:
    """``[{"key", "label", "value"}]`` for every registered figure that has a value at
    ``node_code``, in the registrations' order."""
    found = []
    for figure in _ordered(_FIGURES):
        value = figure.count(node_code)
        if value is not None:
            found.append({"key": figure.key, "label": str(figure.label), "value": value})
    return found


def watch_lists(node_code: str, limit: int = 10) -> list[dict]:
    """``[{"key", "label", "rows"}]`` for every registered watch list, in order; a list
    with no rows is kept (an empty SOS list is news too). Every row has its
    ``when_label`` (``WHEN_LABEL`` when the provider left it out), as a str."""
    return [
        {
            "key": item.key,
            "label": str(item.label),
            "rows": [
                {**row, "when_label": str(row.get("when_label") or WHEN_LABEL)}
                for row in item.rows(node_code, limit)[:limit]
            ],
        }
        for item in _ordered(_WATCH_LISTS)
    ]
