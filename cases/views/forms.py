"""Forms of the case pages: a report (the resident's QR page, the grid worker's quick
report and staff entry share its fields)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.actions import Report
from cases.photos import MAX_PHOTOS
from gridgov.errors import InvalidInput


class ReportForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    description = forms.CharField(
        label=_("详细描述"), max_length=5000, required=False, widget=forms.Textarea
    )
    address = forms.CharField(label=_("地点"), max_length=200, required=False)
    lng = forms.FloatField(min_value=-180, max_value=180, required=False)
    lat = forms.FloatField(min_value=-90, max_value=90, required=False)
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    phone = forms.RegexField(
        label=_("联系电话"),
        regex=r"^[0-9+\- ]{5,20}$",
        required=False,
        error_messages={"invalid": _("请填写正确的电话号码")},
    )

    def clean(self):
        data = super().clean()
        if (data.get("lng") is None) != (data.get("lat") is None):
            # A half-filled location is dropped rather than refused: it is optional.
            data["lng"] = data["lat"] = None
        return data

    def report(self, channel: str, grid_code: str | None, **extra) -> Report:
        data = self.cleaned_data
        return Report(
            title=data["title"],
            description=data["description"],
            channel=channel,
            lng=data["lng"],
            lat=data["lat"],
            grid_code=grid_code,
            address=data["address"],
            reporter_name=data["name"].strip(),
            reporter_phone=data["phone"].strip(),
            **extra,
        )


def uploaded_photos(request) -> list:
    photos = [upload for upload in request.FILES.getlist("photos") if upload.size]
    if len(photos) > MAX_PHOTOS:
        message = _("最多上传 %d 张照片") % MAX_PHOTOS
        raise InvalidInput(message, errors={"photos": [message]})
    return photos
