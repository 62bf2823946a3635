"""個人番号: check digit, encryption with a key id, keyed digest, and refusal on a wrong key."""

import base64

import pytest

from taxpayers import individual_numbers as mynumber

# A number with a valid check digit, made up for tests (not anyone's): 12345678901 → 8.
VALID = "123456789018"


def test_the_check_digit_follows_the_cabinet_order_formula():
    assert mynumber.check_digit("12345678901") == 8
    assert mynumber.validate("1234 5678 9018") == VALID
    assert mynumber.validate("１２３４５６７８９０１８") == VALID


@pytest.mark.parametrize("text", ["123456789012", "12345678901", "1234567890188", "abcdefghijkl", ""])
def test_invalid_numbers_are_refused_in_japanese(text):
    with pytest.raises(mynumber.IndividualNumberError, match="個人番号"):
        mynumber.validate(text)


def test_encrypted_values_carry_their_key_id_and_never_the_number():
    token = mynumber.encrypt(VALID, atena_number="000000001")
    assert token.startswith("v1.dev1.") and VALID not in token
    assert mynumber.decrypt(token, atena_number="000000001") == VALID
    assert mynumber.encrypt(VALID, atena_number="000000001") != token  # a fresh nonce each time


def test_a_value_copied_to_another_taxpayer_does_not_decrypt():
    token = mynumber.encrypt(VALID, atena_number="000000001")
    with pytest.raises(mynumber.IndividualNumberKeyError):
        mynumber.decrypt(token, atena_number="000000002")


def test_a_wrong_key_raises_instead_of_returning_ciphertext(settings):
    token = mynumber.encrypt(VALID, atena_number="000000001")
    settings.INDIVIDUAL_NUMBER_KEYS = [("dev1", b"\x01" * 32)]
    with pytest.raises(mynumber.IndividualNumberKeyError, match="復号できません"):
        mynumber.decrypt(token, atena_number="000000001")
    settings.INDIVIDUAL_NUMBER_KEYS = [("new", b"\x02" * 32)]
    with pytest.raises(mynumber.IndividualNumberKeyError, match="dev1"):
        mynumber.decrypt(token, atena_number="000000001")


def test_old_keys_still_decrypt_after_rotation(settings):
    old = mynumber.encrypt(VALID, atena_number="9")
    settings.INDIVIDUAL_NUMBER_KEYS = [("new", b"\x02" * 32), *settings.INDIVIDUAL_NUMBER_KEYS]
    assert mynumber.key_id_of(mynumber.encrypt(VALID, atena_number="9")) == "new"
    assert mynumber.decrypt(old, atena_number="9") == VALID


def test_the_digest_is_keyed_and_stable(settings):
    first = mynumber.digest(VALID)
    assert first == mynumber.digest("1234-5678-9018") and VALID not in first
    settings.INDIVIDUAL_NUMBER_HMAC_KEY = b"\x03" * 32
    assert mynumber.digest(VALID) != first


def test_key_text_is_checked():
    good = base64.b64encode(b"\x00" * 32).decode()
    keys, hmac_key = mynumber.parse_keys(f"k2:{good}\nk1:{good}\nhmac:{good}")
    assert [key_id for key_id, _ in keys] == ["k2", "k1"] and hmac_key == b"\x00" * 32
    with pytest.raises(ValueError, match="32バイト"):
        mynumber.parse_keys(f"k1:{base64.b64encode(b'short').decode()}")


@pytest.mark.django_db
def test_rotating_the_key_reencrypts_every_number(ledger, settings, capsys):
    from django.core.management import call_command

    from taxpayers.models import Taxpayer

    settings.INDIVIDUAL_NUMBER_KEYS = [("k2027", b"\x07" * 32), *settings.INDIVIDUAL_NUMBER_KEYS]
    call_command("rotate_individual_number_key")
    assert "1件" in capsys.readouterr().out
    taro = Taxpayer.objects.get(atena_number="000000101")
    assert mynumber.key_id_of(taro.individual_number_ciphertext) == "k2027"
    assert mynumber.decrypt(taro.individual_number_ciphertext, atena_number="000000101") == VALID
    settings.INDIVIDUAL_NUMBER_KEYS = settings.INDIVIDUAL_NUMBER_KEYS[:1]  # the old key can now go
    assert mynumber.decrypt(taro.individual_number_ciphertext, atena_number="000000101") == VALID


@pytest.mark.parametrize(
    "text",
    [
        "123456789018",
        "コード「123456789018」はありません",
        "１２３４５６７８９０１８",
        "1234 5678 9018",
        "1234-5678-9018",
        "１２３４－５６７８－９０１８",
        "「123456789018」は日付として読めません",
        "宛名番号 123456789018 が2行目と重複しています。",
        "mynumber_123456789018.csv",
    ],
)
def test_anything_that_looks_like_a_number_is_redacted(text):
    redacted = mynumber.redact(text)
    assert mynumber.REDACTED in redacted
    assert mynumber.normalize(VALID) not in mynumber.normalize(redacted)


@pytest.mark.parametrize(
    "text",
    [
        "123456789012",  # twelve digits, wrong check digit
        "1234567890180",  # thirteen digits: some other number
        "0001234567890180",
        "2025-04-01",
        "048-424-0000",
        "090-1111-2222",
        "65,000円",
        "",
    ],
)
def test_other_numbers_are_left_alone(text):
    assert mynumber.redact(text) == text


def test_the_log_filter_redacts_messages_arguments_and_tracebacks():
    import logging

    try:
        raise ValueError(f"bad value {VALID}")
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "row %s: %s", ("2", VALID), exc_info)
    assert mynumber.RedactIndividualNumbers().filter(record)
    text = logging.Formatter().format(record)
    assert VALID not in text and mynumber.REDACTED in text and "ValueError" in text


def test_every_configured_log_handler_redacts(settings):
    for name, handler in settings.LOGGING["handlers"].items():
        assert "individual_numbers" in handler.get("filters", []), name
    assert logging_filter_class(settings) is mynumber.RedactIndividualNumbers


def logging_filter_class(settings):
    from django.utils.module_loading import import_string

    return import_string(settings.LOGGING["filters"]["individual_numbers"]["()"])


@pytest.mark.parametrize(
    "written",
    [
        "2621−2997−2208",  # U+2212 minus
        "0332ー2453ー8320",  # 長音符
        "3640—5622—4159",  # em dash
        "4990 - 9514 - 5471",
        "5277.2040.5600",
        "8656  9070  2933",
        "5481‐‐4542‐‐1247",
        "１２３４・５６７８・９０１８",
    ],
)
def test_a_number_written_with_any_separator_is_redacted(written):
    number = mynumber.normalize(written)
    assert mynumber.is_valid(number), number  # each example has a valid check digit
    assert mynumber.redact(f"コード「{written}」はありません") == f"コード「{mynumber.REDACTED}」はありません"


@pytest.mark.parametrize("other", ["電話 048-424-9111", "2024.07.01", "収納番号 1234567890123", "000000101"])
def test_other_numbers_are_left_as_they_are(other):
    assert mynumber.redact(other) == other
