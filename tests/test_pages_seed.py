"""The north star: David Hanson's part in Home Office questions on 26 October 2009, as
Parallel Parliament shows a member's part in one debate."""
from __future__ import annotations

from datetime import date

import lxml.html
import pytest
from fastapi.testclient import TestClient

from despatchbox.web.app import create_app
from despatchbox.web.formatting import relative_age

from .page_helpers import text_of

SEED = "/mp/david-hanson/debate/debate/2009-10-26b.1.4"


@pytest.fixture(scope="module")
def client(sample_url):
    return TestClient(create_app(sample_url), follow_redirects=False)


@pytest.fixture(scope="module")
def seed(client):
    r = client.get(SEED)
    assert r.status_code == 200
    return lxml.html.fromstring(r.text)


def speeches(doc):
    return [(text_of(a.xpath('.//p[@class="speaker"]')[0]) if a.xpath('.//p[@class="speaker"]') else "",
             text_of(a.xpath('.//div[@class="body"]')[0]), a)
            for a in doc.xpath('//article[contains(@class, "speech")]')]


def test_header_as_parallel_parliament_shows_it(seed):
    main = text_of(seed.get_element_by_id("main"))
    assert main.startswith("Main Page: David Hanson (Labour - Delyn) "
                           "Department Debates - View all David Hanson's debates with the Home Office")
    assert f"Monday 26th October 2009 ({relative_age(date(2009, 10, 26))}) Commons Chamber" in main
    assert seed.xpath('//a[@href="/mp/david-hanson" and starts-with(., "Main Page: David Hanson")]')
    assert seed.xpath('//a[@href="/mp/david-hanson/dept-debates/home-office"]')


def test_his_answers_with_the_questions_they_answer_and_the_follow_ups(seed):
    shown = speeches(seed)
    speakers = [s for s, _, _ in shown]
    # the first exchange: Tasers
    assert speakers[:5] == [
        "Norman Baker (Lewes) (LD)",
        "The Minister for Policing, Crime and Counter-Terrorism (David Hanson)",
        "Norman Baker (Lewes) (LD)",
        "David Hanson (Delyn) (Lab)",
        "Tom Watson (West Bromwich East) (Lab)",
    ]
    assert shown[0][1] == "What his policy is on the use of Taser guns by police forces; and if he will make a statement."
    assert shown[1][1].startswith("We are committed to providing the police with the equipment necessary")
    assert "Tasers have been used 4,818 times up to March 2009" in shown[3][1]
    # his contributions are highlighted; every one of his 22 speeches is there
    mine = [a for s, _, a in shown if "highlight" in a.get("class")]
    assert len(mine) == 22
    assert all("David Hanson" in s for s, _, a in shown if "highlight" in a.get("class"))
    # every speech is attributed to a speaker
    assert all(speakers)


def test_other_speeches_are_elided_and_the_chair_is_named(seed):
    later = seed.xpath('//p[@class="later"]')
    assert later and all(text_of(p) == "--- Later in debate ---" for p in later)
    speakers = [s for s, _, _ in speeches(seed)]
    assert "Mr Speaker (John Bercow)" in speakers
    # Meg Hillier's opening answer on animal experiments is not his part of the debate
    assert not any("Meg Hillier" in s for s in speakers)
    # the subject headings of the exchanges
    subheadings = [text_of(h) for h in seed.xpath('//h2[@class="subheading"]')]
    assert subheadings[0] == "Tasers" and "Policing" in subheadings


def test_each_speech_links_to_its_place_in_the_full_debate(seed):
    links = seed.xpath('//article[contains(@class, "speech")]//a[.="View in full debate"]/@href')
    assert "/debate/debate/2009-10-26b.1.4#g3.3" in links
    assert all(link.startswith("/debate/debate/2009-10-26b.1.4#g") for link in links)
    assert seed.xpath('//a[@href="/debate/debate/2009-10-26b.1.4" and .="Read Full debate"]')
    source = seed.xpath('//a[starts-with(., "Source")]/@href')
    assert source and source[0].startswith("http://www.publications.parliament.uk/pa/cm200809/cmhansrd/cm091026/")


def test_the_anchor_targets_exist_in_the_full_debate(client, seed):
    full = lxml.html.fromstring(client.get("/debate/debate/2009-10-26b.1.4").text)
    ids = set(full.xpath("//@id"))
    for link in seed.xpath('//a[.="View in full debate"]/@href'):
        assert link.split("#", 1)[1] in ids


def test_a_member_who_did_not_speak_gets_a_404(client):
    r = client.get("/mp/meg-hillier/debate/westminhall/2009-10-27a.1.0")
    assert r.status_code == 404
    assert "Meg Hillier did not speak in" in r.text


def test_old_ids_redirect_to_the_current_version(client):
    r = client.get("/mp/david-hanson/debate/debate/2009-10-26a.1.4")
    assert r.status_code == 301
    assert r.headers["location"] == SEED
    # a speech id lands on the debate at that speech
    r = client.get("/mp/david-hanson/debate/debate/2009-10-26b.3.3")
    assert r.status_code == 301 and r.headers["location"] == SEED + "#g3.3"


def test_meg_hillier_seed_page(client):
    r = client.get("/mp/meg-hillier/debate/debate/2009-10-26b.1.4")
    doc = lxml.html.fromstring(r.text)
    main = text_of(doc.get_element_by_id("main"))
    assert main.startswith("Main Page: Meg Hillier (Labour - Hackney South & Shoreditch)")
    speakers = [s for s, _, _ in speeches(doc)]
    assert speakers[:2] == ["David Taylor (North West Leicestershire) (Lab)",
                            "The Parliamentary Under-Secretary of State for the Home Department (Meg Hillier)"]
    assert "I have given birth to a baby" in main
