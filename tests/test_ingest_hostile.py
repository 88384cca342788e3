"""Hostile source files: external entities are never resolved (issue 17, defect 1).

Each test copies a real sample file, declares an external entity in its internal DTD next
to the real HTML entities, uses it in a speech, and checks the file is refused whole with a
named error while the rest of the tree loads and no byte of the local file is published.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from despatchbox.ingest.errors import SourceFileError
from despatchbox.ingest.parlparse.xmlfile import parse_xml
from despatchbox.pipeline.run import ingest
from despatchbox.store.schema import speeches

from .conftest import SAMPLE

REAL = SAMPLE / "scrapedxml" / "westminhall" / "westminster2009-10-28a.xml"
SECRET = "db-password-hunter2-and-the-secret-key"


def _hostile_copy(dest: Path, declaration: bytes, use: bytes) -> Path:
    data = REAL.read_bytes()
    data = data.replace(b"[\n", b"[\n" + declaration + b"\n", 1)
    first_p = data.index(b"<p ", data.index(b"<speech "))
    close = data.index(b">", first_p) + 1
    data = data[:close] + use + b" " + data[close:]
    dest.write_bytes(data)
    return dest


@pytest.fixture
def secret_file(tmp_path) -> Path:
    path = tmp_path / "secrets.env"
    path.write_text(SECRET + "\n")
    path.chmod(0o600)
    return path


@pytest.mark.parametrize("form", ["system-absolute", "system-relative", "public", "parameter"])
def test_an_external_entity_is_a_named_error_and_nothing_leaks(tmp_path, secret_file, form):
    folder = tmp_path / "westminhall"
    folder.mkdir()
    target = folder / REAL.name
    if form == "system-absolute":
        decl, use = b'<!ENTITY leak SYSTEM "file://' + str(secret_file).encode() + b'">', b"&leak;"
    elif form == "system-relative":
        decl, use = b'<!ENTITY leak SYSTEM "../secrets.env">', b"&leak;"
    elif form == "public":
        decl, use = b'<!ENTITY leak PUBLIC "-//x//y" "file://' + str(secret_file).encode() + b'">', b"&leak;"
    else:
        decl, use = b'<!ENTITY % leak SYSTEM "file://' + str(secret_file).encode() + b'"> %leak;', b""
    _hostile_copy(target, decl, use)
    with pytest.raises(SourceFileError) as raised:
        parse_xml(target, "publicwhip")
    assert "external entity 'leak'" in raised.value.message
    assert raised.value.path == str(target) and raised.value.line and raised.value.line > 1


def test_dev_zero_does_not_hang_and_the_file_is_skipped_whole(fresh_engine, sample_copy):
    hostile = sample_copy / "scrapedxml" / "westminhall" / "westminster2009-10-28a.xml"
    _hostile_copy(hostile, b'<!ENTITY zero SYSTEM "file:///dev/zero">', b"&zero;")
    report = ingest(fresh_engine, [sample_copy / "scrapedxml" / "westminhall"])
    assert [e.path for e in report.errors] == [str(hostile)]
    assert "external entity 'zero'" in report.errors[0].message
    with fresh_engine.connect() as conn:
        ids = set(conn.execute(select(speeches.c.id).where(speeches.c.kind == "westminhall")).scalars())
    assert ids and not any("2009-10-28a" in i for i in ids)      # the other day loaded, this one not


def test_a_leaked_file_never_reaches_the_store(fresh_engine, sample_copy, secret_file):
    hostile = sample_copy / "scrapedxml" / "westminhall" / "westminster2009-10-28a.xml"
    _hostile_copy(hostile, b'<!ENTITY leak SYSTEM "file://' + str(secret_file).encode() + b'">', b"&leak;")
    ingest(fresh_engine, [sample_copy / "scrapedxml" / "westminhall"])
    with fresh_engine.connect() as conn:
        texts = conn.execute(select(speeches.c.text)).scalars().all()
    assert texts and not any(SECRET in (t or "") for t in texts)


def test_internal_html_entities_still_expand():
    root = parse_xml(REAL, "publicwhip")
    text = "".join(root.itertext())
    assert "&ndash;" not in text and "&mdash;" not in text and len(text) > 1000
