"""Assessment (考核评议): organisational scores with their trail, residents' surveys, the
monthly rankings with each score's components, and the 十佳 lists on the workflow engine."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridgov.workflow import TimelineEvent
from org.models import OrgNode


class OrgEvaluation(models.Model):
    """The score (0–100) the level above gives a node for a month (组织评价). Changed until
    the month's ranking of the node's kind is published; every entry and change is a row of
    ``OrgEvaluationEvent``, and ``version`` refuses a stale edit (409)."""

    node = models.ForeignKey(OrgNode, models.PROTECT, related_name="+", verbose_name=_("被评节点"))
    month = models.DateField(_("月份"))  # the first day of the month
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    comment = models.CharField(_("评语"), max_length=500, blank=True)
    scored_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    scored_at = models.DateTimeField(_("评分时间"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("组织评价")
        verbose_name_plural = _("组织评价")
        constraints = [
            models.UniqueConstraint(fields=["node", "month"], name="one_org_evaluation_a_month")
        ]

    def __str__(self):
        return f"{self.node.name} {self.month:%Y-%m}: {self.score}"


class OrgEvaluationEvent(TimelineEvent):
    """Append-only trail of organisational scores: who, when, before and after (``data``)."""

    evaluation = models.ForeignKey(OrgEvaluation, models.CASCADE, related_name="events")

    class Meta(TimelineEvent.Meta):
        verbose_name = _("组织评价记录")
        verbose_name_plural = _("组织评价记录")


class Survey(models.Model):
    """A residents' satisfaction survey of a node for a month (群众评议): respondents and how
    they answered. Entered by the level above; entering again replaces the figures and is
    recorded in the trail."""

    node = models.ForeignKey(OrgNode, models.PROTECT, related_name="+", verbose_name=_("节点"))
    month = models.DateField(_("月份"))
    respondents = models.PositiveIntegerField(_("受访人数"))
    satisfied = models.PositiveIntegerField(_("满意"))
    basic = models.PositiveIntegerField(_("基本满意"))
    unsatisfied = models.PositiveIntegerField(_("不满意"))
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("录入时间"))

    class Meta:
        verbose_name = _("群众满意度测评")
        verbose_name_plural = _("群众满意度测评")
        constraints = [models.UniqueConstraint(fields=["node", "month"], name="one_survey_a_month")]

    def __str__(self):
        return f"{self.node.name} {self.month:%Y-%m}"


class RankingStatus(models.TextChoices):
    DRAFT = "draft", _("未公布")
    PUBLISHED = "published", _("已公布")


class MonthlyRanking(models.Model):
    """One kind's ranking for one month (grids, communities, streets, departments, grid
    workers). Recomputed by the task until published; frozen once published."""

    kind = models.SlugField(max_length=16)
    month = models.DateField()
    status = models.CharField(
        max_length=10, choices=RankingStatus.choices, default=RankingStatus.DRAFT
    )
    # A digest of every input (KPI rows, scores, surveys, scheme): unchanged, nothing is written.
    digest = models.CharField(max_length=64, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-month", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "month"], name="one_ranking_a_kind_a_month")
        ]

    def __str__(self):
        return f"{self.kind} {self.month:%Y-%m}"


class MonthlyScore(models.Model):
    """One ranked subject's score: its rank, total and the components it came from."""

    ranking = models.ForeignKey(MonthlyRanking, models.CASCADE, related_name="scores")
    key = models.CharField(max_length=150)  # node code, department code or username
    name = models.CharField(max_length=150)
    # Where the subject sits in the tree: who may see this row (analytics.view there).
    scope_code = models.CharField(max_length=32, db_index=True)
    rank = models.PositiveIntegerField()
    total = models.DecimalField(max_digits=5, decimal_places=1, null=True)
    # {"quantitative": {...}, "organisational": {...}, "residents": {...}}, see assessment.py
    components = models.JSONField(default=dict)
    kpi = models.JSONField(default=dict)  # the KPI row it was scored from

    class Meta:
        ordering = ["rank", "key"]
        constraints = [
            models.UniqueConstraint(fields=["ranking", "key"], name="one_score_a_subject")
        ]

    def __str__(self):
        return f"{self.rank}. {self.name}"


class AwardStatus(models.TextChoices):
    PROPOSED = "proposed", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    PUBLISHED = "published", _("已公示")


class AwardList(models.Model):
    """A 十佳 list for a year: proposed from the data, edited and confirmed by a leader,
    then published (``analytics.awards``; its lifecycle on the workflow engine)."""

    award = models.SlugField(_("评选项目"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    node = models.ForeignKey(OrgNode, models.PROTECT, related_name="+", verbose_name=_("范围"))
    status = models.CharField(
        _("状态"), max_length=10, choices=AwardStatus.choices, default=AwardStatus.PROPOSED
    )
    basis = models.CharField(_("提名依据"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "award"]
        verbose_name = _("十佳评选")
        verbose_name_plural = _("十佳评选")
        constraints = [
            models.UniqueConstraint(fields=["award", "year", "node"], name="one_award_list_a_year")
        ]

    def __str__(self):
        return f"{self.year} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("analytics:award", args=[self.pk])


class AwardEntry(models.Model):
    """One named person of a list; ``figure`` is what the data proposed them by."""

    award_list = models.ForeignKey(AwardList, models.CASCADE, related_name="entries")
    rank = models.PositiveSmallIntegerField()
    name = models.CharField(_("姓名"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unit = models.CharField(_("所在单位"), max_length=100, blank=True)
    figure = models.CharField(_("依据"), max_length=100, blank=True)

    class Meta:
        ordering = ["rank"]

    def __str__(self):
        return f"{self.rank}. {self.name}"


class AwardEvent(TimelineEvent):
    award_list = models.ForeignKey(AwardList, models.CASCADE, related_name="events")

    class Meta(TimelineEvent.Meta):
        verbose_name = _("十佳评选动态")
        verbose_name_plural = _("十佳评选动态")


class Answer(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class ResidentVote(models.Model):
    """A resident's own answer about their grid for a month (群众评议 from a phone): one a
    month, changed by answering again; counted with the staff-entered surveys."""

    node = models.ForeignKey(OrgNode, models.PROTECT, related_name="+")  # the resident's grid
    month = models.DateField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    answer = models.CharField(max_length=12, choices=Answer.choices)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("居民评议")
        verbose_name_plural = _("居民评议")
        constraints = [
            models.UniqueConstraint(fields=["user", "month"], name="one_resident_vote_a_month")
        ]

    def __str__(self):
        return f"{self.node_id} {self.month:%Y-%m} {self.answer}"
