"""Department attribution on the real sample week (26–28 October 2009)."""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from functools import lru_cache
from pathlib import Path

import pytest
from lxml import etree

from despatchbox.attribute.departments import (
    Assignment, Contribution, DebateEvidence, assign_department, by_slug, department_for_heading,
    department_for_office, department_for_post, name_on, registry)

SAMPLE = Path(__file__).resolve().parent.parent / "sample" / "parlparse-2009-10"
SCRAPED = SAMPLE / "scrapedxml"
MEMBERS = SAMPLE / "members"


# --- reading the sample (lxml, as ParlParse prints it) --------------------------------------

def _text(el) -> str:
    return " ".join("".join(el.itertext()).split())


def _file_date(path: Path) -> date:
    return date.fromisoformat(re.search(r"(\d{4}-\d\d-\d\d)", path.name).group(1))


def _latest(folder: str) -> list[Path]:
    best: dict[str, Path] = {}
    for path in sorted((SCRAPED / folder).glob("*.xml")):
        series, version = re.match(r"(.*\d{4}-\d\d-\d\d)([a-z]+)\.xml$", path.name).groups()
        old = best.get(series)
        if old is None or (len(version), version) > (len(old.stem) - len(series), old.stem[len(series):]):
            best[series] = path
    return [best[s] for s in sorted(best)]


@lru_cache(maxsize=1)
def _person_of_member() -> dict[str, int]:
    out = {}
    for person in etree.parse(str(MEMBERS / "people.xml")).getroot().iter("person"):
        pid = int(person.get("id").rsplit("/", 1)[1])
        for office in person.iter("office"):
            out[office.get("id")] = pid
    return out


def _person(name_or_member: str) -> int:
    return _person_of_member()[name_or_member]


@lru_cache(maxsize=1)
def _government_posts() -> dict[int, list[tuple[str, date, date]]]:
    """person id → (dept as printed, from, to) of government posts (not PPSs, not committees)."""
    held = defaultdict(list)
    people = _person_of_member()
    for m in etree.parse(str(MEMBERS / "ministers.xml")).getroot().iter("moffice"):
        source = m.get("source") or ""
        if not ("govposts" in source or "newlabministers" in source) or m.get("position") in ("", "PPS"):
            continue
        pid = people.get(m.get("matchid"))
        if pid is not None:
            held[pid].append((m.get("dept"), date.fromisoformat(m.get("fromdate")), date.fromisoformat(m.get("todate"))))
    return held


def posts(pid: int, on: date) -> list[str]:
    """The fake PostLookup: ministers.xml dept= values of posts held that day, as printed."""
    return list(dict.fromkeys(d for d, start, end in _government_posts().get(pid, []) if start <= on <= end))


def sections(path: Path, kind: str) -> list[DebateEvidence]:
    """A file cut into debates: at major headings (minor ones where a kind has no majors)."""
    starts = "minor-heading" if kind in ("westminhall", "lordswms", "lordswrans") else "major-heading"
    people = _person_of_member()
    out: list[DebateEvidence] = []
    for el in etree.parse(str(path)).getroot():
        if el.tag == starts:
            out.append(DebateEvidence(kind=kind, date=_file_date(path), title=_text(el), subtitles=[], contributions=[]))
        elif el.tag in ("major-heading", "minor-heading") and out:
            out[-1].subtitles.append(_text(el))
        elif el.tag in ("speech", "ques", "reply") and out:
            out[-1].contributions.append(Contribution(
                element=el.tag, speaker_office=el.get("speakeroffice"), speaker_name=el.get("speakername"),
                person_id=people.get(el.get("speakerid")), text=_text(el)))
    return out


def _section(kind: str, day: str, title: str) -> DebateEvidence:
    found = [ev for path in _latest(kind) if _file_date(path) == date.fromisoformat(day)
             for ev in sections(path, kind) if ev.title == title]
    assert found, f"no section {title!r} in {kind} {day}"
    return found[0]


# --- the registry -----------------------------------------------------------------------------

