"""What actions tell people and other systems: outbox rows written in the action's
transaction, the in-app inbox they are delivered to, and webhook subscribers.

A row is about a *subject*: any model instance (a case, a volunteer order, a patrol…),
kept as its label (``cases.case``) and primary key, plus the page a message links to. The
pair is indexed, so "every message about this case" is one cheap query (``about(obj)``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def subject_label(subject) -> str:
    """``app_label.model_name`` of a model instance or class (``_meta.label_lower``)."""
    return subject._meta.label_lower


class SubjectQuerySet(models.QuerySet):
    def about(self, subject):
        """Rows about this model instance."""
        return self.filter(subject_type=subject_label(subject), subject_id=subject.pk)


class Subject(models.Model):
    """The thing a row is about, and the page that shows it (for the inbox's link)."""

    subject_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    subject_id = models.PositiveBigIntegerField(_("对象编号"), null=True, blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)

    objects = SubjectQuerySet.as_manager()

    class Meta:
        abstract = True


class Webhook(models.Model):
    """A subscriber to events; bodies are signed with its secret (HMAC-SHA256)."""

    name = models.CharField(max_length=100)
    url = models.URLField()
    secret = models.CharField(max_length=100)
    events = models.JSONField(default=list, blank=True, help_text=_("空表示全部事件"))
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("Webhook 订阅")
        verbose_name_plural = _("Webhook 订阅")

    def __str__(self):
        return self.name


class Channel(models.TextChoices):
    INBOX = "inbox", _("站内消息")
    WEBHOOK = "webhook", _("Webhook")


class Outbox(Subject):
    """A message an action recorded, delivered after commit by a huey task.

    ``channel`` is "inbox" (an in-app message for ``recipient``) or "webhook" (a POST to
    ``webhook``). Delivery is at-least-once with ``attempts`` and a back-off; the in-app
    inbox keeps one message per outbox row, so a repeated delivery adds nothing.
    """

    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="+"
    )
    webhook = models.ForeignKey(
        Webhook, models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    event = models.CharField(max_length=32)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("待发通知")
        verbose_name_plural = _("待发通知")
        indexes = [
            models.Index(fields=["delivered_at", "next_attempt_at"], name="outbox_due_rows"),
            models.Index(fields=["subject_type", "subject_id"], name="outbox_subject"),
        ]

    def __str__(self):
        return f"{self.event} → {self.recipient or self.webhook}"


class InboxMessage(Subject):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="inbox")
    outbox = models.OneToOneField(Outbox, models.CASCADE, related_name="message")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        indexes = [
            models.Index(fields=["user", "read_at"], name="inbox_user_unread"),
            models.Index(fields=["subject_type", "subject_id"], name="inbox_subject"),
        ]

    def __str__(self):
        return self.title
