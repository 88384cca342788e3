"""web/pages/items: the member and department pages' lists built in Python are what the template
loops they replace wrote, byte for byte — on the real sample's rows and on rows with every value
that needs escaping or takes another branch."""
from __future__ import annotations

from datetime import date

from despatchbox.store.queries import debates, departments, people, questions
from despatchbox.store.queries import fellows as fellow_queries
from despatchbox.store.queries.people import SPOKEN_KINDS, WRITTEN_STATEMENT_KINDS
from despatchbox.web.pages import common  # noqa: F401  (registers the filters and globals)
from despatchbox.web.pages.items import (activity_rows, answer_items, contribution_items, fellow_items, section_items,
                                         vote_rows)
from despatchbox.web.pages.members import ELEMENT_NAMES, _contribution_url
from despatchbox.web.templating import templates

#: the loops as the templates wrote them before (department.html, member.html)
SECTIONS = """{% for d in debates %}
  <li><a href="{{ debate_url(d.id) }}">{{ d.title|title_case }}</a>
    <span class="meta">{{ d.date|full_date }} · {{ kind_name(d.kind) }} · {{ d.speeches }} speech{{ '' if d.speeches == 1 else 'es' }}</span></li>
{% endfor %}
"""
STATEMENTS = """{% for d in statements %}
  <li><a href="{{ debate_url(d.id) }}">{{ d.title|title_case }}</a>
    <span class="meta">{{ d.date|full_date }} · {{ kind_name(d.kind) }}</span></li>
{% endfor %}
"""
ANSWERS = """{% for q in answers %}
  <li><a href="{{ question_url(q.id) }}">{{ q.title|title_case }}</a>
    <span class="meta">{{ q.date|full_date }}{% if q.askers %} · asked by {{ q.askers|join(", ") }}{% endif %}{% if q.answerer %} · answered by {{ q.answerer }}{% endif %}</span></li>
{% endfor %}
"""
RECENT = """{% for c in recent %}
  <li><a href="{{ c.url }}">{{ c.debate_title|title_case }}{% if c.heading_title and c.heading_title != c.debate_title %}: {{ c.heading_title|title_case }}{% endif %}</a>
    <span class="meta">{{ c.what }} · {{ c.date|full_date }} · {{ kind_name(c.kind) }}{% if c.department_slug %} · {{ department_name(c.department_slug, c.date) }}{% endif %}</span>
    <blockquote>{{ c.text|excerpt(220) }}</blockquote></li>
{% endfor %}
"""
VOTES = """  {% for v in votes %}
  <tr><td>{{ v.date|short_date }}</td>
      <td><a href="{{ division_url(v.division_id) }}">No. {{ v.number }}: {{ v.debate_title|title_case }}</a></td>
      <td>{{ {"aye": "Aye", "no": "No", "content": "Content", "not-content": "Not content"}.get(v.vote, v.vote) }}{% if v.teller %} (teller){% endif %}</td>
      <td>{{ v.ayes }}–{{ v.noes }}</td></tr>
  {% endfor %}
"""

ACTIVITY = """{% for a in activity[-10:]|reverse %}<tr><td>{{ a.date|short_date }}</td> <td>{{ a.speeches }}</td> <td>{{ a.questions }}</td> <td>{{ a.answers }}</td></tr>{% endfor %}"""
FELLOWS = """{% for f in fellows %}
  <li><a href="{{ f.vs_url }}">{{ person.name }} and {{ f.name }}</a> <span class="meta">{{ f.debates }} debate{{ '' if f.debates == 1 else 's' }}</span></li>
{% endfor %}
"""


def _loop(source: str, **context) -> str:
    return templates.env.from_string(source).render(**context)


ODD = "Tom & Jerry's <b>\"odd\"</b> UK NHS BILL [Mr Speaker in the Chair]"


