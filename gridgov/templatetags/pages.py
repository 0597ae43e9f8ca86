"""Links between pages of a list that keep the filters in the address."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number, param="page", anchor=""):
    """The current address with ``param`` set to ``number`` (every other query parameter
    kept, so a filtered list stays filtered), plus ``#anchor`` when given. Several lists on
    one page each page with their own ``param``."""
    query = context["request"].GET.copy()
    query[param] = number
    return f"?{query.urlencode()}" + (f"#{anchor}" if anchor else "")
