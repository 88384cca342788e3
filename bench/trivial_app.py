"""The HTTP baseline of issue 18: a bare FastAPI route, served by uvicorn exactly as
`despatchbox serve` serves the site (same workers, logging and proxy headers), with none of
despatchbox's middleware, templates or database. bench/loadgen.py's ``TrivialServer`` runs it;
bench/pages.py's ``measure_throughput`` reports the site's requests/s as a share of this one's.
"""
from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

#: the path the load generator requests (the same bytes-on-the-wire scale as a small page's headers)
PATH = "/"


def create_app() -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get(PATH)
    async def ok() -> PlainTextResponse:      # async: no thread-pool hop, the cheapest route FastAPI has
        return PlainTextResponse("ok")

    return app
