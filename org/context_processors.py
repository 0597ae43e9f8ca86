from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _


def _labels(user) -> list[str]:
    labels = [
        f"{assignment.role.name} · {assignment.department or assignment.node.name}"
        for assignment in user.assignments.select_related("role", "node", "department")
    ]
    if not labels and user.is_superuser:
        labels.append(_("超级管理员"))
    return labels


def my_roles(request) -> dict:
    """The header's "role · place" labels for the signed-in user, read only if a page shows them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_roles": []}
    return {"my_roles": SimpleLazyObject(lambda: _labels(user))}
