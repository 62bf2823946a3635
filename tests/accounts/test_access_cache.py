"""The frame's cached access (accounts/access_cache.py): fewer queries per page, and every change
to what it caches takes effect on the very next request."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import access_cache
from accounts.models import RolePolicy, Staff, Terminal
from accounts.roles import Role
from tests.conftest import SETUP, sign_in
from wako_collections.actors import acting_as

pytestmark = pytest.mark.django_db

# generation, session, staff, authenticator; no session save (the idle clock is written at most
# once a minute: accounts/middleware.py IDLE_CLOCK_RESOLUTION_SECONDS)
FRAME_QUERIES = 4


def queries_for(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_a_page_pays_the_frame_in_four_queries_once_the_access_is_cached(client, officer):
    sign_in(client, officer)
    url = reverse("accounts:security_keys")  # reads nothing but its frame and the user's keys
    client.get(url)
    queries = queries_for(client, url)
    assert len(queries) == FRAME_QUERIES + 1, queries
    assert not any("auth_permission" in q or "accounts_terminal" in q or "rolepolicy" in q for q in queries)
    assert not any("django_session" in q and not q.startswith("SELECT") for q in queries), queries
    assert not any("SAVEPOINT" in q for q in queries), queries  # nothing written, nothing to wrap


def test_home_pays_the_frame_the_failed_jobs_and_one_statement_for_every_count(client, officer):
    """ホーム for a 徴収担当: the frame, the failed jobs, and its six counts (three 交渉記録, one 時効,
    one 照会文書, one 不納欠損の候補) in one statement (wako_collections/counts.py)."""
    sign_in(client, officer)
    client.get(reverse("home"))
    queries = queries_for(client, reverse("home"))
    assert len(queries) == FRAME_QUERIES + 2, queries
    assert queries[-1].count("SELECT COUNT(*)") == 6, queries[-1]


def test_a_revoked_permission_takes_effect_on_the_very_next_request(client, officer):
    sign_in(client, officer)
    url = reverse("taxpayers:search")
    assert client.get(url).status_code == 200
    permission = Permission.objects.get(codename="payment_status", content_type__app_label="accounts")
    Group.objects.get(name=Role.COLLECTIONS_OFFICER).permissions.remove(permission)
    assert client.get(url).status_code == 403


def test_a_role_taken_away_takes_effect_on_the_very_next_request(client, officer):
    sign_in(client, officer)
    url = reverse("taxpayers:search")
    assert client.get(url).status_code == 200
    officer.groups.clear()
    assert client.get(url).status_code == 403


def test_a_deactivated_terminal_is_refused_on_the_very_next_request(client, officer, terminal):
    sign_in(client, officer)
    assert client.get(reverse("home")).status_code == 200
    with acting_as(SETUP):
        terminal.is_active = False
        terminal.save(update_fields=["is_active"])
    response = client.get(reverse("home"))
    assert response.status_code == 403 and "登録されていない端末" in response.content.decode()


def test_a_security_key_required_of_the_role_applies_on_the_very_next_request(client, officer):
    sign_in(client, officer)
    assert client.get(reverse("home")).status_code == 200
    with acting_as(SETUP):
        RolePolicy.objects.update_or_create(
            role=Group.objects.get(name=Role.COLLECTIONS_OFFICER), defaults={"require_security_key": True}
        )
    assert client.get(reverse("home"))["Location"] == reverse("accounts:security_keys")


def test_signing_out_ends_access_on_the_very_next_request(client, officer):
    sign_in(client, officer)
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:login"))


def test_a_change_made_by_another_process_is_seen_through_the_generation(client, officer):
    """Another process's signal clears its own cache, not this one's: only the shared sequence
    tells this process. Without the bump this process keeps its answer (the cache is real)."""
    sign_in(client, officer)
    url = reverse("taxpayers:search")
    assert client.get(url).status_code == 200
    permission = Permission.objects.get(codename="payment_status", content_type__app_label="accounts")
    group = Group.objects.get(name=Role.COLLECTIONS_OFFICER)
    group.permissions.through.objects.filter(group=group, permission=permission).delete()  # no signal
    assert client.get(url).status_code == 200  # cached: nobody moved the generation
    with connection.cursor() as cursor:  # what the other process's bump does
        cursor.execute("SELECT nextval(%s)", [access_cache.SEQUENCE])
    assert client.get(url).status_code == 403


def generation() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_value FROM {access_cache.SEQUENCE}")  # noqa: S608 (a constant)
        return cursor.fetchone()[0]


def test_a_terminal_deactivated_by_a_queryset_update_is_refused_on_the_very_next_request(
    client, officer, terminal
):
    """QuerySet.update() sends no signal: the Terminal queryset bumps the generation itself."""
    sign_in(client, officer)
    assert client.get(reverse("home")).status_code == 200
    Terminal.objects.filter(pk=terminal.pk).update(is_active=False)
    response = client.get(reverse("home"))
    assert response.status_code == 403 and "登録されていない端末" in response.content.decode()


def test_a_security_key_required_by_a_queryset_update_applies_on_the_very_next_request(client, officer):
    sign_in(client, officer)
    assert client.get(reverse("home")).status_code == 200
    role = Group.objects.get(name=Role.COLLECTIONS_OFFICER)
    with acting_as(SETUP):
        RolePolicy.objects.get_or_create(role=role)
    assert client.get(reverse("home")).status_code == 200
    RolePolicy.objects.filter(role=role).update(require_security_key=True)
    assert client.get(reverse("home"))["Location"] == reverse("accounts:security_keys")


def test_set_based_writes_to_staff_bump_unless_they_touch_only_what_is_read_live(officer):
    before = generation()
    Staff.objects.filter(pk=officer.pk).update(full_name="和光 次郎", must_change_password=False)
    assert generation() == before  # read every request: the cache does not hold them
    Staff.objects.filter(pk=officer.pk).update(department="収納課")
    assert generation() > before
    moved = generation()
    officer.department = "納税課"
    Staff.objects.bulk_update([officer], ["department"])
    assert generation() > moved


def test_an_update_that_matches_nothing_does_not_bump(terminal):
    before = generation()
    Terminal.objects.filter(terminal_number="NO-SUCH").update(is_active=False)
    assert generation() == before
