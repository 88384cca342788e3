"""Ingest of the real sample week: exact counts, versions, idempotence, broken files, quirks."""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select
from typer.testing import CliRunner

from despatchbox.cli import app
from despatchbox.ingest.parlparse.transcripts import normalise_time, parse_transcript, version_rank
from despatchbox.pipeline.run import ingest
from despatchbox.store.queries.redirects import every_redirect, resolve_redirect
from despatchbox.store.queries.stats import stats
from despatchbox.store.schema import divisions, gid_redirect_sets, gid_redirects, memberships, source_files, speeches, votes

from .conftest import MODERN, SAMPLE

GOLDEN = Path(__file__).parent / "golden"

#: counted once from the XML (current versions only) and written down
EXPECTED_BY_KIND = {
    "debates": {"files": 3, "speeches": 1307, "speeches_without_speaker": 63, "headings": 113, "words": 212350},
    "lordspages": {"files": 3, "speeches": 569, "speeches_without_speaker": 34, "headings": 38, "words": 147258},
    "lordswms": {"files": 3, "speeches": 21, "headings": 21, "words": 7386},
    "lordswrans": {"files": 3, "headings": 124, "questions": 124, "answers": 124, "words": 22900},
    "standing": {"files": 4, "speeches": 551, "speeches_without_speaker": 111, "headings": 21, "words": 85054},
    "westminhall": {"files": 2, "speeches": 224, "speeches_without_speaker": 5, "headings": 11, "words": 75587},
    "wms": {"files": 3, "speeches": 23, "headings": 39, "words": 7746},
    "wrans": {"files": 3, "headings": 1096, "questions": 1037, "answers": 1034, "words": 168339},
}


def independent_count(tree: Path) -> dict:
    """Count the XML directly with lxml, taking the highest version of each file."""
    latest: dict[tuple[str, str], tuple[str, Path]] = {}
    for f in tree.glob("scrapedxml/*/*.xml"):
        m = re.match(r"(.*\d{4}-\d{2}-\d{2})([a-z]+)\.xml$", f.name)
        key, version = (f.parent.name, m[1]), m[2]
        if key not in latest or version_rank(version) > version_rank(latest[key][0]):
            latest[key] = (version, f)
    counts: dict[str, Counter] = defaultdict(Counter)
    division_count = 0
    for (kind, _), (_, f) in latest.items():
        if kind.endswith("divisionsonly"):
            continue
        c = counts[kind]
        c["files"] += 1
        for el in etree.parse(str(f)).getroot():
            if el.tag == "speech":
                c["speeches"] += 1
                if el.get("nospeaker") == "true" or not (el.get("speakerid") or el.get("person_id")):
                    c["speeches_without_speaker"] += 1
            if el.tag in ("speech", "ques", "reply"):
                c["words"] += len("".join(el.itertext()).split())
            c["headings"] += el.tag in ("major-heading", "minor-heading")
            c["questions"] += el.tag == "ques"
            c["answers"] += el.tag == "reply"
            division_count += el.tag == "division" or (el.tag == "divisioncount" and el.get("id") is not None)
    return {"by_kind": {k: {key: v for key, v in c.items() if v} for k, c in counts.items()},
            "divisions": division_count}


def test_stats_match_the_written_down_counts(sample_engine):
    with sample_engine.connect() as conn:
        data = stats(conn)
    assert data["by_kind"] == EXPECTED_BY_KIND
    assert data["divisions"] == 19            # 4 Commons, 5 Lords, 10 in Public Bill Committees
    assert data["people"] == 12693
    assert data["memberships"] == 3683
    assert data["offices"] == 5367


def test_stats_match_an_independent_count_of_the_xml(sample_engine):
    with sample_engine.connect() as conn:
        data = stats(conn)
    expected = independent_count(SAMPLE)
    assert data["by_kind"] == expected["by_kind"]
    assert data["divisions"] == expected["divisions"]


