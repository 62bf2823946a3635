"""Each entity's file carries the casework it stands for, keyed by 宛名番号 and the 期別 keys: one of
each object a URL needs (tests/test_url_role_matrix.py) — a 分納誓約, an approved 執行停止 (its
取消 drafted, not decided), a 催告書 — plus a 納付書 and an approved 充当."""

import csv
import io
from datetime import date

import pytest

from exchange.services import file_path, run_export
from tests.test_url_role_matrix import objects  # noqa: F401  (the one-of-each fixture)
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db

KEYS = {
    "宛名番号": "000000001",
    "科目コード": "01",
    "科目詳細コード": "0000",
    "算定団体コード": "112291",
    "期割団体コード": "112291",
    "団体内外区分": "1",
    "調定年度": "2024",
    "年度分": "2024",
    "通知書番号": "240000001",
    "論理期別": "1",
}


def rows(run, name):
    return list(csv.DictReader(io.StringIO(file_path(run, name).read_text(encoding="utf-8"), newline="")))


def keyed(row):
    return {key: row[key] for key in KEYS}


def test_every_entity_of_the_casework_reaches_its_file(objects, supervisor):  # noqa: F811
    from documents.services import issue_document
    from refunds.services import approve_disposal

    officer = Actor.for_staff(objects["officer"], "T0001")
    slip = issue_document(
        actor=officer,
        form_code="01",
        taxpayer=objects["taxpayer"],
        assessment_ids=[objects["pledge"].assessments.get().pk],
        issued_on=date(2026, 11, 2),
        deadline=date(2026, 11, 30),
    )
    appropriation = objects["appropriation"]
    approve_disposal(
        actor=Actor.for_staff(supervisor, "T0001"), disposal=appropriation, decided_on=date(2026, 1, 5)
    )
    run = run_export(staff_number="S9001", terminal_number="T0001", full=True)

    [plan] = rows(run, "bunno.csv")
    assert keyed(plan) == KEYS
    assert (plan["分割納付管理番号"], plan["分割回数"], plan["納付予定年月日"], plan["分割納付金額"]) == (
        objects["pledge"].pledge_number,
        "1",
        "2026-01-10",
        "30000",
    )

    suspensions = {row["執行停止管理番号"]: row for row in rows(run, "shikkoteishi.csv")}
    stop = suspensions[objects["cancellation"].disposition.number]
    assert keyed(stop) == KEYS
    # the 取消 is only drafted: not in effect, so not sent
    assert (stop["執行停止の号"], stop["執行停止取消年月日"], stop["削除フラグ"]) == ("1", "", "0")

    reliefs = [row for row in rows(run, "entai.csv") if row["延滞金減免管理番号"] == stop["執行停止管理番号"]]
    assert [(r["免除区分"], r["根拠"], r["開始年月日"], r["終了年月日"]) for r in reliefs] == [
        ("1", "07", stop["執行停止年月日"], "")
    ]

    # the matrix's objects also hold a returned letter sent again (a 催告 of its own, numbered anew)
    sent = rows(run, "saikoku_hasso.csv")
    assert len({row["催告書番号"] for row in sent}) == len(sent)
    [notice] = [row for row in sent if row["催告書番号"] == objects["document"].number]
    assert keyed(notice) == KEYS
    assert (notice["催告書番号"], notice["催告区分"], notice["発送年月日"], notice["催告_指定期限"]) == (
        objects["document"].number,
        "03",
        "2026-11-01",
        "2026-12-15",
    )

    [printed] = rows(run, "nofusho_hakko.csv")
    assert keyed(printed) == KEYS
    assert (printed["納付書番号"], printed["指定期限"], printed["発行回数"]) == (
        slip.number,
        "2026-11-30",
        "1",
    )
    assert (
        printed["バーコード情報"] == slip.content["slip"]["barcode"] and len(printed["バーコード情報"]) == 44
    )
    assert int(printed["期別の合計額"]) == slip.total_amount

    [applied] = rows(run, "juto.csv")
    assert (applied["充当管理番号"], applied["充当還付区分"], applied["充当日"], applied["充当額"]) == (
        appropriation.number,
        "appropriation",
        "2026-01-05",
        str(appropriation.amount),
    )
    assert applied["宛名番号"] == "000000001" and applied["通知書番号"]

    events = {(row["時効事由"], row["根拠記録"]) for row in rows(run, "jiko.csv")}
    assert ("acknowledgement", f"分納誓約 {objects['pledge'].pledge_number}") in events
