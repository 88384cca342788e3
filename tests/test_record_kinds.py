"""The one table of record kinds: every surface lists every kind, and names it the same way."""
from __future__ import annotations

from datetime import date

from despatchbox.alerts import digest
from despatchbox.ingest.parlparse.transcripts import KIND_BY_PREFIX
from despatchbox.record import kinds
from despatchbox.store.queries.quotes import QuotedDebate
from despatchbox.store.search import model as search_model
from despatchbox.web import quoted, search_hits
from despatchbox.web.pages import common as pages

DAY = date(2009, 10, 26)


def test_every_surface_lists_every_kind_under_the_same_name():
    for k in kinds.KINDS:
        names = {
            "pages": pages.KIND_NAMES[k.key],
            "emails": digest.CHAMBERS[k.key],
            "who-said": quoted.debate_detail(QuotedDebate("d", None, DAY, k.key, None))["chamber"],
            "search": search_hits.KIND_NAMES[k.key],
        }
        assert set(names.values()) == {k.name}, (k.key, names)
        assert kinds.group_of(k.key) == k.group               # export's `chamber` is the kind's group
        assert KIND_BY_PREFIX[k.file_prefix] == k.key
        assert k.key in search_model.KINDS
    listed = [key for _, _, keys in pages.CHAMBERS for key in keys]
    assert sorted(listed) == sorted(kinds.KEYS)          # the home page lists each kind once


def test_the_api_schema_offers_every_kind(sample_url, monkeypatch):
    from fastapi.testclient import TestClient

    from despatchbox.web.app import create_app

    monkeypatch.setenv("DESPATCHBOX_DATABASE_URL", sample_url)
    schema = TestClient(create_app(sample_url)).get("/api/v1/openapi.json").json()
    import json
    import re

    params = [p for op in schema["paths"].values() for m in op.values() for p in m.get("parameters", [])
              if p["name"] == "kind"]
    enums = [json.loads(e) for p in params for e in re.findall(r'"enum": (\[[^\]]*\])', json.dumps(p["schema"]))]
    enums = [e for e in enums if e]
    assert enums and all(sorted(e) == sorted(kinds.KEYS) for e in enums)


def test_unknown_kind_names_the_known_ones():
    import pytest
    with pytest.raises(KeyError, match="lordswrans"):
        kinds.kind("hansard")
    assert kinds.name_of("hansard") == "hansard"
