"""Every URL pattern × every persona → the expected answer. Deny by default: a URL pattern
missing from MATRIX fails test_every_url_pattern_has_a_row, so a new view cannot ship without
saying who may reach it.

Expected values: 200/403/404 are statuses; "→name" is a redirect to that URL name.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.assessments import add_assessment

PERSONAS = ["anonymous", "password_only", "officer", "supervisor", "read_only", "administrator"]

LOGIN, VERIFY, HOME = "→accounts:login", "→accounts:verify", "→home"


def row(anonymous, password_only, officer, supervisor, read_only, administrator):
    return dict(
        zip(PERSONAS, [anonymous, password_only, officer, supervisor, read_only, administrator], strict=True)
    )


def signed_in_only(status=200):
    return row(LOGIN, VERIFY, status, status, status, status)


def menu(officer, supervisor, read_only, administrator):
    return row(LOGIN, VERIFY, officer, supervisor, read_only, administrator)


ADMIN_ONLY = menu(403, 403, 403, 200)
# 権限変更・端末登録の確認: administrators request, PRIVILEGE_CONFIRMER_ROLES (監督者, システム管理者) decide.
PRIVILEGE_REVIEW = menu(403, 200, 403, 200)
SUPERVISOR_ONLY = menu(403, 200, 403, 403)
LEDGER = menu(200, 200, 200, 403)  # 収納状況照会: never the system administrator
REVEAL = menu(200, 200, 403, 403)
IMPORTS = SUPERVISOR_ONLY
CASEWORK = menu(200, 200, 403, 403)  # 交渉記録 and 分納誓約
POST_ONLY_CASEWORK = menu(405, 405, 403, 403)


# url name → (kwargs builder taking the fixtures dict, expected per persona)
def POST_ONLY(expected):
    """A POST-only view: a permitted GET is answered 405, a refused one as the role says."""
    return {persona: 405 if want == 200 else want for persona, want in expected.items()}


MATRIX = {
    "home": (None, signed_in_only()),
    "accounts:login": (None, row(200, 200, HOME, HOME, HOME, HOME)),
    "accounts:verify": (None, row(LOGIN, 200, HOME, HOME, HOME, HOME)),
    "accounts:enroll": (None, row(LOGIN, VERIFY, HOME, HOME, HOME, HOME)),
    "accounts:logout": (None, row(LOGIN, 200, 200, 200, 200, 200)),
    # 「操作を続ける」 of the idle warning: POST only, any verified member of staff
    "accounts:keepalive": (None, row(LOGIN, VERIFY, 405, 405, 405, 405)),
    "accounts:password_change": (None, signed_in_only()),
    "accounts:security_keys": (None, signed_in_only()),
    "accounts:role_policies": (None, ADMIN_ONLY),
    # django-otp-webauthn's JSON ceremony endpoints (POST only): signing in with a key is open to a
    # password-only session; registering one needs a verified session.
    "otp_webauthn:credential-authentication-begin": (None, row(LOGIN, 405, 405, 405, 405, 405)),
    "otp_webauthn:credential-authentication-complete": (None, row(LOGIN, 405, 405, 405, 405, 405)),
    "otp_webauthn:credential-registration-begin": (None, row(LOGIN, VERIFY, 405, 405, 405, 405)),
    "otp_webauthn:credential-registration-complete": (None, row(LOGIN, VERIFY, 405, 405, 405, 405)),
    "otp_webauthn:js-i18n-catalog": (None, row(LOGIN, 200, 200, 200, 200, 200)),
    "accounts:staff_list": (None, ADMIN_ONLY),
    "accounts:staff_create": (None, ADMIN_ONLY),
    "accounts:staff_detail": (lambda f: {"pk": f["officer"].pk}, ADMIN_ONLY),
    "accounts:staff_edit": (lambda f: {"pk": f["officer"].pk}, ADMIN_ONLY),
    "accounts:staff_deactivate": (lambda f: {"pk": f["officer"].pk}, ADMIN_ONLY),
    "accounts:staff_reset_second_factor": (lambda f: {"pk": f["officer"].pk}, ADMIN_ONLY),
    "accounts:terminal_list": (None, ADMIN_ONLY),
    "accounts:terminal_create": (None, ADMIN_ONLY),
    "accounts:terminal_edit": (lambda f: {"pk": f["terminal"].pk}, ADMIN_ONLY),
    "accounts:privilege_change_list": (None, PRIVILEGE_REVIEW),
    "accounts:privilege_change_detail": (lambda f: {"pk": f["privilege_change"].pk}, PRIVILEGE_REVIEW),
    "accounts:privilege_change_confirm": (
        lambda f: {"pk": f["privilege_change"].pk},
        POST_ONLY(PRIVILEGE_REVIEW),
    ),
    "accounts:privilege_change_reject": (
        lambda f: {"pk": f["privilege_change"].pk},
        POST_ONLY(PRIVILEGE_REVIEW),
    ),
    "audit:security_events": (None, SUPERVISOR_ONLY),
    "audit:history_search": (None, SUPERVISOR_ONLY),
    "audit:record_history": (lambda f: {"kind": "negotiation", "pk": f["record"].pk}, SUPERVISOR_ONLY),
    "audit:access_log": (None, SUPERVISOR_ONLY),
    "audit:access_findings": (None, SUPERVISOR_ONLY),
    "audit:incident": (None, SUPERVISOR_ONLY),
    "audit:self_inspection": (None, SUPERVISOR_ONLY),
    "audit:disclosure": (None, SUPERVISOR_ONLY),
    "audit:dashboard": (None, SUPERVISOR_ONLY),
    "jobs:runs": (None, SUPERVISOR_ONLY),
    "taxpayers:search": (None, LEDGER),
    "taxpayers:delinquent": (None, LEDGER),
    "taxpayers:saved_filter_create": (None, POST_ONLY(LEDGER)),
    # a saved filter is its owner's (the officer's): anyone else's answer is 404
    "taxpayers:saved_filter_load": (
        lambda f: {"pk": f["saved_filter"].pk},
        menu("→taxpayers:delinquent", 404, 404, 403),
    ),
    "taxpayers:saved_filter_delete": (lambda f: {"pk": f["saved_filter"].pk}, menu(200, 404, 404, 403)),
    # データの出力: not 閲覧専用 (持ち出し禁止), never the administrator; each source also needs its page's menu
    "exports:export": (lambda f: {"source": "delinquent"}, menu(200, 200, 403, 403)),
    "taxpayers:late_charge": (None, LEDGER),
    "taxpayers:detail": (lambda f: {"atena_number": f["taxpayer"].atena_number}, LEDGER),
    "taxpayers:reveal_individual_number": (lambda f: {"atena_number": f["taxpayer"].atena_number}, REVEAL),
    # 支援措置対象者の住所: the same menu, purposes and logs as the 個人番号 (issue 20)
    "taxpayers:reveal_address": (lambda f: {"atena_number": f["taxpayer"].atena_number}, REVEAL),
    "taxpayers:imports": (None, IMPORTS),
    "taxpayers:import_detail": (lambda f: {"pk": f["import_log"].pk}, IMPORTS),
    "negotiations:my_work": (None, CASEWORK),
    "negotiations:queues": (None, SUPERVISOR_ONLY),
    "negotiations:assign": (None, menu(403, 405, 403, 403)),
    "negotiations:pledge_list": (None, CASEWORK),
    "negotiations:pledge_detail": (lambda f: {"pledge_number": f["pledge"].pledge_number}, CASEWORK),
    "negotiations:record_edit": (lambda f: {"record_number": f["record"].record_number}, CASEWORK),
    "negotiations:record_cancel": (lambda f: {"record_number": f["record"].record_number}, CASEWORK),
    "negotiations:case": (lambda f: {"atena_number": f["taxpayer"].atena_number}, CASEWORK),
    "negotiations:record_create": (
        lambda f: {"atena_number": f["taxpayer"].atena_number},
        POST_ONLY_CASEWORK,
    ),
    "negotiations:pledge_new": (lambda f: {"atena_number": f["taxpayer"].atena_number}, CASEWORK),
    "dispositions:list": (None, CASEWORK),
    "dispositions:suspensions": (None, CASEWORK),
    "dispositions:prescriptions_due": (None, CASEWORK),
    "dispositions:draft": (lambda f: {"atena_number": f["taxpayer"].atena_number}, CASEWORK),
    "dispositions:prescriptions": (lambda f: {"atena_number": f["taxpayer"].atena_number}, CASEWORK),
    "dispositions:detail": (lambda f: {"number": f["disposition"].number}, CASEWORK),
    "dispositions:approve": (lambda f: {"number": f["disposition"].number}, SUPERVISOR_ONLY),
    "dispositions:cancel": (lambda f: {"number": f["disposition"].number}, CASEWORK),
    "dispositions:collect": (lambda f: {"number": f["disposition"].number}, CASEWORK),
    "dispositions:sale_distribution_new": (lambda f: {"number": f["disposition"].number}, CASEWORK),
    "dispositions:distribution_new": (lambda f: {"number": f["collection"].number}, CASEWORK),
    "dispositions:distribution_detail": (lambda f: {"number": f["distribution"].number}, CASEWORK),
    "dispositions:distribution_approve": (lambda f: {"number": f["distribution"].number}, SUPERVISOR_ONLY),
    "dispositions:cancellation_decide": (
        lambda f: {"number": f["cancellation"].disposition.number},
        SUPERVISOR_ONLY,
    ),
    "dispositions:cancellation_withdraw": (
        lambda f: {"number": f["cancellation"].disposition.number},
        POST_ONLY(CASEWORK),
    ),
    "dispositions:writeoff_list": (None, CASEWORK),
    "dispositions:writeoff_candidates": (None, CASEWORK),
    "dispositions:writeoff_detail": (lambda f: {"number": f["writeoff_run"].number}, CASEWORK),
    "dispositions:writeoff_approve": (lambda f: {"number": f["writeoff_run"].number}, SUPERVISOR_ONLY),
    "dispositions:writeoff_reject": (
        lambda f: {"number": f["writeoff_run"].number},
        POST_ONLY(SUPERVISOR_ONLY),
    ),
    "dispositions:writeoff_withdraw": (lambda f: {"number": f["writeoff_run"].number}, POST_ONLY(CASEWORK)),
    "dispositions:writeoff_pdf": (lambda f: {"number": f["writeoff_run"].number}, CASEWORK),
    "dispositions:writeoff_cancel": (lambda f: {"written_off_id": f["written_off"].pk}, CASEWORK),
    "dispositions:writeoff_cancellation": (lambda f: {"number": f["writeoff_cancellation"].number}, CASEWORK),
    "dispositions:writeoff_cancellation_approve": (
        lambda f: {"number": f["writeoff_cancellation"].number},
        POST_ONLY(SUPERVISOR_ONLY),
    ),
    "dispositions:writeoff_cancellation_reject": (
        lambda f: {"number": f["writeoff_cancellation"].number},
        POST_ONLY(SUPERVISOR_ONLY),
    ),
    "reductions:list": (None, CASEWORK),
    "reductions:apply": (lambda f: {"atena_number": f["taxpayer"].atena_number}, CASEWORK),
    "reductions:detail": (lambda f: {"number": f["reduction"].number}, CASEWORK),
    "reductions:decide": (lambda f: {"number": f["reduction"].number}, SUPERVISOR_ONLY),
    "reductions:cancel": (lambda f: {"number": f["reduction"].number}, SUPERVISOR_ONLY),
    "dispositions:inquiry_list": (None, CASEWORK),
    "dispositions:batch_new": (None, CASEWORK),
    "dispositions:target_list": (None, CASEWORK),
    "dispositions:target_create": (None, CASEWORK),
    "dispositions:target_edit": (lambda f: {"pk": f["inquiry"].target_id}, CASEWORK),
    "dispositions:inquiry_detail": (lambda f: {"number": f["inquiry"].number}, CASEWORK),
    "dispositions:inquiry_new": (lambda f: {"atena_number": f["taxpayer"].atena_number}, CASEWORK),
    "refunds:queue": (None, CASEWORK),
    "refunds:overpayment": (lambda f: {"pk": f["appropriation"].overpayment_id}, CASEWORK),
    "refunds:approve": (lambda f: {"number": f["appropriation"].number}, SUPERVISOR_ONLY),
    "refunds:export": (None, SUPERVISOR_ONLY),
    "refunds:detect": (None, POST_ONLY(CASEWORK)),
    "refunds:withdraw": (lambda f: {"number": f["appropriation"].number}, POST_ONLY(CASEWORK)),
    "documents:issue": (lambda f: {"atena_number": f["taxpayer"].atena_number}, CASEWORK),
    "documents:detail": (lambda f: {"number": f["document"].number}, CASEWORK),
    "documents:pdf": (lambda f: {"number": f["document"].number}, CASEWORK),
    "documents:reissue": (lambda f: {"number": f["document"].number}, CASEWORK),
    # 送達 (issue 20): 返戻 one by one and as a list, 再送付, 公示送達 drafted by staff, approved by a supervisor
    "documents:return_new": (lambda f: {"number": f["document"].number}, CASEWORK),
    "documents:return_import": (None, CASEWORK),
    "documents:resend": (lambda f: {"number": f["returned"].document.number}, CASEWORK),
    "documents:public_notice_new": (lambda f: {"number": f["returned"].document.number}, CASEWORK),
    "documents:public_notice_approve": (lambda f: {"number": f["returned"].document.number}, SUPERVISOR_ONLY),
    "documents:issue_from": (lambda f: {"kind": "pledge", "key": f["pledge"].pledge_number}, CASEWORK),
    "documents:set_pdf": (lambda f: {"first": f["document"].number, "last": f["document"].number}, CASEWORK),
    "documents:batch_list": (None, CASEWORK),
    "documents:demand_batch": (None, CASEWORK),
    "documents:notice_batch": (None, CASEWORK),
    "documents:extraction_new": (None, CASEWORK),
    "documents:batch_detail": (lambda f: {"number": f["batch"].number}, CASEWORK),
    "documents:batch_progress": (lambda f: {"number": f["batch"].number}, CASEWORK),
    "documents:batch_cancel": (lambda f: {"number": f["batch"].number}, POST_ONLY(CASEWORK)),
    "documents:batch_rerun": (lambda f: {"number": f["batch"].number}, POST_ONLY(CASEWORK)),
    "documents:batch_pdf": (lambda f: {"number": f["batch"].number}, CASEWORK),
    # 逆連携: the log (no taxpayer data) for the administrator and supervisors; running it for the
    # administrator; its files (宛名番号 and amounts) for supervisors only, each download logged.
    "exchange:runs": (None, menu(403, 200, 403, 200)),
    "exchange:run_detail": (lambda f: {"pk": f["export_run"].pk}, menu(403, 200, 403, 200)),
    "exchange:start": (None, ADMIN_ONLY),
    "exchange:rerun": (lambda f: {"pk": f["export_run"].pk}, ADMIN_ONLY),
    "exchange:download": (lambda f: {"pk": f["export_run"].pk, "name": "shobun.csv"}, SUPERVISOR_ONLY),
    # カルテ: everyone who may see the ledger sees the case; the memo and 付箋 are written by 交渉記録
    "cases:case": (lambda f: {"atena_number": f["taxpayer"].atena_number}, LEDGER),
    "cases:memo_edit": (lambda f: {"atena_number": f["taxpayer"].atena_number}, CASEWORK),
    "cases:flag_create": (lambda f: {"atena_number": f["taxpayer"].atena_number}, CASEWORK),
    "cases:flag_remove": (lambda f: {"pk": f["case_flag"].pk}, CASEWORK),
}


def all_url_names(patterns=None, namespace=""):
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= all_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL pattern {pattern.pattern} has no name, so it cannot have a row"
            names.add(namespace + pattern.name)
    return names


def test_every_url_pattern_has_a_row():
    assert all_url_names() == set(MATRIX)


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_url_answers_each_persona_as_the_matrix_says(url_name, persona_client, objects):
    kwargs_builder, expected = MATRIX[url_name]
    url = reverse(
        url_name,
        kwargs=kwargs_builder(objects) if kwargs_builder else None,
    )
    for persona in PERSONAS:
        response = persona_client(persona).get(url)
        want = expected[persona]
        if isinstance(want, str):
            assert response.status_code == 302, (
                f"{url_name} as {persona}: {response.status_code}, want {want}"
            )
            target = reverse(want[1:])
            assert response["Location"].split("?")[0] == target, (
                f"{url_name} as {persona} → {response['Location']}"
            )
        else:
            assert response.status_code == want, (
                f"{url_name} as {persona}: {response.status_code}, want {want}"
            )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name", sorted(name for name, (_, row_) in MATRIX.items() if row_["officer"] == 403)
)
def test_post_is_refused_where_get_is(url_name, persona_client, objects):
    """A refused page refuses its POST too: the permission sits on the view, not on the form."""
    kwargs_builder, _ = MATRIX[url_name]
    url = reverse(
        url_name,
        kwargs=kwargs_builder(objects) if kwargs_builder else None,
    )
    assert persona_client("officer").post(url, {"reason": "x"}).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url_name", sorted(name for name, (_, row_) in MATRIX.items() if row_["administrator"] == 403)
)
def test_the_administrator_is_refused_from_every_page_but_user_administration(
    url_name, persona_client, objects
):
    kwargs_builder, _ = MATRIX[url_name]
    url = reverse(url_name, kwargs=kwargs_builder(objects) if kwargs_builder else None)
    assert persona_client("administrator").post(url, {}).status_code == 403


@pytest.fixture
def objects(terminal, officer):
    """One of each object a URL needs."""
    from taxpayers.models import ImportLog
    from tests.assessments import add_taxpayer
    from wako_collections.actors import acting_as
    from wako_collections.records import stamp

    taxpayer = add_taxpayer("000000001")
    log = ImportLog.objects.create(
        kind="persons", file_name="p.csv", sha256="0" * 64, staff_number="S2001", terminal_number="T0001"
    )
    from datetime import date

    from negotiations import services
    from negotiations.schedules import PlannedPayment
    from wako_collections.actors import Actor

    actor = Actor.for_staff(officer, "T0001")
    record = services.record_negotiation(
        actor=actor,
        taxpayer=taxpayer,
        values={
            "subject_group_code": "00",
            "content": "架電。不在。",
            "result": "3",
            "collection_category": "2",
            "importance": "2",
            "contact_kind": "11",
        },
    )
    assessment = add_assessment(taxpayer, "240000001", tax_year=2024, due=date(2024, 6, 30), principal=30_000)
    pledge = services.make_pledge(
        actor=actor,
        taxpayer=taxpayer,
        assessments=[assessment],
        schedule=[PlannedPayment(1, date(2026, 1, 10), 30_000)],
        pledged_on=date(2025, 12, 1),
        interval="monthly",
    )
    from dispositions import services as disposition_services

    disposition = disposition_services.draft_disposition(
        actor=actor,
        taxpayer=taxpayer,
        assessment_ids=[assessment.pk],
        code="07",
        category="71",
        reason="財産調査の結果、滞納処分をすることができる財産がない",
        planned_on=date(2026, 1, 15),
    )
    # an approved 執行停止 whose 取消 an officer has drafted and a supervisor has yet to decide
    stop = disposition_services.draft_disposition(
        actor=actor,
        taxpayer=taxpayer,
        assessment_ids=[assessment.pk],
        code="07",
        category="71",
        reason="財産調査の結果、滞納処分をすることができる財産がない",
        planned_on=date(2026, 1, 15),
    )
    disposition_services.approve_disposition(
        actor=Actor(staff_number="S9001", staff_atena_number="", terminal_number="T0001"),
        disposition=stop,
        disposed_on=date(2026, 1, 15),
    )
    cancellation = disposition_services.draft_cancellation(
        actor=actor,
        disposition=stop,
        category="9",
        reason="資力回復",
        cancelled_on=date(2026, 2, 1),
    )
    from reductions import services as reduction_services

    reduction = reduction_services.apply_for_reduction(
        actor=actor,
        assessment=assessment,
        applied_on=date(2026, 1, 20),
        reason="災害により損害を受けたため",
        requested_amount=1_000,
    )
    from dispositions import inquiries
    from dispositions.models import Collection, DistributionStatement, InquiryTarget

    # a 取立 waiting for its 配当計算書, and a drafted one (the matrix needs only the records)
    with acting_as(actor):
        collection = Collection(
            number="T2026000001",
            disposition=disposition,
            collected_on=date(2026, 1, 20),
            amount=50_000,
            method="transfer",
            payer_name="和光銀行",
            status=Collection.Status.AWAITING_DISTRIBUTION,
        )
        stamp(collection, actor)
        collection.save()
        waiting = Collection(
            number="T2026000002",
            disposition=disposition,
            collected_on=date(2026, 1, 21),
            amount=40_000,
            method="transfer",
            payer_name="和光銀行",
            status=Collection.Status.AWAITING_DISTRIBUTION,
        )
        stamp(waiting, actor)
        waiting.save()
        distribution = DistributionStatement(
            number="H2026000001",
            disposition=disposition,
            collection=waiting,
            total=40_000,
            received_on=date(2026, 1, 21),
            sent_on=date(2026, 1, 22),
            delivery_on=date(2026, 1, 29),
            drafted_by=actor.staff_number,
            drafted_terminal=actor.terminal_number,
        )
        stamp(distribution, actor)
        distribution.save()

    with acting_as(actor):
        target = InquiryTarget(kind="bank", name="和光銀行", branch="本店", address="埼玉県和光市本町1-1")
        stamp(target, actor)
        target.save()
    inquiry = inquiries.create_inquiries(
        actor=actor,
        taxpayer=taxpayer,
        targets=[target],
        purpose="deposits",
        answer_due=date(2099, 1, 31),
        today=date(2026, 1, 1),
    )[0]
    from refunds import services as refund_services

    overpayment = refund_services.record_overpayment(
        actor=actor,
        taxpayer=taxpayer,
        amount=5_000,
        cause="double_payment",
        arose_on=date(2025, 12, 1),
        source_reference="収納番号 TEST",
    )
    [appropriation] = refund_services.propose_appropriations(
        actor=actor, overpayment=overpayment, as_of=date(2026, 1, 1)
    )
    from exchange.services import run_export

    export_run = run_export(staff_number="S9001", terminal_number="T0001", full=True)
    return {
        "export_run": export_run,
        "officer": officer,
        "terminal": terminal,
        "appropriation": appropriation,
        "taxpayer": taxpayer,
        "import_log": log,
        "record": record,
        "pledge": pledge,
        "disposition": disposition,
        "cancellation": cancellation,
        "collection": collection,
        "distribution": distribution,
        "reduction": reduction,
        "inquiry": inquiry,
        "document": _document(actor, taxpayer, assessment),
        "returned": _returned(actor, taxpayer, assessment),
        "batch": _batch(actor, taxpayer, assessment),
        "privilege_change": _privilege_change(officer),
        "writeoff_run": _writeoff_run(actor, taxpayer),
        **_writeoff_cancellation(taxpayer),
        "case_flag": _case_flag(actor, taxpayer),
        "saved_filter": _saved_filter(actor, officer),
    }


def _writeoff_cancellation(taxpayer):
    """A 欠損 (written directly: the matrix needs the record, not the workflow) and a drafted 取消 of it."""
    from datetime import date

    from django.utils import timezone

    from dispositions.models import WriteOffCancellation
    from taxpayers.models import WriteOffReason, WrittenOff
    from tests.conftest import SETUP
    from wako_collections.actors import acting_as
    from wako_collections.records import stamp

    today = date.today()
    assessment = add_assessment(taxpayer, "100000002", tax_year=2011, due=date(2011, 6, 30), principal=10_000)
    with acting_as(SETUP):
        written_off = WrittenOff(
            assessment=assessment,
            written_off_on=today,
            fiscal_year=today.year,
            reason=WriteOffReason.PRESCRIPTION,
            article="地方税法第18条第1項",
            extinguished_on=date(2016, 7, 1),
            principal=10_000,
            demand_fee=0,
            late_charge=0,
            source="F2099000001",
        )
        stamp(written_off, SETUP)
        written_off.save()
        cancellation = WriteOffCancellation(
            number="FC2099000001",
            written_off=written_off,
            reason="差押の記録漏れ",
            finding="時効は完成していない",
            drafted_by="S9001",
            drafted_terminal="T9001",
            drafted_at=timezone.now(),
        )
        stamp(cancellation, SETUP)
        cancellation.save()
    return {"written_off": written_off, "writeoff_cancellation": cancellation}


def _case_flag(actor, taxpayer):
    from cases.services import add_case_flag

    return add_case_flag(actor=actor, taxpayer=taxpayer, kind="abusive", text="大声を出すことがある")


def _saved_filter(actor, officer):
    from taxpayers.services import save_list_filter

    return save_list_filter(actor=actor, owner=officer, name="高額", query="officer=all&amount_min=100000")


def _writeoff_run(actor, taxpayer):
    """A drafted 不納欠損決議 of an installment whose 時効 completed (2010's, long past)."""
    from datetime import date

    from dispositions.writeoffs import draft_writeoff_run, fiscal_year_for
    from taxpayers.reconciliation import reconcile

    assessment = add_assessment(taxpayer, "100000001", tax_year=2010, due=date(2010, 6, 30), principal=10_000)
    reconcile(assessment_ids=[assessment.pk])
    today = date.today()
    return draft_writeoff_run(
        actor=actor, as_of=today, fiscal_year=fiscal_year_for(today), assessment_ids=[assessment.pk]
    )


def _privilege_change(officer):
    """A pending role change for the officer, requested by a third administrator (so the
    administrator persona is not its requester)."""
    from accounts import services
    from accounts.roles import Role
    from tests.conftest import make_staff
    from wako_collections.actors import Actor

    requester = make_staff("S9002", Role.SYSTEM_ADMINISTRATOR)
    return services.request_role_change(
        actor=Actor.for_staff(requester, "T0001"), staff=officer, role=Role.SUPERVISOR, reason="係長昇任"
    )


def _batch(actor, taxpayer, assessment):
    """A finished batch (so its PDF can be fetched)."""
    from datetime import date

    from documents import batches
    from documents.models import Batch
    from wako_collections.actors import acting_as
    from wako_collections.records import save_tracked

    candidate = batches.Candidate(taxpayer.pk, taxpayer.atena_number, taxpayer.name, [assessment.pk], 30_000)
    batch = batches.freeze(
        actor=actor, kind="demand", candidates=[candidate], issued_on=date(2026, 1, 5), deadline=None
    )
    with acting_as(actor):
        batch.status = Batch.Status.DONE
        batch.pdf_file.save(f"{batch.number}.pdf", ContentFile(b"%PDF-1.4"), save=False)
        save_tracked(batch, reason="test")
    return batch


def _returned(actor, taxpayer, assessment):
    """A returned letter whose 公示送達 an officer has drafted (a supervisor may approve it)."""
    from datetime import date

    import time_machine

    from documents import delivery

    letter = _document(actor, taxpayer, assessment)
    with time_machine.travel(date(2026, 11, 20), tick=False):
        returned = delivery.record_return(
            actor=actor, document=letter, returned_on=date(2026, 11, 10), reason="03"
        )
        delivery.draft_public_notice(
            actor=actor,
            returned=returned,
            posting_started_on=date(2026, 11, 20),
            investigation="住民票・戸籍の附票を照会、転出先不明。",
        )
    return returned


def _document(actor, taxpayer, assessment):
    from datetime import date

    from documents.services import issue_document

    return issue_document(
        actor=actor,
        form_code="03",
        taxpayer=taxpayer,
        assessment_ids=[assessment.pk],
        issued_on=date(2026, 11, 1),
        deadline=date(2026, 12, 15),
    )
