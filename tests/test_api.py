"""Contract tests for the JSON API on the real sample week: David Hanson, division 230 of
2009-10-26, a written answer, and the errors every endpoint may give."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from despatchbox.store.queries.stats import stats
from despatchbox.web.app import create_app
from despatchbox.web.http_caching import install_http_middleware

HANSON = 10259
HOME_QUESTIONS = "uk.org.publicwhip/debate/2009-10-26b.1.4"
MARINE_BILL = "uk.org.publicwhip/debate/2009-10-26b.32.0"
DIVISION_230 = "uk.org.publicwhip/debate/2009-10-26b.125.5"
RAIL_TRAVEL_QUESTION = "uk.org.publicwhip/wrans/2009-10-26f.293337.q0"
RAIL_TRAVEL_GROUP = "uk.org.publicwhip/wrans/2009-10-26f.293337.h"


@pytest.fixture(scope="module")
def client(sample_url):
    app = create_app(sample_url)
    install_http_middleware(app)
    with TestClient(app) as c:
        yield c


def get(client, path, status=200, **params):
    response = client.get("/api/v1" + path, params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


# --- members ----------------------------------------------------------------------------------------------

def test_members_search_by_name_finds_david_hanson(client):
    body = get(client, "/members", name="HANSON")
    hanson = next(m for m in body["items"] if m["id"] == HANSON)
    assert hanson["display_name"] == "David Hanson (Labour - Delyn)"
    assert hanson["slug"] == "david-hanson" and hanson["house"] == "commons" and hanson["constituency"] == "Delyn"
    assert hanson["url"] == f"/api/v1/members/{HANSON}"
    assert body["total"] == len(body["items"]) and body["next"] is None


def test_member_has_memberships_posts_and_department_counts(client):
    m = get(client, f"/members/{HANSON}")
    assert m["name"] == "David Hanson" and m["party"] == "Labour"
    current = [s for s in m["memberships"] if s["to_date"] is None]
    assert [s["id"] for s in current] == ["uk.org.publicwhip/member/1530"]     # open-ended → null
    assert current[0]["from_date"] == "2005-05-05" and current[0]["party_code"] == "Lab"
    post = next(p for p in m["posts"] if p["department"] and p["department"]["slug"] == "home-office"
                and p["from_date"] == "2009-06-10")
    assert post["position"] == "Minister of State" and post["to_date"] is None
    home = next(d for d in m["departments"] if d["department"]["slug"] == "home-office")
    assert home["debates"] >= 1 and home["speeches"] >= 20
    assert home["debates_url"].endswith("/members/10259/debates?department=home-office")
    assert m["counts"]["speeches"] >= 22 and m["counts"]["answers"] > 0


def test_member_debates_with_a_department(client):
    body = get(client, f"/members/{HANSON}/debates", department="home-office", kind="debates")
    ids = [d["id"] for d in body["items"]]
    assert HOME_QUESTIONS in ids
    home = body["items"][ids.index(HOME_QUESTIONS)]
    assert home["department"] == {"slug": "home-office", "name": "Home Office",
                                  "url": "/api/v1/departments/home-office"}
    assert home["chamber"] == "Commons Chamber" and home["date"] == "2009-10-26"
    assert home["member_speeches"] == 22
    assert all(d["department"]["slug"] == "home-office" for d in body["items"])


def test_member_contributions_to_a_debate_in_context(client):
    body = get(client, f"/members/{HANSON}/debates/{HOME_QUESTIONS}")
    assert body["debate"]["id"] == HOME_QUESTIONS
    assert len(body["contributions"]) == 22
    assert {c["speaker"]["member"]["person_id"] for c in body["contributions"]} == {HANSON}
    first = body["contributions"][0]
    assert first["speaker"]["office"] == "The Minister for Policing, Crime and Counter-Terrorism"
    assert first["speaker"]["member"]["display_name"] == "David Hanson (Labour - Delyn)"
    tasers = body["exchanges"][0]
    assert tasers["heading"]["title"] == "Tasers"
    others = [c for c in tasers["contributions"] if c["id"] not in tasers["member_contribution_ids"]]
    assert others, "the questions put to him are there too"
    assert set(tasers["member_contribution_ids"]) <= {c["id"] for c in tasers["contributions"]}


def test_member_contributions_to_a_debate_they_did_not_speak_in_is_404(client):
    body = get(client, f"/members/{HANSON}/debates/uk.org.publicwhip/debate/2009-10-26b.1.0", status=404)
    assert body["error"]["code"] == "not_found"


# --- debates ----------------------------------------------------------------------------------------------

def test_debate_with_its_contributions_and_division(client):
    d = get(client, f"/debates/{HOME_QUESTIONS}")
    assert d["title"] == "Home Department" and d["department"]["slug"] == "home-office"
    assert d["title_as_printed"] == "HOME DEPARTMENT"
    assert d["department_reason"].startswith("heading")
    assert len(d["contributions"]) == d["speeches"] == 150
    assert [c["position"] for c in d["contributions"]] == sorted(c["position"] for c in d["contributions"])
    assert d["divisions"] == []     # division 230 is in the Marine Bill's report stage, an item of its own
    assert any(h["title"] == "Tasers" for h in d["headings"])
    chair = next(c for c in d["contributions"] if c["speaker"]["name"] == "Mr. Speaker")
    assert chair["speaker"]["member"]["name"] == "John Bercow"


def test_debate_by_the_id_of_a_speech_in_it(client):
    d = get(client, "/debates/uk.org.publicwhip/debate/2009-10-26b.3.3")
    assert d["id"] == HOME_QUESTIONS


def test_debates_filtered_and_paged_with_a_next_link(client):
    first = get(client, "/debates", date="2009-10-26", kind="debates", limit=5)
    assert first["total"] > 5 and len(first["items"]) == 5
    assert all(d["date"] == "2009-10-26" and d["kind"] == "debates" for d in first["items"])
    nxt = urlsplit(first["next"])
    second = client.get(nxt.path + "?" + nxt.query).json()
    assert second["offset"] == 5
    assert not {d["id"] for d in first["items"]} & {d["id"] for d in second["items"]}
    everything = get(client, "/debates", date="2009-10-26", kind="debates", limit=100)
    assert [d["id"] for d in everything["items"][:10]] == [d["id"] for d in first["items"] + second["items"]]


def test_debates_by_department_and_title(client):
    body = get(client, "/debates", department="home-office", title="home department", limit=100)
    assert HOME_QUESTIONS in {d["id"] for d in body["items"]}


# --- departments ------------------------------------------------------------------------------------------

def test_departments_list(client):
    body = get(client, "/departments")
    home = next(d for d in body["items"] if d["slug"] == "home-office")
    assert home["name"] == "Home Office" and home["sections"] > 0 and home["ministerial"]
    assert body["total"] == len(body["items"])


def test_department_with_ministers_on_a_date(client):
    d = get(client, "/departments/home-office", date="2009-10-26")
    assert d["name"] == "Home Office" and d["date"] == "2009-10-26"
    ranks = {m["member"]["name"]: m["rank"] for m in d["ministers"]}
    assert ranks["Alan Johnson"] == "Secretary of State"
    assert ranks["David Hanson"] == "Minister of State"
    assert d["ministers"][0]["rank"] == "Secretary of State"
    hanson = next(m for m in d["ministers"] if m["member"]["person_id"] == HANSON)
    assert hanson["to_date"] is None and hanson["member"]["display_name"] == "David Hanson (Labour - Delyn)"


def test_department_name_follows_the_date(client):
    then = get(client, "/departments/foreign-office", date="2009-10-26")
    assert then["name"] == "Foreign and Commonwealth Office"


# --- written questions ------------------------------------------------------------------------------------

def test_written_question_with_its_answer(client):
    q = get(client, f"/questions/{RAIL_TRAVEL_QUESTION}")
    assert q["id"] == RAIL_TRAVEL_GROUP and q["title"] == "Departmental Rail Travel"
    assert q["department"]["slug"] == "northern-ireland-office"
    assert [x["speaker"]["member"]["name"] for x in q["questions"]] == ["Paul Burstow"]
    assert q["questions"][0]["text"].startswith("To ask the Secretary of State for Northern Ireland")
    [answer] = q["answers"]
    assert answer["element"] == "reply" and answer["speaker"]["member"]["name"] == "Shaun Woodward"
    assert "first class rail travel" in answer["text"]
    assert get(client, f"/questions/{RAIL_TRAVEL_GROUP}") == q


def test_grouped_written_questions_share_one_answer(client):
    group = "uk.org.publicwhip/wrans/2009-10-26f.290476.h"
    q = get(client, "/questions/" + group)
    assert [x["speaker"]["name"] for x in q["questions"]] == ["Bob Neill", "Grant Shapps", "Lynne Featherstone"]
    assert len(q["answers"]) == 1
    for question in q["questions"]:                      # any question of the group leads to it
        assert get(client, "/questions/" + question["id"])["id"] == group
    listed = get(client, "/questions", date="2009-10-26", house="commons", limit=100)
    assert all(g["kind"] == "wrans" for g in listed["items"])
    while group not in {g["id"] for g in listed["items"]} and listed["next"]:
        nxt = urlsplit(listed["next"])
        listed = client.get(nxt.path + "?" + nxt.query).json()
    entry = next(g for g in listed["items"] if g["id"] == group)
    assert entry["askers"] == ["Bob Neill", "Grant Shapps", "Lynne Featherstone"]


def test_written_questions_by_department(client):
    body = get(client, "/questions", department="northern-ireland-office", limit=100)
    assert RAIL_TRAVEL_GROUP in {g["id"] for g in body["items"]}
    rail = next(g for g in body["items"] if g["id"] == RAIL_TRAVEL_GROUP)
    assert rail["askers"] == ["Paul Burstow"] and rail["answered_by"] == "Shaun Woodward"


def test_written_questions_by_member(client):
    body = get(client, "/questions", member=HANSON, limit=100)
    assert body["total"] > 0
    assert all(g["answered_by"] == "David Hanson" for g in body["items"])


# --- divisions --------------------------------------------------------------------------------------------

def test_division_230_with_every_vote(client):
    found = get(client, "/divisions", date="2009-10-26", number=230, kind="debates")
    assert [d["id"] for d in found["items"]] == [DIVISION_230]
    d = get(client, f"/divisions/{DIVISION_230}")
    assert (d["number"], d["ayes"], d["noes"], d["date"]) == (230, 158, 246, "2009-10-26")
    assert d["department"]["slug"] == "environment-food-and-rural-affairs" and d["debate_id"] == MARINE_BILL
    ayes = [v for v in d["votes"] if v["vote"] == "aye" and not v["teller"]]
    noes = [v for v in d["votes"] if v["vote"] == "no" and not v["teller"]]
    assert (len(ayes), len(noes)) == (158, 246)
    assert sum(1 for v in d["votes"] if v["teller"]) == 4
    assert all(v["member"] is not None for v in d["votes"])
    hanson = next(v for v in d["votes"] if v["member"]["person_id"] == HANSON)
    assert hanson["vote"] == "no" and hanson["member"]["party"] == "Labour"
    assert sum(t["votes"] for t in d["by_party"]) == len(d["votes"])
    labour_noes = next(t for t in d["by_party"] if t["party"] == "Labour" and t["vote"] == "no")
    assert labour_noes["votes"] > 200


# --- search ---------------------------------------------------------------------------------------------

def test_search_with_the_search_page_parameters(client):
    body = get(client, "/search", q="taser", person="david-hanson", kind="debates", sort="date")
    assert body["total"] >= 1 and body["understood_as"]
    assert all(r["speaker"]["person_id"] == HANSON for r in body["items"])
    hit = body["items"][0]
    assert "<mark>" in hit["snippet"] and hit["department"]["slug"] == "home-office"
    assert hit["url"] == f"/api/v1/debates/{HOME_QUESTIONS}" and hit["web_url"].startswith("/debate/")
    grouped = get(client, "/search", q="taser", group="true")
    assert grouped["total_debates"] == len({r["debate_id"] for r in grouped["items"]})
    by_id = get(client, "/search", q="taser", person=str(HANSON))
    assert by_id["total"] == get(client, "/search", q="taser", person="david-hanson")["total"]
    by_name = get(client, "/search", q="taser", member="David Hanson")
    assert by_name["total"] == by_id["total"]


def test_search_pages_with_a_next_link(client):
    first = get(client, "/search", q="police", limit=3)
    assert first["total"] > 3 and len(first["items"]) == 3 and first["next"]
    nxt = urlsplit(first["next"])
    second = client.get(nxt.path + "?" + nxt.query).json()
    assert second["offset"] == 3
    assert not {r["id"] for r in first["items"]} & {r["id"] for r in second["items"]}


@pytest.mark.parametrize("params", [{"q": "\""}, {"q": "police", "party": "Nonsense"},
                                    {"q": "police", "person": "nobody-at-all"},
                                    {"q": "police", "member": "Nobody At All"},
                                    {"q": "police", "from": "2009-10-28", "to": "2009-10-01"}])
def test_search_errors_are_400(client, params):
    assert get(client, "/search", status=400, **params)["error"]["code"] == "bad_request"


# --- stats ------------------------------------------------------------------------------------------------

def test_stats_is_the_same_object_as_the_command(client, sample_engine):
    with sample_engine.connect() as conn:
        expected = stats(conn)
    assert get(client, "/stats") == expected


# --- errors -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, params, status, code", [
    (f"/members/{99_999_999}", {}, 404, "not_found"),
    ("/members/not-a-number", {}, 422, "invalid_parameter"),
    ("/members/0", {}, 422, "invalid_parameter"),
    ("/members", {"limit": 0}, 422, "invalid_parameter"),
    ("/members", {"limit": 10_000}, 422, "invalid_parameter"),
    ("/debates", {"from": "2009-10-28", "to": "2009-10-01"}, 400, "bad_request"),
    ("/debates", {"date": "2009-10-26", "from": "2009-10-01"}, 400, "bad_request"),
    ("/debates", {"date": "26/10/2009"}, 422, "invalid_parameter"),
    ("/debates", {"kind": "hansard"}, 422, "invalid_parameter"),
    ("/debates/uk.org.publicwhip/debate/1900-01-01a.1.1", {}, 404, "not_found"),
    ("/questions/nothing", {}, 404, "not_found"),
    ("/divisions/nothing", {}, 404, "not_found"),
    ("/departments/ministry-of-magic", {}, 404, "not_found"),
    ("/departments/home-office", {"date": "2009-13-01"}, 422, "invalid_parameter"),
    ("/no/such/endpoint", {}, 404, "not_found"),
    ("/members", {"name": "a\x00b"}, 400, "bad_request"),
])
def test_errors_are_json_with_the_right_status(client, path, params, status, code):
    body = get(client, path, status=status, **params)
    assert set(body) == {"error"} and body["error"]["code"] == code and body["error"]["message"]


def test_other_methods_are_405_json(client):
    response = client.post("/api/v1/stats")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_hostile_text_is_only_text(client):
    for name in ["%", "_", "\\", "' OR 1=1 --", "\"", "ü" * 50, "😀"]:
        body = get(client, "/members", name=name)
        assert isinstance(body["items"], list)
    assert get(client, "/members", name="%")["total"] == 0


# --- the schema -------------------------------------------------------------------------------------------

def test_openapi_schema_types_and_describes_everything(client):
    schema = get(client, "/openapi.json")
    assert schema["openapi"].startswith("3.")
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert len([o for o in operations if o[1] == "get"]) >= 14
    for path, method, op in operations:
        assert op.get("summary") and op.get("description"), path
        for status in ("200", "400", "404", "422") if method == "get" else ("200", "422"):
            assert status in op["responses"], (path, status)
        assert "$ref" in str(op["responses"]["200"]["content"]["application/json"]["schema"]), path
        for status, response in op["responses"].items():
            if status.startswith("4"):
                assert response["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorResponse")
        for param in op.get("parameters", []):
            assert param.get("description") or param["schema"].get("description"), (path, param["name"])
    components = schema["components"]["schemas"]
    assert "Member" in components and "Division" in components and "HTTPValidationError" not in components


def test_browsable_docs(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and "swagger" in response.text.lower()
    assert "/api/v1/openapi.json" in response.text


def test_plain_reference_page_needs_no_javascript(client):
    response = client.get("/api/v1/reference")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "<script" not in response.text
    assert "/api/v1/members/{person_id}" in response.text and 'id="schema-Member"' in response.text.replace("'", '"')


def test_dates_are_iso_8601(client):
    d = get(client, f"/debates/{HOME_QUESTIONS}")
    assert date.fromisoformat(d["date"]) == date(2009, 10, 26)
    assert all(date.fromisoformat(c["date"]) for c in d["contributions"])