def test_slugs_are_unique_and_found():
    slugs = [d.slug for d in registry()]
    assert len(slugs) == len(set(slugs))
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", s) for s in slugs)
    assert by_slug("home-office").name == "Home Office"
    assert by_slug("no-such-department") is None
    assert by_slug("church-commissioners").kind == "non-ministerial"
    assert by_slug("hm-household").kind == "whips"


@pytest.mark.parametrize("slug, on, name", [
    ("business", "2009-06-04", "Department for Business, Enterprise and Regulatory Reform"),
    ("business", "2009-06-05", "Department for Business, Innovation and Skills"),
    ("business", "2006-01-01", "Department of Trade and Industry"),
    ("business", "2023-06-01", "Department for Business and Trade"),
    ("ministry-of-justice", "2005-01-01", "Department for Constitutional Affairs"),
    ("ministry-of-justice", "2009-10-26", "Ministry of Justice"),
    ("education", "2009-10-26", "Department for Children, Schools and Families"),
    ("education", "2011-01-01", "Department for Education"),
    ("communities-and-local-government", "2022-01-01", "Department for Levelling Up, Housing and Communities"),
    ("foreign-office", "2021-01-01", "Foreign, Commonwealth and Development Office"),
    ("health", "2009-10-26", "Department of Health"),
])
def test_name_on(slug, on, name):
    assert name_on(slug, date.fromisoformat(on)) == name


# --- headings -------------------------------------------------------------------------------

#: the oral-question departments of 26–28 October 2009 (debates files, latest versions)
ORAL_HEADINGS = {
    ("2009-10-26", "HOME DEPARTMENT"): "home-office",
    ("2009-10-27", "COMMUNITIES AND LOCAL GOVERNMENT"): "communities-and-local-government",
    ("2009-10-28", "CABINET OFFICE"): "cabinet-office",
    ("2009-10-28", "PRIME MINISTER"): "prime-ministers-office",
}

#: every other major heading in those files names no department
NOT_DEPARTMENTS = {
    "BUSINESS BEFORE QUESTIONS", "DELEGATED LEGISLATION", "SITTINGS OF THE HOUSE", "PUBLIC ACCOUNTS",
    "REGIONAL SELECT COMMITTEE (WEST MIDLANDS)", "REGIONAL SELECT COMMITTEE (YORKSHIRE AND THE HUMBER)",
    "REGIONAL SELECT COMMITTEE (SOUTH WEST)", "TERRITORIAL ARMY", "Points of Order",
    "Closed Circuit Television (Monitoring and Promotion)", "Opposition Day", "PETITION \u2014 Princess Royal Hospital, Telford",
    "FABIO ALVES-NUNES", "Rentcharges (Notification)", "Opposition Day \u2014 [20th Allotted Day]", "INCOME TAX",
    "COMMITTEE ON ISSUE OF PRIVILEGE RELATING TO POLICE SEARCHES ON THE PARLIAMENTARY ESTATE AND INTERNAL "
    "PROCESSES OF THE HOUSE ADMINISTRATION FOR GRANTING PERMISSION FOR SUCH ACTION", "UK INVENTORS",
}

#: every major heading spelling of the written statements and answers files (all versions)
WRITTEN_HEADINGS = {
    "BUSINESS, ENTERPRISE AND REGULATORY REFORM": "business",     # printed after the rename
    "BUSINESS, INNOVATION AND SKILLS": "business",
    "CABINET OFFICE": "cabinet-office",
    "CHILDREN, SCHOOLS AND FAMILIES": "education",
    "CHURCH COMMISSIONERS": "church-commissioners",
    "COMMUNITIES AND LOCAL GOVERNMENT": "communities-and-local-government",
    "CULTURE MEDIA AND SPORT": "culture-media-and-sport",
    "DEFENCE": "ministry-of-defence",
    "ELECTORAL COMMISSION COMMITTEE": "electoral-commission-committee",
    "ENERGY AND CLIMATE CHANGE": "energy-and-climate-change",
    "ENVIRONMENT FOOD AND RURAL AFFAIRS": "environment-food-and-rural-affairs",
    "FOREIGN AND COMMONWEALTH AFFAIRS": "foreign-office",
    "HEALTH": "health",
    "HOME DEPARTMENT": "home-office",
    "HOUSE OF COMMONS COMMISSION": "house-of-commons-commission",
    "INTERNATIONAL DEVELOPMENT": "international-development",
    "JUSTICE": "ministry-of-justice",
    "NORTHERN IRELAND": "northern-ireland-office",
    "OLYMPICS": "olympics",
    "SCOTLAND": "scotland-office",
    "SOLICITOR-GENERAL": "attorney-generals-office",
    "TRANSPORT": "transport",
    "TREASURY": "hm-treasury",
    "WALES": "wales-office",
    "WOMEN AND EQUALITY": "government-equalities-office",
    "WORK AND PENSIONS": "work-and-pensions",
}


