"""CSV builders for the ledger tests: realistic rows in the city's layouts."""

import pytest

from wako_collections.actors import Actor

PERSON_HEADER = "宛名番号,個人法人区分,氏名,氏名カナ,性別,生年月日,郵便番号,住所,方書,電話番号,住民区分,個人番号,地区,送付先氏名,送付先郵便番号,送付先住所,送付先方書,送付先開始日,送付先終了日"
ASSESSMENT_HEADER = "宛名番号,科目コード,科目詳細コード,算定団体コード,期割団体コード,団体内外区分,調定年度,年度分,通知書番号,論理期別,納期限,法定納期限,調定額,督促状発付日,督促手数料"
PAYMENT_HEADER = "収納番号,科目コード,科目詳細コード,算定団体コード,期割団体コード,団体内外区分,調定年度,年度分,通知書番号,論理期別,収納日,日計日,金額,収納経路"

PERSONS = [
    "000000101,1,和光 太郎,ワコウ タロウ,1,1975-04-01,3510192,埼玉県和光市広沢1-5,広沢ハイツ101,048-424-0001,1,123456789018,広沢,,,,,,",
    "000000102,1,新倉 花子,ニイクラ ハナコ,2,S55.7.7,3510111,埼玉県和光市下新倉3-2-1,,090-1111-2222,1,,新倉,新倉 一郎,1000001,東京都千代田区千代田1-1,,2025-04-01,",
    "000000103,2,株式会社白子製作所,カブシキガイシャシラコセイサクショ,,,3510104,埼玉県和光市白子2-1-1,,048-461-0000,2,,白子,,,,,,",
]
# 2021 fixed-asset tax (the Toyohashi example's installment), 2025 resident tax, 2021 premium.
ASSESSMENTS = [
    "000000101,02,0000,112291,112291,1,2021,2021,210000101,1,2021-05-31,2021-05-31,65000,2021-06-18,",
    "000000101,01,0000,112291,112291,1,2025,2025,250000101,1,2025-06-30,2025-06-30,30000,,",
    "000000102,06,0000,112291,112291,1,2021,2021,210000102,1,2021-07-31,2021-07-31,48000,2021-08-20,100",
]
PAYMENTS = [
    "R0001,02,0000,112291,112291,1,2021,2021,210000101,1,2021-09-30,2021-10-01,30100,2",
    "R0002,01,0000,112291,112291,1,2025,2025,250000101,1,2025-06-20,2025-06-21,30000,4",
]


def csv_text(header: str, rows: list[str]) -> str:
    return "\n".join([header, *rows]) + "\n"


@pytest.fixture
def write_csv(tmp_path):
    def write(name: str, header: str, rows: list[str], *, encoding: str = "utf-8"):
        path = tmp_path / name
        path.write_bytes(csv_text(header, rows).encode(encoding))
        return path

    return write


@pytest.fixture
def batch_actor():
    return Actor.batch("TEST")


@pytest.fixture
def ledger(db, write_csv, batch_actor):
    """Three taxpayers with assessments and payments, imported the way the city would."""
    from taxpayers.importing import run_import, start_log

    for kind, header, rows in (
        ("persons", PERSON_HEADER, PERSONS),
        ("assessments", ASSESSMENT_HEADER, ASSESSMENTS),
        ("payments", PAYMENT_HEADER, PAYMENTS),
    ):
        path = write_csv(f"{kind}.csv", header, rows)
        run_import(
            log=start_log(kind=kind, path=path, file_name=path.name, actor=batch_actor),
            path=path,
            actor=batch_actor,
        )
