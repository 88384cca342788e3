"""Atom feeds on the real sample: valid Atom (feedparser, bozo == 0), the right entries, links
for page heads."""
from __future__ import annotations

import importlib
import importlib.util
from xml.etree import ElementTree as ET

import feedparser
import pytest
from fastapi.testclient import TestClient

from despatchbox.web.app import create_app
from despatchbox.web.feeds import ATOM_NS, entry_id, feed_link, feed_url
from despatchbox.web.http_caching import install_http_middleware

HAS_SEARCH = importlib.util.find_spec("despatchbox.store.search") is not None and \
    hasattr(importlib.import_module("despatchbox.store.search"), "search")


@pytest.fixture(scope="module")
def client(sample_url):
    app = create_app(sample_url)
    install_http_middleware(app)
    with TestClient(app) as c:
        yield c


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{ATOM_NS}}}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{{{ATOM_NS}}}{required}") is not None
    for entry in root.findall(f"{{{ATOM_NS}}}entry"):
        for required in ("id", "title", "updated", "author", "link"):
            assert entry.find(f"{{{ATOM_NS}}}{required}") is not None, required
    return feed


def test_member_feed(client):
    feed = parse(client, "/feeds/members/david-hanson.atom")
    assert feed.feed.title == "David Hanson: contributions"
    assert feed.feed.link.endswith("/mp/david-hanson")
    assert 0 < len(feed.entries) <= 50
    assert all(e.author == "David Hanson" for e in feed.entries)
    dates = [e.updated for e in feed.entries]
    assert dates == sorted(dates, reverse=True) and dates[0].startswith("2009-10-2")
    assert len({e.id for e in feed.entries}) == len(feed.entries)
    answer = next(e for e in feed.entries if e.title.startswith("Answer:"))
    assert "/written-question/wrans/" in answer.link and answer.summary


def test_member_feed_by_person_id_and_unknown_member(client):
    assert parse(client, "/feeds/members/10259.atom").feed.title == "David Hanson: contributions"
    assert client.get("/feeds/members/nobody-at-all.atom").status_code == 404


def test_department_feed_debates_and_answers(client):
    feed = parse(client, "/feeds/departments/home-office.atom")
    assert feed.feed.title.startswith("Home Office")
    titles = [e.title for e in feed.entries]
    assert any(t.startswith("Written answer:") for t in titles)
    assert any(not t.startswith("Written answer:") for t in titles)
    debates = parse(client, "/feeds/departments/home-office.atom?show=debates")
    assert debates.entries and not any(e.title.startswith("Written answer:") for e in debates.entries)
    assert any(e.link.endswith("/debate/debate/2009-10-26b.1.4") for e in debates.entries)
    answers = parse(client, "/feeds/departments/home-office.atom?show=answers")
    assert answers.entries and all(e.title.startswith("Written answer:") for e in answers.entries)


def test_department_feed_errors(client):
    assert client.get("/feeds/departments/ministry-of-magic.atom").status_code == 404
    assert client.get("/feeds/departments/home-office.atom?show=everything").status_code in (400, 422)


@pytest.mark.skipif(not HAS_SEARCH, reason="the search module is not in this checkout yet")
def test_saved_search_feed(client):
    feed = parse(client, "/feeds/search.atom?q=taser")
    assert feed.feed.title == "Search: taser" and feed.entries
    assert all("taser" in (e.summary + e.title).lower() for e in feed.entries)
    narrowed = parse(client, "/feeds/search.atom?q=taser&person=david-hanson")
    assert narrowed.entries and all(e.author == "David Hanson" for e in narrowed.entries)
    by_name = parse(client, "/feeds/search.atom?q=taser&member=David+Hanson")
    assert [e.id for e in by_name.entries] == [e.id for e in narrowed.entries]
    assert client.get("/feeds/search.atom").status_code == 400


def test_feed_links_for_page_heads():
    tag = feed_link("member", "david-hanson", "David Hanson's contributions")
    assert str(tag) == ('<link rel="alternate" type="application/atom+xml" title="David Hanson&#39;s '
                        'contributions" href="/feeds/members/david-hanson.atom">')
    assert feed_url("department", "home-office", show="answers") == "/feeds/departments/home-office.atom?show=answers"
    assert feed_url("search", q="knife crime", kind=["debates", "wrans"]) == \
        "/feeds/search.atom?q=knife+crime&kind=debates&kind=wrans"
    assert 'href="/feeds/search.atom?q=%3Cscript%3E"' in str(feed_link("search", q="<script>"))


def test_feed_link_is_a_template_global():
    from despatchbox.web.templating import templates
    rendered = templates.env.from_string('{{ feed_link("department", "home-office", "Home Office") }}').render()
    assert rendered.startswith('<link rel="alternate" type="application/atom+xml" title="Home Office"')


def test_entry_ids_are_stable_urns():
    assert entry_id("uk.org.publicwhip/debate/2009-10-26b.3.3") == entry_id("uk.org.publicwhip/debate/2009-10-26b.3.3")
    assert entry_id("a").startswith("urn:uuid:") and entry_id("a") != entry_id("b")


def test_feeds_have_validators_and_answer_304(client):
    first = client.get("/feeds/members/david-hanson.atom")
    again = client.get("/feeds/members/david-hanson.atom", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
