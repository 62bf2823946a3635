"""Template filters for 和暦 dates: {{ day|wareki }} → 令和7年4月1日."""

from datetime import datetime

from django import template
from django.utils import timezone

from wako_collections import eras

register = template.Library()


@register.filter
def wareki(value):
    if not value:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return eras.format_date(value)


@register.filter
def wareki_datetime(value):
    """令和7年4月1日 9:05."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return f"{eras.format_date(local.date())} {local:%-H:%M}"


@register.filter
def nendo(year):
    """2025 → 令和7年度."""
    if not year:
        return ""
    return eras.fiscal_year_label(int(year))


@register.filter
def wareki_short(value):
    """R7.4.1 — the form officers type; for a secondary date where space is short."""
    if not value:
        return ""
    return eras.format_short(value)
