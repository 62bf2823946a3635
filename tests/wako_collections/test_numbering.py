"""One prefix per kind of record: 分納誓約 and 一括発行 were both numbered B2026000001."""

from datetime import date

from wako_collections.numbering import NumberKind


def test_no_two_kinds_share_a_prefix_or_start_one_another():
    on = date(2026, 4, 1)
    prefixes = [kind.prefix(on) for kind in NumberKind]
    assert len(set(prefixes)) == len(prefixes)
    for a in prefixes:
        for b in prefixes:
            # next_number finds the last number by startswith: one kind's must never match another's
            assert a == b or not a.startswith(b)
