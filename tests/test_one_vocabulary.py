"""One vocabulary: an item's title, date and department read the same on its page, in its feed
entry, in its alert email and in its API object — for every item of one sitting day (issue 14)."""
from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from lxml import etree, html

from despatchbox.alerts.emails import Emails
from despatchbox.alerts.model import Alert
from despatchbox.alerts.samples import sample_digest
from despatchbox.alerts.signing import Signer
from despatchbox.alerts.subscriptions import Target
from despatchbox.record import kinds
from despatchbox.record.naming import full_date
from despatchbox.record.urls import Urls
from despatchbox.store.database import engine_for
from despatchbox.web.app import create_app

DAY = date(2009, 10, 28)      # the latest day held: department feeds and the sample alert reach all its items
ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "http://despatchbox.test"


@pytest.fixture(scope="module")
def client(sample_url):
    return TestClient(create_app(sample_url))


def _api_items(client) -> list[dict]:
    items = []
    for kind in kinds.SPOKEN + kinds.STATEMENTS:
        page = client.get("/api/v1/debates", params={"date": DAY.isoformat(), "kind": kind, "limit": 100}).json()
        items += [i for i in page["items"] if i["department"] and i["speeches"]]
    return items


def _page(client, item) -> tuple[str, str, str]:
    doc = html.fromstring(client.get(item["web_url"]).text)
    title = doc.findtext(".//main//h1").strip()
    day = doc.find(".//main//p[@class='dateline']/span[@class='date']").text_content().strip()
    dept = doc.find(".//main//p[@class='meta']/a[@href]").text_content().strip()
    return title, day, dept


def _feed_entries(client, slug: str) -> dict[str, tuple[str, str]]:
    feed = etree.fromstring(client.get(f"/feeds/departments/{slug}.atom").content)
    name = feed.findtext(f"{ATOM}title").split(":")[0]
    out = {}
    for entry in feed.iter(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link").get("href").removeprefix("http://127.0.0.1:8000")
        out[link] = (entry.findtext(f"{ATOM}title"), entry.findtext(f"{ATOM}summary"), name)
    return out


def _email_text(sample_url, slug: str) -> str:
    with engine_for(sample_url).connect() as conn:
        sample = sample_digest(conn, Target("department", slug, {}), Urls(BASE))
    emails = Emails(links=Urls(BASE), signer=Signer("test-key"), mail_from="alerts@despatchbox.test")
    alert = Alert(id=1, email="reader@example.org", kind="department", target=slug, filters={}, frequency="daily")
    return emails.digest(alert, sample.digest, item_keys=["x"]).get_body(("plain",)).get_content()


def test_every_item_of_a_day_reads_the_same_on_page_feed_email_and_api(client, sample_url):
    items = _api_items(client)
    assert len(items) >= 10
    feeds: dict[str, dict] = {}
    emails: dict[str, str] = {}
    for item in items:
        slug = item["department"]["slug"]
        title, day, dept = item["title"], full_date(date.fromisoformat(item["date"])), item["department"]["name"]
        assert _page(client, item) == (title, day, dept), item["id"]

        entries = feeds.setdefault(slug, _feed_entries(client, slug))
        assert item["web_url"] in entries, (item["id"], slug)
        feed_title, summary, feed_dept = entries[item["web_url"]]
        assert feed_title == f"{title} ({kinds.name_of(item['kind'])})"
        assert day in summary and feed_dept == dept

        text = emails.setdefault(slug, _email_text(sample_url, slug))
        assert f"{title}\n" in text and f"· {day} · {dept}" in text, (item["id"], title)
