"""Stemmed phrases (``anti-social``, ``don't``) run on the ``exact`` field's positions: the same
items with the same scores as a phrase on a ``stem`` field with positions (the index before
SCHEMA_VERSION 3), on the sample week; and the rule that finds every spelling of a stem holds."""
from __future__ import annotations

import pytest
import tantivy
from sqlalchemy import text

from despatchbox.store.packing import unpack_text
from despatchbox.store.search import parse, tantivy_index
from despatchbox.store.search.stemmed_phrase import only_itself, prefixes, spellings
from despatchbox.store.search.tantivy_search import to_query

#: words and their derived forms the stemmer rewrites at the end (y → i, e added, suffixes replaced)
SUFFIXES = ("s", "es", "ed", "ing", "ly", "ness", "ity", "ities", "ation", "ational", "ize", "izer", "ization",
            "ies", "ied", "ingly", "edly", "ful", "fulness", "ousness", "iveness", "bility", "ably", "ancy",
            "ency", "ence", "er", "ment", "al", "ally", "ical", "icate", "ative", "alize", "ism", "ist", "y")
#: the stemmer's own exceptions and its ``ying`` rewrite
SPECIAL = ("dying", "lying", "tying", "mying", "skies", "skis", "idly", "gently", "ugly", "early", "only",
           "singly", "news", "atlas", "bias")

STEMMED_PHRASES = ["anti-social", "anti-social behaviour", "don't", "Prime-Minister", "home-office",
                   "government's", "minister's-statement", "3,000", "make-sure", "NHS-trusts",
                   "(anti-social OR re-offending) crime", "well-being -health"]


@pytest.fixture(scope="module")
def index(sample_engine):
    with sample_engine.connect() as conn:
        return tantivy_index.current(conn)


def _words_and_derived(index) -> list[str]:
    words = {w for w, _n in index.searcher().terms_with_prefix("exact", "")}
    assert len(words) > 5000
    short = {a + b + s for a in "abcdefghijklmnopqrstuvwxyz0123456789" for b in ("", *"aeiosty19")
             for s in ("", *SUFFIXES)}
    return sorted(words | {w + s for w in words if w.isalpha() for s in SUFFIXES} | short | set(SPECIAL))


def test_every_spelling_of_a_stem_begins_with_one_of_its_prefixes(index):
    missed = [(w, tantivy_index.stem_of(w)) for w in _words_and_derived(index)
              if len(tantivy_index.stem_of(w)) == 1
              and not any(w.startswith(p) for p in prefixes(tantivy_index.stem_of(w)[0]))]
    assert missed == []


def test_digits_and_single_consonants_are_only_their_own_spelling(index):
    stems = [(w, tantivy_index.stem_of(w)) for w in _words_and_derived(index)]
    assert [(w, s) for w, s in stems if len(s) == 1 and only_itself(s[0]) and w != s[0]] == []
    assert only_itself("s") and only_itself("1990") and not only_itself("a") and not only_itself("3rd")


def test_spellings_are_the_words_of_the_index_with_that_stem(index):
    searcher = index.searcher()
    words = [w for w, _n in searcher.terms_with_prefix("exact", "govern")]
    assert spellings(searcher, "govern") == sorted(w for w in words if tantivy_index.stem_of(w) == ("govern",))
    assert {"government", "governments"} <= set(spellings(searcher, "govern"))
    assert spellings(searcher, "zzqxj") == []
    for stem in ("s", "t", "3", "a"):
        everything = [w for w, _n in searcher.terms_with_prefix("exact", "")]
        assert spellings(searcher, stem) == sorted(w for w in everything if tantivy_index.stem_of(w) == (stem,))
    assert spellings(searcher, "s") == ["s"]


