"""Accounts, the preset's role catalogue and roles bound to org nodes."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from org.choices import RoleKind
from org.models.base import ScopedQuerySet
from org.models.tree import Level, OrgNode


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)

    def __str__(self):
        return self.display_name or self.username


class Department(models.Model):
    """A functional department (城管, 市监, 公安…) seated at a node of the tree."""

    code = models.CharField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    node = models.ForeignKey(OrgNode, models.PROTECT, related_name="departments")
    kind = models.SlugField(_("类别"), max_length=32)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "node__code", False

    class Meta:
        ordering = ["code"]
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")

    def __str__(self):
        return self.name


class Role(models.Model):
    """A role from the preset's catalogue (一长四员, 八员, 三大员, 楼长/单元长…)."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("范围类型"), max_length=16, choices=RoleKind.choices)
    # The platform's generic duty (grid_worker, community_secretary…), so features can
    # ask "who patrols this grid" whatever the preset calls the role.
    duty = models.SlugField(_("职责"), max_length=40)
    level = models.ForeignKey(Level, models.PROTECT, null=True, blank=True, related_name="roles")
    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["level__depth", "code"]
        verbose_name = _("角色")
        verbose_name_plural = _("角色")

    def __str__(self):
        return self.name


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, models.CASCADE, related_name="assignments")
    role = models.ForeignKey(Role, models.PROTECT, related_name="assignments")
    node = models.ForeignKey(OrgNode, models.PROTECT, related_name="assignments")
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="assignments"
    )

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "node__code", False

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "node"], name="unique_role_per_node")
        ]

    def __str__(self):
        return f"{self.user} · {self.role} @ {self.node.name}"
