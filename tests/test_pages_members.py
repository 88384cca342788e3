"""Member pages on the real sample: David Hanson, Meg Hillier, Lord Bach; their debates with a
department; 404s and redirects."""
from __future__ import annotations

import re
from datetime import date

import lxml.html
import pytest
from fastapi.testclient import TestClient

from despatchbox.web.app import create_app
from despatchbox.web.formatting import relative_age


@pytest.fixture(scope="module")
def client(sample_url):
    return TestClient(create_app(sample_url), follow_redirects=False)


def visible(html: str) -> str:
    """The main content's text, whitespace collapsed, without the SVG chart."""
    main = lxml.html.fromstring(html).get_element_by_id("main")
    for svg in main.xpath(".//svg"):
        svg.getparent().remove(svg)
    return " ".join(main.text_content().split())


def test_member_page_shows_name_party_constituency_counts_and_posts(client):
    r = client.get("/mp/david-hanson")
    assert r.status_code == 200
    text = visible(r.text)
    assert "David Hanson (Labour - Delyn)" in text
    assert "Speeches 22" in text
    assert "Questions asked 0" in text
    assert "Answers given 11" in text
    assert "Votes 4" in text
    # government posts over time, newest first, linking to the department
    assert "Minister of State, Home Office (Crime and Policing)" in text
    assert "Minister of State, Ministry of Justice" in text
    assert "Parliamentary Under-Secretary, Wales Office" in text
    assert text.index("Home Office (Crime and Policing)") < text.index("Wales Office")
    # memberships over time
    assert "House of Commons Delyn Labour 5 May 2005 present" in text


def test_member_page_links_department_debates_recent_contributions_votes_and_chart(client):
    r = client.get("/mp/david-hanson")
    doc = lxml.html.fromstring(r.text)
    link = doc.xpath('//a[@href="/mp/david-hanson/dept-debates/home-office"]')
    assert link and " ".join(link[0].text_content().split()) == "1 debate with the Home Office"
    text = visible(r.text)
    assert "Recent contributions" in text
    assert "Home Department: Animal Experiments" not in text          # that was Meg Hillier
    assert "Answer · Wednesday 28th October 2009 · Written Answers · Home Office" in text
    # how they voted: four divisions, linking to the division pages
    votes = doc.xpath('//section[@id="votes"]//a/@href')
    assert "/division/debate/2009-10-26b.125.5" in votes
    assert "No. 230: Marine and Coastal Access Bill [Lords]" in text      # the item the division is in
    # the activity chart: server-rendered SVG with a text alternative
    svg = doc.xpath('//svg[@role="img"]')
    assert svg and "Activity of David Hanson: 33 contributions" in svg[0].get("aria-label")
    assert len(doc.xpath("//svg//rect")) >= 3
    # who they debated with, linking to the versus page
    assert doc.xpath('//a[starts-with(@href, "/mp/david-hanson/vs/")]')


def test_meg_hillier(client):
    r = client.get("/mp/meg-hillier")
    assert r.status_code == 200
    text = visible(r.text)
    assert "Meg Hillier (Labour - Hackney South & Shoreditch)" in text
    assert "Speeches 4" in text and "Answers given 9" in text and "Votes 1" in text
    assert "1 debate with the Home Office" in text
    assert "Home Department: Animal Experiments: Primates" in text
    assert "Parliamentary Under-Secretary, Home Office (Identity)" in text


def test_lord_page(client):
    r = client.get("/lord/lord-bach")
    assert r.status_code == 200
    text = visible(r.text)
    assert "Lord Bach (Labour - Life peer)" in text
    assert "Member of the House of Lords" in text
    # five items (issue 13): the Coroners and Justice Bill, printed in two parts on 26 and on 28 Oct
    # (no longer filed under BIS by a Conservative shadow post), and the Privy Council question
    assert "5 debates with the Ministry of Justice" in text
    assert "House of Lords Lord Bach (Life peer) Labour 1 Jan 1998 present" in text


def test_wrong_house_prefix_redirects(client):
    assert client.get("/lord/david-hanson").headers["location"] == "/mp/david-hanson"
    r = client.get("/mp/lord-bach/dept-debates/ministry-of-justice?page=1")
    assert r.status_code == 301
    assert r.headers["location"] == "/lord/lord-bach/dept-debates/ministry-of-justice?page=1"
    assert client.get("/members/david-hanson").headers["location"] == "/mp/david-hanson"


def test_unknown_member_is_a_helpful_404(client):
    r = client.get("/mp/no-such-member")
    assert r.status_code == 404
    assert "No member called \u201cno-such-member\u201d" in visible(r.text)
    assert client.get("/lord/no-such-lord/debate/debate/2009-10-26b.1.4").status_code == 404


def test_department_debates_of_a_member(client):
    r = client.get("/mp/david-hanson/dept-debates/home-office")
    assert r.status_code == 200
    text = visible(r.text)
    assert "1 David Hanson debate involving the Home Office" in text
    assert "Main Page: David Hanson (Labour - Delyn)" in text
    assert f"Monday 26th October 2009 ({relative_age(date(2009, 10, 26))}) · Commons Chamber · 22 contributions" in text
    assert "We are committed to providing the police with the equipment necessary" in text
    doc = lxml.html.fromstring(r.text)
    assert doc.xpath('//a[@href="/mp/david-hanson/debate/debate/2009-10-26b.1.4"]')


def test_department_debates_of_a_lord_are_newest_first(client):
    r = client.get("/lord/lord-bach/dept-debates/ministry-of-justice")
    text = visible(r.text)
    assert "5 Lord Bach debates involving the Ministry of Justice" in text
    dates = re.findall(r"(Monday|Tuesday|Wednesday) (\d+)\w\w October 2009", text)
    days = [int(d) for _, d in dates]
    assert days == sorted(days, reverse=True) and len(days) == 5


def test_department_debates_paging(client):
    assert client.get("/mp/david-hanson/dept-debates/home-office?page=0").status_code == 400
    assert client.get("/mp/david-hanson/dept-debates/home-office?page=x").status_code == 400
    r = client.get("/mp/david-hanson/dept-debates/home-office?page=7")      # past the end: the last page
    assert r.status_code == 200 and "Home Department" in visible(r.text)
    r = client.get("/mp/david-hanson/dept-debates/no-such-department")
    assert r.status_code == 404 and "No department called" in visible(r.text)
