"""How a thing's timeline (its ``…Event`` rows, written by ``gridgov.workflow``) is shown:
on a page through ``_timeline.html`` and ``timeline_rows``, in the API through
``TimelineEventSerializer``. One look and one wording for patrols, alarms, warnings,
activations and volunteer orders."""

from collections.abc import Callable, Iterable

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

SYSTEM = _("系统")


def timeline_rows(
    events: Iterable, names: dict, viewer, *, system=SYSTEM, who: Callable | None = None
) -> list[tuple]:
    """``[(event, action name, who)]`` for ``_timeline.html``: ``names`` maps an event's
    ``action`` to its Chinese name; who acted is 「我」 for ``viewer``, ``system`` for no
    actor (the job, a periodic task), else the actor's display name. ``who(event)`` may
    name an actor otherwise (a resident shown masked) by returning a string, or None to
    leave it to the rule above. Events' ``actor`` should be selected with them."""
    rows = []
    for event in events:
        named = who(event) if who is not None else None
        if named is None:
            if event.actor_id is None:
                named = system
            elif event.actor_id == viewer.pk:
                named = _("我")
            else:
                named = event.actor.display_name or event.actor.username
        rows.append((event, names.get(event.action, event.action), named))
    return rows


class TimelineEventSerializer(serializers.ModelSerializer):
    """A timeline row in the API: ``action``, ``action_name`` (Chinese, from ``names``),
    ``from_status``, ``to_status``, ``note``, ``at``. A subclass sets ``names`` and its
    ``Meta.model`` (``fields = TimelineEventSerializer.Meta.fields`` plus its own)."""

    names: dict = {}
    action_name = serializers.SerializerMethodField()

    class Meta:
        fields = ["action", "action_name", "from_status", "to_status", "note", "at"]

    def get_action_name(self, event) -> str:
        return str(self.names.get(event.action, event.action))
