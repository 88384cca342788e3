"""``/api/v1/docs`` (Swagger UI) and ``/api/v1/redoc`` (ReDoc), working offline: their scripts and
styles are served from the ``fastapi-offline`` package (pinned in pyproject.toml), never a CDN."""
from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
ASSET_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png")


def install_docs(api: FastAPI) -> None:
    api.mount("/docs-assets", StaticFiles(directory=ASSETS), name="docs-assets")

    @api.get("/docs", include_in_schema=False)
    def swagger_ui(request: Request):
        base = request.scope.get("root_path", "").rstrip("/")
        return get_swagger_ui_html(openapi_url=f"{base}/openapi.json", title=f"{api.title} — Swagger UI",
                                   swagger_js_url=f"{base}/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url=f"{base}/docs-assets/swagger-ui.css",
                                   swagger_favicon_url=f"{base}/docs-assets/favicon.png")

    @api.get("/redoc", include_in_schema=False)
    def redoc(request: Request):
        base = request.scope.get("root_path", "").rstrip("/")
        return get_redoc_html(openapi_url=f"{base}/openapi.json", title=f"{api.title} — ReDoc",
                              redoc_js_url=f"{base}/docs-assets/redoc.standalone.js",
                              redoc_favicon_url=f"{base}/docs-assets/favicon.png", with_google_fonts=False)
