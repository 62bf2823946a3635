"""Finding taxpayers the way staff type: kanji or kana, hiragana or katakana, half or full
width, with or without spaces, 異体字 (齋/斎, 髙/高, 邊/邉/辺 …) either way; 生年月日 in 和暦 or
西暦; a fragment of the address in any of the notations staff use (本町2-1-6, 本町二丁目1番6号,
本町2丁目1-6); a 通知書番号; a phone number with or without hyphens.

The stored 氏名 and 住所 are never changed: they are kept and printed as the 住基・宛名 system sent
them. Each searchable text has a stored key column beside it (search_name, search_kana,
search_address), computed by the functions here on import and by the migration that introduced
them, and the typed text is folded by the same function, so the two always meet.
"""

import re
import unicodedata
from functools import cache
from pathlib import Path

from django.db.models import F

from taxpayers.models import Assessment, Taxpayer
from wako_collections import planner

_HIRAGANA = {chr(code): chr(code + 0x60) for code in range(ord("ぁ"), ord("ゖ") + 1)}
_KANA_ONLY = re.compile(r"^[ァ-ヺー・]+$")
# 異体字セレクタ (IVS, U+E0100–E01EF) and the standard variation selectors (U+FE00–FE0F): they choose a
# glyph of the character before them (邉 and its thirty-odd registered forms), never another character
_VARIATION_SELECTORS = re.compile("[\ufe00-\ufe0f\U000e0100-\U000e01ef]")
VARIANT_TABLE = Path(__file__).resolve().parent / "data" / "kanji_variant_folds.tsv"


@cache
def _variant_folds() -> dict[int, str]:
    """The 異体字 folding table generated from the MJ縮退マップ (see the file's header and
    scripts/generate_kanji_variant_folds.py). Read once per process: about 12,000 lines."""
    table = {}
    for line in VARIANT_TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            char, target = line.split("\t")
            table[ord(char)] = target
    return table


def _fold_text(text: str, *, katakana: bool) -> str:
    """No variation selectors (邉 with an IVS is 邉), NFKC (half-width kana → full, full-width letters →
    ASCII, 塚 U+FA10 → 塚, ㈱ → (株)), no spaces, hiragana → katakana if asked, 異体字 to their everyday form. For keys only: never applied
    to what is stored."""
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", _VARIATION_SELECTORS.sub("", text or "")))
    if katakana:
        folded = "".join(_HIRAGANA.get(char, char) for char in folded)
    # NFKC again: taking out a space NFKC made (゛ → space + U+3099), or わ → ワ before a voicing
    # mark, leaves marks to reorder or compose
    folded = unicodedata.normalize("NFKC", folded)
    return folded.translate(_variant_folds())


def name_key(text: str) -> str:
    """The search key of a 氏名 or 氏名カナ."""
    return _fold_text(text, katakana=True)


_KANJI_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMBER = "[〇零一二三四五六七八九十百千]+"
_MARKER = "丁目|番地|番|号|地割"
# A kanji number is read as an address number only before a 丁目/番/号 marker, "の" or a hyphen,
# or after a hyphen, so 八王子, 千代田, 一宮 and 八丁堀 keep their names.
_NUMBER_BEFORE_MARKER = re.compile(rf"{_KANJI_NUMBER}(?={_MARKER}|-|[のノ](?:\d|{_KANJI_NUMBER}))")
_NUMBER_AFTER_DASH = re.compile(rf"(?<=\d-){_KANJI_NUMBER}(?={_MARKER}|-|$|[^\u3400-\u9fff])")
_DASHES = re.compile(r"[‐‑‒–—―−﹣]")  # NFKC has already made － and ｰ into - and ー
_LONG_VOWEL_AS_DASH = re.compile(r"(?<=\d)ー(?=\d)")
_MARKERS = re.compile(rf"(?<=\d)(?:{_MARKER})")
_NO_BETWEEN_NUMBERS = re.compile(rf"(?<=\d)-?[のノ](?=\d|{_KANJI_NUMBER})")


def _kanji_number(text: str) -> str:
    if not any(char in _KANJI_UNITS for char in text):
        return "".join(str(_KANJI_DIGITS[char]) for char in text)  # 二〇一 → 201
    total, current = 0, 0
    for char in text:
        if char in _KANJI_UNITS:
            total += (current or 1) * _KANJI_UNITS[char]
            current = 0
        else:
            current = _KANJI_DIGITS[char]
    return str(total + current)


