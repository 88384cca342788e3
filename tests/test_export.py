"""``despatchbox export``: counts equal the store's (and ``despatchbox stats``), CSV parses, JSON
Lines are objects with the documented keys, memory stays flat."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from despatchbox.cli import app
from despatchbox.export.records import EXPORTERS, FIELDS, TEXT_FIELDS
from despatchbox.store.queries.export import count_records
from despatchbox.store.queries.stats import stats

DOCS = Path(__file__).resolve().parent.parent / "docs" / "export.md"
CHAMBERS = {"Commons Chamber", "Westminster Hall", "Lords Chamber", "Written Statements", "Written Answers",
            "Public Bill Committees"}


@pytest.fixture(scope="module")
def run(sample_url):
    runner = CliRunner()
    outputs: dict[tuple[str, ...], str] = {}

    def invoke(*args: str) -> str:
        if args not in outputs:
            result = runner.invoke(app, ["export", *args], env={"DESPATCHBOX_DATABASE_URL": sample_url},
                                   catch_exceptions=False)
            assert result.exit_code == 0, result.output
            outputs[args] = result.stdout
        return outputs[args]
    return invoke


@pytest.fixture(scope="module")
def stored(sample_engine):
    with sample_engine.connect() as conn:
        return stats(conn), {kind: count_records(conn, kind) for kind in EXPORTERS}


def jsonl(text: str) -> list[dict]:
    rows = [json.loads(line) for line in text.splitlines()]
    assert all(isinstance(r, dict) for r in rows)
    return rows


@pytest.mark.parametrize("kind", list(EXPORTERS))
def test_jsonl_lines_are_objects_with_the_documented_keys_and_the_stored_count(run, stored, kind):
    rows = jsonl(run(kind))
    assert len(rows) == stored[1][kind] > 0
    assert all(list(r) == FIELDS[kind] for r in rows)


@pytest.mark.parametrize("kind", list(EXPORTERS))
def test_csv_parses_with_one_row_per_record(run, stored, kind):
    text = run(kind, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == stored[1][kind]
    expected = [c for k in FIELDS[kind] for c in (["department_name", "department_slug"] if k == "department"
                                                  else [k])]
    assert list(rows[0]) == expected


def test_counts_equal_despatchbox_stats(run, stored):
    numbers, _ = stored
    by_kind = numbers["by_kind"].values()
    assert len(jsonl(run("speeches"))) == sum(k.get("speeches", 0) for k in by_kind)
    assert len(jsonl(run("questions"))) == sum(k.get("questions", 0) for k in by_kind)
    assert len(jsonl(run("divisions"))) == numbers["divisions"]
    assert len(jsonl(run("members"))) == numbers["people"]
    assert len(jsonl(run("memberships"))) == numbers["memberships"]
    assert len(jsonl(run("offices"))) == numbers["offices"]
    speeches = jsonl(run("speeches"))
    words = {}
    for s in speeches:
        words[s["kind"]] = words.get(s["kind"], 0) + s["words"]
    for kind, counts in numbers["by_kind"].items():
        if "questions" not in counts:                # all of a kind's words are in its speeches
            assert words.get(kind, 0) == counts.get("words", 0), kind


def test_debates(run, sample_engine):
    rows = jsonl(run("debates"))
    with sample_engine.connect() as conn:
        from despatchbox.store.queries.stats import debate_count
        assert len(rows) == debate_count(conn)
    home = next(r for r in rows if r["id"] == "uk.org.publicwhip/debate/2009-10-26b.1.4")
    assert home == {"id": "uk.org.publicwhip/debate/2009-10-26b.1.4", "kind": "debates",
                    "chamber": "Commons Chamber", "date": "2009-10-26", "title": "HOME DEPARTMENT",
                    "department": {"name": "Home Office", "slug": "home-office"}, "speeches": 150,
                    "words": home["words"]}
    assert {r["chamber"] for r in rows} == CHAMBERS
    assert all(r["department"] is None or set(r["department"]) == {"name", "slug"} for r in rows)
    assert any(r["department"] is None for r in rows)
    foreign = [r for r in rows if r["department"] and r["department"]["slug"] == "foreign-office"]
    assert foreign and {r["department"]["name"] for r in foreign} == {"Foreign and Commonwealth Office"}


def test_debates_csv_splits_the_department(run):
    rows = list(csv.DictReader(io.StringIO(run("debates", "--format", "csv"), newline="")))
    home = next(r for r in rows if r["id"] == "uk.org.publicwhip/debate/2009-10-26b.1.4")
    assert (home["department_name"], home["department_slug"], home["speeches"]) == ("Home Office", "home-office",
                                                                                  "150")
    assert any(r["department_name"] == "" and r["department_slug"] == "" for r in rows)


def test_speeches_carry_speaker_as_printed_and_resolved(run):
    rows = jsonl(run("speeches"))
    first = next(r for r in rows if r["id"] == "uk.org.publicwhip/debate/2009-10-26b.3.3")
    assert first["speaker_id"] == "uk.org.publicwhip/member/1530"
    assert (first["person_id"], first["name"], first["party"], first["constituency"]) == (
        10259, "David Hanson", "Labour", "Delyn")
    assert first["office"] == "The Minister for Policing, Crime and Counter-Terrorism"
    assert first["debate_id"] == "uk.org.publicwhip/debate/2009-10-26b.1.4" and first["words"] > 0
    # the item of business and its department, per record (issue 13)
    assert first["item_id"] == first["debate_id"]
    assert first["department"] == {"name": "Home Office", "slug": "home-office"}
    ua = next(r for r in rows if r["item_id"] == "uk.org.publicwhip/debate/2009-10-26b.23.0")
    assert ua["department"] == {"name": "Ministry of Defence", "slug": "ministry-of-defence"}
    bis = next(r for r in rows if r["item_id"] == "uk.org.publicwhip/debate/2009-10-28c.414.0")
    assert bis["department"] == {"name": "Department for Business, Innovation and Skills", "slug": "business"}
    unknown = [r for r in rows if r["speaker_id"] == "unknown"]
    assert unknown and all(r["person_id"] is None and r["name"] for r in unknown)
    lords = [r for r in rows if r["kind"] == "lordspages" and r["person_id"]]
    assert lords and all(r["constituency"] is None and r["house"] == "lords" for r in lords)
    chair = next(r for r in rows if r["speaker_name"] == "Mr. Speaker" and r["person_id"])
    assert chair["name"] == "John Bercow" and chair["party"] == "Conservative"


def test_speeches_with_text(run):
    rows = jsonl(run("speeches", "--with-text"))
    assert all(list(r) == FIELDS["speeches"] + TEXT_FIELDS["speeches"] for r in rows)
    assert any("Taser" in r["text"] for r in rows)


def test_questions_with_their_answers(run):
    rows = jsonl(run("questions", "--with-text"))
    rail = next(r for r in rows if r["id"] == "uk.org.publicwhip/wrans/2009-10-26f.293337.q0")
    assert rail["group_id"] == "uk.org.publicwhip/wrans/2009-10-26f.293337.h"
    assert rail["item_id"] == rail["debate_id"] and rail["department"]["slug"]
    assert rail["title"] == "Departmental Rail Travel"
    assert rail["department"] == {"name": "Northern Ireland Office", "slug": "northern-ireland-office"}
    assert (rail["name"], rail["party"], rail["answer_name"]) == ("Paul Burstow", "Liberal Democrat",
                                                                  "Shaun Woodward")
    assert rail["answer_id"] == "uk.org.publicwhip/wrans/2009-10-26f.293337.r0"
    assert "first class rail travel" in rail["answer_text"]
    grouped = [r for r in rows if r["group_id"] == "uk.org.publicwhip/wrans/2009-10-26f.290476.h"]
    assert len(grouped) == 3 and len({r["answer_id"] for r in grouped}) == 1
    assert {r["kind"] for r in rows} == {"wrans", "lordswrans"}
    assert sum(1 for r in rows if r["answer_id"]) >= len(rows) - 5


def test_divisions_and_votes(run):
    divisions = jsonl(run("divisions"))
    d230 = next(d for d in divisions if d["number"] == 230)
    assert (d230["ayes"], d230["noes"], d230["date"], d230["chamber"]) == (158, 246, "2009-10-26",
                                                                         "Commons Chamber")
    # in the Marine Bill's report stage, an item of its own (issue 13), not the Home Office questions
    assert d230["votes"] == 408 and d230["department"]["slug"] == "environment-food-and-rural-affairs"
    votes = [v for v in jsonl(run("votes")) if v["division_id"] == d230["id"]]
    assert len(votes) == 408
    assert sum(1 for v in votes if v["vote"] == "aye" and not v["teller"]) == 158
    assert sum(1 for v in votes if v["vote"] == "no" and not v["teller"]) == 246
    hanson = next(v for v in votes if v["person_id"] == 10259)
    assert (hanson["vote"], hanson["party"], hanson["constituency"]) == ("no", "Labour", "Delyn")


def test_members_memberships_offices(run):
    members = {m["id"]: m for m in jsonl(run("members"))}
    assert members[10259] == {"id": 10259, "name": "David Hanson", "slug": "david-hanson", "house": "commons",
                              "party": "Labour", "constituency": "Delyn", "from_date": "2005-05-05",
                              "to_date": None, "memberships": 4}
    memberships = [m for m in jsonl(run("memberships")) if m["person_id"] == 10259]
    assert [m["to_date"] for m in memberships][-1] is None
    offices = [o for o in jsonl(run("offices")) if o["person_id"] == 10259]
    assert any(o["department"] == {"name": "Home Office", "slug": "home-office"} and o["to_date"] is None
               for o in offices)


def test_with_text_is_refused_where_there_is_no_text(sample_url):
    result = CliRunner().invoke(app, ["export", "divisions", "--with-text"],
                                env={"DESPATCHBOX_DATABASE_URL": sample_url})
    assert result.exit_code == 2


def test_export_streams_through_a_server_side_cursor(sample_engine, monkeypatch):
    """Rows are fetched YIELD_PER at a time: the generator is lazy and works through a partitioned result."""
    from despatchbox.export import records
    from despatchbox.store.queries import export
    monkeypatch.setattr(export, "YIELD_PER", 7)
    with sample_engine.connect() as conn:
        gen = records.export_speeches(conn)
        first = [next(gen) for _ in range(20)]
        assert len({r["id"] for r in first}) == 20
        gen.close()


def test_every_field_is_documented():
    text = DOCS.read_text(encoding="utf-8")
    for kind, fields in FIELDS.items():
        section = re.search(rf"^## `{kind}`.*?(?=^## |\Z)", text, re.M | re.S)
        assert section, f"docs/export.md has no section for {kind}"
        for field in fields + TEXT_FIELDS.get(kind, []):
            assert re.search(rf"^\| `{field}` \|", section.group(0), re.M), f"{kind}.{field} is not documented"
