"""link_maker: one reverse() per kind of link gives, row by row, what reverse() gives."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from wako_collections.links import link_maker

VALUES = ["000000101", "R7-0001", "山田 太郎", "a%b", "x?y#z", "@:~!$&'()*+,;=", "-"]


@pytest.mark.parametrize(
    "viewname",
    ["cases:case", "negotiations:case", "negotiations:pledge_detail", "dispositions:prescriptions"],
)
def test_each_link_is_the_one_reverse_gives(viewname):
    make = link_maker(viewname)
    assert [make(value) for value in VALUES] == [reverse(viewname, args=[value]) for value in VALUES]


def test_a_script_prefix_is_kept():
    set_script_prefix("/wako/")
    try:
        make = link_maker("cases:case")
        assert make("000000101") == reverse("cases:case", args=["000000101"])
        assert make("000000101").startswith("/wako/")
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("value", ["", "a/b"])
def test_what_is_not_a_path_segment_is_refused_as_reverse_refuses_it(value):
    with pytest.raises(NoReverseMatch):
        link_maker("cases:case")(value)


def test_a_pattern_without_one_argument_is_refused():
    with pytest.raises((ValueError, NoReverseMatch)):
        link_maker("home")
