"""Staff, their roles' menu permissions, registered terminals, and the security event log."""

import ipaddress

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.access_cache import InvalidatingQuerySet
from accounts.identity import STAFF_NUMBER_PATTERN, canonical_staff_number
from wako_collections import key_store
from wako_collections.records import tracked_history

staff_number_validator = RegexValidator(
    STAFF_NUMBER_PATTERN, "職員番号は英大文字と数字20文字以内で入力してください。"
)
atena_number_validator = RegexValidator(r"^[0-9]{1,15}$", "宛名番号は半角数字15桁以内で入力してください。")
terminal_number_validator = RegexValidator(
    r"^[0-9A-Za-z-]{1,20}$", "端末番号は半角英数字とハイフン20文字以内で入力してください。"
)


# What the access cache does not hold (accounts/access_cache.py): a sign-in's last_login, a password
# change, a deactivation and the name are read live every request, so writing them needs no bump.
STAFF_FIELDS_READ_LIVE = frozenset(
    {"last_login", "password", "must_change_password", "is_active", "full_name"}
)


class StaffQuerySet(InvalidatingQuerySet):
    fields_read_live = STAFF_FIELDS_READ_LIVE

    def active(self):
        return self.filter(is_active=True)

    def with_role(self, role_name: str):
        return self.filter(groups__name=role_name)


class StaffManager(BaseUserManager.from_queryset(StaffQuerySet)):  # type: ignore[misc]
    use_in_migrations = True

    def get_by_natural_key(self, staff_number):
        # ModelBackend signs in through here: the account is found by its canonical number only.
        return self.get(staff_number=canonical_staff_number(staff_number))

    def create_user(self, staff_number, password=None, **fields):
        staff = self.model(staff_number=canonical_staff_number(staff_number), **fields)
        staff.set_password(password)
        staff.save()
        return staff

    def create_superuser(self, staff_number, password=None, **fields):
        # No one is a superuser: a superuser would read taxpayer data, which no administrator may.
        raise NotImplementedError("use `manage.py create_staff --role システム管理者` instead")


class Staff(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]  # AuthenticatorApp extends untyped django-otp
    """A member of staff. Never deleted: leaving staff are deactivated, which ends their sessions."""

    staff_number = models.CharField(
        "職員番号",
        max_length=20,
        unique=True,
        validators=[staff_number_validator],
        db_comment="職員番号",
    )
    full_name = models.CharField("氏名", max_length=60, db_comment="氏名")
    atena_number = models.CharField(
        "宛名番号",
        max_length=15,
        validators=[atena_number_validator],
        db_comment="職員本人の宛名番号（更新職員宛名番号・担当者宛名番号に記録される）",
    )
    department = models.CharField("所属", max_length=60, db_comment="所属")
    is_active = models.BooleanField(
        "有効", default=True, db_comment="有効（無効化された職員はログインできない）"
    )
    must_change_password = models.BooleanField(
        "初回パスワード変更要", default=True, db_comment="次回ログイン時にパスワード変更を求める"
    )
    created_at = models.DateTimeField("登録日時", default=timezone.now, db_comment="登録日時")
    deactivated_at = models.DateTimeField("無効化日時", null=True, blank=True, db_comment="無効化日時")
    # Django's own last_login is replaced by the security event log (the previous login is read there),
    # so a login does not rewrite the staff row and its history.
    last_login = None

    history = tracked_history(excluded_fields=["password"])

    objects = StaffManager()

    USERNAME_FIELD = "staff_number"
    REQUIRED_FIELDS = ["full_name", "atena_number", "department"]

    class Meta:
        verbose_name = "職員"
        verbose_name_plural = "職員"
        ordering = ["staff_number"]
        db_table_comment = "職員（利用者）"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_superuser=False), name="accounts_staff_no_superuser"
            ),
            # One spelling per account (accounts.identity): no lower case, full-width or spaces.
            models.CheckConstraint(
                condition=models.Q(staff_number__regex=STAFF_NUMBER_PATTERN),
                name="accounts_staff_staff_number_canonical",
            ),
        ]

    def __str__(self):
        return f"{self.full_name}（{self.staff_number}）"

    @classmethod
    def normalize_username(cls, username):
        return canonical_staff_number(username)

    @property
    def role_names(self) -> list[str]:
        return [group.name for group in self.groups.all()]

    @property
    def has_second_factor(self) -> bool:
        from django_otp_webauthn.models import WebAuthnCredential

        return (
            AuthenticatorApp.objects.filter(user=self, confirmed=True).exists()
            or WebAuthnCredential.objects.filter(user=self, confirmed=True).exists()
        )


