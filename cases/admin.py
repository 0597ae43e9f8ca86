from django.contrib import admin

from cases.models import Assignment, Case, CaseEvent
from gridgov.admin import ReadOnlyAdmin, ReadOnlyInline


class EventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["at", "action", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ["role", "department", "node", "status", "created_at", "answered_at", "note"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Cases change only through their actions (pages and API); the admin shows them."""

    list_display = ["number", "title", "status", "light", "channel", "tier", "created_at"]
    list_filter = ["status", "light", "channel", "tier", "deadline_warning"]
    search_fields = ["=number", "title"]
    inlines = [AssignmentInline, EventInline]
    exclude = ["reporter_phone", "tracking_token"]
