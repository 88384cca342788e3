"""The query language on its own: parsing, leniency, messages, plans and safe rendering."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from despatchbox.store.search import query_language as ql
from despatchbox.store.search import query_plan as qp
from despatchbox.store.search.tantivy_index import SearchIndex
from despatchbox.store.search.tantivy_search import to_query
from despatchbox.store.search.query_language import And, Not, Or, Phrase, QueryError, Term, parse


def root(text: str):
    return parse(text).root


@pytest.mark.parametrize("text,expected", [
    ("prosecute", Term("prosecute")),
    ("Prosecute", Term("prosecute")),
    ('"organised crime"', Phrase(("organised", "crime"))),
    ('"Organised  CRIME"', Phrase(("organised", "crime"))),
    ("immig*", Term("immig", prefix=True)),
    ("crime prison", And((Term("crime"), Term("prison")))),
    ("crime AND prison", And((Term("crime"), Term("prison")))),
    ("crime OR prison", Or((Term("crime"), Term("prison")))),
    ("crime NOT prison", And((Term("crime"), Not(Term("prison"))))),
    ("crime -prison", And((Term("crime"), Not(Term("prison"))))),
    ('crime -"knife crime"', And((Term("crime"), Not(Phrase(("knife", "crime")))))),
    ("(knife OR gun) crime", And((Or((Term("knife"), Term("gun"))), Term("crime")))),
    ("a b OR c", Or((And((Term("a"), Term("b"))), Term("c")))),
    ("crime and prison", And((Term("crime"), Term("and"), Term("prison")))),   # lower case: words
    ("not guilty", And((Term("not"), Term("guilty")))),
    ("anti-social behaviour", And((Phrase(("anti", "social"), exact=False), Term("behaviour")))),
    ("don't", Phrase(("don", "t"), exact=False)),
    ("crime crime", Term("crime")),
])
def test_parses(text, expected):
    assert root(text) == expected


@pytest.mark.parametrize("text,words,notice", [
    ('"unbalanced', Term("unbalanced"), "quote"),
    ('crime "organised', And((Term("crime"), Term("organised"))), "quote"),
    ("NEAR(", Term("near"), "bracket"),
    ("NEAR(crime prison, 5)", And((Term("near"), Term("crime"), Term("prison"), Term("5"))), None),
    ("body:crime", Phrase(("body", "crime"), exact=False), None),
    ("crime^2", Phrase(("crime", "2"), exact=False), None),
    ("'; DROP TABLE speeches; --", And((Term("drop"), Term("table"), Term("speeches"))), None),
    ("<script>alert(1)</script>", And((Phrase(("script", "alert"), exact=False), Term("1"), Term("script"))), None),
    ("crime AND", Term("crime"), "AND"),
    ("AND crime", Term("crime"), "AND"),
    ("crime OR", Term("crime"), "OR"),
    ("OR crime", Term("crime"), "OR"),
    ("crime NOT", Term("crime"), "NOT"),
    ("a) b", And((Term("a"), Term("b"))), "bracket"),
    ("((a)", Term("a"), "bracket"),
    ('"" crime', Term("crime"), "phrase"),
    ("c* crime", And((Term("c"), Term("crime"))), "prefix"),
    ("crime - prison", And((Term("crime"), Term("prison"))), None),
    ("--crime", Term("crime"), None),
])
def test_mistyped_queries_are_read_as_plain_words(text, words, notice):
    parsed = parse(text)
    assert parsed.root == words
    if notice:
        assert any(notice.lower() in n.lower() for n in parsed.notices), parsed.notices


@pytest.mark.parametrize("text,message", [
    ("", "Type a word"),
    ("   ", "Type a word"),
    ("*", "Type a word"),
    ("!!! ??? ...", "Type a word"),
    ("AND", "AND, OR and NOT join words"),
    ("OR OR NOT", "AND, OR and NOT join words"),
    ("-crime", "only says what to leave out"),
    ("NOT crime", "only says what to leave out"),
    ("crime OR -prison", "cannot stand alone beside OR"),
    ("a" * 5000, "too long"),
    (" ".join(f"w{i}" for i in range(ql.MAX_TERMS + 1)), "the limit is"),
])
def test_queries_that_cannot_run_say_why(text, message):
    with pytest.raises(QueryError, match=re.escape(message)):
        parse(text)


def test_describe_parses_back_to_the_same_query():
    for text in ['prosecute "organised crime" -fraud', "(knife OR gun) crime", "a b OR c -(d OR e)", "immig* anti-social"]:
        parsed = parse(text)
        assert parse(parsed.describe()).root == parsed.root


def test_plan_splits_words_from_phrases():
    plan = qp.plan(root('prosecute "organised crime" -fraud'))
    assert plan == qp.AllOf((qp.Match(ql.STEMMED, And((Term("prosecute"), Not(Term("fraud"))))),
                             qp.Match(ql.EXACT, Phrase(("organised", "crime")))))
    assert qp.plan(root("crime -immig*")) == qp.AllOf((qp.Match(ql.STEMMED, Term("crime")),
                                                       qp.NoneOf(qp.Match(ql.EXACT, Term("immig", True)))))
    assert isinstance(qp.plan(root('crime OR "knife crime"')), qp.AnyOf)
    assert qp.plan(root("crime prison")) == qp.Match(ql.STEMMED, And((Term("crime"), Term("prison"))))


# --- properties ---------------------------------------------------------------------------------

#: arbitrary text, rich in the query language's own syntax and in full-text engines'
#: an empty index in memory: what a stemmed phrase reads of the index to become a query
SEARCHER = SearchIndex(None).searcher()

QUERY_TEXT = st.lists(
    st.one_of(st.sampled_from(list('"()*-:^+~_.,;\'\\{}[]<>&|! ') + ["AND", "OR", "NOT", "NEAR", " AND ", " OR ",
                                                                      " NOT ", "NEAR(", "\x00"]),
              st.text(max_size=8)),
    max_size=20).map("".join)


@settings(max_examples=400, deadline=None)
@given(QUERY_TEXT)
def test_any_text_parses_or_raises_a_query_error(text):
    try:
        parsed = parse(text)
    except QueryError as exc:
        assert str(exc)
        return
    for leaf in parsed.leaves():
        words = leaf.words if isinstance(leaf, Phrase) else (leaf.word,)
        assert words and all(re.fullmatch(r"[^\W_]+", w) for w in words)
    assert parse(parsed.describe()).root == parsed.root
    for part in _matches(qp.plan(parsed.root)):
        to_query(part.node, SEARCHER)   # every part the plan makes becomes a tantivy query through its API


def _matches(plan):
    if isinstance(plan, qp.Match):
        yield plan
    elif isinstance(plan, qp.NoneOf):
        yield from _matches(plan.part)
    else:
        for p in plan.parts:
            yield from _matches(p)
