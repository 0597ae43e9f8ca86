"""Choices that the models and the scoping helper share; kept apart from the models so
``org.scoping`` needs no model module (and ``org.models`` can use ``org.scoping``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoleKind(models.TextChoices):
    """How a role's scope is drawn; the preset's own wording lives in Role.name."""

    STAFF = "staff", _("工作人员")  # sees the subtree of the node it is bound to
    LEADER = "leader", _("领导")  # the same, for oversight
    DEPARTMENT = "department", _("部门")  # its department's work, no residents' records
    RESIDENT = "resident", _("居民")  # their own household
