from django.contrib import admin

from members.models import Registration


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "employer", "home_grid", "status", "registered_at")
    list_filter = ("kind", "status")
    search_fields = ("name", "employer", "home_grid__code")
    raw_id_fields = ("user", "home_grid", "created_by")
