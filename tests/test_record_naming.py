"""The record's naming policy: departments named as on the day, one fallback everywhere."""
from __future__ import annotations

from datetime import date

from despatchbox.record.naming import department_name, department_ref, membership_from_row


def test_a_department_is_named_as_on_the_day():
    assert department_name("home-office", date(2009, 10, 26)) == "Home Office"
    assert department_name("business", date(2009, 10, 26)) == "Department for Business, Innovation and Skills"
    assert department_name("business", date(2006, 5, 1)) == "Department of Trade and Industry"
    assert department_name(None) is None and department_ref(None) is None


def test_an_unknown_slug_keeps_the_stored_name_then_the_slug():
    assert department_name("no-such-department", date(2009, 10, 26), "Ministry of Silly Walks") == \
        "Ministry of Silly Walks"
    assert department_name("no-such-department", date(2009, 10, 26)) == "no-such-department"
    assert department_ref("no-such-department") == {"name": "no-such-department", "slug": "no-such-department"}


def test_membership_from_a_prefixed_row():
    row = {"m_id": "uk.org.publicwhip/member/1", "m_house": "commons", "m_first_name": "David",
           "m_last_name": "Hanson", "m_constituency": "Delyn", "m_party": "Lab", "m_title": None,
           "m_from_date": None, "m_to_date": None, "m_lord_name": None, "m_lord_of_name": None,
           "m_peerage_type": None}
    m = membership_from_row(row, "m_")
    assert (m.first_name, m.last_name, m.constituency, m.party) == ("David", "Hanson", "Delyn", "Lab")
    assert membership_from_row({**row, "m_house": None}, "m_") is None
    assert membership_from_row(row, "m_", constituency=None).constituency is None
