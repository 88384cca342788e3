"""Alert pages: sign-up without an account (double opt-in over real SMTP), confirm, manage,
one-click unsubscribe, bad input and tampered links, rate limits, sample digests; and the
same confirm and unsubscribe links followed in a real headless Chromium."""
from __future__ import annotations

import re
import threading
import time
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from despatchbox.alerts import subscriptions
from despatchbox.alerts.sender import send_alerts
from despatchbox.alerts.signing import Signer
from despatchbox.alerts.subscriptions import RATE_LIMIT
from despatchbox.web import alerts_pages  # noqa: F401  (registers the alert templates' globals and filters)
from despatchbox.web.app import create_app
from despatchbox.web.templating import templates

from .alerts_fixtures import (BASE_URL, SECRET, SmtpServer, alert_settings, day_files, free_port, load,
                              members_database, members_template)


@pytest.fixture(scope="session")
def members_file(database_factory, db_backend, tmp_path_factory):
    return members_template(database_factory, db_backend, tmp_path_factory)


@pytest.fixture
def members_db(database_factory, members_file):
    return members_database(database_factory, members_file)


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


def _env(monkeypatch, smtp_url: str | None, base_url: str = BASE_URL):
    monkeypatch.setenv("DESPATCHBOX_BASE_URL", base_url)
    monkeypatch.setenv("DESPATCHBOX_SECRET_KEY", SECRET)
    monkeypatch.setenv("DESPATCHBOX_MAIL_FROM", "despatchbox <alerts@despatchbox.test>")
    if smtp_url:
        monkeypatch.setenv("DESPATCHBOX_SMTP_URL", smtp_url)
    else:
        monkeypatch.delenv("DESPATCHBOX_SMTP_URL", raising=False)


@pytest.fixture
def client(members_db, smtp, monkeypatch):
    _env(monkeypatch, smtp.url)
    return TestClient(create_app(members_db[0]), follow_redirects=False)


@pytest.fixture
def engine(members_db):
    return members_db[1]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def link(text: str, kind: str) -> str:
    return re.search(rf"https?://\S+/alerts/{kind}/[A-Za-z0-9._-]+", text).group(0)


