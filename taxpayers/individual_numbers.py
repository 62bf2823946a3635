"""個人番号 (My Number): validated, stored encrypted, found by a keyed digest, shown masked.

* Validation: 12 digits whose last is the check digit of 行政手続における特定の個人を識別する
  ための番号の利用等に関する法律施行令第8条 (weights 2–7 then 2–6 from the right, mod 11).
* Storage: sealed by the application's key store (wako_collections.key_store: AES-256-GCM with a
  random 96-bit nonce; the value carries the id of its key, "v1.<key id>.<base64>", so keys can be
  rotated); the 宛名番号 is bound in as associated data, so a ciphertext copied to another taxpayer
  does not decrypt. A wrong or missing key raises IndividualNumberKeyError; ciphertext is never
  returned in its place.
* Lookup: HMAC-SHA256 under a key of its own, stored in its own column.
* Keys come from INDIVIDUAL_NUMBER_KEYS / INDIVIDUAL_NUMBER_HMAC_KEY or a key file, never from
  SECRET_KEY (settings.py).
* Redaction: `redact()` replaces anything in a text that looks like a 個人番号 (12 digits, half- or
  full-width, optionally split by spaces or hyphens, whose last digit is the check digit above)
  before the text becomes an error message, a log line or a page; `RedactIndividualNumbers` does
  it for every log record (settings.LOGGING). The check is the same `check_digit` as validation.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import unicodedata

from django.conf import settings
from django.db import models

from wako_collections import key_store
from wako_collections.key_store import FORMAT_VERSION, key_id_of, parse_keys  # noqa: F401  (part of this module's API)

# The key store's error, under the name the 個人番号 code has always caught.
IndividualNumberKeyError = key_store.KeyStoreError
MASKED = "＊＊＊＊ ＊＊＊＊ ＊＊＊＊"
_DIGITS = re.compile(r"^[0-9]{12}$")
REDACTED = "〔個人番号と思われる値〕"
# Twelve digits (ASCII or full-width), a single space or hyphen allowed between any two, and no
# digit just before or after: a run of 13 or more digits is some other number (収納番号, …).
# What may stand between the digits of a 個人番号 as people write it: spaces (any width), every dash
# and minus (- ‐ ‑ ‒ – — ― － ー −), dots and 中黒 (. ． ・); up to three of them between two digits.
SEPARATORS = " \t\u3000\\-‐‑‒–—―－ー−.．・"
_LOOKS_LIKE = re.compile(rf"(?<![0-9０-９])[0-9０-９](?:[{SEPARATORS}]{{0,3}}[0-9０-９]){{11}}(?![0-9０-９])")


class RevealPurpose(models.TextChoices):
    """Why a 個人番号 may be shown in full: the uses the PIA states for it (使用目的 所在調査、所得
    および財産の状況調査; 使用方法 滞納処分情報の管理・交渉内容の管理; 賦課情報との突合; 対象者を正確に
    特定する必要), under 番号法第9条第1項 別表第一 第16号・第30号 (地方税・国民健康保険の徴収)."""

    RESIDENCE_INQUIRY = "residence_inquiry", "所在調査（他市区町村・関係機関への照会）"
    PROPERTY_INQUIRY = "property_inquiry", "財産調査（預貯金・給与・保険等の照会）"
    INCOME_INQUIRY = "income_inquiry", "所得の状況調査"
    DISPOSITION = "disposition", "滞納処分（差押・交付要求・参加差押等）の事務"
    IDENTIFICATION = "identification", "本人の特定（同姓同名・転入出等の照合）"
    ASSESSMENT_MATCH = "assessment_match", "賦課情報との突合（滞納有無の確認）"


class IndividualNumberError(ValueError):
    """Not a valid 個人番号; the message is for the person who typed or imported it."""


def check_digit(first_eleven: str) -> int:
    total = 0
    for n, digit in enumerate(reversed(first_eleven), start=1):
        weight = n + 1 if n <= 6 else n - 5
        total += int(digit) * weight
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def normalize(text: str) -> str:
    """Digits only (full-width digits, spaces and hyphens are accepted on input)."""
    return re.sub(rf"[\s{SEPARATORS}]", "", unicodedata.normalize("NFKC", text or ""))


def validate(text: str) -> str:
    number = normalize(text)
    if not _DIGITS.match(number):
        raise IndividualNumberError("個人番号は数字12桁で入力してください。")
    if check_digit(number[:11]) != int(number[11]):
        raise IndividualNumberError("個人番号の検査用数字（12桁目）が一致しません。番号を確認してください。")
    return number


def is_valid(text: str) -> bool:
    """Whether `text` is a 個人番号 as `validate` accepts it (12 digits, the check digit right)."""
    number = normalize(text)
    return bool(_DIGITS.match(number)) and check_digit(number[:11]) == int(number[11])


def redact(text: str) -> str:
    """`text` with every value that looks like a 個人番号 replaced by REDACTED. For anything that
    echoes what someone typed or imported: error messages, file names, log lines. Twelve digits
    whose check digit does not fit are left as they are (about 1 in 11 random runs fits)."""
    if not text:
        return text
    return _LOOKS_LIKE.sub(lambda match: REDACTED if is_valid(match.group()) else match.group(), text)


class RedactIndividualNumbers(logging.Filter):
    """Logging filter (on every handler in settings.LOGGING): the message, and the traceback of a
    logged exception, lose anything that looks like a 個人番号 before a handler writes them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def encrypt(number: str, *, atena_number: str) -> str:
    return key_store.seal(validate(number).encode(), associated=atena_number.encode())


def decrypt(token: str, *, atena_number: str) -> str:
    return key_store.unseal(token, associated=atena_number.encode(), what="個人番号").decode()


def digest(number: str) -> str:
    return hmac.new(
        settings.INDIVIDUAL_NUMBER_HMAC_KEY, validate(number).encode(), hashlib.sha256
    ).hexdigest()
