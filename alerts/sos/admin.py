"""Vendors and devices in the admin: a device is bound to a resident here one at a time
(the Excel sheet on the devices page binds many). A vendor's key is made on the devices
page, where it is shown once; the admin never shows or edits it."""

from django.contrib import admin

from alerts.models import Alarm, Device, Vendor


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ["name", "key_prefix", "is_active", "created_at"]
    readonly_fields = ["key_prefix", "created_at"]

    def has_add_permission(self, request):
        return False  # the devices page makes vendors, to show their key once


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["device_id", "vendor", "kind", "resident", "is_active", "bound_at"]
    list_filter = ["vendor", "is_active"]
    search_fields = ["device_id", "resident__name"]
    raw_id_fields = ["resident"]


@admin.register(Alarm)
class AlarmAdmin(admin.ModelAdmin):
    list_display = ["pk", "resident", "grid", "pressed_at", "status", "acknowledged_at"]
    list_filter = ["status"]
    readonly_fields = [field.name for field in Alarm._meta.fields]

    def has_add_permission(self, request):
        return False
