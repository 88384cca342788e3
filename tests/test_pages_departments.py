"""The department pages: the list, and the Home Office with its ministers on the latest
sitting day, its debates, written statements and written answers, each paged."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from despatchbox.web.app import create_app

from .page_helpers import page, text_of


@pytest.fixture(scope="module")
def client(sample_url):
    return TestClient(create_app(sample_url), follow_redirects=False)


def test_departments_list(client):
    doc = page(client, "/departments")
    items = [text_of(li) for li in doc.xpath('//ul[@class="items"]/li')]
    assert any(i.startswith("Home Office ") for i in items)
    assert doc.xpath('//a[@href="/dept/home-office" and .="Home Office"]')
    assert doc.xpath('//a[@href="/dept/ministry-of-justice"]')


def test_home_office_ministers_on_the_latest_sitting_day(client):
    doc = page(client, "/dept/home-office")
    ministers = text_of(doc.get_element_by_id("ministers"))
    assert "In post on Tuesday 3rd November 2009, the latest sitting day held." in ministers
    ranks = [text_of(h) for h in doc.xpath('//section[@id="ministers"]/h3')]
    assert ranks == ["Secretary of State", "Minister of State", "Parliamentary Under-Secretary"]
    assert "Alan Johnson — Secretary of State" in ministers
    assert "David Hanson — Minister of State (Crime and Policing)" in ministers
    assert "Phil Woolas — Minister of State" in ministers
    assert "Alan Campbell — Parliamentary Under-Secretary" in ministers
    assert "Lord West of Spithead — Parliamentary Under-Secretary (Security and Counter-terrorism)" in ministers
    assert doc.xpath('//section[@id="ministers"]//a[@href="/mp/david-hanson"]')
    assert doc.xpath('//section[@id="ministers"]//a[@href="/lord/lord-west-of-spithead"]')
    assert "PPS" not in ministers and "Shadow" not in ministers


def test_home_office_debates_statements_and_answers(client):
    doc = page(client, "/dept/home-office")
    debates = text_of(doc.get_element_by_id("debates"))
    # items of business (issue 13): the Home Office's questions, the Lords question on bullying, the
    # Lords migrant workers debate, the Policing and Crime Bill motion, the CCTV ten minute rule bill
    # and the EU justice and home affairs motion; no longer the urgent question on the Territorial
    # Army and the Marine Bill, which the file prints under the HOME DEPARTMENT heading
    assert debates.startswith("Debates (6)")
    assert "Home Department Monday 26th October 2009 · Commons Chamber · 150 speeches" in debates
    assert "Marine and Coastal Access Bill" not in debates and "Territorial Army" not in debates
    assert "Families: Bullying — Question Monday 26th October 2009 · Lords Chamber" in debates
    statements = text_of(doc.get_element_by_id("statements"))
    assert statements.startswith("Written statements (2)") and "National Identity Service" in statements
    answers = text_of(doc.get_element_by_id("answers"))
    assert answers.startswith("Written answers (76)")
    assert "Animal Experiments: Primates Wednesday 28th October 2009 · asked by Katy Clark · answered by Meg Hillier" in answers
    assert "Page 1 of 8" in answers
    assert doc.xpath('//section[@id="answers"]//a[@rel="next" and @href="/dept/home-office?answers_page=2#answers"]')


def test_lists_page_independently(client):
    first = text_of(page(client, "/dept/home-office").get_element_by_id("answers"))
    second = page(client, "/dept/home-office?answers_page=2")
    answers = text_of(second.get_element_by_id("answers"))
    assert "Page 2 of 8" in answers and answers != first
    assert text_of(second.get_element_by_id("debates")).startswith("Debates (6)")
    last = text_of(page(client, "/dept/home-office?answers_page=99").get_element_by_id("answers"))
    assert "Page 8 of 8" in last
    assert client.get("/dept/home-office?answers_page=0").status_code == 400
    assert client.get("/dept/home-office?debates_page=two").status_code == 400


def test_unknown_department_is_a_helpful_404(client):
    r = client.get("/dept/ministry-of-magic")
    assert r.status_code == 404
    assert "No department called \u201cministry-of-magic\u201d" in r.text
    assert client.get("/departments/home-office").headers["location"] == "/dept/home-office"


def test_a_departments_lists_read_only_the_kinds_it_holds_and_miss_nothing(sample_url):
    """The page reads each list's sections of the kinds the department holds (its totals by kind): for
    every department of the sample and every page of its lists, the same sections as reading every
    kind of the list."""
    from despatchbox.store.database import engine_for, reading
    from despatchbox.store.queries import debates as debate_queries, departments as department_queries
    from despatchbox.store.queries.people import SPOKEN_KINDS
    from despatchbox.web.pages.departments import WRITTEN_STATEMENT_KINDS, _held

    with reading(engine_for(sample_url)) as conn:
        checked = pruned = 0
        for dept in department_queries.all_departments(conn):
            totals = debate_queries.department_totals_by_kind(conn, dept["slug"])
            for kinds in (SPOKEN_KINDS, WRITTEN_STATEMENT_KINDS):
                held = _held(totals, kinds)
                pruned += len(held) < len(kinds)
                for offset in (0, 10, 20):
                    every = debate_queries.department_sections(conn, dept["slug"], kinds, limit=10, offset=offset)
                    ours = debate_queries.department_sections(conn, dept["slug"], held, limit=10, offset=offset)
                    assert ours == every
                    checked += len(every[1])
        assert checked > 50 and pruned > 0          # sections compared, and kinds left unread
