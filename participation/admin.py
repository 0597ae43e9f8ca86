from django.contrib import admin

from cases.admin import ReadOnlyInline
from participation.models import OrderEvent, ServiceOrder


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["created_at", "action", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields


@admin.register(ServiceOrder)
class ServiceOrderAdmin(admin.ModelAdmin):
    """Orders change only through their actions (pages and API); the admin shows them."""

    list_display = ["title", "kind", "status", "node", "taker", "hours", "points", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    inlines = [OrderEventInline]
    exclude = ["requester"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