def _majors(folder: str, latest_only: bool) -> set[tuple[date, str]]:
    paths = _latest(folder) if latest_only else sorted((SCRAPED / folder).glob("*.xml"))
    return {(_file_date(p), _text(el)) for p in paths for el in etree.parse(str(p)).getroot().iter("major-heading")}


def test_oral_question_headings_of_the_week():
    found = _majors("debates", latest_only=True)
    expected = {(date.fromisoformat(d), t) for d, t in ORAL_HEADINGS}
    assert expected <= found
    for (day, title), slug in ORAL_HEADINGS.items():
        assert department_for_heading(title, date.fromisoformat(day)).slug == slug
    assert {t for _, t in found} - {t for _, t in ORAL_HEADINGS} == NOT_DEPARTMENTS
    for title in NOT_DEPARTMENTS:
        assert department_for_heading(title, date(2009, 10, 27)) is None, title


def test_every_written_heading_spelling_maps():
    found = _majors("wms", latest_only=False) | _majors("wrans", latest_only=False)
    assert {t for _, t in found} == set(WRITTEN_HEADINGS), "a heading spelling is new to the table"
    for day, title in found:
        assert department_for_heading(title, day).slug == WRITTEN_HEADINGS[title], title


@pytest.mark.parametrize("title, on, slug", [
    ("Culture, Media & Sport", "2009-10-26", "culture-media-and-sport"),
    ("  home   department ", "2009-10-26", "home-office"),
    ("Solicitor General", "2009-10-26", "attorney-generals-office"),
    ("Foreign & Commonwealth Affairs", "2009-10-26", "foreign-office"),
    ("Business, Enterprise and Regulatory    Reform", "2009-01-01", "business"),
    ("LEADER OF THE HOUSE", "2009-10-26", "leader-of-the-house-of-commons"),
    ("PUBLIC ACCOUNTS COMMISSION", "2009-10-26", "public-accounts-commission"),
    # modern headings
    ("JUSTICE", "2023-03-01", "ministry-of-justice"),
    ("Home Affairs", "2023-03-28", "home-office"),
    ("TREASURY", "2023-03-01", "hm-treasury"),
    ("BUSINESS AND TRADE", "2023-03-01", "business"),
    ("SCIENCE, INNOVATION AND TECHNOLOGY", "2023-03-01", "science-innovation-and-technology"),
    ("ENERGY SECURITY AND NET ZERO", "2023-03-01", "energy-security-and-net-zero"),
    ("LEVELLING UP, HOUSING AND COMMUNITIES", "2023-03-01", "communities-and-local-government"),
    ("FOREIGN, COMMONWEALTH AND DEVELOPMENT AFFAIRS", "2023-03-01", "foreign-office"),
    ("HEALTH AND SOCIAL CARE", "2023-03-01", "health"),
    ("EDUCATION", "2023-03-01", "education"),
    ("WOMEN AND EQUALITIES", "2023-03-01", "government-equalities-office"),
    ("ATTORNEY GENERAL", "2023-03-01", "attorney-generals-office"),
    ("SPEAKER'S COMMITTEE ON THE ELECTORAL COMMISSION", "2023-03-01", "electoral-commission-committee"),
    ("DEPUTY PRIME MINISTER", "2023-03-01", "cabinet-office"),
    ("DEPUTY PRIME MINISTER", "2004-03-01", "communities-and-local-government"),
])
def test_heading_normalisation_and_modern_names(title, on, slug):
    assert department_for_heading(title, date.fromisoformat(on)).slug == slug


