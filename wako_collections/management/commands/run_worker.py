"""The background worker as deployed: sweeps the import spool, then runs `db_worker`.

django-tasks has no worker start-up hook, so this command is the worker's entry point in
docker-compose.yml and scripts/start. Arguments after `--` go to db_worker unchanged
(`run_worker -- --interval 0.2`)."""

import argparse

from django.core.management import call_command
from django.core.management.base import BaseCommand

from taxpayers import spool


class Command(BaseCommand):
    help = (
        "取込ファイルの掃除（sweep_import_spool）をしてから、バックグラウンドワーカー（db_worker）を起動する"
    )

    def add_arguments(self, parser):
        parser.add_argument("worker_args", nargs=argparse.REMAINDER, help="db_worker に渡す引数")

    def handle(self, *args, worker_args, **options):
        result = spool.sweep()
        self.stdout.write(
            f"取込ファイルの掃除: 削除したファイル {result.files_deleted}件、"
            f"異常終了とした取込 {result.imports_failed}件"
        )
        if worker_args and worker_args[0] == "--":
            worker_args = worker_args[1:]
        call_command("db_worker", *worker_args)
