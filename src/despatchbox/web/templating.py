"""The Jinja2 environment shared by every page. Speech text is escaped once, here, at render time."""
from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.autoescape = True
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True


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
