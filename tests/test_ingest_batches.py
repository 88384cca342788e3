"""Transcripts written in batches (issue 18): several files in one transaction, each in a savepoint
of its own, and nothing a user sees changes — a file is in whole or not at all, a file that breaks a
key is rolled back alone and named with its line, the rest of its batch lands, and a crash in the
middle of a batch leaves none of that batch's files and loses nothing an earlier batch committed."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from despatchbox.pipeline import batch, run
from despatchbox.pipeline.run import ingest
from despatchbox.store.database import engine_for
from despatchbox.store.queries.quotes import fingerprint_stats
from despatchbox.store.queries.redirects import every_redirect
from despatchbox.store.schema import source_files, speeches

from .conftest import SAMPLE

WH = SAMPLE / "scrapedxml" / "westminhall"
LORDS_WMS = SAMPLE / "scrapedxml" / "lordswms"


def _tree(tmp_path: Path, files: dict[str, bytes]) -> Path:
    root = tmp_path / "tree"
    for name, data in files.items():
        dest = root / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    return root


def _count_commits(engine, monkeypatch) -> list[int]:
    """Counts the DBAPI commits of ``engine`` from now on (one element: the count)."""
    counted = [0]
    commit = engine.dialect.do_commit

    def do_commit(dbapi_connection):
        counted[0] += 1
        commit(dbapi_connection)
    monkeypatch.setattr(engine.dialect, "do_commit", do_commit)
    return counted


def _held(engine) -> dict:
    """What a reader sees: current files, speeches by file name, fingerprint rows, redirects."""
    with engine.connect() as conn:
        files = dict(conn.execute(select(source_files.c.name, source_files.c.is_current)).all())
        by_file = dict(conn.execute(select(source_files.c.name, func.count(speeches.c.id))
                                    .join(speeches, speeches.c.file_id == source_files.c.id)
                                    .group_by(source_files.c.name)).all())
        redirects = sum(1 for _r in every_redirect(conn))
        return {"files": files, "speeches": by_file, "fingerprints": fingerprint_stats(conn), "redirects": redirects}


def test_a_file_breaking_a_key_is_rolled_back_alone_and_the_rest_of_its_batch_lands(tmp_path, fresh_engine,
                                                                                     monkeypatch):
    day = (WH / "westminster2009-10-27a.xml").read_bytes()
    # another sitting's file holding the 27th's ids: it breaks the primary key of speeches when written
    tree = _tree(tmp_path, {"westminhall/westminster2009-10-27a.xml": day,
                            "westminhall/westminster2009-10-29a.xml": day,
                            "lordswms/lordswms2009-10-28a.xml": (LORDS_WMS / "lordswms2009-10-28a.xml").read_bytes()})
    commits = _count_commits(fresh_engine, monkeypatch)
    report = ingest(fresh_engine, [tree])
    # the batch started, the derived members state (none held yet), the three files in one
    # transaction, the batch finished
    assert commits[0] == 4
    assert [Path(e.path).name for e in report.errors] == ["westminster2009-10-29a.xml"]
    err = report.errors[0]
    assert "already held from another file" in err.message and "skipped whole" in err.message
    held_id = err.message.split(" ")[0]                     # named, and its line given
    assert f'"{held_id}"'.encode() in day.splitlines()[err.line - 1]
    assert sorted(report.loaded) == ["lordswms2009-10-28a.xml", "westminster2009-10-27a.xml"]
    held = _held(fresh_engine)
    assert "westminster2009-10-29a.xml" not in held["files"]
    assert held["speeches"]["westminster2009-10-27a.xml"] == day.count(b"<speech ")
    assert held["speeches"]["lordswms2009-10-28a.xml"] > 0
    # the index holds the speeches held, no more: the broken file's fingerprints went with it
    assert held["fingerprints"]["speeches"] == sum(held["speeches"].values())


def test_a_newest_version_breaking_a_key_leaves_its_older_version_current(tmp_path, fresh_engine):
    """A conflict is found only when the file is written (in its batch's transaction); the older
    version of the sitting is then prepared again and loaded in the next batch, as when the newest
    version cannot be parsed."""
    day27 = (WH / "westminster2009-10-27a.xml").read_bytes()
    tree = _tree(tmp_path, {"westminhall/westminster2009-10-27a.xml": day27,
                            "westminhall/westminster2009-10-28a.xml": (WH / "westminster2009-10-28a.xml").read_bytes(),
                            "westminhall/westminster2009-10-28b.xml": day27})      # 28b: the 27th's ids again
    report = ingest(fresh_engine, [tree])
    assert [Path(e.path).name for e in report.errors] == ["westminster2009-10-28b.xml"]
    assert sorted(report.loaded) == ["westminster2009-10-27a.xml", "westminster2009-10-28a.xml"]
    assert report.superseded == []
    held = _held(fresh_engine)
    assert held["files"] == {"westminster2009-10-27a.xml": True, "westminster2009-10-28a.xml": True}
    again = ingest(fresh_engine, [tree])                     # nothing else changes on the next run
    assert sorted(again.unchanged) == ["westminster2009-10-27a.xml", "westminster2009-10-28a.xml"]
    assert _held(fresh_engine) == held


class Crash(BaseException):
    """Stands for the process dying (not an Exception: nothing may catch it)."""


def test_a_crash_in_the_middle_of_a_batch_leaves_none_of_it_and_loses_nothing_committed(
        tmp_path, database_factory, monkeypatch):
    files = {f"lordswms/{p.name}": p.read_bytes() for p in sorted(LORDS_WMS.glob("*.xml"))}
    files["westminhall/westminster2009-10-27a.xml"] = (WH / "westminster2009-10-27a.xml").read_bytes()
    tree = _tree(tmp_path, files)                           # four sittings, one file each
    reference = engine_for(database_factory.new_url())
    assert ingest(reference, [tree]).ok

    engine = engine_for(database_factory.new_url())
    monkeypatch.setattr(batch, "BATCH_UNITS", 2)              # two sittings per transaction
    written: list[str] = []
    insert_record = run.insert_record

    def crash_at_the_fourth(conn, **rows):
        written.append(rows["speech_rows"][0]["id"])
        if len(written) == 4:           # the second file of the second batch: the first one's writes are made
            raise Crash()
        insert_record(conn, **rows)
    monkeypatch.setattr(run, "insert_record", crash_at_the_fourth)
    with pytest.raises(Crash):
        ingest(engine, [tree])
    monkeypatch.setattr(run, "insert_record", insert_record)
    held = _held(engine)
    # the first batch is in, whole; of the second, nothing (not even the file written before the crash)
    assert len(held["files"]) == 2 and all(held["files"].values())
    assert sorted(held["speeches"]) == sorted(held["files"])
    assert held["fingerprints"]["speeches"] == sum(held["speeches"].values())
    third = written[2].split("/")[-1][:13]                 # e.g. "2009-10-28a.1" → the third file's date
    assert not any(third[:10] in name for name in held["files"])

    report = ingest(engine, [tree])                         # the next run loads the rest
    assert report.ok and len(report.loaded) == 2 and len(report.unchanged) == 2
    assert _held(engine) == _held(reference)


def test_the_ingest_maps_none_of_the_database_and_gives_the_window_back(tmp_path, fresh_engine, monkeypatch):
    """SQLite: the ingest's connections read pages into their page cache, not through the mmap
    window (those pages would count as its resident memory); afterwards the pool's connections
    map the database again, for the pages served."""
    if fresh_engine.dialect.name != "sqlite":
        pytest.skip("mmap is SQLite's")
    seen: list[int] = []
    record_file = run.fq.record_file

    def watching(conn, **kw):
        seen.append(conn.exec_driver_sql("PRAGMA mmap_size").scalar_one())
        return record_file(conn, **kw)
    monkeypatch.setattr(run.fq, "record_file", watching)
    tree = _tree(tmp_path, {"lordswms/lordswms2009-10-28a.xml": (LORDS_WMS / "lordswms2009-10-28a.xml").read_bytes()})
    assert ingest(fresh_engine, [tree]).ok
    assert seen == [0]
    with fresh_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA mmap_size").scalar_one() > 0


def test_readers_check_connections_in_and_out_while_an_ingest_starts_and_ends(fresh_engine):
    """SQLite: the ingest's unmapped window is switched on and off while other threads use the
    engine's pool (a server's readers beside an ingest in the same process): no error, and a
    connection checked out inside it maps nothing while one checked out outside it keeps its window.
    The hooks once were added to the engine and removed from it at every ingest, and a reader's
    check-in iterating over them raised "deque mutated during iteration"."""
    import threading

    from despatchbox.store.database import SQLITE_MMAP_BYTES, unmapped
    if fresh_engine.dialect.name != "sqlite":
        pytest.skip("mmap is SQLite's")
    errors: list[BaseException] = []
    stop = threading.Event()

    def reader() -> None:
        try:
            while not stop.is_set():
                with fresh_engine.connect() as conn:
                    conn.exec_driver_sql("SELECT 1").scalar_one()
        except BaseException as exc:  # noqa: BLE001 - any error fails the test
            errors.append(exc)
    readers = [threading.Thread(target=reader) for _ in range(4)]
    for t in readers:
        t.start()
    try:
        for _ in range(3000):
            with unmapped(fresh_engine):
                pass
    finally:
        stop.set()
        for t in readers:
            t.join()
    assert errors == []
    with unmapped(fresh_engine), fresh_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA mmap_size").scalar_one() == 0
    with fresh_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA mmap_size").scalar_one() == SQLITE_MMAP_BYTES
