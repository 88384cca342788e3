"""The division page: division 230 of 26 October 2009 (158 ayes, 246 noes) and a Lords division."""
from __future__ import annotations

import re

import lxml.html
import pytest
from fastapi.testclient import TestClient

from despatchbox.web.app import create_app

from .page_helpers import text_of

DIVISION_230 = "/division/debate/2009-10-26b.125.5"


@pytest.fixture(scope="module")
def client(sample_url):
    return TestClient(create_app(sample_url), follow_redirects=False)


def test_division_230(client):
    r = client.get(DIVISION_230)
    assert r.status_code == 200
    doc = lxml.html.fromstring(r.text)
    main = text_of(doc.get_element_by_id("main"))
    assert main.startswith("Division 230: Marine and Coastal Access Bill [Lords] — [ist allocated day] Monday 26th October 2009")
    assert "Commons Chamber" in main
    assert "Ayes 158, Noes 246 — The Noes have it" in main
    assert "Question: That the amendment be made." in main           # the question put (issue 13)
    sides = doc.xpath('//div[@class="side"]')
    ayes, noes = text_of(sides[0]), text_of(sides[1])
    assert ayes.startswith("Ayes (158) Tellers (not in the count): Philip Hollobone, Graham Stuart")
    assert noes.startswith("Noes (246) Tellers (not in the count): Helen Jones, Stephen McCabe")
    # the tellers (two Conservatives for the Ayes) are shown apart: the party groups add up to the count
    assert "Conservative (119)" in ayes and "Labour (" in noes
    assert "David Hanson" in noes and "David Hanson" not in ayes
    for side, count in ((sides[0], 158), (sides[1], 246)):
        groups = [int(re.search(r"\((\d+)\)$", text_of(s)).group(1)) for s in side.xpath('.//summary')]
        assert sum(groups) == count
    # every name is listed: 158 + 246 by party, the 4 tellers apart
    names = doc.xpath('//ul[@class="names"]/li')
    assert len(names) == 404
    assert len(doc.xpath('//p[contains(@class, "tellers")]/a')) == 4
    assert doc.xpath('//a[@href="/mp/david-hanson" and .="David Hanson"]')
    # back to the debate, at the division
    assert doc.xpath('//a[@href="/debate/debate/2009-10-26b.32.0#g125.5"]')


def test_member_page_shows_how_they_voted(client):
    doc = lxml.html.fromstring(client.get("/mp/david-hanson").text)
    rows = [text_of(tr) for tr in doc.xpath('//table[@class="votes"]/tbody/tr')]
    assert "26 Oct 2009 No. 230: Marine and Coastal Access Bill [Lords] — [ist allocated day] No 158–246" in rows


def test_lords_division_uses_contents(client):
    r = client.get("/division/lords/2009-10-26a.1003.2")
    assert r.status_code == 200
    main = text_of(lxml.html.fromstring(r.text).get_element_by_id("main"))
    assert "Contents 153, Not contents 127 — The Contents have it" in main
    assert "Lords Chamber" in main


def test_old_and_unknown_division_ids(client):
    r = client.get("/division/debate/2009-10-26a.125.5")
    assert r.status_code == 301 and r.headers["location"] == DIVISION_230
    r = client.get("/division/debate/2009-10-26b.999.9")
    assert r.status_code == 404 and "There is no division with the id" in r.text
