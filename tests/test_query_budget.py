"""Issue 17, defect 7 — unbounded query cost: every search's work is bounded (how many prefixes,
how many words a prefix stands for, how many words in all, and a time budget on both databases),
and a search over a bound is a helpful 400 on every surface, never a 500 and never a long wait.

The time budget is made tiny (DESPATCHBOX_QUERY_BUDGET_MS=1) so that a real query over the
sample is over it: the tests look at the answer, never at a clock. Queries differ from test to
test: the page cache keeps 200 pages, and a page kept would hide the answer.
"""
from __future__ import annotations

import html
import time

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from despatchbox.cli import app as cli_app
from despatchbox.config import DEFAULT_QUERY_BUDGET_MS, Settings
from despatchbox.store.search import OverBudget, QueryError, SearchQuery, budget, search
from despatchbox.store.search import query_language as ql
from despatchbox.web.app import create_app

#: the issue's query: 40 two-letter prefixes OR'd (3.9 s on the sample's alert page, 53 s at 157k speeches)
FORTY_PREFIXES = " OR ".join(f"{a}{b}*" for a in "abcdefghij" for b in "aeio")
TOO_MANY_PREFIXES = "Use at most 5 prefixes (word*) in one search; this one has 40."
OVER_BUDGET = "This search needs more work than one search may do"
#: a query with real work on the sample: five prefixes standing for over a thousand words, matching
#: thousands of items to count, rank, group and highlight (many milliseconds, on any machine)
BUSY = "pro* OR con* OR dis* OR com* OR pre*"


@pytest.fixture(scope="module")
def client(sample_url):
    return TestClient(create_app(sample_url), raise_server_exceptions=False)


@pytest.fixture
def tiny_budget(monkeypatch):
    monkeypatch.setenv("DESPATCHBOX_QUERY_BUDGET_MS", "1")


def page_text(response) -> str:
    return html.unescape(response.text)


# --- the limits of the query language -----------------------------------------------------------

def test_forty_prefixes_are_refused_with_what_to_change():
    assert FORTY_PREFIXES.count("*") == 40 <= ql.MAX_TERMS       # within the limit on words …
    with pytest.raises(QueryError, match=r"at most 5 prefixes \(word\*\) in one search; this one has 40"):
        ql.parse(FORTY_PREFIXES)                                   # … over the one on prefixes


def test_five_prefixes_are_allowed_six_are_not():
    five = "immig* prosecut* asyl* deport* border*"
    assert len(ql.parse(five).leaves()) == 5
    with pytest.raises(QueryError, match="this one has 6"):
        ql.parse(five + " OR visa*")
    with pytest.raises(QueryError, match="this one has 6"):       # leaving out costs as much as looking for
        ql.parse(five + " -visa*")


def test_a_prefix_standing_for_too_many_words_is_refused(sample_engine):
    with sample_engine.connect() as conn:
        with pytest.raises(QueryError) as caught:                  # 'co' begins 832 words of the sample
            search(conn, SearchQuery("co*"))
        assert "co* stands for 832 different words here" in str(caught.value)
        assert "Type more letters before the *" in str(caught.value)
        assert search(conn, SearchQuery("immig*")).total > 0       # a prefix of a few words runs


# --- the surfaces: the query -------------------------------------------------------------

@pytest.mark.parametrize("path", ["/alerts/sample/search", "/search"])
def test_the_pages_answer_forty_prefixes_with_a_400_and_the_message(client, path):
    response = client.get(path, params={"q": FORTY_PREFIXES})
    assert response.status_code == 400
    assert TOO_MANY_PREFIXES in page_text(response)


def test_the_api_answers_forty_prefixes_with_its_error_shape(client):
    response = client.get("/api/v1/search", params={"q": FORTY_PREFIXES})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_request" and TOO_MANY_PREFIXES in error["message"]


def test_the_cli_prints_the_message_and_fails(sample_url, monkeypatch):
    monkeypatch.setenv("DESPATCHBOX_DATABASE_URL", sample_url)
    result = CliRunner().invoke(cli_app, ["search", "--", FORTY_PREFIXES])
    assert result.exit_code == 2
    assert "at most 5 prefixes" in " ".join(result.output.split())


# --- the time budget -------------------------------------------------------------------------------

def test_the_budget_is_a_setting():
    assert Settings.from_env().query_budget_ms == DEFAULT_QUERY_BUDGET_MS == 2000


