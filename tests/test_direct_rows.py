"""store/queries/direct: the pages' fixed statements run on the driver give exactly what
``Connection.execute`` gives (values, their types, the keys, the order), on the real sample, on
both databases (SQLite's sqlite3 and PostgreSQL's psycopg)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import Column, Integer, MetaData, Table, select

from despatchbox.store.queries import debates, departments, direct, divisions, fellows, people, questions
from despatchbox.store.schema import divisions as division_table
from despatchbox.store.queries.fellows import CHAIR_PARTIES
from despatchbox.store.queries.people import SPOKEN_KINDS, WRITTEN_ANSWER_KINDS

DEBATE = "uk.org.publicwhip/debate/2009-10-26b.1.4"


def _through_sqlalchemy(conn, statement, params):
    result = conn.execute(statement, params)
    names = list(result.keys())
    return [dict(zip(names, row)) for row in result.all()]


def _same(a: list[dict], b: list[dict]) -> None:
    assert a == b
    assert [list(r) for r in a] == [list(r) for r in b]                       # the same keys, in order
    assert [[type(v) for v in r.values()] for r in a] == [[type(v) for v in r.values()] for r in b]


def _cases(conn):
    """(statement, parameters) of every fixed statement the pages run through direct, on the sample."""
    speech_rows = debates.page_speeches(conn, debates.debate(conn, DEBATE))
    ids = [r["id"] for r in speech_rows[:12]]
    busiest = people.most_active(conn, limit=3)
    dept = max(departments.all_departments(conn), key=lambda d: d["sections"])["slug"]
    day = departments.latest_sitting_day(conn)
    division_ids = [d["id"] for d in sa_rows(conn, select(division_table.c.id).limit(5))]
    cases = [
        (debates._DEBATE, {"debate_id": DEBATE}),
        (debates._HEADINGS_OF, {"debate_id": DEBATE}),
        (debates._PAGE_SPEECHES_OF, {"debate_id": DEBATE}),
        (debates._SPEECHES_OF[True], {"debate_id": DEBATE}),
        (debates._SPEECHES_OF[False], {"debate_id": DEBATE}),
        (debates._SPEAKERS_OF, {"debate_id": DEBATE}),
        (debates._SPEECH_OUTLINE, {"debate_id": DEBATE}),
        (debates._SPEECHES_BY_IDS[False], {"debate_id": DEBATE, "ids": ids}),
        (debates._SPEECHES_BY_IDS[True], {"debate_id": DEBATE, "ids": ids}),
        (debates._DIVISIONS_OF, {"debate_id": DEBATE}),
        (debates._DEPARTMENT_TOTALS, {"slug": dept, "kinds": list(SPOKEN_KINDS)}),
        (debates._DEPARTMENT_TOTALS_BY_KIND, {"slug": dept}),
        (debates._DEPARTMENT_SECTIONS, {"slug": dept, "kinds": list(SPOKEN_KINDS), "limit": 10, "offset": 2}),
        (debates._department_sections(2), {"slug": dept, "depth": 12, "limit": 10, "offset": 2,
                                           "kind_0": "debates", "kind_1": "westminhall"}),
        (departments._DEPARTMENT, {"slug": dept}),
        (departments._LATEST_DAY, None),
        (departments._MINISTERS_ON, {"slug": dept, "on": day}),
        (departments._OFFICES_PRINTED_IN, {"slug": dept, "since": day.replace(day=1), "until": day}),
        (questions._DEPARTMENT_QUESTIONS, {"slug": "home-office", "limit": 10, "offset": 0}),
        (divisions._VOTES_BY_DIVISION, {"division_ids": division_ids}),
    ]
    for person in busiest:
        pid = person["id"]
        debate_ids = people.latest_debates(conn, pid, 100)
        cases += [
            (people._PERSON_BY_SLUG, {"slug": person["slug"]}),
            (people._MEMBERSHIPS_OF, {"person_id": pid}),
            (people._MEMBERSHIPS_OF_PEOPLE, {"person_ids": [pid, 10259]}),
            (people._OFFICES_OF, {"person_id": pid}),
            (people._GOVERNMENT_OFFICES_OF, {"person_id": pid}),
            (people._VOTE_COUNT, {"person_id": pid}),
            (people._LATEST_DAYS, {"person_id": pid, "limit": 10}),
            (people._FIRST_DAY, {"person_id": pid}),
            (people._MONTHS, {"person_id": pid}),
            (people._DEPARTMENT_DEBATE_COUNTS, {"person_id": pid, "kinds": list(SPOKEN_KINDS)}),
            (people._DEPARTMENT_DEBATE_COUNTS, {"person_id": pid, "kinds": list(WRITTEN_ANSWER_KINDS)}),
            (people._RECENT_CONTRIBUTIONS, {"person_id": pid, "limit": 10, "offset": 0}),
            (people._VOTES_OF, {"person_id": pid, "limit": 15, "offset": 0}),
            (fellows._FELLOWS, {"debate_ids": debate_ids, "person_id": pid, "chair": list(CHAIR_PARTIES),
                               "limit": 8}),
            (people._LATEST, {"person_id": pid, "window": 116}),
        ]
    heading_ids = [r["id"] for r in questions.department_questions(conn, "home-office", with_total=False)[1]]
    cases.append((questions._QUESTION_PEOPLE, {"debate_ids": sorted({h.rsplit(".", 2)[0] for h in heading_ids}),
                                               "heading_ids": heading_ids}))
    return cases


def sa_rows(conn, statement):
    return [dict(r) for r in conn.execute(statement).mappings()]


def test_direct_reads_what_sqlalchemy_reads(sample_engine):
    with sample_engine.connect() as conn:
        cases = _cases(conn)
        assert len(cases) > 60
        non_empty = 0
        for statement, params in cases:
            assert direct._prepare(statement, conn.dialect) is not None        # the driver's way, not the fallback
            expected = _through_sqlalchemy(conn, statement, params)
            got = direct.dicts(conn, statement, params)
            _same(got, expected)
            assert direct.rows(conn, statement, params) == [tuple(r.values()) for r in expected]
            assert direct.first(conn, statement, params) == (expected[0] if expected else None)
            non_empty += bool(expected)
        assert non_empty > 50                      # the comparisons are of real rows, not of nothing


def test_an_empty_in_list_reads_nothing(sample_engine):
    with sample_engine.connect() as conn:
        assert direct.dicts(conn, debates._SPEECHES_BY_IDS[False], {"debate_id": DEBATE, "ids": []}) == []
        assert direct.rows(conn, divisions._VOTES_BY_DIVISION, {"division_ids": []}) == []


def test_the_read_runs_in_the_connections_transaction(sample_engine):
    with sample_engine.connect() as conn:
        assert not conn.in_transaction()
        assert direct.first(conn, people._PERSON_BY_SLUG, {"slug": "david-hanson"})["id"] == 10259
        assert conn.in_transaction()               # begun as Connection.execute begins it
        conn.rollback()
        assert not conn.in_transaction()


def test_driver_errors_are_sqlalchemys(sample_engine):
    missing = Table("no_such_table_here", MetaData(), Column("id", Integer))
    with sample_engine.connect() as conn:
        with pytest.raises(sa.exc.DBAPIError):
            direct.rows(conn, select(missing.c.id))


def test_columns_stored_without_their_prefix_read_back_as_short_text_whole_does():
    """A column stored without its prefix is read by an expression written out for the statement, not
    SQLAlchemy's processor: the same value as ``short_text.whole`` for every stored form (a value stored
    whole behind ``=``, one whose rest begins with ``=``, the empty string, None)."""
    from sqlalchemy.dialects import sqlite

    from despatchbox.store.short_text import HansardLink, ParlParseId, PrintedSpeakerId, stored, whole

    dialect = sqlite.dialect()
    for type_ in (HansardLink(), ParlParseId(), PrintedSpeakerId()):
        prefix = direct._prefix_of(type_, dialect)
        assert prefix == type_.prefix
        _, as_dict = direct._converters(("v",), [type_._cached_result_processor(dialect, None)], [prefix])
        for value in ("", "=", "==x", "x=", prefix, prefix + "=", prefix + "debate/2009-10-26b.1.4", "http://elsewhere/"):
            assert as_dict((stored(value, prefix),)) == {"v": whole(stored(value, prefix), prefix)} == {"v": value}
        assert as_dict((None,)) == {"v": None}
    assert direct._prefix_of(sa.String(), dialect) is None


def test_a_statement_is_prepared_for_each_kind_of_database_apart():
    """One process may read both databases (``db copy``): a statement compiled for SQLite's ``?`` is
    never run on psycopg, which takes ``%s``, nor the other way round."""
    from sqlalchemy.dialects.postgresql import psycopg
    from sqlalchemy.dialects.sqlite import pysqlite

    ids = ["uk.org.publicwhip/debate/2009-10-26b.1.5", "uk.org.publicwhip/debate/2009-10-26b.1.6"]
    lite = direct._prepare(debates._SPEECHES_BY_IDS[False], pysqlite.dialect())
    pg = direct._prepare(debates._SPEECHES_BY_IDS[False], psycopg.dialect())
    assert lite is not None and pg is not None and lite is not pg
    lite_sql, lite_values = lite.bound({"debate_id": DEBATE, "ids": ids})
    pg_sql, pg_values = pg.bound({"debate_id": DEBATE, "ids": ids})
    assert lite_sql.count("?") == 3 and "%s" not in lite_sql
    assert pg_sql.count("%s") == 3 and "?" not in pg_sql
    assert len(lite_values) == len(pg_values) == 3
    assert direct._prepare(debates._SPEECHES_BY_IDS[False], pysqlite.dialect()) is lite    # compiled once


def test_limits_and_offsets_are_written_into_the_sql_not_bound(sample_engine):
    """PostgreSQL keeps one plan for a prepared statement only if it costs no more than a plan for the
    values, and a LIMIT it cannot see costs as a tenth of the table: written into the SQL, the values
    leave the statement a plan of its own."""
    with sample_engine.connect() as conn:
        prepared = direct._prepare(people._VOTES_OF, conn.dialect)
        assert prepared is not None
        sql, values = prepared.bound({"person_id": 10259, "limit": 15, "offset": 30})
        assert "LIMIT 15 OFFSET 30" in " ".join(sql.split())
        assert values == [10259]
        # the latest debates of a department: a LIMIT inside each kind's subquery, one outside
        nested = direct._prepare(debates._department_sections(2), conn.dialect)
        sql, values = nested.bound({"slug": "home-office", "depth": 12, "limit": 10, "offset": 2,
                                    "kind_0": "debates", "kind_1": "westminhall"})
        flat = " ".join(sql.split())
        assert flat.count("LIMIT 12") == 2 and "LIMIT 10 OFFSET 2" in flat
        assert 12 not in values and 10 not in values
        # only an integer is written: anything else goes through SQLAlchemy, with the same rows
        assert prepared.bound({"person_id": 10259, "limit": "15", "offset": 0}) is None
        assert prepared.bound({"person_id": 10259, "limit": True, "offset": 0}) is None
        expected = _through_sqlalchemy(conn, people._VOTES_OF, {"person_id": 10259, "limit": 3, "offset": 1})
        assert direct.dicts(conn, people._VOTES_OF, {"person_id": 10259, "limit": 3, "offset": 1}) == expected
        assert len(expected) == 3
