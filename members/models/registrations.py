"""双报到: an in-service party member or cadre registered at their home community
(福州: 「推动18.7万名在职党员、干部到居住地社区小区报到」;
荣成: 「在职党员工作在单位、服务在社区」).

Small and of its own: the emergency call-ups use it, and volunteer work will (hours, posts,
activities) by pointing at it, not by widening it. Placed in the tree by the home grid
(居住地网格); personal data (phone), so only those who see the grid's residents see it, plus
the person themselves."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models import OrgNode
from org.models.base import ScopedQuerySet


class RegistrationKind(models.TextChoices):
    # 福州: 「在职党员、干部」
    PARTY_MEMBER = "party_member", _("在职党员")
    CADRE = "cadre", _("在职干部")


class RegistrationStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    LEFT = "left", _("已退出")


class Registration(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("账号"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=20)
    employer = models.CharField(_("工作单位"), max_length=100)
    home_grid = models.ForeignKey(
        OrgNode, models.PROTECT, related_name="+", verbose_name=_("居住地网格")
    )
    skills = models.JSONField(_("技能特长"), default=list, blank=True)
    kind = models.CharField(
        _("类型"),
        max_length=16,
        choices=RegistrationKind.choices,
        default=RegistrationKind.PARTY_MEMBER,
    )
    status = models.CharField(
        _("状态"),
        max_length=8,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.ACTIVE,
    )
    registered_at = models.DateTimeField(_("报到时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "home_grid__code", True

    class Meta:
        ordering = ["home_grid__code", "name", "pk"]
        verbose_name = _("双报到登记")
        verbose_name_plural = _("双报到登记")
        indexes = [models.Index(fields=["status", "home_grid"])]
        constraints = [
            # One registration per account, and one per phone among those in the register
            # (the import's natural key).
            models.UniqueConstraint(
                fields=["user"], condition=Q(user__isnull=False), name="one_registration_per_user"
            ),
            models.UniqueConstraint(
                fields=["phone"],
                condition=Q(status="active"),
                name="one_active_registration_per_phone",
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def scope_extra_q(cls, user, department_ids):
        """Beyond the subtree: one's own registration."""
        return Q(user=user)
