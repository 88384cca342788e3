"""What the search form offers and what people-first shows, read from the search index: the parties
and departments its items hold (``filter_options``), and each person's items (``search_people``).
Both were read from the database's list of items, which cost a scan of every item (3.3 s at 3M
contributions on SQLite) on every search page."""
from __future__ import annotations

from sqlalchemy import text

from despatchbox.pipeline.run import ingest
from despatchbox.store.search import filter_options, search_people

from .conftest import SAMPLE

DEBATES = SAMPLE / "scrapedxml" / "debates" / "debates2009-10-27d.xml"
WRANS = SAMPLE / "scrapedxml" / "wrans" / "answers2009-10-26f.xml"


def _listed(conn) -> tuple[list[str], list[str]]:
    """The departments and parties of the database's list of items, counted the slow way."""
    slugs = conn.execute(text("SELECT DISTINCT d.department_slug FROM search_items i JOIN debates d "
                              "ON d.id = i.debate_id WHERE d.department_slug IS NOT NULL")).scalars().all()
    codes = conn.execute(text("SELECT DISTINCT m.party FROM search_items i JOIN memberships m "
                              "ON m.id = i.membership_id WHERE m.party IS NOT NULL")).scalars().all()
    return sorted(slugs), sorted(codes)


def test_the_choices_are_what_the_items_hold_and_follow_them(fresh_engine):
    assert ingest(fresh_engine, [SAMPLE / "members", DEBATES, WRANS]).ok
    with fresh_engine.connect() as conn:
        options = filter_options(conn)
        slugs, codes = _listed(conn)
        known = conn.execute(text("SELECT count(DISTINCT party) FROM memberships")).scalar_one()
    assert (options.department_slugs, options.party_codes) == (slugs, codes)
    assert len(codes) >= 4 and len(slugs) >= 5 and known > len(codes), "the members data holds parties never heard"
    # a party's every item taken away (its members' speeches deleted): no longer offered
    gone = "PC" if "PC" in codes else codes[0]
    with fresh_engine.begin() as conn:
        conn.execute(text("DELETE FROM speeches WHERE membership_id IN (SELECT id FROM memberships "
                          "WHERE party = :p)"), {"p": gone})
    with fresh_engine.connect() as conn:
        after = filter_options(conn)
        assert after.party_codes == [c for c in codes if c != gone] == _listed(conn)[1]
        assert after.department_slugs == _listed(conn)[0]
    # a department's items gone too
    with fresh_engine.begin() as conn:
        conn.execute(text("DELETE FROM speeches WHERE debate_id IN (SELECT id FROM debates "
                          "WHERE department_slug = :d)"), {"d": slugs[0]})
    with fresh_engine.connect() as conn:
        assert filter_options(conn).department_slugs == [s for s in slugs if s != slugs[0]] == _listed(conn)[0]


def test_a_persons_items_are_counted_as_listed(fresh_engine):
    assert ingest(fresh_engine, [SAMPLE / "members", DEBATES, WRANS]).ok
    with fresh_engine.connect() as conn:
        hits = search_people(conn, "hanson")
        for hit in hits:
            listed = conn.execute(text("SELECT count(*) FROM search_items WHERE person_id = :p"),
                                  {"p": hit.id}).scalar_one()
            assert hit.speeches == listed
        person = next(h.id for h in hits if h.speeches > 1)     # David Hanson, at Home Office questions
    with fresh_engine.begin() as conn:       # half of their speeches go: the count follows
        conn.execute(text("DELETE FROM speeches WHERE id IN (SELECT speech_id FROM search_items "
                          "WHERE person_id = :p AND id % 2 = 0)"), {"p": person})
    with fresh_engine.connect() as conn:
        listed = conn.execute(text("SELECT count(*) FROM search_items WHERE person_id = :p"),
                              {"p": person}).scalar_one()
        assert next(h for h in search_people(conn, "hanson") if h.id == person).speeches == listed
