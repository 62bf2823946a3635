from django import forms
from django.contrib.auth import authenticate

from accounts.identity import canonical_staff_number
from accounts.models import (
    PrivilegeChange,
    Staff,
    Terminal,
    atena_number_validator,
    staff_number_validator,
)
from accounts.roles import Role
from accounts.terminals import network_width_error

INVALID_LOGIN = "職員番号またはパスワードが正しくありません。"
LOCKED_OUT = "ログインの失敗が続いたため、この職員番号は{minutes}分間ロックされています。時間をおいて再度お試しいただくか、システム管理者に連絡してください。"


class StaffNumberField(forms.CharField):
    """A 職員番号 as typed, folded to its one canonical spelling before any check."""

    def to_python(self, value):
        return canonical_staff_number(super().to_python(value))


class LoginForm(forms.Form):
    staff_number = StaffNumberField(
        label="職員番号",
        max_length=20,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label="パスワード",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.staff = None
        super().__init__(*args, **kwargs)

    def clean(self):
        from django.conf import settings

        staff_number = self.cleaned_data.get("staff_number")
        password = self.cleaned_data.get("password")
        if staff_number and password:
            self.staff = authenticate(self.request, username=staff_number, password=password)
            if getattr(self.request, "axes_locked_out", False):
                minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
                raise forms.ValidationError(LOCKED_OUT.format(minutes=minutes), code="locked_out")
            if self.staff is None:
                raise forms.ValidationError(INVALID_LOGIN, code="invalid_login")
        return self.cleaned_data


class TokenForm(forms.Form):
    token = forms.CharField(
        label="ワンタイムパスワード（6桁）",
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9]{6}",
            }
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("ワンタイムパスワードは半角数字6桁で入力してください。")
        return token


REQUEST_REASON_HELP = "申請者とは別の職員（監督者など）が確認するまで反映されません。"


class StaffForm(forms.Form):
    full_name = forms.CharField(label="氏名", max_length=60)
    atena_number = forms.CharField(label="宛名番号", max_length=15, validators=[atena_number_validator])
    department = forms.CharField(label="所属", max_length=60)
    role = forms.ChoiceField(label="ロール", choices=Role.choices)
    reason = forms.CharField(
        label="ロール変更の理由",
        max_length=200,
        required=False,
        help_text="ロールを変えるときに入力します。ロールの変更は" + REQUEST_REASON_HELP,
        widget=forms.TextInput(attrs={"size": 60}),
    )

    def cleaned_role(self) -> Role:
        return Role(self.cleaned_data["role"])

    def role_changed(self) -> bool:
        return self.cleaned_data["role"] != self.initial.get("role")

    def details_changed(self) -> bool:
        return any(
            self.cleaned_data[name] != self.initial.get(name)
            for name in ("full_name", "atena_number", "department")
        )

    def clean(self):
        cleaned = super().clean()
        if "role" in cleaned and self.role_changed() and not cleaned.get("reason", "").strip():
            self.add_error("reason", "ロールを変えるときは理由を入力してください。")
        return cleaned


class StaffCreateForm(StaffForm):
    staff_number = StaffNumberField(label="職員番号", max_length=20, validators=[staff_number_validator])
    field_order = ["staff_number", "full_name", "atena_number", "department", "role", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = "登録の理由"
        self.fields["reason"].required = True
        self.fields["reason"].help_text = "職員の登録は" + REQUEST_REASON_HELP

    def role_changed(self) -> bool:
        return True

    def clean_staff_number(self):
        number = self.cleaned_data["staff_number"]
        if Staff.objects.filter(staff_number=number).exists():
            raise forms.ValidationError("この職員番号は既に登録されています。")
        if PrivilegeChange.objects.pending().filter(staff_number=number).exists():
            raise forms.ValidationError("この職員番号は登録の確認待ちです。")
        return number


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=200, widget=forms.TextInput(attrs={"size": 60}))


