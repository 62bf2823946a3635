"""Each form as a taxpayer, a bank or an employer reads it, checked on the PDF's text (pdftotext):
the 教示 where the form is a 処分 and nowhere else, the citations that apply to whom it goes to, the
city's contact block, every page identified with n／N, and the amounts equal to the ledger's."""

import io
import re
import shutil
import subprocess
from datetime import date

import pytest
import time_machine
from django.template.loader import get_template

from dispositions.models import InquiryTarget
from documents import catalogue, services
from documents.amounts import installment_amounts, tax_words, totals
from documents.catalogue import FORMS, FormCode
from taxpayers.models import Assessment, Taxpayer
from tests.documents.test_documents import notice, pdf_text
from tests.documents.test_record_forms import disposition, fixed_asset, inquiry, issue, taro
from tests.documents.test_record_forms import pledge as pledge
from wako_collections.actors import Actor

pytestmark = pytest.mark.django_db

CONTACT = ["お問い合わせ先", "和光市総務部収納課", "埼玉県和光市広沢1番5号", "電話048-424-9111"]


def pages(pdf: bytes) -> list[str]:
    """The text of each page, spacing removed."""
    out = subprocess.run(
        [shutil.which("pdftotext"), "-raw", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return [re.sub(r"\s+", "", page) for page in out.split("\f") if page.strip()]


def assert_every_page_identified(pdf: bytes, document, *, atena: bool = True) -> None:
    texts = pages(pdf)
    for n, text in enumerate(texts, start=1):
        assert f"文書番号{document.number}{n}／{len(texts)}頁" in text, (n, text[-80:])
        if atena:
            assert f"宛名番号{document.taxpayer.atena_number}" in text


def printed_amounts(pdf: bytes) -> set[str]:
    """Every amount of 1,000 yen or more printed, as the separate words pdftotext finds."""
    out = subprocess.run(
        [shutil.which("pdftotext"), "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return set(re.findall(r"(?<![\d,])\d{1,3}(?:,\d{3})+(?![\d,])", out))


# --- the declaration ---------------------------------------------------------------------------


def test_every_form_code_is_declared_once_with_a_template_that_exists():
    assert set(FORMS) == {code.value for code in FormCode}
    for spec in FORMS.values():
        get_template(spec.template)
        assert spec.records
        if spec.prescription:
            assert spec.prescription_basis  # the 時効 rule is named, for the office


def test_every_kind_of_inquiry_target_has_its_citation():
    assert set(catalogue.INQUIRY_CITATIONS) == {kind.value for kind in InquiryTarget.Kind}
    assert "第27条第1項第1号" in catalogue.INQUIRY_CITATIONS["bank"].may_answer
    assert "第69条" in catalogue.INQUIRY_CITATIONS["municipality"].may_answer


def test_lists_that_used_to_be_kept_by_hand_come_from_the_declaration():
    assert catalogue.codes(batch_extraction=True) == ["03", "04", "05"]
    assert catalogue.codes(source=catalogue.Source.LEDGER) == ["01", "02", "03", "04", "05"]
    assert {c for c, s in FORMS.items() if s.appeal} == {"02", "31", "32", "34", "36", "37", "38", "41", "42"}


def test_a_notice_names_insurance_tax_only_when_it_lists_one():
    assert tax_words(["02"]) == "市税"
    assert tax_words(["05"]) == "国民健康保険税"
    assert tax_words(["01", "06"]) == "市税及び国民健康保険料"


# --- ledger forms ------------------------------------------------------------------------------


def test_a_demand_carries_the_appeal_notice_the_contact_block_and_the_ledgers_amounts(officer, ledger):
    document = notice(officer, form="02")
    pdf = services.render_document(document)
    text = pdf_text(pdf)
    assert "教示" in text and "和光市長に対して審査請求" in text and "3か月以内" in text
    assert "和光市を被告として" in text and "6か月以内" in text and "地方税法第19条の4第1号" in text
    assert "裁決を経た後でなければ提起することができません" in text
    assert all(part in text for part in CONTACT)
    assert "（保険税）" not in text and "保険税" not in text  # lists only 固定資産税
    assert_every_page_identified(pdf, document)
    expected = installment_amounts(
        document.taxpayer, as_of=date(2022, 1, 31), assessment_ids=[fixed_asset().pk]
    )
    sums = totals(line.row() for line in expected)
    assert document.total_amount == sums["total"]
    assert {f"{v:,}" for v in sums.values() if v >= 1000} <= printed_amounts(pdf)


@pytest.mark.parametrize("form", ["03", "04", "05"])
def test_notices_are_not_a_disposition_carry_no_appeal_notice_and_keep_time_bar_rules_internal(
    officer, ledger, form
):
    document = notice(officer, form=form)
    pdf = services.render_document(document)
    text = pdf_text(pdf)
    assert "教示" not in text and "民法" not in text and "時効" not in text
    assert all(part in text for part in CONTACT)
    assert_every_page_identified(pdf, document)
    assert f"{document.total_amount:,}" in text


def test_a_payment_slip_prints_whom_to_ask(officer, ledger):
    document = notice(officer, form="01")
    text = pdf_text(services.render_document(document))
    assert "お問い合わせ先" in text and "電話048-424-9111" in text and "教示" not in text


# --- pledge ------------------------------------------------------------------------------------


def test_the_pledge_prints_one_set_of_figures_the_ledgers(officer, pledge):
    document = issue(officer, pledge)
    text = pdf_text(services.render_document(document))
    lines = installment_amounts(pledge.taxpayer, as_of=date(2026, 11, 27), assessment_ids=[fixed_asset().pk])
    sums = totals(line.row() for line in lines)
    assert f"未納額合計{sums['total']:,}円" in text and f"うち延滞金{sums['late_charge']:,}円" in text
    assert f"計画（合計{43_000:,}円）" in text and "計画の合計43,000" in text
    remainder = sums["total"] - 43_000
    assert f"差し引いた{remainder:,}円" in text
    assert all(part in text for part in CONTACT)


def test_a_pledge_payment_slip_names_the_subject_and_year_not_only_the_round(officer, pledge):
    document = issue(officer, pledge.schedule.get(sequence=1))
    text = pdf_text(services.render_document(document))
    assert "固定資産税・都市計画税" in text and "令和3年度" in text and "第1回（全2回）" in text


# --- inquiries ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("purpose", "kind", "cited", "not_cited"),
    [
        ("deposits", "bank", "個人情報の保護に関する法律第27条第1項第1号", "第69条"),
        ("salary", "employer", "個人情報の保護に関する法律第27条第1項第1号", "第69条"),
        ("residence", "municipality", "個人情報の保護に関する法律第69条第1項", "第27条"),
    ],
)
def test_an_inquiry_cites_what_lets_its_recipient_answer_and_carries_a_reply_page(
    officer, ledger, purpose, kind, cited, not_cited
):
    letter = issue(officer, inquiry(officer, purpose, kind))
    pdf = services.render_document(letter)
    text = pdf_text(pdf)
    assert cited in text and not_cited not in text
    assert ("国税徴収法第141条" in text) == (kind != "municipality")
    assert "御中" in text and "様" not in text.split("御中")[0][-3:]
    texts = pages(pdf)
    assert len(texts) == 2 and "回答書" in texts[1] and "回答者の所在地" in texts[1]
    assert_every_page_identified(pdf, letter, atena=False)
    assert all(part in text for part in CONTACT)


# --- dispositions ------------------------------------------------------------------------------


def test_seizure_forms_name_the_officer_the_recorded_day_and_carry_the_appeal_notice(
    officer, supervisor, ledger
):
    seizure = disposition(
        officer,
        supervisor,
        "01",
        "11",
        property_description="普通預金 口座番号1234567",
        third_party_name="埼玉和光銀行",
        third_party_branch="駅前支店",
        third_party_postal_code="3510114",
        third_party_address="埼玉県和光市本町2-1",
    )
    disposed_on = seizure.rows.get().disposed_on
    assert disposed_on != seizure.planned_on
    from wako_collections.eras import format_date

    record = issue(officer, seizure, "31")
    pdf = services.render_document(record)
    text = pdf_text(pdf)
    assert "徴収職員山田太郎" in text and "S1001" not in text
    assert f"差押えの日{format_date(disposed_on)}" in text and format_date(seizure.planned_on) not in text
    assert "教示（差押え）" in text and "地方税法第19条の4第2号" in text
    assert_every_page_identified(pdf, record)
    row = seizure.rows.get()
    assert f"{row.principal + row.demand_fee + row.late_charge:,}" in text
    notice_pdf = services.render_document(issue(officer, seizure, "32"))
    notice_text = pdf_text(notice_pdf)
    # addressed to the 第三債務者 as a business: its branch, postcode and address, 御中 (not 様)
    assert "〒351-0114埼玉県和光市本町2-1埼玉和光銀行駅前支店御中" in notice_text
    assert "教示" in notice_text and "様" not in notice_text.split("御中")[0]
    assert all(part in notice_text for part in CONTACT)


def test_suspension_carries_the_appeal_notice_release_and_delivery_request_do_not(
    officer, supervisor, ledger
):
    request = disposition(
        officer,
        supervisor,
        "03",
        "00",
        property_description="競売事件",
        third_party_name="さいたま地方裁判所",
    )
    text = pdf_text(services.render_document(issue(officer, request, "35")))
    assert "教示" not in text and "さいたま地方裁判所御中" in text
    assert all(part in text for part in CONTACT)
    stop = disposition(officer, supervisor, "07", "71")
    text = pdf_text(services.render_document(issue(officer, stop, "34")))
    assert "教示" in text and "審査請求" in text


# --- a batch's combined PDF --------------------------------------------------------------------


def test_a_combined_pdf_numbers_each_documents_pages_on_their_own_and_can_be_split(officer, ledger):
    from pypdf import PdfReader

    letter = issue(officer, inquiry(officer, "deposits", "bank"))
    demand = notice(officer, form="02")
    pdf = services.render_combined([letter.content, demand.content, letter.content])
    texts = pages(pdf)
    assert len(texts) == 5
    assert "1／2頁" in texts[0] and "2／2頁" in texts[1] and "1／1頁" in texts[2] and "2／2頁" in texts[4]
    assert f"宛名番号{demand.taxpayer.atena_number}" in texts[2]
    reader = PdfReader(io.BytesIO(pdf))
    starts = [reader.get_destination_page_number(item) for item in reader.outline]
    assert starts == [0, 2, 3]
    assert demand.number in reader.outline[1].title


def test_all_ledger_rows_carry_the_subject_code_for_the_tax_words(ledger):
    rows = installment_amounts(Taxpayer.objects.get(atena_number="000000101"), as_of=date(2026, 1, 1))
    assert rows and all(r.subject_code for r in rows)
    assert Assessment.objects.filter(pk__in=[r.assessment_id for r in rows]).count() == len(rows)


# --- from the case in one go -------------------------------------------------------------------


def test_every_coming_pledge_slip_is_issued_in_one_go_and_printed_as_one_pdf(client, officer, pledge):
    from django.urls import reverse

    from tests.conftest import sign_in

    sign_in(client, officer)
    url = reverse("documents:issue_from", args=["pledge", pledge.pledge_number]) + "?form=01"
    with time_machine.travel(date(2026, 11, 27), tick=False):
        page = client.get(url)
        assert "これから納付する2回分" in page.content.decode()
        response = client.post(url, {"form": "01"})
        pdf = client.get(response.url).content
    slips = list(pledge.taxpayer.documents.filter(form_code="01").order_by("number"))
    assert len(slips) == 2 and [d.total_amount for d in slips] == [20_000, 23_000]
    assert response.url == reverse("documents:set_pdf", args=[slips[0].number, slips[1].number])
    texts = pages(pdf)
    assert len(texts) == 2 and all("1／1頁" in t for t in texts)
    assert "第1回（全2回）" in texts[0] and "第2回（全2回）" in texts[1]


def test_a_notice_with_its_payment_slip_enclosed_is_two_documents_recorded_together(officer, ledger):
    documents = services.issue_notice_with_slip(
        actor=Actor.for_staff(officer, "T0001"),
        form_code="03",
        taxpayer=taro(),
        assessment_ids=[fixed_asset().pk],
        issued_on=date(2022, 1, 10),
        deadline=date(2022, 1, 31),
    )
    assert [d.form_code for d in documents] == ["03", "01"]
    assert documents[0].total_amount == documents[1].total_amount
    assert services.documents_in_set(documents[0].number, documents[1].number) == documents
    with pytest.raises(services.DocumentError):
        services.issue_notice_with_slip(
            actor=Actor.for_staff(officer, "T0001"),
            form_code="02",
            taxpayer=taro(),
            assessment_ids=[fixed_asset().pk],
            issued_on=date(2022, 1, 10),
            deadline=date(2022, 1, 31),
        )


def test_a_set_is_one_taxpayers_documents_only(officer, ledger):
    first = notice(officer, form="03")
    assert services.documents_in_set(first.number, "D2099000001") == []
    assert services.documents_in_set(first.number, first.number) == [first]


# --- layout: rows and dates whole --------------------------------------------------------------


def long_notice_content(rows: int) -> dict:
    from documents import content

    lines = [
        {
            "assessment_id": i,
            "subject_code": "01",
            # wraps to three lines: a row split at a page break would leave its last line on the next page
            "subject": f"固定資産税・都市計画税（共有 和光太郎 外2名 持分2分の1 物件{i:03d}）",
            "year": "令和5年度",
            "notice_number": f"N{i:07d}",
            "period": 1 + i % 4,
            "due_date": "令和5年12月31日",
            "principal": 100_000 + i,
            "fee": 0,
            "late_charge": 12_300,
            "total": 112_300 + i,
        }
        for i in range(rows)
    ]
    return {
        **content.header("03", date(2026, 11, 27), date(2026, 12, 18)),
        "number": "D2026999999",
        "recipient": {
            "name": "和光 太郎",
            "postal_code": "3510192",
            "address": "埼玉県和光市広沢1-5",
            "atena_number": "000000101",
        },
        **content.rows_with_words(lines),
    }


def test_a_long_notice_keeps_each_row_whole_on_one_page_and_identifies_every_page():
    pdf = services.render_combined([long_notice_content(70)])
    texts = pages(pdf)
    assert len(texts) >= 2
    for n, text in enumerate(texts, start=1):
        assert f"宛名番号000000101催告書文書番号D2026999999{n}／{len(texts)}頁" in text
        assert "納期限" in text  # the table's header repeats on every page
    for i in range(70):
        # a row's first and last lines and its total print on the same page
        assert any(f"N{i:07d}" in t and f"物件{i:03d}" in t and f"{112_300 + i:,}" in t for t in texts), i


def test_no_date_or_amount_is_broken_across_lines(officer, pledge):
    document = issue(officer, pledge)
    layout = subprocess.run(
        [shutil.which("pdftotext"), "-layout", "-", "-"],
        input=services.render_document(document),
        capture_output=True,
        check=True,
    ).stdout.decode()
    for whole in ["令和8年11月27日現在", "令和3年5月31日", "令和9年1月25日", "43,000円", "電話 048-424-9111"]:
        assert any(whole in line for line in layout.splitlines()), whole


# --- every declared form, so that a new one cannot skip the checks ----------------------------


def distribution_statement(officer, supervisor, seizure):
    """An approved 配当計算書: a 取立 on `seizure` today, with a 交付要求 of the tax office beside it."""
    from django.utils import timezone

    from dispositions import collections
    from dispositions.distribution import Claim
    from dispositions.models import Collection

    today = timezone.localdate()
    collection = collections.record_collection(
        actor=Actor.for_staff(officer, "T0001"),
        disposition=seizure,
        collected_on=today,
        amount=20_000,
        method=Collection.Method.TRANSFER,
        other_claimants=True,
    )
    statement = collections.draft_distribution(
        actor=Actor.for_staff(officer, "T0001"),
        collection=collection,
        claims=[Claim("delivery_request", "和光税務署", 30_000, today)],
        sent_on=today,
    )
    return collections.approve_distribution(actor=Actor.for_staff(supervisor, "T0001"), statement=statement)


def reduction_notices(officer, supervisor, assessment) -> tuple[list, list]:
    """A 条例減免 decided (its 決定通知書) and then cancelled (its 取消通知書)."""
    from django.utils import timezone

    from reductions import services as reductions

    today = timezone.localdate()
    reduction = reductions.apply_for_reduction(
        actor=Actor.for_staff(officer, "T0001"),
        assessment=assessment,
        applied_on=today,
        reason="災害により事業所が被災したため",
        requested_amount=1_000,
    )
    boss = Actor.for_staff(supervisor, "T0001")
    reduction = reductions.decide_reduction(
        actor=boss, reduction=reduction, category="amount", amount=1_000, note="条例の事由に該当"
    )
    decision = issue(officer, reduction, "37")
    reduction = reductions.cancel_reduction(actor=boss, reduction=reduction, reason="事由が消滅したため")
    return [decision], [issue(officer, reduction, "38")]


def disposal_notices(officer, supervisor, taxpayer) -> tuple[list, list]:
    """A 過誤納金 larger than every arrear: 充当 to each (its 充当通知書), the rest 還付 (its 還付通知書)."""
    from refunds import services as refunds
    from refunds.models import Overpayment

    today = date(2022, 1, 10)  # while 000000101's 2021 installments are still owed
    clerk, boss = Actor.for_staff(officer, "T0001"), Actor.for_staff(supervisor, "T0001")
    overpayment = refunds.record_overpayment(
        actor=clerk,
        taxpayer=taxpayer,
        amount=10_000_000,
        cause=Overpayment.Cause.DOUBLE_PAYMENT,
        arose_on=today,
        source_reference="窓口での二重納付",
    )
    appropriations = refunds.propose_appropriations(actor=clerk, overpayment=overpayment, as_of=today)
    account = refunds.BankAccount(
        bank_name="埼玉りそな銀行",
        bank_code="0017",
        branch_name="和光支店",
        branch_code="123",
        account_type="1",
        account_number="1234567",
        account_holder_kana="ワコウ タロウ",
    )
    refund = refunds.propose_refund(actor=clerk, overpayment=overpayment, account=account, as_of=today)
    approved = [refunds.approve_disposal(actor=boss, disposal=d, decided_on=today) for d in appropriations]
    refund = refunds.approve_disposal(actor=boss, disposal=refund, decided_on=today)
    return [issue(officer, approved[0], "41")], [issue(officer, refund, "42")]


def every_form(officer, supervisor, pledge) -> dict[str, list]:
    """One issued document of each declared form code (and a 分納 納付書)."""
    from django.utils import timezone

    from dispositions import services as disposition_services

    made: dict[str, list] = {}
    for code in ["01", "02", "03", "04", "05"]:
        made.setdefault(code, []).append(notice(officer, form=code))
    made["01"].append(issue(officer, pledge.schedule.get(sequence=1)))
    made["21"] = [issue(officer, pledge)]
    for purpose, kind, code in [
        ("deposits", "bank", "11"),
        ("salary", "employer", "12"),
        ("residence", "municipality", "13"),
    ]:
        made[code] = [issue(officer, inquiry(officer, purpose, kind))]
    seizure = disposition(
        officer,
        supervisor,
        "01",
        "11",
        property_description="普通預金 口座番号1234567",
        third_party_name="埼玉和光銀行",
        third_party_postal_code="3510114",
        third_party_address="埼玉県和光市本町2-1",
    )
    made["31"] = [issue(officer, seizure, "31")]
    made["32"] = [issue(officer, seizure, "32")]
    made["36"] = [issue(officer, distribution_statement(officer, supervisor, seizure))]
    release = disposition_services.draft_cancellation(
        actor=Actor.for_staff(officer, "T0001"),
        disposition=seizure,
        category="4",
        reason="完納のため差押解除",
        cancelled_on=timezone.localdate(),
    )
    disposition_services.approve_cancellation(
        actor=Actor.for_staff(supervisor, "T0001"), cancellation=release
    )
    seizure.refresh_from_db()
    made["33"] = [issue(officer, seizure, "33")]
    request = disposition(
        officer,
        supervisor,
        "03",
        "00",
        property_description="競売事件",
        third_party_name="さいたま地方裁判所",
    )
    made["35"] = [issue(officer, request, "35")]
    made["34"] = [issue(officer, disposition(officer, supervisor, "07", "71"), "34")]
    made["37"], made["38"] = reduction_notices(officer, supervisor, pledge.assessments.first())
    made["41"], made["42"] = disposal_notices(officer, supervisor, pledge.taxpayer)
    return made


def test_every_declared_form_carries_its_declaration_on_paper(officer, supervisor, pledge):
    made = every_form(officer, supervisor, pledge)
    assert set(made) == set(FORMS)  # a new FormSpec needs its sample here
    for code, documents in made.items():
        spec = FORMS[code]
        for document in documents:
            pdf = services.render_document(document)
            text = pdf_text(pdf)
            assert spec.label in text or code == "01", code
            # whom to ask: the full block, or on the 納付書 the office and its phone
            assert "お問い合わせ先" in text and "電話048-424-9111" in text, code
            # The 配当計算書's copies for other claimants do not carry the taxpayer's 宛名番号.
            assert_every_page_identified(
                pdf, document, atena=spec.recipient.honorific == "様" and code != "36"
            )
            assert ("教示" in text) == bool(spec.appeal), code
            if spec.legal_basis:
                assert re.sub(r"\s+", "", spec.legal_basis)[:12] in text, code
            assert spec.prescription_basis == "" or spec.prescription_basis not in text, code
            assert "保険税" not in text and "上記へ" not in text, code
            honorific = "様" if spec.recipient == catalogue.Recipient.TAXPAYER else "御中"
            if spec.recipient != catalogue.Recipient.CITY:
                addressee = re.sub(r"\s+", "", document.content["recipient"]["name"])
                assert addressee + honorific in text, code
            if document.content.get("rows") and code != "01":
                assert f"{document.content['totals']['total']:,}" in text, code


def test_the_issue_page_offers_select_all_and_an_enclosed_payment_slip(client, officer, ledger):
    from django.urls import reverse

    from tests.conftest import sign_in

    sign_in(client, officer)
    html = client.get(reverse("documents:issue", args=["000000101"])).content.decode()
    assert "js/select_all.js" in html and 'name="enclose_slip"' in html
    assert "民法第150条" in html and "帳票には印刷しません" in html  # said to staff, not to the taxpayer


@pytest.mark.parametrize("digits", [11, 14, 20])
def test_a_long_notice_number_stays_inside_its_cell(officer, ledger, digits):
    """The 通知書番号 column of a 督促状's rows: a number of 11 digits (the 税務システム's) and longer,
    up to the 20 the ledger holds, ends before the 期別 starts (a new user's trial found 11 digits
    printed over 「第5期」)."""
    number = "2605000002512345678901"[:digits]
    assessment = fixed_asset()
    Assessment.objects.filter(pk=assessment.pk).update(notice_number=number)
    document = services.issue_document(
        actor=Actor.for_staff(officer, "T0001"),
        form_code="02",
        taxpayer=assessment.taxpayer,
        assessment_ids=[assessment.pk],
        issued_on=date(2022, 1, 10),
        deadline=date(2022, 1, 31),
    )
    pdf = services.render_document(document)
    out = subprocess.run(
        [shutil.which("pdftotext"), "-bbox", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    words = [
        (float(x0), float(y0), float(x1), text)
        for x0, y0, x1, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', out
        )
    ]
    parts = [w for w in words if w[3].isdigit() and w[3] in number and len(w[3]) >= 3]
    assert "".join(w[3] for w in parts).startswith(number[:8])
    # the row's 期別: the 「第N期」 nearest the number (a wrapped number makes the row taller)
    period = min((w for w in words if re.fullmatch(r"第\d+期", w[3])), key=lambda w: abs(w[1] - parts[0][1]))
    assert abs(period[1] - parts[0][1]) < 20
    assert max(w[2] for w in parts) <= period[0]
