"""Follows the ledger: after payments are imported, judge the promises and pledges they touch."""

from django.dispatch import receiver

from negotiations.services import evaluate_pledges, evaluate_promises
from taxpayers.signals import payments_imported


@receiver(payments_imported)
def _judge_after_payments(sender, taxpayer_ids, **kwargs):
    evaluate_promises(taxpayer_ids=taxpayer_ids)
    evaluate_pledges(taxpayer_ids=taxpayer_ids)
