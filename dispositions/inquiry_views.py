"""照会文書: the directory of targets, inquiries to many targets or for many taxpayers, sending,
answers, the overdue list, and a 差押 draft started from an answer that found property."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from dispositions import inquiries
from dispositions.forms import (
    AnswerForm,
    BatchInquiryForm,
    InquiryForm,
    InquiryListForm,
    InquiryTargetForm,
    SentForm,
)
from dispositions.models import Inquiry, InquiryTarget
from taxpayers.access import record_access
from taxpayers.models import Taxpayer
from wako_collections.access import menu_required
from wako_collections.records import save_tracked, stamp
from wako_collections.submissions import once_per_submission


@menu_required("inquiries")
def inquiry_list(request):
    today = timezone.localdate()
    form = InquiryListForm(request.GET or None)
    view = (form.cleaned_data["view"] if form.is_valid() else "") or "pending"
    rows = Inquiry.objects.select_related("taxpayer", "target")
    if view == "overdue":
        rows = inquiries.overdue(today=today)
    elif view == "pending":
        rows = rows.filter(answered_on__isnull=True).order_by("answer_due")
    elif view == "answered":
        rows = inquiries.answered_recently(today=today).select_related("taxpayer", "target")
    mine = form.is_valid() and form.cleaned_data["officer"] == "mine"
    if mine:  # ホーム's count for an officer: the answers about the taxpayers assigned to them
        rows = rows.filter(taxpayer__assigned_officer=request.user)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    record_access(request, page="照会一覧", atena_numbers=sorted({i.taxpayer.atena_number for i in page}))
    return render(
        request,
        "dispositions/inquiry_list.html",
        {"page": page, "view": view, "today": today, "form": form, "mine": mine},
    )


@menu_required("inquiries")
def target_list(request):
    return render(request, "dispositions/target_list.html", {"targets": InquiryTarget.objects.all()})


@menu_required("inquiries")
@require_http_methods(["GET", "POST"])
@once_per_submission
def target_edit(request, pk=None):
    target = get_object_or_404(InquiryTarget, pk=pk) if pk else None
    form = InquiryTargetForm(request.POST or None, instance=target)
    if request.method == "POST" and form.is_valid():
        record = form.save(commit=False)
        stamp(record, request.actor)
        save_tracked(record, reason="照会先の変更" if target else "照会先の登録")
        messages.success(request, f"照会先「{record}」を保存しました。")
        return redirect("dispositions:target_list")
    return render(request, "dispositions/target_form.html", {"form": form, "target": target})


@menu_required("inquiries")
@require_http_methods(["GET", "POST"])
@once_per_submission
def inquiry_new(request, atena_number):
    taxpayer = get_object_or_404(Taxpayer, atena_number=atena_number)
    form = InquiryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = inquiries.create_inquiries(
                actor=request.actor,
                taxpayer=taxpayer,
                targets=list(form.cleaned_data["targets"]),
                purpose=form.cleaned_data["purpose"],
                answer_due=form.cleaned_data["answer_due"],
                today=timezone.localdate(),
            )
        except inquiries.InquiryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"照会を{len(created)}件作成しました（{created[0].number}〜）。")
            return redirect("dispositions:inquiry_list")
    record_access(request, page="照会の作成", atena_numbers=[taxpayer.atena_number])
    return render(request, "dispositions/inquiry_new.html", {"form": form, "taxpayer": taxpayer})


@menu_required("inquiries")
@require_http_methods(["GET", "POST"])
@once_per_submission
def batch_new(request):
    form = BatchInquiryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        numbers = form.cleaned_data["atena_numbers"]
        found = list(Taxpayer.objects.filter(atena_number__in=numbers).order_by("atena_number"))
        missing = sorted(set(numbers) - {t.atena_number for t in found})
        if missing:
            form.add_error("atena_numbers", f"宛名番号 {'、'.join(missing[:20])} は登録されていません。")
        else:
            created = inquiries.create_batch(
                actor=request.actor,
                taxpayers=found,
                target=form.cleaned_data["target"],
                purpose=form.cleaned_data["purpose"],
                answer_due=form.cleaned_data["answer_due"],
                today=timezone.localdate(),
            )
            record_access(request, page="一括照会の作成", atena_numbers=numbers)
            messages.success(
                request, f"一括照会 {created[0].batch_number}（{len(created)}件）を作成しました。"
            )
            return redirect("dispositions:inquiry_list")
    return render(request, "dispositions/batch_new.html", {"form": form})


@menu_required("inquiries")
@require_http_methods(["GET", "POST"])
def inquiry_detail(request, number):
    inquiry = get_object_or_404(Inquiry.objects.select_related("taxpayer", "target"), number=number)
    answer_form = AnswerForm(
        request.POST if request.POST.get("action") == "answer" else None,
        initial={"expected_version": inquiry.version, "answered_on": timezone.localdate()},
    )
    sent_form = SentForm(
        request.POST if request.POST.get("action") == "sent" else None,
        initial={"sent_on": timezone.localdate()},
    )
    if request.method == "POST" and request.POST.get("action") == "sent" and sent_form.is_valid():
        inquiries.mark_sent(
            actor=request.actor, inquiries=[inquiry], sent_on=sent_form.cleaned_data["sent_on"]
        )
        messages.success(request, "発送日を登録しました。")
        return redirect("dispositions:inquiry_detail", number=inquiry.number)
    if request.method == "POST" and request.POST.get("action") == "answer" and answer_form.is_valid():
        data = answer_form.cleaned_data
        try:
            inquiries.record_answer(
                actor=request.actor,
                inquiry=inquiry,
                answered_on=data["answered_on"],
                values=data,
                expected_version=data["expected_version"],
            )
        except inquiries.InquiryError as error:
            answer_form.add_error(None, str(error))
        else:
            messages.success(request, "回答を登録しました。")
            return redirect("dispositions:inquiry_detail", number=inquiry.number)
    draft_link = None
    if inquiry.found_property:
        params = urlencode(inquiries.draft_prefill(inquiry))
        draft_link = f"{_draft_url(inquiry)}?{params}"
    record_access(request, page="照会", atena_numbers=[inquiry.taxpayer.atena_number])
    return render(
        request,
        "dispositions/inquiry_detail.html",
        {
            "inquiry": inquiry,
            "answer_form": answer_form,
            "sent_form": sent_form,
            "draft_link": draft_link,
            "overdue": inquiry.is_overdue(timezone.localdate()),
        },
    )


def _draft_url(inquiry: Inquiry) -> str:
    return reverse("dispositions:draft", args=[inquiry.taxpayer.atena_number])
