"""Key populations' care (重点人群关爱): a schedule per resident (contact every N days, by
the grid worker or the building leader) and the contacts made (a household visit counts
for the household's scheduled residents; a phone call can be recorded too). A schedule
keeps its next due date, moved on by every contact, so "who is overdue" is one indexed
query."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.workflow import TimelineEvent
from org.models.base import ScopedQuerySet
from residents.models import Resident


class Carer(models.TextChoices):
    GRID_WORKER = "grid_worker", _("网格员")
    BUILDING_LEADER = "building_leader", _("楼栋长")


class CareSchedule(models.Model):
    resident = models.OneToOneField(
        Resident, models.CASCADE, related_name="care_schedule", verbose_name=_("居民")
    )
    every_days = models.PositiveSmallIntegerField(_("联系周期(天)"))
    by = models.CharField(_("联系人"), max_length=16, choices=Carer.choices)
    # The person named to keep it; blank: whoever holds patrol.visit at the household.
    carer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任人"),
    )
    reason = models.CharField(_("关爱原因"), max_length=100, blank=True)
    started_at = models.DateTimeField(_("开始时间"))
    last_contact_at = models.DateTimeField(_("最近联系"), null=True, blank=True)
    # The local (Asia/Shanghai) date by which the next contact is due; after it, missed.
    due_on = models.DateField(_("应联系日期"), db_index=True)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "resident__household__code", True

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("关爱计划")
        verbose_name_plural = _("关爱计划")

    def __str__(self):
        return f"{self.resident} / {self.every_days}"


class ContactKind(models.TextChoices):
    VISIT = "visit", _("入户走访")
    PHONE = "phone", _("电话联系")


class CareContact(models.Model):
    schedule = models.ForeignKey(CareSchedule, models.CASCADE, related_name="contacts")
    contacted_at = models.DateTimeField(_("联系时间"), db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("联系人")
    )
    kind = models.CharField(_("方式"), max_length=8, choices=ContactKind.choices)
    visit = models.ForeignKey(
        "patrol.Visit", models.CASCADE, null=True, blank=True, related_name="care_contacts"
    )
    note = models.CharField(_("情况"), max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "schedule__resident__household__code", True

    class Meta:
        ordering = ["-contacted_at", "-pk"]
        verbose_name = _("关爱联系")
        verbose_name_plural = _("关爱联系")
        constraints = [
            # A visit counts once per scheduled resident, however often it is replayed.
            models.UniqueConstraint(
                fields=["schedule", "visit"],
                condition=Q(visit__isnull=False),
                name="care_once_per_visit",
            )
        ]

    def __str__(self):
        return f"{self.schedule.resident} {self.contacted_at:%Y-%m-%d}"


class CarePlanEvent(TimelineEvent):
    """Each setting or change of a care schedule: who, when, before/after in ``data``."""

    schedule = models.ForeignKey(CareSchedule, models.CASCADE, related_name="events")

    class Meta(TimelineEvent.Meta):
        verbose_name = _("关爱计划变更")
        verbose_name_plural = _("关爱计划变更")
