"""Two identical POSTs of a create form made two records (issue 18): every create form is saved
once per submission, by one mechanism (wako_collections/submissions.py)."""

import re
import threading

import pytest
from django.db import connection
from django.urls import reverse

from dispositions.models import InquiryTarget
from negotiations.models import NegotiationRecord
from tests.conftest import sign_in
from tests.negotiations.conftest import CONTACT
from wako_collections.models import FormSubmission

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="submission_token" value="([^"]+)"')


def token_of(page) -> str:
    return TOKEN.search(page.content.decode()).group(1)


def test_a_contact_record_posted_twice_is_saved_once(client, officer, ledger):
    sign_in(client, officer)
    case = client.get(reverse("negotiations:case", args=["000000101"]))
    data = {**CONTACT, "submission_token": token_of(case)}
    url = reverse("negotiations:record_create", args=["000000101"])
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert NegotiationRecord.objects.count() == 1
    page = client.get(second["Location"]).content.decode()
    assert "同じ入力がすでに保存されています" in page


def test_each_rendering_of_the_form_is_a_new_submission(client, officer, ledger):
    sign_in(client, officer)
    url = reverse("negotiations:record_create", args=["000000101"])
    for _ in range(2):
        case = client.get(reverse("negotiations:case", args=["000000101"]))
        client.post(url, {**CONTACT, "submission_token": token_of(case)})
    assert NegotiationRecord.objects.count() == 2


def test_a_refused_submission_keeps_its_token_for_the_corrected_form(client, officer, ledger):
    sign_in(client, officer)
    token = token_of(client.get(reverse("negotiations:case", args=["000000101"])))
    url = reverse("negotiations:record_create", args=["000000101"])
    refused = client.post(url, {**CONTACT, "content": "", "submission_token": token})
    assert refused.status_code == 400 and token_of(refused) == token
    assert not FormSubmission.objects.exists()
    assert client.post(url, {**CONTACT, "submission_token": token}).status_code == 302
    assert NegotiationRecord.objects.count() == 1


def test_an_inquiry_target_posted_twice_is_saved_once(client, officer):
    sign_in(client, officer)
    form = client.get(reverse("dispositions:target_create"))
    data = {
        "kind": InquiryTarget.Kind.values[0],
        "name": "株式会社和光銀行",
        "postal_code": "351-0114",
        "address": "埼玉県和光市本町1-1",
        "is_active": "on",
        "submission_token": token_of(form),
    }
    client.post(reverse("dispositions:target_create"), data)
    client.post(reverse("dispositions:target_create"), data)
    assert InquiryTarget.objects.filter(name="株式会社和光銀行").count() == 1
    assert InquiryTarget.objects.get(name="株式会社和光銀行").postal_code == "3510114"


@pytest.mark.django_db(transaction=True)
def test_two_identical_posts_at_once_make_one_record(officer, ledger):
    from django.test import Client

    clients = [sign_in(Client(), officer) for _ in range(2)]
    token = token_of(clients[0].get(reverse("negotiations:case", args=["000000101"])))
    url = reverse("negotiations:record_create", args=["000000101"])
    answers = []

    def send(c):
        try:
            answers.append(c.post(url, {**CONTACT, "submission_token": token}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert NegotiationRecord.objects.count() == 1
    assert sorted(answers) in ([302, 302], [302, 409])


def test_every_create_view_is_guarded():
    from dispositions import inquiry_views
    from dispositions import views as disposition_views
    from documents import batch_views
    from documents import views as document_views
    from negotiations import views as negotiation_views

    for view in [
        negotiation_views.record_create,
        negotiation_views.pledge_new,
        disposition_views.draft,
        inquiry_views.target_edit,
        inquiry_views.inquiry_new,
        inquiry_views.batch_new,
        document_views.issue,
        document_views.reissue,
        document_views.issue_from,
        batch_views.demand_batch,
        batch_views.notice_batch,
        batch_views.extraction_new,
    ]:
        assert getattr(view, "once_per_submission", False), view.__name__
