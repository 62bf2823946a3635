"""Password rules that know what a Staff record holds.

Django's UserAttributeSimilarityValidator compares a new password with `username`,
`first_name`, `last_name` and `email` — fields Staff does not have — so it compared with nothing
and `S1002S1002S1002` was accepted for S1002 (issue 14, item 10). Here the comparison is with
the fields Staff really has (職員番号, 氏名, 宛名番号, 所属), in two ways:

- contained: the password, folded like a staff number (NFKC, case-insensitive, spaces and
  punctuation ignored), holds the whole value or, for 氏名, a part of it — a repeated or
  decorated staff number (`S1002S1002S1002`, `s-1002!`, `Ｓ１００２`) is refused;
- similar: Django's ratio test, on the same fields.
"""

import re
import unicodedata

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.password_validation import UserAttributeSimilarityValidator
from django.core.exceptions import FieldDoesNotExist, ValidationError

from wako_collections.priority import run_in_background_priority

STAFF_ATTRIBUTES = ("staff_number", "full_name", "atena_number", "department")
# A value shorter than this (a one-digit 宛名番号 in a test, a one-kanji given name) is found
# inside too many good passwords to be refused on containment; the ratio test still applies.
SHORTEST_CONTAINED = 3


def _folded(text: str) -> str:
    """NFKC, case-folded, without spaces or punctuation: how a value is looked for."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", "", text)


class StaffAttributeSimilarityValidator(UserAttributeSimilarityValidator):
    """Refuses a password that contains, or is too similar to, the staff member's own data."""

    DEFAULT_USER_ATTRIBUTES = STAFF_ATTRIBUTES

    def __init__(self, user_attributes=STAFF_ATTRIBUTES, max_similarity=0.7):
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)

    def validate(self, password, user=None):
        if not user:
            return
        folded_password = _folded(password)
        for attribute in self.user_attributes:
            value = getattr(user, attribute, None)
            if not value or not isinstance(value, str):
                continue
            # 氏名 is "姓 名": either part on its own is the person too.
            parts = {_folded(value), *(_folded(part) for part in re.split(r"[\s\u3000]+", value))}
            if any(len(part) >= SHORTEST_CONTAINED and part in folded_password for part in parts):
                raise ValidationError(
                    "パスワードに%(verbose_name)sが含まれています。ご自身の職員番号・氏名・宛名番号・所属を含まないパスワードにしてください。",
                    code="password_contains_user_attribute",
                    params={"verbose_name": _verbose_name(user, attribute)},
                )
        super().validate(password, user)

    def get_help_text(self):
        return "職員番号・氏名・宛名番号・所属を含むパスワードや、それらに似たパスワードは使えません。"


def _verbose_name(user, attribute: str) -> str:
    try:
        return str(user._meta.get_field(attribute).verbose_name)
    except FieldDoesNotExist:
        return attribute


class BackgroundPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2-SHA256 hasher, unchanged in what it computes (same algorithm name, rounds and
    hashes: the stored passwords verify as before), run on the process's low-priority thread
    (wako_collections.priority): ~0.4 s of CPU a sign-in, and 50 officers signing in at once held
    every page behind them (issue 21, the load knee). `verify`, `harden_runtime` and a new
    password all go through `encode`."""

    def encode(self, password, salt, iterations=None):
        return run_in_background_priority(super().encode, password, salt, iterations)
