"""Where a case came from, as a link on its page (「来自巡查：…」): an app that files cases
from its own records (patrol's findings and visits) registers, from its ``AppConfig.ready()``,
a function for the key it puts in the case's first event's ``data`` (``Report.extra``), so
cases links back without importing it (import-linter: cases sits below patrol).

``register_origin(key, fn)``: ``fn(value, user) -> (label, text, url) | None`` with
``value`` the ``data[key]`` of the ``submit`` event; ``None`` when the record is gone or
the user may not see it (then nothing is shown)."""

from collections.abc import Callable

OriginFn = Callable[[object, object], "tuple[str, str, str] | None"]

_ORIGINS: dict[str, OriginFn] = {}


def register_origin(key: str, fn: OriginFn) -> None:
    _ORIGINS[key] = fn


def origins_of(data: dict, user) -> list[dict]:
    """``[{"label", "text", "url"}]`` for the registered keys present in ``data``."""
    found = []
    for key, fn in _ORIGINS.items():
        if data.get(key) is None:
            continue
        link = fn(data[key], user)
        if link:
            label, text, url = link
            found.append({"label": label, "text": text, "url": url})
    return found
