from django.contrib import admin

from gridgov.admin import ReadOnlyAdmin
from residents.masking import mask_id_number, mask_phone
from residents.models import AccessLog, Resident, Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_key_population"]


@admin.register(Resident)
class ResidentAdmin(admin.ModelAdmin):
    """Masked in lists; the edit form is for administrators who may see the full record."""

    list_display = ["name", "gender", "birth_year", "masked_phone", "masked_id_number"]
    search_fields = ["name", "household__code"]
    raw_id_fields = ["household", "user"]
    filter_horizontal = ["tags"]

    @admin.display(description="手机号")
    def masked_phone(self, resident):
        return mask_phone(resident.phone)

    @admin.display(description="身份证号")
    def masked_id_number(self, resident):
        return mask_id_number(resident.id_number)


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "resident", "field", "channel", "ip"]
    list_filter = ["field", "channel"]