# --- offices and posts ------------------------------------------------------------------------

#: every speakeroffice= of the sample, and where it points (None: a chair)
OFFICES = {
    "Madam Deputy Speaker": None,
    "Mr. Deputy Speaker": None,
    "The Chancellor of the Exchequer": "hm-treasury",
    "The Financial Secretary to the Treasury": "hm-treasury",
    "The Minister for Borders and Immigration": "home-office",
    "The Minister for Europe": "foreign-office",
    "The Minister for Higher Education and Intellectual Property": "business",
    "The Minister for Housing": "communities-and-local-government",
    "The Minister for Policing, Crime and Counter-Terrorism": "home-office",
    "The Minister for Regional Economic Development and Co-ordination": "communities-and-local-government",
    "The Minister for the Cabinet Office and for the Olympics, and Paymaster General": "cabinet-office",
    "The Minister of State, Cabinet Office": "cabinet-office",
    "The Minister of State, Department for Transport": "transport",
    "The Minister of State, Department of Health": "health",
    "The Minister of State, Ministry of Defence": "ministry-of-defence",
    "The Minister of State, Ministry of Justice": "ministry-of-justice",
    "The Minister of State, Northern Ireland Office": "northern-ireland-office",
    "The Parliamentary Secretary, Office of the Leader of the House of Commons": "leader-of-the-house-of-commons",
    "The Parliamentary Under-Secretary of State for Business, Innovation and Skills": "business",
    "The Parliamentary Under-Secretary of State for Communities and Local Government": "communities-and-local-government",
    "The Parliamentary Under-Secretary of State for Defence": "ministry-of-defence",
    "The Parliamentary Under-Secretary of State for Energy and Climate Change": "energy-and-climate-change",
    "The Parliamentary Under-Secretary of State for Environment, Food and Rural Affairs": "environment-food-and-rural-affairs",
    "The Parliamentary Under-Secretary of State for International Development": "international-development",
    "The Parliamentary Under-Secretary of State for Justice": "ministry-of-justice",
    "The Parliamentary Under-Secretary of State for Scotland": "scotland-office",
    "The Parliamentary Under-Secretary of State for Transport": "transport",
    "The Parliamentary Under-Secretary of State for Work and Pensions": "work-and-pensions",
    "The Parliamentary Under-Secretary of State for the Home Department": "home-office",
    "The Prime Minister": "prime-ministers-office",
    "The Secretary of State for Children, Schools and Families": "education",
    "The Secretary of State for Communities and Local Government": "communities-and-local-government",
    "The Secretary of State for Defence": "ministry-of-defence",
    "The Secretary of State for Environment, Food and Rural Affairs": "environment-food-and-rural-affairs",
    "The Secretary of State for International Development": "international-development",
    "The Secretary of State for Wales": "wales-office",
    "The Secretary of State for the Home Department": "home-office",
}


def test_every_sample_office_maps():
    found = {el.get("speakeroffice") for folder in ("debates", "westminhall", "wms", "wrans", "lordspages", "standing")
             for path in sorted((SCRAPED / folder).glob("*.xml"))
             for el in etree.parse(str(path)).getroot().iter("speech", "ques", "reply") if el.get("speakeroffice")}
    assert found == set(OFFICES)
    for office, slug in OFFICES.items():
        dept = department_for_office(office, date(2009, 10, 27))
        assert (dept.slug if dept else None) == slug, office


@pytest.mark.parametrize("office, slug", [
    ("The Secretary of State for Justice", "ministry-of-justice"),
    ("The Leader of the House of Commons", "leader-of-the-house-of-commons"),
    ("The Solicitor-General", "attorney-generals-office"),
    ("The Advocate-General for Scotland", "advocate-general-for-scotland"),
    ("The Second Church Estates Commissioner", "church-commissioners"),
    ("The Minister for Women and Equality", "government-equalities-office"),
])
def test_more_office_phrases(office, slug):
    assert department_for_office(office, date(2009, 10, 27)).slug == slug


