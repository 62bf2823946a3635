"""Issue 18, Screens: what staff see and type — names instead of codes, no developer text, the
time and staff-number spellings staff use, the 405 page, the way to a 照会先, the Tab order."""

from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from audit.forms import AccessLogFilterForm, IncidentForm, SecurityEventFilterForm
from dispositions import services as dispositions
from dispositions.models import InquiryTarget
from negotiations.forms import NegotiationForm
from taxpayers.models import Assessment
from tests.conftest import sign_in
from wako_collections.actors import Actor
from wako_collections.formfields import ClockTimeError, ClockTimeField, parse_clock_time

FULL_WIDTH = str.maketrans("0123456789:", "０１２３４５６７８９：")


@given(st.integers(0, 23), st.integers(0, 59), st.booleans(), st.sampled_from(["", " ", "\u3000"]))
def test_a_time_is_read_in_every_spelling_staff_type(hour, minute, full_width, space):
    spellings = [
        f"{hour}:{minute:02d}",
        f"{hour:02d}:{minute:02d}",
        f"{hour}{minute:02d}",
        f"{hour}時{minute}分",
    ]
    if minute == 0:
        spellings.append(f"{hour}時")
    if minute == 30:
        spellings.append(f"{hour}時半")
    if hour < 12:
        assert parse_clock_time(f"午後{hour}時{minute}分") == time(hour + 12, minute)
        assert parse_clock_time(f"午前{hour}時{minute}分") == time(hour, minute)
    for text in spellings:
        typed = text.translate(FULL_WIDTH) if full_width else text
        assert parse_clock_time(f"{space}{typed}{space}") == time(hour, minute), typed


@given(st.integers(24, 99), st.integers(0, 59))
def test_an_hour_past_23_is_refused(hour, minute):
    for text in (f"{hour}:{minute:02d}", f"{hour}時{minute}分"):
        with pytest.raises(ClockTimeError, match="0:00〜23:59"):
            parse_clock_time(text)


@given(st.integers(0, 23), st.integers(60, 99))
def test_a_minute_past_59_is_refused(hour, minute):
    with pytest.raises(ClockTimeError):
        parse_clock_time(f"{hour}:{minute}")


@pytest.mark.parametrize(
    "text", ["", "abc", "14-30", "14:3", "1:2:3", "午後13時", "12345", "14時30", "時30分"]
)
def test_what_is_not_a_time_is_refused_in_japanese(text):
    field = ClockTimeField(required=True)
    with pytest.raises(ValidationError) as raised:
        field.clean(text)
    message = " ".join(raised.value.messages)
    assert ("時刻は 14:30" in message) if text else ("必須" in message or "入力" in message), message


def test_the_negotiation_form_takes_14時30分_and_puts_the_main_text_second():
    form = NegotiationForm()
    assert list(form.fields)[:2] == ["contact_kind", "content"]
    assert form.fields["scheduled_time"].clean("１４時３０分") == time(14, 30)


@pytest.mark.parametrize("form_class", [AccessLogFilterForm, SecurityEventFilterForm])
def test_a_full_width_staff_number_is_read_in_the_audit_filters(form_class):
    form = form_class({"staff_number": "ｓ１００１\u3000"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["staff_number"] == "S1001"


def test_the_incident_form_reads_a_full_width_staff_number_and_a_japanese_time():
    form = IncidentForm(
        {
            "staff_number": "Ｓ１００１",
            "date_from": "R8.11.1",
            "date_to": "R8.11.2",
            "time_from": "9時",
            "time_to": "17時30分",
        }
    )
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["staff_number"], form.cleaned_data["time_to"]) == ("S1001", time(17, 30))


@pytest.mark.django_db
def test_a_get_of_a_post_only_page_answers_405_in_japanese(client, officer):
    sign_in(client, officer)
    response = client.get(reverse("accounts:keepalive"))
    assert response.status_code == 405
    html = response.content.decode()
    assert "この操作はできません" in html and "送信（POST）" in html
    assert "POST" in response["Allow"]


@pytest.mark.django_db
def test_the_search_opens_on_the_name_box(client, officer):
    sign_in(client, officer)
    html = client.get(reverse("taxpayers:search")).content.decode()
    name_input = html[html.index('name="name"') - 200 : html.index('name="name"') + 200]
    assert "autofocus" in name_input
    assert html.count("autofocus") == 1


@pytest.mark.django_db
def test_an_inquiry_without_any_target_leads_to_registering_one(client, officer, ledger):
    sign_in(client, officer)
    assert not InquiryTarget.objects.exists()
    html = client.get(reverse("dispositions:inquiry_new", args=["000000101"])).content.decode()
    assert "照会先（金融機関・勤務先・他市区町村など）がまだ登録されていません" in html
    assert reverse("dispositions:target_create") in html
    batch = client.get(reverse("dispositions:batch_new")).content.decode()
    assert reverse("dispositions:target_create") in batch


@pytest.mark.django_db
def test_disposition_rows_show_the_subject_name_and_the_staff_number(client, officer, ledger):
    assessment = Assessment.objects.get(notice_number="210000101")
    disposition = dispositions.draft_disposition(
        actor=Actor.for_staff(officer, "T0001"),
        taxpayer=assessment.taxpayer,
        assessment_ids=[assessment.pk],
        code="07",
        category="71",
        reason="財産なし",
        planned_on=date(2023, 7, 1),
    )
    sign_in(client, officer)
    html = client.get(reverse("dispositions:detail", args=[disposition.number])).content.decode()
    rows = html[html.index("<th>科目</th>") :]
    assert "固定資産税・都市計画税" in rows and "<td>02</td>" not in rows
    assert "職員番号 S1001" in rows and officer.atena_number not in rows


@pytest.mark.django_db
def test_the_prescription_page_names_the_law_not_a_source_file(client, officer, ledger):
    sign_in(client, officer)
    html = client.get(reverse("dispositions:prescriptions", args=["000000101"])).content.decode()
    assert "地方税法第18条" in html
    assert ".py" not in html
