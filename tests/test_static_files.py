"""The static files (web/static_files.py): served from memory, gzipped once, with validators and a
cache lifetime; nothing outside the folder, no method but GET and HEAD."""
from __future__ import annotations

import gzip

import pytest
from fastapi.testclient import TestClient
from lxml import html

from despatchbox.web.app import STATIC_DIR, create_app

CSS = (STATIC_DIR / "style.css").read_bytes()


@pytest.fixture
def client(sample_url):
    return TestClient(create_app(sample_url), follow_redirects=False)


def test_the_style_sheet_the_pages_link_to_is_served_gzipped_with_validators(client):
    page = html.fromstring(client.get("/").text)
    href = page.xpath('//link[@rel="stylesheet"]/@href')[0]
    r = client.get(href, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.content == CSS               # httpx decodes the gzip
    assert r.headers["content-encoding"] == "gzip" and int(r.headers["content-length"]) < len(CSS) / 2
    assert r.headers["content-type"] == "text/css; charset=utf-8"
    assert r.headers["vary"] == "Accept-Encoding" and r.headers["cache-control"] == "public, max-age=3600"
    assert r.headers["etag"].startswith('"') and r.headers["last-modified"].endswith("GMT")
    assert r.headers["x-content-type-options"] == "nosniff"     # the site's security headers still apply


def test_without_gzip_the_file_as_it_is(client):
    r = client.get("/static/style.css", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in r.headers and r.content == CSS
    assert int(r.headers["content-length"]) == len(CSS)


def test_a_matching_etag_is_answered_304_and_head_has_no_body(client):
    etag = client.get("/static/style.css").headers["etag"]
    for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        r = client.get("/static/style.css", headers={"If-None-Match": sent})
        assert r.status_code == 304 and r.content == b""
    assert client.get("/static/style.css", headers={"If-None-Match": '"other"'}).status_code == 200
    head = client.head("/static/style.css")
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == etag


@pytest.mark.parametrize("path", ["/static/nope.css", "/static/../app.py", "/static/%2e%2e/app.py", "/static/",
                                  "/static/style.css/", "/static/STYLE.CSS"])
def test_anything_else_is_the_sites_404(client, path):
    r = client.get(path)
    assert r.status_code == 404 and "Not found" in r.text


def test_only_get_and_head(client):
    r = client.post("/static/style.css")
    assert r.status_code == 405


def test_gzip_is_made_once_and_is_valid():
    from despatchbox.web.static_files import StaticAssets
    assets = StaticAssets(STATIC_DIR).assets
    assert set(assets) == {p.relative_to(STATIC_DIR).as_posix() for p in STATIC_DIR.rglob("*") if p.is_file()}
    assert gzip.decompress(assets["style.css"].gzipped) == CSS
