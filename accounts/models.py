"""Login throttles and second factors, kept in the database so every worker sees them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ThrottleScope(models.TextChoices):
    USERNAME = "username", _("用户名")
    IP = "ip", _("IP 地址")
    REPORT = "report", _("匿名上报的地址")


class LoginThrottle(models.Model):
    """Failed logins for one username or one client address within the current window,
    and the time until which further attempts are refused."""

    scope = models.CharField(_("范围"), max_length=16, choices=ThrottleScope.choices)
    key = models.CharField(_("键"), max_length=150)
    failures = models.PositiveIntegerField(_("失败次数"), default=0)
    window_start = models.DateTimeField(_("计数开始"), null=True, blank=True)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录限制")
        verbose_name_plural = _("登录限制")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="unique_login_throttle")
        ]

    def __str__(self):
        return f"{self.scope}:{self.key}"


class TOTPDevice(models.Model):
    """An authenticator app (RFC 6238). The secret is stored encrypted with a key derived
    from SECRET_KEY and shown only while enrolling."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="totp_device"
    )
    encrypted_secret = models.CharField(_("密钥（加密）"), max_length=200)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    # The last time step accepted, so a code cannot be replayed.
    last_step = models.BigIntegerField(_("最近使用的时间步"), default=0)

    class Meta:
        verbose_name = _("动态口令设备")
        verbose_name_plural = _("动态口令设备")

    def __str__(self):
        return f"TOTP · {self.user}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """A one-time code for when the phone is lost; only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(_("哈希"), max_length=64)
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("恢复码")
        verbose_name_plural = _("恢复码")
        constraints = [
            models.UniqueConstraint(fields=["user", "code_hash"], name="unique_recovery_code")
        ]

    def __str__(self):
        return f"recovery code · {self.user}"
