"""The volunteer marketplace (志愿服务超市): residents' orders (点单) and micro-wishes
(微心愿), taken (接单) by volunteers, party members and grid forces, done, and paid in
credit points. Every change of an order's status is a row of its timeline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.workflow import TimelineEvent
from org.models import OrgNode
from org.models.base import ScopedQuerySet
from residents.models import Resident


class OrderKind(models.TextChoices):
    ORDER = "order", _("服务点单")
    WISH = "wish", _("微心愿")


class OrderStatus(models.TextChoices):
    OPEN = "open", _("待接单")
    TAKEN = "taken", _("服务中")
    DONE = "done", _("待确认")
    CONFIRMED = "confirmed", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class ServiceOrder(models.Model):
    kind = models.CharField(_("类型"), max_length=8, choices=OrderKind.choices)
    title = models.CharField(_("需求"), max_length=100)
    description = models.TextField(_("说明"), blank=True, max_length=2000)
    node = models.ForeignKey(OrgNode, models.PROTECT, related_name="+", verbose_name=_("网格"))
    requester = models.ForeignKey(
        Resident,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("点单居民"),
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN
    )
    taker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="taken_orders",
        verbose_name=_("接单人"),
    )
    taken_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    hours = models.DecimalField(_("服务时长(小时)"), max_digits=5, decimal_places=1, default=0)
    points = models.PositiveIntegerField(_("获得积分"), default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("点单时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "node__code", True

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("志愿服务订单")
        verbose_name_plural = _("志愿服务订单")
        indexes = [models.Index(fields=["status", "node"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("participation:detail", args=[self.pk])

    @classmethod
    def scope_extra_q(cls, user, department_ids):
        """Beyond the subtree: what the user asked for, and what they took."""
        return Q(created_by=user) | Q(taker=user) | Q(requester__user=user)


class OrderEvent(TimelineEvent):
    """Append-only timeline of an order; an event without an actor is the system's
    (retention)."""

    order = models.ForeignKey(ServiceOrder, models.CASCADE, related_name="events")

    class Meta(TimelineEvent.Meta):
        verbose_name = _("订单动态")
        verbose_name_plural = _("订单动态")

    def __str__(self):
        return f"{self.action} → {self.to_status}"
