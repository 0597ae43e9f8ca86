from django.db import models
from django.utils.translation import gettext_lazy as _


class PresetRecord(models.Model):
    """The preset file as it was loaded; features read their configuration from it."""

    key = models.SlugField(max_length=32, unique=True)
    title = models.CharField(max_length=100)
    data = models.JSONField()
    is_active = models.BooleanField(default=False)
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("预设模式")
        verbose_name_plural = _("预设模式")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_preset"
            )
        ]

    def __str__(self):
        return self.title
