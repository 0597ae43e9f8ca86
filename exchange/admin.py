from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from exchange.models import ExportRecord, HotlineApiKey, HotlineSystem, ImportJob
from gridgov.admin import ReadOnlyAdmin
from org.permissions import has


@admin.register(HotlineSystem)
class HotlineSystemAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "channel", "date_format", "is_active", "updated_at"]
    readonly_fields = ["updated_at", "updated_by"]


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = HotlineApiKey
        fields = ["system", "name", "user", "is_active"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        if not has(user, "exchange.import"):
            raise ValidationError(
                "代表账号要能导入热线工单(exchange.import): 工单只能落在其管辖范围内"
            )
        return user


@admin.register(HotlineApiKey)
class HotlineApiKeyAdmin(admin.ModelAdmin):
    """The key is generated on save and shown once in the message; only its hash is kept.
    To replace a key, delete it and add a new one."""

    form = ApiKeyForm
    list_display = ["name", "system", "prefix", "user", "is_active", "last_used_at"]
    list_filter = ["system", "is_active"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    raw_id_fields = ["user"]

    def save_model(self, request, obj, form, change):
        raw = obj.set_new_key() if not change else None
        super().save_model(request, obj, form, change)
        if raw:
            messages.warning(request, f"新密钥（只显示这一次，请交给热线系统）: {raw}")


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "pk",
        "kind",
        "source_name",
        "user",
        "status",
        "total",
        "created",
        "unchanged",
        "failed",
        "located",
        "created_at",
    ]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ExportRecord)
class ExportRecordAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "kind", "scope", "rows", "revealed", "file_format"]
    list_filter = ["kind", "revealed"]
    readonly_fields = [f.name for f in ExportRecord._meta.fields]
