"""Departments are named as they were called on the record's date, on every surface, with what became
of them since: the sample week (October 2009) says "Department for Business, Innovation and Skills"
— on the list, its page, the API, a member's department page, an alert's sample and its email —
never today's "Department for Business and Trade" as if it had been called that in 2009."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from despatchbox.alerts.model import DEPARTMENT, Alert
from despatchbox.alerts.subscriptions import describe
from despatchbox.web.app import create_app

from .page_helpers import page, text_of

BIS = "Department for Business, Innovation and Skills"
NOW = "Department for Business and Trade"


@pytest.fixture(scope="module")
def client(sample_url):
    return TestClient(create_app(sample_url), follow_redirects=False)


def test_the_list_names_each_department_as_held_and_says_what_it_became(client):
    doc = page(client, "/departments")
    items = {text_of(li.xpath("a")[0]): text_of(li) for li in doc.xpath('//ul[@class="items"]/li')}
    assert BIS in items and NOW not in items
    assert "now called Department for Business and Trade" in items[BIS]
    # merged since: a link to the department it is now part of
    dfid = "Department for International Development"
    assert "now part of Foreign, Commonwealth and Development Office" in items[dfid]
    li = doc.xpath(f'//ul[@class="items"]/li[a[.="{dfid}"]]')[0]
    assert li.xpath('.//a[@href="/dept/foreign-office"]')
    # the Home Office was called that then and is now: nothing added
    assert "now" not in items["Home Office"].split("latest")[1]


def test_department_page_and_api_agree(client):
    doc = page(client, "/dept/business")
    assert text_of(doc.xpath("//h1")[0]) == BIS
    assert "now called Department for Business and Trade" in text_of(doc.xpath('//p[contains(@class,"now")]')[0])
    listed = next(d for d in client.get("/api/v1/departments").json()["items"] if d["slug"] == "business")
    assert listed["name"] == BIS and listed["now"] == {"relation": "now called", "name": NOW, "slug": "business"}
    one = client.get("/api/v1/departments/business").json()
    assert one["name"] == BIS and one["now"]["name"] == NOW
    # asked for today's date, the API names it as it is called today
    assert client.get("/api/v1/departments/business", params={"date": "2024-01-01"}).json()["name"] == NOW


def test_a_members_department_pages_use_the_name_of_their_debates(client):
    doc = page(client, "/mp/david-lammy")
    links = doc.xpath('//a[@href="/mp/david-lammy/dept-debates/business"]')
    assert [text_of(a) for a in links] == [f"1 debate with the {BIS}"]
    doc = page(client, "/mp/david-lammy/dept-debates/business")
    assert text_of(doc.xpath("//h1")[0]) == f"1 David Lammy debate involving the {BIS}"


def test_alerts_name_the_department_as_held(client, sample_engine):
    doc = page(client, "/alerts/sample/department/business")
    assert text_of(doc.xpath("//h1")[0]) == f"Sample alert: {BIS}"
    with sample_engine.connect() as conn:            # the title of its emails
        assert describe(conn, Alert(id=0, email="", kind=DEPARTMENT, target="business", filters={})) == BIS
