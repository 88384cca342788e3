"""A request that finds the database busy (a writer held it past the busy timeout) is answered 503
with Retry-After — on pages and in the API — never 500; the error is the real one each database
raises when a lock is not granted."""
from __future__ import annotations

import sqlite3

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError

from despatchbox.store.database import is_busy
from despatchbox.store.queries import departments as department_queries
from despatchbox.web.app import create_app


def real_lock_error(tmp_path, sample_engine) -> OperationalError:
    """The error a second writer gets while another holds the write lock, on the tests' database."""
    if sample_engine.dialect.name == "sqlite":
        path = tmp_path / "locked.db"
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("CREATE TABLE t (x)")
        holder.execute("BEGIN IMMEDIATE")
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            return OperationalError("BEGIN IMMEDIATE", {}, exc)
        finally:
            holder.close()
            other.close()
        pytest.fail("the second writer was not refused")
    with sample_engine.connect() as holder, sample_engine.connect() as other:
        holder.execute(text("CREATE TEMP TABLE IF NOT EXISTS busy_probe (x int)"))
        holder.execute(text("LOCK TABLE departments IN ACCESS EXCLUSIVE MODE"))
        other.execute(text("SET LOCAL lock_timeout = '50ms'"))
        try:
            other.execute(text("SELECT count(*) FROM departments"))
        except OperationalError as exc:
            return exc
        pytest.fail("the second session was not refused")


def test_a_lock_not_granted_is_busy_and_other_errors_are_not(tmp_path, sample_engine):
    assert is_busy(real_lock_error(tmp_path, sample_engine))
    with sample_engine.connect() as conn:
        with pytest.raises(DBAPIError) as other:
            conn.execute(text("SELECT * FROM no_such_table"))
    assert not is_busy(other.value)
    assert not is_busy(ValueError("database is locked"))


def test_pages_and_the_api_answer_503_with_retry_after(tmp_path, sample_engine, sample_url, monkeypatch):
    error = real_lock_error(tmp_path, sample_engine)

    def busy(*_args, **_kwargs):
        raise error
    monkeypatch.setattr(department_queries, "all_departments", busy)
    client = TestClient(create_app(sample_url), raise_server_exceptions=False)
    page = client.get("/departments")
    assert page.status_code == 503 and page.headers["retry-after"] == "5"
    assert "Try again in a few seconds" in page.text
    api = client.get("/api/v1/departments")
    assert api.status_code == 503 and api.headers["retry-after"] == "5"
    assert api.json()["error"]["code"] == "busy"
