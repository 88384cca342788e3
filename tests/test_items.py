"""Items of business and their departments on the sample week, against hand labels (issue 13).

The labels below were written by reading the sample XML of 26–28 October 2009 (Commons chamber,
Westminster Hall, Lords chamber): each item is named by the gid of the heading that opens it (an
item runs to the next labelled heading of its file) with the department that answers for it, or
None where no department does (the Speaker's and private business, regional committee motions,
introductions, lead-ins and empty headings). Written answers and statements are not labelled.
"""
from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from despatchbox.store.schema import debates, headings, speeches
from despatchbox.web.app import create_app

DEFRA = "environment-food-and-rural-affairs"
CLG = "communities-and-local-government"
LEADER = "leader-of-the-house-of-commons"
LORDS_LEADER = "leader-of-the-house-of-lords"

#: (file prefix of the gid, heading gid number) → department slug: every item of the three days
LABELS: dict[str, dict[str, str | None]] = {
    "debate/2009-10-26b": {
        "1.0": LEADER,                  # Business before Questions: Committee of Selection membership
        "1.4": "home-office",           # Home Department questions, topical questions included
        "23.0": "ministry-of-defence",  # Territorial Army (Urgent Question), Bill Rammell answers
        "30.0": DEFRA,                  # Marine and Coastal Access Bill [Lords] (Programme) (No. 2)
        "32.0": DEFRA,                  # Marine and Coastal Access Bill [Lords], 1st allocated day, all clauses
        "129.2": None,                  # Business without Debate (a heading alone)
        "129.3": DEFRA,                 # Delegated legislation: Groundwater (England and Wales) Regulations
        "129.7": "northern-ireland-office",   # District Electoral Areas Commissioner (NI) order
        "129.9": "northern-ireland-office",   # Electoral Law (Northern Ireland) order
        "129.11": "business",           # Pat McFadden's Financial Assistance for Industry motions
        "130.0": LEADER,                # Sittings of the House
        "130.2": None, "130.5": None, "130.8": None,   # regional select committee motions
        "130.11": LEADER,               # Public Accounts: committee membership
        "131.0": "ministry-of-defence",  # adjournment: Territorial Army
    },
    "debate/2009-10-27d": {
        "141.0": None,                  # Leeds City Council Bill (By Order): private business
        "141.3": None,                  # Reading Borough Council Bill (By Order)
        "141.6": CLG,                   # Communities and Local Government questions
        "161.0": LEADER,                # Points of Order
        "164.0": "home-office",         # CCTV (Monitoring and Promotion): ten minute rule bill
        "167.0": DEFRA,                 # Marine and Coastal Access Bill [Lords], 2nd allocated day
        "214.0": "northern-ireland-office",   # Opposition Day: Parading in Northern Ireland
        "256.1": "ministry-of-justice",  # Parliamentary Election Rules
        "257.2": "hm-treasury",         # Landfill Tax order
        "257.6": "home-office",         # EU documents: Justice and Home Affairs programme (Stockholm)
        "257.14": None, "257.17": None, "258.0": None,  # regional select committee motions
        "258.6": "health",              # Petition: Princess Royal Hospital, Telford
        "259.0": "health",              # adjournment: Fabio Alves-Nunes, Gillian Merron answers
    },
    "debate/2009-10-28c": {
        "267.0": "ministry-of-defence",  # humble address: RAF Nimrod MR2 Aircraft XV230
        "267.4": "cabinet-office",      # Cabinet Office questions
        "276.7": "prime-ministers-office",   # Prime Minister's questions
        "287.0": "ministry-of-defence",  # Nimrod Review: statement by Bob Ainsworth
        "297.0": LEADER,                # Points of Order
        "299.0": CLG,                   # Rentcharges (Notification): ten minute rule bill
        "302.0": CLG,                   # Opposition Day: Local Spending Reports
        "349.0": "ministry-of-defence",  # Opposition Day: Future of the Territorial Army
        "397.0": LEADER,                # motion on the Speaker's Committee for IPSA, Barbara Keeley moves
        "412.6": None,                  # Business without Debate: the lead-in line alone
        "412.8": "hm-treasury",         # Income Tax: Offshore Funds (Tax) Regulations
        "412.10": LEADER,               # Committee on Issue of Privilege
        "413.0": None, "413.4": None, "413.7": None,   # regional select committee motions
        "414.0": "business",            # adjournment: UK Inventors, David Lammy answers
    },
    "westminhall/2009-10-27a": {
        "1.0": "energy-and-climate-change",   # Biofuels
        "24.0": "ministry-of-defence",  # Military Vehicles and Aircraft (the chair changes at 37.1)
        "47.0": "transport",            # Swindon to Kemble Railway
        "54.0": CLG,                    # Central London Businesses, Barbara Follett answers
        "62.0": "work-and-pensions",    # Family Finances
    },
    "westminhall/2009-10-28a": {
        "71.0": "foreign-office",       # Death Penalty (Global Abolition)
        "93.0": "transport",            # Wareham Railway Station
        "101.1": "international-development",  # Sri Lanka (IDP Camps)
        "126.0": "transport",           # Pudsey (Transport)
        "134.0": "transport",           # Dartford River Crossing
    },
    "lords/2009-10-26a": {
        "971.0": "ministry-of-justice",  # Commonwealth: Privy Council, Lord Bach answers
        "973.8": "health",              # Health: Tuberculosis
        "976.0": "hm-treasury",         # Economy
        "978.2": "home-office",         # Families: Bullying, Lord West answers
        "980.4": "wales-office", "980.5": "wales-office",   # Welsh orders, approved together
        "980.6": DEFRA,                 # Groundwater Regulations: Motion to Approve
        "981.0": "ministry-of-justice",  # Coroners and Justice Bill, Report (2nd Day)
        "1043.1": "health",             # Autism
        "1059.0": "ministry-of-justice",  # Coroners and Justice Bill, Report (2nd Day) continued
    },
    "lords/2009-10-27a": {
        "1095.0": None, "1095.2": None,   # introductions
        "1095.4": "hm-treasury",        # EU: Budget, Lord Myners answers
        "1098.0": "transport",          # Aviation: Air Quality
        "1100.6": "health",             # Health: Alcohol
        "1103.1": "business",           # Universities: Modern Languages, Lord Young of Norwood Green
        "1105.2": "culture-media-and-sport",   # Holocaust (Return of Cultural Objects) Bill
        "1105.4": "work-and-pensions",  # Welfare Reform Bill, Report (2nd Day)
        "1139.0": LORDS_LEADER,         # Arrangement of Business
        "1139.2": "home-office",        # Immigration: Migrant Workers, Lord Brett answers
    },
    "lords/2009-10-28a": {
        "1159.0": "energy-and-climate-change",   # Energy: Security and Prices
        "1161.6": "foreign-office",     # Cyprus
        "1164.0": LORDS_LEADER,         # House of Lords: Lord Speaker (asked of the Leader)
        "1166.2": "foreign-office",     # Darfur: Lord's Resistance Army
        "1168.8": "home-office",        # Policing and Crime Bill: order of consideration
        "1168.10": "education",         # Apprenticeships, Skills, Children and Learning Bill: Baroness Morgan (DCSF)
        "1169.0": "energy-and-climate-change",   # Green Energy (Definition and Promotion) Bill
        "1169.3": "ministry-of-justice",  # Coroners and Justice Bill, Report (3rd Day)
        "1231.0": DEFRA,                # Environmental Noise Regulations: Motion to Take Note
        "1243.0": "ministry-of-justice",  # Coroners and Justice Bill, Report (3rd Day) continued
        "1264.0": DEFRA,                # Marine and Coastal Access Bill [HL]: returned from the Commons
    },
}
PREFIX = "uk.org.publicwhip/"
#: items whose department the rules get wrong, each with the reason (kept few: see the share test)
KNOWN_MISSES = {
    # moved by Baroness Morgan of Drefelin (DCSF), who says nothing else: the subject
    # ("apprenticeships") points at BIS, the bill's other department
    "uk.org.publicwhip/lords/2009-10-28a.1168.10",
}


