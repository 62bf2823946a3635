"""Signals the ledger sends so that the files built on it can follow, without the ledger
depending on them (ledger ← negotiations/dispositions)."""

from django.dispatch import Signal

# Sent inside the import's transaction after payments were imported and reconciled, with
# taxpayer_ids: the taxpayers whose payments changed.
payments_imported = Signal()
