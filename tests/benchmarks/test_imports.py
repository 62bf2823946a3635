"""The import benchmark's 更正 part (benchmarks/imports.py) leaves the ledger as it found it: the
更正 is imported and committed in a fresh process, as measured, and then put back, so a second
benchmark run measures the same ledger as the first."""

import pytest
from django.db import connection
from django.db.models import Count, Q, Sum

from benchmarks import imports
from taxpayers.demo import generate
from taxpayers.models import Assessment, InstallmentBalance, TaxpayerBalance
from taxpayers.reconciliation import reconcile

pytestmark = pytest.mark.django_db(transaction=True)  # the fresh process reads what is committed

CORRECTIONS = 40


def ledger_figures() -> dict:
    """What a benchmark run would find: 滞納 installments, 調定額, the stored balances' totals and
    each installment's history length."""
    history = Assessment.history.model
    return {
        **Assessment.objects.aggregate(installments=Count("id"), principal=Sum("principal")),
        **InstallmentBalance.objects.aggregate(
            delinquent=Count("pk", filter=Q(status=InstallmentBalance.Status.DELINQUENT)),
            outstanding_principal=Sum("outstanding_principal"),
            outstanding_fee=Sum("outstanding_fee"),
            late_charge=Sum("late_charge"),
        ),
        **TaxpayerBalance.objects.aggregate(
            payer_principal=Sum("outstanding_principal"),
            payer_late_charge=Sum("late_charge"),
            payer_delinquent=Sum("delinquent_installments"),
        ),
        "history_rows": history.objects.count(),
        "versions": sorted(Assessment.objects.values_list("id", "version", "principal")),
    }


@pytest.fixture
def fresh_process_on_the_test_database(monkeypatch):
    settings = connection.settings_dict
    monkeypatch.setenv(
        "DATABASE_URL",
        f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}",
    )


def test_the_correction_part_puts_back_what_it_changed(
    tmp_path, monkeypatch, fresh_process_on_the_test_database
):
    generate(persons=30, seed=3)
    reconcile()
    before = ledger_figures()
    assert before["delinquent"] > 0

    during = {}
    measured = imports.in_fresh_process

    def measure_and_look(mode, path):
        result = measured(mode, path)
        during.update(ledger_figures())
        return result

    monkeypatch.setattr(imports, "in_fresh_process", measure_and_look)
    result = imports.measure_correction(tmp_path / "corrections.csv", CORRECTIONS)

    assert result["updated"] == CORRECTIONS
    assert during["principal"] == before["principal"] + 100 * CORRECTIONS  # the 更正 was committed
    assert during["history_rows"] == before["history_rows"] + CORRECTIONS
    assert result["restore"]["restored"] == CORRECTIONS
    assert result["restore"]["history_deleted"] == CORRECTIONS
    assert ledger_figures() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [imports.CORRECTED])
        assert cursor.fetchone()[0] is None


def test_an_interrupted_correction_is_put_back_by_the_next_run(tmp_path, fresh_process_on_the_test_database):
    generate(persons=20, seed=4)
    reconcile()
    before = ledger_figures()
    imports.write_corrections(tmp_path / "corrections.csv", 10)
    imports.in_fresh_process("import", tmp_path / "corrections.csv")  # then the run stopped

    assert ledger_figures()["principal"] == before["principal"] + 1_000
    assert imports.restore_corrections()["restored"] == 10
    assert ledger_figures() == before
    assert imports.restore_corrections()["restored"] == 0


def test_the_new_rows_of_an_import_run_are_removed_and_the_totals_put_back(
    tmp_path, fresh_process_on_the_test_database
):
    """Between runs the benchmark deletes the installments an import of new rows wrote and puts
    back the taxpayers' totals it kept — the stored columns by name: a run of session 20 failed
    here on `INSERT … SELECT *` once TaxpayerBalance had a generated column (collectible_principal)."""
    generate(persons=30, seed=5)
    reconcile()
    before = ledger_figures()
    collectible = sorted(TaxpayerBalance.objects.values_list("taxpayer_id", "collectible_principal"))
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_taxpayerbalance AS SELECT * FROM taxpayers_taxpayerbalance")
    try:
        result = imports.in_fresh_process("import", imports.write_new_rows(tmp_path / "new.csv", 200))
        assert result["created"] == 200
        assert Assessment.objects.count() == before["installments"] + 200
        TaxpayerBalance.objects.all().delete()  # as a run's reconcile would have rewritten them
        imports.remove_new_rows()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_taxpayerbalance")
    assert ledger_figures() == before
    assert sorted(TaxpayerBalance.objects.values_list("taxpayer_id", "collectible_principal")) == collectible
