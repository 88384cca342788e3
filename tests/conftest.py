"""Shared fixtures: the real sample week, fresh databases, an ingested database.

Run on SQLite by default; ``--db postgresql`` (with DESPATCHBOX_TEST_POSTGRES_URL
pointing at a server where the user may create databases) runs the same tests on
PostgreSQL.
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool

from despatchbox.config import SAMPLE_DIR
from despatchbox.pipeline.run import ingest
from despatchbox.store.database import dispose_engine, engine_for

SAMPLE = SAMPLE_DIR / "parlparse-2009-10"
MODERN = SAMPLE_DIR / "modern"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def pytest_addoption(parser):
    parser.addoption("--db", action="store", default=os.environ.get("DESPATCHBOX_TEST_DB", "sqlite"),
                     choices=["sqlite", "postgresql"], help="database backend the tests run on")
    parser.addoption("--skip-db-free", action="store_true",
                     help="leave out the tests that use no database (no fixture of theirs leads to "
                          "db_backend): they do the same on every backend. scripts/run-tests passes it "
                          "to the PostgreSQL run when the SQLite run ran them")


def pytest_report_header(config):
    return (f"despatchbox database backend: {config.getoption('--db')}; browser: {browser_status() or 'chromium'}; "
            f"rsync: {rsync_status() or 'installed'}")


# --- what could not run here, and why ----------------------------------------------------------
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_SKIP = "browser tests skipped: install Debian's chromium (apt-get install chromium)"


def browser_status() -> str | None:
    """Why the browser tests cannot run on this machine, or None when they can."""
    if not CHROMIUM.exists():
        return BROWSER_SKIP
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests skipped: install the test extra (pip install -e '.[test]') for Playwright"
    return None


RSYNC_SKIP = "rsync tests skipped: install Debian's rsync (apt-get install rsync)"


def rsync_status() -> str | None:
    """Why the rsync tests (a real rsync daemon on loopback) cannot run here, or None when they can."""
    return None if shutil.which("rsync") else RSYNC_SKIP


#: how many tests ``--skip-db-free`` left out of this run
DB_FREE_LEFT_OUT = pytest.StashKey[int]()


def uses_a_database(item) -> bool:
    """Whether a test's fixtures lead to the backend (``db_backend``): ``fixturenames`` is their whole
    closure. No test reads the backend any other way (``--db`` and DESPATCHBOX_TEST_DB are read here
    only), so a test without it does the same thing whichever backend the run is for."""
    return "db_backend" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config, items):
    """With ``--skip-db-free``, the tests that use no database are left out (deselected, and counted
    in the summary). Every ``browser`` test is skipped, with the reason, where Chromium or Playwright
    is missing, and every ``rsync`` test where the rsync program is; with
    DESPATCHBOX_TEST_REQUIRE_BROWSER=1 or DESPATCHBOX_TEST_REQUIRE_RSYNC=1 (CI) that is an error instead."""
    if config.getoption("--skip-db-free"):
        kept, free = [], []
        for item in items:
            (kept if uses_a_database(item) else free).append(item)
        if free:
            config.hook.pytest_deselected(items=free)
            items[:] = kept
        config.stash[DB_FREE_LEFT_OUT] = len(free)
    for marker, status, require in (("browser", browser_status, "DESPATCHBOX_TEST_REQUIRE_BROWSER"),
                                    ("rsync", rsync_status, "DESPATCHBOX_TEST_REQUIRE_RSYNC")):
        reason = status()
        if reason is None:
            continue
        marked = [item for item in items if item.get_closest_marker(marker)]
        if not marked:
            continue
        if os.environ.get(require) == "1":
            raise pytest.UsageError(f"{require}=1 but {reason.split(': ', 1)[1]}")
        for item in marked:
            item.add_marker(pytest.mark.skip(reason=reason))


def skip_summary(reports) -> list[str]:
    """One line per reason a test was skipped, with how many: what did not run, and why."""
    counts: dict[str, int] = {}
    for report in reports:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        counts[reason] = counts.get(reason, 0) + 1
    return [f"{n:>4} skipped — {reason}" for reason, n in sorted(counts.items(), key=lambda kv: -kv[1])]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    left_out = config.stash.get(DB_FREE_LEFT_OUT, 0)
    if left_out:
        terminalreporter.section("left out of this run")
        terminalreporter.write_line(f"{left_out:>4} tests that use no database (--skip-db-free: they do the same "
                                    "on every backend, and ran in the SQLite run)")
    lines = skip_summary(terminalreporter.stats.get("skipped", []))
    if not lines:
        return
    terminalreporter.section("what was skipped, and why")
    for line in lines:
        terminalreporter.write_line(line)


class DatabaseFactory:
    """Makes empty databases for one backend and removes them afterwards.

    SQLite: a file in the session's temporary directory. PostgreSQL: a database on the
    server DESPATCHBOX_TEST_POSTGRES_URL points at (its user may CREATE DATABASE), dropped
    ``WITH (FORCE)`` (ending any connection still open) when the test or session ends.
    """

    def __init__(self, backend: str, tmp_root: Path):
        self.backend = backend
        self.tmp_root = tmp_root
        self.created: list[str] = []
        self._admin = None
        if backend == "postgresql":
            self.admin_url = os.environ.get("DESPATCHBOX_TEST_POSTGRES_URL")
            if not self.admin_url:
                raise pytest.UsageError("--db postgresql needs DESPATCHBOX_TEST_POSTGRES_URL "
                                        "(e.g. postgresql+psycopg://postgres@127.0.0.1:5433/postgres); "
                                        "scripts/run-tests starts a throwaway server and sets it")

    def admin(self):
        if self._admin is None:
            self._admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        return self._admin

    def url_of(self, name: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp_root / (name + '.db')}"
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    def new_url(self) -> str:
        name = f"despatchbox_test_{uuid.uuid4().hex[:12]}"
        if self.backend == "postgresql":
            with self.admin().connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.created.append(name)
        return self.url_of(name)

    def clone(self, url: str) -> str:
        """A new database holding a copy of ``url``'s (a template made once per session, say).

        SQLite copies the file; PostgreSQL uses ``CREATE DATABASE … TEMPLATE``, a file-level
        copy that needs no other session on the template: its pooled connections are closed.
        """
        dispose_engine(url)
        name = f"despatchbox_test_{uuid.uuid4().hex[:12]}"
        if self.backend == "sqlite":
            source = make_url(url).database
            src = sqlite3.connect(source)
            dst = sqlite3.connect(self.tmp_root / (name + ".db"))
            with dst:
                src.backup(dst)
            src.close()
            dst.close()
        else:
            template = make_url(url).database
            with self.admin().connect() as conn:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = :d AND pid <> pg_backend_pid()"), {"d": template})
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        self.created.append(name)
        return self.url_of(name)

    def drop(self, url: str) -> None:
        """Dispose of the engine for ``url`` and remove its database now."""
        dispose_engine(url)
        name = make_url(url).database
        if self.backend == "postgresql":
            name = make_url(url).database
            with self.admin().connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            for suffix in ("", "-wal", "-shm", ".ingest-lock", ".schema-lock"):
                Path(name + suffix).unlink(missing_ok=True)
            name = Path(name).stem
        if name in self.created:
            self.created.remove(name)

    def drop_all(self) -> None:
        engine_for.cache_clear()
        if self.backend != "postgresql":
            return
        if self.created:
            with self.admin().connect() as conn:
                for name in self.created:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.created.clear()
        if self._admin is not None:
            self._admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def search_indexes(tmp_path_factory) -> Path:
    """PostgreSQL databases' search indexes go to the session's temporary directory, not the home
    directory's default (store/search/index_marks.py); a SQLite database's lie beside it anyway."""
    root = tmp_path_factory.mktemp("search-indexes")
    previous = os.environ.get("DESPATCHBOX_SEARCH_DIR")
    os.environ["DESPATCHBOX_SEARCH_DIR"] = str(root)
    yield root
    if previous is None:
        os.environ.pop("DESPATCHBOX_SEARCH_DIR", None)
    else:
        os.environ["DESPATCHBOX_SEARCH_DIR"] = previous


@pytest.fixture(scope="session")
def db_backend(request) -> str:
    return request.config.getoption("--db")


@pytest.fixture(scope="session")
def database_factory(db_backend, tmp_path_factory):
    factory = DatabaseFactory(db_backend, tmp_path_factory.mktemp("databases"))
    yield factory
    factory.drop_all()


@pytest.fixture
def fresh_url(database_factory) -> str:
    """The URL of a new, empty database (schema created on first use); removed after the test."""
    url = database_factory.new_url()
    yield url
    database_factory.drop(url)


@pytest.fixture
def fresh_engine(fresh_url):
    return engine_for(fresh_url)


@pytest.fixture(scope="session")
def sample_url(database_factory) -> str:
    """A database holding the whole sample week, ingested once per test session. Read only!"""
    url = database_factory.new_url()
    report = ingest(engine_for(url), [SAMPLE])
    assert report.ok, report.errors
    return url


@pytest.fixture(scope="session")
def sample_engine(sample_url):
    return engine_for(sample_url)


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A private copy of the sample tree that a test may break."""
    dest = tmp_path / "parlparse"
    shutil.copytree(SAMPLE, dest)
    return dest


@pytest.fixture(scope="session")
def artifacts_dir(pytestconfig) -> Path:
    """Where tests leave what a person may want to look at (screenshots, reports): ``test-artifacts/``,
    and ``test-artifacts/postgresql/`` for the PostgreSQL run, which may run beside the SQLite one."""
    backend = pytestconfig.getoption("--db")
    folder = ARTIFACTS if backend == "sqlite" else ARTIFACTS / backend
    folder.mkdir(parents=True, exist_ok=True)
    return folder
