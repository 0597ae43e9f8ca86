from django.utils.functional import SimpleLazyObject

from cases.views.common import workbench
from outbox.models import InboxMessage


def workbench_nav(request) -> dict:
    """The header's case links for the user's roles and the unread count, read only when a
    page renders the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_links": SimpleLazyObject(lambda: workbench(user)),
        "nav_unread": SimpleLazyObject(
            lambda: InboxMessage.objects.filter(user=user, read_at=None).count()
        ),
    }
