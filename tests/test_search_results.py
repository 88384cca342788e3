"""A written question and its answer are one search result (issue 15): in the store's totals and
pages, on the search page, in the API, the search feed and the MCP tool — on either backend.

'"identity cards"' is in 8 items of the sample week: two written questions (294479.q0, 295431.q0)
and their answers, four more answers and two statements — 6 results. '"anti-corruption plan"' is
in a written question (295076.q0) and not in its answer.
"""
from __future__ import annotations

import re

import anyio
import feedparser
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from despatchbox.mcp.server import build_server
from despatchbox.pipeline.run import ingest
from despatchbox.store.schema import speeches
from despatchbox.store.search import SearchQuery, search
from despatchbox.web.app import create_app

from .conftest import SAMPLE
from .test_search import results, xml_phrase

CARDS = '"identity cards"'
WRANS = "uk.org.publicwhip/wrans/"
#: the two question groups whose question and answer both hold "identity cards"
BOTH = {"2009-10-26f.294479", "2009-10-27c.295431"}
ONLY_THE_QUESTION = '"anti-corruption plan"'
ASKED = WRANS + "2009-10-26f.295076"


def result_of(hit) -> str:
    """The question group of a written question or answer, else the item itself."""
    return hit.heading_id if hit.item_type in ("question", "answer") else hit.id


@pytest.fixture(scope="module")
def conn(sample_engine):
    with sample_engine.connect() as connection:
        yield connection


@pytest.fixture(scope="module")
def client(sample_url):
    return TestClient(create_app(sample_url), raise_server_exceptions=False)


# --- the store ----------------------------------------------------------------------------------

def test_the_sample_has_questions_matching_with_their_answers():
    items = xml_phrase("identity cards")
    assert len(items) == 8
    assert {WRANS + g + s for g in BOTH for s in (".q0", ".r0")} <= items
    assert len(results(items)) == 6


@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_a_question_and_its_answer_are_one_result(conn, sort):
    found = search(conn, SearchQuery(CARDS, sort=sort))
    assert found.total == 6 and len(found.hits) == 6 and found.pages == 1
    ids = [h.id for h in found.hits]
    for group in BOTH:
        assert WRANS + group + ".r0" in ids and WRANS + group + ".q0" not in ids
        [hit] = [h for h in found.hits if h.id == WRANS + group + ".r0"]
        assert hit.item_type == "answer" and hit.question.id == WRANS + group + ".q0"
    assert not [h for h in found.hits if h.item_type == "question"]
    assert len({result_of(h) for h in found.hits}) == 6
    assert all(h.score > 0 for h in found.hits)


@pytest.mark.parametrize("options", [{}, {"sort": "date"}, {"group_by_debate": True},
                                     {"group_by_debate": True, "sort": "date"}, {"kind": "wrans"}])
def test_one_at_a_time_no_result_shows_twice(conn, options):
    first = search(conn, SearchQuery(CARDS, limit=100, **options))
    count = first.total_debates if options.get("group_by_debate") else first.total
    seen = []
    for offset in range(count + 2):
        page = search(conn, SearchQuery(CARDS, limit=1, offset=offset, **options))
        assert page.total == first.total
        assert len(page.hits) == (1 if offset < count else 0)
        seen += page.hits
    assert [h.id for h in seen] == [h.id for h in first.hits]
    assert len({result_of(h) for h in seen}) == len(seen)
    if options.get("group_by_debate"):
        assert sum(h.hits_in_debate for h in seen) == first.total == 6
    elif not options:
        assert len(seen) == 6


def test_by_debate_a_pair_counts_once_in_its_debate(conn):
    grouped = search(conn, SearchQuery(CARDS, group_by_debate=True, limit=100))
    plain = search(conn, SearchQuery(CARDS, limit=100))
    per_debate: dict[str, int] = {}
    for h in plain.hits:
        per_debate[h.debate_id] = per_debate.get(h.debate_id, 0) + 1
    assert {h.debate_id: h.hits_in_debate for h in grouped.hits} == per_debate
    assert grouped.total == 6 and grouped.total_debates == len(per_debate)


def test_only_the_question_matched_still_shows_the_answer(conn):
    found = search(conn, SearchQuery(ONLY_THE_QUESTION))
    assert found.total == 1
    [hit] = found.hits
    assert hit.id == ASKED + ".r0" and hit.item_type == "answer"
    assert hit.question.id == ASKED + ".q0" and "anti-corruption plan" in hit.question.text
    assert hit.score > 0


