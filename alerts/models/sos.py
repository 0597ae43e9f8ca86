"""One-click SOS (一键求助, issue 13 item 5): device vendors with their own API key, the
devices (wristbands, elder phones) bound to residents, the alarms a press opens with their
timeline, and the alarm's escalation steps claimed by the periodic task.

张掖: 「為“一老一少”“鰥寡孤獨”等特殊人群配發智能手環,鏈接“社工委”服務專線,遇到困難可一鍵求助」.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.workflow import TimelineEvent
from org.models import OrgNode
from org.models.base import ScopedQuerySet
from residents.models import Resident


class Vendor(models.Model):
    """A device maker or operator calling ``POST /api/v1/sos/``. Its key is shown once at
    creation and kept as a SHA-256 digest (``alerts.sos.keys``): the key has 192 random
    bits, so a fast digest is as safe as a slow password hash and costs nothing per press
    (knox keeps its tokens the same way). ``key_prefix`` finds the row; the digest is
    compared in constant time."""

    name = models.CharField(_("厂商名称"), max_length=100, unique=True)
    key_prefix = models.CharField(_("密钥前缀"), max_length=12, unique=True, editable=False)
    key_digest = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("求助设备厂商")
        verbose_name_plural = _("求助设备厂商")

    def __str__(self):
        return self.name


class Device(models.Model):
    """A wristband or elder phone; presses count only while it is active and bound to a
    resident. Seen by those who see the resident (scope: the resident's household)."""

    vendor = models.ForeignKey(Vendor, models.PROTECT, related_name="devices")
    device_id = models.CharField(_("设备号"), max_length=64)
    kind = models.CharField(_("设备类型"), max_length=20, blank=True)  # 智能手环, 老人关爱手机
    resident = models.ForeignKey(
        Resident,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="sos_devices",
        verbose_name=_("绑定居民"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    bound_at = models.DateTimeField(_("绑定时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "resident__household__code", True

    class Meta:
        verbose_name = _("求助设备")
        verbose_name_plural = _("求助设备")
        constraints = [
            models.UniqueConstraint(fields=["vendor", "device_id"], name="sos_device_per_vendor")
        ]

    def __str__(self):
        return f"{self.vendor.name} {self.device_id}"


class AlarmStatus(models.TextChoices):
    OPEN = "open", _("待响应")
    ACKNOWLEDGED = "acknowledged", _("已响应")
    ARRIVED = "arrived", _("已到场")
    CLOSED = "closed", _("已处置")
    FALSE_ALARM = "false_alarm", _("误报")
    CANCELLED = "cancelled", _("已取消")


LIVE_STATUSES = (AlarmStatus.OPEN, AlarmStatus.ACKNOWLEDGED, AlarmStatus.ARRIVED)


class Alarm(models.Model):
    """One call for help: the first press of a device, and the presses within a minute
    after the last one (``alerts.sos.presses``). ``grid`` is the resident's grid at the
    press: who is told and who sees the alarm."""

    resident = models.ForeignKey(Resident, models.PROTECT, related_name="alarms")
    device = models.ForeignKey(Device, models.PROTECT, related_name="alarms")
    grid = models.ForeignKey(OrgNode, models.PROTECT, related_name="+", verbose_name=_("网格"))
    pressed_at = models.DateTimeField(_("求助时间"), db_index=True)
    last_pressed_at = models.DateTimeField(_("最近一次按键"))
    presses = models.PositiveIntegerField(_("按键次数"), default=1)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    accuracy = models.FloatField(_("定位精度(米)"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=AlarmStatus.choices, default=AlarmStatus.OPEN
    )
    acknowledged_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    arrived_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    arrived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    escalations = models.PositiveSmallIntegerField(_("已通知层级"), default=0)
    case = models.ForeignKey("cases.Case", models.SET_NULL, null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "grid__code", True

    class Meta:
        ordering = ["-pressed_at", "-pk"]
        verbose_name = _("求助告警")
        verbose_name_plural = _("求助告警")
        indexes = [models.Index(fields=["device", "last_pressed_at"], name="sos_alarm_device")]

    def __str__(self):
        return f"{self.resident.name} {self.pressed_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("alerts:sos_detail", args=[self.pk])

    @property
    def seconds_to_acknowledge(self) -> int | None:
        if self.acknowledged_at is None:
            return None
        return int((self.acknowledged_at - self.pressed_at).total_seconds())

    @property
    def seconds_to_arrive(self) -> int | None:
        if self.arrived_at is None:
            return None
        return int((self.arrived_at - self.pressed_at).total_seconds())


class AlarmEvent(TimelineEvent):
    """The alarm's timeline: each press, escalation step, acknowledgement, arrival, end,
    and its becoming a case (``data`` holds the step, who was told, the location)."""

    alarm = models.ForeignKey(Alarm, models.CASCADE, related_name="events")

    class Meta(TimelineEvent.Meta):
        verbose_name = _("求助动态")
        verbose_name_plural = _("求助动态")


class EscalationStep(models.Model):
    """A later step of the chain (``alerts.sos.chain``), due ``after_minutes`` after the
    press. The periodic task claims due rows by a conditional UPDATE of ``claimed_at``
    (``alerts.sos.escalation``): only the worker whose UPDATE changed the row acts on it.
    ``outcome``: "sent", or "skipped" when the alarm was answered before the step ran."""

    alarm = models.ForeignKey(Alarm, models.CASCADE, related_name="steps")
    index = models.PositiveSmallIntegerField()  # in the chain; 0 runs at the press
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["alarm", "index"], name="sos_step_once")]
        indexes = [models.Index(fields=["claimed_at", "due_at"], name="sos_step_due")]

    def __str__(self):
        return f"{self.alarm_id}#{self.index}"
