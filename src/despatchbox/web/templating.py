"""The Jinja2 environment shared by every page. Speech text is escaped once, here, at render time.

Templates are read once per process: a page render asks the file system nothing (``despatchbox serve
--reload``, for development, sets ``DESPATCHBOX_TEMPLATE_RELOAD=1`` and edits show at once). Pages
are given plain dicts, so ``row.name`` looks up the key first (Jinja's own order, the attribute
first, costs a failed attribute lookup per field shown).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2
from fastapi.templating import Jinja2Templates

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
#: set (to "1") by `despatchbox serve --reload`: templates are read again when they change
RELOAD_ENV = "DESPATCHBOX_TEMPLATE_RELOAD"


class PageEnvironment(jinja2.Environment):
    """Jinja's environment with ``x.y`` on a plain dict read as ``x["y"]`` when the key is there
    (otherwise as Jinja does: the attribute, then the item)."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


templates = Jinja2Templates(env=PageEnvironment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                                                trim_blocks=True, lstrip_blocks=True,
                                                auto_reload=os.environ.get(RELOAD_ENV) == "1"))


def register_filter(name: str):
    """Decorator: make a function available to templates as a filter."""
    def wrap(fn):
        templates.env.filters[name] = fn
        return fn
    return wrap


def register_global(name: str):
    def wrap(fn):
        templates.env.globals[name] = fn
        return fn
    return wrap
