"""Several counts in one statement (wako_collections/counts.py) give what `.count()` gives."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import SecurityEvent, Staff
from accounts.roles import Role
from tests.conftest import make_staff
from wako_collections.counts import count_together

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(terminal):
    return [
        make_staff("S1001", Role.COLLECTIONS_OFFICER),
        make_staff("S1002", Role.COLLECTIONS_OFFICER),
        make_staff("S2001", Role.SUPERVISOR),
    ]


def test_each_count_is_what_count_gives_and_all_come_in_one_statement(staff):
    querysets = [
        Staff.objects.all(),
        Staff.objects.filter(staff_number__startswith="S1"),
        Staff.objects.filter(groups__name=Role.SUPERVISOR),  # a join
        Staff.objects.filter(staff_number="nobody"),
        SecurityEvent.objects.all(),
        Staff.objects.filter(pk__in=[]),  # Django's own count asks nothing for this one
    ]
    expected = [queryset.count() for queryset in querysets]
    with CaptureQueriesContext(connection) as captured:
        counted = count_together(querysets)
    assert counted == expected == [3, 2, 1, 0, SecurityEvent.objects.count(), 0]
    assert len(captured.captured_queries) == 1


def test_a_distinct_or_sliced_queryset_is_counted_on_its_own(staff):
    """Reduced to primary keys, DISTINCT over other columns or a slice could count something else:
    those are counted with `.count()` apart, the rest still together."""
    roles = Staff.objects.filter(groups__isnull=False).values("groups__name").distinct()
    querysets = [roles, Staff.objects.order_by("pk")[:2], Staff.objects.all()]
    with CaptureQueriesContext(connection) as captured:
        counted = count_together(querysets)
    assert counted == [2, 2, 3]
    assert len(captured.captured_queries) == 3


def test_no_querysets_no_statement():
    with CaptureQueriesContext(connection) as captured:
        assert count_together([]) == []
    assert not captured.captured_queries
