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
    (otherwise as Jinja does: the attribute, then the item), and with every template reading the
    environment's own globals (:meth:`make_globals`)."""

    def make_globals(self, d: Any = None) -> Any:
        """A template's globals: the environment's ``globals`` dict itself, not Jinja's ``ChainMap`` of
        the template's own (there are none: :func:`register_global` registers on the environment) over
        it. Jinja reads a template's globals on every render — copied into the render's context
        (``dict(globals, **vars)``), their keys into a set for every ``{% include %}``, and compared
        with the importing context's for every ``{% from … import %}`` —, and through a ``ChainMap``
        each of those is a Python loop over its ~30 names: ~15 µs each, 30–50 µs a page. A global
        registered later is still seen (the same dict). Templates given globals of their own get
        Jinja's ``ChainMap`` as before."""
        if d:
            return super().make_globals(d)
        return self.globals

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> jinja2.Template:
        # a template already loaded has its globals updated in place: here they are the environment's
        if globals:
            raise ValueError("page templates read the environment's globals: register them with register_global")
        return super().get_template(name, parent)

    def select_template(self, names: Any, parent: str | None = None, globals: Any = None) -> jinja2.Template:
        if globals:
            raise ValueError("page templates read the environment's globals: register them with register_global")
        return super().select_template(names, parent)

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
