"""The ingest's cheaper per-row steps give what the plain ones gave (issue 18): keyword look-ups that
skip runs of words starting no keyword, ASCII tokens in one bytes pass, rows bound a column at a
time, speech bodies packed in the preparing process, redirects added by INSERT OR IGNORE."""
from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from despatchbox.attribute.department_match import _registry, keyword_hits, normalise
from despatchbox.ingest.parlparse.transcripts import parse_transcript
from despatchbox.ingest.records import Speech
from despatchbox.quotes import normalise as norm
from despatchbox.store.bulk import _bind_plan, bound_rows, insert_rows
from despatchbox.store.packing import PackingError, unpack_body
from despatchbox.store.packing.columns import HAS_TEXT, PackedBody, SpeechHtml, SpeechText, pack_speech_rows
from despatchbox.store.queries.redirects import every_redirect, insert_redirects
from despatchbox.store.schema import gid_redirects, headings, speeches

from .conftest import SAMPLE

SCRAPED = SAMPLE / "scrapedxml"
FILES = [SCRAPED / "debates" / "debates2009-10-27d.xml", SCRAPED / "lordspages" / "daylord2009-10-27a.xml",
         SCRAPED / "wrans" / "answers2009-10-26a.xml"]


def _speeches() -> list[Speech]:
    return [i for path in FILES for i in parse_transcript(path).items if isinstance(i, Speech)]


def _every_run(text: str) -> dict[int, list[tuple[str, float]]]:
    """What keyword_hits found before: every run of 1 … longest words looked up."""
    reg = _registry()
    words = normalise(text).split()
    hits: dict[int, list[tuple[str, float]]] = defaultdict(list)
    for i in range(len(words)):
        for n in range(1, min(reg.longest_keyword, len(words) - i) + 1):
            phrase = " ".join(words[i:i + n])
            for dept, weight in reg.keywords.get(phrase, ()):
                hits[dept].append((phrase, weight))
    return hits


def test_keyword_hits_finds_what_looking_up_every_run_of_words_finds():
    texts = [s.text for s in _speeches()] + [
        "The Department for Business, Innovation and Skills and the Ministry of Defence",
        "foreign and commonwealth office foreign and commonwealth", "", "health health health"]
    found = 0
    for text in texts:
        got, want = keyword_hits(text), _every_run(text)
        assert list(got.items()) == list(want.items())
        found += sum(map(len, want.values()))
    assert found > 100


def _general_tokens(text: str) -> list[str]:
    """tokens() by its general path: the character map, digit groups, then separators."""
    mapped = norm._mapped(text)
    if norm._HAS_DIGIT_SEP.search(mapped):
        mapped = norm._DIGIT_SEP.sub(r"\1", mapped)
    return mapped.translate(norm._SEP_TO_SPACE).split()


def test_ascii_tokens_in_one_pass_are_the_general_paths():
    texts = [s.text for s in _speeches()] + [
        "4,818 and 2.5 but 4'.5, a.b,c", "1,000,000.", "don't -- yes-of course", "x.,.y", "…£4.5bn",
        "“Quoted”, ‘single’", "", "   ", "a\tb\nc", "3.", ".3", "3,a"]
    assert any(t.isascii() for t in texts) and any(not t.isascii() for t in texts)
    for text in texts:
        assert norm.tokens(text) == _general_tokens(text), text


def _per_row(plan, rows):
    out = []
    for row in rows:
        values = []
        for name, default, process in plan:
            value = row.get(name, default)
            values.append(value if process is None or value is None else process(value))
        out.append(tuple(values))
    return out


def test_rows_bound_a_column_at_a_time_are_those_bound_a_row_at_a_time(fresh_engine):
    from datetime import date
    rows = [{"id": f"uk.org.publicwhip/debate/2009-10-27a.{n}.0", "file_id": 1, "kind": "debates",
             "date": date(2009, 10, 27), "position": n, "level": "minor", "title": f"t{n}", "colnum": None,
             "time": None, "url": None if n % 2 else f"http://www.publications.parliament.uk/x{n}",
             "parent_id": None if n % 3 else "uk.org.publicwhip/debate/2009-10-27a.1.0", "debate_id": None}
            for n in range(50)]
    del rows[7]["colnum"]                                # a key missing from one row: its default
    with fresh_engine.connect() as conn:
        plan = _bind_plan(conn, headings, rows, {})
        assert bound_rows(plan, rows) == _per_row(plan, rows)
        titles = [f"given {n}" for n in range(len(rows))]
        got = bound_rows(plan, rows, {"title": titles})
        assert [r[[p[0] for p in plan].index("title")] for r in got] == titles
        with pytest.raises(ValueError):
            bound_rows(plan, rows, {"title": titles[:-1]})


def test_packed_bodies_are_written_as_the_plain_ones_would_be():
    rows = [{"html": s.html, "text": s.text} for s in _speeches()[:200]] + [{"html": "<p></p>", "text": ""}]
    plain = [dict(r) for r in rows]
    pack_speech_rows(rows)
    pack_speech_rows(rows)                               # packed once
    lite, pg = sqlite.dialect(), postgresql.dialect()
    html, text = SpeechHtml(), SpeechText()
    assert any(not r["text"] for r in plain) and any(r["text"] for r in plain)
    for packed, row in zip(rows, plain):
        body = packed["html"]
        assert isinstance(body, PackedBody) and packed["text"] is body
        for dialect in (lite, pg):                       # both store the packed body (PostgreSQL from 0028)
            assert unpack_body(html.process_bind_param(body, dialect)) == (row["html"], row["text"])
            assert text.process_bind_param(body, dialect) == (HAS_TEXT if row["text"] else "")
        with pytest.raises(PackingError):
            html.process_bind_param(row["html"], pg)     # a plain string is refused: html and text go together


def test_redirects_keep_the_held_target_and_the_last_given(fresh_engine):
    old = "uk.org.publicwhip/debate/2009-10-27a.{}.0"
    new = "uk.org.publicwhip/debate/2009-10-27b.{}.0"
    with fresh_engine.begin() as conn:
        insert_redirects(conn, [{"old_id": old.format(1), "new_id": new.format(1), "match_type": "perfectmatch"}])
    with fresh_engine.begin() as conn:
        insert_redirects(conn, [
            {"old_id": old.format(1), "new_id": new.format(9), "match_type": "perfectmatch"},   # held: kept
            {"old_id": old.format(2), "new_id": new.format(2), "match_type": None},
            {"old_id": old.format(2), "new_id": "uk.org.publicwhip/wrans/2009-10-27a.5.0", "match_type": None}])
    with fresh_engine.connect() as conn:
        held = {o: n for o, n, _m in every_redirect(conn)}
    assert held == {old.format(1): new.format(1), old.format(2): "uk.org.publicwhip/wrans/2009-10-27a.5.0"}


def test_or_ignore_is_sqlites(fresh_engine):
    with fresh_engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            assert insert_rows(conn, speeches, [], or_ignore=True) == 0
        else:
            with pytest.raises(ValueError):
                insert_rows(conn, gid_redirects, [{"old_id": "a.1", "new_id": "b.1"}], or_ignore=True)