@pytest.fixture(scope="module")
def client(sample_url):
    return TestClient(create_app(sample_url), follow_redirects=False)


def _labels() -> dict[str, str | None]:
    return {f"{PREFIX}{f}.{n}": dept for f, items in LABELS.items() for n, dept in items.items()}


def _items(engine) -> dict[str, dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(debates.c.id, debates.c.title, debates.c.department_slug, debates.c.speeches)
                            .where(debates.c.kind.in_(["debates", "westminhall", "lordspages"]))).mappings()
        return {r["id"]: dict(r) for r in rows}


def test_every_item_boundary_is_as_labelled(sample_engine):
    labels = _labels()
    items = _items(sample_engine)
    by_file: dict[str, set[str]] = defaultdict(set)
    for gid in items:
        by_file[gid.split("/", 1)[1].rsplit(".", 2)[0]].add(gid)
    for f in LABELS:
        assert by_file[f] == {g for g in labels if g.startswith(PREFIX + f + ".")}, f


def test_every_item_department_is_as_labelled(sample_engine):
    items = _items(sample_engine)
    wrong = {gid: (items[gid]["department_slug"], dept) for gid, dept in _labels().items()
             if items[gid]["department_slug"] != dept}
    assert set(wrong) == KNOWN_MISSES, wrong


