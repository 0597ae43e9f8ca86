import csv

from django.contrib import admin
from django.http import HttpResponse
from django.utils import timezone

from audit.models import AuditLog
from gridgov.admin import ReadOnlyAdmin

CSV_FIELDS = [
    "at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "outcome",
    "method",
    "path",
    "status_code",
    "ip",
    "request_id",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet must not run a cell that a client chose (a username, a path).
    return "'" + text if text.startswith(_FORMULA_START) else text


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """Read-only: the log is appended to by the application and exported, never edited."""

    list_display = ["at", "actor_username", "action", "object_type", "object_id", "outcome"]
    list_filter = ["outcome", "method", "at"]
    search_fields = ["actor_username", "action", "object_id", "path", "request_id", "ip"]
    date_hierarchy = "at"
    actions = ["export_csv"]
    list_per_page = 100
    show_full_result_count = False

    @admin.action(description="导出所选审计记录 (CSV)", permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
        writer = csv.writer(response)
        writer.writerow(CSV_FIELDS)
        for row in queryset.order_by("at", "pk").values_list(*CSV_FIELDS).iterator():
            writer.writerow([_cell(value) for value in row])
        return response
