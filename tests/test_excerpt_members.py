"""scripts/excerpt-members.py cuts real members data down to a day's speakers, copying records
unchanged; and the post-2010 layout's posts (ministers-2010.json: every post's organization is the
member's House, the department only in the role text; parliamentary posts beside government ones)
get their department from the role text, and a post of the House never decides one (issue 19)."""
from __future__ import annotations

import importlib.util
import json
import re
from datetime import date
from pathlib import Path

from despatchbox.attribute.departments import is_government_post
from despatchbox.ingest.parlparse.members_json import parse_ministers_json
from despatchbox.ingest.records import Office
from despatchbox.pipeline.members import post_department

from .conftest import MODERN, SAMPLE

ROOT = Path(__file__).resolve().parents[1]
MINISTERS_JSON = SAMPLE.parent / "members-json" / "ministers.json"
DAY = MODERN / "debates2023-03-28d.xml"


def _script():
    spec = importlib.util.spec_from_file_location("excerpt_members", ROOT / "scripts" / "excerpt-members.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_excerpt_holds_exactly_the_speakers_posts_held_that_day_unchanged(tmp_path):
    # the real ministers.json (posts to 2010) cut for the 2023 day's speakers as of 27 October 2009
    script = _script()
    assert script.main(["--on", "2009-10-27", "--day", str(DAY), "--posts", str(MINISTERS_JSON),
                        "--out", str(tmp_path)]) == 0
    cut = json.loads((tmp_path / "ministers.json").read_text())
    full = json.loads(MINISTERS_JSON.read_text())
    speakers = set(re.findall(r'<speech [^>]*person_id="([^"]+)"', DAY.read_text()))
    held = [m for m in full["memberships"] if m["person_id"] in speakers
            and (m.get("start_date") or "0") <= "2009-10-27" <= (m.get("end_date") or "9999")]
    assert held and cut["memberships"] == held                      # the same records, in the file's order
    assert {m["person_id"] for m in held} < speakers               # a subset: not every speaker sat in 2009
    named = {m["organization_id"] for m in held}
    assert cut["organizations"] == [o for o in full["organizations"] if o["id"] in named]
    assert len((tmp_path / "ministers.json").read_bytes()) < len(MINISTERS_JSON.read_bytes()) / 10
    # Desmond Swayne, PPS to the Leader of the Opposition that day (2005-12-16 to 2010-05-11), is in it
    assert any(m["person_id"].endswith("/10580") and m["id"] == "uk.org.publicwhip/moffice/4852" for m in held)
    # and the reader takes the excerpt as it takes the whole file
    assert len(parse_ministers_json(tmp_path / "ministers.json")) == len(held)


def test_voters_are_added_only_when_asked(tmp_path):
    script = _script()
    speakers, everyone = script.speakers([DAY]), script.speakers([DAY], voters=True)
    assert len(speakers) == 118 and speakers < everyone


def test_a_bad_date_is_a_clear_error(tmp_path, capsys):
    import pytest
    with pytest.raises(SystemExit):
        _script().main(["--on", "28/03/2023", "--day", str(DAY), "--out", str(tmp_path)])
    assert "not a YYYY-MM-DD date" in capsys.readouterr().err


def _post(role: str, source: str, start: str) -> Office:
    """A post as the reader makes it from a ministers-2010.json membership (organization: the House)."""
    return Office(id="x", name="", membership_id=None, department=role, position=role, responsibility=None,
                  from_date=date.fromisoformat(start), to_date=None, source=source, person_id=1)


def test_post_2010_role_texts_name_their_department():
    # role texts as ministers-2010.json gives them (mysociety/parlparse), where the text cut from the
    # role after its last comma or in its last brackets names no department
    gov = "datadotparl/governmentpost"
    cases = {
        ("The Secretary of State for Environment, Food and Rural Affairs", "2020-02-13"): "environment-food-and-rural-affairs",
        ("Minister of State (Home Office) (Borders and Immigration)", "2010-05-13"): "home-office",
        ("Lords Spokesperson (Department for Culture, Media and Sport)", "2013-01-09"): "culture-media-and-sport",
        ("Parliamentary Under-Secretary (Ministry of Justice) (Prisons and Probation)", "2010-05-13"):
            "ministry-of-justice",
    }
    got = {}
    for role, start in cases:
        dept = post_department(_post(role, gov, start))
        got[role] = dept.slug if dept else None
    assert got == {role: want for (role, _), want in cases.items()}


def test_a_post_of_the_house_or_a_party_never_decides_a_department():
    # "Speaker of the House of Commons" names the House of Commons, whose Leader is a department here
    speaker = _post("Speaker of the House of Commons", "datadotparl/parliamentarypost", "2019-11-04")
    assert post_department(speaker) is not None
    assert not is_government_post(speaker.position, speaker.source)
    assert not is_government_post("The Senior Deputy Speaker", "datadotparl/parliamentarypost")
    assert not is_government_post("Shadow Home Secretary", "datadotparl/oppositionpost")
    assert is_government_post("The Minister of State, Home Department", "datadotparl/governmentpost")