def test_the_issue_examples(sample_engine, client):
    items = _items(sample_engine)
    ua = items[PREFIX + "debate/2009-10-26b.23.0"]
    assert (ua["title"], ua["department_slug"]) == ("Territorial Army", "ministry-of-defence")
    report = items[PREFIX + "debate/2009-10-26b.32.0"]
    assert report["department_slug"] == DEFRA and report["title"] == "Marine and Coastal Access Bill [Lords] \u2014 [ist allocated day]"
    for gid in ("lords/2009-10-26a.981.0", "lords/2009-10-26a.1059.0", "lords/2009-10-28a.1169.3",
                "lords/2009-10-28a.1243.0"):
        assert items[PREFIX + gid]["department_slug"] == "ministry-of-justice", gid
    # Huw Irranca-Davies (DEFRA) has no Home Office debates
    r = client.get("/mp/huw-irranca-davies/dept-debates/home-office")
    assert r.status_code in (200, 404)
    assert "Marine and Coastal Access" not in r.text
    with sample_engine.connect() as conn:
        depts = set(conn.execute(select(debates.c.department_slug).join(speeches, speeches.c.debate_id == debates.c.id)
                                 .join(headings, headings.c.id == debates.c.id, isouter=True)
                                 .where(speeches.c.speaker_name == "Huw Irranca-Davies")).scalars())
    assert depts == {DEFRA}


def test_chair_change_continues_the_westminster_hall_debate(sample_engine):
    with sample_engine.connect() as conn:
        row = conn.execute(select(headings.c.debate_id, headings.c.title)
                           .where(headings.c.id == PREFIX + "westminhall/2009-10-27a.37.1")).one()
    assert row.debate_id == PREFIX + "westminhall/2009-10-27a.24.0"
    items = _items(sample_engine)
    assert items[PREFIX + "westminhall/2009-10-27a.1.0"]["title"] == "Biofuels"     # no chair note in titles


def test_old_debate_ids_lead_to_their_item(client):
    # the chair-change heading was a debate of its own; its URL now leads to the item
    r = client.get("/debate/westminhall/2009-10-27a.37.1", follow_redirects=False)
    assert r.status_code in (301, 302, 307, 308)
    assert "2009-10-27a.24.0" in r.headers["location"]


def contribution_shares(engine) -> dict[str, tuple[int, int]]:
    """By kind and element: (contributions whose item has the labelled department, contributions)."""
    labels = _labels()
    with engine.connect() as conn:
        heads = conn.execute(select(headings.c.id, headings.c.position, headings.c.file_id)
                             .where(headings.c.kind.in_(["debates", "westminhall", "lordspages"]))
                             .order_by(headings.c.file_id, headings.c.position)).all()
        rows = conn.execute(select(speeches.c.heading_id, speeches.c.kind, speeches.c.element, speeches.c.debate_id,
                                   debates.c.department_slug)
                            .join(debates, debates.c.id == speeches.c.debate_id)
                            .where(speeches.c.kind.in_(["debates", "westminhall", "lordspages"]))).all()
    item_of_heading: dict[str, str] = {}
    current: dict[int, str] = {}
    for h in heads:
        if h.id in labels:
            current[h.file_id] = h.id
        if h.file_id in current:
            item_of_heading[h.id] = current[h.file_id]
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for r in rows:
        item = item_of_heading.get(r.heading_id)
        if item is None:
            continue
        key = f"{r.kind}/{r.element}"
        total[key] += 1
        total["all"] += 1
        if r.department_slug == labels[item]:
            right[key] += 1
            right["all"] += 1
    return {k: (right[k], total[k]) for k in total}


def test_at_least_98_percent_of_contributions_carry_the_right_department(sample_engine):
    shares = contribution_shares(sample_engine)
    for key, (right, total) in sorted(shares.items()):
        print(f"{key:24} {right:6}/{total:<6} {100 * right / total:6.2f}%")
    right, total = shares["all"]
    with sample_engine.connect() as conn:     # every contribution of the three kinds is measured
        from sqlalchemy import func
        assert total == conn.execute(select(func.count()).select_from(speeches).where(
            speeches.c.kind.in_(["debates", "westminhall", "lordspages"]))).scalar_one()
    assert right / total >= 0.98
    for kind in ("debates", "westminhall", "lordspages"):
        r = sum(v[0] for k, v in shares.items() if k.startswith(kind + "/"))
        t = sum(v[1] for k, v in shares.items() if k.startswith(kind + "/"))
        assert t and r / t >= 0.98, kind


