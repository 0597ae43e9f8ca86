from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.calendar import SOURCE_ADMIN, unconfigured_years
from catalog.models import (
    CalendarDay,
    CalendarYear,
    ClassifierModel,
    MatterCategory,
    RoutingRule,
    Tier,
)


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = [
        "order",
        "code",
        "name",
        "handler",
        "deadline_hours",
        "min_working_days",
        "deadline_working_days",
        "response_hours",
    ]
    list_display_links = ["code"]


@admin.register(MatterCategory)
class MatterCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group", "default_tier", "department_kind", "is_active"]
    list_filter = ["is_active", "default_tier", "group"]
    search_fields = ["=code", "name", "group"]
    list_select_related = ["default_tier"]
    readonly_fields = ["updated_at"]

    def changelist_view(self, request, extra_context=None):
        # How well the classifier suggests these entries, where they are edited.
        messages.info(request, classifier_line(ClassifierModel.objects.first()))
        return super().changelist_view(request, extra_context)


def _share(value) -> str:
    return "—" if value is None else f"{value:.0%}"


def classifier_line(model) -> str:
    """One line on the classifier in use: its version and held-out figures."""
    if model is None:
        return _("自动分类：尚未训练模型，暂用关键词分类（每 6 小时自动训练）。")
    if model.top1 is None:
        return _(
            "自动分类模型 v%(version)s（%(at)s）：人工确认的案件 %(n)s 件，"
            "不足以测出留出集准确率；阈值 %(threshold)s。"
        ) % {
            "version": model.version,
            "at": timezone.localtime(model.trained_at).strftime("%Y-%m-%d %H:%M"),
            "n": model.n_confirmed,
            "threshold": model.threshold,
        }
    return _(
        "自动分类模型 v%(version)s（%(at)s，人工确认案件 %(n)s 件）：留出集首选正确 %(top1)s，"
        "前三命中 %(top3)s，不自动分类 %(abstention)s，自动分类的正确率 %(precision)s"
        "（阈值 %(threshold)s）。"
    ) % {
        "version": model.version,
        "at": timezone.localtime(model.trained_at).strftime("%Y-%m-%d %H:%M"),
        "n": model.n_confirmed,
        "top1": _share(model.top1),
        "top3": _share(model.top3),
        "abstention": _share(model.abstention),
        "precision": _share(model.precision),
        "threshold": model.threshold,
    }


@admin.register(ClassifierModel)
class ClassifierModelAdmin(admin.ModelAdmin):
    """The trained versions, newest (in use) first, with their held-out figures. Read-only:
    versions come from training (catalog.retrain), never from a form."""

    list_display = [
        "version",
        "trained_at",
        "n_confirmed",
        "n_seed",
        "n_categories",
        "held_out_top1",
        "held_out_top3",
        "held_out_abstention",
        "held_out_precision",
        "threshold",
    ]
    exclude = ["blob"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("首选正确率"))
    def held_out_top1(self, model):
        return _share(model.top1)

    @admin.display(description=gettext_lazy("前三命中率"))
    def held_out_top3(self, model):
        return _share(model.top3)

    @admin.display(description=gettext_lazy("不自动分类比例"))
    def held_out_abstention(self, model):
        return _share(model.abstention)

    @admin.display(description=gettext_lazy("自动分类正确率"))
    def held_out_precision(self, model):
        return _share(model.precision)


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["category", "node", "handler", "department"]
    list_filter = ["handler"]
    search_fields = ["category__code", "category__name", "=node__code", "node__name"]
    raw_id_fields = ["category", "node", "department"]
    list_select_related = ["category", "node", "department"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """Years whose holidays are known. The chinese-calendar package stops at 2026; an
    administrator enters each later year here (source "admin") and its days below."""

    list_display = ["year", "source"]

    def get_changeform_initial_data(self, request):
        return {"source": SOURCE_ADMIN, **super().get_changeform_initial_data(request)}

    def changelist_view(self, request, extra_context=None):
        missing = unconfigured_years(timezone.localdate().year + 1)
        if missing:
            messages.warning(
                request,
                _(
                    "%(years)s 年的法定节假日与调休尚未录入：跨入这些年份的工作日时限"
                    "暂按周一至周五计算。请新增该年度（来源 admin），"
                    "并在“节假日/调休”中录入放假和调休上班的日期。"
                )
                % {"years": "、".join(str(year) for year in missing)},
            )
        return super().changelist_view(request, extra_context)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Only days that differ from Monday–Friday: holidays on weekdays (休息) and
    调休 working weekends (上班)."""

    list_display = ["date", "weekday", "is_workday", "name"]
    list_filter = ["is_workday"]
    search_fields = ["name"]
    date_hierarchy = "date"

    @admin.display(description=gettext_lazy("星期"))
    def weekday(self, day):
        return "一二三四五六日"[day.date.weekday()]