class DeactivateForm(ReasonForm):
    """無効化: the reason, and who takes over the cases when the officer has any."""

    successor = forms.ModelChoiceField(
        label="担当を引き継ぐ職員",
        queryset=Staff.objects.none(),
        required=False,
        empty_label="選んでください",
    )

    def __init__(self, *args, staff: Staff, case_count: int, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["successor"]
        field.queryset = Staff.objects.filter(is_active=True).exclude(pk=staff.pk).order_by("staff_number")
        field.label_from_instance = lambda s: f"{s.staff_number} {s.full_name}（{s.department}）"
        if case_count:
            field.required = True
            field.help_text = f"この職員が担当している滞納者 {case_count:,}人の担当を、この職員に移します。"
            field.error_messages["required"] = "担当している滞納者がいるため、引き継ぐ職員を選んでください。"
        else:
            field.widget = forms.HiddenInput()


class DecisionForm(forms.Form):
    """確認・差戻し of a privilege change: the reason is needed to send it back."""

    reason = forms.CharField(
        label="確認・差戻しの理由",
        max_length=200,
        required=False,
        help_text="差し戻すときは必ず入力します。",
        widget=forms.TextInput(attrs={"size": 60}),
    )


def _clean_network_width(network: str) -> str:
    problem = network_width_error(network)
    if problem:
        raise forms.ValidationError(problem)
    return network


class TerminalForm(forms.ModelForm):
    reason = forms.CharField(
        label="登録の理由",
        max_length=200,
        help_text="端末の登録は" + REQUEST_REASON_HELP,
        widget=forms.TextInput(attrs={"size": 60}),
    )

    class Meta:
        model = Terminal
        fields = ["terminal_number", "name", "location", "network"]

    def clean_network(self):
        return _clean_network_width(self.cleaned_data["network"])

    def clean_terminal_number(self):
        number = self.cleaned_data["terminal_number"]
        if PrivilegeChange.objects.pending().filter(terminal_number=number).exists():
            raise forms.ValidationError("この端末番号は登録の確認待ちです。")
        return number


class TerminalEditForm(forms.ModelForm):
    reason = forms.CharField(
        label="変更の理由",
        max_length=200,
        required=False,
        help_text="無効にするだけなら直ちに反映されます。それ以外の変更は" + REQUEST_REASON_HELP,
        widget=forms.TextInput(attrs={"size": 60}),
    )

    class Meta:
        model = Terminal
        fields = ["name", "location", "network", "is_active"]

    switching_off_only = False

    def _switches_off_only(self) -> bool:
        # Read in clean(), before the ModelForm copies the new values onto the instance.
        terminal = self.instance
        data = self.cleaned_data
        return (
            terminal.is_active
            and not data["is_active"]
            and (data["name"], data["location"], data["network"])
            == (terminal.name, terminal.location, terminal.network)
        )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if cleaned.get("is_active") and "network" in cleaned:
            try:
                _clean_network_width(cleaned["network"])
            except forms.ValidationError as error:
                self.add_error("network", error)
        # Whether the only change is switching the terminal off (which takes effect at once).
        self.switching_off_only = self._switches_off_only()
        if not self.switching_off_only and not cleaned.get("reason", "").strip():
            self.add_error("reason", "端末を無効にする以外の変更は理由を入力してください。")
        return cleaned


class RolePolicyForm(forms.Form):
    reason = forms.CharField(label="変更の理由", max_length=200, widget=forms.TextInput(attrs={"size": 60}))

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        for role in roles:
            policy = getattr(role, "policy", None)
            self.fields[f"role_{role.pk}"] = forms.BooleanField(
                label=f"{role.name}: セキュリティキー・生体認証を必須とする",
                required=False,
                initial=bool(policy and policy.require_security_key),
            )
        self.order_fields([*(f"role_{role.pk}" for role in roles), "reason"])
