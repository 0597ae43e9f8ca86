from django.contrib import admin

from outbox.models import InboxMessage, Outbox, Webhook


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
        "subject_type",
        "subject_id",
        "recipient",
        "webhook",
        "created_at",
        "delivered_at",
        "attempts",
        "last_error",
    ]
    list_filter = [
        "channel",
        "event",
        "subject_type",
        ("delivered_at", admin.EmptyFieldListFilter),
    ]
    readonly_fields = [f.name for f in Outbox._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(InboxMessage)
class InboxMessageAdmin(admin.ModelAdmin):
    list_display = ["title", "user", "subject_type", "created_at", "read_at"]
    readonly_fields = [f.name for f in InboxMessage._meta.fields]