def test_divisions_come_from_day_files_not_from_the_extracts(sample_engine):
    with sample_engine.connect() as conn:
        kinds = Counter(conn.execute(select(divisions.c.kind)).scalars())
        names = set(conn.execute(select(source_files.c.name)).scalars())
    assert kinds == {"debates": 4, "lordspages": 5, "standing": 10}
    assert not any(n.startswith("divisions") or n.startswith("lordsdivisions") for n in names)


def test_division_230_with_every_vote_and_tellers(sample_engine):
    with sample_engine.connect() as conn:
        div = conn.execute(select(divisions).where(divisions.c.number == 230,
                                                   divisions.c.date == date(2009, 10, 26))).mappings().one()
        rows = conn.execute(select(votes).where(votes.c.division_id == div["id"])).mappings().all()
    assert (div["ayes"], div["noes"], div["time"]) == (158, 246, "22:00:00")   # time="022:00:00" in the XML
    assert len(rows) == 158 + 246 + 4
    tellers = {(r["name"], r["vote"]) for r in rows if r["teller"]}
    assert ("Mr. Philip Hollobone", "aye") in tellers and len(tellers) == 4
    assert all(r["person_id"] for r in rows)


def test_cli_ingest_and_stats_json(tmp_path, monkeypatch, fresh_url):
    monkeypatch.setenv("DESPATCHBOX_DATABASE_URL", fresh_url)
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(SAMPLE), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["errors"] == [] and summary["loaded"] == 30 and summary["superseded"] == 17
    assert summary["skipped_repeats"] == 12
    result = runner.invoke(app, ["stats", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["by_kind"] == EXPECTED_BY_KIND


def test_version_supersession_26a_then_26b(fresh_engine):
    debates = SAMPLE / "scrapedxml" / "debates"
    ingest(fresh_engine, [debates / "debates2009-10-26a.xml"])
    with fresh_engine.connect() as conn:
        ids = set(conn.execute(select(speeches.c.id)).scalars())
    assert "uk.org.publicwhip/debate/2009-10-26a.1.2" in ids
    report = ingest(fresh_engine, [debates / "debates2009-10-26b.xml"])
    assert report.ok and report.loaded == ["debates2009-10-26b.xml"]
    with fresh_engine.connect() as conn:
        ids = set(conn.execute(select(speeches.c.id)).scalars())
        files = {r.name: r.is_current for r in conn.execute(select(source_files))}
        assert resolve_redirect(conn, "uk.org.publicwhip/debate/2009-10-26a.1.2") == \
            "uk.org.publicwhip/debate/2009-10-26b.1.2"
    assert not any("2009-10-26a." in i for i in ids)
    assert "uk.org.publicwhip/debate/2009-10-26b.1.2" in ids
    assert files == {"debates2009-10-26a.xml": False, "debates2009-10-26b.xml": True}


def test_an_older_version_after_a_newer_one_changes_nothing_but_adds_redirects(fresh_engine):
    debates = SAMPLE / "scrapedxml" / "debates"
    ingest(fresh_engine, [debates / "debates2009-10-27d.xml"])
    with fresh_engine.connect() as conn:
        before = stats(conn)
    report = ingest(fresh_engine, [debates / "debates2009-10-27a.xml", debates / "debates2009-10-27c.xml"])
    assert report.superseded == ["debates2009-10-27c.xml", "debates2009-10-27a.xml"]
    with fresh_engine.connect() as conn:
        assert stats(conn) == before
        # 27a → 27b → 27c → 27d: the chain needs 27b's redirects, which were not given
        assert resolve_redirect(conn, "uk.org.publicwhip/debate/2009-10-27c.141.0") == \
            "uk.org.publicwhip/debate/2009-10-27d.141.0"


def test_redirect_chains_resolve_to_the_current_id(sample_engine):
    with sample_engine.connect() as conn:
        assert resolve_redirect(conn, "uk.org.publicwhip/debate/2009-10-27a.141.0") == \
            "uk.org.publicwhip/debate/2009-10-27d.141.0"
        assert conn.execute(select(speeches.c.id).where(
            speeches.c.id == "uk.org.publicwhip/debate/2009-10-27d.141.2")).scalar()


def test_reingest_changes_nothing(fresh_engine):
    first = ingest(fresh_engine, [SAMPLE])
    with fresh_engine.connect() as conn:
        before = stats(conn)
        redirects = sorted(every_redirect(conn))
        held = [conn.execute(select(table)).all() for table in (gid_redirects, gid_redirect_sets)]
    second = ingest(fresh_engine, [SAMPLE])
    with fresh_engine.connect() as conn:
        assert stats(conn) == before
        assert sorted(every_redirect(conn)) == redirects
        assert [conn.execute(select(table)).all() for table in (gid_redirects, gid_redirect_sets)] == held
    assert first.ok and second.ok
    assert second.loaded == [] and len(second.unchanged) == len(first.loaded) + len(first.superseded)


def _break(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif how == "not-xml":
        path.write_bytes(b"this is not XML at all\n")
    elif how == "wrong-root":
        path.write_bytes(b'<?xml version="1.0"?>\n<html><body>moved</body></html>\n')


@pytest.mark.parametrize("how,line_expected", [("truncate", True), ("not-xml", True), ("wrong-root", True)])
def test_a_broken_file_is_reported_with_its_line_and_skipped_whole(fresh_engine, sample_copy, how, line_expected):
    broken = sample_copy / "scrapedxml" / "westminhall" / "westminster2009-10-28a.xml"
    _break(broken, how)
    report = ingest(fresh_engine, [sample_copy])
    assert len(report.errors) == 1
    err = report.errors[0]
    assert err.path.endswith("westminster2009-10-28a.xml")
    assert err.line is not None and err.line >= 1
    with fresh_engine.connect() as conn:
        data = stats(conn)
        wh_ids = set(conn.execute(select(speeches.c.id).where(speeches.c.kind == "westminhall")).scalars())
    assert not any("2009-10-28a" in i for i in wh_ids)           # nothing of the broken file
    assert data["by_kind"]["westminhall"]["files"] == 1           # the other day still loaded
    assert data["by_kind"]["debates"] == EXPECTED_BY_KIND["debates"]


def test_cli_exits_non_zero_and_names_the_broken_file(sample_copy, monkeypatch, fresh_url):
    _break(sample_copy / "scrapedxml" / "wms" / "ministerial2009-10-28a.xml", "truncate")
    monkeypatch.setenv("DESPATCHBOX_DATABASE_URL", fresh_url)
    result = CliRunner().invoke(app, ["ingest", str(sample_copy)])
    assert result.exit_code == 1
    assert "ministerial2009-10-28a.xml:" in result.output and "failed" in result.output


def test_a_broken_newer_version_loses_nothing_held(fresh_engine, tmp_path):
    debates = SAMPLE / "scrapedxml" / "debates"
    ingest(fresh_engine, [debates / "debates2009-10-28c.xml"])
    with fresh_engine.connect() as conn:
        before = stats(conn)
    newer = tmp_path / "debates2009-10-28d.xml"
    newer.write_bytes((debates / "debates2009-10-28c.xml").read_bytes()[:50000])
    report = ingest(fresh_engine, [newer])
    assert not report.ok
    with fresh_engine.connect() as conn:
        assert stats(conn) == before


def test_broken_latest_version_falls_back_to_the_previous_good_one(fresh_engine, sample_copy):
    _break(sample_copy / "scrapedxml" / "debates" / "debates2009-10-28c.xml", "truncate")
    report = ingest(fresh_engine, [sample_copy / "scrapedxml" / "debates"])
    assert [e.path.rsplit("/", 1)[-1] for e in report.errors] == ["debates2009-10-28c.xml"]
    assert "debates2009-10-28b.xml" in report.loaded


def test_quirks_times(sample_engine):
    assert normalise_time("022:00:00") == "22:00:00"
    assert normalise_time("unknown") is None
    assert normalise_time("11:15") == "11:15:00"
    with sample_engine.connect() as conn:
        t = conn.execute(select(speeches.c.time).where(
            speeches.c.id == "uk.org.publicwhip/westminhall/2009-10-27a.1.1")).scalar_one()
    assert t is None


def test_quirks_unknown_speakers_and_procedural_text(sample_engine):
    with sample_engine.connect() as conn:
        unknown = conn.execute(select(speeches.c.speaker_name, speeches.c.person_id).where(
            speeches.c.speaker_id == "unknown")).all()
        procedural = conn.execute(select(speeches.c.person_id).where(speeches.c.nospeaker.is_(True))).scalars().all()
    names = Counter(n for n, _ in unknown)
    assert names == {"Hon. Members": 14, "Several hon. Members": 11, "Noble Lords": 4} or \
        set(names) <= {"Hon. Members", "Several hon. Members", "Noble Lords"}
    assert all(pid is None for _, pid in unknown)
    assert procedural and all(pid is None for pid in procedural)


def test_quirks_grouped_written_questions_share_one_answer(sample_engine):
    with sample_engine.connect() as conn:
        rows = conn.execute(select(speeches.c.id, speeches.c.element, speeches.c.heading_id).where(
            speeches.c.id.like("uk.org.publicwhip/wrans/2009-10-26f.290476.%")).order_by(speeches.c.position)).all()
    assert [r.element for r in rows] == ["ques", "ques", "ques", "reply"]
    assert len({r.heading_id for r in rows}) == 1


def test_latin1_and_entities_are_decoded(sample_engine):
    with sample_engine.connect() as conn:
        text = conn.execute(select(speeches.c.text).where(
            speeches.c.id == "uk.org.publicwhip/debate/2009-10-26b.4.5")).scalar_one()
    assert "The £5 million small retailers capital grants fund" in text


def test_golden_speech_text(sample_engine):
    """One speech with a table, inline markup and several paragraphs, stored exactly (its markup
    reduced to the whitelist of record/markup: no ``pid`` attributes, no ``<phrase>`` tags)."""
    gid = "uk.org.publicwhip/wrans/2009-10-26f.293337.r0"
    with sample_engine.connect() as conn:
        row = conn.execute(select(speeches.c.html, speeches.c.text, speeches.c.words, speeches.c.speaker_name)
                           .where(speeches.c.id == gid)).mappings().one()
    golden = json.loads((GOLDEN / "speech-wrans-2009-10-26f.293337.r0.json").read_text(encoding="utf-8"))
    assert dict(row) == golden


def test_members_files_load_peers_with_version_2_declaration(sample_engine):
    with sample_engine.connect() as conn:
        houses = Counter(conn.execute(select(memberships.c.house)).scalars())
        bach = conn.execute(select(memberships).where(memberships.c.lord_name == "Bach")).mappings().first()
    assert houses["lords"] == 980
    assert bach["title"] == "Lord" and bach["party"] == "Lab" and bach["person_id"]


def test_modern_file_with_unknown_person_ids_keeps_speeches(fresh_engine):
    ingest(fresh_engine, [SAMPLE / "members"])
    report = ingest(fresh_engine, [MODERN / "debates2023-03-28d.xml"])
    assert report.ok
    tf = parse_transcript(MODERN / "debates2023-03-28d.xml")
    with fresh_engine.connect() as conn:
        row = conn.execute(select(speeches).where(
            speeches.c.id == "uk.org.publicwhip/debate/2023-03-28d.809.7")).mappings().one()
        n = conn.execute(select(speeches.c.id).where(speeches.c.kind == "debates")).all()
    assert row["speaker_name"] == "Andrew Western" and row["speech_type"] == "Start Question"
    assert row["speaker_id"] == "uk.org.publicwhip/person/26120"
    assert row["person_id"] is None                  # 2023 members data is not in the sample
    assert len(n) == sum(1 for i in tf.items if hasattr(i, "element"))
    assert report.unresolved_speakers


def test_ingest_single_unknown_file_is_an_error(fresh_engine, tmp_path):
    odd = tmp_path / "notes.xml"
    odd.write_text("<x/>")
    report = ingest(fresh_engine, [odd])
    assert not report.ok and "not a ParlParse file" in report.errors[0].message
