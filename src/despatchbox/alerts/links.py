"""Absolute addresses on the site for alert emails: the record's one URL builder
(:class:`despatchbox.record.urls.Urls`) made absolute with ``DESPATCHBOX_BASE_URL``."""
from __future__ import annotations

from ..record.urls import GID_PREFIX, PAGE_PATHS, Urls, anchor, short_id

#: alert emails link with the same builder as pages, feeds and the API
Links = Urls

__all__ = ["Links", "anchor", "short_id", "GID_PREFIX", "PAGE_PATHS"]