class AuthenticatorApp(TimestampMixin, ThrottlingMixin, Device):
    """A staff member's authenticator app (TOTP, RFC 6238): django-otp's TOTP device with its
    secret sealed at rest by the application's key store (wako_collections.key_store, under
    INDIVIDUAL_NUMBER_KEYS, the keys of 個人番号), bound to the staff member's row, so neither the table, a backup nor a copied row is
    enough to produce codes. `key` reads and writes the hex secret as django-otp's TOTPDevice does;
    verification, throttling and the otpauth:// URL are django-otp's own (borrowed below)."""

    key_ciphertext = models.CharField(
        "秘密鍵（暗号化）", max_length=200, db_comment="TOTP の秘密鍵（AES-256-GCM で暗号化）"
    )
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "認証アプリ"
        verbose_name_plural = "認証アプリ"
        db_table_comment = "職員の認証アプリ（TOTP）。秘密鍵は暗号化して保存する"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(key_ciphertext__startswith="v1."),
                name="accounts_authenticatorapp_key_sealed",
            ),
        ]

    def _associated(self) -> bytes:
        if self.user_id is None:
            raise ValueError("認証アプリの職員が決まる前に秘密鍵は設定できません。")
        return f"otp-totp:{self.user_id}".encode()

    @property
    def key(self) -> str:
        return key_store.unseal(
            self.key_ciphertext, associated=self._associated(), what="認証アプリの秘密鍵"
        ).decode()

    @key.setter
    def key(self, hex_key: str) -> None:
        from django_otp.util import hex_validator

        hex_validator()(hex_key)
        self.key_ciphertext = key_store.seal(hex_key.encode(), associated=self._associated())

    def save(self, *args, **kwargs):
        if not self.key_ciphertext:  # the field's default, which needs the staff member first
            from django_otp.util import random_hex

            self.key = random_hex(20)
        super().save(*args, **kwargs)

    bin_key = TOTPDevice.bin_key
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings


