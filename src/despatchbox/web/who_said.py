"""“Who said this?”: pasted text → the speaker of every paragraph, as the page, the API and
``despatchbox who-said`` all show it.

:func:`who_said` runs the matcher (:func:`despatchbox.quotes.attribute_text`) over the store's
fingerprint index (:class:`despatchbox.store.queries.quotes.StoreSpeechIndex`) and returns one
JSON-ready dict::

    {"paragraphs": [{"line": 1, "text": "…", "furniture": false,
                     "match": null | {"speech_id", "debate_id", "person_id", "name", "confidence",
                                      "display_name", "party", "constituency", "office", "house",
                                      "person_slug", "date", "kind", "chamber", "debate_title",
                                      "department", "covered": {"start", "end", "text"},
                                      "web_url", "member_url"}}, …],
     "debates": [{"id", "title", "date", "kind", "chamber", "department", "lines"}, …]}

One paragraph per non-blank input line, in order (``line`` is 1-based in the input);
``text`` is the line as given. Furniture (dates, venue labels, "Read Full debate") and text
not found in the record held have ``match: null`` — never forced onto a speech. ``covered`` is
the part of the speech the line covers (character offsets into the speech's plain text).
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from ..quotes import attribute_text, debates_of
from ..quotes.normalise import token_spans
from ..store.queries.quotes import StoreSpeechIndex
from .quoted import debate_details, speech_details
from ..record.urls import site

__all__ = ["who_said", "check_size", "TextTooLarge", "MAX_CHARS", "MAX_PARAGRAPHS"]

#: the most text one request may ask about (about 150 paragraphs of speeches)
MAX_CHARS = 100_000
#: … and the most non-blank lines
MAX_PARAGRAPHS = 500


#: a line is matched on its first this many words …
MATCH_WORDS = 400
#: … and only up to where some 3-word run of it occurs for the (MAX_REPEATS + 1)-th time. Lines
#: of a table ("a controlled drug … a controlled drug …") otherwise cost the aligner time
#: quadratic in their repeats (minutes for one long table row); a prefix attributes them as well.
MAX_REPEATS = 3


class TextTooLarge(ValueError):
    """The text is over :data:`MAX_CHARS` characters or :data:`MAX_PARAGRAPHS` lines."""


def check_size(text: str) -> None:
    if len(text) > MAX_CHARS:
        raise TextTooLarge(f"The text is too long: {len(text):,} characters; at most {MAX_CHARS:,} "
                           "can be attributed at once. Paste a shorter extract.")
    lines = sum(1 for line in text.splitlines() if line.strip())
    if lines > MAX_PARAGRAPHS:
        raise TextTooLarge(f"The text has too many paragraphs: {lines:,} non-blank lines; at most "
                           f"{MAX_PARAGRAPHS:,} can be attributed at once. Paste a shorter extract.")


def matching_line(line: str) -> str:
    """The part of a line the matcher is given (see :data:`MATCH_WORDS`, :data:`MAX_REPEATS`)."""
    if len(line) < 200:                     # too short to hold MAX_REPEATS + 1 runs that matter
        return line
    spans = token_spans(line)
    cut = min(len(spans), MATCH_WORDS)
    seen: dict[tuple[str, str, str], int] = {}
    for i in range(min(cut, len(spans) - 2)):
        gram = (spans[i][0], spans[i + 1][0], spans[i + 2][0])
        seen[gram] = seen.get(gram, 0) + 1
        if seen[gram] > MAX_REPEATS:
            cut = i + 2             # keep the run's first two words: its 3rd repeat stays whole
            break
    return line if cut >= len(spans) else line[:spans[cut - 1][2]]


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


def who_said(conn: Connection, text: str, stats: dict | None = None) -> dict:
    """Attribute every non-blank line of ``text`` (see the module docstring for the result).

    ``stats``, if given, receives ``index_statements``: the statements the index issued."""
    check_size(text)
    # lone surrogates (possible in JSON) cannot be hashed or sent back as UTF-8
    text = text.encode("utf-8", errors="replace").decode("utf-8")
    index = StoreSpeechIndex(conn)
    lines = text.splitlines()
    matches = attribute_text("\n".join(matching_line(line) for line in lines), index, index.neighbours)
    details = speech_details(conn, [m.speech_id for m in matches if m.speech_id])
    paragraphs = []
    for m in matches:
        d = details.get(m.speech_id) if m.speech_id else None
        match = None
        if d is not None and m.speech_id:
            body = index.cached_texts.get(m.speech_id, "")
            start, end = m.start or 0, m.end or 0
            match = {
                "speech_id": d["speech_id"], "debate_id": d["debate_id"], "person_id": d["person_id"],
                "name": d["name"], "confidence": m.confidence,
                "display_name": d["display_name"], "party": d["party"], "constituency": d["constituency"],
                "office": d["office"], "house": d["house"], "person_slug": d["person_slug"],
                "date": _iso(d["date"]), "kind": d["kind"], "chamber": d["chamber"],
                "debate_title": d["debate_title"], "department": d["department"],
                "covered": {"start": start, "end": end, "text": body[start:end]},
                "web_url": site.debate(d["debate_id"], d["speech_id"]),
                "member_url": site.member(d["person_slug"], d["house"]),
            }
        paragraphs.append({"line": m.line, "text": lines[m.line - 1].strip(), "furniture": m.furniture,
                           "match": match})
    found = debates_of(matches, lambda sid: details[sid]["debate_id"] if sid in details else None)
    about = debate_details(conn, list(found))
    debates = []
    for debate_id, at_lines in found.items():
        d = about.get(debate_id, {"id": debate_id, "title": None, "date": None, "kind": None, "chamber": None,
                                  "department": None})
        debates.append({"id": d["id"], "title": d["title"], "date": _iso(d["date"]), "kind": d["kind"],
                        "chamber": d["chamber"], "department": d["department"], "lines": at_lines,
                        "web_url": site.debate(debate_id)})
    if stats is not None:
        stats["index_statements"] = index.queries
    return {"paragraphs": paragraphs, "debates": debates}