def test_ministers_xml_departments():
    root = etree.parse(str(MEMBERS / "ministers.xml")).getroot()
    government, committees = set(), set()
    for m in root.iter("moffice"):
        source = m.get("source") or ""
        if "govposts" in source and m.get("todate") >= "2009-01-01":
            government.add(m.get("dept"))
        elif source == "chgpages/selctee":
            committees.add(m.get("dept"))
    assert {"Home Office", "HM Treasury", "Regional Affairs", "HM Household", "Wales Office"} <= government
    for dept in government - {"No Department"}:
        assert department_for_post(dept, date(2009, 10, 27)) is not None, dept
    assert department_for_post("No Department", date(2009, 10, 27)) is None
    assert department_for_post("HM Household", date(2009, 10, 27)).kind == "whips"
    assert department_for_post("Regional Affairs", date(2009, 10, 27)).slug == "regional-affairs"
    assert department_for_post("Department for Communities and Local Government", date(2009, 10, 27)).slug \
        == "communities-and-local-government"
    assert "Environmental Audit Committee" in committees
    for dept in committees:      # select committees are no departments (Speaker's Committees answer questions)
        found = department_for_post(dept, date(2009, 10, 27))
        assert found is None or found.kind == "non-ministerial", dept


# --- assign_department on the real week ---------------------------------------------------------

@pytest.mark.parametrize("kind, day, title, slug, reason", [
    ("debates", "2009-10-26", "HOME DEPARTMENT", "home-office", "heading: HOME DEPARTMENT"),
    ("debates", "2009-10-28", "PRIME MINISTER", "prime-ministers-office", "heading: PRIME MINISTER"),
    ("debates", "2009-10-26", "TERRITORIAL ARMY", "ministry-of-defence", "office: The Minister of State, Ministry of Defence"),
    ("debates", "2009-10-27", "Opposition Day", "northern-ireland-office", "office: The Minister of State, Northern Ireland Office"),
    ("debates", "2009-10-28", "UK INVENTORS", "business", "office: The Minister for Higher Education"),
    ("debates", "2009-10-28", "INCOME TAX", "hm-treasury", "subject: income tax"),
    ("debates", "2009-10-27", "Points of Order", "leader-of-the-house-of-commons", "leader-of-house: Points of Order"),
    ("debates", "2009-10-26", "SITTINGS OF THE HOUSE", "leader-of-the-house-of-commons", "leader-of-house:"),
    ("westminhall", "2009-10-27", "[David Taylor in the Chair] \u2014 Biofuels", "energy-and-climate-change", "office:"),
    ("westminhall", "2009-10-27", "Family Finances", "work-and-pensions", "office:"),
    ("wms", "2009-10-26", "BUSINESS, ENTERPRISE AND REGULATORY REFORM", "business", "heading:"),
    ("wrans", "2009-10-26", "SOLICITOR-GENERAL", "attorney-generals-office", "heading: SOLICITOR-GENERAL"),
    # Lords questions: the answering minister's posts; whips answer for any department, the subject decides
    ("lordspages", "2009-10-26", "Economy \u2014 Question", "hm-treasury",
     "post: Lord Davies of Oldham, HM Household (whip); subject: economy"),
    ("lordspages", "2009-10-26", "Health: Tuberculosis \u2014 Question", "health", "post: Baroness Thornton, HM Household"),
    ("lordspages", "2009-10-27", "Aviation: Air Quality \u2014 Question", "transport", "post: Lord Faulkner of Worcester"),
    ("lordspages", "2009-10-26", "Families: Bullying \u2014 Question", "home-office", "post: Lord West of Spithead, Home Office"),
    ("lordspages", "2009-10-26", "Commonwealth: Privy Council \u2014 Question", "ministry-of-justice",
     "post: Lord Bach, Ministry of Justice"),
    ("lordspages", "2009-10-28", "Energy: Security and Prices \u2014 Question", "energy-and-climate-change",
     "post: Lord Hunt of Kings Heath, Department of Energy and Climate Change"),
    ("lordspages", "2009-10-28", "House of Lords: Lord Speaker \u2014 Question", "leader-of-the-house-of-lords", "asked:"),
    ("lordspages", "2009-10-27", "Arrangement of Business \u2014 Announcement", "leader-of-the-house-of-lords",
     "leader-of-house:"),
    ("lordswms", "2009-10-26", "EU: Competitiveness Council", "business",
     "post: Lord Davies of Abersoch, Department for Business, Innovation and Skills"),
    ("lordswms", "2009-10-28", "ECOFIN", "hm-treasury", "post: Lord Myners, HM Treasury"),
    ("lordswrans", "2009-10-26", "St Andrews Agreement", "northern-ireland-office", "post: Baroness Royall of Blaisdon"),
    ("lordswrans", "2009-10-27", "Working Time Directive", "business", "post: Lord Young of Norwood Green"),
])
def test_assign_on_sample(kind, day, title, slug, reason):
    got = assign_department(_section(kind, day, title), posts)
    assert got is not None and got.slug == slug, got
    assert got.reason.startswith(reason), got.reason


