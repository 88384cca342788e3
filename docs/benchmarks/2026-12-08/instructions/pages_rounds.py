"""Renders the four bench pages (bench/pages.page_paths: member, seed-style, debate, department)
through the app's ASGI interface, page cache off, collector tuned as `serve` tunes it: 5 rounds to
warm, then N more. Run twice under callgrind (N = 0 and N = 20): the difference of the two counts
over 20 is one round's instructions, start-up left out (see count.sh).

    python pages_rounds.py TREE DATABASE_URL N [PAGES]    # PAGES: e.g. "2" (debate only) or "0,1,2,3"
"""
import asyncio
import sys

TREE, DB, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path[:0] = [TREE + "/bench", TREE + "/src"]

import pages as P  # noqa: E402  (bench/pages.py of the tree measured)

from despatchbox.web.collector import tuned_for_serving  # noqa: E402

app, client = P._app(DB)
P._page_cache(app).resize(0)
tuned_for_serving().__enter__()
paths = list(P.page_paths(DB).values())
if len(sys.argv) > 4:
    paths = [paths[int(i)] for i in sys.argv[4].split(",")]


def scope(path: str) -> dict:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": [(b"host", b"127.0.0.1:8000"), (b"accept-encoding", b"gzip"), (b"accept", b"text/html")],
            "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000), "state": {}}


async def receive() -> dict:
    return {"type": "http.request", "body": b"", "more_body": False}


async def send(message: dict) -> None:
    pass


async def main() -> None:
    for _ in range(5 + N):
        for path in paths:
            await app(scope(path), receive, send)

asyncio.run(main())