def _number_text(match: re.Match) -> str:
    return _kanji_number(match.group())


def address_key(text: str) -> str:
    """The search key of a 住所: `_fold_text`, then the block numbers written one way —
    二丁目1番6号, 2丁目1-6, 2-1-6 and 2ー1ー6 all become 2-1-6 (kanji numbers to digits, 丁目・番地・番・
    号 and every dash to "-", "の" between numbers too, no trailing "-")."""
    folded = _DASHES.sub("-", _fold_text(text, katakana=False))
    folded = _LONG_VOWEL_AS_DASH.sub("-", folded)
    folded = _NUMBER_BEFORE_MARKER.sub(_number_text, folded)
    folded = _MARKERS.sub("-", folded)
    folded = _NO_BETWEEN_NUMBERS.sub("-", folded)
    folded = _NUMBER_AFTER_DASH.sub(_number_text, folded)
    folded = _MARKERS.sub("-", folded)
    folded = re.sub(r"-{2,}", "-", folded)
    return folded.rstrip("-")


def phone_digits(text: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text or ""))


def search_keys(*, name: str, name_kana: str, address: str, phone: str) -> dict[str, str]:
    """Every stored key column of a Taxpayer, from its registered values."""
    return {
        "search_name": name_key(name),
        "search_kana": name_key(name_kana),
        "search_address": address_key(address),
        "phone_digits": phone_digits(phone),
    }


def refold_search_keys(taxpayer_model=Taxpayer, *, batch: int = 2_000) -> int:
    """Recomputes the key columns of every 宛名 from its registered values with the key functions
    now in the code, and writes those whose keys changed (after a change to a key function or a
    regenerated 異体字 table). Returns the number of 宛名 changed. Stored names and addresses are never
    touched; the keys are not history (bulk_update records none, on purpose: they are derived).
    `taxpayer_model`: a migration's historical model. One read of the table, a write per `batch`."""
    fields = ["search_name", "search_kana", "search_address", "phone_digits"]
    rows = taxpayer_model.objects.only("id", "name", "name_kana", "address", "phone", *fields).order_by("id")
    changed, pending = 0, []
    for taxpayer in rows.iterator(chunk_size=batch):
        keys = search_keys(
            name=taxpayer.name, name_kana=taxpayer.name_kana, address=taxpayer.address, phone=taxpayer.phone
        )
        if any(getattr(taxpayer, field) != value for field, value in keys.items()):
            for field, value in keys.items():
                setattr(taxpayer, field, value)
            pending.append(taxpayer)
        if len(pending) == batch:
            taxpayer_model.objects.bulk_update(pending, fields)
            changed, pending = changed + len(pending), []
    taxpayer_model.objects.bulk_update(pending, fields)
    return changed + len(pending)


SHORT_TERM = 2  # characters: up to this length a term is looked up in the short-gram indexes


# The stored short grams of each key column (taxpayers.models.Taxpayer.name_grams …).
_GRAMS = {"search_name": "name_grams", "search_kana": "kana_grams", "search_address": "address_grams"}


def _contains(queryset, column: str, needle: str):
    """Rows whose key `column` contains `needle`. A needle of three characters or more uses the
    column's trigram index; one of one or two characters, which no trigram can serve, the GIN
    index of the stored array of the key's short grams (`needle` is one of them exactly when the
    key contains it)."""
    if len(needle) <= SHORT_TERM:
        return queryset.filter(**{f"{_GRAMS[column]}__contains": [needle]})
    return queryset.filter(**{f"{column}__contains": needle})


def _is_short(text: str) -> bool:
    return 0 < len(text) <= SHORT_TERM


def uses_short_term(*, name="", address="", **_other) -> bool:
    """Whether the 氏名 or 住所 typed is a term of one or two characters (after folding): its page
    is sorted from all its matches, so the search page lists it only when they are few (views)."""
    return bool((name and _is_short(name_key(name))) or (address and _is_short(address_key(address))))


