"""The named query functions behind the pages (also used by the JSON API): plain dicts on the
real sample."""
from __future__ import annotations

from datetime import date

from despatchbox.store.queries import debates, departments, divisions, fellows, people, questions


def test_people_queries(sample_engine):
    with sample_engine.connect() as conn:
        hanson = people.person_by_slug(conn, "david-hanson")
        assert hanson == {"id": 10259, "name": "David Hanson", "slug": "david-hanson", "house": "commons"}
        assert people.person_by_slug(conn, "nobody") is None
        assert people.counts(conn, 10259) == {"speeches": 22, "questions": 0, "answers": 11, "words": 2306,
                                              "debates": 4, "votes": 4}
        assert people.department_debate_counts(conn, 10259) == [
            {"department_slug": "home-office", "debates": 1, "speeches": 22, "latest": date(2009, 10, 26)}]
        on_day = people.membership_on(conn, 10259, date(2009, 10, 26))
        assert on_day["id"] == "uk.org.publicwhip/member/1530" and on_day["constituency"] == "Delyn"
        assert people.office_on(conn, 10259, date(2009, 10, 26))["position"] == "Minister of State"
        # Meg Hillier between listed posts: the most recent one
        assert people.office_on(conn, 11605, date(2009, 10, 28), "home-office")["responsibility"] == "Identity"
        assert [v["number"] for v in people.votes_of(conn, 10259)] == [233, 232, 231, 230]
        recent = people.recent_contributions(conn, 11605, limit=1)[0]
        assert recent["heading_title"] == "Animal Experiments: Primates" and recent["element"] == "reply"
        total, rows = people.debates_in_common(conn, 10259, 11309)
        assert total == 1 and rows[0]["a_speeches"] == 22 and rows[0]["b_speeches"] == 1
        assert any(f["slug"] == "tom-watson" for f in fellows.fellow_speakers(conn, 10259, limit=500))


def test_debate_queries(sample_engine):
    with sample_engine.connect() as conn:
        d = debates.debate(conn, "uk.org.publicwhip/debate/2009-10-26b.1.4")
        assert (d["title"], d["department_slug"], d["speeches"], d["words"]) == ("HOME DEPARTMENT", "home-office",
                                                                                 150, 9516)
        assert d["source_file"] == "debates2009-10-26b.xml"
        rows = debates.speeches_of(conn, d["id"])
        assert len(rows) == 150 and [r["position"] for r in rows] == sorted(r["position"] for r in rows)
        hanson = next(r for r in rows if r["id"] == "uk.org.publicwhip/debate/2009-10-26b.3.3")
        assert (hanson["person_slug"], hanson["m_party"], hanson["m_constituency"]) == ("david-hanson", "Lab",
                                                                                        "Delyn")
        total, page = debates.member_department_debates(conn, 10259, "home-office")
        assert total == 1 and page[0]["member_speeches"] == 22
        assert page[0]["excerpt"].startswith("We are committed to providing the police")
        assert debates.locate(conn, "uk.org.publicwhip/debate/2009-10-27a.141.2") == {
            "type": "speech", "id": "uk.org.publicwhip/debate/2009-10-27d.141.2",
            "debate_id": "uk.org.publicwhip/debate/2009-10-27d.141.0", "redirected": True}
        assert debates.locate(conn, "uk.org.publicwhip/debate/nothing") is None
        assert debates.latest_sitting_days(conn, ["westminhall"]) == [date(2009, 10, 28), date(2009, 10, 27)]
        total, statements = debates.department_sections(conn, "home-office", ("wms", "lordswms"))
        assert total == 2


def test_department_question_and_division_queries(sample_engine):
    with sample_engine.connect() as conn:
        assert departments.latest_sitting_day(conn) == date(2009, 11, 3)
        ministers = departments.ministers_on(conn, "home-office", date(2009, 10, 26))
        assert [m["person_name"] for m in ministers if m["rank"] == departments.SECRETARY_OF_STATE] == ["Alan Johnson"]
        assert departments.rank_of("PPS") is None and departments.rank_of("Shadow Minister") is None
        assert departments.rank_of("Parliamentary Under-Secretary of State") == departments.UNDER_SECRETARY
        group = questions.question_group(conn, "uk.org.publicwhip/wrans/2009-10-26f.290476.h")
        assert len(group["questions"]) == 3 and len(group["answers"]) == 1
        assert group["debate"]["department_slug"] == "communities-and-local-government"
        assert questions.group_of_speech(conn, "uk.org.publicwhip/wrans/2009-10-26f.294335.q0") == \
            "uk.org.publicwhip/wrans/2009-10-26f.294335.h"
        total, rows = questions.department_questions(conn, "home-office", limit=5)
        assert total == 76 and len(rows) == 5 and rows[0]["askers"]
        division = divisions.division_by_number(conn, "debates", date(2009, 10, 26), 230)
        assert (division["ayes"], division["noes"], division["debate_title"]) == (
            158, 246, "Marine and Coastal Access Bill [Lords] — [ist allocated day]")
        assert division["department_slug"] == "environment-food-and-rural-affairs"
        votes = divisions.division_votes(conn, division["id"])
        assert len(votes) == 408 and sum(v["teller"] for v in votes) == 4


def test_department_sections_read_per_kind_equal_one_walk(sample_engine):
    """A department's sections are read kind by kind to the page's depth and merged (early pages), or in
    one walk of the department (deep pages): both give what one ordered statement over all the kinds
    gives, for every department and mix of kinds of the sample, at every offset either way."""
    from sqlalchemy import select

    from despatchbox.store.schema import debates as debates_table

    fields = [debates_table.c[f] for f in debates._SECTION_FIELDS]
    with sample_engine.connect() as conn:
        slugs = [s for (s,) in conn.execute(select(debates_table.c.department_slug).distinct())
                 if s is not None]
        kinds = [k for (k,) in conn.execute(select(debates_table.c.kind).distinct())]
        mixes = [(k,) for k in kinds] + [("wms", "lordswms"), ("wrans", "lordswrans"), tuple(kinds),
                                          ("debates", "debates", "westminhall")]
        compared = 0
        for slug in slugs:
            for mix in mixes:
                every = [dict(r) for r in conn.execute(
                    select(*fields).where(debates_table.c.department_slug == slug, debates_table.c.kind.in_(mix))
                    .order_by(debates_table.c.date.desc(), debates_table.c.position, debates_table.c.id)).mappings()]
                for limit, offset in ((10, 0), (3, 2), (10, len(every) - 4), (7, debates.MERGED_DEPTH - 3),
                                      (5, debates.MERGED_DEPTH + 1), (10, len(every) + 5)):
                    offset = max(offset, 0)
                    total, page = debates.department_sections(conn, slug, mix, limit, offset)
                    assert page == every[offset:offset + limit], (slug, mix, limit, offset)
                    compared += len(page)
        assert len(slugs) > 5 and compared > 500
