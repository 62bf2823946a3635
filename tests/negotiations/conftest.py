import pytest

from tests.taxpayers.conftest import batch_actor, ledger, write_csv  # noqa: F401  (shared fixtures)
from wako_collections.actors import Actor

CONTACT = {
    "subject_group_code": "02",
    "place": "本庁舎1階 窓口",
    "interviewee": "本人",
    "content": "来庁。分納の相談。月末に一部を納めると約束。",
    "result": "2",
    "collection_category": "2",
    "importance": "2",
    "contact_kind": "21",
}


@pytest.fixture
def officer_actor(officer):
    return Actor.for_staff(officer, "T0001")
