"""The archive of periodic reports, and the runs that generate them.

A ``Report`` is one rhythm's report on one node for one period: its figures and sentences
frozen at generation (``content``, the shape ``analytics.reports.build_content`` returns).
The Excel file and the printable page are drawn from ``content`` when asked for, so the
archive holds what the leaders were told, and no file can drift from the figures.
A report is written once and never changed: there is no status to move.

A ``ReportRun`` is one pass of the scheduler, the command or a page over many nodes: its
``done`` of ``total`` is the progress a long generation shows.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models.base import ScopedQuerySet


class Report(models.Model):
    rhythm = models.SlugField(_("报告周期"), max_length=40)
    rhythm_name = models.CharField(_("报告名称"), max_length=100)
    node = models.ForeignKey("org.OrgNode", models.PROTECT, related_name="+")
    # The node's code, copied so scope is an indexed prefix query (org.scoping).
    code = models.CharField(_("统一编码"), max_length=32, db_index=True)
    months = models.PositiveSmallIntegerField(_("周期月数"))
    period_start = models.DateField(_("起始日"))
    period_end = models.DateField(_("截止日"))  # inclusive
    period_key = models.CharField(_("报告期"), max_length=12)
    period_label = models.CharField(_("报告期名称"), max_length=40)
    content = models.JSONField(_("内容"))
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    # Null for the scheduler and the command; the person who asked, on demand.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "code", False

    class Meta:
        ordering = ["-period_start", "rhythm", "code"]
        verbose_name = _("统计报告")
        verbose_name_plural = _("统计报告")
        constraints = [
            models.UniqueConstraint(
                fields=["rhythm", "node", "period_start"], name="analytics_report_once"
            )
        ]

    def __str__(self):
        return f"{self.period_label}{self.rhythm_name}({self.content.get('node_name', self.code)})"

    def get_absolute_url(self):
        return reverse("analytics:report", kwargs={"pk": self.pk})


class ReportRun(models.Model):
    """A generation over many nodes, with its progress (``done`` of ``total`` nodes)."""

    rhythm = models.SlugField(_("报告周期"), max_length=40)
    period_key = models.CharField(_("报告期"), max_length=12)
    # The subtree the run covers ("" = the whole tree): a page's run covers its node.
    code = models.CharField(_("统一编码"), max_length=32, blank=True, db_index=True)
    total = models.PositiveIntegerField(_("节点数"), default=0)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    created = models.PositiveIntegerField(_("新生成"), default=0)
    started_at = models.DateTimeField(_("开始时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("报告生成任务")
        verbose_name_plural = _("报告生成任务")

    def __str__(self):
        return f"{self.rhythm} {self.period_key}: {self.done}/{self.total}"