def test_department_lists_as_the_loops_wrote_them(sample_engine):
    with sample_engine.connect() as conn:
        dept_rows = sorted(departments.all_departments(conn), key=lambda d: -d["sections"])[:6]
        checked = 0
        for d in dept_rows:
            _, sections = debates.department_sections(conn, d["slug"], SPOKEN_KINDS, limit=30, with_total=False)
            _, statements = debates.department_sections(conn, d["slug"], WRITTEN_STATEMENT_KINDS, limit=30,
                                                        with_total=False)
            _, answers = questions.department_questions(conn, d["slug"], limit=30, with_total=False)
            assert section_items(sections, speeches=True) == _loop(SECTIONS, debates=sections)
            assert section_items(statements, speeches=False) == _loop(STATEMENTS, statements=statements)
            assert answer_items(answers) == _loop(ANSWERS, answers=answers)
            checked += len(sections) + len(statements) + len(answers)
        assert checked > 50
    odd = [{"id": "uk.org.publicwhip/debate/2009-10-26b.1.4", "title": ODD, "date": date(2009, 10, 26),
            "kind": "no-such-kind<>", "speeches": n} for n in (0, 1, 2)]
    assert section_items(odd, speeches=True) == _loop(SECTIONS, debates=odd)
    assert section_items(odd, speeches=False) == _loop(STATEMENTS, statements=odd)
    answers = [{"id": "uk.org.publicwhip/wrans/2009-10-26f.1.h", "title": ODD, "date": date(2009, 10, 26),
                "askers": askers, "answerer": answerer}
               for askers in ([], ["A & B"], ["<x>", "Y's"]) for answerer in (None, "", "Q & A <z>")]
    assert answer_items(answers) == _loop(ANSWERS, answers=answers)


def test_member_lists_as_the_loops_wrote_them(sample_engine):
    with sample_engine.connect() as conn:
        checked = 0
        for person in people.most_active(conn, limit=8):
            recent = people.recent_contributions(conn, person["id"], limit=10)
            for c in recent:
                c["url"] = _contribution_url(person, c)
                c["what"] = ELEMENT_NAMES.get(c["element"], "Speech")
            votes = people.votes_of(conn, person["id"], limit=15)
            assert contribution_items(recent) == _loop(RECENT, recent=recent)
            assert vote_rows(votes) == _loop(VOTES, votes=votes)
            checked += len(recent) + len(votes)
        assert checked > 50
    recent = [{"url": "/x?a=1&b=2", "debate_title": ODD, "heading_title": heading, "what": "Speech & <Q>",
               "date": date(2009, 10, 26), "kind": kind, "department_slug": slug, "text": text}
              for heading in (None, "", ODD, "Other <heading>")
              for kind, slug in (("debates", "home-office"), ("odd<kind>", None), ("wrans", "no-such-dept"))
              for text in (None, "short & plain", "word " * 80)]
    assert contribution_items(recent) == _loop(RECENT, recent=recent)
    votes = [{"date": date(2009, 10, 26), "division_id": "uk.org.publicwhip/division/2009-10-26b.125.5",
              "number": 12, "debate_title": ODD, "vote": vote, "teller": teller, "ayes": 300, "noes": None}
             for vote in ("aye", "no", "content", "not-content", "both", "<x>") for teller in (False, True, None)]
    assert vote_rows(votes) == _loop(VOTES, votes=votes)


def test_member_activity_and_fellows_as_the_loops_wrote_them(sample_engine):
    with sample_engine.connect() as conn:
        checked = 0
        for person in people.most_active(conn, limit=8):
            latest = people.activity_and_counts(conn, person["id"])[0]["latest"]
            fellows = fellow_queries.fellow_speakers(conn, person["id"], limit=8)
            for f in fellows:
                f["vs_url"] = f"/mp/{person['slug']}/vs/{f['slug']}"
            assert activity_rows(latest) == _loop(ACTIVITY, activity=latest)
            assert fellow_items(fellows, person["name"]) == _loop(FELLOWS, fellows=fellows, person=person)
            checked += len(latest) + len(fellows)
        assert checked > 30
    days = [{"date": date(2009, 10, d), "speeches": d, "questions": 0, "answers": None} for d in range(1, 15)]
    days.append({"date": None, "speeches": 1, "questions": 2, "answers": 3})
    for some in (days, days[:3], []):
        assert activity_rows(some) == _loop(ACTIVITY, activity=some)
    fellows = [{"vs_url": "/mp/a/vs/b?x=1&y=<2>", "name": name, "debates": n}
               for name in ("Plain", ODD) for n in (0, 1, 2)]
    for name in ("Tom & Jerry's", ODD):
        assert fellow_items(fellows, name) == _loop(FELLOWS, fellows=fellows, person={"name": name})
