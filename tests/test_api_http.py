"""HTTP behaviour from ``install_http_middleware``: ETag / Last-Modified with 304 answers, gzip,
CORS for GET — on the API, on feeds, and on a small app for the rules about what is cached."""
from __future__ import annotations

import gzip
import zlib
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.testclient import TestClient

from despatchbox.web.app import create_app
from despatchbox.web.http_caching import etag_for, etag_matches, install_http_middleware

MEMBER = "/api/v1/members/10259"


@pytest.fixture(scope="module")
def client(sample_url):
    app = create_app(sample_url)
    install_http_middleware(app)
    install_http_middleware(app)             # a second call changes nothing
    with TestClient(app) as c:
        yield c


def test_api_responses_carry_validators(client):
    r = client.get(MEMBER)
    assert r.status_code == 200
    assert r.headers["etag"].startswith('W/"')
    modified = parsedate_to_datetime(r.headers["last-modified"])
    assert modified <= datetime.now(timezone.utc) + timedelta(seconds=1)
    assert client.get(MEMBER).headers["etag"] == r.headers["etag"]          # stable
    assert client.get("/api/v1/members/10080").headers["etag"] != r.headers["etag"]


def test_if_none_match_answers_304_without_a_body(client):
    etag = client.get(MEMBER).headers["etag"]
    r = client.get(MEMBER, headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b""
    assert r.headers["etag"] == etag
    assert client.get(MEMBER, headers={"If-None-Match": 'W/"something-else"'}).status_code == 200
    assert client.get(MEMBER, headers={"If-None-Match": f'"x", {etag}'}).status_code == 304
    assert client.get(MEMBER, headers={"If-None-Match": etag.removeprefix("W/")}).status_code == 304


def test_if_modified_since(client):
    modified = client.get(MEMBER).headers["last-modified"]
    assert client.get(MEMBER, headers={"If-Modified-Since": modified}).status_code == 304
    earlier = format_datetime(parsedate_to_datetime(modified) - timedelta(days=1), usegmt=True)
    assert client.get(MEMBER, headers={"If-Modified-Since": earlier}).status_code == 200
    assert client.get(MEMBER, headers={"If-Modified-Since": "not a date"}).status_code == 200
    # If-None-Match wins over If-Modified-Since
    assert client.get(MEMBER, headers={"If-None-Match": '"other"', "If-Modified-Since": modified}).status_code == 200


def test_errors_are_not_given_validators(client):
    r = client.get("/api/v1/members/99999999")
    assert r.status_code == 404 and "etag" not in r.headers


def test_gzip_for_clients_that_accept_it(client):
    r = client.get("/api/v1/debates/uk.org.publicwhip/debate/2009-10-26b.1.4",
                   headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and "accept-encoding" in r.headers["vary"].lower()
    raw = client.get("/api/v1/debates/uk.org.publicwhip/debate/2009-10-26b.1.4",
                     headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert r.json() == raw.json()
    assert r.headers["etag"] == raw.headers["etag"]
    stream = client.stream("GET", "/api/v1/stats", headers={"Accept-Encoding": "gzip"})
    with stream as s:
        body = b"".join(s.iter_raw())
    assert gzip.decompress(body).startswith(b"{")


def test_cors_for_get(client):
    r = client.get(MEMBER, headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "etag" in r.headers["access-control-expose-headers"].lower()
    pre = client.options(MEMBER, headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET",
                                          "Access-Control-Request-Headers": "If-None-Match"})
    assert pre.status_code == 200 and "GET" in pre.headers["access-control-allow-methods"]
    denied = client.options(MEMBER, headers={"Origin": "https://example.org",
                                             "Access-Control-Request-Method": "DELETE"})
    assert denied.status_code == 400


def test_feeds_and_docs_get_validators_too(client):
    for path in ("/feeds/departments/home-office.atom", "/api/v1/openapi.json", "/api/v1/docs"):
        r = client.get(path)
        assert r.status_code == 200 and "etag" in r.headers, path
        assert client.get(path, headers={"If-None-Match": r.headers["etag"]}).status_code == 304


def test_pages_get_validators(client):
    r = client.get("/")
    if r.status_code != 200:
        pytest.skip("no home page in this checkout")
    assert "etag" in r.headers
    assert client.get("/", headers={"If-None-Match": r.headers["etag"]}).status_code == 304


# --- the rules, on a small app ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small():
    app = FastAPI()

    @app.get("/page")
    def page():
        return HTMLResponse("<p>hello</p>" * 100)

    @app.get("/private")
    def private():
        return HTMLResponse("<p>yours</p>", headers={"Cache-Control": "private, no-store"})

    @app.get("/cookie")
    def cookie():
        response = PlainTextResponse("signed in")
        response.set_cookie("session", "x")
        return response

    @app.get("/own-etag")
    def own():
        return JSONResponse({"a": 1}, headers={"ETag": '"mine"'})

    @app.post("/form")
    def form():
        return HTMLResponse("<p>done</p>")

    install_http_middleware(app)
    return TestClient(app)


def test_rules(small):
    assert "etag" in small.get("/page").headers
    assert "etag" not in small.get("/private").headers
    assert "etag" not in small.get("/cookie").headers
    assert small.get("/own-etag").headers["etag"] == '"mine"'
    assert "etag" not in small.post("/form").headers
    assert small.post("/form", headers={"If-None-Match": "*"}).status_code == 200


def test_helpers():
    tag = etag_for(b"x")
    assert tag.startswith('W/"') and etag_for(b"x") == tag != etag_for(b"y")
    # the body's CRC-32 and Adler-32 and its length
    assert tag == f'W/"{zlib.crc32(b"x"):08x}{zlib.adler32(b"x"):08x}1"'
    big = bytes(range(256)) * 400
    assert etag_for(big) == f'W/"{zlib.crc32(big):08x}{zlib.adler32(big):08x}{len(big):x}"'
    # a change that keeps the length still changes the tag
    assert etag_for(big[:-1] + b"\x00") != etag_for(big)
    assert etag_matches("*", tag) and etag_matches(f'"a", {tag}', tag) and not etag_matches('"a"', tag)


def test_one_store_generation_feeds_etags_and_the_page_cache(sample_url):
    """ETag/Last-Modified and the page cache ask one StoreGeneration, in a worker thread."""
    import asyncio

    from despatchbox.web.app import create_app
    from despatchbox.web.http_caching import StoreGeneration, store_generation_of

    app = create_app(sample_url)
    client = TestClient(app)
    generation = store_generation_of(app)
    seen: list[bool] = []
    original = StoreGeneration.read

    def spy(self):
        try:
            asyncio.get_running_loop()
            seen.append(True)                    # called on the event loop: it would block it
        except RuntimeError:
            seen.append(False)
        return original(self)

    StoreGeneration.read = spy
    try:
        generation.ttl = 0
        client.get("/mp/david-hanson")
        client.get("/api/v1/stats")
    finally:
        StoreGeneration.read = original
    assert store_generation_of(app) is generation
    assert seen and not any(seen)                # always in a worker thread, never on the event loop
    assert generation._value.token is not None and generation._value.token[0] == "store"
