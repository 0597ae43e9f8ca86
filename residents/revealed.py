"""A revealed value carried from the POST that revealed it to the page it redirects to
(POST-redirect-GET), shown once: a reload or the back button shows the masked value
again and writes nothing, instead of revealing and logging a second time."""

SESSION_KEY = "revealed"


def remember(request, key: str, field: str, value: str) -> None:
    """Keep ``value`` for the next page showing ``key`` (e.g. ``resident:12``)."""
    request.session[SESSION_KEY] = {"key": key, "field": field, "value": value}


def take(request, key: str) -> dict[str, str]:
    """``{field: value}`` revealed for ``key`` by the request before, once; ``{}`` else.
    Whatever was kept is dropped either way, so it never waits for a later page."""
    kept = request.session.pop(SESSION_KEY, None)
    if kept and kept.get("key") == key:
        return {kept["field"]: kept["value"]}
    return {}
