"""The negotiation file mirrors Appendix 1, 2. 交渉記録ファイル: one column per item, its comment the item's name."""

import pytest
from django.db import connection

APPENDIX_1_NEGOTIATION_FILE = [
    "番号",
    "科目グループコード",
    "宛名番号",
    "入力日",
    "入力時刻",
    "場所",
    "面談者",
    "予実日",
    "予実時刻",
    "入金予定額",
    "担当者宛名番号",
    "訪問内容",
    "予実結果",
    "徴収区分",
    "関連番号",
    "履歴",
    "不履行",
    "重要度",
    "担当氏名",
    "内容区分",
    "帳票コード1",
    "帳票コード2",
    "作成日",
    "更新日",
    "更新時間",
    "職員番号",
    "端末番号",
]


@pytest.mark.django_db
def test_every_appendix_1_item_is_a_column_whose_comment_is_its_name():
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT a.attname, col_description(a.attrelid, a.attnum)
                 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                WHERE c.relname = 'negotiations_negotiationrecord' AND a.attnum > 0 AND NOT a.attisdropped"""
        )
        comments = {comment: column for column, comment in cursor.fetchall()}
    assert len(APPENDIX_1_NEGOTIATION_FILE) == 27
    missing = [item for item in APPENDIX_1_NEGOTIATION_FILE if item not in comments]
    assert missing == []
    assert comments["宛名番号"] == "atena_number"  # the column holds the 宛名番号 itself


def test_verbose_names_are_the_items_names():
    from negotiations.models import NegotiationRecord

    names = {
        field.verbose_name for field in NegotiationRecord._meta.get_fields() if hasattr(field, "verbose_name")
    }
    assert set(APPENDIX_1_NEGOTIATION_FILE) <= names
