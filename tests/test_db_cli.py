"""``despatchbox db upgrade`` and ``despatchbox db copy``: SQLite ⇄ PostgreSQL without re-ingesting.

On ``--db postgresql`` the sample (on PostgreSQL) is copied to SQLite and back to a fresh
PostgreSQL database; on ``--db sqlite`` it goes to PostgreSQL when a server is configured
(DESPATCHBOX_TEST_POSTGRES_URL), else to another SQLite file. ``despatchbox stats --json``
must print the same thing for every copy, and search must find the same things.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from despatchbox.cli import app
from despatchbox.pipeline.run import ingest
from despatchbox.store.database import code_heads, current_heads, engine_for, make_engine
from despatchbox.store.queries.fingerprint_blocks import count_postings
from despatchbox.store.queries.fingerprint_levels import BLOCKS_OF
from despatchbox.store.queries.redirects import every_redirect
from despatchbox.store.schema import ingest_batches, source_files, speeches

from .conftest import MODERN, DatabaseFactory

runner = CliRunner()


def cli(*args: str, url: str | None = None):
    env = {"DESPATCHBOX_DATABASE_URL": url} if url else {}
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


def stats_json(url: str) -> dict:
    result = cli("stats", "--json", url=url)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def other_backend(db_backend, tmp_path_factory):
    """Makes databases on the other backend when it is available (else on the same one)."""
    other = "sqlite" if db_backend == "postgresql" else (
        "postgresql" if os.environ.get("DESPATCHBOX_TEST_POSTGRES_URL") else "sqlite")
    factory = DatabaseFactory(other, tmp_path_factory.mktemp("other-backend"))
    yield factory
    factory.drop_all()


def table_counts(url: str) -> dict[str, int]:
    engine = engine_for(url)
    with engine.connect() as conn:
        names = [r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_%'"
            if engine.dialect.name == "sqlite" else
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT LIKE 'search_%'"))]
        counts = {n: conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one() for n in sorted(names)
                  if n != "alembic_version"}
        # PostgreSQL holds the who-said index's two biggest levels in blocks (0030): their postings are rows
        for level, held in BLOCKS_OF.items():
            if counts.pop(held.name, None) is not None:
                counts[level] += count_postings(conn, held)
        return counts


def search_ids(url: str, words: str) -> list[str]:
    """Every speech a search finds (all pages)."""
    from despatchbox.store.search.model import SearchQuery
    from despatchbox.store.search.service import search
    found: list[str] = []
    with engine_for(url).connect() as conn:
        while True:
            page = search(conn, SearchQuery(text=words, sort="date", limit=100, offset=len(found))).hits
            found += [h.id for h in page]
            if len(page) < 100:
                return sorted(found)


def test_db_upgrade_creates_the_schema_and_then_has_nothing_to_do(fresh_url):
    first = cli("db", "upgrade", "--url", fresh_url)
    assert first.exit_code == 0, first.output
    assert "upgraded" in first.output
    engine = make_engine(fresh_url)
    assert current_heads(engine) == code_heads(engine)
    engine.dispose()
    again = cli("db", "upgrade", "--url", fresh_url)
    assert again.exit_code == 0 and "up to date" in again.output


def test_db_upgrade_uses_the_configured_database(fresh_url):
    result = cli("db", "upgrade", url=fresh_url)
    assert result.exit_code == 0, result.output
    engine = make_engine(fresh_url)
    assert current_heads(engine) == code_heads(engine)
    engine.dispose()


def redirects(url: str) -> list[tuple]:
    """Every redirect held (rows and sets, migration 0032), whole."""
    with engine_for(url).connect() as conn:
        return sorted(every_redirect(conn))


def test_copy_to_the_other_backend_and_back_keeps_everything(sample_url, other_backend, database_factory):
    expected = stats_json(sample_url)
    expected_counts = table_counts(sample_url)
    expected_redirects = redirects(sample_url)
    assert expected_counts["gid_redirect_sets"] and expected_counts["gid_redirects"]
    middle = other_backend.new_url()
    result = cli("db", "copy", "--from", sample_url, "--to", middle, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["rows"] == sum(expected_counts.values())
    assert summary["tables"]["speeches"] == expected_counts["speeches"]
    assert "search" in summary["rebuilt"]
    assert stats_json(middle) == expected
    assert table_counts(middle) == expected_counts
    assert redirects(middle) == expected_redirects
    with engine_for(middle).connect() as conn:         # into PostgreSQL: the who-said rows packed in blocks
        if conn.dialect.name == "postgresql":
            assert conn.execute(text("SELECT count(*) FROM quote_fingerprints")).scalar_one() == 0
            assert conn.execute(text("SELECT count(*) FROM quote_fingerprints_recent")).scalar_one() == 0

    back = database_factory.new_url()
    result = cli("db", "copy", "--from", middle, "--to", back, "--quiet")
    assert result.exit_code == 0, result.output
    assert stats_json(back) == expected
    assert table_counts(back) == expected_counts
    assert redirects(back) == expected_redirects
    # the search index was rebuilt for each backend and finds the same speeches
    for words in ("swine flu", '"Post Office"', "afghanistan"):
        found = search_ids(sample_url, words)
        assert found, words
        assert search_ids(middle, words) == found
        assert search_ids(back, words) == found
    database_factory.drop(back)


def test_a_copy_refuses_a_second_copy_and_takes_further_ingests(sample_url, fresh_url):
    result = cli("db", "copy", "--from", sample_url, "--to", fresh_url, "--quiet")
    assert result.exit_code == 0, result.output
    again = cli("db", "copy", "--from", sample_url, "--to", fresh_url, "-q")
    assert again.exit_code == 1
    assert "not empty" in again.output
    engine = engine_for(fresh_url)
    with engine.connect() as conn:
        files_before = conn.execute(select(func.max(source_files.c.id))).scalar()
        batches_before = conn.execute(select(func.max(ingest_batches.c.id))).scalar()
    report = ingest(engine, [MODERN])     # serial ids continue after the copied ones
    assert report.ok, report.errors
    with engine.connect() as conn:
        assert conn.execute(select(func.max(source_files.c.id))).scalar() > files_before
        assert conn.execute(select(func.max(ingest_batches.c.id))).scalar() == batches_before + 1
        n = conn.execute(select(func.count()).select_from(speeches)).scalar()
    assert n > stats_json(sample_url)["by_kind"]["debates"]["speeches"]


@pytest.fixture
def small_url(fresh_url):
    """A database holding one modern sitting only (no members): quick to copy."""
    report = ingest(engine_for(fresh_url), [MODERN])
    assert report.ok, report.errors
    return fresh_url


def test_replace_empties_the_target_first(small_url, sample_url, database_factory):
    target = database_factory.clone(sample_url)
    replaced = cli("db", "copy", "--from", small_url, "--to", target, "-q", "--replace", "--batch", "77")
    assert replaced.exit_code == 0, replaced.output
    assert stats_json(target) == stats_json(small_url)
    assert table_counts(target) == table_counts(small_url)
    database_factory.drop(target)


def test_copy_refuses_the_same_database_and_bad_urls(sample_url):
    same = cli("db", "copy", "--from", sample_url, "--to", sample_url)
    assert same.exit_code == 2 and "same database" in same.output
    bad = cli("db", "copy", "--from", "not a url", "--to", sample_url)
    assert bad.exit_code == 2 and "not a database URL" in bad.output


def test_db_copy_runs_as_a_command(small_url, database_factory):
    """The installed entry point, in a process of its own, as an operator runs it."""
    target = database_factory.new_url()
    exe = [sys.executable, "-c", "from despatchbox.cli import main; main()"]
    done = subprocess.run(exe + ["db", "copy", "--from", small_url, "--to", target], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "row counts match" in done.stderr
    assert stats_json(target) == stats_json(small_url)
    database_factory.drop(target)
