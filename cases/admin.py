from django.contrib import admin

from cases.models import Assignment, Case, CaseEvent, InboxMessage, Outbox, Webhook
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


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "is_active"]


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin):
    """The delivery log: what was sent where, how many tries, the last error."""

    list_display = [
        "pk",
        "event",
        "channel",
        "recipient",
        "webhook",
        "created_at",
        "delivered_at",
        "attempts",
        "last_error",
    ]
    list_filter = ["channel", "event", ("delivered_at", admin.EmptyFieldListFilter)]
    readonly_fields = [f.name for f in Outbox._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(InboxMessage)
class InboxMessageAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "created_at", "read_at"]
    readonly_fields = ["user", "outbox", "case", "title", "body", "created_at", "read_at"]
