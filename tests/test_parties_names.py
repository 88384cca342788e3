"""Party codes and member names, on the real members files of the sample."""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

import pytest
from lxml import etree

from despatchbox.attribute.names import (chair_display, chair_office, chair_role, display_name, full_name,
                                         peerage_kind, short_form)
from despatchbox.attribute.parties import is_chair, party, party_name, party_short
from despatchbox.ingest.records import Membership

MEMBERS = Path(__file__).resolve().parent.parent / "sample" / "parlparse-2009-10" / "members"


def _date(value: str | None) -> date | None:
    if not value or value.startswith("9999"):
        return None
    return date.fromisoformat(value if len(value) == 10 else f"{value[:4]}-01-01")


def _blank(value: str | None) -> str | None:
    value = " ".join((value or "").split())
    return value or None


@lru_cache(maxsize=1)
def commons() -> dict[str, Membership]:
    root = etree.parse(str(MEMBERS / "reduced-all-members.xml")).getroot()
    return {el.get("id"): Membership(
        id=el.get("id"), house="commons", title=_blank(el.get("title")), first_name=_blank(el.get("firstname")),
        last_name=_blank(el.get("lastname")), constituency=_blank(el.get("constituency")), party=_blank(el.get("party")),
        from_date=_date(el.get("fromdate")), to_date=_date(el.get("todate"))) for el in root.iter("member")}


@lru_cache(maxsize=1)
def lords() -> list[Membership]:
    data = (MEMBERS / "peers-ucl.xml").read_bytes().replace(b'<?xml version="2.0"', b'<?xml version="1.0"', 1)
    root = etree.fromstring(data)
    return [Membership(
        id=el.get("id"), house="lords", title=_blank(el.get("title")), first_name=_blank(el.get("forenames")),
        last_name=_blank(el.get("lordname")), constituency=None, party=_blank(el.get("affiliation")),
        from_date=_date(el.get("fromdate")), to_date=_date(el.get("todate")), lord_name=_blank(el.get("lordname")),
        lord_of_name=_blank(el.get("lordofname")), peerage_type=_blank(el.get("peeragetype")))
        for el in root.iter("lord")]


def peer(title: str, name: str | None, of: str | None = None) -> Membership:
    found = [m for m in lords() if m.title == title and m.lord_name == name and (of is None or m.lord_of_name == of)]
    assert found, (title, name, of)
    return found[-1]


# --- parties -------------------------------------------------------------------------------

def test_every_party_code_current_in_2009_is_known():
    current = {m.party for m in commons().values()
               if (m.to_date is None or m.to_date >= date(2009, 1, 1)) and m.from_date <= date(2009, 12, 31)}
    assert {"Lab", "Con", "LDem", "SPK", "CWM", "DCWM"} <= current
    for code in current:
        assert party(code) is not None, code
    every_commons_code = {m.party for m in commons().values()} - {"unknown"}
    assert all(party(code) is not None for code in every_commons_code), every_commons_code


def test_every_peers_affiliation_is_known():
    affiliations = {m.party for m in lords()}
    assert {"XB", "Bp", "Lab", "Con", "LDem", "Other"} <= affiliations
    for code in affiliations:
        assert party(code) is not None, code


@pytest.mark.parametrize("code, name, short", [
    ("Lab", "Labour", "Lab"),
    ("Lab/Co-op", "Labour/Co-operative", "Lab/Co-op"),
    ("Con", "Conservative", "Con"),
    ("LDem", "Liberal Democrat", "LD"),
    ("LD", "Liberal Democrat", "LD"),
    ("SNP", "Scottish National Party", "SNP"),
    ("PC", "Plaid Cymru", "PC"),
    ("DUP", "Democratic Unionist Party", "DUP"),
    ("SF", "Sinn F\u00e9in", "SF"),
    ("SDLP", "Social Democratic and Labour Party", "SDLP"),
    ("UUP", "Ulster Unionist Party", "UUP"),
    ("Ind", "Independent", "Ind"),
    ("Ind Lab", "Independent Labour", "Ind Lab"),
    ("Res", "Respect", "Respect"),
    ("XB", "Crossbench", "XB"),
    ("Crossbench", "Crossbench", "XB"),
    ("Bp", "Bishops", "Bp"),
    ("Non-affiliated", "Non-affiliated", "Non-aff"),
    ("SPK", "Speaker", "Speaker"),
    ("CWM", "Chairman of Ways and Means", "CWM"),
    ("DCWM", "Deputy Chairman of Ways and Means", "DCWM"),
    ("  lab ", "Labour", "Lab"),
])
def test_party_names(code, name, short):
    assert party_name(code) == name
    assert party_short(code) == short


def test_chairs_and_unknowns():
    assert is_chair("SPK") and is_chair("CWM") and is_chair("DCWM")
    assert not is_chair("Lab") and not is_chair(None) and not is_chair("XB")
    assert party_name(None) is None and party_name("unknown") is None
    assert party_name("Wessex Regionalist") == "Wessex Regionalist"      # never seen: as printed


