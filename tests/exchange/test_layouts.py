"""Every 逆連携 layout is documented in exchange/README.md, column by column, in the order written."""

import re
from pathlib import Path

from exchange.layouts import KEY_HEADERS, layouts

README = (Path(__file__).resolve().parents[2] / "exchange" / "README.md").read_text(encoding="utf-8")


def readme_table(title: str, file_name: str) -> list[list[str]]:
    section = README.split(f"### {title}（`{file_name}`）", 1)[1].split("\n### ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row.strip().strip("|").split("|")] for row in rows[1:]]


def test_the_readme_documents_every_column_of_every_layout_in_order():
    for layout in layouts():
        table = readme_table(layout.title, layout.file_name())
        documented = [row[0] for row in table if not set(row[0]) <= {"-", " "}]
        assert documented == layout.headers, layout.key
        for column in layout.columns:
            row = f"| {column.header} | {column.kind} | {column.follows or '—'} | {column.example} |"
            assert row in README, row


def test_every_layout_is_keyed_by_the_imports_keys_and_names_no_person():
    from taxpayers.csv_layouts import ASSESSMENT_KEY_COLUMNS

    assert ["宛名番号"] + [column.header for column in ASSESSMENT_KEY_COLUMNS] == KEY_HEADERS
    for layout in layouts():
        assert layout.headers[: len(KEY_HEADERS)] == KEY_HEADERS
        assert layout.headers[-4:] == ["削除フラグ", "操作者ID", "操作年月日", "操作時刻"]
        assert len(set(layout.headers)) == len(layout.headers), layout.key
        assert not [h for h in layout.headers if re.search("氏名|住所|個人番号|方書", h)], layout.key


def test_the_readme_has_no_table_for_a_layout_that_is_gone():
    titles = re.findall(r"^### (.+)（`(\w+)\.csv`）$", README, flags=re.M)
    assert sorted(key for _title, key in titles) == sorted(layout.key for layout in layouts())
