"""The needs list (需求清单), one of the three lists (需求、资源、项目清单): a small model of its
own until the three-lists work takes it over. Items come from visits' needs so far."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from org.models import OrgNode
from org.models.base import ScopedQuerySet


class NeedsItemStatus(models.TextChoices):
    OPEN = "open", _("待对接")
    MATCHED = "matched", _("已对接")
    DONE = "done", _("已完成")
    CLOSED = "closed", _("不予列入")


class NeedsListItem(models.Model):
    node = models.ForeignKey(OrgNode, models.PROTECT, related_name="+", verbose_name=_("网格"))
    text = models.CharField(_("需求"), max_length=200)
    source_need = models.OneToOneField(
        "patrol.VisitNeed",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("来源"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=NeedsItemStatus.choices, default=NeedsItemStatus.OPEN
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("列入时间"))

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "node__code", False

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("需求清单")
        verbose_name_plural = _("需求清单")

    def __str__(self):
        return self.text
