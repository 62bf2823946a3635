import pytest

from tests.taxpayers.conftest import batch_actor, ledger, write_csv  # noqa: F401  (shared fixtures)
from wako_collections.actors import Actor


@pytest.fixture
def officer_actor(officer):
    return Actor.for_staff(officer, "T0001")


@pytest.fixture
def supervisor_actor(supervisor):
    return Actor.for_staff(supervisor, "T0001")
