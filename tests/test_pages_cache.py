"""The rendered-page cache (web/page_cache.py): pages served again from memory until the record
changes; never errors, redirects, or anything but the site's pages; bounded memory; gzip and
conditional GET still right on a hit."""
from __future__ import annotations

import gzip
from datetime import datetime, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, update

from despatchbox.store.database import engine_for
from despatchbox.store.schema import debates, ingest_batches
from despatchbox.web.app import create_app
from despatchbox.web.http_caching import store_generation_of
from despatchbox.web.page_cache import page_cache_of

PAGES = ["/", "/departments", "/day/2009-10-26", "/mp/david-hanson", "/lord/lord-bach", "/dept/home-office",
         "/debate/debate/2009-10-26b.1.4", "/mp/david-hanson/debate/debate/2009-10-26b.1.4",
         "/mp/david-hanson/dept-debates/home-office", "/mp/david-hanson/vs/meg-hillier",
         "/written-question/wrans/2009-10-26f.294335.h", "/division/debate/2009-10-26b.125.5"]


@pytest.fixture
def app(sample_url):
    return create_app(sample_url)


@pytest.fixture
def client(app):
    return TestClient(app, follow_redirects=False)


def state(r) -> str | None:
    return r.headers.get("x-page-cache")


@pytest.mark.parametrize("path", PAGES)
def test_a_page_is_rendered_once_then_served_from_memory(client, path):
    first = client.get(path, headers={"accept-encoding": "identity"})
    again = client.get(path, headers={"accept-encoding": "identity"})
    assert first.status_code == again.status_code == 200
    assert (state(first), state(again)) == ("miss", "hit")
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["last-modified"] == first.headers["last-modified"]
    assert again.headers["content-type"] == first.headers["content-type"]
    assert int(again.headers["content-length"]) == len(again.content)


def test_gzip_and_plain_bodies_are_the_same_page(client):
    path = "/debate/debate/2009-10-26b.1.4"
    plain = client.get(path, headers={"accept-encoding": "identity"})
    for _ in range(2):                                    # rendered, then from memory
        raw = client.get(path, headers={"accept-encoding": "gzip"}, extensions={})
        assert raw.headers["content-encoding"] == "gzip"
        assert "accept-encoding" in raw.headers["vary"].lower()
        assert raw.content == plain.content               # httpx decodes it
    assert state(raw) == "hit"
    # what went over the wire is a gzip stream of the same bytes
    with client.stream("GET", path, headers={"accept-encoding": "gzip"}) as r:
        wire = b"".join(r.iter_raw())
    assert gzip.decompress(wire) == plain.content and len(wire) < len(plain.content) / 2


