"""{{ amount|yen }} → 65,000 (integer yen with thousands separators; columns say 円)."""

from django import template

register = template.Library()


@register.filter
def yen(value):
    if value is None or value == "":
        return ""
    return f"{int(value):,}"
