"""/mp/{a}/vs/{b}: "Debate between A and B"."""
from __future__ import annotations

import lxml.html
import pytest
from fastapi.testclient import TestClient

from despatchbox.web.app import create_app

from .page_helpers import text_of


@pytest.fixture(scope="module")
def client(sample_url):
    return TestClient(create_app(sample_url), follow_redirects=False)


def test_debate_between_two_members(client):
    r = client.get("/mp/david-hanson/vs/tom-watson")
    assert r.status_code == 200
    doc = lxml.html.fromstring(r.text)
    main = text_of(doc.get_element_by_id("main"))
    assert main.startswith("Debate between David Hanson and Tom Watson")
    assert "1 debate in which both spoke" in main
    assert doc.xpath('//section[@class="exchange"]/h2/a[@href="/debate/debate/2009-10-26b.1.4"]')
    speakers = [text_of(p) for p in doc.xpath('//p[@class="speaker"]')]
    assert set(speakers) == {"The Minister for Policing, Crime and Counter-Terrorism (David Hanson)",
                             "David Hanson (Delyn) (Lab)", "Tom Watson (West Bromwich East) (Lab)"}
    # his other question that day was in the Territorial Army urgent question, an item of its own
    assert speakers.count("Tom Watson (West Bromwich East) (Lab)") == 1
    # Tom Watson's question on Taser guidance and the Minister's reply, with the rest elided
    assert "Will my right hon. Friend assure me that those views will be reflected in any future guidance?" in main
    assert "--- Later in debate ---" in main


def test_lords_and_no_common_debates(client):
    r = client.get("/lord/lord-bach/vs/lord-hanson")
    assert r.status_code == 200
    assert "have not spoken in the same debate" in r.text
    r = client.get("/mp/lord-bach/vs/lord-hanson")
    assert r.status_code == 301 and r.headers["location"] == "/lord/lord-bach/vs/lord-hanson"


def test_unknown_members(client):
    r = client.get("/mp/david-hanson/vs/nobody-at-all")
    assert r.status_code == 404 and "No member called \u201cnobody-at-all\u201d" in r.text
    assert client.get("/mp/david-hanson/vs/tom-watson?page=0").status_code == 400
