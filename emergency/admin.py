from django.contrib import admin

from emergency.models import Activation, Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "node", "leader")
    list_filter = ("kind",)
    search_fields = ("name", "node__code", "node__name")
    raw_id_fields = ("node", "leader", "members")


@admin.register(Activation)
class ActivationAdmin(admin.ModelAdmin):
    """Read-only: switching and ending go through the pages and the API (timelines)."""

    list_display = ("node", "reason", "status", "started_at", "ended_at")
    list_filter = ("status",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