class Menu(models.Model):  # noqa: DJ008  (never instantiated)
    """Holds the per-menu permissions (no table). Roles are groups of these permissions."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("payment_status", "収納状況照会"),
            ("negotiations", "交渉記録"),
            ("pledges", "分納誓約"),
            ("inquiries", "照会文書"),
            ("dispositions", "滞納処分"),
            ("audit", "監査"),
            ("user_admin", "利用者管理"),
            ("approve_dispositions", "滞納処分の決裁"),
            ("reveal_individual_number", "個人番号の表示"),
            ("import_data", "庁内連携データの取込"),
            ("assign_cases", "担当の割当"),
            ("documents", "帳票の発行"),
            ("export_data", "データの出力"),
        ]


def validate_network(value: str) -> None:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValidationError(
            "IPアドレス（例: 192.168.10.21）または範囲（例: 192.168.10.0/24）を入力してください。"
        ) from None


class TerminalQuerySet(InvalidatingQuerySet):
    def active(self):
        return self.filter(is_active=True)


class Terminal(models.Model):
    """A registered office terminal. Requests from any other address are refused."""

    terminal_number = models.CharField(
        "端末番号",
        max_length=20,
        unique=True,
        validators=[terminal_number_validator],
        db_comment="端末番号",
    )
    name = models.CharField("端末名", max_length=60, db_comment="端末名")
    location = models.CharField("設置場所", max_length=100, blank=True, db_comment="設置場所")
    network = models.CharField(
        "IPアドレス（範囲）",
        max_length=64,
        validators=[validate_network],
        help_text="固定IPアドレス（例: 192.168.10.21）または範囲（例: 192.168.10.0/24）",
        db_comment="固定IPアドレスまたはCIDR表記の範囲",
    )
    is_active = models.BooleanField("有効", default=True, db_comment="有効")
    created_at = models.DateTimeField("登録日時", default=timezone.now, db_comment="登録日時")

    history = tracked_history()

    objects = TerminalQuerySet.as_manager()

    class Meta:
        verbose_name = "端末"
        verbose_name_plural = "端末"
        ordering = ["terminal_number"]
        db_table_comment = "登録端末"

    def __str__(self):
        return f"{self.terminal_number} {self.name}"

    def covers(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        network = ipaddress.ip_network(self.network, strict=False)
        return ip.version == network.version and ip in network


class SecurityEventQuerySet(models.QuerySet):
    def logins(self):
        return self.filter(kind=SecurityEvent.Kind.LOGIN_COMPLETED)


class SecurityEvent(models.Model):
    """Append-only log of sign-ins, failures, lockouts, sign-outs and account administration."""

    class Kind(models.TextChoices):
        PASSWORD_ACCEPTED = "password_accepted", "パスワード認証成功"
        PASSWORD_REJECTED = "password_rejected", "パスワード誤り"
        LOCKED_OUT = "locked_out", "アカウントロック"
        OTP_REJECTED = "otp_rejected", "ワンタイムパスワード誤り"
        LOGIN_COMPLETED = "login_completed", "ログイン（二要素認証完了）"
        DEVICE_ENROLLED = "device_enrolled", "認証アプリ登録"
        LOGGED_OUT = "logged_out", "ログアウト"
        SESSION_EXPIRED = "session_expired", "セッション期限切れ"
        TERMINAL_REFUSED = "terminal_refused", "未登録端末からのアクセス拒否"
        PASSWORD_CHANGED = "password_changed", "パスワード変更"
        STAFF_CREATED = "staff_created", "職員登録"
        STAFF_UPDATED = "staff_updated", "職員情報・ロール変更"
        STAFF_DEACTIVATED = "staff_deactivated", "職員無効化"
        SECOND_FACTOR_RESET = "second_factor_reset", "二要素認証リセット"
        TERMINAL_REGISTERED = "terminal_registered", "端末登録"
        TERMINAL_UPDATED = "terminal_updated", "端末変更"
        INDIVIDUAL_NUMBER_SHOWN = "individual_number_shown", "個人番号の表示"
        PROTECTED_ADDRESS_SHOWN = "protected_address_shown", "支援措置対象者の住所の表示"
        ROLE_POLICY_CHANGED = "role_policy_changed", "ロールの認証方式の変更"
        BACKUP_MADE = "backup_made", "バックアップの作成"
        DATABASE_RESTORED = "database_restored", "バックアップからの復元"
        PRIVILEGE_CHANGE_REQUESTED = "privilege_change_requested", "権限変更・端末登録の申請"
        PRIVILEGE_CHANGE_CONFIRMED = "privilege_change_confirmed", "権限変更・端末登録の確認（反映）"
        PRIVILEGE_CHANGE_REJECTED = "privilege_change_rejected", "権限変更・端末登録の差戻し"
        INITIAL_PASSWORD_ISSUED = "initial_password_issued", "初期パスワード通知書の交付"
        RETENTION_PURGED = "retention_purged", "保存期間経過による削除"

    occurred_at = models.DateTimeField("日時", default=timezone.now, db_index=True, db_comment="日時")
    kind = models.CharField("種別", max_length=30, choices=Kind.choices, db_comment="種別")
    staff_number = models.CharField(
        "職員番号",
        max_length=150,
        blank=True,
        db_index=True,
        db_comment="操作した（またはログインを試みた）職員番号",
    )
    target_staff_number = models.CharField(
        "対象職員番号", max_length=20, blank=True, db_comment="管理操作の対象となった職員番号"
    )
    terminal_number = models.CharField("端末番号", max_length=20, blank=True, db_comment="端末番号")
    ip_address = models.GenericIPAddressField("IPアドレス", null=True, blank=True, db_comment="IPアドレス")
    detail = models.CharField("内容", max_length=500, blank=True, db_comment="内容（理由など）")
    # Refusals of unregistered addresses are counted, not listed: one row per address and
    # minute, so a flood cannot fill the table (issue 14, item 10). Every other row is 1.
    minute = models.DateTimeField(
        "集計単位の分",
        null=True,
        blank=True,
        db_comment="未登録端末からのアクセス拒否を集計する1分間の始まり（それ以外の記録は空）",
    )
    repeat_count = models.PositiveIntegerField(
        "回数",
        default=1,
        db_comment="同じアドレスから同じ1分間に拒否した回数（未登録端末からのアクセス拒否のみ2以上になる）",
    )

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = "認証・管理ログ"
        verbose_name_plural = "認証・管理ログ"
        ordering = ["-occurred_at", "-id"]
        db_table_comment = "ログイン・ログアウト・ロック・利用者管理の記録（追記のみ）"
        indexes = [
            models.Index(fields=["staff_number", "kind", "-occurred_at"], name="accounts_event_staff_kind")
        ]
        constraints = [
            # Refusals logged before counting began have no minute and stay as they were.
            models.UniqueConstraint(
                fields=["ip_address", "minute"],
                condition=models.Q(kind="terminal_refused", minute__isnull=False),
                nulls_distinct=False,
                name="accounts_securityevent_one_refusal_row_per_address_minute",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="terminal_refused", repeat_count__gte=1)
                | models.Q(minute__isnull=True, repeat_count=1),
                name="accounts_securityevent_only_refusals_are_counted",
            ),
        ]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.staff_number}"


class RolePolicy(models.Model):
    """What a role asks at sign-in beyond the password: an administrator can require a security
    key or platform authenticator (fingerprint, face) instead of the authenticator app's code."""

    role = models.OneToOneField(
        "auth.Group",
        on_delete=models.PROTECT,
        related_name="policy",
        verbose_name="ロール",
        db_comment="ロール",
    )
    require_security_key = models.BooleanField(
        "セキュリティキー・生体認証を必須とする",
        default=False,
        db_comment="セキュリティキー・生体認証（WebAuthn）を必須とする",
    )

    history = tracked_history()

    objects = InvalidatingQuerySet.as_manager()

    class Meta:
        verbose_name = "ロールの認証方式"
        verbose_name_plural = "ロールの認証方式"
        db_table_comment = "ロールごとの二要素認証の方式"

    def __str__(self):
        return f"{self.role.name}: {'セキュリティキー必須' if self.require_security_key else '認証アプリ可'}"


class PrivilegeChangeQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=PrivilegeChange.Status.PENDING)


class PrivilegeChange(models.Model):
    """申請中の権限変更・端末登録: a change that widens who reaches the system, kept here until a
    second person confirms it (four eyes, as 滞納処分の決裁).

    A staff account does not exist until its creation is confirmed (so nobody can sign in with it
    before), and its initial password is split (split knowledge, dual control): the first half is
    issued to the requester, the second to the confirmer, so neither alone can sign in as the new
    staff member; the first half is kept only until the request is decided. A role, a terminal's registration or any change to a terminal other than switching it
    off takes effect only on confirmation. The confirmer is never the requester (database
    constraint) nor the staff member the change is for. Each row is one request; decided rows are
    never reopened.
    """

    class Kind(models.TextChoices):
        STAFF_CREATION = "staff_creation", "職員登録"
        ROLE_CHANGE = "role_change", "ロール変更"
        TERMINAL_REGISTRATION = "terminal_registration", "端末登録"
        TERMINAL_CHANGE = "terminal_change", "端末変更"
        ROLE_POLICY_RELAXATION = "role_policy_relaxation", "セキュリティキー必須の解除"

    class Status(models.TextChoices):
        PENDING = "pending", "確認待ち"
        CONFIRMED = "confirmed", "確認済み（反映）"
        REJECTED = "rejected", "差戻し"

    kind = models.CharField("申請の種類", max_length=30, choices=Kind.choices, db_comment="申請の種類")
    status = models.CharField(
        "状態", max_length=20, choices=Status.choices, default=Status.PENDING, db_comment="状態"
    )
    staff = models.ForeignKey(
        Staff,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="privilege_changes",
        verbose_name="対象職員",
        db_comment="対象職員（職員登録は確認で登録されてから）",
    )
    staff_number = models.CharField(
        "対象職員番号", max_length=20, blank=True, db_comment="対象職員番号（職員登録では登録する職員番号）"
    )
    full_name = models.CharField("氏名", max_length=60, blank=True, db_comment="登録する職員の氏名")
    atena_number = models.CharField(
        "宛名番号", max_length=15, blank=True, db_comment="登録する職員本人の宛名番号"
    )
    department = models.CharField("所属", max_length=60, blank=True, db_comment="登録する職員の所属")
    role = models.ForeignKey(
        "auth.Group",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="新しいロール",
        db_comment="付与するロール",
    )
    reaches_taxpayer_data = models.BooleanField(
        "納税者情報に触れるロール",
        default=False,
        db_comment="付与するロールの権限に納税者情報を扱うメニューが含まれるか（申請時にロールの権限から判定）",
    )
    require_security_key = models.BooleanField(
        "セキュリティキー・生体認証を必須とする",
        default=False,
        db_comment="ロールの認証方式の申請: セキュリティキー・生体認証を必須とするか",
    )
    terminal = models.ForeignKey(
        Terminal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name="対象端末",
        db_comment="対象端末（端末登録は確認で登録されてから）",
    )
    terminal_number = models.CharField("端末番号", max_length=20, blank=True, db_comment="端末番号")
    terminal_name = models.CharField("端末名", max_length=60, blank=True, db_comment="端末名")
    location = models.CharField("設置場所", max_length=100, blank=True, db_comment="設置場所")
    network = models.CharField(
        "IPアドレス（範囲）", max_length=64, blank=True, db_comment="固定IPアドレスまたはCIDR表記の範囲"
    )
    terminal_is_active = models.BooleanField("端末を有効とする", default=True, db_comment="端末を有効とする")
    before = models.CharField(
        "申請時の内容",
        max_length=300,
        blank=True,
        db_comment="申請時点の対象の内容（確認時に変わっていれば反映しない）",
    )
    initial_password_first_half = models.CharField(
        "初期パスワードの前半",
        max_length=16,
        blank=True,
        db_comment="職員登録の申請者に交付した初期パスワードの前半（確認・差戻しで消去し、履歴には残さない）",
    )
    reason = models.CharField("申請の理由", max_length=200, db_comment="申請の理由")
    requested_by = models.CharField("申請職員番号", max_length=20, db_comment="申請した職員番号")
    requested_terminal = models.CharField("申請端末番号", max_length=20, db_comment="申請した端末番号")
    requested_at = models.DateTimeField("申請日時", default=timezone.now, db_comment="申請日時")
    decided_by = models.CharField(
        "確認職員番号", max_length=20, blank=True, db_comment="確認（または差戻し）した職員番号"
    )
    decided_terminal = models.CharField(
        "確認端末番号", max_length=20, blank=True, db_comment="確認（または差戻し）した端末番号"
    )
    decided_at = models.DateTimeField(
        "確認日時", null=True, blank=True, db_comment="確認（または差戻し）日時"
    )
    decision_reason = models.CharField(
        "確認・差戻しの理由", max_length=200, blank=True, db_comment="確認・差戻しの理由"
    )

    history = tracked_history(excluded_fields=["initial_password_first_half"])

    objects = PrivilegeChangeQuerySet.as_manager()

    class Meta:
        verbose_name = "権限変更・端末登録の申請"
        verbose_name_plural = "権限変更・端末登録の申請"
        ordering = ["-requested_at", "-id"]
        db_table_comment = "申請中・確認済みの権限変更と端末登録（二人目の確認で反映）"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decided_by="") | ~models.Q(decided_by=models.F("requested_by")),
                name="accounts_privilegechange_four_eyes",
            ),
            models.CheckConstraint(
                condition=models.Q(decided_by="") | ~models.Q(decided_by=models.F("staff_number")),
                name="accounts_privilegechange_not_own_privilege",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(status="pending", decided_by="", decided_at__isnull=True)
                    | (
                        models.Q(status__in=["confirmed", "rejected"], decided_at__isnull=False)
                        & ~models.Q(decided_by="")
                    )
                ),
                name="accounts_privilegechange_decided_when_not_pending",
            ),
            models.UniqueConstraint(
                fields=["staff_number"],
                condition=models.Q(status="pending") & ~models.Q(staff_number=""),
                name="accounts_privilegechange_one_pending_per_staff",
                violation_error_message="この職員には確認待ちの申請が既にあります。",
            ),
            models.UniqueConstraint(
                fields=["terminal_number"],
                condition=models.Q(status="pending") & ~models.Q(terminal_number=""),
                name="accounts_privilegechange_one_pending_per_terminal",
                violation_error_message="この端末には確認待ちの申請が既にあります。",
            ),
            models.UniqueConstraint(
                fields=["role"],
                condition=models.Q(status="pending", kind="role_policy_relaxation"),
                name="accounts_privilegechange_one_pending_per_role_policy",
                violation_error_message="このロールの認証方式には確認待ちの申請が既にあります。",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject}（{self.get_status_display()}）"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def is_for_staff(self) -> bool:
        return self.kind in (self.Kind.STAFF_CREATION, self.Kind.ROLE_CHANGE)

    @property
    def subject(self) -> str:
        if self.is_for_staff:
            return f"職員 {self.staff_number}"
        if self.kind == self.Kind.ROLE_POLICY_RELAXATION:
            return f"ロール {self.role.name if self.role else ''}"
        return f"端末 {self.terminal_number}"

    @property
    def after(self) -> str:
        """The requested state, in words (for the list, the confirmation page and the log)."""
        if self.kind == self.Kind.STAFF_CREATION:
            return f"{self.full_name} / {self.department} / ロール: {self.role.name if self.role else ''}"
        if self.kind == self.Kind.ROLE_CHANGE:
            return f"ロール: {self.role.name if self.role else ''}"
        if self.kind == self.Kind.ROLE_POLICY_RELAXATION:
            return "認証アプリでも可（セキュリティキー・生体認証を必須としない）"
        state = "有効" if self.terminal_is_active else "無効"
        return f"{self.terminal_name} {self.location} {self.network} {state}".replace("  ", " ")
