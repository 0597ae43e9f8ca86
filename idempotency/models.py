from django.conf import settings
from django.db import models
from django.db.models import Q


class IdempotentRequest(models.Model):
    """The first answer to a request carrying a key, replayed on retries.

    ``scope`` says whose keys these are: "" for the REST API (keys per user, or shared by
    anonymous callers), "page" for the one-time tokens of page forms, "open311:<client>"
    for an Open311 client system. ``fingerprint`` is a hash of the request (method, path,
    body), so a key sent again with another body is recognised and refused."""

    scope = models.CharField(max_length=40, blank=True, default="")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True)
    key = models.CharField(max_length=100)
    path = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "幂等请求"
        verbose_name_plural = "幂等请求"
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "user", "key"], name="idempotency_unique_user_key"
            ),
            models.UniqueConstraint(
                fields=["scope", "key"],
                condition=Q(user=None),
                name="idempotency_unique_anonymous_key",
            ),
        ]

    def __str__(self):
        return f"{self.scope}:{self.key}" if self.scope else self.key

    def matches(self, fingerprint: str) -> bool:
        return self.fingerprint == fingerprint
