"""The audit log: who did what, when, from where, and with what outcome (MLPS 2.0 level 3).

The application only appends to it. A row is never changed; rows leave only through
``AuditLog.objects.prune(before)``, which the ``prune_audit`` command calls with a cutoff of
at least six months (``MIN_KEEP_DAYS``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MIN_KEEP_DAYS = 183  # six months, the least MLPS 2.0 level 3 allows


class Outcome(models.TextChoices):
    SUCCESS = "success", _("成功")
    DENIED = "denied", _("拒绝")
    FAILED = "failed", _("失败")


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValueError("audit rows are never changed")

    def delete(self):
        raise ValueError("audit rows are never deleted; prune_audit removes expired ones")

    def prune(self, before) -> int:
        """Remove rows older than ``before``: the one way rows leave the log."""
        if before > timezone.now() - timezone.timedelta(days=MIN_KEEP_DAYS):
            raise ValueError(f"audit rows are kept at least {MIN_KEEP_DAYS} days")
        expired = self.model.objects.filter(at__lt=before)
        return expired._raw_delete(expired.db)


class AuditLog(models.Model):
    # The user's id stays even if the account is later deleted (no constraint, no cascade):
    # deleting a user must neither fail nor rewrite the log.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.DO_NOTHING,
        null=True,
        blank=True,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(_("用户名"), max_length=150, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    action = models.CharField(_("操作"), max_length=64)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象标识"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    outcome = models.CharField(_("结果"), max_length=8, choices=Outcome.choices)
    method = models.CharField(max_length=8, blank=True)
    path = models.CharField(max_length=300, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True, db_index=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        indexes = [models.Index(fields=["actor_username", "at"], name="audit_actor_at")]

    def __str__(self):
        who = self.actor_username or "-"
        return f"{self.at:%Y-%m-%d %H:%M:%S} {who} {self.action} {self.outcome}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("audit rows are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit rows are never deleted")
