"""Opening ParlParse XML files with lxml, as they are.

The 2009 files are ISO-8859-1 and declare their HTML entities in an internal
DTD; lxml reads both natively. ``peers-ucl.xml`` claims ``version="2.0"``,
which lxml refuses, so that one declaration is rewritten to ``1.0`` in memory.

Only the internal DTD's own entities are ever expanded. A file that declares an
external entity (``<!ENTITY x SYSTEM "file:///etc/passwd">``, general or parameter,
SYSTEM or PUBLIC) is refused whole with a named error: expanding it would publish a
local file (or spin forever on ``/dev/zero``). lxml is also told to resolve internal
entities only and never to touch the network, so a declaration this check missed
still cannot be loaded.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from lxml import etree

from ..errors import SourceFileError

_XML_DECLARATION_VERSION = re.compile(rb'^(\s*<\?xml[^>]*?version=)(["\'])2\.0\2')
_PARSER_OPTIONS = dict(
    resolve_entities="internal", huge_tree=True, remove_comments=True, load_dtd=False,
    no_network=True, dtd_validation=False,
)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_EXTERNAL_ENTITY = re.compile(
    rb"<!ENTITY\s+(?:%\s+)?([^\s>]+)\s+(SYSTEM|PUBLIC)\s+(?:\"([^\"]*)\"|'([^']*)')", re.IGNORECASE
)


def refuse_external_entities(path: Path, data: bytes) -> None:
    """Raise SourceFileError if the document declares an external entity (general or parameter).

    The whole document is searched, not only up to the first ``]>``: an entity value may
    itself hold ``]>``. A literal ``<!ENTITY`` can only be markup outside a DTD in CDATA,
    which ParlParse never writes.
    """
    if _DOCTYPE.search(data, 0, 65536) is None:
        return
    found = _EXTERNAL_ENTITY.search(data)
    if found is not None:
        name = found.group(1).decode("ascii", "replace")
        target = (found.group(3) or found.group(4) or b"").decode("latin-1")
        line = data.count(b"\n", 0, found.start()) + 1
        raise SourceFileError(
            path,
            f"declares an external entity '{name}' ({found.group(2).decode()} \"{target}\"); "
            "only the internal DTD's own entities are allowed",
            line,
        )


def parse_xml(path: Path, expected_root: str | tuple[str, ...] | None = None) -> etree._Element:
    """Parse a file and return its root, raising SourceFileError with the line on failure."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceFileError(path, f"cannot read: {exc.strerror or exc}") from exc
    data = _XML_DECLARATION_VERSION.sub(rb"\g<1>\g<2>1.0\g<2>", data, count=1)
    refuse_external_entities(path, data)
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
