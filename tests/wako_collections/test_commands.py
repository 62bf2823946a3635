import pytest
from django.core.management import CommandError, call_command

from accounts.models import Staff, Terminal

pytestmark = pytest.mark.django_db


def test_load_demo_is_idempotent_and_creates_one_staff_member_per_role(capsys):
    call_command("load_demo")
    call_command("load_demo")
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("デモデータ: 端末 0件、職員 0件")
    roles = {name for staff in Staff.objects.all() for name in staff.role_names}
    assert roles == {"徴収担当", "監督者", "閲覧専用", "システム管理者"}
    assert Terminal.objects.filter(network="127.0.0.1/32").exists()


def test_demo_otp_prints_a_code_that_signs_the_demo_user_in(capsys, client):
    from django.urls import reverse

    from wako_collections.demo import DEMO_PASSWORD

    call_command("load_demo")
    capsys.readouterr()
    call_command("demo_otp", "S1001")
    code = capsys.readouterr().out.strip().rsplit(" ", 1)[-1]
    client.post(reverse("accounts:login"), {"staff_number": "S1001", "password": DEMO_PASSWORD})
    assert client.post(reverse("accounts:verify"), {"token": code})["Location"] == reverse("home")


def test_demo_commands_refuse_production(settings):
    settings.IS_PRODUCTION = True
    with pytest.raises(CommandError, match="本番環境"):
        call_command("load_demo")
    with pytest.raises(CommandError, match="本番環境"):
        call_command("demo_otp")


def test_register_terminal_registers_then_reports_no_change(capsys):
    call_command("register_terminal", "--number", "T0500", "--name", "窓口5", "--network", "192.168.5.5")
    call_command("register_terminal", "--number", "T0500", "--name", "窓口5", "--network", "192.168.5.5")
    assert "変更はありません" in capsys.readouterr().out
    with pytest.raises(CommandError, match="IPアドレス"):
        call_command("register_terminal", "--number", "T0501", "--name", "x", "--network", "not-an-ip")


def test_create_staff_prints_an_initial_password_that_must_be_changed(capsys):
    call_command(
        "create_staff",
        "--staff-number",
        "S9100",
        "--name",
        "初代 管理者",
        "--atena-number",
        "1",
        "--department",
        "情報推進課",
        "--role",
        "システム管理者",
    )
    password = capsys.readouterr().out.strip().rsplit(" ", 1)[-1]
    staff = Staff.objects.get(staff_number="S9100")
    assert staff.check_password(password) and staff.must_change_password


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_backup_and_restore_refuse_an_operator_who_is_no_staff_member(command):
    args = (
        ["--operator", "NOBODY"]
        if command == "backup"
        else ["x.dump", "--into", "wako_x", "--operator", "NOBODY"]
    )
    with pytest.raises(CommandError, match="有効な職員ではありません"):
        call_command(command, *args)


def test_the_operator_is_read_in_the_one_spelling_of_a_staff_number(officer):
    from accounts.identity import console_operator

    assert console_operator("ｓ１００１") == "S1001" and console_operator("SYSTEM") == "SYSTEM"
