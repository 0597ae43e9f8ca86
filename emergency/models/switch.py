"""平急转换 (福州): a subtree switched to emergency mode (``Activation``), its emergency
teams (``Team``), the registered members called up by home grid (``CallUp``), the tasks
given to a grid's called-up members or a team (``Task``), and the timelines of the switch
and of each call-up (check-in). Activations and call-ups change state only through their
workflows (``emergency.transitions``, ``emergency.actions``)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.workflow import TimelineEvent
from members.models import Registration
from org.codes import ancestor_prefixes
from org.models import OrgNode
from org.models.base import ScopedQuerySet


class ActivationStatus(models.TextChoices):
    ACTIVE = "active", _("应急状态")
    ENDED = "ended", _("已恢复平时")


class Activation(models.Model):
    """One switch of a subtree (a community, a street…) to emergency mode, until ended."""

    node = models.ForeignKey(OrgNode, models.PROTECT, related_name="+", verbose_name=_("范围"))
    reason = models.CharField(_("事由"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=8, choices=ActivationStatus.choices, default=ActivationStatus.ACTIVE
    )
    started_at = models.DateTimeField(_("转换时间"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("决定人")
    )
    ended_at = models.DateTimeField(_("恢复时间"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    teams = models.ManyToManyField("Team", blank=True, related_name="activations")
    version = models.PositiveIntegerField(default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "node__code", False

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("平急转换")
        verbose_name_plural = _("平急转换")
        constraints = [
            # A subtree is not switched twice at once (the race's last word; the action
            # answers 409 before it gets here).
            models.UniqueConstraint(
                fields=["node"], condition=Q(status="active"), name="one_active_switch_per_node"
            )
        ]

    def __str__(self):
        return f"{self.node.name} · {self.reason}"

    def get_absolute_url(self) -> str:
        return reverse("emergency:rollcall", args=[self.pk])

    @classmethod
    def scope_extra_q(cls, user, department_ids):
        """Beyond the subtree: an emergency covering the user's seats (a grid worker sees
        the community's), and those that called them up."""
        codes = list(user.assignments.values_list("node__code", flat=True))
        query = Q(pk__in=CallUp.objects.filter(registration__user=user).values("activation_id"))
        if codes:
            query |= Q(node__code__in=ancestor_prefixes(codes))
        return query


class ActivationEvent(TimelineEvent):
    activation = models.ForeignKey(Activation, models.CASCADE, related_name="events")

    class Meta(TimelineEvent.Meta):
        verbose_name = _("平急转换动态")
        verbose_name_plural = _("平急转换动态")


class Team(models.Model):
    """An emergency team (应急队伍) of a community or street, of one of the preset's kinds
    (``emergency.preset.team_kinds``), with its members from the 双报到 register."""

    node = models.ForeignKey(OrgNode, models.PROTECT, related_name="+", verbose_name=_("所属"))
    kind = models.CharField(_("队伍类别"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("队长"),
    )
    members = models.ManyToManyField(Registration, blank=True, related_name="teams")

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "node__code", False

    class Meta:
        ordering = ["node__code", "kind", "pk"]
        verbose_name = _("应急队伍")
        verbose_name_plural = _("应急队伍")

    def __str__(self):
        return self.name


class CallUpStatus(models.TextChoices):
    CALLED = "called", _("已召集")
    CHECKED_IN = "checked_in", _("已签到")


class CallUp(models.Model):
    """One registered member called up by an activation, placed by their home grid at the
    time (``grid``); ``team`` when a called-up team brought them."""

    activation = models.ForeignKey(Activation, models.CASCADE, related_name="callups")
    registration = models.ForeignKey(Registration, models.PROTECT, related_name="callups")
    grid = models.ForeignKey(OrgNode, models.PROTECT, related_name="+", verbose_name=_("网格"))
    team = models.ForeignKey(Team, models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(
        _("状态"), max_length=12, choices=CallUpStatus.choices, default=CallUpStatus.CALLED
    )
    called_at = models.DateTimeField(_("召集时间"))
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lng = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "grid__code", True

    class Meta:
        ordering = ["grid__code", "pk"]
        verbose_name = _("召集")
        verbose_name_plural = _("召集")
        constraints = [
            models.UniqueConstraint(
                fields=["activation", "registration"], name="one_callup_per_member"
            )
        ]
        indexes = [models.Index(fields=["activation", "grid", "status"])]

    def __str__(self):
        return f"{self.registration} @ {self.activation_id}"

    def get_absolute_url(self) -> str:
        return reverse("emergency:mine")

    @classmethod
    def scope_extra_q(cls, user, department_ids):
        """Beyond the subtree: one's own call-ups."""
        return Q(registration__user=user)


class CallUpEvent(TimelineEvent):
    callup = models.ForeignKey(CallUp, models.CASCADE, related_name="events")

    class Meta(TimelineEvent.Meta):
        verbose_name = _("签到记录")
        verbose_name_plural = _("签到记录")


class Task(models.Model):
    """A task (what, where, when) for a grid's called-up members or for a team; the
    call-ups it went to are ``callups`` (who is "on task" on the roll-call)."""

    activation = models.ForeignKey(Activation, models.CASCADE, related_name="tasks")
    grid = models.ForeignKey(
        OrgNode, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("网格")
    )
    team = models.ForeignKey(
        Team, models.PROTECT, null=True, blank=True, related_name="tasks", verbose_name=_("队伍")
    )
    title = models.CharField(_("任务"), max_length=100)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    due_at = models.DateTimeField(_("时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("下达时间"))
    callups = models.ManyToManyField(CallUp, blank=True, related_name="tasks")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("应急任务")
        verbose_name_plural = _("应急任务")

    def __str__(self):
        return self.title
