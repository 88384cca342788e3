"""Stemmed phrases without positions on the ``stem`` field.

A word typed with inner punctuation (``anti-social``, ``don't``) is a *stemmed* phrase: adjacent
words whose stems are its words' stems. The index keeps positions only on ``exact`` (``stem``
holds frequencies: half the size of the positions), so such a phrase is run on ``exact``'s
positions, each of its words standing for every spelling the index holds with that stem — the
same documents at the same positions as a phrase on ``stem`` (both fields come from one
tokenizer: the same tokens at the same positions). Its score is made the same too: tantivy scores
a phrase as BM25 with the sum of its terms' idf; a regex phrase takes the idf of its patterns as
if they were terms, so the query is boosted by the ratio of the stems' idf on ``stem`` to the
patterns' on ``exact`` (the field lengths, the phrase frequencies and the field norms are the same).

Which spellings: the English (Porter2) stemmer only ever rewrites the last letter of what it keeps
(``happy`` → ``happi``, ``hoping`` → ``hope``, ``ability`` → ``abil``) and keeps stems of two
letters or fewer whole; its one other rewrite is ``ying`` after one letter (``dying``, ``lying``,
``tying``) → ``ie``. So every word with stem ``s`` begins with ``s`` (two letters or fewer), or
with ``s`` less its last letter, or (``s`` ending in ``ie``) with ``s`` less ``ie`` and then ``y``:
the words of the index under those prefixes are stemmed and kept when their stem is ``s``.
Two kinds of stem are only ever their own spelling, and are looked up as they are: digits (never
stemmed; a stem with a letter keeps one), and a single consonant — the ``s`` of ``government's``,
the ``t`` of ``don't`` — since the stemmer leaves words of two letters whole, and from a longer word
removes a suffix only if what is left holds a vowel (or, for a final ``s``, two letters).
tests/test_search_stemmed_phrase.py checks both rules against every word of the sample and their
derived forms.
"""
from __future__ import annotations

import math
import re
import threading

import tantivy

from .tantivy_index import MARKER, SCHEMA, stem_of

Q = tantivy.Query


def only_itself(stem: str) -> bool:
    """Whether the only word with this stem is the stem itself: digits, or a single consonant."""
    return not any(c.isalpha() for c in stem) or (len(stem) == 1 and stem not in "aeiouy")


def prefixes(stem: str) -> set[str]:
    """What every word whose stem is ``stem`` begins with (one of them)."""
    out = {stem if len(stem) <= 2 else stem[:-1]}
    if stem.endswith("ie"):
        out.add(stem[:-2] + "y")
    return out


def spellings(searcher: tantivy.Searcher, stem: str) -> list[str]:
    """The words of the ``exact`` field whose stem is ``stem``."""
    if only_itself(stem):
        return [stem] if searcher.doc_freq("exact", stem) else []
    found = {word for p in prefixes(stem) for word, _n in searcher.terms_with_prefix("exact", p)}
    return sorted(w for w in found if stem_of(w) == (stem,))


def generation(searcher: tantivy.Searcher) -> tuple | None:
    """What the searcher's index holds, as its marker says (every commit of the index writes a new
    one: tantivy_index.SearchIndex.sync): a key that changes whenever the words of the index may.
    None for an index without a marker (not written by sync): nothing is remembered for it."""
    found = searcher.search(Q.term_query(SCHEMA, "kind", MARKER), 1).hits
    if not found:
        return None
    doc = searcher.doc(found[0][1])
    return (tuple(doc.get_all("mark_installation")), tuple(doc.get_all("mark_items")),
            tuple(doc.get_all("mark_removed")), searcher.num_docs)


#: stem → its spellings, for one generation of the index (listing them reads the term dictionary
#: under each prefix: at a million items, thousands of words for a short stem)
_KNOWN: dict[str, list[str]] = {}
_KNOWN_GENERATION: list = [None]
_KNOWN_LOCK = threading.Lock()
#: stems remembered per generation
KNOWN_STEMS = 4096


def cached_spellings(searcher: tantivy.Searcher, stems: list[str]) -> list[list[str]]:
    """``spellings`` of each stem, remembered until the index changes (keyed on its generation,
    read from the same searcher: never stale after an ingest)."""
    key = generation(searcher)
    if key is None:
        return [spellings(searcher, s) for s in stems]
    with _KNOWN_LOCK:
        if _KNOWN_GENERATION[0] != key:
            _KNOWN.clear()
            _KNOWN_GENERATION[0] = key
        known = {s: _KNOWN[s] for s in stems if s in _KNOWN}
    missing = {s: spellings(searcher, s) for s in stems if s not in known}
    with _KNOWN_LOCK:
        if _KNOWN_GENERATION[0] == key:
            if len(_KNOWN) + len(missing) > KNOWN_STEMS:
                _KNOWN.clear()
            _KNOWN.update(missing)
    known.update(missing)
    return [known[s] for s in stems]


def _idf(doc_freq: int, docs: int) -> float:
    """tantivy's BM25 idf."""
    return math.log(1.0 + (docs - doc_freq + 0.5) / (doc_freq + 0.5))


def stemmed_phrase(searcher: tantivy.Searcher, stems: list[str]) -> tantivy.Query:
    """Adjacent words with these stems, scored as a phrase query on ``stem`` would be."""
    alternatives = cached_spellings(searcher, stems)
    if not all(alternatives):
        return Q.empty_query()
    patterns = ["|".join(re.escape(w) for w in words) for words in alternatives]
    docs = searcher.num_docs
    wanted = sum(_idf(searcher.doc_freq("stem", s), docs) for s in stems)
    given = sum(_idf(searcher.doc_freq("exact", p), docs) for p in patterns)
    return Q.boost_query(Q.regex_phrase_query(SCHEMA, "exact", list(patterns)), wanted / given)
