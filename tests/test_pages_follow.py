"""Following a member or a department from their page: the Atom feed advertised in the head and
linked visibly (the feed answers valid Atom), and the alert sign-up form, which posts to
/alerts/signup and gets a confirmation email out (a real SMTP server on loopback)."""
from __future__ import annotations

from urllib.parse import urljoin

import feedparser
import lxml.etree
import lxml.html
import pytest
from fastapi.testclient import TestClient

from despatchbox.web.app import create_app

from .alerts_fixtures import BASE_URL, SECRET, SmtpServer
from .page_helpers import page as doc_of

ATOM = "{http://www.w3.org/2005/Atom}"
PAGES = [
    # page, feed, alert kind, alert target, what the form offers
    ("/mp/david-hanson", "/feeds/members/david-hanson.atom", "person", "david-hanson", "David Hanson"),
    ("/lord/lord-bach", "/feeds/members/lord-bach.atom", "person", "lord-bach", "Lord Bach"),
    ("/dept/home-office", "/feeds/departments/home-office.atom", "department", "home-office", "the Home Office"),
]


@pytest.fixture(scope="module")
def client(sample_url):
    return TestClient(create_app(sample_url), follow_redirects=False)


@pytest.mark.parametrize("page, feed, kind, target, label", PAGES)
def test_the_feed_is_advertised_in_the_head_and_linked_visibly(client, page, feed, kind, target, label):
    doc = doc_of(client, page)
    links = doc.xpath('/html/head/link[@rel="alternate" and @type="application/atom+xml"]')
    assert [link.get("href") for link in links] == [feed]
    assert label.removeprefix("the ") in links[0].get("title")
    visible = doc.xpath('//main//a[normalize-space(.)="Atom feed"]')
    assert [a.get("href") for a in visible] == [feed]


@pytest.mark.parametrize("page, feed, kind, target, label", PAGES)
def test_the_linked_feed_is_valid_atom(client, page, feed, kind, target, label):
    href = doc_of(client, page).xpath('/html/head/link[@type="application/atom+xml"]/@href')[0]
    r = client.get(href)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/atom+xml")
    root = lxml.etree.fromstring(r.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None and root.find(f"{ATOM}{required}").text
    entries = root.findall(f"{ATOM}entry")
    assert entries, "the sample holds contributions for each of these"
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.find(f"{ATOM}{required}") is not None, required
        assert entry.find(f"{ATOM}link").get("href")
    parsed = feedparser.parse(r.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == len(entries)


@pytest.mark.parametrize("page, feed, kind, target, label", PAGES)
def test_the_alert_form_is_there_and_posts_to_signup(client, page, feed, kind, target, label):
    doc = doc_of(client, page)
    forms = doc.xpath('//main//form[contains(@class, "alert-signup")]')
    assert len(forms) == 1
    form = forms[0]
    assert form.get("method") == "post" and form.get("action") == "/alerts/signup"
    fields = dict(form.form_values())
    assert fields["kind"] == kind and fields["target"] == target
    assert form.xpath('.//input[@type="email" and @name="email" and @required]')
    assert f"Email me about {label}" in " ".join(form.text_content().split())


@pytest.fixture
def signup_client(database_factory, sample_url, monkeypatch):
    smtp = SmtpServer().start()
    monkeypatch.setenv("DESPATCHBOX_BASE_URL", BASE_URL)
    monkeypatch.setenv("DESPATCHBOX_SECRET_KEY", SECRET)
    monkeypatch.setenv("DESPATCHBOX_MAIL_FROM", "despatchbox <alerts@despatchbox.test>")
    monkeypatch.setenv("DESPATCHBOX_SMTP_URL", smtp.url)
    url = database_factory.clone(sample_url)
    yield TestClient(create_app(url), follow_redirects=False), smtp
    smtp.stop()


def test_submitting_the_forms_signs_up_and_sends_a_confirmation(signup_client):
    client, smtp = signup_client
    for n, (page, _feed, _kind, _target, label) in enumerate(PAGES):
        form = doc_of(client, page).xpath('//main//form[contains(@class, "alert-signup")]')[0]
        fields = dict(form.form_values())
        fields["email"] = f"reader{n}@example.org"
        r = client.post(urljoin(page, form.get("action")), data=fields)
        assert r.status_code == 200, (page, r.status_code, r.text[:500])
        assert "Check your email" in r.text or "check your email" in r.text.lower()
        mail = smtp.take()
        assert [m.rcpt_tos for m in mail] == [[f"reader{n}@example.org"]]
        assert label.removeprefix("the ") in mail[0].text
