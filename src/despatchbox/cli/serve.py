"""``despatchbox serve``: the site, the API and the feeds over HTTP."""
from __future__ import annotations

import os
from contextlib import nullcontext

import typer

from .app import app, console, engine, fail


def log_config() -> dict:
    """uvicorn's logging: its start-up lines, one access line per request and every error
    (tracebacks included) on standard error, with the time; despatchbox's own loggers beside."""
    fmt = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "default": {"()": "uvicorn.logging.DefaultFormatter", "fmt": fmt, "use_colors": None},
            "access": {"()": "despatchbox.cli.access_log.AccessFormatter",
                       "fmt": '%(asctime)s access  %(client_addr)s "%(request_line)s" %(status_code)s'},
        },
        "handlers": {
            "default": {"class": "logging.StreamHandler", "formatter": "default", "stream": "ext://sys.stderr"},
            "access": {"class": "logging.StreamHandler", "formatter": "access", "stream": "ext://sys.stderr"},
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
            "despatchbox": {"handlers": ["default"], "level": "INFO", "propagate": False},
        },
    }


@app.command("serve")
def serve_command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Worker processes (for PostgreSQL deployments: 2 × cores is a good start; "
                                        "SQLite serves well from 1–2)."),
    reload: bool = typer.Option(False, "--reload", help="Restart on code changes (development)."),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log", help="Log one line per request."),
    compaction: bool = typer.Option(True, "--compact/--no-compact",
                                    help="Merge the who-said index's levels in the background when due, at the "
                                         "lowest CPU priority (what `despatchbox update` leaves; see `db compact`)."),
) -> None:
    """Serve the site on http://HOST:PORT/ from the configured database, logging requests and errors."""
    import uvicorn

    from ..config import settings
    from ..pipeline.compaction import CompactWhenDue
    from ..web.security import InsecureSettings, check_secret_key

    try:
        check_secret_key(settings())  # before anything starts: the development key on a public site
    except InsecureSettings as exc:
        fail(str(exc))
    db = engine()  # refuses a missing database; creates or upgrades the schema once, before the workers start
    os.environ.setdefault("DESPATCHBOX_DATABASE_URL", db.url.render_as_string(hide_password=False))
    if reload:
        from ..web.templating import RELOAD_ENV
        os.environ[RELOAD_ENV] = "1"        # template edits show without a restart
    shown = f"[{host}]" if ":" in host else host
    console.print(f"despatchbox: serving {db.url.render_as_string(hide_password=True)} on http://{shown}:{port}/ "
                  f"(API docs at /api/v1/docs; Ctrl-C stops)", highlight=False)
    # in this process, beside uvicorn's (the workers are processes of their own): one compactor a server
    with CompactWhenDue(db) if compaction else nullcontext():
        uvicorn.run("despatchbox.web.app:create_app", factory=True, host=host, port=port, workers=workers,
                    reload=reload, log_config=log_config(), log_level="info", access_log=access_log,
                    proxy_headers=True)