def test_an_unanswered_question_is_its_own_result(fresh_engine):
    ingest(fresh_engine, [SAMPLE / "scrapedxml" / "wrans" / "answers2009-10-26f.xml"])
    with fresh_engine.begin() as conn:
        conn.execute(delete(speeches).where(speeches.c.id == ASKED + ".r0"))
    with fresh_engine.connect() as conn:
        found = search(conn, SearchQuery(ONLY_THE_QUESTION))
    assert found.total == 1
    [hit] = found.hits
    assert hit.id == ASKED + ".q0" and hit.item_type == "question" and hit.question is None


# --- the surfaces -------------------------------------------------------------------------------

def _hits(html: str) -> list[str]:
    return re.findall(r'<li class="hit.*?</li>', html, re.S)


def test_the_page_shows_the_question_above_its_answer_once(client):
    page = client.get("/search", params={"q": CARDS})
    assert page.status_code == 200
    assert "<strong>6</strong> items match" in page.text
    hits = _hits(page.text)
    assert len(hits) == 6
    for group in BOTH:
        anchor = group.split(".", 1)[1]
        mine = [h for h in hits if f"#g{anchor}." in h]
        assert len(mine) == 1
        [hit] = mine
        assert f"#g{anchor}.r0" in hit and f"#g{anchor}.q0" not in hit
        assert hit.index('class="question"') < hit.index("Answered by") < hit.index('class="snippet"')
        assert hit.count('class="question"') == 1


def test_only_the_question_matched_on_the_page(client):
    hits = _hits(client.get("/search", params={"q": ONLY_THE_QUESTION}).text)
    assert len(hits) == 1 and "#g295076.r0" in hits[0] and "anti-corruption plan" in hits[0]


def test_the_api_counts_and_pages_results(client):
    whole = client.get("/api/v1/search", params={"q": CARDS, "limit": 100}).json()
    assert whole["total"] == 6 and len(whole["items"]) == 6 and whole["next"] is None
    ids = []
    for offset in range(6):
        page = client.get("/api/v1/search", params={"q": CARDS, "limit": 1, "offset": offset}).json()
        assert page["total"] == 6 and (page["next"] is None) == (offset == 5)
        ids += [r["id"] for r in page["items"]]
    assert ids == [r["id"] for r in whole["items"]]
    assert not [i for i in ids if i.endswith(".q0")]
    answers = [r for r in whole["items"] if r["id"] in {WRANS + g + ".r0" for g in BOTH}]
    assert len(answers) == 2 and all(r["question"]["id"] == r["id"][:-2] + "q0" for r in answers)


def test_the_search_feed_has_one_entry_per_result(client):
    feed = feedparser.parse(client.get("/feeds/search.atom", params={"q": CARDS}).text)
    assert len(feed.entries) == 6
    links = [e.link for e in feed.entries]
    assert not [link for link in links if link.endswith(".q0")]
    assert sum(1 for link in links for g in BOTH if link.endswith("#g" + g.split(".", 1)[1] + ".r0")) == 2


def test_the_mcp_tool_counts_results(sample_engine):
    server = build_server(sample_engine)

    async def call(**args):
        out = await server.call_tool("search_record", {"query": CARDS, **args})
        return out[1] if isinstance(out, tuple) else out

    whole = anyio.run(lambda: call(limit=100))
    assert whole["page"]["total"] == 6 and len(whole["data"]["hits"]) == 6
    second = anyio.run(lambda: call(limit=1, offset=1))
    assert second["page"]["total"] == 6 and second["page"]["next_offset"] == 2
    assert second["data"]["hits"][0]["id"] == whole["data"]["hits"][1]["id"]


def test_results_are_counted_in_slices_of_the_key_space(conn, monkeypatch):
    from despatchbox.store.search import tantivy_totals
    monkeypatch.setattr(tantivy_totals, "DISTINCT_FROM_HITS", 0)  # by aggregation, not from the hits' keys
    monkeypatch.setattr(tantivy_totals, "AGG_BUCKETS", 2)        # 4 written items → slices of ≤ 2 keys
    assert search(conn, SearchQuery(CARDS)).total == 6
    assert search(conn, SearchQuery('"the minister"')).total == len(results(xml_phrase("the minister")))


def test_results_are_counted_alike_from_the_hits_and_by_aggregation(conn, monkeypatch):
    """Up to DISTINCT_FROM_HITS matching written items, their results are counted from the hits'
    result keys; above, by a terms aggregation: the same totals."""
    from despatchbox.store.search import tantivy_totals
    texts = [CARDS, '"the minister"', "minister", "answer", "department OR police"]
    from_hits = [search(conn, SearchQuery(t)).total for t in texts]
    monkeypatch.setattr(tantivy_totals, "DISTINCT_FROM_HITS", 0)
    assert [search(conn, SearchQuery(t)).total for t in texts] == from_hits
    assert len(set(from_hits)) > 2


