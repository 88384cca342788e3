"""The home page: latest sitting days by chamber, the departments, a search box; every page
of issue 4 is reachable by following links from it."""
from __future__ import annotations

from urllib.parse import urljoin

import lxml.html
import pytest
from fastapi.testclient import TestClient

from despatchbox.web.app import create_app

from .page_helpers import text_of


@pytest.fixture(scope="module")
def client(sample_url):
    return TestClient(create_app(sample_url), follow_redirects=False)


def test_home_page(client):
    r = client.get("/")
    assert r.status_code == 200
    doc = lxml.html.fromstring(r.text)
    chambers = [text_of(h) for h in doc.xpath('//section[@class="chamber"]/h3')]
    assert chambers == ["Commons Chamber", "Westminster Hall", "Lords Chamber", "Public Bill Committees",
                        "Written Statements", "Written Answers"]
    commons = text_of(doc.get_element_by_id("commons"))
    assert commons.startswith("Commons Chamber Wednesday 28th October 2009")
    # Prime Minister's questions, then the Nimrod Review statement as its own item
    assert "Prime Minister 58 speeches" in commons and "Nimrod Review 31 speeches" in commons
    assert "Tuesday 27th October 2009" in commons
    assert doc.xpath('//section[@id="committees"]//h4[.="Tuesday 3rd November 2009"]')
    # the departments and a search box
    assert doc.xpath('//a[@href="/dept/home-office" and .="Home Office"]')
    assert doc.xpath('//form[@action="/search"]//input[@name="q"]')
    # no JavaScript needed
    assert not doc.xpath("//script")


def kind_of(path: str) -> str | None:
    if path.startswith(("/mp/", "/lord/")):
        parts = path.split("/")
        if len(parts) == 3:
            return "lord" if parts[1] == "lord" else "member"
        return {"dept-debates": "dept-debates", "debate": "seed", "vs": "versus"}.get(parts[3])
    for prefix, kind in (("/debate/", "debate"), ("/dept/", "department"), ("/departments", "departments"),
                         ("/written-question/", "question"), ("/division/", "division"), ("/day/", "day")):
        if path.startswith(prefix):
            return kind
    return None


def test_every_page_is_reachable_from_home(client):
    """A bounded breadth-first walk over the site's links from /, a few pages of each kind."""
    seen, queue, count = set(), ["/"], {}
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        doc = lxml.html.fromstring(r.text)
        for href in doc.xpath("//main//a/@href"):
            path = urljoin("http://testserver" + url, href).replace("http://testserver", "").split("#")[0]
            kind = kind_of(path)
            if kind and path not in seen and path not in queue and count.get(kind, 0) < 4:
                count[kind] = count.get(kind, 0) + 1
                queue.append(path)
    assert {"member", "lord", "dept-debates", "seed", "debate", "department", "departments", "question",
            "division", "versus", "day"} <= set(count), count