def test_public_bill_committee_sittings_are_titled_with_their_bill(sample_engine):
    with sample_engine.connect() as conn:
        titles = set(conn.execute(select(debates.c.title).where(debates.c.kind == "standing")).scalars())
        text = "\n".join(conn.execute(select(speeches.c.text).where(speeches.c.kind == "standing")).scalars())
    assert "Child Poverty Bill \u2014 Public Bill Committee, 5th sitting" in titles
    assert "Child Poverty Bill \u2014 Public Bill Committee, 10th sitting" in titles
    # the files write &#146; (U+0092, a Windows-1252 byte) where an apostrophe belongs
    assert "\u0092" not in text and "\u2019" in text


def test_the_same_rules_split_a_modern_day():
    """The 2023 layout (sample/modern): questions, an urgent question, a statement, a bill's second
    allocated day under its own heading, business without debate."""
    from despatchbox.attribute.speakers import SpeakerResolver
    from despatchbox.config import SAMPLE_DIR
    from despatchbox.ingest.parlparse.transcripts import parse_transcript
    from despatchbox.pipeline.transcripts import PostIndex, build_rows

    tf = parse_transcript(SAMPLE_DIR / "modern" / "debates2023-03-28d.xml")
    rows = build_rows(tf, 1, SpeakerResolver({}, {}), PostIndex([]))
    items = {r["id"].rsplit(".", 2)[0].rsplit("/", 1)[1] + "." + ".".join(r["id"].rsplit(".", 2)[1:]): r
             for r in rows.debate_rows}
    assert items["2023-03-28d.809.4"]["title"] == "Justice"
    assert (items["2023-03-28d.809.4"]["department_slug"], items["2023-03-28d.809.4"]["department_reason"]) == (
        "ministry-of-justice", "heading: Justice")
    assert items["2023-03-28d.829.0"]["title"] == "Strip Searching of Children"       # the urgent question
    assert items["2023-03-28d.829.0"]["department_slug"] == "home-office"
    assert "2023-03-28d.840.0" in items                                              # the statement
    bill = items["2023-03-28d.859.0"]
    assert bill["title"] == "Illegal Migration Bill" and bill["speeches"] > 150
    assert "2023-03-28d.859.2" not in items                                          # [2nd Allocated Day]
    heading_item = {h["id"]: h["debate_id"] for h in rows.heading_rows}
    assert heading_item["uk.org.publicwhip/debate/2023-03-28d.859.2"] == bill["id"]


def test_meg_hillier_is_shown_among_the_home_office_ministers_as_inferred(client):
    """Her listed posts end 2009-08-10 and start again 2009-11-12; the record prints her as "The
    Parliamentary Under-Secretary of State for the Home Department" on 26 and 28 October."""
    import lxml.html
    doc = lxml.html.fromstring(client.get("/dept/home-office").text)
    items = [" ".join(li.text_content().split()) for li in doc.xpath('//section[@id="ministers"]//li')]
    hillier = [i for i in items if i.startswith("Meg Hillier")]
    assert len(hillier) == 1
    assert hillier[0].startswith("Meg Hillier — Parliamentary Under-Secretary of State for the Home Department "
                                 "(inferred: the office the record prints for them,")
    assert not any(i.startswith("Huw Irranca-Davies") or i.startswith("Ann McKechin") for i in items)
    defra = lxml.html.fromstring(client.get("/dept/environment-food-and-rural-affairs").text)
    assert not [li for li in defra.xpath('//section[@id="ministers"]//li') if "Meg Hillier" in li.text_content()]


def test_the_question_a_division_decides():
    from despatchbox.attribute.items import question_put
    assert question_put(["Question put (Standing Order No. 31(2)), That the original words stand part of "
                         "the Question.\nThe House divided:"]) == "That the original words stand part of the Question."
    assert question_put(["Mr. Speaker put forthwith the Question already proposed from the Chair (Standing Order "
                         "No. 83E), That the amendment be made."]) == "That the amendment be made."
    assert question_put(["I wish to take the opinion of the House.", "Division on Amendment 56"]) == "Amendment 56"
    assert question_put(["I beg to move."]) is None


def test_division_pages_show_their_item_and_question(client):
    r = client.get("/division/debate/2009-10-28c.344.3")
    assert r.status_code == 200
    assert "Division 232: Local Spending Reports" in r.text
    assert "Question: That the original words stand part of the Question." in r.text