def test_debates_are_counted_in_slices_of_the_key_space(conn, monkeypatch):
    """Grouped by debate, the number of debates is exact however many there are: tantivy refuses a
    terms aggregation of more than 65,000 buckets, so debates are counted in slices of their keys."""
    from despatchbox.store.search import tantivy_totals
    query = SearchQuery('"the minister"', group_by_debate=True)
    expected = search(conn, query).total_debates
    assert expected and expected > 2
    monkeypatch.setattr(tantivy_totals, "AGG_BUCKETS", 2)
    assert search(conn, query).total_debates == expected


# --- totals estimated where the query allows it -------------------------------------------------

ESTIMATED = ['"the minister"', "minister", "answer", "department OR police"]


@pytest.mark.parametrize("group", [False, True])
def test_an_estimated_total_says_so_and_leaves_the_page_as_it_was(conn, monkeypatch, group):
    """With ``exact_total=False`` the results of many written questions and answers (and, grouped,
    the debates) are estimated (HyperLogLog) — said in ``total_is_estimate`` — and the page is the
    exact search's, hit for hit; by default (alerts, feeds, MCP) totals stay counted. (Pages of 2:
    more matches than the first window of hits, which would count them from the hits themselves.)"""
    from despatchbox.store.search import tantivy_search, tantivy_totals
    monkeypatch.setattr(tantivy_search, "GROUP_WINDOW", 0)
    exact = {t: search(conn, SearchQuery(t, group_by_debate=group, limit=2)) for t in ESTIMATED}
    assert not any(r.total_is_estimate or r.total_debates_is_estimate for r in exact.values())
    monkeypatch.setattr(tantivy_totals, "ESTIMATE_GROUPED_ABOVE", 0)
    monkeypatch.setattr(tantivy_totals, "ESTIMATE_DEBATES_ABOVE", 0)
    assert [search(conn, SearchQuery(t, group_by_debate=group, limit=2)).total for t in ESTIMATED] == \
        [exact[t].total for t in ESTIMATED]
    for text, counted in exact.items():
        about = search(conn, SearchQuery(text, group_by_debate=group, limit=2, exact_total=False))
        assert about.total_is_estimate                       # every one of these matches written items
        assert [(h.id, h.score, h.hits_in_debate) for h in about.hits] == \
            [(h.id, h.score, h.hits_in_debate) for h in counted.hits]
        assert abs(about.total - counted.total) <= max(2, counted.total // 20)
        if group:
            assert about.total_debates_is_estimate and counted.total_debates is not None
            assert about.total_debates is not None
            assert abs(about.total_debates - counted.total_debates) <= max(2, counted.total_debates // 10)


def test_small_totals_stay_exact_when_estimates_are_allowed(conn, monkeypatch):
    """Few written questions and answers, or fewer matches than the page's first window of hits
    (counted from the hits themselves): exact even when estimates are allowed."""
    from despatchbox.store.search import tantivy_totals
    for text in (CARDS, ONLY_THE_QUESTION):
        found = search(conn, SearchQuery(text, exact_total=False))
        assert not found.total_is_estimate
        assert found.total == search(conn, SearchQuery(text)).total
    monkeypatch.setattr(tantivy_totals, "ESTIMATE_GROUPED_ABOVE", 0)
    found = search(conn, SearchQuery(CARDS, exact_total=False))
    assert found.total == 6 and not found.total_is_estimate


def test_the_page_and_the_api_say_about_n_for_an_estimate(client, monkeypatch):
    """Counted totals read "N items match"; estimated ones "about N" (a query with more matches
    than the page's first window of hits: fewer are counted from the hits themselves)."""
    from despatchbox.store.search import tantivy_totals
    exact_page = client.get("/search", params={"q": CARDS}).text
    assert "<strong>6</strong> items match" in exact_page and "about <strong>" not in exact_page
    assert client.get("/api/v1/search", params={"q": CARDS}).json()["total_is_estimate"] is False
    monkeypatch.setattr(tantivy_totals, "ESTIMATE_GROUPED_ABOVE", 0)
    assert "<strong>6</strong> items match" in client.get("/search", params={"q": CARDS}).text
    page = client.get("/search", params={"q": "minister"}).text
    assert re.search(r"about <strong>[\d,]+</strong> items match", page)
    api = client.get("/api/v1/search", params={"q": "minister", "limit": 5}).json()
    assert api["total_is_estimate"] is True and api["total_debates_is_estimate"] is False
    assert api["next"] is not None and len(api["items"]) == 5