def sorts_from_matches(*, name="", address="", **_other) -> bool:
    """Whether the list is sorted from its matches (read from the trigram or short-gram index, the
    page taken by a top-N sort) rather than by walking the カナ order index until the page is full.

    A 氏名・カナ term of any length: its matches sit together in the カナ order (ハシモト: the ハ part
    of the list, about a third of the city in; 渡辺幸子: ワ, at its end), which the planner cannot
    know: it expects them spread evenly and walks the order index from ア, reading every row before
    them — 30,000 at 100,000 persons, 3,000 at 10,000 (the mixed search's growth, issue 21). Sorting
    costs one heap read per match instead (a surname's 2,000 at 100,000 persons: a few ms).
    A 住所 term of one or two characters: the same, its page is refused beyond the cap (views).
    A longer 住所 term alone, a phone or a birth date keep the walk: their matches are spread over
    the カナ order, and a term found everywhere (和光市) fills its page from the first rows."""
    return bool(name) or bool(address and _is_short(address_key(address)))


# PostgreSQL planner settings for the capped count of a search (views.search, CappedPaginator):
# the project's (wako_collections.planner.SHIPPED: random_page_cost 1.1), wherever it runs.
# A frequent short term's count reads 1,001 of its matches. With the server's default (4, for
# spinning disks) the planner costs the short-gram index's heap reads as random disk reads and
# takes the term from the table in its order instead (ヤマ, 11 % of the city: ~9,000 rows tested
# for 1,001, 10.5 ms at 100,000 persons against 1 ms at 10,000 — the growth of issue 21); at 1.1 it
# reads the matches from the index (5.5 ms). A term in nearly every row (和光市) is still counted
# from the table's first rows, 1 % of it; the other classes measured the same either way.
COUNT_PLANNER = planner.SHIPPED


def search_taxpayers(
    *, atena_number="", name="", birth_date=None, address="", notice_number="", phone="", for_count=False
):
    """A queryset of taxpayers matching every criterion given, in カナ order (search_kana, then
    atena_number). Name and address match anywhere in their key columns, through the trigram
    indexes (3 characters or more) or the short-gram indexes (1 or 2); the others are exact or
    prefix matches on indexed columns. How the page is found (`sorts_from_matches`): sorted from
    the matches for a name or a short address term, else by walking the (search_kana,
    atena_number) index, so a term matching thousands is paged without sorting them all; the
    rows and their order are the same either way. `for_count`: the same rows, in the form the
    planner counts fastest (for CappedPaginator's count; no order)."""
    queryset = Taxpayer.objects.all()
    if atena_number:
        queryset = queryset.filter(atena_number=atena_number.strip())
    if name:
        needle = name_key(name)
        if not needle:
            queryset = queryset.none()
        elif _KANA_ONLY.match(needle):
            # Kana names (foreign residents, some given names) are in search_kana too.
            queryset = _contains(queryset, "search_kana", needle)
            if for_count and len(needle) > SHORT_TERM:
                # The key's first two characters are among its stored short grams whenever it
                # contains the needle (the same rows), and that condition keeps the count off
                # the order index: (search_kana, atena_number) holds search_kana, so the planner
                # would count by reading it from ア until cap + 1 matches, all of a surname's
                # matches lying at its place in the カナ order (ワタナベ: the whole index).
                queryset = queryset.filter(kana_grams__contains=[needle[:SHORT_TERM]])
        else:
            queryset = _contains(queryset, "search_name", needle)
    if birth_date:
        queryset = queryset.filter(birth_date=birth_date)
    if address:
        needle = address_key(address)
        queryset = _contains(queryset, "search_address", needle) if needle else queryset.none()
    if notice_number:
        queryset = queryset.filter(
            id__in=Assessment.objects.filter(notice_number=notice_number.strip()).values("taxpayer_id")
        )
    if phone:
        digits = phone_digits(phone)
        queryset = queryset.filter(phone_digits__startswith=digits) if digits else queryset.none()
    queryset = queryset.defer(*_GRAMS.values())  # derived arrays the list never shows
    if for_count:
        return queryset.order_by()
    if sorts_from_matches(name=name, address=address):
        # NULLS FIRST (search_kana is never null, so the order is the same) is what keeps the
        # planner off the order index: the matches are read from the GIN index and the page
        # taken by a top-N sort.
        return queryset.order_by(F("search_kana").asc(nulls_first=True), "atena_number")
    return queryset.order_by("search_kana", "atena_number")