@pytest.mark.parametrize("raw, expected", [("1", 1), ("0", 0), ("250", 250), ("", 2000), ("soon", 2000), ("-5", 0)])
def test_the_budget_setting_is_read_from_the_environment(monkeypatch, raw, expected):
    monkeypatch.setenv("DESPATCHBOX_QUERY_BUDGET_MS", raw)
    assert Settings.from_env().query_budget_ms == expected


@pytest.mark.parametrize("options", [{}, {"sort": "date"}, {"group_by_debate": True}],
                         ids=["relevance", "date", "grouped"])
def test_a_search_over_its_budget_says_so(sample_engine, tiny_budget, options):
    with sample_engine.connect() as conn:
        with pytest.raises(OverBudget) as caught:
            search(conn, SearchQuery(BUSY, **options))
    assert isinstance(caught.value, QueryError)                  # every surface's path for a message
    assert OVER_BUDGET in str(caught.value) and "1 ms" in str(caught.value)


def test_the_connection_is_usable_after_a_search_over_its_budget(sample_engine, monkeypatch, db_backend):
    with sample_engine.connect() as conn:
        if db_backend == "postgresql":
            before = conn.exec_driver_sql("SHOW statement_timeout").scalar_one()
        monkeypatch.setenv("DESPATCHBOX_QUERY_BUDGET_MS", "1")
        with pytest.raises(OverBudget):
            search(conn, SearchQuery(BUSY))
        monkeypatch.delenv("DESPATCHBOX_QUERY_BUDGET_MS")
        again = search(conn, SearchQuery(BUSY))                  # same connection, same transaction
        assert again.total > 1000 and len(again.hits) == 20
        if db_backend == "postgresql":                           # the budget's timeout was local to the search
            assert conn.exec_driver_sql("SHOW statement_timeout").scalar_one() == before


#: a statement that counts to twenty million: many seconds on either database
LONG_STATEMENT = ("WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 20000000) "
                  "SELECT count(*) FROM c")


def test_the_database_interrupts_a_statement_over_the_budget(sample_engine, tiny_budget):
    """The database itself holds a statement to the budget (PostgreSQL: statement_timeout;
    SQLite: a progress handler), not only the checks between steps."""
    with sample_engine.connect() as conn:
        with pytest.raises(OverBudget):
            with budget.guard(conn):
                conn.exec_driver_sql(LONG_STATEMENT)
        assert conn.exec_driver_sql("SELECT 1").scalar_one() == 1     # the connection is still usable


def test_a_budget_of_zero_is_no_limit(sample_engine, monkeypatch):
    monkeypatch.setenv("DESPATCHBOX_QUERY_BUDGET_MS", "0")
    with sample_engine.connect() as conn:
        assert search(conn, SearchQuery(BUSY, group_by_debate=True)).total > 1000


def test_searches_inside_one_deadline_share_it():
    with budget.deadline(ms=1):
        time.sleep(0.005)
        with budget.deadline(ms=60_000):                         # nested: the outer budget counts
            with pytest.raises(OverBudget):
                budget.check()
    budget.check()                                               # outside any deadline: nothing to spend


@pytest.mark.parametrize("path", ["/search", "/alerts/sample/search"])
def test_the_pages_answer_a_search_over_its_budget_with_a_400(client, tiny_budget, path):
    response = client.get(path, params={"q": BUSY + " OR " + path.strip("/").replace("/", " OR ")})
    assert response.status_code == 400
    assert OVER_BUDGET in page_text(response)


def test_the_api_answers_a_search_over_its_budget_with_a_400(client, tiny_budget):
    response = client.get("/api/v1/search", params={"q": BUSY, "group": "true"})
    assert response.status_code == 400
    assert OVER_BUDGET in response.json()["error"]["message"]


def test_the_cli_says_a_search_is_over_its_budget(sample_url, monkeypatch, tiny_budget):
    monkeypatch.setenv("DESPATCHBOX_DATABASE_URL", sample_url)
    result = CliRunner().invoke(cli_app, ["search", "--", BUSY])
    assert result.exit_code == 2
    assert OVER_BUDGET in " ".join(result.output.split())


# --- ordinary searches are untouched ----------------------------------------------------------------

@pytest.mark.parametrize("q", ["immig*", '"organised crime" -scotland', "prosecut* OR asylum", BUSY,
                               "government OR minister OR people OR house"])
def test_ordinary_searches_still_run_on_every_surface(client, q):
    page = client.get("/search", params={"q": q})
    assert page.status_code == 200 and "items match" in page.text
    api = client.get("/api/v1/search", params={"q": q, "sort": "date"})
    assert api.status_code == 200 and api.json()["total"] > 0
    sample = client.get("/alerts/sample/search", params={"q": q})
    assert sample.status_code == 200
