"""The 逆連携 layouts: one CSV per entity the 税務システム (統合収滞納管理) needs back, each row keyed by
宛名番号 and the nine 期別 keys the imports use (taxpayers/csv_layouts.py, ASSESSMENT_KEY_COLUMNS).

Entity and item names follow the data names of a standard-side 統合収滞納管理's 逆連携 interface as a
public vendor repository shows them (angelo-zamora/R4G, PG/PROCEDURES/逆連携/: 分割納付計画情報,
差押情報, 執行停止情報, 徴収（換価）猶予情報, 延滞金減免情報, 不納欠損期別情報, 充当明細, 納付書発行情報,
催告発送管理情報; items such as 宛名番号, 通知書番号, 期別, 削除フラグ, 操作者ID, 操作年月日, 操作時刻,
解除年月日, 執行停止年月日, 執行停止取消年月日, 指定期限, バーコード情報 …). Where this system's key is
the import's (科目コード … 論理期別) the import's name is kept, so a file joins back on the same keys;
exchange/README.md lists every column and which standard item it follows, kept true by a test.

Each layout reads history (exchange/snapshots.py): the rows of the records changed in the window,
each as it stood at `until`; nothing here writes. Rows are sorted on all their cells, so the order
is stable. No cell holds a name, an address or a 個人番号 — codes, numbers, dates and amounts only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from exchange.snapshots import Window, changed_ids, is_deleted, states, union


@dataclass(frozen=True)
class Column:
    header: str  # the data name, as the file's header row writes it
    kind: str  # its type, as the README says it
    example: str
    follows: str = ""  # the standard's item it follows (R4G), "" when it is this system's own


@dataclass(frozen=True)
class Layout:
    key: str  # the file's stem
    title: str  # the entity's name
    source: str  # what it is read from, for the README
    columns: tuple[Column, ...]
    rows: Callable[[Window], Iterable[dict[str, str]]]

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def file_name(self) -> str:
        return f"{self.key}.csv"

    def sorted_rows(self, window: Window) -> list[list[str]]:
        """Every row as its cells in column order, sorted on all of them (a stable order)."""
        headers = self.headers
        return sorted([[row.get(header, "") for header in headers] for row in self.rows(window)])


DATE = "日付（YYYY-MM-DD、空欄はなし）"
YEN = "金額（円、整数）"
TEXT = "文字列"
FLAG = "フラグ（0=なし、1=あり）"


def _code(choices) -> str:
    return "コード（" + "、".join(f"{value}={label}" for value, label in choices) + "）"


# The keys every row carries: 宛名番号 and the import's nine 期別 keys, in the import's own names.
KEY_COLUMNS: tuple[Column, ...] = (
    Column("宛名番号", "数字（15桁以内）", "000012345", "宛名番号"),
    Column(
        "科目コード",
        "コード（調定の取込と同じ）",
        "01",
        "業務詳細（科目）コード（値はこのシステムの科目コード）",
    ),
    Column("科目詳細コード", "数字（4桁以内）", "0000"),
    Column("算定団体コード", "数字（6桁）", "112291", "市区町村コード"),
    Column("期割団体コード", "数字（6桁）", "112291"),
    Column("団体内外区分", "コード（1=団体内、2=団体外）", "1"),
    Column("調定年度", "西暦年（4桁）", "2025", "賦課年度"),
    Column("年度分", "西暦年（4桁）", "2025", "相当年度"),
    Column("通知書番号", "文字列（20文字以内）", "250012345", "通知書番号"),
    Column("論理期別", "数字（1〜2桁）", "1", "期別"),
)
KEY_HEADERS = [column.header for column in KEY_COLUMNS]
TRAILER_COLUMNS: tuple[Column, ...] = (
    Column("削除フラグ", "フラグ（0=有効、1=削除・取消）", "0", "削除フラグ"),
    Column("操作者ID", "職員番号", "S1001", "操作者ID"),
    Column("操作年月日", DATE, "2026-11-30", "操作年月日"),
    Column("操作時刻", "時刻（HH:MM:SS）", "17:05:09", "操作時刻"),
)


def _d(value: date | None) -> str:
    return value.isoformat() if value else ""


def _n(value: int | None) -> str:
    return "" if value is None else str(int(value))


def _keys_of_assessment(keys: dict[str, str] | None) -> dict[str, str]:
    """The key cells of an installment (from `_assessments`), or nothing when there is none."""
    return dict(keys) if keys else {}


_ASSESSMENT_KEY_FIELDS = (
    ("宛名番号", "taxpayer__atena_number"),
    ("科目コード", "subject_code"),
    ("科目詳細コード", "subject_detail_code"),
    ("算定団体コード", "calculating_body_code"),
    ("期割団体コード", "installment_body_code"),
    ("団体内外区分", "inside_outside_code"),
    ("調定年度", "assessment_year"),
    ("年度分", "tax_year"),
    ("通知書番号", "notice_number"),
    ("論理期別", "logical_period"),
)


def _assessments(ids: Iterable[int | None]) -> dict[int, dict[str, str]]:
    """Each installment's key cells by id (one query, values only). The keys are the natural keys the
    imports match on and are never changed, so the live rows give the same keys as history."""
    from taxpayers.models import Assessment

    wanted = {pk for pk in ids if pk}
    if not wanted:
        return {}
    fields = [field for _header, field in _ASSESSMENT_KEY_FIELDS]
    return {
        pk: {
            header: str(value) for (header, _field), value in zip(_ASSESSMENT_KEY_FIELDS, values, strict=True)
        }
        for pk, *values in Assessment.objects.filter(pk__in=wanted).values_list("pk", *fields)
    }


def _trailer(state, *, deleted: bool | None = None) -> dict[str, str]:
    """削除フラグ and who changed the record last, when (its history row: the data's own time)."""
    at = timezone.localtime(state.history_date)
    return {
        "削除フラグ": "1" if (is_deleted(state) if deleted is None else deleted) else "0",
        "操作者ID": state.history_staff_number,
        "操作年月日": at.date().isoformat(),
        "操作時刻": at.strftime("%H:%M:%S"),
    }


def _latest(*found):
    """Of several history rows, the one written last (whose operator and time a row shows)."""
    return max((state for state in found if state is not None), key=lambda s: (s.history_date, s.history_id))


# --- 分割納付計画情報 (negotiations: 分納誓約 and its schedule) ---


def _pledge_rows(window: Window) -> Iterator[dict[str, str]]:
    from negotiations.models import InstallmentPledge, ScheduledPayment

    wanted = union(
        changed_ids(InstallmentPledge, window), changed_ids(ScheduledPayment, window, field="pledge_id")
    )
    pledges = states(InstallmentPledge, window, ids=wanted)
    if not pledges:
        return
    schedule: dict[int, list] = {}
    for line in states(ScheduledPayment, window, pledge_id__in=list(pledges)).values():
        schedule.setdefault(line.pledge_id, []).append(line)
    # The covered installments are set once, when the pledge is made (negotiations/models.py).
    covered: dict[int, list[int]] = {}
    for pledge_id, assessment_id in InstallmentPledge.assessments.through.objects.filter(
        installmentpledge_id__in=list(pledges)
    ).values_list("installmentpledge_id", "assessment_id"):
        covered.setdefault(pledge_id, []).append(assessment_id)
    revised = dict(
        InstallmentPledge.objects.filter(
            pk__in=[p.revises_id for p in pledges.values() if p.revises_id]
        ).values_list("pk", "pledge_number")
    )
    assessments = _assessments(a for ids in covered.values() for a in ids)
    for pledge_id, pledge in pledges.items():
        if window.is_full and is_deleted(pledge):
            continue
        for line in schedule.get(pledge_id, []):
            if window.is_full and is_deleted(line):
                continue
            for assessment_id in covered.get(pledge_id, []):
                yield {
                    **_keys_of_assessment(assessments.get(assessment_id)),
                    "分割納付管理番号": pledge.pledge_number,
                    "誓約年月日": _d(pledge.pledged_on),
                    "分納状態": pledge.status,
                    "分割回数合計": _n(pledge.payment_count),
                    "分割回数": _n(line.sequence),
                    "納付予定年月日": _d(line.due_date),
                    "分割納付金額": _n(line.amount),
                    "延滞金見込額": _n(line.projected_late_charge),
                    "誓約額": _n(pledge.total_amount),
                    "不履行年月日": _d(pledge.broken_on),
                    "再誓約前の分割納付管理番号": revised.get(pledge.revises_id, "")
                    if pledge.revises_id
                    else "",
                    **_trailer(_latest(pledge, line), deleted=is_deleted(pledge) or is_deleted(line)),
                }


def _pledge_columns() -> tuple[Column, ...]:
    from negotiations.models import InstallmentPledge

    return (
        Column("分割納付管理番号", "文字列（誓約番号）", "B2026000001", "分割納付管理番号"),
        Column("誓約年月日", DATE, "2026-04-10"),
        Column("分納状態", _code(InstallmentPledge.Status.choices), "active"),
        Column("分割回数合計", "数字", "6"),
        Column("分割回数", "数字（何回目か）", "1", "分割回数"),
        Column("納付予定年月日", DATE, "2026-04-30", "納付予定年月日"),
        Column(
            "分割納付金額",
            "金額（円、その回の誓約全体の額。期別ごとには按分しない）",
            "20000",
            "分割納付金額_本税（料）・督促手数料・延滞金の合計",
        ),
        Column("延滞金見込額", YEN, "1200"),
        Column("誓約額", YEN, "120000"),
        Column("不履行年月日", DATE, ""),
        Column("再誓約前の分割納付管理番号", TEXT, ""),
    )


# --- 滞納処分: 差押情報, 執行停止情報, 徴収（換価）猶予情報 (dispositions) ---


def _disposition_states(
    window: Window, codes: set[str], *, changed_assessments: set[int] | None = None
) -> list[tuple[object, object]]:
    """(row, disposition) of every 滞納処分ファイル row whose disposition has one of `codes` and had
    taken effect (決裁済 or later 取消) by `until`; a draft is not sent (it has no effect yet).
    A delta holds the rows changed, those of the dispositions changed, and those on
    `changed_assessments` (installments whose other record the row shows has changed)."""
    from dispositions.models import Disposition, DispositionRow

    changed_dispositions = changed_ids(Disposition, window)
    wanted = union(
        set(DispositionRow.objects.filter(assessment_id__in=changed_assessments).values_list("pk", flat=True))
        if changed_assessments
        else set(),
        changed_ids(DispositionRow, window),
        set(
            DispositionRow.objects.filter(disposition_id__in=changed_dispositions).values_list(
                "pk", flat=True
            )
        )
        if changed_dispositions is not None
        else None,
    )
    rows = states(DispositionRow, window, ids=wanted)
    headers = states(Disposition, window, ids={row.disposition_id for row in rows.values()})
    found = []
    for row in rows.values():
        header = headers.get(row.disposition_id)
        if header is None or header.code not in codes or header.status == Disposition.Status.DRAFT:
            continue
        if window.is_full and (is_deleted(row) or is_deleted(header)):
            continue
        found.append((row, header))
    return found


def _row_keys(row, atena: dict[int, str]) -> dict[str, str]:
    return {
        "宛名番号": atena.get(row.assessment_id, ""),
        "科目コード": row.subject_code,
        "科目詳細コード": row.subject_detail_code,
        "算定団体コード": row.calculating_body_code,
        "期割団体コード": row.installment_body_code,
        "団体内外区分": row.inside_outside_code,
        "調定年度": str(row.assessment_year),
        "年度分": str(row.tax_year),
        "通知書番号": row.notice_number,
        "論理期別": str(row.logical_period),
    }


def _atena_of(rows) -> dict[int, str]:
    return {pk: keys["宛名番号"] for pk, keys in _assessments(row.assessment_id for row, _ in rows).items()}


def _disposition_trailer(row, header) -> dict[str, str]:
    return _trailer(_latest(row, header), deleted=is_deleted(row) or is_deleted(header))


def _seizure_rows(window: Window) -> Iterator[dict[str, str]]:
    from dispositions.models import DispositionCode

    found = _disposition_states(
        window, {DispositionCode.SEIZURE, DispositionCode.JOINT_SEIZURE, DispositionCode.DELIVERY_REQUEST}
    )
    atena = _atena_of(found)
    for row, header in found:
        yield {
            **_row_keys(row, atena),
            "滞納処分管理番号": header.number,
            "処分コード": header.code,
            "処分区分": header.category,
            "処分年月日": _d(row.disposed_on),
            "解除年月日": _d(row.cancelled_on),
            "解除区分": row.cancellation_category,
            "本税（料）": _n(row.principal),
            "延滞金": _n(row.late_charge),
            "督促手数料": _n(row.demand_fee),
            **_disposition_trailer(row, header),
        }


def _seizure_columns() -> tuple[Column, ...]:
    from dispositions.models import CancellationCategory, DispositionCode

    return (
        Column("滞納処分管理番号", "文字列（処分番号）", "S2026000001", "滞納処分管理番号"),
        Column(
            "処分コード",
            _code(
                [
                    (c.value, c.label)
                    for c in (
                        DispositionCode.SEIZURE,
                        DispositionCode.JOINT_SEIZURE,
                        DispositionCode.DELIVERY_REQUEST,
                    )
                ]
            ),
            "01",
            "処分コード（値はこのシステムの処分コード）",
        ),
        Column("処分区分", "コード（処分区分: 11=債権（預貯金）、21=不動産 …）", "11"),
        Column("処分年月日", DATE, "2026-05-20", "到達年月日"),
        Column("解除年月日", DATE, "", "解除年月日"),
        Column("解除区分", _code(CancellationCategory.choices) + "、空欄は解除なし", ""),
        Column("本税（料）", YEN, "65000", "本税（料）"),
        Column("延滞金", YEN, "3200", "延滞金"),
        Column("督促手数料", YEN, "100", "督促手数料"),
    )


SUSPENSION_CLAUSES = {"71": "1", "72": "2", "73": "3"}  # 処分区分 → 地方税法第15条の7第1項の号


def _suspension_rows(window: Window) -> Iterator[dict[str, str]]:
    from dispositions.models import DispositionCode
    from taxpayers.models import WriteOffReason, WrittenOff

    # a 不納欠損 on the ground of the 執行停止 sends the 執行停止 row again, with its 消滅
    found = _disposition_states(
        window,
        {DispositionCode.SUSPENSION, DispositionCode.IMMEDIATE_EXTINCTION},
        changed_assessments=changed_ids(WrittenOff, window, field="assessment_id"),
    )
    atena = _atena_of(found)
    # 消滅: the 不納欠損 recorded for the installment on the ground of the 執行停止 (第15条の7第4項・第5項).
    extinguished = {
        state.assessment_id: state
        for state in states(
            WrittenOff,
            window,
            assessment_id__in=[row.assessment_id for row, _ in found],
            reason__in=[WriteOffReason.SUSPENSION_THREE_YEARS, WriteOffReason.IMMEDIATE_EXTINCTION],
        ).values()
        if not is_deleted(state)
    }
    for row, header in found:
        gone = extinguished.get(row.assessment_id)
        yield {
            **_row_keys(row, atena),
            "執行停止管理番号": header.number,
            "処分コード": header.code,
            "執行停止の号": SUSPENSION_CLAUSES.get(header.category, ""),
            "執行停止年月日": _d(row.disposed_on),
            "執行停止取消年月日": _d(row.cancelled_on),
            "取消区分": row.cancellation_category,
            "消滅事由": gone.reason if gone else "",
            "消滅年月日": _d(gone.extinguished_on) if gone else "",
            "本税（料）": _n(row.principal),
            "延滞金": _n(row.late_charge),
            "督促手数料": _n(row.demand_fee),
            **_disposition_trailer(row, header),
        }


def _suspension_columns() -> tuple[Column, ...]:
    from dispositions.models import CancellationCategory, DispositionCode
    from taxpayers.models import WriteOffReason

    return (
        Column("執行停止管理番号", "文字列（処分番号）", "S2026000002", "執行停止管理番号"),
        Column(
            "処分コード",
            _code(
                [
                    (c.value, c.label)
                    for c in (DispositionCode.SUSPENSION, DispositionCode.IMMEDIATE_EXTINCTION)
                ]
            ),
            "07",
        ),
        Column(
            "執行停止の号",
            "コード（1=第1号 財産なし、2=第2号 生活窮迫、3=第3号 所在・財産不明、空欄は号なし）",
            "1",
        ),
        Column("執行停止年月日", DATE, "2026-06-01", "執行停止年月日"),
        Column("執行停止取消年月日", DATE, "", "執行停止取消年月日"),
        Column("取消区分", _code(CancellationCategory.choices) + "、空欄は取消なし", ""),
        Column(
            "消滅事由",
            _code(
                [
                    (r.value, r.label)
                    for r in (WriteOffReason.SUSPENSION_THREE_YEARS, WriteOffReason.IMMEDIATE_EXTINCTION)
                ]
            )
            + "、空欄は消滅していない",
            "",
        ),
        Column("消滅年月日", DATE, ""),
        Column("本税（料）", YEN, "65000", "猶予金額_本税（料）"),
        Column("延滞金", YEN, "3200", "猶予金額_延滞金"),
        Column("督促手数料", YEN, "100", "猶予金額_督促手数料"),
    )


def _postponement_rows(window: Window) -> Iterator[dict[str, str]]:
    from dispositions.models import POSTPONEMENT_CODES

    found = _disposition_states(window, set(POSTPONEMENT_CODES))
    atena = _atena_of(found)
    for row, header in found:
        yield {
            **_row_keys(row, atena),
            "徴収（換価）猶予管理番号": header.number,
            "徴収（換価）猶予区分": header.code,
            "猶予事由": header.category,
            "開始年月日": _d(row.disposed_on),
            "終了年月日": _d(header.postponed_until),
            "取消決議年月日": _d(row.cancelled_on),
            "取消区分": row.cancellation_category,
            "本税（料）": _n(row.principal),
            "延滞金": _n(row.late_charge),
            "督促手数料": _n(row.demand_fee),
            **_disposition_trailer(row, header),
        }


def _postponement_columns() -> tuple[Column, ...]:
    from dispositions.models import CancellationCategory, DispositionCode

    return (
        Column("徴収（換価）猶予管理番号", "文字列（処分番号）", "S2026000003", "徴収（換価）猶予管理番号"),
        Column(
            "徴収（換価）猶予区分",
            _code(
                [
                    (c.value, c.label)
                    for c in (DispositionCode.COLLECTION_POSTPONED, DispositionCode.SALE_POSTPONED)
                ]
            ),
            "10",
            "徴収（換価）猶予区分（値はこのシステムの処分コード）",
        ),
        Column("猶予事由", "コード（処分区分: 81〜87=地方税法第15条第1項各号・第2項、00=号なし）", "82"),
        Column("開始年月日", DATE, "2026-07-01", "開始年月日"),
        Column("終了年月日", DATE, "2027-06-30", "終了年月日"),
        Column("取消決議年月日", DATE, "", "取消決議年月日"),
        Column("取消区分", _code(CancellationCategory.choices) + "、空欄は取消なし", ""),
        Column("本税（料）", YEN, "65000", "猶予金額_本税（料）"),
        Column("延滞金", YEN, "3200", "猶予金額_延滞金"),
        Column("督促手数料", YEN, "100", "猶予金額_督促手数料"),
    )


# --- 延滞金減免情報: 地方税法第15条の9 の免除 (執行停止・猶予) と 条例減免 (reductions) ---

RELIEF_FULL = "1"  # 全額免除: 執行停止, 災害・病気等の徴収の猶予 (第15条の9第1項)
RELIEF_PARTIAL = "2"  # 一部免除: その他の猶予 (第15条の9第1項ただし書・附則第3条の2第2項)
RELIEF_REDUCTION = "3"  # 条例減免 (reductions)


def _exempted_amounts(window: Window, assessment_ids: set[int]) -> dict[tuple[int, str], int]:
    """{(assessment id, decision number): 免除額} as the standing computes it on the day of `until`,
    from the installments, payments and decisions as they stood at `until`
    (`taxpayers.standing.standings_known_at`): a later change never alters a rerun. A 条例減免 decided
    as an amount is given what the standing remitted (`late_charge_remitted`), in number order."""
    from taxpayers.standing import standings_known_at

    amounts: dict[tuple[int, str], int] = {}
    for pk, standing in standings_known_at(assessment_ids, moment=window.until).items():
        for line in standing.settlement.late_charge_reliefs:
            key = (pk, line.relief.ref)
            amounts[key] = amounts.get(key, 0) + line.amount
        amounts[(pk, "")] = standing.settlement.late_charge_remitted  # the pool of amount 減免
    return amounts


def _relief_rows(window: Window) -> Iterator[dict[str, str]]:
    from dispositions.models import POSTPONEMENT_CODES, DispositionCode
    from reductions.models import LateChargeReduction
    from taxpayers.exemptions import EXEMPT, disposition_relief, relief_kind

    found = _disposition_states(window, {DispositionCode.SUSPENSION, *POSTPONEMENT_CODES})
    reductions = states(LateChargeReduction, window, ids=changed_ids(LateChargeReduction, window))
    decided = sorted(
        (
            r
            for r in reductions.values()
            if r.status in (LateChargeReduction.Status.DECIDED, LateChargeReduction.Status.CANCELLED)
            and not (window.is_full and is_deleted(r))
        ),
        key=lambda r: r.number,
    )
    exempted = _exempted_amounts(
        window, {row.assessment_id for row, _ in found} | {r.assessment_id for r in decided}
    )
    as_of = _d(timezone.localtime(window.until).date())
    atena = _atena_of(found)
    for row, header in found:
        # the period as `taxpayers.exemptions` decides it (取消の日からは停止・猶予していない);
        # None when cancelled as 誤り: it never had effect, and the row is sent as deleted.
        relief = disposition_relief(row, header)
        kind = relief.kind if relief else relief_kind(row.disposition_code, row.disposition_category)
        yield {
            **_row_keys(row, atena),
            "延滞金減免管理番号": header.number,
            "免除区分": RELIEF_FULL if kind == EXEMPT else RELIEF_PARTIAL,
            "根拠": row.disposition_code,
            "開始年月日": _d(row.disposed_on),
            "終了年月日": _d(relief.end)
            if relief
            else _d(row.cancelled_on and row.cancelled_on - timedelta(days=1)),
            "減免割合": "",
            "免除金額": _n(exempted.get((row.assessment_id, header.number), 0) if relief else 0),
            "免除金額の算定日": as_of,
            "申請年月日": "",
            "決定年月日": _d(row.disposed_on),
            "取消年月日": _d(row.cancelled_on),
            **_trailer(_latest(row, header), deleted=relief is None or is_deleted(row) or is_deleted(header)),
        }

    assessments = _assessments(r.assessment_id for r in decided)
    for reduction in decided:
        effective = reduction.status == LateChargeReduction.Status.DECIDED and not is_deleted(reduction)
        if not effective:
            amount = 0
        elif reduction.category == LateChargeReduction.Category.AMOUNT:
            pool = (reduction.assessment_id, "")
            amount = min(reduction.decided_amount or 0, exempted.get(pool, 0))
            exempted[pool] = exempted.get(pool, 0) - amount
        else:
            amount = exempted.get((reduction.assessment_id, reduction.number), 0)
        yield {
            **_keys_of_assessment(assessments.get(reduction.assessment_id)),
            "延滞金減免管理番号": reduction.number,
            "免除区分": RELIEF_REDUCTION,
            "根拠": reduction.category,
            "開始年月日": _d(reduction.decided_start),
            "終了年月日": _d(reduction.decided_end),
            "減免割合": _n(reduction.decided_share),
            "免除金額": _n(amount),
            "免除金額の算定日": as_of,
            "申請年月日": _d(reduction.applied_on),
            "決定年月日": _d(reduction.decided_on),
            "取消年月日": _d(reduction.cancelled_on),
            **_trailer(
                reduction,
                deleted=is_deleted(reduction) or reduction.status == LateChargeReduction.Status.CANCELLED,
            ),
        }


def _relief_columns() -> tuple[Column, ...]:
    from reductions.models import LateChargeReduction

    return (
        Column("延滞金減免管理番号", "文字列（処分番号または減免番号）", "R2026000001", "延滞金減免管理番号"),
        Column(
            "免除区分",
            f"コード（{RELIEF_FULL}=全額免除（執行停止・災害等の猶予、地方税法第15条の9第1項）、"
            f"{RELIEF_PARTIAL}=一部免除（その他の猶予）、{RELIEF_REDUCTION}=条例減免）",
            "3",
            "免除区分",
        ),
        Column(
            "根拠",
            "コード（免除区分1・2は処分コード 07・10・11、3は減免の種類 "
            + "、".join(f"{v}={label}" for v, label in LateChargeReduction.Category.choices)
            + "）",
            "share",
        ),
        Column("開始年月日", DATE, "2026-04-01", "開始年月日"),
        Column("終了年月日", DATE, "2026-09-30", "終了年月日（空欄は継続中）"),
        Column("減免割合", "数字（百分率、条例減免の割合のとき）", "50", "免除率"),
        Column(
            "免除金額",
            "金額（円、免除金額の算定日までの延滞金の免除額。このシステムの期別の状態（taxpayers/standing.py）"
            "が抽出期間の終わりの時点の記録で計算した額。本税完納後は確定額、未納の間は算定日までの額。"
            "取消・削除の行は0）",
            "3200",
            "免除金額",
        ),
        Column("免除金額の算定日", DATE + "（抽出期間の終わりの日）", "2026-11-30"),
        Column("申請年月日", DATE, "2026-03-20"),
        Column("決定年月日", DATE, "2026-04-01"),
        Column("取消年月日", DATE, ""),
    )


# --- 不納欠損期別情報 (taxpayers.WrittenOff, written by an approved 不納欠損決議) ---


def _writeoff_rows(window: Window) -> Iterator[dict[str, str]]:
    from taxpayers.models import WrittenOff

    found = [
        s
        for s in states(WrittenOff, window, ids=changed_ids(WrittenOff, window)).values()
        if not (window.is_full and is_deleted(s))
    ]
    assessments = _assessments(s.assessment_id for s in found)
    for state in found:
        yield {
            **_keys_of_assessment(assessments.get(state.assessment_id)),
            "不納欠損決議番号": state.source,
            "欠損年月日": _d(state.written_off_on),
            "欠損年度": _n(state.fiscal_year),
            "不納欠損事由": state.reason,
            "根拠条項": state.article,
            "消滅年月日": _d(state.extinguished_on),
            "不納欠損金額_本税（料）": _n(state.principal),
            "不納欠損金額_延滞金": _n(state.late_charge),
            "不納欠損金額_督促手数料": _n(state.demand_fee),
            **_trailer(state),
        }


def _writeoff_columns() -> tuple[Column, ...]:
    from taxpayers.models import WriteOffReason

    return (
        Column("不納欠損決議番号", "文字列", "F2026000001"),
        Column("欠損年月日", DATE, "2026-03-31", "欠損年月日"),
        Column("欠損年度", "西暦年（4桁）", "2025"),
        Column("不納欠損事由", _code(WriteOffReason.choices), "prescription", "不能欠損事由"),
        Column("根拠条項", "文字列（例: 地方税法第18条第1項）", "地方税法第18条第1項"),
        Column("消滅年月日", DATE, "2026-03-01"),
        Column("不納欠損金額_本税（料）", YEN, "65000", "不能欠損金額_本税（料）"),
        Column("不納欠損金額_延滞金", YEN, "8000", "不能欠損金額_延滞金"),
        Column("不納欠損金額_督促手数料", YEN, "100", "不能欠損金額_督促手数料"),
    )


# --- 充当明細 (refunds: 充当 and 還付 of a 過誤納金, once approved) ---


def _disposal_rows(window: Window) -> Iterator[dict[str, str]]:
    from refunds.models import Disposal, Overpayment

    found = [
        s
        for s in states(Disposal, window, ids=changed_ids(Disposal, window)).values()
        if s.status == Disposal.Status.APPROVED and not (window.is_full and is_deleted(s))
    ]
    overpayments = states(Overpayment, window, ids={s.overpayment_id for s in found})
    assessments = _assessments(
        [s.target_assessment_id for s in found] + [o.source_assessment_id for o in overpayments.values()]
    )
    from taxpayers.models import Taxpayer

    atena = dict(
        Taxpayer.objects.filter(pk__in={o.taxpayer_id for o in overpayments.values()}).values_list(
            "pk", "atena_number"
        )
    )
    for state in found:
        overpayment = overpayments[state.overpayment_id]
        # 充当: the installment it was applied to; 還付: the installment the money was overpaid on.
        where = (
            state.target_assessment_id
            if state.kind == Disposal.Kind.APPROPRIATION
            else overpayment.source_assessment_id
        )
        keys = _keys_of_assessment(assessments.get(where)) or {
            "宛名番号": atena.get(overpayment.taxpayer_id, "")
        }
        source = assessments.get(overpayment.source_assessment_id)
        yield {
            **keys,
            "充当管理番号": state.number,
            "充当還付区分": state.kind,
            "充当日": _d(state.decided_on),
            "充当適状日": _d(state.fit_on),
            "充当額": _n(state.amount),
            "還付加算金": _n(state.interest),
            "過誤納の発生事由": overpayment.cause,
            "過誤納の通知書番号": source["通知書番号"] if source else "",
            "過誤納の論理期別": source["論理期別"] if source else "",
            **_trailer(state),
        }


def _disposal_columns() -> tuple[Column, ...]:
    from refunds.models import Disposal, Overpayment

    return (
        Column("充当管理番号", "文字列（充当・還付の番号）", "J2026000001", "充当管理番号"),
        Column("充当還付区分", _code(Disposal.Kind.choices), "appropriation"),
        Column("充当日", DATE, "2026-08-01", "充当日（予定日）（還付は支出決定日）"),
        Column("充当適状日", DATE, "2026-07-20"),
        Column(
            "充当額", "金額（円、充当・還付した過誤納金。還付加算金を含まない）", "5000", "充当額_本税（料）"
        ),
        Column("還付加算金", YEN, "0"),
        Column("過誤納の発生事由", _code(Overpayment.Cause.choices), "double_payment"),
        Column("過誤納の通知書番号", "文字列（空欄は期別によらない過誤納）", "250012345"),
        Column("過誤納の論理期別", "数字", "2"),
    )


# --- 時効 events (taxpayers.PrescriptionEvent) ---


def _prescription_rows(window: Window) -> Iterator[dict[str, str]]:
    from taxpayers.models import PrescriptionEvent

    found = [
        s
        for s in states(PrescriptionEvent, window, ids=changed_ids(PrescriptionEvent, window)).values()
        if not (window.is_full and is_deleted(s))
    ]
    assessments = _assessments(s.assessment_id for s in found)
    for state in found:
        yield {
            **_keys_of_assessment(assessments.get(state.assessment_id)),
            "時効事由": state.kind,
            "事由発生年月日": _d(state.occurred_on),
            "根拠記録": state.source,
            **_trailer(state),
        }


def _prescription_columns() -> tuple[Column, ...]:
    from taxpayers.models import PrescriptionEvent

    return (
        Column("時効事由", _code(PrescriptionEvent.Kind.choices), "demand"),
        Column("事由発生年月日", DATE, "2025-07-18"),
        Column("根拠記録", "文字列（例: 滞納処分 S2026000001）", "督促状 D2025000001"),
    )


# --- 納付書発行情報, 催告発送管理情報 (documents: the record of each document issued) ---


def _document_rows(window: Window, form_codes: set[str]) -> Iterator[tuple[object, dict, object, str]]:
    from documents.models import Document

    found = [
        s
        for s in states(Document, window, ids=changed_ids(Document, window)).values()
        if s.form_code in form_codes and not (window.is_full and is_deleted(s))
    ]
    lines = [(state, line) for state in found for line in state.content.get("rows", [])]
    assessments = _assessments(line.get("assessment_id") for _state, line in lines)
    from documents.models import Document as Live

    reissued = dict(
        Live.objects.filter(pk__in={s.reissue_of_id for s in found if s.reissue_of_id}).values_list(
            "pk", "number"
        )
    )
    atena = {s.id: s.content.get("recipient", {}).get("atena_number", "") for s in found}
    for state, line in lines:
        assessment = assessments.get(line.get("assessment_id"))
        # A 分納 slip's line stands for the pledge, not one installment: only 宛名番号 is known.
        keys = _keys_of_assessment(assessment) or {"宛名番号": atena[state.id]}
        yield state, line, keys, reissued.get(state.reissue_of_id, "")


def _slip_rows(window: Window) -> Iterator[dict[str, str]]:
    from documents.catalogue import FormCode

    for state, line, keys, reissue_of in _document_rows(window, {FormCode.PAYMENT_SLIP}):
        slip = state.content.get("slip", {})
        yield {
            **keys,
            "納付書番号": state.number,
            "発行年月日": _d(state.issued_on),
            "指定期限": _d(state.deadline),
            "本税（料）": _n(line.get("principal")),
            "延滞金": _n(line.get("late_charge")),
            "督促手数料": _n(line.get("fee")),
            "期別の合計額": _n(line.get("total")),
            "納付書の合計額": _n(state.total_amount),
            "バーコード情報": slip.get("barcode", ""),
            "発行回数": _n(slip.get("reissue_count", 0) + 1),
            "再発行元納付書番号": reissue_of,
            **_trailer(state),
        }


def _slip_columns() -> tuple[Column, ...]:
    return (
        Column("納付書番号", "文字列（文書番号）", "D2026000123", "発行連番"),
        Column("発行年月日", DATE, "2026-10-01"),
        Column("指定期限", DATE, "2026-10-31", "指定期限"),
        Column("本税（料）", YEN, "65000", "収納額"),
        Column("延滞金", YEN, "3200", "延滞金"),
        Column("督促手数料", YEN, "100", "督促手数料"),
        Column("期別の合計額", YEN, "68300"),
        Column("納付書の合計額", YEN, "68300"),
        Column(
            "バーコード情報",
            "数字（44桁、GS1-128 コンビニ収納。30万円を超える納付書は空欄）",
            "91912345000000002026000123000001234500261031000683004",
            "バーコード情報",
        ),
        Column("発行回数", "数字（1=初回）", "1", "発行回数"),
        Column("再発行元納付書番号", TEXT, ""),
    )


def _notice_rows(window: Window) -> Iterator[dict[str, str]]:
    from documents.catalogue import FormCode

    codes = {FormCode.NOTICE_GENERAL, FormCode.NOTICE_FINAL, FormCode.NOTICE_SEIZURE}
    for state, line, keys, _reissue_of in _document_rows(window, codes):
        yield {
            **keys,
            "催告書番号": state.number,
            "催告区分": state.form_code,
            "発送年月日": _d(state.issued_on),
            "催告_指定期限": _d(state.deadline),
            "時効の完成猶予": "1" if state.is_legal_notice else "0",
            "本税（料）": _n(line.get("principal")),
            "延滞金": _n(line.get("late_charge")),
            "督促手数料": _n(line.get("fee")),
            **_trailer(state),
        }


def _notice_columns() -> tuple[Column, ...]:
    from documents.catalogue import FormCode

    return (
        Column("催告書番号", "文字列（文書番号）", "D2026000200"),
        Column(
            "催告区分",
            _code(
                [
                    (c.value, c.label)
                    for c in (FormCode.NOTICE_GENERAL, FormCode.NOTICE_FINAL, FormCode.NOTICE_SEIZURE)
                ]
            ),
            "03",
            "催告区分（値はこのシステムの帳票コード）",
        ),
        Column("発送年月日", DATE, "2026-10-01", "発送年月日"),
        Column("催告_指定期限", DATE, "2026-10-15", "催告_指定期限"),
        Column("時効の完成猶予", "フラグ（1=民法第150条の催告として記録）", "0"),
        Column("本税（料）", YEN, "65000"),
        Column("延滞金", YEN, "3200"),
        Column("督促手数料", YEN, "100"),
    )


def _layout(key: str, title: str, source: str, columns: tuple[Column, ...], rows) -> Layout:
    return Layout(key, title, source, KEY_COLUMNS + columns + TRAILER_COLUMNS, rows)


def layouts() -> list[Layout]:
    """Every 逆連携 layout, in the order the files are written and the README lists them."""
    return [
        _layout(
            "bunno",
            "分割納付計画情報",
            "negotiations: 分納誓約 and its schedule; one row per 回 and covered 期別",
            _pledge_columns(),
            _pledge_rows,
        ),
        _layout(
            "shobun",
            "差押情報",
            "dispositions: 差押・参加差押・交付要求 (処分コード 01–03), once approved; one row per 期別",
            _seizure_columns(),
            _seizure_rows,
        ),
        _layout(
            "shikkoteishi",
            "執行停止情報",
            "dispositions: 執行停止 (07) and 即時消滅 (08); 消滅 from the 不納欠損 on its ground",
            _suspension_columns(),
            _suspension_rows,
        ),
        _layout(
            "yuyo",
            "徴収（換価）猶予情報",
            "dispositions: 徴収の猶予 (10), 換価の猶予 (11)",
            _postponement_columns(),
            _postponement_rows,
        ),
        _layout(
            "entai",
            "延滞金減免情報",
            "dispositions (地方税法第15条の9 の免除の期間) and reductions (条例減免, decided or cancelled)",
            _relief_columns(),
            _relief_rows,
        ),
        _layout(
            "kesson",
            "不納欠損期別情報",
            "taxpayers.WrittenOff (an approved 不納欠損決議)",
            _writeoff_columns(),
            _writeoff_rows,
        ),
        _layout(
            "juto", "充当明細", "refunds: 充当 and 還付, once approved", _disposal_columns(), _disposal_rows
        ),
        _layout(
            "jiko",
            "時効事由情報",
            "taxpayers.PrescriptionEvent (督促, 承認, 差押, 催告, 猶予 … and their ends)",
            _prescription_columns(),
            _prescription_rows,
        ),
        _layout(
            "nofusho_hakko",
            "納付書発行情報",
            "documents: every 納付書 issued, one row per 期別 printed",
            _slip_columns(),
            _slip_rows,
        ),
        _layout(
            "saikoku_hasso",
            "催告発送管理情報",
            "documents: 催告書・最終催告書・差押予告書 issued, one row per 期別",
            _notice_columns(),
            _notice_rows,
        ),
    ]


def documented(layout: Layout) -> Iterator[tuple[str, str, str, str]]:
    """(header, type, standard item followed, example) for the README's tables."""
    for column in layout.columns:
        yield column.header, column.kind, column.follows or "—", column.example


def stamp(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y%m%d%H%M%S")
