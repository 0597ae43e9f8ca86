"""Early warnings (预警, 每日研判): one row per condition a rule of the daily job found
(``gridgov.early_warning``), kept while nobody has dealt with it, on the workflow engine
(open → acknowledged → dealt with, ``alerts.warnings.workflow``) with its timeline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.workflow import TimelineEvent
from org.models import OrgNode
from org.models.base import ScopedQuerySet


class WarningStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    ACKNOWLEDGED = "acknowledged", _("已签收")
    DEALT = "dealt", _("已处置")


ACTIVE_STATUSES = (WarningStatus.OPEN, WarningStatus.ACKNOWLEDGED)


class Severity(models.TextChoices):
    RED = "red", _("红色")
    YELLOW = "yellow", _("黄色")


class Warning(models.Model):
    """One warning. ``(kind, subject)`` is the rule's key and what the signal is about; while
    the warning is not dealt with, the daily job updates it (``last_seen``, ``figures``…)
    instead of opening another (a partial unique constraint). ``first_seen``/``last_seen``
    are the local days of the runs that found it."""

    kind = models.CharField(_("类型"), max_length=64)
    subject = models.CharField(_("对象"), max_length=200)
    node = models.ForeignKey(OrgNode, models.PROTECT, related_name="+", verbose_name=_("所属"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任人"),
    )
    title = models.CharField(_("标题"), max_length=200)
    reason = models.TextField(_("原因"), max_length=2000)
    severity = models.CharField(
        _("级别"), max_length=8, choices=Severity.choices, default=Severity.YELLOW
    )
    figures = models.JSONField(_("数据"), default=dict, blank=True)
    evidence_url = models.CharField(_("依据"), max_length=300, blank=True)
    first_seen = models.DateField(_("首次发现"))
    last_seen = models.DateField(_("最近发现"), db_index=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=WarningStatus.choices, default=WarningStatus.OPEN
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("生成时间"))
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    dealt_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    dealt_note = models.TextField(_("处置情况"), blank=True, max_length=1000)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "node__code", True

    class Meta:
        ordering = ["-last_seen", "-pk"]
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        indexes = [
            models.Index(fields=["kind", "subject"], name="warning_kind_subject"),
            models.Index(fields=["status", "node"], name="warning_status_node"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject"],
                condition=~Q(status="dealt"),
                name="warning_one_active_per_subject",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("alerts:warning_detail", args=[self.pk])

    @classmethod
    def scope_extra_q(cls, user, department_ids):
        """Beyond the subtree: the warnings the user owns."""
        return Q(owner=user)


class WarningEvent(TimelineEvent):
    """Append-only timeline of a warning (found, acknowledged, dealt with)."""

    warning = models.ForeignKey(Warning, models.CASCADE, related_name="events")

    class Meta(TimelineEvent.Meta):
        verbose_name = _("预警动态")
        verbose_name_plural = _("预警动态")
