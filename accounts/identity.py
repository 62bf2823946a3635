"""The one spelling of a 職員番号: sign-in, lockout, OTP throttling, the event log, the audit
search and staff registration all read a staff number through `canonical_staff_number`.

A staff number is typed at the login page, into the registration form and on the console, by
people on Japanese keyboards: a full-width `Ｓ１００２`, a stray space, tab, U+3000 or a trailing
newline from a paste, or lower case. If two of those places spelled the number differently, the
lock check and the failure count would look at different rows and a locked account would open
through a variant (issue 14, item 1). So every spelling is folded here, once: Unicode NFKC
(full-width letters, digits and the ideographic space become ASCII), invisible format characters
(zero-width space, BOM) removed, surrounding whitespace trimmed, letters upper-cased — staff
numbers are stored upper-case, a database constraint holds that.
"""

import unicodedata

STAFF_NUMBER_PATTERN = r"^[0-9A-Z]{1,20}$"


def canonical_staff_number(raw: object) -> str:
    """`raw` as the stored 職員番号 would be spelled ("" for None). Pure, no query."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return text.strip().upper()


def attempted_staff_number(request, credentials=None) -> str | None:
    """django-axes hook (AXES_USERNAME_CALLABLE): the account a sign-in attempt is for.

    Axes asks this both when it checks the lock (credentials keyed by Staff.USERNAME_FIELD,
    `staff_number`) and when it records a failure (Django's signal, keyed `username`); without
    credentials it falls back to the raw form field. Every path returns the canonical number,
    so the check and the record read the same row.
    """
    for key in ("username", "staff_number"):
        if credentials and credentials.get(key):
            return canonical_staff_number(credentials[key])
    if request is None:
        return None
    return canonical_staff_number(request.POST.get("staff_number")) or None


SYSTEM_OPERATOR = "SYSTEM"  # a command run by the scheduler or the server's console with no one named


def console_operator(typed: str) -> str:
    """The 職員番号 a command records as its operator (`--operator`): SYSTEM, or an active staff
    member's number in its canonical spelling (`s2001` is S2001). Raises ValueError with a Japanese
    message for anything else, so a log never names someone who does not exist (NOBODY)."""
    from accounts.models import Staff

    if typed == SYSTEM_OPERATOR:
        return typed
    number = canonical_staff_number(typed)
    if not Staff.objects.active().filter(staff_number=number).exists():
        raise ValueError(
            f"実行者 {typed} は有効な職員ではありません。職員番号を --operator に指定してください。"
        )
    return number
