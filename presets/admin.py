from django.contrib import admin

from presets.models import PresetRecord


@admin.register(PresetRecord)
class PresetRecordAdmin(admin.ModelAdmin):
    list_display = ["key", "title", "is_active", "loaded_at"]
    readonly_fields = ["key", "title", "data", "is_active", "loaded_at"]
