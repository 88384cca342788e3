"""One vocabulary: an item's title, date and department read the same on its page, in its feed
entry, in its alert email and in its API object — for every item of one sitting day; the store
returns facts (no module under ``store/`` imports naming code) and every surface names them the
same way (issue 14)."""
from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree, html

import despatchbox
from despatchbox.alerts.emails import Emails
from despatchbox.alerts.model import Alert
from despatchbox.alerts.samples import sample_digest
from despatchbox.alerts.signing import Signer
from despatchbox.alerts.subscriptions import Target
from despatchbox.attribute.parties import all_parties, party_name
from despatchbox.export.records import export_speeches
from despatchbox.record import kinds, naming
from despatchbox.record.naming import full_date
from despatchbox.record.urls import Urls
from despatchbox.store.database import engine_for
from despatchbox.store.queries.quotes import quoted_speeches
from despatchbox.store.queries.speakers import CHAIR_CODES, chair_own_parties
from despatchbox.store.search import search_people
from despatchbox.web.app import create_app
from despatchbox.web.quoted import speech_detail

DAY = date(2009, 10, 28)      # the latest day held: department feeds and the sample alert reach all its items
ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "http://despatchbox.test"


@pytest.fixture(scope="module")
def client(sample_url):
    return TestClient(create_app(sample_url))


def _api_items(client) -> list[dict]:
    items = []
    for kind in kinds.SPOKEN + kinds.STATEMENTS:
        page = client.get("/api/v1/debates", params={"date": DAY.isoformat(), "kind": kind, "limit": 100}).json()
        items += [i for i in page["items"] if i["department"] and i["speeches"]]
    return items


def _page(client, item) -> tuple[str, str, str]:
    doc = html.fromstring(client.get(item["web_url"]).text)
    title = doc.findtext(".//main//h1").strip()
    day = doc.find(".//main//p[@class='dateline']/span[@class='date']").text_content().strip()
    dept = doc.find(".//main//p[@class='meta']/a[@href]").text_content().strip()
    return title, day, dept


