from django import forms
from django.contrib.auth import authenticate

from accounts.identity import canonical_staff_number
from accounts.models import Staff, Terminal, atena_number_validator, staff_number_validator
from accounts.roles import Role

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


class StaffForm(forms.Form):
    full_name = forms.CharField(label="氏名", max_length=60)
    atena_number = forms.CharField(label="宛名番号", max_length=15, validators=[atena_number_validator])
    department = forms.CharField(label="所属", max_length=60)
    role = forms.ChoiceField(label="ロール", choices=Role.choices)

    def cleaned_role(self) -> Role:
        return Role(self.cleaned_data["role"])


class StaffCreateForm(StaffForm):
    staff_number = StaffNumberField(label="職員番号", max_length=20, validators=[staff_number_validator])
    field_order = ["staff_number", "full_name", "atena_number", "department", "role"]

    def clean_staff_number(self):
        number = self.cleaned_data["staff_number"]
        if Staff.objects.filter(staff_number=number).exists():
            raise forms.ValidationError("この職員番号は既に登録されています。")
        return number


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=200, widget=forms.TextInput(attrs={"size": 60}))


class TerminalForm(forms.ModelForm):
    class Meta:
        model = Terminal
        fields = ["terminal_number", "name", "location", "network"]


class TerminalEditForm(forms.ModelForm):
    class Meta:
        model = Terminal
        fields = ["name", "location", "network", "is_active"]


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
