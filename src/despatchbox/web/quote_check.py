"""Quote check over the store: a published quote → a verdict per sentence, the official wording with
the differences word by word, and a citation that can be checked — as the page, the API, the CLI
and the MCP server all show it.

:func:`quote_check` wires :func:`despatchbox.quotes.check.check_quote` to the store (the
fingerprint index, the search engine for short fragments, the speakers and places of speeches) and
returns one JSON-ready dict::

    {"speaker": str | null, "date_from": "YYYY-MM-DD" | null, "date_to": … ,
     "sentences": [{"text", "verdict", "reason", "speakers", "more",
                    "match": null | {"wording", "matched_words", "quote_words", "official", "differences":
                                     [{"op": "same|omitted|added|changed", "official", "quoted"}],
                                     "citation": {…}},
                    "others": [{"wording", "official", "citation"}, …]}, …],
     "summary": {verdict: count}}

A citation: ``speech_id`` (gid), ``speaker`` (name with party and seat on the day), ``office``,
``person_id``, ``person_slug``, ``item`` (the heading the speech sits under), ``debate_title``,
``debate_id``, ``chamber``, ``date``, ``column``, ``time``, ``web_url`` (the page anchor),
``member_url`` and ``source_url`` (the official Hansard source the record carries, or null).
"""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import Connection

from ..quotes.check import VERDICTS, Found, check_quote
from ..store.queries.quotes import StoreSpeechIndex, speech_citations
from .quoted import speech_details
from ..store.search import QueryError, SearchQuery, search
from ..record.urls import site

__all__ = ["quote_check", "check_quote_size", "QuoteTooLarge", "MAX_QUOTE_CHARS", "MAX_SENTENCES", "citation_of"]

#: the most text one request may check (about 3,000 words)
MAX_QUOTE_CHARS = 20_000
#: … and the most sentences
MAX_SENTENCES = 200


class QuoteTooLarge(ValueError):
    """The quote is over :data:`MAX_QUOTE_CHARS` characters or :data:`MAX_SENTENCES` sentences."""


def check_quote_size(text: str) -> None:
    if len(text) > MAX_QUOTE_CHARS:
        raise QuoteTooLarge(f"The quote is too long: {len(text):,} characters; at most {MAX_QUOTE_CHARS:,} "
                            "can be checked at once.")


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


def citation_of(speech_id: str, detail: dict, place: dict) -> dict:
    """The checkable citation of one speech (see the module docstring)."""
    heading = place.get("heading_title")
    return {
        "speech_id": speech_id, "speaker": detail.get("display_name") or detail.get("name"),
        "name": detail.get("name"), "office": detail.get("office"), "person_id": detail.get("person_id"),
        "person_slug": detail.get("person_slug"), "party": detail.get("party"),
        "constituency": detail.get("constituency"), "house": detail.get("house"),
        "item": heading or detail.get("debate_title"), "debate_title": detail.get("debate_title"),
        "debate_id": detail.get("debate_id"), "chamber": detail.get("chamber"), "date": _iso(detail.get("date")),
        "column": place.get("column"), "time": place.get("time"),
        "web_url": site.debate(detail["debate_id"], speech_id) if detail.get("debate_id") else None,
        "member_url": site.member(detail.get("person_slug"), detail.get("house")),
        "source_url": place.get("source_url") or None,
    }


def _phrase_finder(conn: Connection, since: date | None, until: date | None):
    def phrases(text: str, limit: int) -> tuple[list[str], int]:
        words = re.sub(r"[^\w\s'’,.£%]", " ", text)
        words = " ".join(w.strip(".,") for w in words.split() if w.strip(".,"))
        if not words:
            return [], 0
        try:
            found = search(conn, SearchQuery(f'"{words}"', date_from=since, date_to=until, limit=limit,
                                             sort="date"))
        except QueryError:
            return [], 0
        # a written question and its answer are one search result, shown by the answer: the question
        # holds the words as often as the answer does, so both are candidates
        ids = [sid for h in found.hits for sid in (h.id, h.question.id if h.question else None) if sid]
        return list(dict.fromkeys(ids)), found.total
    return phrases


def quote_check(conn: Connection, text: str, *, speaker: str | None = None, since: date | None = None,
                until: date | None = None) -> dict:
    """Check every sentence of ``text`` against the record (see the module docstring)."""
    check_quote_size(text)
    if since and until and since > until:
        raise ValueError("The 'from' date is after the 'to' date.")
    text = text.encode("utf-8", errors="replace").decode("utf-8")
    speaker = (speaker or "").strip() or None
    index = StoreSpeechIndex(conn)
    results = check_quote(text, index, lambda ids: speech_details(conn, ids),
                          phrases=_phrase_finder(conn, since, until), speaker=speaker, since=since, until=until)
    if len(results) > MAX_SENTENCES:
        raise QuoteTooLarge(f"The quote has too many sentences: {len(results):,}; at most {MAX_SENTENCES} "
                            "can be checked at once.")
    wanted = {f.speech_id for r in results for f in ([r.match] if r.match else []) + r.others}
    places = speech_citations(conn, list(wanted))

    def about(f: Found, full: bool) -> dict:
        body = index.cached_texts.get(f.speech_id, "")
        c = f.comparison
        out = {"wording": c.wording, "matched_words": c.matched, "quote_words": c.quote_words,
               "official": body[c.start:c.end],
               "citation": citation_of(f.speech_id, f.detail, places.get(f.speech_id, {}))}
        if full:
            out["differences"] = [ch.as_dict() for ch in c.changes]
        return out

    sentences = []
    summary = dict.fromkeys(VERDICTS, 0)
    for r in results:
        summary[r.verdict] += 1
        sentences.append({"text": r.text, "verdict": r.verdict, "reason": r.reason, "speakers": r.speakers,
                          "more": r.more, "match": about(r.match, True) if r.match else None,
                          "others": [about(f, False) for f in r.others]})
    return {"speaker": speaker, "date_from": _iso(since), "date_to": _iso(until), "sentences": sentences,
            "summary": summary}
