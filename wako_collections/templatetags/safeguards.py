"""{{ error|redacted }}: text that may echo what someone typed or imported (form errors, messages,
import errors, file names), with anything that looks like a 個人番号 replaced. The rule itself
is taxpayers.individual_numbers.redact; this filter only lets every template apply it."""

from django import template

from taxpayers.individual_numbers import redact

register = template.Library()


@register.filter
def redacted(value):
    if value is None:
        return ""
    return redact(str(value))
