"""upkeep.PagedOut hands back the index files' pages while a feed runs only once they add up to
PAGE_OUT_FROM_KB: a short feed (one new day into a large index) touches a few MB of the big
segments, and handing those back mid-way had them read again from disk. It still hands them back
when it closes."""
from __future__ import annotations

import mmap
import os
import time
from pathlib import Path

import pytest

from despatchbox.pipeline.upkeep import PagedOut

from .test_search_index_upkeep import _resident_kb

pytestmark = pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="Linux /proc only")


def _mapped(folder: Path, size: int):
    folder.mkdir()
    path = folder / "segment.idx"
    data = os.urandom(size)
    with path.open("wb") as f:                  # written out: clean pages, which the kernel can drop at once
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    with path.open("rb") as f:
        view = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
    assert sum(view[i] for i in range(0, len(view), mmap.PAGESIZE)) >= 0    # every page read
    return path, view, data


def test_a_feed_below_the_threshold_keeps_its_pages_until_it_closes(tmp_path):
    path, view, data = _mapped(tmp_path / "db.search", 4 << 20)
    paged = PagedOut(tmp_path / "db.search", every=0.01, from_kb=64 << 10)
    assert 3 << 10 <= paged.resident_kb() <= 5 << 10 and _resident_kb(path) >= 3 << 10
    with paged:
        time.sleep(0.1)                         # ten passes: under the threshold, nothing handed back
        assert _resident_kb(path) >= 3 << 10
    assert _resident_kb(path) < 1 << 10         # the pass on closing
    assert view[:] == data


def test_a_feed_above_the_threshold_hands_its_pages_back_while_it_runs(tmp_path):
    path, view, data = _mapped(tmp_path / "db.search", 4 << 20)
    with PagedOut(tmp_path / "db.search", every=0.01, from_kb=1 << 10) as paged:
        deadline = time.monotonic() + 10
        while _resident_kb(path) >= 1 << 10 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _resident_kb(path) < 1 << 10     # handed back before it closed
        assert paged.resident_kb() < 1 << 10
    assert view[:] == data


def test_a_threshold_of_zero_hands_pages_back_at_every_pass_without_reading_smaps(tmp_path, monkeypatch):
    path, view, data = _mapped(tmp_path / "db.search", 4 << 20)
    paged = PagedOut(tmp_path / "db.search", every=0.01, from_kb=0)

    def unread() -> int:
        raise AssertionError("smaps read with no threshold to compare with")
    monkeypatch.setattr(paged, "resident_kb", unread)
    with paged:
        deadline = time.monotonic() + 10
        while _resident_kb(path) >= 1 << 10 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _resident_kb(path) < 1 << 10     # handed back before it closed
    assert view[:] == data


def test_a_big_ingests_feeds_page_out_at_any_size_and_its_last_feed_from_the_threshold(fresh_engine, monkeypatch):
    """The feeds made every FEED_RECORDS records in the middle of an ingest are large, and their
    merges map hundreds of MB of the index: they hand pages back whatever those add up to. The
    last feed, which may be one new day into a big index, keeps the threshold."""
    from despatchbox.pipeline import run, upkeep
    from despatchbox.pipeline.run import ingest

    from .conftest import SAMPLE

    thresholds: list[int] = []

    class Recorded(PagedOut):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            thresholds.append(self.from_kb)
    monkeypatch.setattr(run, "PagedOut", Recorded)
    report = ingest(fresh_engine, [SAMPLE])
    assert report.ok, report.errors
    assert report.records > upkeep.FEED_RECORDS and len(thresholds) == 1 + report.records // upkeep.FEED_RECORDS
    assert thresholds[:-1] == [0] * (len(thresholds) - 1) and thresholds[-1] == upkeep.PAGE_OUT_FROM_KB