def _feed_entries(client, slug: str) -> dict[str, tuple[str, str]]:
    feed = etree.fromstring(client.get(f"/feeds/departments/{slug}.atom").content)
    name = feed.findtext(f"{ATOM}title").split(":")[0]
    out = {}
    for entry in feed.iter(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link").get("href").removeprefix("http://127.0.0.1:8000")
        out[link] = (entry.findtext(f"{ATOM}title"), entry.findtext(f"{ATOM}summary"), name)
    return out


def _email_text(sample_url, slug: str) -> str:
    with engine_for(sample_url).connect() as conn:
        sample = sample_digest(conn, Target("department", slug, {}), Urls(BASE))
    emails = Emails(links=Urls(BASE), signer=Signer("test-key"), mail_from="alerts@despatchbox.test")
    alert = Alert(id=1, email="reader@example.org", kind="department", target=slug, filters={}, frequency="daily")
    return emails.digest(alert, sample.digest, item_keys=["x"]).get_body(("plain",)).get_content()


def test_every_item_of_a_day_reads_the_same_on_page_feed_email_and_api(client, sample_url):
    items = _api_items(client)
    assert len(items) >= 10
    feeds: dict[str, dict] = {}
    emails: dict[str, str] = {}
    for item in items:
        slug = item["department"]["slug"]
        title, day, dept = item["title"], full_date(date.fromisoformat(item["date"])), item["department"]["name"]
        assert _page(client, item) == (title, day, dept), item["id"]

        entries = feeds.setdefault(slug, _feed_entries(client, slug))
        assert item["web_url"] in entries, (item["id"], slug)
        feed_title, summary, feed_dept = entries[item["web_url"]]
        assert feed_title == f"{title} ({kinds.name_of(item['kind'])})"
        assert day in summary and feed_dept == dept

        text = emails.setdefault(slug, _email_text(sample_url, slug))
        assert f"{title}\n" in text and f"· {day} · {dept}" in text, (item["id"], title)


# --- the store returns facts; the surfaces name them ----------------------------------------------

STORE = Path(despatchbox.__file__).resolve().parent / "store"
#: modules that name things; the store must not import them
NAMING_MODULES = {"despatchbox.record.naming", "despatchbox.attribute.names", "despatchbox.attribute.parties"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(STORE.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def naming_imports(path: Path) -> set[str]:
    """The naming modules ``path`` imports: ``import a.b``, ``from a import b``, ``from ..a.b import c``."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        found |= {n for n in names for banned in NAMING_MODULES if n == banned or n.startswith(banned + ".")}
    return found


def test_no_store_module_imports_naming_code():
    modules = sorted(STORE.rglob("*.py"))
    assert len(modules) > 20
    keys = {path.relative_to(STORE.parent.parent).as_posix(): path for path in modules}
    offenders = {key: sorted(found) for key, path in keys.items() if (found := naming_imports(path))}
    assert not offenders, f"store modules naming things (return facts; name them in the surfaces): {offenders}"


def test_the_import_check_sees_every_form_of_import(tmp_path):
    store = STORE / "queries"
    for line in ("from ...record import kinds, naming", "from ...attribute.names import display_name",
                 "from ...attribute import parties", "import despatchbox.attribute.parties",
                 "from despatchbox.record.naming import full_date"):
        probe = store / "_probe_one_vocabulary.py"
        try:
            probe.write_text(line + "\n", encoding="utf-8")
            assert naming_imports(probe), line
        finally:
            probe.unlink()
    assert not naming_imports(STORE / "queries" / "export.py")       # kinds alone is the table, not naming


def test_the_stores_chair_codes_are_the_parties_chairs():
    assert set(CHAIR_CODES) == {p.code for p in all_parties() if p.chair}


def test_a_speech_is_named_alike_in_export_who_said_and_people_search(sample_engine):
    with sample_engine.connect() as conn:
        record = next(r for r in export_speeches(conn) if r["name"] == "David Hanson")
        fact = quoted_speeches(conn, [record["id"]])[record["id"]]
        [person] = [p for p in search_people(conn, "David Hanson") if p.full_match]
    # the store gives facts: a membership with the party code as printed, no label
    assert fact.membership is not None and fact.membership.party == "Lab" and fact.department_slug
    assert not hasattr(fact, "display_name") and not hasattr(person, "display_name")
    detail = speech_detail(fact)
    assert (detail["name"], detail["party"], detail["constituency"], detail["house"]) == \
        (record["name"], record["party"], record["constituency"], record["house"]) == \
        ("David Hanson", "Labour", "Delyn", "commons")
    assert detail["department"] == record["department"]
    assert detail["display_name"] == naming.member_label(person.latest, None, person.name) == \
        "David Hanson (Labour - Delyn)"


def test_a_chair_speaks_under_their_own_party_in_export_and_who_said(sample_engine):
    with sample_engine.connect() as conn:
        own = chair_own_parties(conn)
        record = next(r for r in export_speeches(conn) if r["person_id"] in own)
        detail = speech_detail(quoted_speeches(conn, [record["id"]])[record["id"]])
    assert record["party"] == detail["party"] == party_name(own[record["person_id"]])
    assert record["party"] not in {"Speaker", "Chairman of Ways and Means", "Deputy Chairman of Ways and Means"}


def test_a_search_hit_is_named_as_who_said_names_its_speech(sample_engine):
    from despatchbox.store.search import SearchQuery, search
    from despatchbox.web.search_hits import named_hit

    with sample_engine.connect() as conn:
        [fact] = search(conn, SearchQuery('"organised crime"', kind="wrans")).hits
        detail = speech_detail(quoted_speeches(conn, [fact.id])[fact.id])
    hit = named_hit(fact)
    assert fact.membership is not None and fact.membership.party == "Lab"      # the store: a code
    assert (hit.name, hit.display_name, hit.party, hit.constituency, hit.house) == \
        (detail["name"], detail["display_name"], detail["party"], detail["constituency"], detail["house"]) == \
        ("Alan Campbell", "Alan Campbell (Labour - Tynemouth)", "Labour", "Tynemouth", "commons")
    assert (hit.department_slug, hit.department) == (detail["department"]["slug"], detail["department"]["name"]) \
        == ("home-office", "Home Office")
