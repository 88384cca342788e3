"""The site in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright):
open /, follow links to a member, their debates with a department, the seed-style page and the
full debate; screenshots go to test-artifacts/; no page logs a console error.

The server is the real one: uvicorn serving create_app on a free loopback port, in a thread.
"""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                      "(apt-get install chromium)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(sample_url):
    import uvicorn

    from despatchbox.web.app import create_app

    port = _free_port()
    config = uvicorn.Config(create_app(sample_url), host="127.0.0.1", port=port, log_level="warning",
                            access_log=False, lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Watched:
    """A page whose console errors, page errors and failed requests are collected."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url}"))
        page.on("response", lambda r: self.problems.append(f"HTTP {r.status}: {r.url}")
                if r.status >= 400 else None)


def _shot(page, artifacts_dir: Path, name: str) -> Path:
    path = artifacts_dir / f"browser-{name}.png"
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 5000
    return path


def test_follow_links_from_home_to_the_full_debate(server, browser, artifacts_dir):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, java_script_enabled=False)
    w = Watched(context.new_page())
    page = w.page

    page.goto(server + "/")
    assert page.title() == "The UK Parliament's record · despatchbox"
    assert page.locator("#commons h3").inner_text() == "Commons Chamber"
    assert page.get_by_role("search").first.is_visible()
    _shot(page, artifacts_dir, "1-home")

    # home → the Home Office → David Hanson, a minister there
    page.locator("main").get_by_role("link", name="Home Office", exact=True).first.click()
    page.wait_for_url("**/dept/home-office")
    assert page.locator("h1").inner_text() == "Home Office"
    page.locator("#ministers").get_by_role("link", name="David Hanson").click()
    page.wait_for_url("**/mp/david-hanson")
    assert page.locator("h1").inner_text() == "David Hanson (Labour - Delyn)"
    assert page.locator("svg.activity").is_visible()
    _shot(page, artifacts_dir, "2-member")

    # member → their debates with the Home Office
    page.get_by_role("link", name="1 debate with the Home Office").click()
    page.wait_for_url("**/mp/david-hanson/dept-debates/home-office")
    assert page.locator("h1").inner_text() == "1 David Hanson debate involving the Home Office"
    _shot(page, artifacts_dir, "3-dept-debates")

    # → the seed-style page
    page.locator("main ul.items").get_by_role("link", name="Home Department").click()
    page.wait_for_url("**/mp/david-hanson/debate/debate/2009-10-26b.1.4")
    crumbs = page.locator("nav.crumbs").inner_text()
    assert "Main Page: David Hanson (Labour - Delyn)" in crumbs
    assert "Department Debates - View all David Hanson's debates with the Home Office" in crumbs
    assert "Monday 26th October 2009" in page.locator(".dateline").inner_text()
    assert page.locator("article.highlight").count() == 22
    assert page.locator("p.later").first.inner_text() == "--- Later in debate ---"
    _shot(page, artifacts_dir, "4-seed")

    # → the full debate
    page.get_by_role("link", name="Read Full debate").click()
    page.wait_for_url("**/debate/debate/2009-10-26b.1.4")
    assert "150 speeches (9,516 words)" in page.locator("main").inner_text()
    assert page.locator("#g3\\.3").is_visible()
    _shot(page, artifacts_dir, "5-debate")

    # a speech's permanent anchor scrolls to it
    page.goto(server + "/debate/debate/2009-10-26b.32.0#g125.5")   # the Marine Bill's report stage
    assert "Division 230" in page.locator("#g125\\.5").inner_text()
    assert page.locator("#g125\\.5").is_visible()
    _shot(page, artifacts_dir, "6-division-in-debate")

    assert w.problems == []
    context.close()


def test_phone_width_and_other_pages_render_without_errors(server, browser, artifacts_dir):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    w = Watched(context.new_page())
    page = w.page
    for name, path, heading in [
        ("phone-seed", "/mp/david-hanson/debate/debate/2009-10-26b.1.4", "Home Department"),
        ("phone-division", "/division/debate/2009-10-26b.125.5", "Division 230: Marine and Coastal Access Bill [Lords] — [ist allocated day]"),
        ("phone-question", "/written-question/wrans/2009-10-28c.295693.h", "Animal Experiments: Primates"),
        ("phone-versus", "/mp/david-hanson/vs/tom-watson", "Debate between David Hanson and Tom Watson"),
        ("phone-lords", "/lord/lord-bach", "Lord Bach (Labour - Life peer)"),
    ]:
        page.goto(server + path)
        assert page.locator("h1").inner_text() == heading
        # nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, name
        _shot(page, artifacts_dir, name)
    # an unknown member: the helpful 404 page (its own 404 response is expected, so not a problem)
    response = page.goto(server + "/mp/no-such-member")
    assert response.status == 404
    assert "No member called" in page.locator("main").inner_text()
    w.problems = [p for p in w.problems if not p.endswith("/mp/no-such-member") and "404" not in p]
    assert w.problems == []
    context.close()


def test_follow_a_member_or_a_department_on_a_phone(server, browser, artifacts_dir):
    """The Atom feed link and the alert sign-up form on member and department pages, at phone width,
    without JavaScript; the page served again (from the page cache) is the same page."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, java_script_enabled=False)
    w = Watched(context.new_page())
    page = w.page
    for name, path, feed, what in [
        ("phone-follow-member", "/mp/david-hanson", "/feeds/members/david-hanson.atom", "Email me about David Hanson"),
        ("phone-follow-department", "/dept/home-office", "/feeds/departments/home-office.atom",
         "Email me about the Home Office"),
    ]:
        for visit in range(2):                               # rendered, then from the page cache
            response = page.goto(server + path)
            assert response.status == 200
            if visit:
                assert response.headers.get("x-page-cache") == "hit"
            follow = page.locator("#follow")
            assert follow.get_by_role("link", name="Atom feed").get_attribute("href") == feed
            assert page.locator('head link[rel="alternate"][type="application/atom+xml"]').get_attribute("href") == feed
            form = follow.locator("form.alert-signup")
            assert form.get_attribute("action") == "/alerts/signup"
            assert what in form.inner_text()
            assert form.locator('input[type="email"]').is_visible()
            assert form.get_by_role("button", name="Create alert").is_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1, name
        follow.scroll_into_view_if_needed()
        _shot(page, artifacts_dir, name)
    assert w.problems == []
    context.close()
