"""The search page and ``despatchbox search``: hostile input gives 200/400 and exit 0/2, never 500."""
from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from despatchbox.cli import app as cli_app
from despatchbox.web.app import create_app

from .test_search import HOSTILE


@pytest.fixture(scope="module")
def client(sample_url):
    return TestClient(create_app(sample_url), raise_server_exceptions=False)


@pytest.fixture
def cli(sample_url, monkeypatch):
    monkeypatch.setenv("DESPATCHBOX_DATABASE_URL", sample_url)
    runner = CliRunner()
    # options first, then "--", so that a query starting with "-" is read as the query
    return lambda query, *options: runner.invoke(cli_app, ["search", *options, "--", query])


# --- the page -----------------------------------------------------------------------------------

def test_the_page_without_a_query_explains_the_language(client):
    page = client.get("/search")
    assert page.status_code == 200
    assert "How to search" in page.text and 'name="q"' in page.text


def test_a_phrase_search_page(client):
    page = client.get("/search", params={"q": '"identity cards"'})
    assert page.status_code == 200
    # 8 items, two of them written questions whose answers also match: each pair is one result, its answer
    assert "<strong>6</strong> items match" in page.text
    assert page.text.count('<li class="hit') == 6
    assert "<mark>identity cards</mark>" in page.text or "<mark>Identity Cards</mark>" in page.text
    # a written answer shows its question and links to its place in the debate
    assert "Asked by Chris Grayling:" in page.text
    assert 'href="/debate/wrans/2009-10-26f.287383.mh#g294479.r0"' in page.text
    assert "Alan Johnson (Labour - Kingston upon Hull West &amp; Hessle)" in page.text
    assert ">Home Office</a>" in page.text and "Written Answers" in page.text


def test_people_matches_come_first(client):
    page = client.get("/search", params={"q": "Lord Bach"})
    assert page.status_code == 200
    people = page.text.index('aria-label="Members"')
    assert people < page.text.index('aria-label="Results"')
    assert 'href="/lord/lord-bach">Lord Bach (Labour - Life peer)</a>' in page.text
    lucas = client.get("/search", params={"q": "caroline lucas"})
    assert lucas.status_code == 200 and "No member is called" in lucas.text and "Ian Lucas" in lucas.text


def test_filters_on_the_page(client):
    everything = client.get("/search", params={"q": '"the minister"'})
    filtered = client.get("/search", params={"q": '"the minister"', "party": "Labour", "kind": "debates",
                                             "from": "2009-10-26", "to": "2009-10-26", "department": "home-office",
                                             "sort": "date"})
    assert filtered.status_code == 200

    def total(page):
        return int(re.search(r"<strong>([\d,]+)</strong> items? match", page.text).group(1).replace(",", ""))

    assert 0 < total(filtered) < total(everything)
    assert '<option value="home-office" selected>' in filtered.text


def test_member_filter_by_name_and_by_slug(client):
    by_name = client.get("/search", params={"q": "police", "member": "david hanson"})
    by_slug = client.get("/search", params={"q": "police", "person": "david-hanson"})
    assert by_name.status_code == by_slug.status_code == 200
    assert "David Hanson (Labour - Delyn)" in by_slug.text
    assert re.findall(r'<li class="hit.*?</li>', by_name.text, re.S) == \
        re.findall(r'<li class="hit.*?</li>', by_slug.text, re.S)
    assert "Answered by" not in by_slug.text or "David Hanson" in by_slug.text


def test_grouped_results_and_pages(client):
    first = client.get("/search", params={"q": '"the minister"', "group": "1"})
    assert first.status_code == 200 and " debates" in first.text and 'rel="next"' in first.text
    second = client.get("/search", params={"q": '"the minister"', "group": "1", "page": "2"})
    assert second.status_code == 200 and 'rel="prev"' in second.text
    far = client.get("/search", params={"q": '"the minister"', "page": "999"})
    assert far.status_code == 200 and "items match" in far.text


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_get_a_page_or_a_message(client, q):
    page = client.get("/search", params={"q": q})
    assert page.status_code in (200, 400), page.text[:500]
    if page.status_code == 400:
        assert 'class="error-message"' in page.text
    assert "<script>alert" not in page.text


@pytest.mark.parametrize("params", [{"from": "2009-13-01"}, {"to": "yesterday"}, {"page": "0"}, {"page": "x"},
                                    {"page": "99999999999999999999"}, {"sort": "random"}, {"kind": "hansard"},
                                    {"party": "Whig"}, {"department": "ministry-of-magic"}, {"person": "nobody"},
                                    {"member": "zzzz qqqq"}, {"from": "2009-10-28", "to": "2009-10-26"},
                                    {"member": "x" * 5000}])
def test_bad_filters_get_a_message(client, params):
    page = client.get("/search", params={"q": "crime", **params})
    assert page.status_code == 400
    assert 'class="error-message"' in page.text


# --- the command --------------------------------------------------------------------------------

def test_cli_json(cli):
    result = cli('"organised crime"', "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"] == 4 and len(data["results"]) == 4
    assert set(data["results"][0]) == {"id", "debate_id", "kind", "date", "person_id", "name", "title",
                                       "department", "snippet", "score"}


def test_cli_filters(cli):
    result = cli("police", "--json", "--person", "david-hanson", "--party", "Labour", "--kind", "debates",
                 "--from", "2009-10-26", "--to", "2009-10-26", "--department", "home-office", "--sort", "date",
                 "--limit", "3", "--offset", "1")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"] > 3 and len(data["results"]) == 3
    assert {r["person_id"] for r in data["results"]} == {10259}
    assert [r["date"] for r in data["results"]] == sorted((r["date"] for r in data["results"]), reverse=True)


def test_cli_table(cli):
    result = cli("Lord Bach")
    assert result.exit_code == 0 and "Lord Bach" in result.output


@pytest.mark.parametrize("args", [["AND"], ["*"], ["-crime"], ["x" * 5000], ["crime", "--party", "Whig"],
                                  ["crime", "--from", "2009-13-01"], ["crime", "--person", "nobody"],
                                  ["crime", "--kind", "hansard"], ["crime", "--limit", "0"], ["crime", "--sort", "x"]])
def test_cli_bad_queries_exit_2_with_the_message(cli, args):
    result = cli(args[0], *args[1:], "--json")
    assert result.exit_code == 2, result.output
    assert "error:" in result.output


@pytest.mark.parametrize("q", HOSTILE)
def test_cli_hostile_queries_exit_0_or_2(cli, q):
    result = cli(q, "--json")
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 0:
        assert "total" in json.loads(result.stdout)


def test_a_search_that_cannot_run_offers_no_feed(client):
    """No results (an unknown member here): no Atom link — once, the template found the feed_url
    helper itself and printed '<function feed_url at 0x…>' as the link."""
    r = client.get("/search", params={"q": "the", "member": "no such member"})
    assert r.status_code == 400 and "No member is called" in r.text
    assert "<function" not in r.text and 'type="application/atom+xml"' not in r.text
    ok = client.get("/search", params={"q": "tasers"})
    assert 'href="/feeds/search.atom?q=tasers"' in ok.text
