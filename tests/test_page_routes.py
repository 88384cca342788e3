"""Where page routes run (web/page_routes.py): on the event loop on SQLite (one at a time per
process), in anyio's pool elsewhere; their parameters, errors and answers as FastAPI gives them."""
from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import anyio
import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.testclient import TestClient

from despatchbox.web import page_routes
from despatchbox.web.app import create_app, site_routers
from despatchbox.web.pages import debates, members


def _engine(dialect: str):
    return SimpleNamespace(dialect=SimpleNamespace(name=dialect))


@pytest.fixture
def restore_mode():
    saved = page_routes._on_loop
    yield
    page_routes._on_loop = saved


def _most_at_once(n: int) -> tuple[int, set[int], int]:
    """Run n slow synchronous endpoints through as_page_route at once: the most running together,
    the threads they ran in, and the event loop's thread."""
    running = most = 0
    lock = threading.Lock()
    threads: set[int] = set()

    def endpoint(i: int) -> int:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            threads.add(threading.get_ident())
        time.sleep(0.02)
        with lock:
            running -= 1
        return i

    wrapped = page_routes.as_page_route(endpoint)
    results: list[int] = []
    loop_thread = 0

    async def main() -> None:
        nonlocal loop_thread
        loop_thread = threading.get_ident()
        async with anyio.create_task_group() as tg:
            for i in range(n):
                tg.start_soon(lambda i=i: _append(results, wrapped(i)))

    anyio.run(main)
    assert sorted(results) == list(range(n))
    return most, threads, loop_thread


async def _append(results: list, awaitable) -> None:
    results.append(await awaitable)


def test_on_sqlite_page_routes_run_on_the_event_loop_one_at_a_time(restore_mode):
    page_routes.configure(_engine("sqlite"))
    assert page_routes.runs_on_loop()
    most, threads, loop_thread = _most_at_once(4)
    assert most == 1
    assert threads == {loop_thread}                    # no thread hop


def test_elsewhere_they_share_the_default_pool(restore_mode):
    page_routes.configure(_engine("postgresql"))
    assert not page_routes.runs_on_loop()
    most, threads, loop_thread = _most_at_once(4)
    assert most > 1
    assert loop_thread not in threads                  # the loop serves other requests meanwhile


def test_every_page_route_is_a_page_route_and_the_others_are_not(sample_url):
    create_app(sample_url)
    from despatchbox.web.pages import (debates, departments, divisions, home, members, members_index,
                                       questions, versus)
    page_modules = {debates, departments, divisions, home, members, members_index, questions, versus}
    routers = site_routers()
    for module in page_modules:
        assert module.router in routers
        assert module.router.routes and all(isinstance(r, page_routes.PageRoute) for r in module.router.routes)
    from despatchbox.web import search_pages
    assert not any(isinstance(r, page_routes.PageRoute) for r in search_pages.router.routes)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_parameters_errors_and_answers_pass_through(restore_mode, dialect):
    page_routes.configure(_engine(dialect))
    router = page_routes.page_router()

    @router.get("/thing/{slug}")
    def thing(request: Request, slug: str, page: int = 1):
        if slug == "missing":
            raise HTTPException(404, "no such thing")
        return {"slug": slug, "page": page, "path": request.url.path}

    app = FastAPI()
    app.include_router(router)
    client = TestClient(app)
    assert client.get("/thing/a?page=3").json() == {"slug": "a", "page": 3, "path": "/thing/a"}
    # without a query string FastAPI's handler is skipped: the same arguments (the default), the same answer
    assert client.get("/thing/b").json() == {"slug": "b", "page": 1, "path": "/thing/b"}
    assert client.get("/thing/a%20b").json() == {"slug": "a b", "page": 1, "path": "/thing/a b"}
    assert client.get("/thing/missing").status_code == 404
    assert client.get("/thing/a?page=x").status_code == 422          # validated as before


def test_site_pages_answer_as_before(sample_url):
    client = TestClient(create_app(sample_url), follow_redirects=False)
    assert client.get("/debate/debate/no-such-debate").status_code == 404
    assert client.get("/day/not-a-date").status_code == 400
    assert client.get("/").status_code == 200
    assert debates.router.routes and members.router.routes


def test_the_short_way_only_where_fastapi_would_pass_the_same_arguments(restore_mode):
    """Page routes take the request, str path parameters and defaulted query parameters: answered
    without FastAPI's dependency solving when there is no query string. Anything else (a converted
    path parameter, a header, a required query parameter) always goes through FastAPI."""
    from fastapi import Header

    page_routes.configure(_engine("sqlite"))
    router = page_routes.page_router()

    @router.get("/plain/{slug}")
    def plain(request: Request, slug: str, page: int = 1, q: str = ""):
        return {"slug": slug}

    @router.get("/number/{n}")
    def number(n: int):
        return {"n": n}

    @router.get("/header/{slug}")
    def with_header(slug: str, x_thing: str = Header("")):
        return {"slug": slug}

    @router.get("/required/{slug}")
    def required(slug: str, page: int):
        return {"slug": slug, "page": page}

    plans = {route.path: page_routes._plain_arguments(route) for route in router.routes}
    assert plans["/plain/{slug}"] == ("request", ("slug",), {"page": 1, "q": ""})
    assert plans["/number/{n}"] is None and plans["/header/{slug}"] is None and plans["/required/{slug}"] is None
    app = FastAPI()
    app.include_router(router)
    client = TestClient(app)
    assert client.get("/number/4").json() == {"n": 4}
    assert client.get("/number/x").status_code == 422
    assert client.get("/required/a").status_code == 422
    assert client.get("/header/a").json() == {"slug": "a"}


def test_the_site_pages_that_the_bench_measures_take_the_short_way(sample_url):
    create_app(sample_url)
    from despatchbox.web.pages import departments
    routes = {route.path: route for module in (members, debates, departments) for route in module.router.routes}
    for path in ("/mp/{slug}", "/mp/{slug}/debate/{gid:path}", "/debate/{gid:path}", "/dept/{slug}"):
        assert page_routes._plain_arguments(routes[path]) is not None, path
    assert page_routes._plain_arguments(routes["/day/{day}"]) is None      # a date, validated by FastAPI


def test_site_pages_with_and_without_a_query_string(sample_url):
    """The short way and FastAPI's answer alike: defaults, 400s for bad numbers, 404s raised in the page."""
    client = TestClient(create_app(sample_url), follow_redirects=False)
    slug = client.get("/departments").text.split('href="/dept/', 1)[1].split('"', 1)[0]
    assert client.get(f"/dept/{slug}").text == client.get(f"/dept/{slug}?debates_page=1").text
    assert client.get(f"/dept/{slug}?debates_page=x").status_code == 400
    assert client.get("/dept/no-such-department").status_code == 404
    assert client.get("/mp/no-such-member").status_code == 404