def _with_positions_on_stem(sample_engine) -> tantivy.Index:
    """The sample's items in an index in memory whose ``stem`` has positions (as before), with a
    document standing for the marker so that both indexes count the same documents."""
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("item", indexed=True, fast=True)
    sb.add_text_field("stem", tokenizer_name=tantivy_index.STEM, index_option="position")
    sb.add_text_field("kind", tokenizer_name="raw")
    schema = sb.build()
    ref = tantivy.Index(schema)
    ref.register_tokenizer(tantivy_index.STEM, tantivy_index.analyzer(True))
    writer = ref.writer(heap_size=15_000_000, num_threads=1)
    with sample_engine.connect() as conn:
        for r in conn.execute(text(tantivy_index._ITEMS_SQL),
                              {"after": 0, "upto": 2 ** 62, "chunk": 10 ** 9}):
            writer.add_document(tantivy.Document(item=int(r.item), stem=unpack_text(r.body)))
    writer.add_document(tantivy.Document(kind=tantivy_index.MARKER))
    writer.commit()
    writer.wait_merging_threads()
    ref.reload()
    return ref


def _scores(searcher, query) -> dict[int, float]:
    hits = searcher.search(query, 100_000).hits
    items = searcher.fast_field_values("item", [a for _s, a in hits])
    return {int(i): s for (s, _a), i in zip(hits, items)}


def _reference_query(schema, node):
    from despatchbox.store.search import query_language as ql
    Q, Occur = tantivy.Query, tantivy.Occur
    if isinstance(node, (ql.Term, ql.Phrase)):
        words = [w for word in ((node.word,) if isinstance(node, ql.Term) else node.words)
                 for w in tantivy_index.stem_of(word)]
        if len(words) == 1:
            return Q.term_query(schema, "stem", words[0])
        return Q.phrase_query(schema, "stem", words)
    if isinstance(node, ql.Or):
        return Q.boolean_query([(Occur.Should, _reference_query(schema, i)) for i in node.items])
    return Q.boolean_query([(Occur.MustNot, _reference_query(schema, i.item)) if isinstance(i, ql.Not)
                            else (Occur.Must, _reference_query(schema, i)) for i in node.items])


def test_stemmed_phrases_find_and_score_as_a_phrase_on_stems(sample_engine):
    fresh = tantivy_index.SearchIndex(None)           # built in one go, as the reference: no deleted
    fresh.sync(sample_engine)                         # documents in either index's statistics
    ref = _with_positions_on_stem(sample_engine)
    ours, theirs = fresh.searcher(), ref.searcher()
    assert ours.num_docs == theirs.num_docs
    found_some = 0
    for typed in STEMMED_PHRASES:
        node = parse(typed).root
        expected = _scores(theirs, _reference_query(ref.schema, node))
        got = _scores(ours, to_query(node, ours))
        assert got.keys() == expected.keys(), typed
        for item, score in expected.items():
            assert got[item] == pytest.approx(score, rel=1e-5), (typed, item)
        found_some += bool(expected)
    assert found_some >= len(STEMMED_PHRASES) - 2       # the sample holds nearly all of them


def test_spellings_are_remembered_only_while_the_index_is_unchanged():
    """The spellings of a stem are remembered per generation of the index (its marker, which each
    commit rewrites): a new spelling committed since is found at once, by the next searcher."""
    from despatchbox.store.search.index_marks import Marks
    from despatchbox.store.search.stemmed_phrase import cached_spellings, generation

    index = tantivy_index.SearchIndex(None)
    head = Marks(installation="test", items=0, removed=0)

    def commit(item: int, words: str):
        nonlocal head
        writer = index.index.writer(heap_size=15_000_000, num_threads=1)
        writer.add_document(tantivy.Document(item=item, kind="debate", exact=words, stem=words))
        head = Marks(installation="test", items=item, removed=0)
        index._mark(writer, head)
        writer.commit()
        writer.wait_merging_threads()
        index.index.reload()

    commit(1, "zorbulating the widgets")
    before = index.searcher()
    assert cached_spellings(before, ["zorbul"]) == [["zorbulating"]]
    commit(2, "they zorbulated and zorbulate")
    after = index.searcher()
    assert generation(after) != generation(before)
    assert cached_spellings(after, ["zorbul"]) == [["zorbulate", "zorbulated", "zorbulating"]]
    assert cached_spellings(after, ["zorbul"]) == [spellings(after, "zorbul")]
