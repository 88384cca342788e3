"""Transcript files prepared in a second process (pipeline/prepare.py): what the worker hands back is
exactly what the main process would have prepared, a broken file is reported by name and line as
before, anything the worker cannot vouch for is prepared in the main process, and an ingest leaves
the search index fed once per FEED_RECORDS records, not per batch (pipeline/upkeep.py)."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal

import pytest

from despatchbox.ingest.errors import SourceFileError
from despatchbox.pipeline import prepare as prep, upkeep
from despatchbox.pipeline.prepare import Prepared, Preparer, prepare_file, redirects_of
from despatchbox.pipeline.run import _build_resolver, ingest
from despatchbox.store.search import check_index
from despatchbox.store.search.tantivy_index import for_engine

from .conftest import SAMPLE

FILES = [SAMPLE / "scrapedxml" / f for f in (
    "debates/debates2009-10-27a.xml", "westminhall/westminster2009-10-27a.xml", "lordspages/daylord2009-10-27a.xml",
    "lordswms/lordswms2009-10-27a.xml", "divisionsonly/divisions2009-10-27a.xml",
    "standing/standing2009-10-20_CHILDPOV_05-0_2009-10-27a.xml")]


@pytest.fixture(scope="module")
def resolver(sample_engine):
    with sample_engine.connect() as conn:
        return _build_resolver(conn)


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _same(got: Prepared, want: Prepared) -> None:
    assert (got.items, got.redirects, got.rows) == (want.items, want.redirects, want.rows)
    assert len(got.extras) == len(want.extras) == 1
    for g, w in zip(got.extras, want.extras):
        assert (g.speech_ids, g.counts, g.hashes, g.positions) == (w.speech_ids, w.counts, w.hashes, w.positions)


def test_the_worker_prepares_exactly_what_the_main_process_would(resolver):
    speakers, posts = resolver
    plan = [(p, None, p.stat().st_size, True) for p in FILES]
    with Preparer(plan, speakers, posts) as preparer:
        assert preparer.pid is not None and preparer.pid != os.getpid()
        speeches = 0
        for path in FILES:
            got = preparer.take(path, _digest(path))
            assert got is not None, path
            _same(got, prepare_file(path, speakers, posts))
            speeches += len(got.rows.speech_rows)
        assert speeches > 300


def test_a_broken_file_is_reported_by_its_name_and_line_and_the_rest_still_prepared(tmp_path, resolver):
    speakers, posts = resolver
    paths = []
    for source in FILES:
        paths.append(tmp_path / source.name)
        shutil.copy(source, paths[-1])
    broken = paths[1]
    broken.write_bytes(broken.read_bytes()[:20000] + b"<speech id='x'><p>cut here</sp></p>\n")
    with pytest.raises(SourceFileError) as local:
        prepare_file(broken, speakers, posts)
    assert local.value.line
    with Preparer([(p, None, p.stat().st_size, True) for p in paths], speakers, posts) as preparer:
        assert preparer.pid is not None
        assert preparer.take(paths[0], _digest(paths[0])) is not None
        with pytest.raises(SourceFileError) as remote:
            preparer.take(broken, _digest(broken))
        assert (remote.value.path, remote.value.line, remote.value.message) == (
            str(broken), local.value.line, local.value.message)
        for path in paths[2:]:
            assert preparer.take(path, _digest(path)) is not None


def test_what_the_worker_cannot_vouch_for_is_left_to_the_main_process(resolver, monkeypatch):
    speakers, posts = resolver
    monkeypatch.setattr(prep, "AHEAD_FILES", 2)
    held = _digest(FILES[3])             # a file held with these bytes: the worker skips it
    plan = [(p, held if p == FILES[3] else None, p.stat().st_size, True) for p in FILES[:5]]
    with Preparer(plan, speakers, posts) as preparer:
        assert preparer.take(FILES[5], _digest(FILES[5])) is None                # not planned
        assert preparer.take(FILES[0], "0" * 64) is None                         # other bytes than read
        assert preparer.take(FILES[2], _digest(FILES[2])) is not None           # FILES[1] dropped on the way
        assert preparer.take(FILES[1], _digest(FILES[1])) is None                # ... and not prepared again
        assert preparer.take(FILES[3], held) is None                             # held unchanged: skipped
        assert preparer.take(FILES[4], _digest(FILES[4])) is not None


def test_a_worker_that_died_leaves_the_rest_to_the_main_process(resolver, monkeypatch):
    speakers, posts = resolver
    monkeypatch.setattr(prep, "AHEAD_FILES", 1)
    with Preparer([(p, None, p.stat().st_size, True) for p in FILES], speakers, posts) as preparer:
        assert preparer.pid is not None
        os.kill(preparer.pid, signal.SIGKILL)
        for path in FILES:
            got = preparer.take(path, _digest(path))     # what it had sent before it died, or nothing
            if got is not None:
                _same(got, prepare_file(path, speakers, posts))
        assert preparer.pid is None


def test_too_few_files_start_no_worker(resolver):
    speakers, posts = resolver
    with Preparer([(p, None, p.stat().st_size, True) for p in FILES[:prep.MIN_FILES - 1]], speakers, posts) as preparer:
        assert preparer.pid is None
        assert preparer.take(FILES[0], _digest(FILES[0])) is None


def test_an_ingest_feeds_the_search_index_once_per_feed_records(fresh_engine):
    """Not once per batch: a segment per FEED_RECORDS records committed, and the rest at the end."""
    report = ingest(fresh_engine, [SAMPLE])
    assert report.ok, report.errors
    assert report.records > upkeep.FEED_RECORDS          # the sample week is fed more than once
    assert 1 <= for_engine(fresh_engine).searcher().num_segments <= report.records // upkeep.FEED_RECORDS + 1
    with fresh_engine.connect() as conn:
        check_index(conn)


def test_an_ingest_below_feed_records_leaves_the_search_index_in_one_segment(fresh_engine, monkeypatch):
    monkeypatch.setattr(upkeep, "FEED_RECORDS", 10**9)
    report = ingest(fresh_engine, [SAMPLE])
    assert report.ok, report.errors
    assert for_engine(fresh_engine).searcher().num_segments == 1
    with fresh_engine.connect() as conn:
        check_index(conn)


def test_older_versions_have_only_their_redirects_read(resolver):
    speakers, posts = resolver
    older = [SAMPLE / "scrapedxml" / "debates" / f"debates2009-10-27{v}.xml" for v in "cba"]
    plan = [(p, None, p.stat().st_size, True) for p in FILES[1:5]] + [(p, None, p.stat().st_size, False) for p in older]
    with Preparer(plan, speakers, posts) as preparer:
        assert preparer.take(older[0], _digest(older[0])) is None             # planned for its redirects only
        for path in older[1:]:
            got = preparer.take_redirects(path, _digest(path))
            assert got is not None and got == redirects_of(path)
        assert any(redirects_of(p) for p in older[1:])
