"""The search index's documents as the feed builds them (``tantivy_index._document``, by the
``add_*`` methods) hold exactly the fields and values of the keyword-built documents they replaced."""
from __future__ import annotations

from collections import namedtuple
from datetime import date

import tantivy
from hypothesis import given, settings
from hypothesis import strategies as st

from despatchbox.store.packing import pack_body, unpack_body, unpack_text
from despatchbox.store.search import tantivy_index
from despatchbox.store.search.tantivy_index import _day, debate_key, result_id

#: a row of tantivy_index._ITEMS_SQL, its columns in that order
Row = namedtuple("Row", "item speech_id debate_id kind date person_id party department_slug batch body element heading_id")


def _reference(r) -> tantivy.Document:
    """The document as the feed built it before (keywords, every key worked out afresh)."""
    result = result_id(r.speech_id, r.element, r.heading_id)
    body = unpack_body(r.body)[1]
    doc = tantivy.Document(item=int(r.item), debate_key=debate_key(r.debate_id), result=debate_key(result),
                           question_group=int(result != r.speech_id), kind=r.kind, date=_day(r.date),
                           batch=int(r.batch or 0), stem=body, exact=body)
    if r.person_id is not None:
        doc.add_integer("person", int(r.person_id))
    if r.party:
        doc.add_text("party", r.party)
    if r.department_slug:
        doc.add_text("department", r.department_slug)
    return doc


_ids = st.sampled_from(["uk.org.publicwhip/wrans/2009-10-26a.1.q0", "uk.org.publicwhip/wrans/2009-10-26a.1.r0",
                        "uk.org.publicwhip/debate/2009-10-26b.5.1", "uk.org.publicwhip/wrans/2009-10-26a.1.h",
                        "debate/2009-10-26b.5.0", "=odd"])
_rows = st.builds(
    Row, item=st.integers(1, 2 ** 40), speech_id=_ids, debate_id=_ids,
    kind=st.sampled_from(["speech", "question", "answer", "statement"]),
    date=st.one_of(st.dates(date(1990, 1, 1), date(2030, 1, 1)), st.dates().map(str)),
    person_id=st.one_of(st.none(), st.integers(1, 10 ** 6)), party=st.sampled_from([None, "", "Lab", "Con"]),
    department_slug=st.sampled_from([None, "", "home-office"]), batch=st.one_of(st.none(), st.integers(0, 50)),
    body=st.tuples(st.text(max_size=40), st.text(max_size=80)).map(lambda p: pack_body(*p)),
    element=st.sampled_from([None, "speech", "ques", "reply", "minister-statement"]),
    heading_id=st.one_of(st.none(), st.just(""), _ids))


def _fields(doc: tantivy.Document) -> dict:
    return dict(sorted(doc.to_dict().items()))


@settings(max_examples=300, deadline=None)
@given(_rows)
def test_a_document_holds_what_the_keyword_built_one_held(row):
    assert _fields(tantivy_index._document(row)) == _fields(_reference(row))


@given(st.text(), st.text())
def test_the_text_of_a_packed_body_alone(html, text):
    assert unpack_text(pack_body(html, text)) == text
