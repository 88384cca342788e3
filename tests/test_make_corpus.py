"""Tests for bench/make_corpus.py (synthetic ParlParse corpus generator)."""
from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "make_corpus.py"
SAMPLE = ROOT / "sample" / "parlparse-2009-10"
N = 6000
DERIVED = {"divisionsonly", "lordsdivisionsonly"}
NAME_RE = re.compile(r"^(?P<pre>.*)(?P<date>\d{4}-\d\d-\d\d)(?P<ver>[a-z]+)\.xml$")
GID_DATE_RE = re.compile(r"^uk\.org\.publicwhip/[a-z]+/(?:standing[0-9-]+_[^_]+_[^_]+_)?(\d{4}-\d\d-\d\d)[a-z]")
SPEECH_TAGS = ("speech", "ques", "reply")


def _load():
    spec = importlib.util.spec_from_file_location("make_corpus", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_corpus", mod)
    spec.loader.exec_module(mod)
    return mod


mc = _load()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus") / "c"
    counts = mc.make_corpus(out, N)
    return out, counts


def _xml_files(root: Path):
    return sorted((root / "scrapedxml").glob("*/*.xml"))


def _current(files):
    latest = {}
    for p in files:
        m = NAME_RE.match(p.name)
        key = (p.parent.name, m["pre"], m["date"])
        if key not in latest or (len(m["ver"]), m["ver"]) > (len(latest[key][0]), latest[key][0]):
            latest[key] = (m["ver"], p)
    return sorted(p for _, p in latest.values())


def _tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _sample_days():
    return {NAME_RE.match(p.name)["date"] for p in (SAMPLE / "scrapedxml").glob("*/*.xml")}


def _element_gids(path: Path) -> list[str]:
    tree = etree.parse(str(path))
    return [el.get("id") for el in tree.iter()
            if isinstance(el.tag, str) and el.tag != "gidredirect"
            and (el.get("id") or "").startswith("uk.org.publicwhip/")
            and GID_DATE_RE.match(el.get("id"))]


def test_layout_and_members_byte_identical(corpus):
    out, counts = corpus
    for p in sorted((SAMPLE / "members").iterdir()):
        assert (out / "members" / p.name).read_bytes() == p.read_bytes()
    kinds = {p.name for p in (out / "scrapedxml").iterdir()}
    assert {"debates", "wrans", "lordspages", "standing", "westminhall", "wms"} <= kinds
    assert counts["files"] == len(_xml_files(out))
    assert json.loads((out / "corpus.json").read_text())["speeches_requested"] == N
    # sizes are preserved (dates have the same length) and the tree is byte-accounted
    written = sum(p.stat().st_size for p in out.rglob("*") if p.is_file() and p.name != "corpus.json")
    assert counts["bytes"] == written


def test_files_parse_with_lxml_and_keep_encoding_and_dtd(corpus):
    out, _ = corpus
    for p in _xml_files(out):
        tree = etree.parse(str(p))
        assert tree.getroot().tag == "publicwhip"
        data = p.read_bytes()
        # internal DTD and declared encoding survive untouched
        m = NAME_RE.match(p.name)
        src_candidates = [q for q in (SAMPLE / "scrapedxml" / p.parent.name).glob(f"{m['pre']}*{m['ver']}.xml")]
        head = data[: data.index(b"]>") + 2]
        assert any(q.read_bytes().startswith(head) for q in src_candidates), p


def test_dates_are_weekdays_outside_sample_week(corpus):
    out, counts = corpus
    sample_days = _sample_days()
    week = {dt.date(2009, 10, 26) + dt.timedelta(days=i) for i in range(7)}
    dates = {NAME_RE.match(p.name)["date"] for p in _xml_files(out)}
    assert len(dates) == counts["days"]
    for d in dates:
        day = dt.date.fromisoformat(d)
        assert day.weekday() < 5, d
        assert day not in week and d not in sample_days, d
        assert day <= dt.date(2009, 10, 23)
    # successive weekdays going backwards from 2009-10-23
    expected, day = [], dt.date(2009, 10, 23)
    while len(expected) < len(dates):
        if day.weekday() < 5:
            expected.append(day.isoformat())
        day -= dt.timedelta(days=1)
    assert sorted(dates) == sorted(expected)


def test_no_gid_collisions(corpus):
    out, _ = corpus
    sample_gids = set()
    for p in (SAMPLE / "scrapedxml").glob("*/*.xml"):
        sample_gids.update(_element_gids(p))
    owner: dict[str, str] = {}
    for p in _xml_files(out):
        file_date = NAME_RE.match(p.name)["date"]
        gids = _element_gids(p)
        assert len(gids) == len(set(gids)), f"duplicate id inside {p}"
        for g in gids:
            assert GID_DATE_RE.match(g)[1] == file_date, (p, g)
            assert g not in sample_gids, g
            if p.parent.name in DERIVED:
                continue  # division-only files repeat the debate's own gids
            # the same gid may appear in several versions of one file, never elsewhere
            m = NAME_RE.match(p.name)
            key = f"{p.parent.name}/{m['pre']}{m['date']}"
            assert owner.setdefault(g, key) == key, (g, owner[g], key)
    assert owner


def test_no_sample_date_left_in_gids_or_divdate(corpus):
    out, _ = corpus
    pat = re.compile(rb"(?:publicwhip/[a-z]+/(?:standing[0-9-]+_[^_\"]+_[^_\"]+_)?|divdate=\")(?:2009-10-2[6-9]|2009-11-03)")
    for p in _xml_files(out):
        assert not pat.search(p.read_bytes()), p


def test_gidredirects_stay_within_synthetic_day(corpus):
    out, _ = corpus
    seen = 0
    for p in _xml_files(out):
        file_date = NAME_RE.match(p.name)["date"]
        for el in etree.parse(str(p)).iter("gidredirect"):
            old, new = el.get("oldgid"), el.get("newgid")
            assert GID_DATE_RE.match(old)[1] == file_date == GID_DATE_RE.match(new)[1], (p, old, new)
            seen += 1
    assert seen > 1000


def test_version_letters_kept(corpus):
    out, _ = corpus
    names = {p.name for p in (out / "scrapedxml" / "debates").glob("*.xml")}
    # 2009-10-22 is the first copy of 2009-10-27 (versions a..d)
    assert {f"debates2009-10-22{v}.xml" for v in "abcd"} <= names


def test_speech_count_about_n(corpus):
    out, counts = corpus
    total = 0
    for p in _current(_xml_files(out)):
        if p.parent.name in DERIVED:
            continue
        root = etree.parse(str(p)).getroot()
        total += sum(1 for el in root.iter(*SPEECH_TAGS))
    assert total == counts["speeches"]
    max_day = max(counts["speeches_per_sample_day"].values())
    assert N <= total < N + max_day


def test_changedates(corpus):
    out, _ = corpus
    for kind_dir in (out / "scrapedxml").iterdir():
        cd = kind_dir / "changedates.txt"
        assert cd.exists() == (SAMPLE / "scrapedxml" / kind_dir.name / "changedates.txt").exists()
        if not cd.exists():
            continue
        lines = cd.read_text().splitlines()
        epochs = [int(line.split(",")[0]) for line in lines]
        assert epochs == sorted(epochs)
        for line in lines:
            assert (kind_dir / line.split(",", 1)[1]).is_file(), line


def test_deterministic_and_reuse(corpus, tmp_path):
    out, counts = corpus
    other = tmp_path / "again"
    counts2 = mc.make_corpus(other, N, jobs=1)
    assert _tree_digest(out) == _tree_digest(other)
    assert {k: counts2[k] for k in ("files", "speeches", "bytes", "days")} == \
        {k: counts[k] for k in ("files", "speeches", "bytes", "days")}
    # same N: reused without rewriting
    marker = other / "scrapedxml" / "debates" / "changedates.txt"
    mtime = marker.stat().st_mtime_ns
    assert mc.make_corpus(other, N)["reused"] is True
    assert marker.stat().st_mtime_ns == mtime
    # different N: rebuilt, stale files from the larger corpus removed
    small = mc.make_corpus(other, 100)
    assert small["reused"] is False and small["days"] == 1
    assert {NAME_RE.match(p.name)["date"] for p in _xml_files(other)} == {"2009-10-23"}


def test_reused_from_the_same_sample_in_another_checkout(tmp_path):
    """The source is known by its content: a copy of the sample elsewhere (another checkout) reuses the
    corpus, so bench/run.py reuses its database; a changed byte in the source rebuilds it."""
    import shutil

    first, second = tmp_path / "one" / "sample", tmp_path / "two" / "sample"
    shutil.copytree(SAMPLE, first)
    shutil.copytree(SAMPLE, second)
    out = tmp_path / "corpus"
    made = mc.make_corpus(out, 100, first, jobs=1)
    assert made["reused"] is False and made["source_digest"] == mc.source_digest(first)
    marker = out / "scrapedxml" / "debates" / "changedates.txt"
    mtime = marker.stat().st_mtime_ns
    again = mc.make_corpus(out, 100, second, jobs=1)
    assert again["reused"] is True and again["source"] == str(first.resolve())
    assert marker.stat().st_mtime_ns == mtime
    # a corpus.json written before digests were kept: matched by its path once, and given the digest
    meta = json.loads((out / "corpus.json").read_text())
    del meta["source_digest"]
    (out / "corpus.json").write_text(json.dumps(meta))
    assert mc.make_corpus(out, 100, first, jobs=1)["reused"] is True
    assert json.loads((out / "corpus.json").read_text())["source_digest"] == mc.source_digest(first)
    # the same name, other content: rebuilt
    changed = next((second / "scrapedxml" / "debates").glob("debates*.xml"))
    changed.write_bytes(changed.read_bytes() + b"\n")
    rebuilt = mc.make_corpus(out, 100, second, jobs=1)
    assert rebuilt["reused"] is False and rebuilt["source"] == str(second.resolve())


def test_cli(tmp_path):
    out = tmp_path / "cli"
    r = subprocess.run([sys.executable, str(SCRIPT), "--speeches", "500", "--out", str(out)],
                       capture_output=True, text=True, check=True)
    res = json.loads(r.stdout)
    assert res["days"] == 1 and res["reused"] is False
    assert "make_corpus" in r.stderr
    r = subprocess.run([sys.executable, str(SCRIPT), "-n", "500", "-o", str(out)],
                       capture_output=True, text=True, check=True)
    assert json.loads(r.stdout)["reused"] is True
    h = subprocess.run([sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, check=True)
    assert "--speeches" in h.stdout and "--force" in h.stdout


def test_refuses_foreign_directory(tmp_path):
    (tmp_path / "scrapedxml").mkdir()
    with pytest.raises(FileExistsError):
        mc.make_corpus(tmp_path, 100)
