"""住民基本台帳の支援措置 (DV等支援措置): the flag comes with the 宛名 file and keeps its history;
the address is masked on screens unless shown with a reason (logged), the pages warn, and no
form that reaches a third party prints it (checked in the PDF's text)."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import SecurityEvent
from documents import content as contents
from documents import services
from documents.catalogue import FORMS, Recipient
from taxpayers.individual_numbers import RevealPurpose
from taxpayers.models import Taxpayer, TaxpayerAccess
from tests.conftest import sign_in
from tests.documents.test_documents import pdf_text
from tests.documents.test_form_text import distribution_statement
from tests.documents.test_record_forms import disposition, inquiry, issue
from tests.taxpayers.conftest import PERSON_HEADER, PERSONS

pytestmark = pytest.mark.django_db

ADDRESS, EXTRA = "埼玉県和光市広沢1-5", "広沢ハイツ101"


def import_persons(write_csv, batch_actor, header, rows):
    from taxpayers.importing import run_import, start_log

    path = write_csv("persons-again.csv", header, rows)
    log = run_import(
        log=start_log(kind="persons", path=path, file_name=path.name, actor=batch_actor),
        path=path,
        actor=batch_actor,
    )
    assert log.result == "succeeded", log.errors
    return log


@pytest.fixture
def protected(ledger, write_csv, batch_actor):
    """和光 太郎 under the 支援措置, as the next 宛名 file says."""
    import_persons(write_csv, batch_actor, PERSON_HEADER + ",支援措置", [PERSONS[0] + ",1"])
    return Taxpayer.objects.get(atena_number="000000101")


def test_the_flag_comes_with_the_file_keeps_history_and_an_old_file_leaves_it(
    protected, write_csv, batch_actor
):
    assert protected.support_measure is True
    assert protected.history.first().support_measure is True
    assert protected.history.first().history_change_reason == "宛名の取込（更新）"
    # a file in the layout before issue 20 (without the column) does not lift the flag
    import_persons(
        write_csv, batch_actor, PERSON_HEADER, [PERSONS[0].replace("048-424-0001", "048-424-0002")]
    )
    protected.refresh_from_db()
    assert protected.support_measure is True and protected.phone == "048-424-0002"
    # the 住基 lifts it: 0
    import_persons(write_csv, batch_actor, PERSON_HEADER + ",支援措置", [PERSONS[0] + ",0"])
    protected.refresh_from_db()
    assert protected.support_measure is False


def test_a_bad_flag_is_refused_with_its_line(ledger, write_csv, batch_actor):
    from taxpayers.importing import ImportRejected, run_import, start_log
    from taxpayers.models import ImportLog

    path = write_csv("bad.csv", PERSON_HEADER + ",支援措置", [PERSONS[0] + ",2"])
    with pytest.raises(ImportRejected):
        run_import(
            log=start_log(kind="persons", path=path, file_name=path.name, actor=batch_actor),
            path=path,
            actor=batch_actor,
        )
    log = ImportLog.objects.get(file_name="bad.csv")
    assert log.result == "rejected"
    assert Taxpayer.objects.get(atena_number="000000101").support_measure is False
    message = "「2」は指定できません（0=なし、1=あり）。"
    assert {"line": 2, "column": "支援措置", "message": message} in log.errors


def test_the_pages_mask_the_address_and_warn(client, officer, protected):
    sign_in(client, officer)
    page = client.get(reverse("taxpayers:detail", args=["000000101"])).content.decode()
    assert ADDRESS not in page and EXTRA not in page
    assert "支援措置（DV等支援措置）の対象者です" in page and "（支援措置対象のため非表示）" in page
    found = client.get(reverse("taxpayers:search"), {"name": "和光"}).content.decode()
    assert "和光 太郎" in found and ADDRESS not in found
    case = client.get(reverse("negotiations:case", args=["000000101"])).content.decode()
    assert "支援措置（DV等支援措置）の対象者です" in case and ADDRESS not in case
    # an unflagged taxpayer's page shows the address and no warning
    other = client.get(reverse("taxpayers:detail", args=["000000102"])).content.decode()
    assert "埼玉県和光市下新倉3-2-1" in other and "支援措置" not in other


def test_the_address_is_shown_once_for_a_purpose_and_a_reason_and_logged(
    client, officer, read_only, protected
):
    url = reverse("taxpayers:reveal_address", args=["000000101"])
    sign_in(client, officer)
    assert ADDRESS not in client.get(url).content.decode()
    refused = client.post(
        url, {"purpose": RevealPurpose.RESIDENCE_INQUIRY, "reason": "。。"}
    ).content.decode()
    assert ADDRESS not in refused and "理由を具体的に入力してください" in refused
    assert not TaxpayerAccess.objects.filter(page="住所表示（支援措置対象）").exists()
    shown = client.post(
        url, {"purpose": RevealPurpose.RESIDENCE_INQUIRY, "reason": "臨戸訪問の行き先を確認するため"}
    ).content.decode()
    assert f"{ADDRESS} {EXTRA}" in shown
    access = TaxpayerAccess.objects.get(page="住所表示（支援措置対象）")
    assert "目的: 所在調査" in access.detail and "臨戸訪問の行き先を確認するため" in access.detail
    assert access.staff_number == "S1001"
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.PROTECTED_ADDRESS_SHOWN)
    assert "000000101" in event.detail and "臨戸訪問" in event.detail
    sign_in(client, read_only)
    assert client.get(url).status_code == 403


def test_every_form_that_reaches_a_third_party_is_declared_so():
    third = {code for code, spec in FORMS.items() if spec.reaches_third_party}
    assert third == {"11", "12", "13", "32", "35", "36"}
    assert all(
        FORMS[c].recipient == Recipient.TAXPAYER or FORMS[c].recipient == Recipient.CITY
        for c in FORMS.keys() - third
    )


@pytest.mark.parametrize(
    ("purpose", "kind"), [("deposits", "bank"), ("salary", "employer"), ("residence", "municipality")]
)
def test_an_inquiry_letter_never_prints_a_protected_address(officer, protected, purpose, kind):
    text = pdf_text(services.render_document(issue(officer, inquiry(officer, purpose, kind))))
    assert "和光太郎" in text and "昭和50年4月1日" in text  # still identified by name and birth date
    assert "広沢1-5" not in text and EXTRA not in text  # (the city hall is 広沢1番5号)


def test_seizure_and_delivery_request_notices_to_others_never_print_it_the_taxpayers_own_do(
    officer, supervisor, protected
):
    seizure = disposition(
        officer,
        supervisor,
        "01",
        "11",
        property_description="普通預金 口座番号1234567",
        third_party_name="埼玉和光銀行",
        third_party_address="埼玉県和光市本町2-1",
    )
    to_bank = pdf_text(services.render_document(issue(officer, seizure, "32")))
    assert (
        "債権差押通知書" in to_bank
        and "和光太郎" in to_bank
        and "広沢1-5" not in to_bank
        and EXTRA not in to_bank
    )
    # the 差押調書 goes to the taxpayer and must name the 住所 (国税徴収法施行令第21条)
    to_taxpayer = pdf_text(services.render_document(issue(officer, seizure, "31")))
    assert "埼玉県和光市広沢1-5" in to_taxpayer
    request = disposition(
        officer,
        supervisor,
        "03",
        "00",
        property_description="不動産競売事件",
        third_party_name="さいたま地方裁判所",
    )
    to_court = pdf_text(services.render_document(issue(officer, request, "35")))
    assert (
        "交付要求書" in to_court
        and "和光太郎" in to_court
        and "広沢1-5" not in to_court
        and EXTRA not in to_court
    )
    statement = distribution_statement(officer, supervisor, seizure)
    built = contents.distribution_content(statement, date(2026, 11, 27))
    assert built["delinquent"]["address"] == ""  # the claimants' copies name the 滞納者 without it
    assert built["copies"][0]["address"].startswith(ADDRESS)  # the taxpayer's own copy is addressed to them


def test_without_the_flag_the_third_party_forms_print_the_address(officer, ledger):
    text = pdf_text(services.render_document(issue(officer, inquiry(officer, "deposits", "bank"))))
    assert "埼玉県和光市広沢1-5" in text