@pytest.mark.parametrize("kind, day, title", [
    ("debates", "2009-10-26", "BUSINESS BEFORE QUESTIONS"),
    ("lordspages", "2009-10-27", "Introduction: Lord Sacks"),
])
def test_speakers_business_is_nobodys(kind, day, title):
    assert assign_department(_section(kind, day, title), posts) is None


def test_only_the_chair_speaking_is_nobodys():
    ev = DebateEvidence("debates", date(2009, 10, 28), "Speaker's Statement", [], [
        Contribution("speech", None, "Mr. Speaker", _person("uk.org.publicwhip/member/40031"),
                     "I have a short statement to make about the parliamentary estate and the Treasury.")])
    assert assign_department(ev, posts) is None
    ev.title = "Security of the Parliamentary Estate"
    assert assign_department(ev, posts) is None


def test_business_statement_goes_to_the_leader_of_the_house():
    harman = _person("uk.org.publicwhip/member/1472")
    assert "House of Commons" in posts(harman, date(2009, 10, 29))
    ev = DebateEvidence("debates", date(2009, 10, 29), "Business of the House", [], [
        Contribution("speech", None, "Sir George Young", None, "Will the Leader of the House give us the business?"),
        Contribution("speech", "The Leader of the House of Commons", "Ms Harriet Harman", harman,
                     "The business for next week will be as follows: Monday 2 November\u2014Second Reading of the "
                     "Child Poverty Bill and the Treasury's statement on banks."),
    ])
    assert assign_department(ev, posts) == Assignment("leader-of-the-house-of-commons",
                                                      "leader-of-house: Business of the House")


def test_heading_beats_the_answering_ministers_post():
    # Meg Hillier (Home Office) answered a question under COMMUNITIES AND LOCAL GOVERNMENT
    ev = _section("wrans", "2009-10-26", "COMMUNITIES AND LOCAL GOVERNMENT")
    assert "Meg Hillier" in {c.speaker_name for c in ev.contributions}
    assert assign_department(ev, posts).slug == "communities-and-local-government"


def _wrans_reply(day: str, subtitle: str, speaker: str) -> tuple[Contribution, Contribution]:
    path = next(p for p in _latest("wrans") if _file_date(p) == date.fromisoformat(day))
    people, minor, question = _person_of_member(), None, None
    for el in etree.parse(str(path)).getroot():
        if el.tag == "minor-heading":
            minor = _text(el)
        elif el.tag == "ques" and minor == subtitle:
            question = el
        elif el.tag == "reply" and minor == subtitle and el.get("speakername") == speaker:
            make = lambda e: Contribution(e.tag, e.get("speakeroffice"), e.get("speakername"),
                                          people.get(e.get("speakerid")), _text(e))
            return make(question), make(el)
    raise AssertionError(f"no reply by {speaker} on {subtitle}")


