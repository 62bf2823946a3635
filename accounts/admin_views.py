"""利用者管理: staff accounts, roles, second-factor resets and terminals (システム管理者 only).

Nothing here reads taxpayer data. Every change goes through accounts.services, which records
the administrator, their terminal and the reason.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import ReasonForm, StaffCreateForm, StaffForm, TerminalEditForm, TerminalForm
from accounts.models import SecurityEvent, Staff, Terminal
from accounts.roles import Role
from wako_collections.access import menu_required

INITIAL_PASSWORD_KEY = "wako_initial_password"  # noqa: S105  (a session key name)


@menu_required("user_admin")
def staff_list(request):
    staff = Staff.objects.prefetch_related("groups", "authenticatorapp_set").order_by(
        "-is_active", "staff_number"
    )
    page = Paginator(staff, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/staff_list.html", {"page": page})


@menu_required("user_admin")
@require_http_methods(["GET", "POST"])
def staff_create(request):
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff, password = services.create_staff(
                actor=request.actor,
                staff_number=form.cleaned_data["staff_number"],
                full_name=form.cleaned_data["full_name"],
                atena_number=form.cleaned_data["atena_number"],
                department=form.cleaned_data["department"],
                role=form.cleaned_role(),
            )
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            # Shown once on the next page, then gone from the session.
            request.session[INITIAL_PASSWORD_KEY] = {"staff": staff.pk, "password": password}
            messages.success(request, f"{staff} を登録しました。")
            return redirect("accounts:staff_detail", pk=staff.pk)
    return render(request, "accounts/staff_form.html", {"form": form, "creating": True})


@menu_required("user_admin")
def staff_detail(request, pk):
    staff = get_object_or_404(Staff, pk=pk)
    shown = request.session.get(INITIAL_PASSWORD_KEY)
    initial_password = None
    if shown and shown.get("staff") == staff.pk:
        initial_password = request.session.pop(INITIAL_PASSWORD_KEY)["password"]
    events = SecurityEvent.objects.filter(target_staff_number=staff.staff_number)[:20]
    return render(
        request,
        "accounts/staff_detail.html",
        {
            "staff": staff,
            "initial_password": initial_password,
            "events": events,
            "history": staff.history.select_related("history_user")[:20],
        },
    )


@menu_required("user_admin")
@require_http_methods(["GET", "POST"])
def staff_edit(request, pk):
    staff = get_object_or_404(Staff, pk=pk)
    role_names = staff.role_names
    initial = {
        "full_name": staff.full_name,
        "atena_number": staff.atena_number,
        "department": staff.department,
        "role": role_names[0] if role_names else Role.COLLECTIONS_OFFICER,
    }
    form = StaffForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_staff(
                actor=request.actor,
                staff=staff,
                full_name=form.cleaned_data["full_name"],
                atena_number=form.cleaned_data["atena_number"],
                department=form.cleaned_data["department"],
                role=form.cleaned_role(),
            )
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{staff} の情報を変更しました。")
            return redirect("accounts:staff_detail", pk=staff.pk)
    return render(request, "accounts/staff_form.html", {"form": form, "staff": staff})


def _confirm_with_reason(request, staff, *, action, template_title, done_message, run):
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data["reason"])
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done_message)
            return redirect("accounts:staff_detail", pk=staff.pk)
    return render(
        request,
        "accounts/staff_confirm.html",
        {"form": form, "staff": staff, "action": action, "title": template_title},
    )


@menu_required("user_admin")
@require_http_methods(["GET", "POST"])
def staff_deactivate(request, pk):
    staff = get_object_or_404(Staff, pk=pk)
    return _confirm_with_reason(
        request,
        staff,
        action="無効化する",
        template_title=f"{staff} の無効化",
        done_message=f"{staff} を無効化し、ログイン中のセッションを終了しました。",
        run=lambda reason: services.deactivate_staff(actor=request.actor, staff=staff, reason=reason),
    )


@menu_required("user_admin")
@require_http_methods(["GET", "POST"])
def staff_reset_second_factor(request, pk):
    staff = get_object_or_404(Staff, pk=pk)
    return _confirm_with_reason(
        request,
        staff,
        action="二要素認証をリセットする",
        template_title=f"{staff} の二要素認証リセット",
        done_message=f"{staff} の認証アプリを削除しました。次回ログイン時に新しい認証アプリを登録します。",
        run=lambda reason: services.reset_second_factor(actor=request.actor, staff=staff, reason=reason),
    )


@menu_required("user_admin")
def terminal_list(request):
    return render(request, "accounts/terminal_list.html", {"terminals": Terminal.objects.all()})


@menu_required("user_admin")
@require_http_methods(["GET", "POST"])
def terminal_create(request):
    form = TerminalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.register_terminal(actor=request.actor, **form.cleaned_data)
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"端末 {form.cleaned_data['terminal_number']} を登録しました。")
            return redirect("accounts:terminal_list")
    return render(request, "accounts/terminal_form.html", {"form": form, "creating": True})


@menu_required("user_admin")
@require_http_methods(["GET", "POST"])
def terminal_edit(request, pk):
    terminal = get_object_or_404(Terminal, pk=pk)
    form = TerminalEditForm(request.POST or None, instance=Terminal.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_terminal(actor=request.actor, terminal=terminal, **form.cleaned_data)
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"端末 {terminal.terminal_number} を変更しました。")
            return redirect("accounts:terminal_list")
    return render(request, "accounts/terminal_form.html", {"form": form, "terminal": terminal})


@menu_required("user_admin")
@require_http_methods(["GET", "POST"])
def role_policies(request):
    """Which roles must sign in with a security key or platform authenticator (fingerprint, face)."""
    from django.contrib.auth.models import Group

    from accounts.forms import RolePolicyForm

    roles = list(Group.objects.order_by("name").select_related("policy"))
    form = RolePolicyForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        for role in roles:
            services.set_role_policy(
                actor=request.actor,
                role=role,
                require_security_key=form.cleaned_data[f"role_{role.pk}"],
                reason=form.cleaned_data["reason"],
            )
        messages.success(request, "ロールの認証方式を保存しました。")
        return redirect("accounts:role_policies")
    return render(request, "accounts/role_policies.html", {"form": form})
