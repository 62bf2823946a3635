"""The case page (カルテ): one taxpayer's case on one page — the summary read from the installments'
standing, the pinned memo and 付箋, every action the user's role allows, and the timeline opening on
today. It calls each app's panel functions explicitly (`<app>/case_panels.py`); writes to the memo
and flags go through `cases.services`. Every page that shows a taxpayer writes its access-log row."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cases import services
from cases.forms import CaseFlagForm, CaseMemoForm, RemoveFlagForm
from cases.models import CaseFlag, CaseMemo
from cases.timeline import PAST_SHOWN, case_timeline
from dispositions import case_panels as dispositions_panels
from documents.catalogue import FormCode
from negotiations import case_panels as negotiations_panels
from taxpayers import case_panels as taxpayers_panels
from taxpayers.access import record_access
from taxpayers.models import Taxpayer
from wako_collections.access import has_menu, menu_required
from wako_collections.submissions import once_per_submission

NEXT_DATES_SHOWN = 5  # 次の予定 in the summary; 今後の予定 below lists them all


def _taxpayer(atena_number: str) -> Taxpayer:
    return get_object_or_404(Taxpayer.objects.select_related("assigned_officer"), atena_number=atena_number)


def _visible(entries, user):
    """Rows with their links only where the user holds the menu the links need."""
    return [(entry, entry.links if not entry.menu or has_menu(user, entry.menu) else ()) for entry in entries]


@menu_required("payment_status")
def case(request, atena_number):
    taxpayer = _taxpayer(atena_number)
    today = timezone.localdate()
    pledge = negotiations_panels.current_pledge(taxpayer, today=today)
    owed = taxpayers_panels.owed_on(taxpayer, as_of=today)
    timeline = case_timeline(taxpayer, today=today, owed=owed)
    upcoming = _visible(timeline.upcoming, request.user)
    # the newest PAST_SHOWN rows of the past unless every row is asked for (?timeline=all)
    show_all = request.GET.get("timeline") == "all"
    past = timeline.past if show_all else timeline.past[:PAST_SHOWN]
    memo = CaseMemo.objects.filter(taxpayer=taxpayer).first()
    record_access(request, page="カルテ", atena_numbers=[taxpayer.atena_number])
    return render(
        request,
        "cases/case.html",
        {
            "taxpayer": taxpayer,
            "today": today,
            "owed": owed,
            "pledge": pledge,
            "last_contact": negotiations_panels.last_contact(taxpayer, today=today),
            # 次の予定 is the head of 今後の予定: one list (cases.timeline), so the two agree
            "next_dates": upcoming[:NEXT_DATES_SHOWN],
            "more_dates": max(len(upcoming) - NEXT_DATES_SHOWN, 0),
            "measures": dispositions_panels.measures_in_progress(taxpayer, today=today),
            "memo": memo,
            "flags": CaseFlag.objects.filter(taxpayer=taxpayer).shown_on(today),
            "upcoming": upcoming,
            "past": _visible(past, request.user),
            "past_total": len(timeline.past),
            "past_hidden": len(timeline.past) - len(past),
            "show_all": show_all,
            "past_shown": PAST_SHOWN,
            "can_edit_case": has_menu(request.user, "negotiations"),
            "slip_form": FormCode.PAYMENT_SLIP,
            "notice_form": FormCode.NOTICE_GENERAL,
        },
    )


@menu_required("negotiations")
@require_http_methods(["GET", "POST"])
def memo_edit(request, atena_number):
    """Edit the pinned memo from the version shown; a save made by someone else in between is
    refused, and the page shows their memo beside what this editor typed (kept in the form)."""
    taxpayer = _taxpayer(atena_number)
    memo = CaseMemo.objects.filter(taxpayer=taxpayer).first()
    form = CaseMemoForm(
        request.POST or None,
        instance=memo,
        initial={"expected_version": memo.version if memo else 0},
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.save_case_memo(
                actor=request.actor,
                taxpayer=taxpayer,
                expected_version=form.cleaned_data["expected_version"],
                values={name: form.cleaned_data[name] for name in services.MEMO_FIELDS},
            )
        except services.StaleMemoError as error:
            conflict = error.current
            form.add_error(None, str(error))
        except services.CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "案件メモを保存しました。")
            return redirect("cases:case", atena_number=taxpayer.atena_number)
    record_access(request, page="案件メモの編集", atena_numbers=[taxpayer.atena_number])
    history = memo.history.all()[:20] if memo else []
    return render(
        request,
        "cases/memo_edit.html",
        {"taxpayer": taxpayer, "form": form, "memo": memo, "conflict": conflict, "history": history},
        status=409 if conflict else (400 if request.method == "POST" else 200),
    )


@menu_required("negotiations")
@require_http_methods(["GET", "POST"])
@once_per_submission
def flag_create(request, atena_number):
    taxpayer = _taxpayer(atena_number)
    form = CaseFlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flag = services.add_case_flag(actor=request.actor, taxpayer=taxpayer, **form.cleaned_data)
        except services.CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"付箋「{flag.get_kind_display()}」を付けました。")
            return redirect("cases:case", atena_number=taxpayer.atena_number)
    record_access(request, page="付箋の追加", atena_numbers=[taxpayer.atena_number])
    return render(
        request,
        "cases/flag_new.html",
        {"taxpayer": taxpayer, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@menu_required("negotiations")
@require_http_methods(["GET", "POST"])
def flag_remove(request, pk):
    """GET asks to confirm and for a reason; POST takes the flag off (kept, with its history)."""
    flag = get_object_or_404(CaseFlag.objects.select_related("taxpayer"), pk=pk)
    form = RemoveFlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.remove_case_flag(
                actor=request.actor, flag_id=flag.pk, reason=form.cleaned_data["reason"]
            )
        except services.CaseError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"付箋「{flag.get_kind_display()}」を外しました。記録は履歴に残ります。"
            )
            return redirect("cases:case", atena_number=flag.taxpayer.atena_number)
    record_access(request, page="付箋を外す", atena_numbers=[flag.taxpayer.atena_number])
    return render(
        request,
        "cases/flag_remove.html",
        {"flag": flag, "taxpayer": flag.taxpayer, "form": form},
        status=400 if request.method == "POST" else 200,
    )
