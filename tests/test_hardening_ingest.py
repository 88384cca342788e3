"""Hardening the ingest (issue 17): derived state repaired after a crash (defect 2), a conflicting id
is a named error for its file only (defect 4), a size cap, no silent shrinking of a day, and the
ingest lock keyed on the real path (defect 8). Every test uses copies of the real sample."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from despatchbox.pipeline import run
from despatchbox.pipeline.run import ingest
from despatchbox.store import locking
from despatchbox.store.database import engine_for, make_engine
from despatchbox.store.schema import departments, people, source_files, speeches

from .conftest import SAMPLE

WH = SAMPLE / "scrapedxml" / "westminhall"
DAY = WH / "westminster2009-10-27a.xml"
OTHER_DAY = WH / "westminster2009-10-28a.xml"


def _count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def _members_tree(tmp_path: Path) -> Path:
    dest = tmp_path / "tree" / "members"
    shutil.copytree(SAMPLE / "members", dest)
    return dest.parent


class Crash(BaseException):
    """Stands for the process dying (not an Exception: nothing may catch it)."""


def test_a_crash_after_the_last_members_file_is_repaired_by_the_next_run(tmp_path, fresh_engine, monkeypatch):
    tree = _members_tree(tmp_path)

    def crash(*_args):
        raise Crash()
    monkeypatch.setattr(run, "finish_members", crash)
    with pytest.raises(Crash):
        ingest(fresh_engine, [tree])
    monkeypatch.undo()
    assert _count(fresh_engine, departments) == 0          # every members file committed, derived state not
    report = ingest(fresh_engine, [tree])                   # the re-run finds every file unchanged …
    assert report.ok and not report.loaded
    assert _count(fresh_engine, departments) > 0            # … and still rebuilds what derives from them
    assert _count(fresh_engine, people, people.c.slug == "gordon-brown") == 1
    assert _count(fresh_engine, people, people.c.slug.like("person-%")) == 0


def _wh_tree(tmp_path: Path, *files: tuple[Path, str, bytes | None]) -> Path:
    folder = tmp_path / "wh" / "westminhall"
    folder.mkdir(parents=True)
    for source, name, data in files:
        (folder / name).write_bytes(source.read_bytes() if data is None else data)
    return folder


def test_a_duplicated_gid_is_a_named_error_and_later_files_still_load(tmp_path, fresh_engine):
    data = DAY.read_bytes()
    first, second = b"westminhall/2009-10-27a.1.1\"", b"westminhall/2009-10-27a.1.2\""
    assert data.count(second) == 1
    broken = data.replace(second, first)
    folder = _wh_tree(tmp_path, (DAY, DAY.name, broken), (OTHER_DAY, OTHER_DAY.name, None))
    report = ingest(fresh_engine, [folder])
    assert [Path(e.path).name for e in report.errors] == [DAY.name]
    err = report.errors[0]
    assert "2009-10-27a.1.1" in err.message and "skipped whole" in err.message
    assert err.line == broken[:broken.index(first, broken.index(first) + 1)].count(b"\n") + 1
    assert report.loaded == [OTHER_DAY.name]
    assert _count(fresh_engine, speeches, speeches.c.id.like("%2009-10-27a%")) == 0
    assert _count(fresh_engine, speeches, speeches.c.id.like("%2009-10-28a%")) > 0


def test_a_gid_another_file_holds_is_a_named_error(tmp_path, fresh_engine):
    # a re-dated copy of a real day: a different sitting's file that holds the same gids
    folder = _wh_tree(tmp_path, (DAY, DAY.name, None), (DAY, "westminster2009-10-29a.xml", None),
                      (OTHER_DAY, OTHER_DAY.name, None))
    report = ingest(fresh_engine, [folder])
    assert [Path(e.path).name for e in report.errors] == ["westminster2009-10-29a.xml"]
    assert "already held from another file" in report.errors[0].message or "given twice" in report.errors[0].message
    assert sorted(report.loaded) == [DAY.name, OTHER_DAY.name]


def test_a_membership_claimed_by_two_people_is_a_named_error(tmp_path, fresh_engine):
    tree = _members_tree(tmp_path)
    people_xml = tree / "members" / "people.xml"
    data = people_xml.read_bytes()
    claim = b'<office id="uk.org.publicwhip/member/1604" current="yes"/>'
    assert data.count(claim) == 1
    gerry = data.index(b'<person id="uk.org.publicwhip/person/10002"')
    gerry_end = data.index(b">", gerry) + 1
    people_xml.write_bytes(data[:gerry_end] + b"\n    " + claim + data[gerry_end:])
    report = ingest(fresh_engine, [tree])
    assert [Path(e.path).name for e in report.errors] == ["people.xml"]
    assert "member/1604" in report.errors[0].message and report.errors[0].line
    assert "ministers.xml" in report.loaded and "reduced-all-members.xml" in report.loaded


def test_a_file_over_the_size_cap_is_refused_unread(tmp_path, fresh_engine):
    folder = _wh_tree(tmp_path, (DAY, DAY.name, None), (OTHER_DAY, OTHER_DAY.name, None))
    cap = min(DAY.stat().st_size, OTHER_DAY.stat().st_size) + 1
    big = folder / DAY.name if DAY.stat().st_size > OTHER_DAY.stat().st_size else folder / OTHER_DAY.name
    big.write_bytes(big.read_bytes() + b" " * (max(DAY.stat().st_size, OTHER_DAY.stat().st_size) - cap + 10))
    report = ingest(fresh_engine, [folder], max_file_bytes=cap)
    assert [Path(e.path).name for e in report.errors] == [big.name]
    assert "cap" in report.errors[0].message
    assert len(report.loaded) == 1


def test_a_much_smaller_newer_version_does_not_replace_a_day(tmp_path, fresh_engine):
    folder = _wh_tree(tmp_path, (DAY, DAY.name, None))
    assert ingest(fresh_engine, [folder]).ok
    held = _count(fresh_engine, speeches, speeches.c.id.like("%2009-10-27a%"))
    data = DAY.read_bytes()
    cut = data.index(b"</speech>", data.index(b"<speech ")) + len(b"</speech>")
    (folder / "westminster2009-10-27b.xml").write_bytes(data[:cut] + b"\n</publicwhip>\n")
    report = ingest(fresh_engine, [folder])
    assert [Path(e.path).name for e in report.errors] == ["westminster2009-10-27b.xml"]
    assert "--accept-shrink" in report.errors[0].message
    assert _count(fresh_engine, speeches, speeches.c.id.like("%2009-10-27a%")) == held
    report = ingest(fresh_engine, [folder], accept_shrink=True)
    assert report.ok and report.loaded == ["westminster2009-10-27b.xml"]
    assert _count(fresh_engine, speeches, speeches.c.id.like("%2009-10-27a%")) == 1
    assert _count(fresh_engine, source_files, source_files.c.is_current.is_(True)) == 1


def test_the_ingest_lock_is_keyed_on_the_real_path(tmp_path, db_backend):
    if db_backend != "sqlite":
        pytest.skip("PostgreSQL's advisory lock is per database, whatever the URL")
    real = tmp_path / "real" / "despatchbox.db"
    real.parent.mkdir()
    link = tmp_path / "link.db"
    engine = engine_for(f"sqlite:///{real}")
    link.symlink_to(real)
    via_link = make_engine(f"sqlite:///{link}")
    with locking.ingest_lock(engine):
        assert locking.ingest_running(via_link)
        with pytest.raises(locking.Busy):
            with locking.ingest_lock(via_link, wait=False):
                pass
    assert not locking.ingest_running(via_link)
