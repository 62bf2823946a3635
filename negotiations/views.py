"""交渉記録 and 分納誓約 pages: recording a contact (the 交渉記録 tab of the case page, `cases/`), editing and
cancelling a record, making a pledge with its simulation, the officer's work and supervisors'
queues with reassignment. Every page that shows a taxpayer writes its access-log row."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Staff
from accounts.roles import Role
from negotiations import services
from negotiations.forms import (
    AssignForm,
    CancelForm,
    ExpectedRevisionForm,
    NegotiationForm,
    PledgeFilterForm,
    PledgeForm,
    QueueFilterForm,
    RevisesForm,
)
from negotiations.models import InstallmentPledge, NegotiationRecord, SubjectGroup
from negotiations.queues import work_queue
from negotiations.schedules import CoveredInstallment, ScheduleError, build_schedule, simulate
from taxpayers.access import record_access
from taxpayers.chains import without_time_barred
from taxpayers.exemptions import Reliefs, exemption_periods_for
from taxpayers.ledger import ledger_for
from taxpayers.models import Assessment, Taxpayer
from taxpayers.ordinance import first_band_months
from taxpayers.subjects import YearCategory, rule_for
from wako_collections.access import menu_required
from wako_collections.eras import fiscal_year_of, format_date
from wako_collections.links import link_maker
from wako_collections.submissions import once_per_submission


def _taxpayer(atena_number: str) -> Taxpayer:
    return get_object_or_404(Taxpayer.objects.select_related("assigned_officer"), atena_number=atena_number)


def _defaults(taxpayer: Taxpayer) -> dict:
    """The form's first values: the 科目 group and 現年・滞繰 of what the taxpayer owes, read from the
    stored balances (reconcile) — a default to edit, not a figure, so no standing is computed
    (one query, whatever the length of the history)."""
    owed = list(
        Assessment.objects.filter(taxpayer=taxpayer)
        .filter(
            Q(balance__outstanding_principal__gt=0)
            | Q(balance__outstanding_fee__gt=0)
            | Q(balance__late_charge__gt=0)
        )
        .values_list("subject_code", "tax_year")
        .distinct()
    )
    group = SubjectGroup.covering(subject for subject, _ in owed)
    this_year = fiscal_year_of(timezone.localdate())
    found = {YearCategory.of(year, this_fiscal_year=this_year) for _, year in owed}
    Category = NegotiationRecord.CollectionCategory
    category = Category.BOTH if len(found) > 1 else Category(found.pop()) if found else Category.ARREARS
    return {
        "subject_group_code": group,
        "collection_category": category,
        "contact_kind": NegotiationRecord.ContactKind.CALL_OUT,
        "result": NegotiationRecord.Result.DONE,
        "importance": NegotiationRecord.Importance.NORMAL,
    }


def _case_page(request, taxpayer: Taxpayer, form: NegotiationForm, status: int = 200):
    record_access(request, page="交渉記録の入力", atena_numbers=[taxpayer.atena_number])
    context = {"taxpayer": taxpayer, "form": form}
    return render(request, "negotiations/case.html", context, status=status)


@menu_required("negotiations")
def case(request, atena_number):
    taxpayer = _taxpayer(atena_number)
    return _case_page(request, taxpayer, NegotiationForm(initial=_defaults(taxpayer)))


@menu_required("negotiations")
@require_POST
@once_per_submission
def record_create(request, atena_number):
    taxpayer = _taxpayer(atena_number)
    form = NegotiationForm(request.POST)
    if form.is_valid():
        try:
            record = services.record_negotiation(
                actor=request.actor, taxpayer=taxpayer, values=form.cleaned_data
            )
        except services.NegotiationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"交渉記録（番号 {record.record_number}）を保存しました。")
            return redirect("cases:case", atena_number=taxpayer.atena_number)
    return _case_page(request, taxpayer, form, status=400)


@menu_required("negotiations")
@require_http_methods(["GET", "POST"])
def record_edit(request, record_number):
    record = get_object_or_404(
        NegotiationRecord.objects.select_related("taxpayer"), record_number=record_number
    )
    form = NegotiationForm(request.POST or None, instance=NegotiationRecord.objects.get(pk=record.pk))
    guard = ExpectedRevisionForm(request.POST or None, initial={"expected_revision": record.revision})
    conflict = None
    if request.method == "POST" and form.is_valid() and guard.is_valid():
        try:
            services.update_negotiation(
                actor=request.actor,
                record_number=record.record_number,
                expected_revision=guard.cleaned_data["expected_revision"],
                values=form.cleaned_data,
            )
        except services.StaleRecordError as error:
            conflict = error.current
            form.add_error(None, str(error))
        except services.NegotiationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"交渉記録（番号 {record.record_number}）を修正しました。")
            return redirect("cases:case", atena_number=record.taxpayer.atena_number)
    record_access(request, page="交渉記録の修正", atena_numbers=[record.taxpayer.atena_number])
    return render(
        request,
        "negotiations/record_edit.html",
        {"record": record, "form": form, "guard": guard, "conflict": conflict},
    )


@menu_required("negotiations")
@require_http_methods(["GET", "POST"])
def record_cancel(request, record_number):
    record = get_object_or_404(
        NegotiationRecord.objects.select_related("taxpayer"), record_number=record_number
    )
    form = CancelForm(request.POST or None, initial={"expected_revision": record.revision})
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_negotiation(
                actor=request.actor,
                record_number=record.record_number,
                expected_revision=form.cleaned_data["expected_revision"],
                reason=form.cleaned_data["reason"],
            )
        except services.NegotiationError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"交渉記録（番号 {record.record_number}）を取り消しました。記録は履歴に残ります。"
            )
            return redirect("cases:case", atena_number=record.taxpayer.atena_number)
    record_access(request, page="交渉記録の取消", atena_numbers=[record.taxpayer.atena_number])
    return render(request, "negotiations/record_cancel.html", {"record": record, "form": form})


def _covered(lines) -> list[CoveredInstallment]:
    lines = list(lines)
    reliefs = exemption_periods_for(
        [line.assessment for line in lines], as_of=timezone.localdate(), projecting=True
    )
    covered = []
    for line in lines:
        rule = rule_for(line.assessment.subject_code)
        relief = reliefs.get(line.assessment.pk, Reliefs())
        covered.append(
            CoveredInstallment(
                key=line.assessment.pk,
                principal=line.assessment.principal,
                outstanding_principal=line.settlement.outstanding_principal,
                outstanding_fee=line.settlement.outstanding_fee,
                due_date=line.assessment.due_date,
                prescription_date=line.chain.expires_on,  # renewed (督促, 承認 …); None under 差押
                first_band_months=first_band_months(
                    is_premium=rule.is_premium, due_date=line.assessment.due_date
                ),
                extended_from=line.assessment.late_charge_extended_from,
                reliefs=tuple(relief.periods),
                remitted_amount=relief.remitted_amount,
            )
        )
    return covered


@menu_required("pledges")
@require_http_methods(["GET", "POST"])
@once_per_submission
def pledge_new(request, atena_number):
    """Choose installments and terms; 'simulate' shows the schedule and its outcome, 'save' records it."""
    taxpayer = _taxpayer(atena_number)
    today = timezone.localdate()
    lines, time_barred = without_time_barred(
        ledger_for(taxpayer, as_of=today, outstanding_only=True).lines, on=today
    )
    by_id = {line.assessment.pk: line for line in lines}
    choices = [
        (
            line.assessment.pk,
            f"{line.assessment} 未納 {line.settlement.outstanding_principal + line.settlement.outstanding_fee:,}円"
            f"（延滞金見込 {line.settlement.late_charge:,}円、"
            f"時効予定日 {format_date(line.chain.expires_on) or '差押等により完成猶予中'}）",
        )
        for line in lines
    ]
    revises = None
    revises_form = RevisesForm({"revises": request.POST.get("revises") or request.GET.get("revises") or ""})
    if not revises_form.is_valid():  # NUL or too long: no such pledge
        raise Http404("再誓約前の誓約番号が正しくありません。")
    if revises_form.cleaned_data["revises"]:
        revises = get_object_or_404(
            InstallmentPledge, pledge_number=revises_form.cleaned_data["revises"], taxpayer=taxpayer
        )
    initial = {"pledged_on": today, "first_date": today, "interval": "monthly"}
    if revises:
        initial["assessments"] = [a.pk for a in revises.assessments.all() if a.pk in by_id]
    form = PledgeForm(request.POST or None, choices=choices, initial=initial)
    schedule = simulation = None
    if request.method == "POST" and form.is_valid():
        chosen = [by_id[pk] for pk in form.cleaned_data["assessments"]]
        total = sum(
            line.settlement.outstanding_principal + line.settlement.outstanding_fee for line in chosen
        )
        try:
            schedule = build_schedule(
                total=total,
                first_date=form.cleaned_data["first_date"],
                count=form.cleaned_data.get("count"),
                amount_each=form.cleaned_data.get("amount_each"),
                dates=form.cleaned_data.get("dates"),
            )
        except ScheduleError as error:
            form.add_error(None, str(error))
        else:
            simulation = simulate(schedule, _covered(chosen))
            if request.POST.get("action") == "save":
                try:
                    pledge = services.make_pledge(
                        actor=request.actor,
                        taxpayer=taxpayer,
                        assessments=[line.assessment for line in chosen],
                        schedule=schedule,
                        pledged_on=form.cleaned_data["pledged_on"],
                        interval=form.cleaned_data["interval"],
                        note=form.cleaned_data["note"],
                        revises=revises,
                        projected_late_charges=simulation.late_charge_by_payment,
                    )
                except services.NegotiationError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(request, f"分納誓約（{pledge.pledge_number}）を登録しました。")
                    return redirect("negotiations:pledge_detail", pledge_number=pledge.pledge_number)
    record_access(request, page="分納誓約の作成", atena_numbers=[taxpayer.atena_number])
    return render(
        request,
        "negotiations/pledge_new.html",
        {
            "taxpayer": taxpayer,
            "form": form,
            "schedule": schedule,
            "simulation": simulation,
            "revises": revises,
            "time_barred": time_barred,
        },
    )


@menu_required("pledges")
def pledge_detail(request, pledge_number):
    pledge = get_object_or_404(
        InstallmentPledge.objects.select_related("taxpayer", "revises"), pledge_number=pledge_number
    )
    paid, asked = services.pledge_progress(pledge, timezone.localdate())
    record_access(request, page="分納誓約", atena_numbers=[pledge.taxpayer.atena_number])
    return render(
        request,
        "negotiations/pledge_detail.html",
        {
            "pledge": pledge,
            "schedule": pledge.schedule.all(),
            "assessments": pledge.assessments.all(),
            "paid": paid,
            "asked": asked,
        },
    )


@menu_required("pledges")
def pledge_list(request):
    pledges = InstallmentPledge.objects.select_related("taxpayer", "taxpayer__assigned_officer")
    form = PledgeFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    if status:
        pledges = pledges.filter(status=status)
    page = Paginator(pledges, 50).get_page(request.GET.get("page"))
    record_access(request, page="分納誓約一覧", atena_numbers=[p.taxpayer.atena_number for p in page])
    return render(
        request,
        "negotiations/pledge_list.html",
        {"page": page, "form": form, "status": status, "statuses": InstallmentPledge.Status.choices},
    )


def _queue_atena_numbers(queue) -> list[str]:
    numbers = [
        r.taxpayer.atena_number
        for r in queue.promises_due + queue.planned + queue.broken_promises + queue.broken_pledges
    ]
    numbers += [t.atena_number for t in queue.no_contact]
    numbers += [b.taxpayer.atena_number for b in queue.prescription_soon]
    return sorted(set(numbers))


# Rows of each list on わたしの仕事 / 全職員の仕事: the most urgent; the rest are in 滞納者一覧, paged.
QUEUE_ROWS = 50


def _link_rows(queue, *, may_see_prescriptions: bool) -> None:
    """Gives each row of the queue its links (`case_url`, and `pledge_url` / `prescriptions_url` where
    the page shows one): one reverse() per kind of link instead of a `{% url %}` per row — about 300
    a page, a third of its rendering. `prescriptions_url` only for those who may open the 時効 page."""
    contact, case = link_maker("negotiations:case"), link_maker("cases:case")
    pledge = link_maker("negotiations:pledge_detail")
    prescriptions = link_maker("dispositions:prescriptions") if may_see_prescriptions else None
    for record in queue.promises_due:
        record.case_url = contact(record.taxpayer.atena_number)
    for row in queue.planned + queue.broken_promises + queue.broken_pledges:
        row.case_url = case(row.taxpayer.atena_number)
    for plan in queue.broken_pledges:
        plan.pledge_url = pledge(plan.pledge_number)
    for taxpayer in queue.no_contact:
        taxpayer.case_url = case(taxpayer.atena_number)
    for soon in queue.prescription_soon:
        soon.taxpayer.case_url = case(soon.taxpayer.atena_number)
        soon.taxpayer.prescriptions_url = prescriptions(soon.taxpayer.atena_number) if prescriptions else ""


@menu_required("negotiations")
def my_work(request):
    queue = work_queue(officer=request.user, today=timezone.localdate(), limit=QUEUE_ROWS)
    _link_rows(queue, may_see_prescriptions=request.user.has_perm("accounts.dispositions"))
    record_access(request, page="わたしの仕事", atena_numbers=_queue_atena_numbers(queue))
    return render(
        request,
        "negotiations/work.html",
        {
            "queue": queue,
            "title": "わたしの仕事",
            "everyone": False,
            "shown": QUEUE_ROWS,
            "list_officer": "mine",
        },
    )


def _officers():
    return Staff.objects.active().with_role(Role.COLLECTIONS_OFFICER) | Staff.objects.active().with_role(
        Role.SUPERVISOR
    )


@menu_required("assign_cases")
def queues(request):
    officers = _officers().distinct().order_by("staff_number")
    filter_form = QueueFilterForm(request.GET or None, officers=officers)
    officer = filter_form.cleaned_data["officer"] if filter_form.is_valid() else None
    queue = work_queue(officer=officer, today=timezone.localdate(), limit=QUEUE_ROWS)
    _link_rows(queue, may_see_prescriptions=request.user.has_perm("accounts.dispositions"))
    record_access(request, page="担当別の仕事", atena_numbers=_queue_atena_numbers(queue))
    return render(
        request,
        "negotiations/work.html",
        {
            "queue": queue,
            "title": f"{officer.full_name} の仕事" if officer else "全職員の仕事",
            "everyone": True,
            "officers": officers,
            "filter_form": filter_form,
            "selected": officer,
            "assign_form": AssignForm(officers=_officers().distinct()),
            "shown": QUEUE_ROWS,
            "list_officer": officer.pk if officer else "all",
        },
    )


@menu_required("assign_cases")
@require_POST
def assign(request):
    form = AssignForm(request.POST, officers=_officers().distinct())
    if form.is_valid():
        numbers = form.cleaned_data["atena_numbers"]
        found = list(Taxpayer.objects.filter(atena_number__in=numbers))
        missing = sorted(set(numbers) - {t.atena_number for t in found})
        if missing:
            messages.error(
                request, f"宛名番号 {'、'.join(missing)} は登録されていません。担当は変更していません。"
            )
        else:
            changed = services.assign_officer(
                actor=request.actor,
                taxpayers=found,
                officer=form.cleaned_data["officer"],
                district=form.cleaned_data["district"] or None,
            )
            messages.success(
                request, f"{changed}件の担当を {form.cleaned_data['officer'].full_name} に変更しました。"
            )
    else:
        messages.error(
            request,
            "入力を確認してください: " + " ".join(e for errors in form.errors.values() for e in errors),
        )
    return redirect("negotiations:queues")