# --- names ------------------------------------------------------------------------------------

def test_david_hanson():
    hanson = commons()["uk.org.publicwhip/member/1530"]
    assert (hanson.first_name, hanson.last_name, hanson.constituency) == ("David", "Hanson", "Delyn")
    assert full_name(hanson) == "David Hanson"
    assert display_name(hanson) == "David Hanson (Labour - Delyn)"
    assert short_form(hanson) == "(Lab - Delyn)"
    assert chair_role(hanson, date(2009, 10, 26)) is None
    older = commons()["uk.org.publicwhip/member/259"]          # title="Mr" in the 1997 membership
    assert older.title == "Mr" and full_name(older) == "David Hanson"


@pytest.mark.parametrize("title, name, of, full, display", [
    ("Lord", "Bach", None, "Lord Bach", "Lord Bach (Labour - Life peer)"),
    ("Baroness", "Adams", "Craigielea", "Baroness Adams of Craigielea", "Baroness Adams of Craigielea (Labour - Life peer)"),
    ("Lord", "Addington", None, "Lord Addington", "Lord Addington (Liberal Democrat - Hereditary peer)"),
    ("Lord", "Ackner", None, "Lord Ackner", "Lord Ackner (Crossbench - Law Lord)"),
    ("Earl", None, "Arran", "Earl of Arran", "Earl of Arran (Conservative - Hereditary peer)"),
    ("Countess", None, "Mar", "Countess of Mar", "Countess of Mar (Crossbench - Hereditary peer)"),
    ("Bishop", None, "Ripon and Leeds", "Bishop of Ripon and Leeds", "Bishop of Ripon and Leeds (Bishop)"),
])
def test_peers(title, name, of, full, display):
    m = peer(title, name, of)
    assert full_name(m) == full
    assert display_name(m) == display


def test_peer_short_forms_and_kinds():
    assert short_form(peer("Lord", "Bach")) == "(Lab - Life peer)"
    assert short_form(peer("Countess", None, "Mar")) == "(XB - Hereditary peer)"
    assert [peerage_kind(t) for t in ("L", "HP", "HD", "HO", "B", "A", None)] == \
        ["Life peer", "Hereditary peer", "Hereditary peer", "Hereditary peer", "Bishop", "Law Lord", None]


def _titles_of(first: str, last: str) -> list[str | None]:
    return [m.title for m in commons().values() if (m.first_name, m.last_name) == (first, last)]


def test_the_speaker_in_2009():
    bercow = commons()["uk.org.publicwhip/member/40031"]
    assert bercow.party == "SPK" and bercow.title is None          # the chair membership prints no title
    titles = _titles_of("John", "Bercow")
    assert chair_role(bercow, date(2009, 10, 26), titles) == "Mr Speaker"
    assert chair_display(bercow, date(2009, 10, 26), titles) == "Mr Speaker (John Bercow)"
    assert chair_role(bercow, date(2009, 10, 26)) == "Speaker"        # no title known: no Mr/Madam
    assert chair_role(bercow, date(2009, 6, 1), titles) is None       # before he was elected
    assert display_name(bercow, own_party="Con") == "John Bercow (Conservative - Buckingham)"
    assert display_name(bercow) == "John Bercow (Speaker - Buckingham)"
    assert chair_office(bercow) == "Speaker"
    martin = commons()["uk.org.publicwhip/member/2014"]
    assert chair_role(martin, date(2009, 6, 22), _titles_of("Michael", "Martin")) == "Mr Speaker"
    assert chair_role(martin, date(2009, 10, 26), _titles_of("Michael", "Martin")) is None


def test_deputy_speakers():
    heal = commons()["uk.org.publicwhip/member/2018"]
    assert heal.party == "DCWM"
    assert chair_role(heal, date(2009, 10, 26), _titles_of("Sylvia", "Heal")) == "Madam Deputy Speaker"
    assert display_name(heal, own_party="Lab") == "Sylvia Heal (Labour - Halesowen & Rowley Regis)"
    haselhurst = commons()["uk.org.publicwhip/member/2017"]
    assert haselhurst.party == "CWM"
    assert chair_display(haselhurst, date(2009, 10, 26), _titles_of("Alan", "Haselhurst")) \
        == "Mr Deputy Speaker (Alan Haselhurst)"
    assert chair_office(haselhurst) == "Chairman of Ways and Means"
    boothroyd = commons()["uk.org.publicwhip/member/54"]
    assert chair_role(boothroyd, date(1998, 1, 1)) == "Madam Speaker"      # title="Miss"


def test_title_noise_is_stripped():
    m = Membership(id="x", house="commons", title="Mr.", first_name="rh David", last_name="Hanson MP",
                   constituency="Delyn", party="Lab", from_date=None, to_date=None)
    assert full_name(m) == "David Hanson"
    m.title = "Sir"
    m.first_name, m.last_name = "Alan", "Haselhurst"
    assert full_name(m) == "Sir Alan Haselhurst"
    m.title, m.party, m.constituency = "Dr", None, None
    assert display_name(m) == "Alan Haselhurst"
