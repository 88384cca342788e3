"""Settings from the environment. Every setting has a working default for a laptop."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///despatchbox.db"
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

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            database_url=os.environ.get("DESPATCHBOX_DATABASE_URL") or DEFAULT_DATABASE_URL,
            base_url=(os.environ.get("DESPATCHBOX_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
            smtp_url=os.environ.get("DESPATCHBOX_SMTP_URL") or None,
            secret_key=os.environ.get("DESPATCHBOX_SECRET_KEY") or "despatchbox-development-secret-change-me",
            mail_from=os.environ.get("DESPATCHBOX_MAIL_FROM") or "despatchbox <alerts@localhost>",
        )


def settings() -> Settings:
    return Settings.from_env()