def test_meg_hillier_between_listed_posts():
    day = date(2009, 10, 26)
    _, reply = _wrans_reply("2009-10-26", "Animal Experiments", "Meg Hillier")
    assert posts(reply.person_id, day) == []                       # ministers.xml gap: 2009-08-10 … 2009-11-12
    assert posts(reply.person_id, date(2009, 8, 10)) == ["Home Office"]
    # a post that had ended never decides (issue 13): without the printed office, only the subject is left
    ev = DebateEvidence("westminhall", day, "Animal Experiments", [], [reply])
    assert assign_department(ev, posts) == Assignment("home-office", "subject: animal experiments")
    ev.title = "Statistics"                 # no subject in the title: the reply's text names one
    assert assign_department(ev, posts) == Assignment("home-office", "subject: scientific procedures (text)")
    # what the record prints decides: her office as printed by the reply
    printed = Contribution("reply", "The Parliamentary Under-Secretary of State for the Home Department",
                           reply.speaker_name, reply.person_id, reply.text)
    ev = DebateEvidence("westminhall", day, "Statistics", [], [printed])
    assert assign_department(ev, posts) == Assignment(
        "home-office", "office: The Parliamentary Under-Secretary of State for the Home Department")


def test_phil_woolas_several_posts_subject_decides():
    day = date(2009, 10, 26)
    question, reply = _wrans_reply("2009-10-26", "Immigration Policy", "Phil Woolas")
    assert sorted(posts(reply.person_id, day)) == ["HM Treasury", "Home Office", "Regional Affairs"]
    ev = DebateEvidence("westminhall", day, "Immigration Policy", [], [reply])
    assert assign_department(ev, posts) == Assignment("home-office",
                                                      "post: Phil Woolas, Home Office; subject: immigration")
    treasury = Contribution("reply", None, "Phil Woolas", reply.person_id,
                            "The Treasury keeps public spending under review; the pre-Budget report will say more.")
    ev = DebateEvidence("westminhall", day, "Public Finances", [], [treasury])
    assert assign_department(ev, posts).slug == "hm-treasury"
    # nothing in the subject: the first listed department, never Regional Affairs
    _, bare = _wrans_reply("2009-10-26", "Official Residences", "Phil Woolas")
    bare.text = "The guide price for this property is currently four million and has not changed."
    got = assign_department(DebateEvidence("westminhall", day, "Sales", [], [bare]), posts)
    assert got.slug in ("home-office", "hm-treasury") and "first of 2 posts" in got.reason


def test_office_and_question_text_beat_posts():
    day = date(2009, 10, 26)
    question, reply = _wrans_reply("2009-10-26", "Non-Domestic Rates: Religious Buildings", "Meg Hillier")
    ev = DebateEvidence("westminhall", day, "Non-Domestic Rates: Religious Buildings", [], [question, reply])
    assert assign_department(ev, posts) == Assignment(
        "communities-and-local-government", "asked: the Secretary of State for Communities and Local Government")
    reply.speaker_office = "The Parliamentary Under-Secretary of State for the Home Department"
    assert assign_department(ev, posts).reason == \
        "office: The Parliamentary Under-Secretary of State for the Home Department"


def test_committee_membership_motions_are_house_business():
    # 2009: "PUBLIC ACCOUNTS"; 2023 (modern format, UTF-8, no DTD): "Justice" over a Justice Committee motion
    ev = _section("debates", "2009-10-26", "PUBLIC ACCOUNTS")
    assert assign_department(ev, posts) == Assignment("leader-of-the-house-of-commons",
                                                      "leader-of-house: committee membership (PUBLIC ACCOUNTS)")
    modern = SAMPLE.parent / "modern" / "debates2023-03-28d.xml"
    justice = [ev for ev in sections(modern, "debates") if ev.title == "Justice"]
    assert len(justice) == 2
    oral, motion = justice
    assert assign_department(oral, posts) == Assignment("ministry-of-justice", "heading: Justice")
    assert assign_department(motion, posts).slug == "leader-of-the-house-of-commons"


def test_nothing_naming_a_department_gives_none():
    ev = DebateEvidence("debates", date(2009, 10, 26), "Adjournment", [], [
        Contribution("speech", None, None, None, "Motion made, and Question put, That this House do now adjourn.")])
    assert assign_department(ev, posts) is None
