"""``{{ text|masked }}``: free text on a page anyone may open (the tracking page, a
community's public list), with phones, ID and card numbers and e-mail addresses masked by
``gridgov.masking``. Auto-escaping still applies to the result."""

from django import template

from gridgov.masking import mask_text

register = template.Library()


@register.filter
def masked(text) -> str:
    return mask_text(str(text)) if text else ""
