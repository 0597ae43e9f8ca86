"""Household visits (入户走访): who visited which household when, whom they met, how it went,
and the needs they heard; each need may become a case, a volunteer order or micro-wish, or
an item of the needs list (需求清单), recorded here by its foreign key."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from org.models import Household, OrgNode
from org.models.base import ScopedQuerySet
from residents.models import Resident


class VisitOutcome(models.TextChoices):
    MET = "met", _("见到住户")
    NOBODY_HOME = "nobody_home", _("无人在家")
    REFUSED = "refused", _("拒绝入户")
    VACANT = "vacant", _("空置/已搬离")


# A visit counts towards coverage (一访) when the visitor spoke with the household; a closed
# door is recorded (it says someone went) but the household stays on the to-do list.
COUNTING_OUTCOMES = (VisitOutcome.MET, VisitOutcome.VACANT)


class NeedCategory(models.TextChoices):
    LIVING = "living", _("生活困难")
    HEALTH = "health", _("医疗健康")
    CARE = "care", _("养老照护")
    DISPUTE = "dispute", _("矛盾纠纷")
    ENVIRONMENT = "environment", _("环境设施")
    POLICY = "policy", _("政策咨询")
    OTHER = "other", _("其他")


class Visit(models.Model):
    household = models.ForeignKey(
        Household, models.PROTECT, related_name="visits", verbose_name=_("户")
    )
    # The household's grid at the time of the visit (a household may later change grid).
    grid = models.ForeignKey(OrgNode, models.PROTECT, related_name="+", verbose_name=_("网格"))
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("走访人")
    )
    visited_at = models.DateTimeField(_("走访时间"), db_index=True)
    outcome = models.CharField(_("走访结果"), max_length=16, choices=VisitOutcome.choices)
    notes = models.TextField(_("走访情况"), blank=True, max_length=2000)
    met = models.ManyToManyField(
        Resident, blank=True, related_name="+", verbose_name=_("见到的居民")
    )
    # Why visited_at is not the time the person pressed the button offline (too old, in
    # the future, unreadable): said on the record instead of silently changed.
    time_note = models.CharField(_("时间说明"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "household__code", True

    class Meta:
        ordering = ["-visited_at", "-pk"]
        verbose_name = _("入户走访")
        verbose_name_plural = _("入户走访")
        indexes = [models.Index(fields=["grid", "visited_at"])]

    def __str__(self):
        return f"{self.household} {self.visited_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("patrol:visit_detail", args=[self.pk])

    @property
    def counts(self) -> bool:
        return self.outcome in COUNTING_OUTCOMES


class VisitNeed(models.Model):
    """A need heard on a visit. ``case`` / ``order`` / ``needs_item`` are set once, by the
    one-tap conversions of ``patrol.visits``; a second tap returns the same object."""

    visit = models.ForeignKey(Visit, models.CASCADE, related_name="needs")
    text = models.CharField(_("需求"), max_length=200)
    category = models.CharField(_("类别"), max_length=16, choices=NeedCategory.choices, blank=True)
    resident = models.ForeignKey(
        Resident,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("涉及居民"),
    )
    case = models.ForeignKey("cases.Case", models.PROTECT, null=True, blank=True, related_name="+")
    order = models.ForeignKey(
        "participation.ServiceOrder", models.PROTECT, null=True, blank=True, related_name="+"
    )
    needs_item = models.ForeignKey(
        "patrol.NeedsListItem", models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "visit__household__code", True

    class Meta:
        ordering = ["pk"]
        verbose_name = _("走访需求")
        verbose_name_plural = _("走访需求")

    def __str__(self):
        return self.text

    @property
    def converted(self) -> bool:
        return bool(self.case_id or self.order_id or self.needs_item_id)
