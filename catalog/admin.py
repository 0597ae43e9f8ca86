from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.calendar import SOURCE_ADMIN, unconfigured_years
from catalog.models import CalendarDay, CalendarYear, MatterCategory, RoutingRule, Tier


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
