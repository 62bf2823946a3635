"""Filters for printed forms: the 納付書's barcode and QR code as inline images."""

from django import template

from documents import payment_codes

register = template.Library()


@register.filter
def split(value: str, separator: str) -> list[str]:
    return value.split(separator)


@register.filter
def gs1_barcode(digits: str) -> str:
    return payment_codes.barcode_svg(digits)


@register.filter
def qr_code(text: str) -> str:
    return payment_codes.qr_svg(text)


@register.simple_tag
def disposition_forms(disposition) -> list[tuple[str, str]]:
    """(帳票コード, name) of the notices a disposition can print now."""
    from documents import catalogue

    return catalogue.choices(catalogue.forms_for_disposition(disposition))


@register.simple_tag
def disposal_forms(disposal) -> list[tuple[str, str]]:
    """(帳票コード, name) of the notice an approved 充当・還付 can print: 充当通知書 or 還付通知書."""
    from documents import catalogue
    from documents.services import forms_for_disposal

    return catalogue.choices(forms_for_disposal(disposal))
