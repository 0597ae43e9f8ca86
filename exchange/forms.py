from pathlib import Path
from zoneinfo import available_timezones

from django import forms

from cases.models import Status
from exchange.hotline import ALL_FIELDS, IMPORT_FIELDS
from exchange.models import HotlineSystem

# Every field a hotline file may have, once (its order columns, its history, our columns).
MAPPED_FIELDS = tuple({field.key: field for field in (*IMPORT_FIELDS, *ALL_FIELDS)}.values())
# Typed in a field's box: the field is not read (aliases such as "latitude" not either).
OFF = "-"

MAX_UPLOAD_BYTES = 60 * 1024 * 1024
ALLOWED_SUFFIXES = (".csv", ".txt", ".xlsx")
FORMATS = [("xlsx", "Excel (.xlsx)"), ("csv", "CSV (UTF-8)")]


class UploadForm(forms.Form):
    file = forms.FileField(label="文件", help_text="CSV（UTF-8 或 GBK）或 Excel .xlsx，最大 60 MB")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in ALLOWED_SUFFIXES:
            raise forms.ValidationError("只支持 .csv 和 .xlsx 文件（旧版 .xls 请另存为 .xlsx）")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件超过 60 MB，请分成几个文件或用命令行导入")
        return upload


DEFAULT_SYSTEM = "hotline-12345"


def _default_system():
    return HotlineSystem.objects.filter(slug=DEFAULT_SYSTEM, is_active=True).first()


class HotlineUploadForm(UploadForm):
    system = forms.ModelChoiceField(
        HotlineSystem.objects.filter(is_active=True), label="热线系统", empty_label=None
    )

    field_order = ["system", "file"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].initial = _default_system()


class MappingForm(forms.Form):
    """One text box per field: the hotline's header for it (blank = our default and the
    usual aliases; ``-`` = not read), the date format and the time zone."""

    date_format = forms.CharField(label="日期格式", max_length=40)
    time_zone = forms.CharField(label="时区", max_length=64, required=False)

    def __init__(self, *args, system: HotlineSystem, **kwargs):
        super().__init__(*args, **kwargs)
        self.system = system
        self.fields["date_format"].initial = system.date_format
        self.fields["time_zone"].initial = system.time_zone
        saved = system.mapping or {}
        for field in MAPPED_FIELDS:
            value = saved.get(field.key, field.label)
            self.fields[f"map_{field.key}"] = forms.CharField(
                label=field.label,
                required=False,
                max_length=100,
                initial=value if isinstance(value, str) and value else OFF,
            )

    def clean_date_format(self):
        value = self.cleaned_data["date_format"]
        if "%" not in value:
            raise forms.ValidationError("日期格式要用 %Y %m %d %H %M %S 这样的占位符")
        return value

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"].strip() or self.system.time_zone
        if value not in available_timezones():
            raise forms.ValidationError("请填时区名称，例如 Asia/Shanghai")
        return value

    def mapping(self) -> dict[str, str]:
        """The saved mapping: the fields whose header differs from ours; "" for a field
        switched off."""
        mapping = {}
        for field in MAPPED_FIELDS:
            value = self.cleaned_data[f"map_{field.key}"].strip()
            if value == OFF:
                mapping[field.key] = ""
            elif value and value != field.label:
                mapping[field.key] = value
        return mapping

    def mapping_fields(self):
        return [self[f"map_{field.key}"] for field in MAPPED_FIELDS]


class HotlineExportForm(forms.Form):
    system = forms.ModelChoiceField(
        HotlineSystem.objects.filter(is_active=True), label="热线系统", empty_label=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].initial = _default_system()

    since = forms.DateField(label="受理日期从", required=False)
    until = forms.DateField(label="到（含）", required=False)
    statuses = forms.MultipleChoiceField(
        label="办理状态",
        choices=Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    file_format = forms.ChoiceField(
        label="格式", choices=FORMATS, initial="xlsx", widget=forms.RadioSelect
    )


class RegisterExportForm(forms.Form):
    file_format = forms.ChoiceField(
        label="格式", choices=FORMATS, initial="xlsx", widget=forms.RadioSelect
    )
    reveal = forms.BooleanField(
        label="导出完整手机号和身份证号（每条都记入查看记录）", required=False
    )
