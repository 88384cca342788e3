"""Where a hit's text holds the query's stemmed words, for its snippet: the character ranges of
the words whose stems are the query's (exact phrases and prefixes: ``highlight.exact_ranges``)."""
from __future__ import annotations

from sqlalchemy import Connection

from . import query_language as ql
from . import query_plan as qp
from .highlight import Starting, fold, folds_to_ascii, starting
from .stemmed_phrase import prefixes
from .tantivy_index import stem_of


def stemmed_ranges(conn: Connection, parsed: ql.ParsedQuery, texts: dict[int, str]) -> dict[int, list]:
    """For each item (id → its text), the character ranges of the words whose stems are the
    query's stemmed words'. Exact phrases and prefixes are found by ``highlight.exact_ranges``.

    A word is stemmed only if it begins as a word with one of the query's stems can (the stemmer
    rewrites at most the last letter of what it keeps: :func:`.stemmed_phrase.prefixes`), which
    holds for the words as the index folds them; a text with a letter folded otherwise (æ, ß, ø)
    has every word beginning with the first two letters of a query word or of those beginnings
    stemmed. (Until December 2026 only the query words' first two letters were looked at: "die"
    was not marked in a text found by "dying", nor "lying" by "lie".)"""
    out: dict[int, list] = {doc: [] for doc in texts}
    node = qp.rank_nodes(parsed.root).get(ql.STEMMED)
    if node is None:
        return out
    wanted = {w for leaf in ql.leaves(node) for w in (leaf.words if isinstance(leaf, ql.Phrase) else (leaf.word,))}
    targets = {stem_of(w) for w in wanted}
    begins = frozenset(p for t in targets if len(t) == 1 for p in prefixes(t[0]))
    # a word and its stem share their first two letters, but for a stem in "ie" ("dying" → "die")
    heads = frozenset(fold(w)[:2] for w in wanted) | {p[:2] for p in begins}
    loose = starting(heads)
    if () in targets:                                  # a word too long to index: any word as long is one
        tight: Starting | None = loose
    else:                                              # (None: no one word has the stem of a query word)
        tight = starting(begins) if begins else None
    for doc, body in texts.items():
        finder = tight if folds_to_ascii(body) else loose
        if finder is None:
            continue
        out[doc] = [(start, end) for start, end, word in finder.words(body) if stem_of(word) in targets]
    return out
