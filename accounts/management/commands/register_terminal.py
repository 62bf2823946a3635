"""Registers a terminal (or updates it) from the server console: the first terminal of a new
installation has to come from somewhere before anyone can sign in.

The operator at the server is not the web administrator, so no second person confirms this; but
the range limit (TERMINAL_WIDEST_PREFIX_IPV4/IPV6) holds here too, unless the operator names a
reason with --allow-wide-network, which the security event log records."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.models import Terminal
from wako_collections.actors import Actor


class Command(BaseCommand):
    help = "端末を登録する（既に登録済みなら名称・場所・IPアドレスを更新する）"

    def add_arguments(self, parser):
        parser.add_argument("--number", required=True, help="端末番号")
        parser.add_argument("--name", required=True, help="端末名")
        parser.add_argument("--location", default="", help="設置場所")
        parser.add_argument("--network", required=True, help="固定IPアドレスまたは範囲（CIDR）")
        parser.add_argument("--operator", default="SYSTEM", help="操作者として記録する職員番号")
        parser.add_argument(
            "--allow-wide-network",
            default="",
            metavar="理由",
            help="上限より広い範囲をあえて登録する理由（認証・管理ログに記録される）",
        )

    def handle(self, *args, number, name, location, network, operator, allow_wide_network, **options):
        actor = Actor.batch(operator)
        existing = Terminal.objects.filter(terminal_number=number).first()
        try:
            if existing is None:
                services.register_terminal(
                    actor=actor,
                    terminal_number=number,
                    name=name,
                    location=location,
                    network=network,
                    wide_network_reason=allow_wide_network,
                )
                verb = "登録しました"
            elif (existing.name, existing.location, existing.network, existing.is_active) == (
                name,
                location,
                network,
                True,
            ):
                verb = "変更はありません"
            else:
                services.update_terminal(
                    actor=actor,
                    terminal=existing,
                    name=name,
                    location=location,
                    network=network,
                    is_active=True,
                    wide_network_reason=allow_wide_network,
                )
                verb = "更新しました"
        except services.AccountError as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"端末 {number}（{network}）を{verb}。")
