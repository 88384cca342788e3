"""Opening ParlParse XML files with lxml, as they are.

The 2009 files are ISO-8859-1 and declare their HTML entities in an internal
DTD; lxml reads both natively. ``peers-ucl.xml`` claims ``version="2.0"``,
which lxml refuses, so that one declaration is rewritten to ``1.0`` in memory.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from lxml import etree

from ..errors import SourceFileError

_XML_DECLARATION_VERSION = re.compile(rb'^(\s*<\?xml[^>]*?version=)(["\'])2\.0\2')
_PARSER_OPTIONS = dict(resolve_entities=True, huge_tree=True, remove_comments=True, load_dtd=False)


def parse_xml(path: Path, expected_root: str | tuple[str, ...] | None = None) -> etree._Element:
    """Parse a file and return its root, raising SourceFileError with the line on failure."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceFileError(path, f"cannot read: {exc.strerror or exc}") from exc
    data = _XML_DECLARATION_VERSION.sub(rb"\g<1>\g<2>1.0\g<2>", data, count=1)
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data, parser, base_url=str(path))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise SourceFileError(path, f"not well-formed XML: {exc.msg}", line) from exc
    if root is None:
        raise SourceFileError(path, "empty document")
    if expected_root is not None:
        allowed = (expected_root,) if isinstance(expected_root, str) else expected_root
        if root.tag not in allowed:
            raise SourceFileError(
                path, f"unexpected root element <{root.tag}> (expected <{'> or <'.join(allowed)}>)",
                root.sourceline,
            )
    return root


def parse_date(value: str | None) -> date | None:
    """ParlParse dates: 'YYYY-MM-DD', a bare year, or the open-ended '9999-12-31' (→ None)."""
    if not value:
        return None
    value = value.strip()
    if value.startswith("9999"):
        return None
    if len(value) == 4 and value.isdigit():
        return date(int(value), 1, 1)
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def tail_id(value: str | None) -> int | None:
    """'uk.org.publicwhip/person/10002' → 10002."""
    if not value:
        return None
    last = value.rsplit("/", 1)[-1]
    return int(last) if last.isdigit() else None
