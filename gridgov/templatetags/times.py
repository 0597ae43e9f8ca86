"""Times on pages: short within the current year, with the year otherwise, so a deadline
of last year never reads as this year's ("时限 01-09 00:00" for a 2025 deadline)."""

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

register = template.Library()


@register.filter
def short_time(value, with_time=True):
    """``m-d H:i`` (or ``m-d``) in the current time zone when ``value`` falls in this
    year, ``Y-m-d H:i`` (``Y-m-d``) otherwise; '' for None. Used as
    ``{{ case.due_at|short_time }}`` or ``{{ entry.created_at|short_time:False }}``."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    this_year = value.year == timezone.localtime().year
    pattern = ("m-d" if this_year else "Y-m-d") + (" H:i" if with_time else "")
    return date_format(value, pattern)
