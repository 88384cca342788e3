"""record/urls: an address's id is written as ``quote(id, safe="/")`` writes it, whether it takes the
short way (an id of characters quote leaves alone) or not."""
from __future__ import annotations

from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from despatchbox.record.urls import GID_PREFIX, PAGE_PATHS, Urls, short_id

_IDS = st.one_of(st.text(), st.text(alphabet="abcz09_.~/-%é ?#&+"),
                 st.sampled_from(["debate/2009-10-26b.1.4", "david-hanson", "2009-10-27", "", "/", "a b",
                                  GID_PREFIX + "wrans/2009-10-26a.295633.h"]))


@settings(max_examples=300, deadline=None)
@given(page=st.sampled_from(sorted(PAGE_PATHS)), ident=_IDS, fragment=st.one_of(st.none(), st.text(max_size=5)))
def test_an_address_is_written_as_quote_writes_it(page, ident, fragment):
    expected = PAGE_PATHS[page].format(id=quote(short_id(ident), safe="/")) + ("#" + fragment if fragment else "")
    assert Urls().page(page, ident, fragment) == expected
    assert Urls("https://example.org/").page(page, ident, fragment) == "https://example.org" + expected


@settings(max_examples=200, deadline=None)
@given(ident=_IDS, slug=st.sampled_from(["david-hanson", "lord-west-of-spithead"]))
def test_a_members_debate_address_writes_its_id_as_quote_writes_it(ident, slug):
    assert Urls().member_debate(slug, None, ident) == f"/mp/{slug}/debate/{quote(short_id(ident), safe='/')}"


def test_query_values_left_empty_are_left_out():
    assert Urls().page("search", q="police", party=None, kind="", dept=[]) == "/search?q=police"
    assert Urls().page("search") == "/search"
