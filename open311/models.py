"""Open311 client systems with their API keys, and what each of their requests carried
that a case has no field for."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from org.models.base import TimeStampedModel

# What a client system may do, granted per client in the admin.
SCOPE_POST = "open311.post"
SCOPE_READ = "open311.read"
SCOPE_READ_ALL = "open311.read_all"
SCOPES = {
    SCOPE_POST: _("提交诉求 (POST requests)"),
    SCOPE_READ: _("凭密钥读取本系统提交的诉求，含不公开的"),
    SCOPE_READ_ALL: _("凭密钥读取本辖区全部诉求（所有渠道）"),
}
DEFAULT_SCOPES = [SCOPE_POST, SCOPE_READ]


def configured_jurisdiction() -> str:
    """The jurisdiction_id this server answers for."""
    return getattr(settings, "OPEN311_JURISDICTION", "gridgov.local")


def default_jurisdictions() -> list[str]:
    return [configured_jurisdiction()]


def default_scopes() -> list[str]:
    return list(DEFAULT_SCOPES)


def hash_key(raw: str) -> str:
    """Keys are long random strings, so a plain SHA-256 is enough to keep them unreadable
    in the database and still find a client with one indexed lookup."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiClient(TimeStampedModel):
    """Another system that talks to us through Open311 (a city app, a hotline, a partner's
    reporting tool). Its key is stored as a hash and shown once, when issued."""

    name = models.CharField(_("名称"), max_length=100)
    # Written on every case it creates as Case.source_system.
    slug = models.SlugField(_("系统标识"), max_length=32, unique=True)
    key_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    key_hint = models.CharField(_("密钥提示"), max_length=16, blank=True, editable=False)
    jurisdictions = models.JSONField(
        _("允许的辖区 (jurisdiction_id)"), default=default_jurisdictions, blank=True
    )
    scopes = models.JSONField(_("权限"), default=default_scopes, blank=True)
    # GeoReport reads need no key, and the client libraries send none. A public client's
    # requests can be read by anyone (never the reporter's contact details); a private
    # client's only with its own key.
    requests_public = models.BooleanField(
        _("请求公开"),
        default=False,
        help_text=_("勾选后，任何人无需密钥即可查询该系统提交的诉求的办理状态（不含联系方式）"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 客户端")
        verbose_name_plural = _("Open311 客户端")

    def __str__(self):
        return f"{self.name} ({self.slug})"

    def set_key(self, raw: str) -> None:
        self.key_hash = hash_key(raw)
        self.key_hint = f"{raw[:4]}…{raw[-3:]}" if len(raw) > 10 else "…"

    def issue_key(self) -> str:
        """A new random key; the caller shows it once and saves the client."""
        raw = secrets.token_urlsafe(32)
        self.set_key(raw)
        return raw

    @classmethod
    def for_key(cls, raw: str) -> "ApiClient | None":
        if not raw:
            return None
        return cls.objects.filter(key_hash=hash_key(raw), is_active=True).first()

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])

    def serves(self, jurisdiction_id: str) -> bool:
        return jurisdiction_id in (self.jurisdictions or [])


class Submission(models.Model):
    """An Open311 POST behind a case: which client sent it, the answers to the service's
    attributes, and the submitter's details that a case has no field for. The e-mail,
    device and account ids are personal data: kept for staff, never returned."""

    case = models.OneToOneField(Case, models.CASCADE, related_name="open311_submission")
    client = models.ForeignKey(ApiClient, models.PROTECT, related_name="submissions")
    attributes = models.JSONField(default=dict, blank=True)
    address_id = models.CharField(max_length=64, blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    email = models.EmailField(blank=True)
    device_id = models.CharField(max_length=100, blank=True)
    account_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Open311 提交")
        verbose_name_plural = _("Open311 提交")

    def __str__(self):
        return f"{self.client.slug} → {self.case.number}"
