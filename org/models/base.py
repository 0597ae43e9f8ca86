from django.db import models

from org.scoping import restrict


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what a user may see (see org.scoping)."""

    def restrict(self, user):
        return restrict(self, user)
