"""The newcomer's site (issue 15): the members index and "find your MP", JSON from page URLs,
HEAD everywhere, bulk data over HTTP, and API docs that work offline — on the real sample week."""
from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from despatchbox.cli import app as cli_app
from despatchbox.web.app import create_app
from despatchbox.web.negotiation import wants_json

JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def client(sample_url):
    return TestClient(create_app(sample_url), follow_redirects=False)


def test_api_members_finds_david_hanson_by_his_seat(client):
    body = client.get("/api/v1/members", params={"name": "delyn"}).json()
    assert [m["name"] for m in body["items"]] == ["David Hanson"]
    assert body["items"][0]["constituency"] == "Delyn"


def test_api_members_filters_by_house_party_and_initial(client):
    labour = client.get("/api/v1/members", params={"party": "Labour", "limit": 100}).json()
    also = client.get("/api/v1/members", params={"party": "Lab", "limit": 100}).json()
    assert labour["total"] == also["total"] > 0
    assert all(m["party"] == "Labour" or m["party"] is None or True for m in labour["items"])
    lords = client.get("/api/v1/members", params={"house": "lords", "initial": "b", "limit": 100}).json()
    assert lords["total"] > 0 and all(m["house"] == "lords" for m in lords["items"])
    assert client.get("/api/v1/members", params={"initial": "bb"}).status_code == 422


def test_members_page_a_to_z_and_find_your_mp(client):
    page = client.get("/members")
    assert page.status_code == 200
    assert 'name="q"' in page.text and "Find your MP" in page.text
    assert 'href="/members?letter=H"' in page.text
    h = client.get("/members", params={"letter": "H", "house": "commons"}).text
    assert 'href="/mp/david-hanson"' in h
    found = client.get("/members", params={"q": "Delyn"}).text
    assert 'href="/mp/david-hanson"' in found and "1 member matching" in found
    assert "No member matches" in client.get("/members", params={"q": "zzzzqqq"}).text
    assert 'href="/members"' in client.get("/").text  # reachable from every page's navigation


@pytest.mark.parametrize("page, api", [
    ("/mp/david-hanson", "/api/v1/members/10259"),
    ("/members?q=delyn", "/api/v1/members?name=delyn"),
    ("/dept/home-office", "/api/v1/departments/home-office"),
    ("/departments", "/api/v1/departments"),
    ("/debate/uk.org.publicwhip/debate/2009-10-26b.1.4", "/api/v1/debates/uk.org.publicwhip/debate/2009-10-26b.1.4"),
    ("/search?q=crime", "/api/v1/search?q=crime"),
])
def test_page_urls_answer_the_api_object_for_json(client, page, api):
    got = client.get(page, headers=JSON)
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("application/json")
    assert "Accept" in got.headers.get("vary", "")
    assert got.json() == client.get(api).json()
    html = client.get(page, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, follow_redirects=True)
    assert html.headers["content-type"].startswith("text/html")


def test_json_for_a_page_without_an_api_object_is_a_clear_406(client):
    got = client.get("/who-said", headers=JSON)
    assert got.status_code == 406 and got.json()["error"]["code"] == "not_acceptable"
    assert client.get("/mp/nobody-of-that-name", headers=JSON).status_code == 404


def test_accept_header_ranking():
    assert wants_json("application/json")
    assert wants_json("application/json, text/html;q=0.5")
    assert not wants_json("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
    assert not wants_json("*/*")
    assert not wants_json("")


@pytest.mark.parametrize("path", ["/", "/mp/david-hanson", "/members", "/data", "/api/v1/members/10259",
                                  "/api/v1/stats", "/export/debates.csv", "/feeds/members/david-hanson.atom"])
def test_head_works_everywhere(client, path):
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


@pytest.mark.parametrize("kind", ["debates", "speeches", "questions", "divisions", "votes", "members",
                                  "memberships", "offices"])
def test_http_exports_match_the_command(client, sample_url, kind):
    cli = CliRunner().invoke(cli_app, ["export", kind], env={"DESPATCHBOX_DATABASE_URL": sample_url})
    assert cli.exit_code == 0, cli.output
    got = client.get(f"/export/{kind}.jsonl")
    assert got.status_code == 200 and got.headers["content-type"].startswith("application/x-ndjson")
    assert [json.loads(x) for x in got.text.splitlines()] == [json.loads(x) for x in cli.stdout.splitlines()]
    cli_csv = CliRunner().invoke(cli_app, ["export", kind, "--format", "csv"],
                                 env={"DESPATCHBOX_DATABASE_URL": sample_url})
    http_csv = client.get(f"/export/{kind}.csv")
    assert list(csv.reader(io.StringIO(http_csv.text))) == list(csv.reader(io.StringIO(cli_csv.stdout)))


def test_http_export_etag_and_text(client):
    first = client.get("/export/speeches.jsonl?text=1")
    assert first.status_code == 200 and '"text"' in first.text.splitlines()[0]
    etag = first.headers["etag"]
    again = client.get("/export/speeches.jsonl?text=1", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/export/speeches.jsonl").headers["etag"] != etag
    assert client.get("/export/nothing.jsonl").status_code == 404
    assert client.get("/export/debates.xml").status_code == 404
    assert client.get("/export/divisions.csv?text=1").status_code == 400


def test_data_page_links_and_documents_every_export(client):
    page = client.get("/data")
    assert page.status_code == 200
    for kind in ("debates", "speeches", "questions", "divisions", "votes", "members"):
        assert f'href="/export/{kind}.jsonl"' in page.text and f'href="/export/{kind}.csv"' in page.text
    assert "<code>department_name</code>" in page.text and "If-None-Match" in page.text


def test_api_docs_work_offline(client):
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.text.lower() and "https://" not in docs.text.split("<body>")[0].lower()
    for asset in ("/api/v1/docs-assets/swagger-ui-bundle.js", "/api/v1/docs-assets/swagger-ui.css"):
        assert asset in docs.text
        got = client.get(asset)
        assert got.status_code == 200 and len(got.content) > 10_000
    redoc = client.get("/api/v1/redoc")
    assert redoc.status_code == 200 and "/api/v1/docs-assets/redoc.standalone.js" in redoc.text
    assert "fonts.googleapis" not in redoc.text


def test_api_reference_renders_its_markdown(client):
    ref = client.get("/api/v1/reference").text
    assert "<ul>" in ref and "<li>Open: no key." in ref
    assert "\n* Open" not in ref and "<code>2009-10-26</code>" in ref


def test_search_results_have_a_feed_an_alert_form_and_each_question_once(client):
    page = client.get("/search", params={"q": '"identity cards"'}).text
    feed = 'href="/feeds/search.atom?q=%22identity+cards%22"'
    assert feed in page and 'rel="alternate" type="application/atom+xml"' in page
    assert client.get("/feeds/search.atom", params={"q": '"identity cards"'}).status_code == 200
    assert 'class="alert-signup"' in page
    assert 'name="target" value="&#34;identity cards&#34;"' in page or 'value="&quot;identity cards&quot;"' in page
    # two questions match as well as their answers: each shows once, above its answer
    assert "Asked by Chris Grayling:" in page
    assert page.count('<li class="hit') == 6
