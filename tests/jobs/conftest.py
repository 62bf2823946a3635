from tests.negotiations.conftest import officer_actor  # noqa: F401  (shared fixtures)
from tests.taxpayers.conftest import batch_actor, ledger, write_csv  # noqa: F401
