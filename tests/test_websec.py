"""The web-facing defences of issue 17 (defects 5, 6 and the web parts of 8), each on a real
members database (SQLite, and PostgreSQL with DESPATCHBOX_TEST_BACKENDS): the development secret
key refused on a public site; alert sign-ups limited per client as well as per email address, manage
links on their own counter that nobody can exhaust for someone else; cross-site POSTs refused on every
form; bodies over the limit answered 413 without being read; manage-link mail sent off the request
path; unsubscribe links that expire and never lead to a manage link once their alert is gone; security
headers; control characters in paths; ``?date=0``."""
from __future__ import annotations

import asyncio
import threading

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from despatchbox.alerts import subscriptions
from despatchbox.alerts.signing import Signer
from despatchbox.alerts.subscriptions import RATE_LIMITS, SIGNUP, MANAGE_LINK
from despatchbox.config import DEVELOPMENT_SECRET_KEY
from despatchbox.web.app import create_app
from despatchbox.web.security import FORM_BODY_LIMIT, BODY_LIMIT, InsecureSettings

from .alerts_fixtures import BASE_URL, SECRET, SmtpServer, members_database, members_template


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


def _env(monkeypatch, *, base_url=BASE_URL, secret=SECRET, smtp_url=None):
    monkeypatch.setenv("DESPATCHBOX_BASE_URL", base_url)
    if secret is None:
        monkeypatch.delenv("DESPATCHBOX_SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("DESPATCHBOX_SECRET_KEY", secret)
    if smtp_url:
        monkeypatch.setenv("DESPATCHBOX_SMTP_URL", smtp_url)
    else:
        monkeypatch.delenv("DESPATCHBOX_SMTP_URL", raising=False)


@pytest.fixture
def app(members_db, smtp, monkeypatch):
    _env(monkeypatch, smtp_url=smtp.url)
    return create_app(members_db[0])


def client_from(app, host: str = "198.51.100.7") -> TestClient:
    return TestClient(app, follow_redirects=False, client=(host, 50000))


def signup(client, email="reader@example.org", **fields):
    data = {"email": email, "kind": "department", "target": "home-office", "frequency": "weekly", **fields}
    return client.post("/alerts/signup", data=data)


# --- defect 5: the development secret key ----------------------------------------------------------

def test_development_secret_key_is_refused_on_a_public_site(members_db, monkeypatch):
    _env(monkeypatch, base_url="https://despatchbox.example.org", secret=None)
    with pytest.raises(InsecureSettings) as caught:
        create_app(members_db[0])
    message = str(caught.value)
    assert "DESPATCHBOX_SECRET_KEY" in message and "secrets.token_urlsafe(32)" in message
    assert "https://despatchbox.example.org" in message
    # the same key that is spelled out is refused too; a key of one's own is accepted
    monkeypatch.setenv("DESPATCHBOX_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
    with pytest.raises(InsecureSettings):
        create_app(members_db[0])
    monkeypatch.setenv("DESPATCHBOX_SECRET_KEY", "a-key-of-our-own-0123456789")
    create_app(members_db[0])
    # on a laptop the development key is fine
    for base in ("http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"):
        _env(monkeypatch, base_url=base, secret=None)
        create_app(members_db[0])


def test_serve_refuses_to_start_with_the_development_key(members_db, monkeypatch):
    from despatchbox.cli.app import app as cli
    import uvicorn

    started = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append(a))
    _env(monkeypatch, base_url="https://despatchbox.example.org", secret=None)
    monkeypatch.setenv("DESPATCHBOX_DATABASE_URL", members_db[0])
    result = CliRunner().invoke(cli, ["serve"], env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert "development key" in result.output and "token_urlsafe" in result.output
    assert started == []
    monkeypatch.setenv("DESPATCHBOX_SECRET_KEY", "a-key-of-our-own-0123456789")
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 0, result.output
    assert len(started) == 1


# --- defect 6: rate limits per client and per purpose ---------------------------------------------------

def test_sign_ups_are_limited_per_client_address(app, engine_of_app, smtp):
    limit = RATE_LIMITS[SIGNUP].per_client
    one = client_from(app, "198.51.100.7")
    for i in range(limit):
        assert signup(one, email=f"reader{i}@example.org").status_code == 200
    r = signup(one, email="one-more@example.org")
    assert r.status_code == 429 and "Too many requests from your address" in r.text
    assert int(r.headers["Retry-After"]) > 0
    assert subscriptions.alerts_of(engine_of_app, "one-more@example.org") == []
    assert len(smtp.take()) == limit
    # another client is not held up; an IPv6 client's whole /64 counts as one
    assert signup(client_from(app, "203.0.113.9"), email="other@example.org").status_code == 200
    for i in range(limit):
        assert signup(client_from(app, f"2001:db8:1:2::{i + 1:x}"), email=f"six{i}@example.org").status_code == 200
    assert signup(client_from(app, "2001:db8:1:2::ffff"), email="six-more@example.org").status_code == 429
    assert signup(client_from(app, "2001:db8:1:3::1"), email="six-more@example.org").status_code == 200


@pytest.fixture
def engine_of_app(members_db):
    return members_db[1]


def test_manage_links_have_their_own_counter_and_nobody_can_lock_a_victim_out(app, engine_of_app, smtp):
    subscriptions.add_alert(engine_of_app, email="victim@example.org", kind="person", target="david-hanson")
    attacker = client_from(app, "198.51.100.66")
    # sign-ups for the address do not use up its manage links
    for _ in range(RATE_LIMITS[SIGNUP].per_email):
        assert signup(attacker, email="victim@example.org").status_code == 200
    assert signup(attacker, email="victim@example.org").status_code == 429
    smtp.take()
    # the attacker asks for the victim's manage link again and again: every answer is the same 200, and
    # only a few emails go out — to the victim, who can use them
    per_email = RATE_LIMITS[MANAGE_LINK].per_email
    for _ in range(per_email + 3):
        r = attacker.post("/alerts/manage-link", data={"email": "victim@example.org"})
        assert r.status_code == 200 and "If victim@example.org has alerts here" in r.text
    app.state.outbox.join()
    mails = smtp.take()
    assert len(mails) == per_email and all(m.rcpt_tos == ["victim@example.org"] for m in mails)
    # the victim asking is never refused
    victim = client_from(app, "203.0.113.5")
    r = victim.post("/alerts/manage-link", data={"email": "victim@example.org"})
    assert r.status_code == 200
    # whoever asks too often from one client address is limited
    for i in range(RATE_LIMITS[MANAGE_LINK].per_client - (per_email + 3)):
        assert attacker.post("/alerts/manage-link", data={"email": f"x{i}@example.org"}).status_code == 200
    r = attacker.post("/alerts/manage-link", data={"email": "victim@example.org"})
    assert r.status_code == 429 and "Too many requests from your address" in r.text


# --- defect 6: cross-site request forgery ----------------------------------------------------------------

def _post_routes(app) -> list[str]:
    """Every POST route of the site, walking included routers (their prefixes are empty here)."""
    paths = []

    def walk(routes):
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                walk(inner.routes)
            elif "POST" in (getattr(route, "methods", None) or ()):
                paths.append(route.path)
    walk(app.routes)
    return paths


def test_every_post_form_refuses_a_cross_site_request(app, engine_of_app, smtp):
    client = client_from(app)
    signer = Signer(SECRET)
    alert, _ = subscriptions.add_alert(engine_of_app, email="csrf@example.org", kind="person",
                                       target="david-hanson", confirmed=False)
    concrete = {"{token}": signer.confirm_token(alert.id, "csrf@example.org"), "{alert_id}": str(alert.id)}
    routes = _post_routes(app)
    assert {"/alerts/signup", "/alerts/manage-link", "/who-said", "/alerts/unsubscribe/{token}"} <= set(routes)
    for path in routes + ["/api/v1/who-said"]:
        for key, value in concrete.items():
            path = path.replace(key, value)
        for headers in ({"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
                        {"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "same-site"}, {"Origin": "null"}):
            r = client.post(path, data={"email": "csrf@example.org", "kind": "department", "target": "home-office",
                                        "text": "Knife crime", "frequency": "daily"}, headers=headers)
            assert r.status_code == 403, (path, headers, r.status_code)
            assert "another site" in r.text
            if path.startswith("/api/"):
                assert r.headers["content-type"].startswith("application/json")
    assert smtp.received == []
    assert subscriptions.alerts_of(engine_of_app, "csrf@example.org")[0].confirmed is False
    assert subscriptions.get_alert(engine_of_app, alert.id) is not None


def test_forms_from_the_site_itself_and_mail_clients_still_work(app, engine_of_app, smtp):
    client = client_from(app)
    # a browser posting the site's own form (no JavaScript needed)
    r = client.post(
        "/alerts/signup", data={"email": "ok@example.org", "kind": "department", "target": "home-office"},
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 200 and "Check your email" in r.text
    # behind a proxy the Host differs, but the Origin is the public base URL
    r = client.post("/alerts/signup", data={"email": "ok2@example.org", "kind": "department",
                                            "target": "home-office"}, headers={"Origin": BASE_URL})
    assert r.status_code == 200
    # a mail client's RFC 8058 one-click unsubscribe sends neither header
    alert, _ = subscriptions.add_alert(engine_of_app, email="ok@example.org", kind="person", target="david-hanson")
    token = Signer(SECRET).unsubscribe_token(alert.id, "ok@example.org")
    r = client.post(f"/alerts/unsubscribe/{token}", content=b"List-Unsubscribe=One-Click",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and subscriptions.get_alert(engine_of_app, alert.id) is None


# --- defect 8: body limits -------------------------------------------------------------------------------

def test_bodies_over_the_limit_are_413_and_never_saved(app, engine_of_app, smtp):
    client = client_from(app)
    padding = "x" * (FORM_BODY_LIMIT + 1)
    r = client.post("/alerts/signup", data={"email": "big@example.org", "kind": "query", "target": padding})
    assert r.status_code == 413 and "too large" in r.text
    # streamed without a Content-Length: refused once the limit is passed

    def chunks():
        yield b"email=big%40example.org&kind=department&target=home-office&pad="
        for _ in range(FORM_BODY_LIMIT // 1024 + 2):
            yield b"y" * 1024
    r = client.post("/alerts/signup", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    assert subscriptions.alerts_of(engine_of_app, "big@example.org") == []
    assert smtp.received == []
    # any other POST has a larger limit, and the API answers it in JSON
    r = client.post("/api/v1/who-said", content=b'{"text": "' + b"z" * BODY_LIMIT + b'"}',
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    r = client.post("/who-said", data={"text": "Knife crime " * 2000})
    assert r.status_code != 413


def test_a_declared_oversized_body_is_refused_without_reading_it(app):
    """Content-Length over the limit: 413 before a single byte of the body is asked for."""
    from despatchbox.web.security import SecurityMiddleware
    middleware = app.middleware_stack or app.build_middleware_stack()
    while not isinstance(middleware, SecurityMiddleware):
        middleware = middleware.app
    sent, asked = [], []

    async def receive():
        asked.append(1)
        raise AssertionError("the body was read")

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/alerts/signup", "raw_path": b"/alerts/signup",
             "query_string": b"", "scheme": "http", "server": ("testserver", 80), "client": ("192.0.2.1", 1),
             "root_path": "", "http_version": "1.1", "app": app,
             "headers": [(b"host", b"testserver"), (b"content-type", b"application/x-www-form-urlencoded"),
                         (b"content-length", str(200 * 1024 * 1024).encode())]}
    asyncio.run(middleware(scope, receive, send))
    assert asked == []
    assert sent[0]["status"] == 413


# --- defect 8: manage-link mail off the request path -------------------------------------------------

def test_manage_link_mail_and_lookup_happen_off_the_request_path(app, engine_of_app, monkeypatch):
    """The request does the same work whether or not the address has alerts: the lookup and the
    sending both run in the outbox's worker thread, after the answer."""
    subscriptions.add_alert(engine_of_app, email="has@example.org", kind="person", target="david-hanson")
    where: list[tuple[str, str]] = []
    real_alerts_of = subscriptions.alerts_of

    def alerts_of(engine, email):
        where.append(("lookup", threading.current_thread().name))
        return real_alerts_of(engine, email)

    class Transport:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            pass

        def send(self, message):
            where.append(("send", threading.current_thread().name))

    monkeypatch.setattr(subscriptions, "alerts_of", alerts_of)
    monkeypatch.setattr(app.state.outbox, "setup", type("Setup", (), {"transport": lambda self, timeout: Transport()})())
    client = client_from(app)
    answers = []
    for address in ("has@example.org", "none@example.org"):
        r = client.post("/alerts/manage-link", data={"email": address})
        answers.append(r.text.replace(address, "ADDRESS"))
        assert r.status_code == 200
    app.state.outbox.join()
    assert answers[0] == answers[1]
    assert where == [("lookup", "despatchbox-outbox"), ("send", "despatchbox-outbox"),
                     ("lookup", "despatchbox-outbox")]


# --- defect 8: unsubscribe links ------------------------------------------------------------------------

def test_unsubscribe_links_expire_and_never_mint_a_manage_link_for_a_deleted_alert(app, engine_of_app,
                                                                                   monkeypatch):
    import itsdangerous.timed
    client = client_from(app)
    signer = Signer(SECRET)
    alert, _ = subscriptions.add_alert(engine_of_app, email="u@example.org", kind="person", target="david-hanson")
    real_time = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real_time() - 181 * 24 * 3600)
    old = signer.unsubscribe_token(alert.id, "u@example.org")
    monkeypatch.setattr(itsdangerous.timed.time, "time", real_time)
    for method in (client.get, client.post):
        r = method(f"/alerts/unsubscribe/{old}")
        assert r.status_code == 400 and "expired" in r.text
    assert subscriptions.get_alert(engine_of_app, alert.id) is not None
    # a fresh link unsubscribes, and offers the address's other alerts
    token = signer.unsubscribe_token(alert.id, "u@example.org")
    r = client.post(f"/alerts/unsubscribe/{token}")
    assert r.status_code == 200 and "/alerts/manage/" in r.text
    # the same link again, its alert gone: no manage link, by GET or POST
    for method in (client.get, client.post):
        r = method(f"/alerts/unsubscribe/{token}")
        assert r.status_code == 200 and "no more emails" in r.text
        assert "/alerts/manage/" not in r.text


# --- defect 8: headers, odd paths, dates -----------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/alerts", "/api/v1/stats", "/static/style.css", "/no-such-page",
                                  "/api/v1/no-such-thing"])
def test_security_headers_on_every_response(app, path):
    r = client_from(app).get(path)
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "object-src 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "no-referrer")
    assert "Strict-Transport-Security" not in r.headers          # the base URL is http


def test_hsts_when_the_base_url_is_https(members_db, monkeypatch):
    _env(monkeypatch, base_url="https://despatchbox.example.org")
    r = client_from(create_app(members_db[0])).get("/")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")
    assert client_from(create_app(members_db[0])).get("/alerts").headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("path, json_answer", [("/static/%00", False), ("/static/a%00b.css", False),
                                               ("/mp/david%0Ahanson", False), ("/api/v1/members%0A", True),
                                               ("/api/v1/debates/%0a", True), ("/api/v1/x%0D%0Ay", True)])
def test_control_characters_in_a_path_are_404(app, path, json_answer):
    r = client_from(app).get(path)
    assert r.status_code == 404
    if json_answer:
        assert r.json()["error"]["code"] == "not_found"
    else:
        assert r.headers["content-type"].startswith("text/html") and "Not found" in r.text


@pytest.mark.parametrize("query", ["date=0", "date=1e9", "date=1256515200", "from=0", "to=-1"])
def test_a_number_is_not_a_date(app, query):
    r = client_from(app).get(f"/api/v1/debates?{query}")
    assert r.status_code == 422
    assert "YYYY-MM-DD" in r.json()["error"]["message"]
    assert client_from(app).get("/api/v1/debates?date=2009-10-26").status_code == 200
    assert client_from(app).get("/api/v1/departments/home-office?date=0").status_code == 422


def test_a_number_is_not_a_day_page(app):
    r = client_from(app).get("/day/0")
    assert r.status_code == 400 and "YYYY-MM-DD" in r.text
