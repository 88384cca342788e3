"""Settings from the environment. Every setting has a working default for a laptop."""
from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "sqlite:///despatchbox.db"
#: signs alert links on a laptop; refused when the base URL is not loopback (web/security.py)
DEVELOPMENT_SECRET_KEY = "despatchbox-development-secret-change-me"
#: how long one search may take, in milliseconds (``DESPATCHBOX_QUERY_BUDGET_MS``; 0: no limit)
DEFAULT_QUERY_BUDGET_MS = 2000
PACKAGE_DIR = Path(__file__).resolve().parent
#: the real parliamentary week shipped with the project (see sample/README.md)
SAMPLE_DIR = PACKAGE_DIR.parent.parent / "sample"


@dataclass(frozen=True)
class Settings:
    database_url: str
    base_url: str
    smtp_url: str | None
    secret_key: str
    mail_from: str
    #: where development mail is kept (``DESPATCHBOX_MAILBOX_DIR``); None: beside the database
    mailbox_dir: str | None = None
    #: the time budget of one search (store/search/budget.py), in milliseconds; 0 turns it off
    query_budget_ms: int = DEFAULT_QUERY_BUDGET_MS
    #: where PostgreSQL databases' search indexes live (``DESPATCHBOX_SEARCH_DIR``), one folder per
    #: database; None: ``$XDG_DATA_HOME/despatchbox/search`` (store/search/index_marks.py)
    search_dir: str | None = None

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            database_url=os.environ.get("DESPATCHBOX_DATABASE_URL") or DEFAULT_DATABASE_URL,
            base_url=(os.environ.get("DESPATCHBOX_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
            smtp_url=os.environ.get("DESPATCHBOX_SMTP_URL") or None,
            secret_key=os.environ.get("DESPATCHBOX_SECRET_KEY") or DEVELOPMENT_SECRET_KEY,
            mail_from=os.environ.get("DESPATCHBOX_MAIL_FROM") or "despatchbox <alerts@localhost>",
            mailbox_dir=os.environ.get("DESPATCHBOX_MAILBOX_DIR") or None,
            query_budget_ms=_milliseconds(os.environ.get("DESPATCHBOX_QUERY_BUDGET_MS"), DEFAULT_QUERY_BUDGET_MS),
            search_dir=os.environ.get("DESPATCHBOX_SEARCH_DIR") or None,
        )

    @property
    def public(self) -> bool:
        """True when the base URL is not this machine: a site others can reach (production)."""
        return not is_loopback_url(self.base_url)


def _milliseconds(raw: str | None, default: int) -> int:
    """A whole number of milliseconds from the environment; unset or unreadable: the default."""
    try:
        return max(0, int(raw)) if raw not in (None, "") else default
    except ValueError:
        return default


def is_loopback_url(url: str) -> bool:
    """True when ``url``'s host is this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def settings() -> Settings:
    return Settings.from_env()
