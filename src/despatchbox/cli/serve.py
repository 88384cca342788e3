"""``despatchbox serve``: the site, the API and the feeds over HTTP."""
from __future__ import annotations

import os

import typer

from .app import app, engine, fail


@app.command("serve")
def serve_command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Worker processes (for PostgreSQL deployments: 2 × cores is a good start; "
                                        "SQLite serves well from 1–2)."),
    reload: bool = typer.Option(False, help="Restart on code changes (development)."),
) -> None:
    """Serve the site on http://HOST:PORT/ from the configured database."""
    import uvicorn

    from ..config import settings
    from ..web.security import InsecureSettings, check_secret_key

    try:
        check_secret_key(settings())  # before anything starts: the development key on a public site
    except InsecureSettings as exc:
        fail(str(exc))
    engine()  # create or upgrade the schema once, before the workers start
    os.environ.setdefault("DESPATCHBOX_DATABASE_URL", engine().url.render_as_string(hide_password=False))
    uvicorn.run("despatchbox.web.app:create_app", factory=True, host=host, port=port, workers=workers,
                reload=reload, log_level="warning", access_log=False, proxy_headers=True)
