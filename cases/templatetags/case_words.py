"""Residents' words for a case on pages:
``{% load case_words %}{{ case.status|public_status }}``."""

from django import template

from cases.timeline import public_status as _public_status

register = template.Library()


@register.filter
def public_status(status: str) -> str:
    return _public_status(status)
