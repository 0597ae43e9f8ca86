"""``{% once_field %}``: the one-time token of a page form (see idempotency.keys.page_once)."""

import secrets

from django import template
from django.utils.html import format_html

from idempotency.keys import PAGE_FIELD

register = template.Library()


@register.simple_tag
def once_field():
    return format_html(
        '<input type="hidden" name="{}" value="{}">', PAGE_FIELD, secrets.token_hex(16)
    )
