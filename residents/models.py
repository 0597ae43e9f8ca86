"""Residents and the log of every reveal of their personal data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from org.models import Household
from org.models.base import ScopedQuerySet


class Tag(models.Model):
    """A label on a resident: 独居, 高龄, 残疾, 儿童, 重点人群, 党员…"""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=32)
    is_key_population = models.BooleanField(_("重点人群"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("标签")
        verbose_name_plural = _("标签")

    def __str__(self):
        return self.name


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Resident(models.Model):
    household = models.ForeignKey(Household, models.PROTECT, related_name="residents")
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(_("出生年份"))
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    is_householder = models.BooleanField(_("户主"), default=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="residents")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="resident"
    )

    objects = ScopedQuerySet.as_manager()
    scope_field, scope_personal = "household__code", True

    class Meta:
        ordering = ["household__code", "-is_householder", "pk"]
        verbose_name = _("居民")
        verbose_name_plural = _("居民")

    def __str__(self):
        return self.name


class AccessLog(models.Model):
    """Append-only: who saw which resident's unmasked field, when and from where."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    resident = models.ForeignKey(Resident, models.PROTECT, related_name="access_logs")
    field = models.CharField(max_length=32)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    channel = models.CharField(max_length=8)  # "page" or "api"

    class Meta:
        ordering = ["-at"]
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")

    def __str__(self):
        return f"{self.actor} → {self.resident} ({self.field})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("access log rows are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("access log rows are never deleted")
