"""The newcomer's path in headless Chromium (issue 15): home → find a member by their seat →
member page → their debates with a department → the seed-style page → search → the search's
alert form → sign up → the development mailbox (no mail server is set) → the confirmation
email's link → confirm. Skipped, with the reason, where Chromium is missing (tests/conftest.py).
The site serves a private copy of the sample week (signing up writes to it).
"""
from __future__ import annotations

import socket
import threading
import time

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(sample_url, database_factory, tmp_path_factory):
    import uvicorn

    from despatchbox.web.app import create_app

    port = _free_port()
    mp = pytest.MonkeyPatch()
    mp.setenv("DESPATCHBOX_BASE_URL", f"http://127.0.0.1:{port}")
    mp.delenv("DESPATCHBOX_SMTP_URL", raising=False)
    mp.setenv("DESPATCHBOX_MAILBOX_DIR", str(tmp_path_factory.mktemp("newcomer-mailbox")))
    url = database_factory.clone(sample_url)
    server = uvicorn.Server(uvicorn.Config(create_app(url), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    mp.undo()
    database_factory.drop(url)


def test_the_newcomers_path(site, artifacts_dir):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            problems: list[str] = []
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)

            page.goto(site + "/")
            # home → Members → find your MP by constituency
            page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
            page.wait_for_url("**/members")
            assert page.locator("h1").inner_text() == "Members"
            page.get_by_label("Find your MP: a name or a constituency").fill("Delyn")
            page.get_by_role("button", name="Find").click()
            page.wait_for_url("**/members?q=Delyn")
            page.screenshot(path=str(artifacts_dir / "newcomer-1-find-your-mp.png"))
            # → the member page
            page.locator("ul.members").get_by_role("link", name="David Hanson (Labour - Delyn)").click()
            page.wait_for_url("**/mp/david-hanson")
            assert page.locator("h1").inner_text() == "David Hanson (Labour - Delyn)"
            # → their debates with the Home Office
            page.get_by_role("link", name="1 debate with the Home Office").click()
            page.wait_for_url("**/mp/david-hanson/dept-debates/home-office")
            # → the seed-style page
            page.locator("main ul.items").get_by_role("link", name="Home Department").click()
            page.wait_for_url("**/mp/david-hanson/debate/debate/2009-10-26b.1.4")
            assert "Main Page: David Hanson (Labour - Delyn)" in page.locator("nav.crumbs").inner_text()
            page.screenshot(path=str(artifacts_dir / "newcomer-2-seed-page.png"))
            # → search from the header box
            page.locator("header").get_by_role("searchbox").fill('"identity cards"')
            page.locator("header").get_by_role("button", name="Search").click()
            page.wait_for_url("**/search?q=*")
            assert page.locator("p.total").inner_text().startswith("6 items match")   # 8 items: 2 questions with their answers
            assert page.get_by_role("link", name="Atom feed of this search").is_visible()
            # → the alert form for this search
            form = page.locator("section.results form.alert-signup")
            assert "identity cards" in form.locator("p.what").inner_text()
            form.get_by_label("Your email address").fill("newcomer@example.org")
            page.screenshot(path=str(artifacts_dir / "newcomer-3-search-alert.png"))
            form.get_by_role("button", name="Create alert").click()
            assert page.locator("h1").inner_text() == "Check your email"
            # → the development mailbox → the confirmation email → its link → confirm
            page.get_by_role("link", name="development mailbox").click()
            page.wait_for_url("**/dev/mailbox")
            page.locator("table.mailbox a").first.click()
            page.wait_for_url("**/dev/mailbox/*")
            page.screenshot(path=str(artifacts_dir / "newcomer-4-mailbox.png"))
            page.locator("main a[href*='/alerts/confirm/']").first.click()
            page.wait_for_url("**/alerts/confirm/*")
            page.get_by_role("button", name="Confirm").click()
            page.wait_for_load_state()
            assert page.locator("h1").inner_text() == "Alert confirmed"
            page.screenshot(path=str(artifacts_dir / "newcomer-5-confirmed.png"))
            assert problems == []
        finally:
            browser.close()
