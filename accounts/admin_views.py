"""利用者管理: staff accounts, roles, second-factor resets and terminals (システム管理者), and
the confirmation of privilege changes (PRIVILEGE_CONFIRMER_ROLES: a second person).

Nothing here reads taxpayer data. Every change goes through accounts.services, which records
the administrator, their terminal and the reason. Creating staff, changing a role, registering a
terminal or changing one (other than switching it off), and dropping a role's security-key
requirement, are requests that take effect only when someone else confirms them.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.forms import (
    DeactivateForm,
    DecisionForm,
    ReasonForm,
    StaffCreateForm,
    StaffForm,
    TerminalEditForm,
    TerminalForm,
)
from accounts.models import PrivilegeChange, SecurityEvent, Staff, Terminal
from accounts.terminals import network_width_error
from wako_collections.access import has_menu, menu_required

INITIAL_PASSWORD_KEY = "wako_initial_password"  # noqa: S105  (a session key name)


def _four_eyes_context() -> dict:
    return {
        "confirmer_roles": settings.PRIVILEGE_CONFIRMER_ROLES,
        "widest_ipv4": settings.TERMINAL_WIDEST_PREFIX_IPV4,
        "widest_ipv6": settings.TERMINAL_WIDEST_PREFIX_IPV6,
    }


def _confirmation_needed() -> str:
    roles = "または".join(settings.PRIVILEGE_CONFIRMER_ROLES)
    return f"申請者以外の{roles}が確認すると反映されます。"


@menu_required("user_admin")
def staff_list(request):
    staff = Staff.objects.prefetch_related("groups", "authenticatorapp_set").order_by(
        "-is_active", "staff_number"
    )
    page = Paginator(staff, 50).get_page(request.GET.get("page"))
    pending_count = PrivilegeChange.objects.pending().filter(
        kind__in=[PrivilegeChange.Kind.STAFF_CREATION, PrivilegeChange.Kind.ROLE_CHANGE]
    )
    return render(request, "accounts/staff_list.html", {"page": page, "pending_count": pending_count.count()})


@menu_required("user_admin")
@require_http_methods(["GET", "POST"])
def staff_create(request):
    """職員登録の申請: the account exists only once a second person confirms it."""
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change, first_half = services.request_staff_creation(
                actor=request.actor,
                staff_number=form.cleaned_data["staff_number"],
                full_name=form.cleaned_data["full_name"],
                atena_number=form.cleaned_data["atena_number"],
                department=form.cleaned_data["department"],
                role=form.cleaned_role(),
                reason=form.cleaned_data["reason"],
            )
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            request.session[INITIAL_PASSWORD_KEY] = {"change": change.pk, "half": 1, "password": first_half}
            messages.success(
                request,
                f"{change.subject} の登録を申請しました。{_confirmation_needed()}"
                "初期パスワード通知書（前半）を印刷し、封をして本人に渡してください。",
            )
            return redirect("accounts:privilege_change_detail", pk=change.pk)
    return render(request, "accounts/staff_form.html", {"form": form, "creating": True})


@menu_required("user_admin")
def staff_detail(request, pk):
    staff = get_object_or_404(Staff, pk=pk)
    events = SecurityEvent.objects.filter(target_staff_number=staff.staff_number)[:20]
    return render(
        request,
        "accounts/staff_detail.html",
        {
            "staff": staff,
            "events": events,
            "pending": PrivilegeChange.objects.pending().filter(staff_number=staff.staff_number).first(),
            "history": staff.history.select_related("history_user")[:20],
        },
    )


@menu_required("user_admin")
@require_http_methods(["GET", "POST"])
def staff_edit(request, pk):
    """Name, 宛名番号 and 所属 change at once; a new role is requested and waits for confirmation."""
    staff = get_object_or_404(Staff, pk=pk)
    role_names = staff.role_names
    initial = {
        "full_name": staff.full_name,
        "atena_number": staff.atena_number,
        "department": staff.department,
        "role": role_names[0] if role_names else "",
    }
    form = StaffForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = []
        try:
            change = None
            if form.role_changed():
                change = services.request_role_change(
                    actor=request.actor,
                    staff=staff,
                    role=form.cleaned_role(),
                    reason=form.cleaned_data["reason"],
                )
                done.append(f"ロールの変更を申請しました。{_confirmation_needed()}")
            if form.details_changed():
                services.update_staff(
                    actor=request.actor,
                    staff=staff,
                    full_name=form.cleaned_data["full_name"],
                    atena_number=form.cleaned_data["atena_number"],
                    department=form.cleaned_data["department"],
                )
                done.insert(0, f"{staff} の情報を変更しました。")
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "".join(done) or "変更はありません。")
            if change is not None:
                return redirect("accounts:privilege_change_detail", pk=change.pk)
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
    """Asks for the reason and, when the officer has cases, who takes them over."""
    staff = get_object_or_404(Staff, pk=pk)
    case_count = staff.assigned_taxpayers.count()
    form = DeactivateForm(request.POST or None, staff=staff, case_count=case_count)
    if request.method == "POST" and form.is_valid():
        successor = form.cleaned_data["successor"]
        try:
            services.deactivate_staff(
                actor=request.actor, staff=staff, reason=form.cleaned_data["reason"], successor=successor
            )
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            moved = f"担当 {case_count:,}人を {successor} に引き継ぎ、" if successor and case_count else ""
            messages.success(request, f"{staff} を無効化し、{moved}ログイン中のセッションを終了しました。")
            return redirect("accounts:staff_detail", pk=staff.pk)
    return render(
        request,
        "accounts/staff_confirm.html",
        {
            "form": form,
            "staff": staff,
            "action": "無効化する",
            "title": f"{staff} の無効化",
            "case_count": case_count,
        },
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
    pending_count = PrivilegeChange.objects.pending().filter(
        kind__in=[PrivilegeChange.Kind.TERMINAL_REGISTRATION, PrivilegeChange.Kind.TERMINAL_CHANGE]
    )
    terminals = list(Terminal.objects.all())
    for terminal in terminals:
        # Registered before the limit, or by the console with --allow-wide-network: shown, not hidden.
        terminal.width_error = network_width_error(terminal.network) if terminal.is_active else None
    return render(
        request,
        "accounts/terminal_list.html",
        {"terminals": terminals, "pending_count": pending_count.count()},
    )


@menu_required("user_admin")
@require_http_methods(["GET", "POST"])
def terminal_create(request):
    """端末登録の申請: the terminal reaches the system only once a second person confirms it."""
    form = TerminalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.request_terminal_registration(actor=request.actor, **form.cleaned_data)
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{change.subject} の登録を申請しました。{_confirmation_needed()}")
            return redirect("accounts:privilege_change_detail", pk=change.pk)
    return render(
        request, "accounts/terminal_form.html", {"form": form, "creating": True, **_four_eyes_context()}
    )


@menu_required("user_admin")
@require_http_methods(["GET", "POST"])
def terminal_edit(request, pk):
    """Switching a terminal off takes effect at once; every other change is requested."""
    terminal = get_object_or_404(Terminal, pk=pk)
    form = TerminalEditForm(request.POST or None, instance=Terminal.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("name", "location", "network", "is_active")}
        try:
            if form.switching_off_only:
                services.update_terminal(actor=request.actor, terminal=terminal, **data)
                done, change = f"端末 {terminal.terminal_number} を無効にしました。", None
            else:
                change = services.request_terminal_change(
                    actor=request.actor, terminal=terminal, reason=form.cleaned_data["reason"], **data
                )
                done = f"端末 {terminal.terminal_number} の変更を申請しました。{_confirmation_needed()}"
        except services.AccountError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done)
            if change is not None:
                return redirect("accounts:privilege_change_detail", pk=change.pk)
            return redirect("accounts:terminal_list")
    return render(
        request,
        "accounts/terminal_form.html",
        {
            "form": form,
            "terminal": terminal,
            "pending": PrivilegeChange.objects.pending().filter(terminal=terminal).first(),
            **_four_eyes_context(),
        },
    )


@menu_required("user_admin")
@require_http_methods(["GET", "POST"])
def role_policies(request):
    """Which roles must sign in with a security key or platform authenticator (fingerprint, face)."""
    from django.contrib.auth.models import Group

    from accounts.forms import RolePolicyForm

    roles = list(Group.objects.order_by("name").select_related("policy"))
    form = RolePolicyForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        done = []
        for role in roles:
            wanted = form.cleaned_data[f"role_{role.pk}"]
            policy = getattr(role, "policy", None)
            if policy is not None and policy.require_security_key and not wanted:
                # Weakening sign-in for a whole role waits for a second person.
                try:
                    services.request_role_policy_relaxation(actor=request.actor, role=role, reason=reason)
                except services.AccountError as error:
                    messages.error(request, str(error))
                else:
                    done.append(
                        f"{role.name} のセキュリティキー必須の解除を申請しました。{_confirmation_needed()}"
                    )
            elif wanted:
                services.set_role_policy(
                    actor=request.actor, role=role, require_security_key=True, reason=reason
                )
        messages.success(request, "ロールの認証方式を保存しました。" + "".join(done))
        return redirect("accounts:role_policies")
    return render(request, "accounts/role_policies.html", {"form": form})


# --- 権限変更・端末登録の確認 (four eyes) -------------------------------------------------------


def _reviewer_required(view):
    """The list and the requests: administrators (who request) and confirmers (who decide)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not (has_menu(request.user, "user_admin") or services.can_confirm_privilege_changes(request.user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _confirmer_required(view):
    """Members of settings.PRIVILEGE_CONFIRMER_ROLES; the service refuses their own requests."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not services.can_confirm_privilege_changes(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@_reviewer_required
def privilege_change_list(request):
    changes = PrivilegeChange.objects.select_related("role")
    pending = list(changes.pending().order_by("requested_at", "id"))
    decided = Paginator(
        changes.exclude(status=PrivilegeChange.Status.PENDING).order_by("-decided_at", "-id"), 50
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/privilege_change_list.html",
        {"pending": pending, "page": decided, **_four_eyes_context()},
    )


@_reviewer_required
def privilege_change_detail(request, pk):
    """The request in full; a confirmer who may decide it is asked to confirm or send it back."""
    change = get_object_or_404(PrivilegeChange.objects.select_related("role", "staff", "terminal"), pk=pk)
    issued = request.session.get(INITIAL_PASSWORD_KEY)
    slip = None
    if issued and issued.get("change") == change.pk:
        # One half, shown once in the session of the person who issues it (the requester the
        # first, the confirmer the second), then gone.
        slip = request.session.pop(INITIAL_PASSWORD_KEY)
    may_decide = (
        change.is_pending
        and services.can_confirm_privilege_changes(request.user)
        and request.user.staff_number not in (change.requested_by, change.staff_number)
    )
    return render(
        request,
        "accounts/privilege_change_detail.html",
        {
            "change": change,
            "may_decide": may_decide,
            "form": DecisionForm(),
            "slip": slip,
            "history": change.history.all()[:20],
            **_four_eyes_context(),
        },
    )


def _decide(request, pk, *, decide):
    change = get_object_or_404(PrivilegeChange, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            message = decide(change, form.cleaned_data["reason"])
        except services.AccountError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, message)
    else:
        messages.error(request, "理由は200文字以内で入力してください。")
    return redirect("accounts:privilege_change_detail", pk=change.pk)


@_confirmer_required
@require_POST
def privilege_change_confirm(request, pk):
    def confirm(change, reason):
        change, password = services.confirm_privilege_change(
            actor=request.actor, change=change, reason=reason
        )
        if password is not None:
            request.session[INITIAL_PASSWORD_KEY] = {"change": change.pk, "half": 2, "password": password}
            return f"{change.subject} を登録しました。初期パスワード通知書（後半）を印刷し、封をして本人に渡してください。"
        return f"{change.get_kind_display()}（{change.subject}）を確認し、反映しました。"

    return _decide(request, pk, decide=confirm)


@_confirmer_required
@require_POST
def privilege_change_reject(request, pk):
    def reject(change, reason):
        change = services.reject_privilege_change(actor=request.actor, change=change, reason=reason)
        return f"{change.get_kind_display()}（{change.subject}）を差し戻しました。反映されません。"

    return _decide(request, pk, decide=reject)
