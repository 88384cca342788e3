"""The full debate page, sitting days and redirects from superseded ids, on the real sample:
Home Office questions (with division 230), a Westminster Hall debate, a Lords question."""
from __future__ import annotations

from datetime import date

import lxml.html
import pytest
from fastapi.testclient import TestClient

from despatchbox.web.app import create_app
from despatchbox.web.formatting import relative_age

from .page_helpers import page, text_of

MARINE_BILL = "/debate/debate/2009-10-26b.32.0"
HOME_OFFICE = "/debate/debate/2009-10-26b.1.4"


@pytest.fixture(scope="module")
def client(sample_url):
    return TestClient(create_app(sample_url), follow_redirects=False)


def test_full_debate_header(client):
    doc = page(client, HOME_OFFICE)
    main = text_of(doc.get_element_by_id("main"))
    assert main.startswith("Home Department Monday 26th October 2009 "
                           f"({relative_age(date(2009, 10, 26))}) Commons Chamber")
    # the item is the departmental questions only (issue 13): the urgent question and the Marine Bill
    # report stage that the file prints under the same major heading are items of their own
    assert "Home Office · 150 speeches (9,516 words)" in main
    assert doc.xpath('//a[@href="/dept/home-office" and .="Home Office"]')


def test_every_heading_and_speech_with_a_permanent_anchor(client):
    doc = page(client, HOME_OFFICE)
    articles = doc.xpath('//article[contains(@class, "speech")]')
    assert len(articles) == 150
    ids = [a.get("id") for a in articles]
    assert len(set(ids)) == 150 and all(i.startswith("g") for i in ids)
    # the anchor is gid-derived without the file version, so it survives a new version of the day
    taser = doc.get_element_by_id("g3.3")
    assert "The Minister for Policing, Crime and Counter-Terrorism (David Hanson)" in text_of(taser)
    assert taser.xpath('.//a[@href="#g3.3"]')
    headings = [text_of(h) for h in doc.xpath('//h2[@class="subheading"]')]
    assert headings[:3] == ["Animals (Scientific Procedures) Act", "Tasers", "Crime Reduction Grants"]
    # speakers link to their pages; unattributed speeches are shown as printed
    assert doc.xpath('//article[@id="g3.3"]//a[@href="/mp/david-hanson"]')
    speakers = [text_of(p) for p in doc.xpath('//p[@class="speaker"]')]
    assert "Mr Speaker (John Bercow)" in speakers


def test_unattributed_speeches_are_shown_as_printed(client):
    doc = page(client, "/debate/debate/2009-10-26b.130.2")
    article = doc.get_element_by_id("g130.4")
    assert text_of(article.xpath('.//p[@class="speaker"]')[0]) == "Hon. Members"
    assert not article.xpath('.//p[@class="speaker"]/a')


def test_division_in_the_debate_with_tallies_and_names_by_party(client):
    doc = page(client, MARINE_BILL)
    division = doc.get_element_by_id("g125.5")
    text = text_of(division)
    assert "Division 230" in text and "Ayes 158, Noes 246" in text and "The Noes have it" in text
    assert "Tellers (not in the count): Philip Hollobone, Graham Stuart" in text
    assert "Conservative (119)" in text            # the two Conservative tellers are listed apart


def test_speech_text_is_escaped_once(client):
    html = client.get(HOME_OFFICE).text
    assert "pid=" not in html                       # source attributes are not passed through
    assert "&amp;amp;" not in html and "&amp;#" not in html
    doc = lxml.html.fromstring(html)
    assert "Friend's question" in text_of(doc.get_element_by_id("g1.10"))


def test_westminster_hall_debate(client):
    doc = page(client, "/debate/westminhall/2009-10-27a.1.0")
    main = text_of(doc.get_element_by_id("main"))
    assert main.startswith("Biofuels Tuesday 27th October 2009")
    assert "Westminster Hall" in main
    assert "Department of Energy and Climate Change · 52 speeches (12,163 words)" in main
    speakers = [text_of(p) for p in doc.xpath('//p[@class="speaker"]')]
    assert speakers[0] == "Anne Main (St Albans) (Con)"
    assert "The Parliamentary Under-Secretary of State for Energy and Climate Change (David Kidney)" in speakers
    assert "It is a delight to serve under your chairmanship this morning, Mr. Taylor." in main


def test_lords_question(client):
    doc = page(client, "/debate/lords/2009-10-26a.971.0")
    main = text_of(doc.get_element_by_id("main"))
    assert main.startswith("Commonwealth: Privy Council — Question Monday 26th October 2009")
    assert "Lords Chamber" in main and "Ministry of Justice · 24 speeches" in main
    speakers = [text_of(p) for p in doc.xpath('//p[@class="speaker"]')]
    assert speakers[:2] == ["Lord Anderson of Swansea (Lab)", "Lord Bach (Lab)"]
    assert "To ask Her Majesty's Government what plans they have to modify the system of appeals" in main
    assert doc.xpath('//a[@href="/lord/lord-bach" and .="Lord Bach (Lab)"]')


def test_written_answers_section_links_each_question(client):
    doc = page(client, "/debate/wrans/2009-10-26f.293337.mh")
    links = doc.xpath('//h2[@class="subheading"]/a/@href')
    assert "/written-question/wrans/2009-10-26f.294335.h" in links


def test_old_id_redirects_permanently_to_the_current_page(client):
    r = client.get("/debate/debate/2009-10-27a.141.2")            # a speech in version a, now in d
    assert r.status_code == 301
    assert r.headers["location"] == "/debate/debate/2009-10-27d.141.0#g141.2"
    assert client.get(r.headers["location"].split("#")[0]).status_code == 200
    r = client.get("/debate/uk.org.publicwhip/debate/2009-10-27a.141.2")      # the full gid works too
    assert r.status_code == 301 and r.headers["location"] == "/debate/debate/2009-10-27d.141.0#g141.2"
    r = client.get("/debate/debate/2009-10-26a.1.4")               # an old debate id
    assert r.status_code == 301 and r.headers["location"] == HOME_OFFICE
    r = client.get("/debate/debate/2009-10-26b.125.5")             # a division id → the division page
    assert r.status_code == 301 and r.headers["location"] == "/division/debate/2009-10-26b.125.5"


def test_unknown_debate_is_a_helpful_404(client):
    r = client.get("/debate/debate/2009-10-26z.999.9")
    assert r.status_code == 404
    assert "There is no debate with the id \u201cdebate/2009-10-26z.999.9\u201d" in r.text


def test_sitting_day(client):
    doc = page(client, "/day/2009-10-27")
    main = text_of(doc.get_element_by_id("main"))
    assert main.startswith("Tuesday 27th October 2009")
    for chamber in ("Commons Chamber", "Westminster Hall", "Lords Chamber", "Public Bill Committees",
                    "Written Statements", "Written Answers"):
        assert chamber in main
    assert doc.xpath('//a[@href="/debate/westminhall/2009-10-27a.1.0" and .="Biofuels"]')
    assert client.get("/day/2009-10-25").status_code == 404
    assert client.get("/day/yesterday").status_code == 400
