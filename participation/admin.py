from django.contrib import admin

from gridgov.admin import ReadOnlyAdmin, ReadOnlyInline
from participation.models import OrderEvent, ServiceOrder


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["at", "action", "actor", "from_status", "to_status", "note", "data"]
    readonly_fields = fields


@admin.register(ServiceOrder)
class ServiceOrderAdmin(ReadOnlyAdmin):
    """Orders change only through their actions (pages and API); the admin shows them."""

    list_display = ["title", "kind", "status", "node", "taker", "hours", "points", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    inlines = [OrderEventInline]
    exclude = ["requester"]
