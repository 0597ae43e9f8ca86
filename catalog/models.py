"""The matter catalogue, case tiers and their deadlines, routing rules, the working-day calendar."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from org.models import Department, OrgNode


class HandlerKind(models.TextChoices):
    GRID = "grid", _("网格")
    COMMUNITY = "community", _("社区")
    DEPARTMENT = "department", _("职能部门")
    DEPARTMENTS = "departments", _("多部门会商")
    PARTY_COMMITTEE = "party_committee", _("社区大党委")


class Tier(models.Model):
    """A case tier from the preset (即办件/承诺件/上报件, 简易/需协调/重点难点…)."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=50)
    order = models.PositiveSmallIntegerField(default=0)
    handler = models.CharField(max_length=20, choices=HandlerKind.choices)
    # Resolution deadline: hours, or working days (with an optional lower bound of a range).
    deadline_hours = models.PositiveIntegerField(null=True, blank=True)
    deadline_working_days = models.PositiveIntegerField(null=True, blank=True)
    min_working_days = models.PositiveIntegerField(null=True, blank=True)
    # Response (受理/响应) deadline in hours.
    response_hours = models.PositiveIntegerField(default=24)

    class Meta:
        ordering = ["order"]
        verbose_name = _("办理层级")
        verbose_name_plural = _("办理层级")

    def __str__(self):
        return self.name


class MatterCategory(models.Model):
    """An entry of the matter catalogue (事项清单)."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    group = models.CharField(max_length=50)
    default_tier = models.ForeignKey(Tier, models.PROTECT, related_name="categories")
    # The kind of department that handles it by default (Department.kind), or blank for
    # matters the grid or community handles itself.
    department_kind = models.SlugField(max_length=32, blank=True)
    keywords = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    # Lets every process tell that its classifier index is stale (catalog.classify).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group", "code"]
        verbose_name = _("事项")
        verbose_name_plural = _("事项清单")

    def __str__(self):
        return f"{self.group} / {self.name}"


class RoutingRule(models.Model):
    """Catalogue entry × org subtree → handling unit, like FixMyStreet's per-body contacts.
    The rule on the deepest node containing the case's grid wins."""

    category = models.ForeignKey(MatterCategory, models.CASCADE, related_name="routing_rules")
    node = models.ForeignKey(OrgNode, models.CASCADE, related_name="routing_rules")
    department = models.ForeignKey(
        Department, models.CASCADE, null=True, blank=True, related_name="routing_rules"
    )
    handler = models.CharField(max_length=20, choices=HandlerKind.choices)

    class Meta:
        verbose_name = _("派单规则")
        verbose_name_plural = _("派单规则")
        constraints = [
            models.UniqueConstraint(fields=["category", "node"], name="one_rule_per_category_node")
        ]

    def __str__(self):
        return f"{self.category} @ {self.node.name} → {self.department or self.handler}"


class CalendarYear(models.Model):
    """A year whose statutory holidays and 调休 working days are known (from the
    chinese-calendar package or entered by an administrator)."""

    year = models.PositiveSmallIntegerField(unique=True)
    source = models.CharField(max_length=32)  # "chinese-calendar" or "admin"

    class Meta:
        ordering = ["year"]
        verbose_name = _("工作日历年度")
        verbose_name_plural = _("工作日历年度")

    def __str__(self):
        return str(self.year)


class CalendarDay(models.Model):
    """A day that differs from Monday–Friday: a holiday on a weekday, or a 调休 working weekend."""

    date = models.DateField(unique=True)
    is_workday = models.BooleanField()
    name = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日/调休")
        verbose_name_plural = _("节假日/调休")

    def __str__(self):
        return f"{self.date} {'上班' if self.is_workday else '休息'} {self.name}"


class ClassifierModel(models.Model):
    """One trained version of the learned classifier (catalog.training): what it learnt
    from, how well it did on examples it had not seen, and the fitted model itself.
    The newest version is the one in use (catalog.learned.LearnedClassifier)."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    trained_at = models.DateTimeField(_("训练时间"))
    # Examples: the catalogue's own words (names and keywords) and the cases whose
    # category a person set or confirmed.
    n_seed = models.PositiveIntegerField(_("事项清单样本数"))
    n_confirmed = models.PositiveIntegerField(_("人工确认案件数"))
    n_categories = models.PositiveIntegerField(_("事项数"))
    # Held out (k-fold over the confirmed cases, each fold trained on the rest and the
    # catalogue): shares 0–1, None while there are too few confirmed cases to measure.
    top1 = models.FloatField(_("首选正确率"), null=True, blank=True)
    top3 = models.FloatField(_("前三命中率"), null=True, blank=True)
    abstention = models.FloatField(_("不自动分类比例"), null=True, blank=True)
    precision = models.FloatField(_("自动分类正确率"), null=True, blank=True)
    threshold = models.FloatField(_("自动分类阈值"))
    # The catalogue the model was trained for (catalog.classify.catalogue_version).
    catalogue_stamp = models.CharField(max_length=100)
    # joblib dump of catalog.training.Model; kept in the database so a backup has it.
    blob = models.BinaryField()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("分类模型")
        verbose_name_plural = _("分类模型")

    def __str__(self):
        return f"v{self.version}"
