"""What the page tests read of a rendered page."""
from __future__ import annotations

import lxml.html


def text_of(el) -> str:
    """An element's text with its whitespace folded, as a reader sees it."""
    return " ".join(el.text_content().split())


def page(client, url):
    """The parsed page at ``url``, which must answer 200."""
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    return lxml.html.fromstring(r.text)
