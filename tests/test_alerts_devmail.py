"""Alerts without a mail server (issue 15). On a laptop (loopback base URL, no
DESPATCHBOX_SMTP_URL) every email goes to the development mailbox, a folder of .eml files the site
shows at /dev/mailbox, so a newcomer can sign up, open the email and follow its confirmation link.
On a public site without SMTP, start-up logs a warning and the pages say alerts are not configured
(nothing is saved; never a 503); /dev/mailbox does not exist there, nor when SMTP is set."""
from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from despatchbox.alerts import subscriptions
from despatchbox.alerts.mailbox import DevMailbox, mailbox_folder
from despatchbox.alerts.sender import send_alerts
from despatchbox.config import Settings
from despatchbox.web.app import create_app

from .alerts_fixtures import SECRET, SmtpServer, day_files, load, members_database, members_template

LOCAL = "http://127.0.0.1:8000"


@pytest.fixture(scope="session")
def members_file(database_factory, db_backend, tmp_path_factory):
    return members_template(database_factory, db_backend, tmp_path_factory)


@pytest.fixture
def members_db(database_factory, members_file):
    return members_database(database_factory, members_file)


def _env(monkeypatch, *, base_url, mailbox=None, smtp_url=None, secret=SECRET):
    monkeypatch.setenv("DESPATCHBOX_BASE_URL", base_url)
    monkeypatch.setenv("DESPATCHBOX_SECRET_KEY", secret)
    for name, value in (("DESPATCHBOX_SMTP_URL", smtp_url), ("DESPATCHBOX_MAILBOX_DIR", mailbox)):
        if value:
            monkeypatch.setenv(name, str(value))
        else:
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def dev_site(members_db, tmp_path, monkeypatch):
    _env(monkeypatch, base_url=LOCAL, mailbox=tmp_path / "mailbox")
    app = create_app(members_db[0])
    return TestClient(app, follow_redirects=False), members_db[1], tmp_path / "mailbox"


def _path(url: str) -> str:
    assert url.startswith(LOCAL + "/"), url
    return url[len(LOCAL):]


def test_a_newcomer_signs_up_opens_the_mailbox_and_confirms(dev_site):
    client, engine, folder = dev_site
    r = client.post("/alerts/signup", data={"email": "newcomer@example.org", "kind": "department",
                                            "target": "home-office", "frequency": "daily"})
    assert r.status_code == 200 and "Check your email" in r.text
    assert 'href="/dev/mailbox"' in r.text                         # linked from the confirmation page
    (eml,) = folder.glob("*.eml")                                  # one real .eml file
    assert b"Confirm your alert: Home Office" in eml.read_bytes()

    box = client.get("/dev/mailbox")
    assert box.status_code == 200 and box.headers["Cache-Control"] == "no-store"
    assert "newcomer@example.org" in box.text and "Confirm your alert: Home Office" in box.text
    message_path = re.search(r'href="(/dev/mailbox/[^"]+\.eml)"', box.text).group(1)
    message = client.get(message_path)
    assert message.status_code == 200
    confirm = re.search(r'<a href="(http://127\.0\.0\.1:8000/alerts/confirm/[^"]+)"', message.text).group(1)

    (alert,) = subscriptions.alerts_of(engine, "newcomer@example.org")
    assert not alert.confirmed
    assert "Confirm" in client.get(_path(confirm)).text
    r = client.post(_path(confirm))
    assert r.status_code == 200 and "Alert confirmed" in r.text
    assert subscriptions.get_alert(engine, alert.id).confirmed

    # a manage link goes there too (sent off the request path)
    r = client.post("/alerts/manage-link", data={"email": "newcomer@example.org"})
    assert r.status_code == 200 and 'href="/dev/mailbox"' in r.text
    client.app.state.outbox.join()
    assert len(list(folder.glob("*.eml"))) == 2
    assert len(re.findall(r'href="/dev/mailbox/[^"]+\.eml"', client.get("/dev/mailbox").text)) == 2


def test_mailbox_refuses_names_that_are_not_its_messages(dev_site):
    client, _engine, folder = dev_site
    folder.mkdir(parents=True)
    (folder.parent / "secret.txt").write_text("not mail")
    for name in ("..%2Fsecret.txt", "secret.txt", "20260101T000000-000000-deadbeef.eml"):
        assert client.get(f"/dev/mailbox/{name}").status_code == 404
    assert "No emails yet" in client.get("/dev/mailbox").text


def test_digests_sent_on_a_laptop_go_to_the_mailbox(members_db, tmp_path):
    url, engine = members_db
    settings = Settings(database_url=url, base_url=LOCAL, smtp_url=None, secret_key=SECRET,
                        mail_from="despatchbox <alerts@localhost>", mailbox_dir=str(tmp_path / "box"))
    subscriptions.add_alert(engine, email="digest@example.org", kind="department", target="home-office")
    load(engine, *day_files("2009-10-26"))
    report = send_alerts(engine, settings)
    assert report.ok and report.items_sent > 0
    (message,) = DevMailbox(tmp_path / "box").messages()
    assert message.to == "digest@example.org" and "Home Office" in message.subject


def test_the_mailbox_sits_beside_a_sqlite_database(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path}/site.db", base_url=LOCAL, smtp_url=None,
                        secret_key=SECRET, mail_from="x <a@b.c>")
    assert mailbox_folder(settings) == tmp_path / "site-mailbox"
    named = Settings(**{**settings.__dict__, "mailbox_dir": str(tmp_path / "elsewhere")})
    assert mailbox_folder(named) == tmp_path / "elsewhere"


def test_a_public_site_without_smtp_says_alerts_are_not_configured(members_db, monkeypatch, caplog):
    _env(monkeypatch, base_url="https://despatchbox.example.org")
    with caplog.at_level(logging.WARNING, logger="despatchbox.alerts"):
        app = create_app(members_db[0])
    (warning,) = [r for r in caplog.records if r.name == "despatchbox.alerts"]
    assert warning.levelno == logging.WARNING and "DESPATCHBOX_SMTP_URL is not set" in warning.getMessage()
    client = TestClient(app)
    page = client.get("/alerts")
    assert page.status_code == 200 and "not configured" in page.text
    assert 'action="/alerts/signup"' not in page.text
    r = client.post("/alerts/signup", data={"email": "p@example.org", "kind": "department",
                                            "target": "home-office"})
    assert r.status_code == 200 and "Email alerts are not configured" in r.text
    assert subscriptions.alerts_of(members_db[1], "p@example.org") == []
    r = client.post("/alerts/manage-link", data={"email": "p@example.org"})
    assert r.status_code == 200 and "not configured" in r.text
    member = client.get("/mp/david-hanson")
    assert member.status_code == 200 and "Email alerts are not configured" in member.text
    assert client.get("/dev/mailbox").status_code == 404


def test_no_mailbox_page_when_smtp_is_set(members_db, monkeypatch, tmp_path):
    server = SmtpServer().start()
    try:
        _env(monkeypatch, base_url=LOCAL, smtp_url=server.url, mailbox=tmp_path / "box")
        client = TestClient(create_app(members_db[0]))
        assert client.get("/dev/mailbox").status_code == 404
        r = client.post("/alerts/signup", data={"email": "s@example.org", "kind": "department",
                                                "target": "home-office"})
        assert r.status_code == 200 and "/dev/mailbox" not in r.text
        assert len(server.take()) == 1 and not (tmp_path / "box").exists()
    finally:
        server.stop()
