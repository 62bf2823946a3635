from tests.taxpayers.conftest import batch_actor, ledger, write_csv  # noqa: F401  (shared fixtures)
