"""Name terms of three characters or more (issue 21, the mixed search's growth): a full name or a
kana surname finds exactly what "contains" finds, in カナ order, and neither its page nor its count
is found by walking the カナ order index from ア — the matches of a name sit together at their
place in that order, so the walk read every row before them (10× more in a city 10× larger)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from taxpayers.models import Taxpayer
from taxpayers.search import name_key, search_taxpayers
from wako_collections.pagination import CappedPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    from taxpayers.demo import generate

    generate(persons=300, seed=21)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE taxpayers_taxpayer")
    return list(Taxpayer.objects.order_by("id"))


def _terms(city):
    """What the benchmark's mixed search types: 姓 名 in kanji, the kana surname (as typed, in
    hiragana too), and a kanji surname of three characters or more where there is one."""
    terms = set()
    for person in city[:40]:
        surname, *_rest = person.name.split(" ")
        terms.add(surname + " " + person.name.split(" ")[-1])
        kana = person.name_kana.split(" ")[0]
        terms |= {kana, "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in kana)}
        if len(surname) >= 3:
            terms.add(surname)
    return sorted(term for term in terms if len(name_key(term)) >= 3)


def _reference(term):
    needle = name_key(term)
    column = "search_kana" if all("ァ" <= c <= "ヺ" or c in "ー・" for c in needle) else "search_name"
    return list(
        Taxpayer.objects.filter(**{f"{column}__contains": needle}).order_by("search_kana", "atena_number")
    )


def test_a_name_term_finds_what_contains_finds_in_kana_order_page_by_page_and_counts_the_same(city):
    terms = _terms(city)
    assert len(terms) > 40
    found_someone = 0
    for term in terms:
        expected = _reference(term)
        listed = list(search_taxpayers(name=term))
        assert listed == expected, term
        paged = [t for n in range(0, len(expected), 3) for t in search_taxpayers(name=term)[n : n + 3]]
        assert paged == expected, term
        counted = sorted(search_taxpayers(name=term, for_count=True).values_list("pk", flat=True))
        assert counted == sorted(t.pk for t in expected), term
        paginator = CappedPaginator(
            search_taxpayers(name=term), 20, cap=5, count_list=search_taxpayers(name=term, for_count=True)
        )
        assert (paginator.count, paginator.capped) == (min(len(expected), 5), len(expected) > 5), term
        found_someone += bool(expected)
    assert found_someone > 30


def _plan(queryset, **settings) -> str:
    """The plan PostgreSQL chooses with the given planner settings off (a 300-person table would
    otherwise be read whole, which says nothing about a city). `queryset`: a QuerySet, or the SQL
    text of a query."""
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", *settings):
            cursor.execute(f"SET LOCAL {setting} = off")
        try:
            if isinstance(queryset, str):
                cursor.execute("EXPLAIN " + queryset)
                return "\n".join(row[0] for row in cursor.fetchall())
            return queryset.explain()
        finally:
            for setting in ("enable_seqscan", *settings):
                cursor.execute(f"SET LOCAL {setting} = on")


@pytest.mark.parametrize("kind", ["kana", "kanji"])
def test_neither_the_page_nor_the_count_of_a_name_term_can_be_walked_along_the_kana_order(city, kind):
    """The page: even with sorting made to look dear (enable_sort off), it is sorted from the
    trigram index's matches, not walked along (search_kana, atena_number) — that order index
    cannot give it. The count: it cannot be read from that index alone (no index-only scan of
    it even with bitmap scans off), which is what made the planner count a kana term by
    reading the order index from ア."""
    person = next(p for p in city if " " in p.name)
    term = person.name_kana.split(" ")[0] if kind == "kana" else person.name.replace(" ", "")
    assert len(name_key(term)) >= 3
    page = _plan(search_taxpayers(name=term)[:20], enable_sort=False)
    assert "taxpayers_search_order" not in page and "trgm" in page, page
    paginator = CappedPaginator([], 20, count_list=search_taxpayers(name=term, for_count=True))
    with CaptureQueriesContext(connection) as counted:
        assert paginator.count >= 1
    count = _plan(counted.captured_queries[0]["sql"], enable_bitmapscan=False)
    assert "Index Only Scan using taxpayers_search_order" not in count, count
    # a 住所 term alone keeps the walk (和光市 is found everywhere: its first page is the first rows)
    assert "taxpayers_search_order" in _plan(search_taxpayers(address="和光市")[:20], enable_sort=False)
