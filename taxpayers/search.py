"""Finding taxpayers the way staff type: kanji or kana, hiragana or katakana, half or full
width, with or without spaces; 生年月日 in 和暦 or 西暦; a fragment of the address; a 通知書番号;
a phone number with or without hyphens."""

import re
import unicodedata

from taxpayers.models import Assessment, Taxpayer

_HIRAGANA = {chr(code): chr(code + 0x60) for code in range(ord("ぁ"), ord("ゖ") + 1)}
_KANA_ONLY = re.compile(r"^[ァ-ヺー・]+$")


def normalize_name(text: str) -> str:
    """NFKC (half-width kana → full, full-width letters → ASCII), no spaces, hiragana → katakana."""
    folded = unicodedata.normalize("NFKC", text or "")
    folded = re.sub(r"\s+", "", folded)
    return "".join(_HIRAGANA.get(char, char) for char in folded)


def phone_digits(text: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text or ""))


def search_taxpayers(*, atena_number="", name="", birth_date=None, address="", notice_number="", phone=""):
    """A queryset of taxpayers matching every criterion given. Name and address use the
    trigram indexes; the others are exact or prefix matches on indexed columns."""
    queryset = Taxpayer.objects.all()
    if atena_number:
        queryset = queryset.filter(atena_number=atena_number.strip())
    if name:
        needle = normalize_name(name)
        if _KANA_ONLY.match(needle):
            # Kana names (foreign residents, some given names) are in search_kana too.
            queryset = queryset.filter(search_kana__contains=needle)
        else:
            queryset = queryset.filter(search_name__contains=needle)
    if birth_date:
        queryset = queryset.filter(birth_date=birth_date)
    if address:
        queryset = queryset.filter(address__contains=unicodedata.normalize("NFKC", address).strip())
    if notice_number:
        queryset = queryset.filter(
            id__in=Assessment.objects.filter(notice_number=notice_number.strip()).values("taxpayer_id")
        )
    if phone:
        digits = phone_digits(phone)
        queryset = queryset.filter(phone_digits__startswith=digits) if digits else queryset.none()
    return queryset.order_by("search_kana", "atena_number")
