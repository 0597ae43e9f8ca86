"""Cases (民情/诉求/事件), their assignments, the append-only timeline and photos.
Their notifications are outbox rows (the ``outbox`` app); idempotency keys live in
``idempotency``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import MatterCategory, Tier
from gridgov.workflow import TimelineEvent
from org.models import Department, OrgNode
from org.models.base import ScopedQuerySet


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已销号")
    REJECTED = "rejected", _("不予受理")


OPEN_STATUSES = (Status.SUBMITTED, Status.ACCEPTED, Status.DISPATCHED, Status.IN_PROGRESS)


class Light(models.TextChoices):
    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


def light_q(light: str, now) -> Q:
    """Cases whose light at ``now`` is ``light``. An open case's light is read from its
    deadlines and the clock, so a page never shows a light the sweep has not moved yet
    (cases.sla only tells people); a finished case keeps the light it finished with."""
    open_now = Q(status__in=OPEN_STATUSES, due_at__isnull=False)
    if light == Light.RED:
        by_clock = Q(due_at__lte=now)
    elif light == Light.YELLOW:
        by_clock = Q(due_at__gt=now, warn_at__lte=now)
    else:
        by_clock = Q(due_at__gt=now) & (Q(warn_at__isnull=True) | Q(warn_at__gt=now))
    return (open_now & by_clock) | (~open_now & Q(light=light))


def light_case(now) -> models.Case:
    """The light at ``now`` as an expression (``annotate(light_now=light_case(now))``)."""
    return models.Case(
        *(models.When(light_q(light, now), then=models.Value(light)) for light in Light.values),
        default=models.F("light"),
        output_field=models.CharField(),
    )


class CategorySource(models.TextChoices):
    PERSON = "person", _("人工")
    CLASSIFIER = "classifier", _("自动分类")
    IMPORT = "import", _("外部系统")


class CaseQuerySet(ScopedQuerySet):
    def lit(self, lights, now):
        """The cases whose light at ``now`` is one of ``lights``."""
        query = Q(pk__in=[])
        for light in lights:
            query |= light_q(light, now)
        return self.filter(query)


class Case(models.Model):
    number = models.CharField(_("编号"), max_length=32, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("描述"), max_length=5000, blank=True)
    # The whole text when another system's exceeds the description's 5,000 characters
    # (the description then holds its beginning); blank otherwise.
    full_text = models.TextField(_("全文"), blank=True)
    channel = models.SlugField(_("渠道"), max_length=32)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    version = models.PositiveIntegerField(default=1)

    # Where: the grid (from the location or address), and the code that scopes the case.
    grid = models.ForeignKey(OrgNode, models.PROTECT, null=True, blank=True, related_name="cases")
    org_code = models.CharField(max_length=32, db_index=True)
    # The node currently responsible (grid, community, street… moves up on escalation).
    handling_node = models.ForeignKey(
        OrgNode, models.PROTECT, null=True, blank=True, related_name="handled_cases"
    )
    lng = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # The point another system sent when it is not one we can use (outside the territory,
    # a swapped or impossible pair): kept as it came, the case waits in triage for a grid.
    raw_lng = models.FloatField(_("原始经度"), null=True, blank=True)
    raw_lat = models.FloatField(_("原始纬度"), null=True, blank=True)

    category = models.ForeignKey(
        MatterCategory, models.PROTECT, null=True, blank=True, related_name="cases"
    )
    # Who set the category: a person (staff at intake, a dispatcher in triage), the
    # classifier (sure enough at intake), or another system's import. Only people's choices
    # teach the learned classifier (catalog.training).
    category_source = models.CharField(
        _("分类来源"), max_length=16, choices=CategorySource.choices, blank=True
    )
    tier = models.ForeignKey(Tier, models.PROTECT, null=True, blank=True, related_name="cases")

    reporter_name = models.CharField(_("反映人"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A case that came from another system (12345 hotline, Open311 client) keeps that
    # system's own ticket number, so a re-import finds it instead of creating it twice.
    source_system = models.SlugField(_("来源系统"), max_length=32, blank=True)
    external_ref = models.CharField(_("来源单号"), max_length=64, blank=True)
    # A resident tracks a case without an account through this secret.
    tracking_token = models.CharField(max_length=32, unique=True)

    created_at = models.DateTimeField(_("提交时间"), db_index=True)
    response_due_at = models.DateTimeField(_("响应时限"), null=True, blank=True)
    due_at = models.DateTimeField(_("办结时限"), null=True, blank=True)
    # When the light turns yellow (a share of the allowed time, see cases.sla).
    warn_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # True when a deadline was counted into a year whose holidays are not entered yet.
    deadline_warning = models.BooleanField(default=False)
    light = models.CharField(max_length=8, choices=Light.choices, default=Light.GREEN)

    result = models.TextField(_("办理结果"), blank=True)
    satisfaction = models.CharField(
        _("满意度"), max_length=16, choices=Satisfaction.choices, blank=True
    )
    reopen_count = models.PositiveSmallIntegerField(default=0)
    is_supervised = models.BooleanField(_("督办"), default=False)
    extension_requested_until = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="merged_cases"
    )
    possible_duplicate_of = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_published = models.BooleanField(_("已公示"), default=False)
    public_summary = models.TextField(_("公示摘要"), blank=True)

    objects = CaseQuerySet.as_manager()
    scope_field, scope_personal = "org_code", True

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("诉求事件")
        verbose_name_plural = _("诉求事件")
        indexes = [
            models.Index(fields=["status", "light"], name="case_status_light"),
            models.Index(fields=["light", "warn_at"], name="case_light_warn"),
            models.Index(fields=["org_code", "created_at"], name="case_org_created"),
            # The early warning's 即将超期 (alerts.warnings.turning_red): the cases falling
            # due within a working day, without reading every case created before it.
            models.Index(fields=["due_at"], name="case_due"),
            # The KPIs' live overdue_open count (analytics.kpis): led by the status, so it
            # reads only the open cases of the subtree, covering (no table rows read). The
            # pattern opclass lets PostgreSQL seek a subtree's LIKE 'code%' on org_code
            # (ignored on SQLite, where subtree_q is a range).
            models.Index(
                fields=["status", "org_code", "created_at", "due_at"],
                name="case_status_org_due",
                opclasses=[
                    "varchar_pattern_ops",
                    "varchar_pattern_ops",
                    "timestamptz_ops",
                    "timestamptz_ops",
                ],
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "external_ref"],
                condition=~Q(external_ref=""),
                name="unique_external_ticket",
            )
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @classmethod
    def scope_extra_q(cls, user, department_ids):
        """Beyond the subtree: the reporter's own cases, and cases given to the user's
        departments."""
        query = Q(reporter_user=user)
        if department_ids:
            query |= Q(
                pk__in=Assignment.objects.filter(department__in=department_ids).values("case_id")
            )
        return query

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def light_at(self, now) -> str:
        """The light at ``now``, by the same rule as ``light_q``."""
        if self.due_at is None or not self.is_open:
            return self.light
        if now >= self.due_at:
            return Light.RED
        if self.warn_at is not None and now >= self.warn_at:
            return Light.YELLOW
        return Light.GREEN

    @property
    def current_light(self) -> str:
        return self.light_at(timezone.now())

    def get_current_light_display(self) -> str:
        return Light(self.current_light).label


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("牵头")
    ASSIST = "assist", _("协办")
    WHISTLE = "whistle", _("吹哨报到")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("待签收")
    ACCEPTED = "accepted", _("已签收")
    RETURNED = "returned", _("已退单")
    REPORTED_IN = "reported_in", _("已报到")
    DONE = "done", _("已完成")
    # Taken back without an answer: a lead when the case goes up a level, a whistle nobody
    # reported in to before the case was resolved or merged.
    WITHDRAWN = "withdrawn", _("已撤回")


class Assignment(models.Model):
    """A unit (a department, or an org node such as a community) given part of a case."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="assignments")
    department = models.ForeignKey(
        Department, models.PROTECT, null=True, blank=True, related_name="case_assignments"
    )
    node = models.ForeignKey(
        OrgNode, models.PROTECT, null=True, blank=True, related_name="case_assignments"
    )
    role = models.CharField(max_length=8, choices=AssignmentRole.choices)
    status = models.CharField(
        max_length=12, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING
    )
    created_at = models.DateTimeField()
    report_in_due_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("派单")
        verbose_name_plural = _("派单")
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=False) | Q(node__isnull=False),
                name="assignment_has_a_unit",
            )
        ]

    def __str__(self):
        return f"{self.case.number} → {self.unit_name} ({self.get_role_display()})"

    @property
    def status_label(self) -> str:
        """The status in words; a whistle waits for its department to report in (待报到)."""
        if self.role == AssignmentRole.WHISTLE and self.status == AssignmentStatus.PENDING:
            return str(_("待报到"))
        return self.get_status_display()

    @property
    def unit_name(self) -> str:
        return self.department.name if self.department_id else self.node.name


class CaseEvent(TimelineEvent):
    """One row per action on a case, written in the action's transaction. Never changed."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="events")

    class Meta(TimelineEvent.Meta):
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")

    def __str__(self):
        return f"{self.case_id} {self.action} {self.from_status}→{self.to_status}"


def photo_path(photo, filename):
    return f"cases/{photo.case.created_at:%Y/%m}/{photo.case.number}/{filename}"


class PhotoKind(models.TextChoices):
    REPORT = "report", _("反映照片")
    RESULT = "result", _("办结照片")


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=8, choices=PhotoKind.choices)
    image = models.ImageField(upload_to=photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(null=True)
    height = models.PositiveIntegerField(null=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")

    def __str__(self):
        return self.image.name


class CaseCounter(models.Model):
    """The daily sequence behind readable case numbers (JZ-20261122-000123)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.day}: {self.last}"