def main_text(html: str) -> str:
    body = html[html.find("<main"):html.find("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def signup(client, **fields):
    data = {"email": "reader@example.org", "kind": "department", "target": "home-office", "frequency": "weekly"}
    data.update(fields)
    return client.post("/alerts/signup", data=data)


def test_sign_up_confirm_manage_and_unsubscribe(client, engine, smtp):
    page = client.get("/alerts")
    assert page.status_code == 200 and 'action="/alerts/signup"' in page.text

    r = signup(client)
    assert r.status_code == 200 and "Check your email" in r.text
    (mail,) = smtp.take()
    assert mail.rcpt_tos == ["reader@example.org"]
    assert mail.message["Subject"] == "Confirm your alert: Home Office · despatchbox"
    confirm = link(mail.text, "confirm")
    assert confirm.startswith(BASE_URL) and confirm in mail.html
    (alert,) = subscriptions.alerts_of(engine, "reader@example.org")
    assert not alert.confirmed and alert.frequency == "weekly"

    # the link shows the alert and a button; only the button confirms (link scanners only GET)
    r = client.get(path_of(confirm))
    assert r.status_code == 200 and "<button" in r.text and "Home Office" in r.text
    assert not subscriptions.get_alert(engine, alert.id).confirmed
    r = client.post(path_of(confirm))
    assert r.status_code == 200 and "Alert confirmed" in r.text
    assert subscriptions.get_alert(engine, alert.id).confirmed
    assert "already confirmed" in client.post(path_of(confirm)).text

    # manage: the signed link lists the address's alerts; change how often; delete
    manage = re.search(r'href="(/alerts/manage/[^"]+)"', r.text).group(1)
    signup(client, kind="query", target="knife crime", filter_party="Labour", filter_kind="wrans")
    smtp.take()
    r = client.get(manage)
    assert r.status_code == 200
    assert "Home Office" in r.text and "Search: “knife crime” (kind: wrans, party: Labour)" in r.text
    r = client.post(f"{manage}/{alert.id}", data={"frequency": "daily"})
    assert r.status_code == 303 and r.headers["location"] == f"{manage}?done=saved"
    assert subscriptions.get_alert(engine, alert.id).frequency == "daily"
    assert "Saved." in client.get(r.headers["location"]).text
    query_alert = next(a for a in subscriptions.alerts_of(engine, "reader@example.org") if a.kind == "query")
    assert query_alert.filters == {"kind": "wrans", "party": "Labour"}
    r = client.post(f"{manage}/{query_alert.id}/delete")
    assert r.status_code == 303
    assert [a.id for a in subscriptions.alerts_of(engine, "reader@example.org")] == [alert.id]

    # unsubscribe: GET shows a button; the one-click POST of RFC 8058 unsubscribes
    token = Signer(SECRET).unsubscribe_token(alert.id, "reader@example.org")
    r = client.get(f"/alerts/unsubscribe/{token}")
    assert r.status_code == 200 and "<button" in r.text
    assert subscriptions.get_alert(engine, alert.id) is not None
    r = client.post(f"/alerts/unsubscribe/{token}", content=b"List-Unsubscribe=One-Click",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and "Unsubscribed" in r.text
    assert subscriptions.get_alert(engine, alert.id) is None
    again = client.get(f"/alerts/unsubscribe/{token}")
    assert again.status_code == 200 and "no more emails" in again.text


def test_manage_link_by_email(client, engine, smtp):
    subscriptions.add_alert(engine, email="has@example.org", kind="person", target="david-hanson")
    r = client.post("/alerts/manage-link", data={"email": "has@example.org"})
    assert r.status_code == 200 and "If has@example.org has alerts here" in main_text(r.text)
    client.app.state.outbox.join()                # sent off the request path
    (mail,) = smtp.take()
    manage = link(mail.text, "manage")
    assert "David Hanson" in client.get(path_of(manage)).text
    # an address without alerts gets the same answer and no email
    r = client.post("/alerts/manage-link", data={"email": "none@example.org"})
    assert r.status_code == 200 and "If none@example.org has alerts here" in main_text(r.text)
    client.app.state.outbox.join()
    assert smtp.take() == []


@pytest.mark.parametrize("fields, message", [
    ({"email": "not-an-address"}, "is not a valid email address"),
    ({"email": ""}, "Please give an email address"),
    ({"kind": "query", "target": "   "}, "an alert needs a query"),
    ({"kind": "query", "target": "NOT"}, ""),
    ({"kind": "query", "target": "crime", "filter_party": "Nonsense"}, "No party called 'Nonsense'"),
    ({"kind": "department", "target": "ministry-of-magic"}, "There is no department 'ministry-of-magic'"),
    ({"kind": "person", "target": "nobody-at-all"}, "There is no member 'nobody-at-all'"),
    ({"kind": "planet", "target": "mars"}, "An alert is for a search, a member or a department"),
    ({"frequency": "hourly"}, "How often: choose immediate, daily, weekly"),
])
def test_bad_sign_up_input_is_a_400_with_a_message(client, smtp, fields, message):
    r = signup(client, **fields)
    assert r.status_code == 400
    error = re.search(r'class="form-error"[^>]*>([^<]+)<', r.text).group(1)
    assert message in error.replace("&#39;", "'")
    assert 'action="/alerts/signup"' in r.text            # the form again, to correct
    assert smtp.received == []


def test_tampered_expired_and_misused_links_are_rejected(client, engine, smtp, monkeypatch):
    alert, _ = subscriptions.add_alert(engine, email="t@example.org", kind="department", target="home-office",
                                       confirmed=False)
    signer = Signer(SECRET)
    confirm = signer.confirm_token(alert.id, "t@example.org")
    tampered = confirm[:-2] + ("AA" if not confirm.endswith("AA") else "BB")
    for path in (f"/alerts/confirm/{tampered}", f"/alerts/unsubscribe/{tampered}", f"/alerts/manage/{tampered}",
                 "/alerts/confirm/not-a-token", f"/alerts/manage/{signer.manage_token('t@example.org')}x"):
        r = client.get(path)
        assert r.status_code == 400, path
        assert "This link is not valid" in main_text(r.text)
    r = client.post(f"/alerts/confirm/{tampered}")
    assert r.status_code == 400 and not subscriptions.get_alert(engine, alert.id).confirmed
    # a link made for one purpose does not work for another
    assert client.post(f"/alerts/unsubscribe/{confirm}").status_code == 400
    assert subscriptions.get_alert(engine, alert.id) is not None
    # another secret key: rejected
    forged = Signer("another-key").unsubscribe_token(alert.id, "t@example.org")
    assert client.post(f"/alerts/unsubscribe/{forged}").status_code == 400
    # an expired confirmation link
    import itsdangerous.timed
    real_time = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real_time() - 8 * 24 * 3600)
    old = signer.confirm_token(alert.id, "t@example.org")
    monkeypatch.setattr(itsdangerous.timed.time, "time", real_time)
    r = client.get(f"/alerts/confirm/{old}")
    assert r.status_code == 400 and "expired" in main_text(r.text)
    # a manage link only reaches its own address's alerts
    other, _ = subscriptions.add_alert(engine, email="other@example.org", kind="person", target="david-hanson")
    mine = signer.manage_token("t@example.org")
    assert client.post(f"/alerts/manage/{mine}/{other.id}", data={"frequency": "weekly"}).status_code == 404
    client.post(f"/alerts/manage/{mine}/{other.id}/delete")
    assert subscriptions.get_alert(engine, other.id).frequency == "immediate"
    assert smtp.received == []


def test_sign_ups_are_rate_limited_per_address(client, smtp):
    for _ in range(RATE_LIMIT):
        assert signup(client, email="Busy@Example.org").status_code == 200
    r = signup(client, email="busy@example.org")
    assert r.status_code == 429
    assert "Too many requests for busy@example.org" in main_text(r.text)
    assert int(r.headers["Retry-After"]) > 0
    # manage-link requests have their own counter: sign-ups do not lock anyone out of their manage link
    assert client.post("/alerts/manage-link", data={"email": "busy@example.org"}).status_code == 200
    client.app.state.outbox.join()
    assert len(smtp.take()) == RATE_LIMIT
    assert signup(client, email="calm@example.org").status_code == 200


def test_mail_server_down_at_sign_up_is_a_503(members_db, monkeypatch):
    _env(monkeypatch, f"smtp://127.0.0.1:{free_port()}")
    client = TestClient(create_app(members_db[0]))
    r = signup(client)
    assert r.status_code == 503 and "could not send the confirmation email" in main_text(r.text)


@pytest.fixture(scope="module")
def sample_client(sample_url):
    return TestClient(create_app(sample_url))


def test_sample_alert_pages_show_the_last_week(sample_client):
    # the newest record held is a Public Bill Committee sitting of 3 November 2009
    r = sample_client.get("/alerts/sample/department/communities-and-local-government")
    assert r.status_code == 200
    text = main_text(r.text)
    assert re.search(r"Sample alert: [\w, ]*Communities and Local Government", text)
    assert "for the last week held, Wednesday 28th October 2009 to Tuesday 3rd November 2009" in text
    for heading in ("Parliamentary Debates", "Written Answers", "Divisions"):
        assert f"<h2>{heading}</h2>" in r.text
    assert re.search(r"Local Spending Reports \d+ speeches \([\d,]+ words\) · Commons Chamber · "
                     r"Wednesday 28th October 2009 · Department for Communities and Local Government", text)
    assert "Tuesday 27th October" not in text
    assert 'action="/alerts/signup"' in r.text and 'name="target" value="communities-and-local-government"' in r.text
    r = sample_client.get("/alerts/sample/department/home-office")
    assert r.status_code == 200 and "<h2>Written Answers</h2>" in r.text
    r = sample_client.get("/alerts/sample/search", params={"q": "parades", "date_from": "2009-10-27"})
    assert r.status_code == 200 and "Nothing in this period" not in main_text(r.text)
    r = sample_client.get("/alerts/sample/search", params={"q": '"Parades Commission"'})
    assert r.status_code == 200 and "Nothing in this period" in main_text(r.text)      # said on the 27th
    assert 'name="target" value="&#34;Parades Commission&#34;"' in r.text
    r = sample_client.get("/alerts/sample/search", params={"q": "police", "party": "Labour", "kind": "wrans"})
    assert r.status_code == 200 and "Written Answers" in r.text and "Parliamentary Debates" not in r.text
    assert 'name="filter_party" value="Labour"' in r.text
    r = sample_client.get("/alerts/sample/person/david-hanson")
    assert r.status_code == 200 and "Answered by" in r.text
    assert sample_client.get("/alerts/sample/search", params={"q": ""}).status_code == 400
    assert sample_client.get("/alerts/sample/department/ministry-of-magic").status_code == 404


@pytest.mark.parametrize("kind, target, expect", [
    ("person", "david-hanson", ['name="kind" value="person"', 'name="target" value="david-hanson"',
                                'href="/alerts/sample/person/david-hanson"']),
    ("department", "home-office", ['name="target" value="home-office"', 'href="/alerts/sample/department/home-office"']),
    ("query", {"q": "knife crime", "party": "Labour", "date_from": "2009-10-01"},
     ['name="target" value="knife crime"', 'name="filter_party" value="Labour"',
      'name="filter_date_from" value="2009-10-01"', "/alerts/sample/search?q=knife+crime"]),
    ("query", "", ['<input type="text" name="target"']),
])
def test_signup_form_partial(kind, target, expect):
    html = templates.env.get_template("alerts/_signup_form.html").render(kind=kind, target=target)
    assert 'method="post" action="/alerts/signup"' in html and 'type="email" name="email"' in html
    for piece in expect:
        assert piece in html


# --- a real browser ---------------------------------------------------------------------------

CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def live_site(members_db, smtp, monkeypatch):
    """The app served by uvicorn on a free port in a thread; emails link to it."""
    import uvicorn
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    _env(monkeypatch, smtp.url, base_url=base)
    server = uvicorn.Server(uvicorn.Config(create_app(members_db[0]), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.browser
def test_confirm_and_unsubscribe_in_chromium(live_site, members_db, smtp):
    from playwright.sync_api import sync_playwright
    url, engine = members_db
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            # sign up with the plain form (no JavaScript needed)
            page.goto(f"{live_site}/alerts?kind=department&target=home-office")
            page.fill("form.alert-signup input[name=email]", "browser@example.org")
            page.select_option("form.alert-signup select[name=frequency]", "immediate")
            page.click("form.alert-signup button[type=submit]")
            assert page.locator("h1").inner_text() == "Check your email"
            (mail,) = smtp.take()
            confirm = link(mail.text, "confirm")
            assert confirm.startswith(live_site)

            # a tampered link is refused with a clear message
            response = page.goto(confirm[:-3] + "xyz")
            assert response.status == 400
            assert "This link is not valid" in page.locator("main").inner_text()

            # the signed link: the alert, and a Confirm button
            response = page.goto(confirm)
            assert response.status == 200
            (alert,) = subscriptions.alerts_of(engine, "browser@example.org")
            assert not alert.confirmed
            page.click("button:has-text('Confirm')")
            assert page.locator("h1").inner_text() == "Alert confirmed"
            assert subscriptions.get_alert(engine, alert.id).confirmed

            # a digest arrives; its List-Unsubscribe link, followed in the browser, unsubscribes
            load(engine, *day_files("2009-10-26"))
            report = send_alerts(engine, alert_settings(url, smtp.url, base_url=live_site))
            assert report.ok and report.items_sent > 0
            (digest,) = smtp.take()
            unsubscribe = re.fullmatch(r"<(.+)>", digest.message["List-Unsubscribe"]).group(1)
            assert unsubscribe.startswith(f"{live_site}/alerts/unsubscribe/") and unsubscribe in digest.html
            page.goto(unsubscribe)
            assert "Home Office" in page.locator("main").inner_text()
            page.click("button:has-text('Unsubscribe')")
            assert page.locator("h1").inner_text() == "Unsubscribed"
            assert subscriptions.get_alert(engine, alert.id) is None
        finally:
            browser.close()
