from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from open311.models import SCOPES, ApiClient, Submission


class ApiClientForm(forms.ModelForm):
    jurisdictions = forms.CharField(
        label=gettext_lazy("允许的辖区 (jurisdiction_id)"),
        help_text=gettext_lazy("多个用逗号分隔"),
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("权限"),
        choices=list(SCOPES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ApiClient
        fields = ["name", "slug", "jurisdictions", "scopes", "requests_public", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["jurisdictions"] = ", ".join(self.instance.jurisdictions or [])

    def clean_jurisdictions(self):
        items = [j.strip() for j in self.cleaned_data["jurisdictions"].split(",") if j.strip()]
        if not items:
            raise forms.ValidationError(_("至少一个辖区"))
        return list(dict.fromkeys(items))


def _show_key(request, client: ApiClient, raw: str) -> None:
    messages.warning(
        request,
        _("%(client)s 的新 api_key（只显示这一次，请立即交给对接方）：%(key)s")
        % {"client": client, "key": raw},
    )


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """A key is issued when a client is added, and again with the "issue a new key"
    action (the old one stops working); each is shown once and stored only as a hash."""

    form = ApiClientForm
    list_display = [
        "name",
        "slug",
        "key_hint",
        "jurisdictions",
        "scopes",
        "requests_public",
        "is_active",
        "created_at",
    ]
    list_filter = ["is_active", "requests_public"]
    search_fields = ["name", "slug"]
    readonly_fields = ["key_hint", "created_at", "updated_at"]
    actions = ["issue_new_key"]

    def save_model(self, request, obj, form, change):
        raw = obj.issue_key() if not obj.key_hash else None
        super().save_model(request, obj, form, change)
        if raw:
            _show_key(request, obj, raw)

    @admin.action(description=gettext_lazy("签发新的 api_key（旧密钥立即失效）"))
    def issue_new_key(self, request, queryset):
        for client in queryset:
            raw = client.issue_key()
            client.save(update_fields=["key_hash", "key_hint", "updated_at"])
            _show_key(request, client, raw)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """What clients posted; read-only. The submitter's e-mail, device and account ids
    are not shown here."""

    list_display = ["case", "client", "created_at"]
    list_filter = ["client"]
    search_fields = ["=case__number"]
    list_select_related = ["case", "client"]
    fields = ["case", "client", "attributes", "address_id", "media_url", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