def test_conditional_get_on_a_hit(client):
    path = "/mp/david-hanson"
    first = client.get(path)
    r = client.get(path, headers={"if-none-match": first.headers["etag"]})
    assert r.status_code == 304 and r.content == b"" and state(r) == "hit"
    assert r.headers["etag"] == first.headers["etag"]
    r = client.get(path, headers={"if-none-match": 'W/"something-else"'})
    assert r.status_code == 200 and r.content == first.content
    r = client.get(path, headers={"if-modified-since": first.headers["last-modified"]})
    assert r.status_code == 304
    r = client.get(path, headers={"if-modified-since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert r.status_code == 200


@pytest.mark.parametrize("path, status", [("/mp/nobody-at-all", 404), ("/debate/debate/1999-01-01a.1.1", 404),
                                          ("/dept/home-office?debates_page=0", 400),
                                          ("/mp/lord-bach", 301), ("/debates/debate/2009-10-26b.1.4", 301)])
def test_errors_and_redirects_are_never_kept(client, app, path, status):
    for _ in range(3):
        r = client.get(path)
        assert r.status_code == status and state(r) is None
    assert page_cache_of(app).stats()["entries"] == 0


@pytest.mark.parametrize("path", ["/search?q=taser", "/alerts", "/feeds/members/david-hanson.atom",
                                  "/api/v1/members/david-hanson", "/static/style.css", "/who-said"])
def test_only_pages_are_kept(client, app, path):
    for _ in range(2):
        assert state(client.get(path)) is None
    assert page_cache_of(app).stats()["entries"] == 0


def test_cross_origin_and_head_requests_pass_through(client, app):
    r = client.get("/mp/david-hanson", headers={"origin": "https://example.org"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*" and state(r) is None
    # HEAD is answered as GET would be (web/negotiation.py), from the cache too, without a body
    head = client.head("/mp/david-hanson")
    assert head.status_code == 200 and head.content == b"" and state(head) in ("miss", "hit")
    assert page_cache_of(app).stats()["entries"] <= 1


def test_memory_is_bounded(sample_url, monkeypatch):
    monkeypatch.setenv("DESPATCHBOX_PAGE_CACHE_MB", "0.5")
    app = create_app(sample_url)
    client = TestClient(app)
    for path in PAGES:
        assert client.get(path).status_code == 200
    cache = page_cache_of(app)
    stats = cache.stats()
    assert stats["budget"] == 512 * 1024 and stats["bytes"] <= stats["budget"]
    assert stats["evicted"] > 0 or stats["stored"] < len(PAGES)
    # the big debate (over an eighth of the budget) is rendered every time, never kept
    assert [state(client.get("/debate/debate/2009-10-26b.1.4")) for _ in range(2)] == ["miss", "miss"]


def test_the_cache_can_be_turned_off(sample_url, monkeypatch):
    monkeypatch.setenv("DESPATCHBOX_PAGE_CACHE_MB", "0")
    app = create_app(sample_url)
    client = TestClient(app)
    assert [state(client.get("/mp/david-hanson")) for _ in range(2)] == [None, None]
    assert page_cache_of(app).stats()["entries"] == 0


def test_a_finished_ingest_drops_every_page(database_factory, sample_url):
    url = database_factory.clone(sample_url)
    app = create_app(url)
    client = TestClient(app)
    store_generation_of(app).ttl = 0           # ask the store on every request (normally every 5 s)
    path = "/debate/debate/2009-10-26b.1.4"
    assert [state(client.get(path)) for _ in range(2)] == ["miss", "hit"]
    engine = engine_for(url)
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:               # an ingest starts and changes a title …
        batch = conn.execute(insert(ingest_batches).values(started_at=now)).inserted_primary_key[0]
        conn.execute(update(debates).where(debates.c.id == "uk.org.publicwhip/debate/2009-10-26b.1.4")
                     .values(title="Home Department (corrected)"))
    r = client.get(path)
    assert state(r) == "miss" and "Home Department (corrected)" in r.text
    assert state(client.get(path)) == "hit"
    with engine.begin() as conn:               # … and finishes
        conn.execute(update(ingest_batches).where(ingest_batches.c.id == batch).values(finished_at=now))
    assert state(client.get(path)) == "miss"


def test_entries_expire(sample_url):
    app = create_app(sample_url)
    client = TestClient(app)
    client.get("/")
    page_cache_of(app).entry_ttl = 0           # relative ages move on: entries live ENTRY_TTL seconds
    assert state(client.get("/")) == "miss"


def test_a_revalidating_browser_gets_304_and_the_page_is_kept(client, app):
    path = "/dept/home-office"
    etag = client.get(path).headers["etag"]
    page_cache_of(app).clear()
    r = client.get(path, headers={"if-none-match": etag})          # not in memory: rendered, kept, 304
    assert r.status_code == 304 and state(r) == "miss" and r.headers["etag"] == etag
    assert state(client.get(path)) == "hit"


def test_validators_still_work_with_the_cache_off(sample_url, monkeypatch):
    monkeypatch.setenv("DESPATCHBOX_PAGE_CACHE_MB", "0")
    client = TestClient(create_app(sample_url))
    etag = client.get("/mp/david-hanson").headers["etag"]
    r = client.get("/mp/david-hanson", headers={"if-none-match": etag})
    assert r.status_code == 304 and state(r) is None


def test_a_page_compressed_for_one_response_is_isa_ls_gzip_and_a_kept_one_zlibs(sample_url, monkeypatch):
    """With the cache off a page is compressed for one response, by ISA-L at the fast level; a page the
    cache keeps is compressed once by zlib at its level. Both are gzip streams of the plain page."""
    from isal import igzip

    from despatchbox.web.http_caching import FAST_GZIP_LEVEL
    from despatchbox.web.page_cache import GZIP_LEVEL

    path = "/debate/debate/2009-10-26b.1.4"
    for budget, compress in (("0", lambda body: igzip.compress(body, compresslevel=FAST_GZIP_LEVEL, mtime=0)),
                             ("64", lambda body: gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0))):
        monkeypatch.setenv("DESPATCHBOX_PAGE_CACHE_MB", budget)
        client = TestClient(create_app(sample_url), follow_redirects=False)
        plain = client.get(path, headers={"accept-encoding": "identity"}).content
        with client.stream("GET", path, headers={"accept-encoding": "gzip"}) as r:
            assert r.headers["content-encoding"] == "gzip"
            wire = b"".join(r.iter_raw())
        assert gzip.decompress(wire) == plain
        assert wire == compress(plain), budget
