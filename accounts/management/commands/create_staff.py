"""Creates a staff account from the server console (for the first administrator).

The operator at the server is not the web administrator: the account is created at once and the
password printed here, with no second person's confirmation (there may be nobody else yet). The
security event records it as created by the console. Every later account is requested on
/accounts/admin/staff/new/ and confirmed by a second person."""

from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.roles import Role
from wako_collections.actors import Actor


class Command(BaseCommand):
    help = "職員を登録し、初期パスワードを表示する（初回ログイン時に変更と認証アプリ登録が必要）"

    def add_arguments(self, parser):
        parser.add_argument("--staff-number", required=True, help="職員番号")
        parser.add_argument("--name", required=True, help="氏名")
        parser.add_argument("--atena-number", required=True, help="職員本人の宛名番号")
        parser.add_argument("--department", required=True, help="所属")
        parser.add_argument("--role", required=True, choices=Role.values, help="ロール")
        parser.add_argument("--operator", default="SYSTEM", help="操作者として記録する職員番号")

    def handle(self, *args, **options):
        try:
            staff, password = services.create_staff(
                actor=Actor.batch(options["operator"]),
                staff_number=options["staff_number"],
                full_name=options["name"],
                atena_number=options["atena_number"],
                department=options["department"],
                role=Role(options["role"]),
            )
        except services.AccountError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"職員 {staff} を登録しました。初期パスワード: {password}")
