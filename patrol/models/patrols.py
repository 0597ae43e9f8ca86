"""Patrols (巡查): a grid worker's time in their grid, its GPS track and what they found.

A patrol is stateful (``on_patrol`` → ``ended`` | ``cancelled``) and changes state only
through the workflow engine (``patrol.patrols.PATROLS``); every change, finding and the
first step out of the grid is a row of its timeline (``PatrolEvent``). A worker has at most
one open patrol: a partial unique constraint says so to the database, so two taps of 开始
on two phones cannot both open one.

The track is kept cheap: one ``TrackChunk`` row per batch the phone sends, its points a
compact JSON list ``[[unix seconds, lat, lng, accuracy m], …]``. Four hours at a point every
15 s is 960 points, some 40 rows of ~1 KB each.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.workflow import TimelineEvent
from org.models import Building, Household, OrgNode
from org.models.base import ScopedQuerySet

__all__ = ["Finding", "FindingKind", "Patrol", "PatrolEvent", "PatrolStatus", "TrackChunk"]


class PatrolStatus(models.TextChoices):
    ON_PATROL = "on_patrol", _("巡查中")
    ENDED = "ended", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class Patrol(models.Model):
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="patrols", verbose_name=_("巡查人")
    )
    grid = models.ForeignKey(OrgNode, models.PROTECT, related_name="+", verbose_name=_("网格"))
    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=PatrolStatus.choices, default=PatrolStatus.ON_PATROL
    )
    version = models.PositiveIntegerField(default=1)
    # The track's summary, kept on the row so lists never read the points.
    point_count = models.PositiveIntegerField(_("轨迹点数"), default=0)
    distance_m = models.PositiveIntegerField(_("里程(米)"), default=0)
    last_lat = models.FloatField(null=True, blank=True)
    last_lng = models.FloatField(null=True, blank=True)
    last_point_at = models.DateTimeField(null=True, blank=True)
    # Points outside the grid's outline: flagged, never refused (issue 13).
    left_grid_count = models.PositiveIntegerField(_("出网格点数"), default=0)
    left_grid_at = models.DateTimeField(_("首次出网格"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    # Where a person walked is personal: seen in the staff's subtree, and by the worker.
    scope_field, scope_personal = "grid__code", True

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("巡查")
        verbose_name_plural = _("巡查")
        constraints = [
            models.UniqueConstraint(
                fields=["worker"],
                condition=Q(status="on_patrol"),
                name="patrol_one_open_per_worker",
            )
        ]
        indexes = [models.Index(fields=["grid", "started_at"])]

    def __str__(self):
        return f"{self.grid} {self.started_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("patrol:detail", args=[self.pk])

    @property
    def left_grid(self) -> bool:
        return self.left_grid_count > 0

    @classmethod
    def scope_extra_q(cls, user, department_ids):
        """Beyond the subtree: one's own patrols."""
        return Q(worker=user)


class PatrolEvent(TimelineEvent):
    """Append-only timeline of a patrol: start, end, cancel, each finding, leaving the grid."""

    patrol = models.ForeignKey(Patrol, models.CASCADE, related_name="events")

    class Meta(TimelineEvent.Meta):
        verbose_name = _("巡查动态")
        verbose_name_plural = _("巡查动态")

    def __str__(self):
        return f"{self.action} → {self.to_status}"


class TrackChunk(models.Model):
    """One batch of track points as the phone sent it: ``points`` is
    ``[[unix seconds, lat, lng, accuracy in metres or null], …]`` sorted by time."""

    patrol = models.ForeignKey(Patrol, models.CASCADE, related_name="chunks")
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()
    count = models.PositiveIntegerField()
    outside = models.PositiveIntegerField(default=0)  # points outside the grid's outline
    points = models.JSONField()

    class Meta:
        ordering = ["first_at", "pk"]
        verbose_name = _("巡查轨迹段")
        verbose_name_plural = _("巡查轨迹段")

    def __str__(self):
        return f"{self.patrol_id}: {self.count} 点"


class FindingKind(models.TextChoices):
    """A problem becomes a case; the rest update base information (人房地事物, 荣成)."""

    PROBLEM = "problem", _("发现问题")
    PEOPLE = "people", _("人")
    HOUSES = "houses", _("房")
    PLACES = "places", _("地")
    EVENTS = "events", _("事")
    OBJECTS = "objects", _("物")


class Finding(models.Model):
    patrol = models.ForeignKey(Patrol, models.CASCADE, related_name="findings")
    kind = models.CharField(_("类型"), max_length=10, choices=FindingKind.choices)
    text = models.TextField(_("内容"), max_length=2000)
    case = models.ForeignKey(
        "cases.Case",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="patrol_findings",
        verbose_name=_("案件"),
    )
    household = models.ForeignKey(
        Household, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("户")
    )
    building = models.ForeignKey(
        Building, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("楼栋")
    )
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    found_at = models.DateTimeField(_("发现时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    # Why the recorded time is not the phone's (an offline time out of bounds), if it is not.
    time_note = models.CharField(max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "patrol__grid__code", True

    class Meta:
        ordering = ["found_at", "pk"]
        verbose_name = _("巡查发现")
        verbose_name_plural = _("巡查发现")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:20]}"

    @classmethod
    def scope_extra_q(cls, user, department_ids):
        return Q(patrol__worker=user)
