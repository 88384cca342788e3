"""“Who said this?” end to end on the real sample: the CLI (``who-said --json``), the API
(``POST /api/v1/who-said``) and the page (``/who-said``) name the speaker of every paragraph of
texts made the way a copy from a web page looks — furniture lines, one line per speech, names
removed, quotes and dashes changed, typos, a cut paragraph, a line running across two speeches,
debates of both Houses and of several days mixed — and leave text not in the record unmatched.

Precision and recall over all these texts are written to ``test-artifacts/who-said-quality.json``.
"""
from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy import text as sql
from typer.testing import CliRunner

from despatchbox.cli import app as cli_app
from despatchbox.web.app import create_app
from despatchbox.store.schema import speeches
from despatchbox.web.who_said import MAX_CHARS, who_said

SEED_PAGE = Path(__file__).resolve().parent / "data" / "seed-page.txt"
C = "uk.org.publicwhip/debate/2009-10-26b."
L = "uk.org.publicwhip/lords/2009-10-26a."
WH = "uk.org.publicwhip/westminhall/2009-10-28a."
HANSON = 10259

NEWSPAPER = ("Ministers were last night accused of presiding over a collapse in confidence in policing, after "
             "figures obtained by this newspaper showed that the number of antisocial behaviour orders issued "
             "by the courts in Merseyside and the Wirral has fallen for the third year running, while youth "
             "offending teams complain that promised funding has yet to arrive.")


# --- test texts ----------------------------------------------------------------------------------


def web(body: str) -> str:
    """How a web page prints a speech: one line, curly quotes and apostrophes, real dashes."""
    body = re.sub(r"(?<=\w)'(?=\w)", "\u2019", body)
    body = re.sub(r'"([^"]*)"', "\u201c\\1\u201d", body)
    body = re.sub(r"(?<=\w) ?- ?(?=\w)", " \u2013 ", body, count=1)
    return " ".join(body.split())


def words(body: str, a: int | None = None, b: int | None = None) -> str:
    return " ".join(body.split()[a:b])


def typo(body: str, *pairs: tuple[str, str]) -> str:
    for good, bad in pairs:
        assert good in body, good
        body = body.replace(good, bad, 1)
    return body


@pytest.fixture(scope="module")
def record(sample_engine) -> dict[str, tuple[str, int | None]]:
    """speech id → (text, person id) for the sample."""
    with sample_engine.connect() as conn:
        rows = conn.execute(select(speeches.c.id, speeches.c.text, speeches.c.person_id).where(speeches.c.text != ""))
        return {r.id: (r.text, r.person_id) for r in rows}


def hanson_page(record) -> list[tuple[str, str | None]]:
    """A member's page: David Hanson at Home Office questions, Monday 26 October 2009, then a Lords
    question of the same day pasted below it. (line, expected speech id | None)."""
    S = lambda k: record[k][0]                                              # noqa: E731
    return [
        ("David Hanson", None),
        ("Main Page: David Hanson (Labour - Delyn)Department Debates - View all David Hanson\u2019s debates "
         "with the Home Office", None),
        ("Monday 26th October 2009", None),
        ("(16 years ago)", None),
        ("Commons Chamber", None),
        ("Policing", None),                                                  # a heading: not a speech
        (web(S(C + "10.2")), C + "10.2"),
        (web(typo(S(C + "10.3"), ("bureaucracy", "beaurocracy"), ("estimated", "estimted"))), C + "10.3"),
        (web(S(C + "10.4")), C + "10.4"),
        (web(S(C + "10.5")), C + "10.5"),                                    # "Order. I think that we have…"
        (web(S(C + "10.6")), C + "10.6"),
        (web(S(C + "10.7")), C + "10.7"),
        (words(S(C + "10.8"), 0, 22) + "\u2026", C + "10.8"),                # cut short
        ("Read Full debate", None),
        ("Commons ChamberAntisocial Behaviour Orders", None),                # glued furniture + heading
        (web(S(C + "14.1")), C + "14.1"),
        (web(S(C + "14.2")), C + "14.2"),
        (web(S(C + "14.3")), C + "14.3"),
        (web(S(C + "14.4")).replace("  ", " "), C + "14.4"),
        (web(S(C + "14.5")), C + "14.5"),
        # the end of one speech and the whole of the next on one line: goes to the larger part
        (words(S(C + "14.5"), -6) + " " + web(S(C + "14.6")), C + "14.6"),
        (web(S(C + "14.7")).replace(",", ""), C + "14.7"),                   # commas lost
        (web(S(C + "14.8")), C + "14.8"),
        (web(S(C + "14.9")), C + "14.9"),
        (web(S(C + "15.0")), C + "15.0"),
        ("Youth Offending (Wirral)", None),
        (web(S(C + "15.2")), C + "15.2"),
        (web(S(C + "15.3")), C + "15.3"),
        (web(S(C + "15.4")).lower(), C + "15.4"),                             # case changed
        (web(S(C + "15.5")), C + "15.5"),
        ("Lords Chamber", None),
        ("Families: Bullying \u2014 Question", None),
        ("3.07 pm", None),
        (web(S(L + "978.3")), L + "978.3"),
        (web(S(L + "978.4")), L + "978.4"),
        (web(typo(S(L + "978.5"), ("grateful", "greatful"))), L + "978.5"),
        (web(S(L + "979.0")), L + "979.0"),
        (web(S(L + "979.1")), L + "979.1"),                                   # 10 words: needs its context
        (web(S(L + "979.2")), L + "979.2"),
        (web(S(L + "979.3")), L + "979.3"),
        (web(S(L + "979.4")), L + "979.4"),
        (web(S(L + "980.0")), L + "980.0"),                                   # "My Lords, so far the…—"
        (web(S(L + "980.1")), L + "980.1"),
        (web(S(L + "980.2")), L + "980.2"),
        (web(S(L + "980.3")), L + "980.3"),
    ]


def mixed_days(record) -> list[tuple[str, str | None]]:
    """A newsletter: a Westminster Hall debate of Wednesday 28 October, a newspaper paragraph, then
    Hanson again from Monday, a written answer and the seed page's opening paragraph (2017: not held)."""
    S = lambda k: record[k][0]                                              # noqa: E731
    wh = [k for k in record if k.startswith(WH + "10")][:0]                 # noqa: F841 (kept simple)
    wrans = next(k for k, (t, p) in sorted(record.items())
                 if k.startswith("uk.org.publicwhip/wrans/2009-10-28") and p is not None and len(t.split()) > 60)
    seed_first = SEED_PAGE.read_text(encoding="utf-8").splitlines()[3].removeprefix("Commons Chamber")
    wh_speeches = sorted((k for k in record if k.startswith(WH + "101.") or k.startswith(WH + "102.")),
                         key=lambda k: tuple(int(x) for x in k.removeprefix(WH).split(".")))
    long_wh = [k for k in wh_speeches if len(record[k][0].split()) >= 40][:3]
    assert len(long_wh) == 3
    return [
        ("Westminster Hall", None),
        ("Wednesday 28 October 2009", None),
        *[(web(S(k)), k) for k in long_wh],
        (NEWSPAPER, None),
        ("Monday 26 October 2009", None),
        (web(S(C + "11.1")), C + "11.1"),
        (web(S(C + "11.3")), C + "11.3"),
        ("Written Answers", None),
        (web(S(wrans)), wrans),
        (seed_first, None),                                                 # 2017: not in the sample
    ]


TEXTS = {"hanson-page": hanson_page, "mixed-days": mixed_days}


def as_text(page: list[tuple[str, str | None]]) -> str:
    return "\n".join(line for line, _ in page) + "\n"


def expected_people(record, page) -> list[int | None]:
    return [record[sid][1] if sid else None for _, sid in page]


# --- surfaces --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(sample_url):
    return TestClient(create_app(sample_url))


def run_cli(sample_url, monkeypatch, tmp_path, body: str, *args: str) -> dict:
    monkeypatch.setenv("DESPATCHBOX_DATABASE_URL", sample_url)
    path = tmp_path / "paste.txt"
    path.write_text(body, encoding="utf-8")
    result = CliRunner().invoke(cli_app, ["who-said", str(path), *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "--json" in args else result.stdout


class _PageReader(HTMLParser):
    """The attributed paragraphs of the page: line → (speech id, person id) of the speaker above it."""

    def __init__(self) -> None:
        super().__init__()
        self.current: tuple[str | None, str | None] = (None, None)
        self.lines: dict[int, tuple[str | None, int | None]] = {}
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "p" and "who" in cls:
            self.current = (a.get("data-speech"), a.get("data-person")) if "unmatched" not in cls else (None, None)
        elif tag == "p" and "para" in cls:
            person = self.current[1]
            self.lines[int(a["data-line"])] = (self.current[0], int(person) if person else None)
        elif tag == "p" and "furniture" in cls:
            self.lines[int(a["data-line"])] = (None, None)
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_cli_json_names_the_speaker_of_every_paragraph(name, record, sample_url, monkeypatch, tmp_path):
    page = TEXTS[name](record)
    out = run_cli(sample_url, monkeypatch, tmp_path, as_text(page), "--json")
    paras = out["paragraphs"]
    assert [p["line"] for p in paras] == list(range(1, len(page) + 1))     # one per non-blank line
    assert [p["text"] for p in paras] == [line.strip() for line, _ in page]
    assert [p["match"] and p["match"]["person_id"] for p in paras] == expected_people(record, page)
    assert [p["match"] and p["match"]["speech_id"] for p in paras] == [sid for _, sid in page]
    for p in paras:
        m = p["match"]
        if m:
            assert set(m) >= {"speech_id", "debate_id", "person_id", "name", "confidence"}
            assert 0.5 <= m["confidence"] <= 1
            assert m["covered"]["text"] == record[m["speech_id"]][0][m["covered"]["start"]:m["covered"]["end"]]
    for d in out["debates"]:
        assert set(d) >= {"id", "title", "date"}


def test_the_details_of_a_match(record, sample_url, monkeypatch, tmp_path):
    page = hanson_page(record)
    out = run_cli(sample_url, monkeypatch, tmp_path, as_text(page), "--json")
    m = out["paragraphs"][7]["match"]                                        # 10.3, with two typos
    assert m == {**m, "speech_id": C + "10.3", "debate_id": C + "1.4", "person_id": HANSON, "name": "David Hanson",
                 "display_name": "David Hanson (Labour - Delyn)", "party": "Labour", "constituency": "Delyn",
                 "house": "commons", "date": "2009-10-26", "chamber": "Commons Chamber", "debate_title":
                 "HOME DEPARTMENT", "department": {"slug": "home-office", "name": "Home Office"},
                 "web_url": "/debate/debate/2009-10-26b.1.4#g10.3", "member_url": "/mp/david-hanson"}
    assert m["office"] == "The Minister for Policing, Crime and Counter-Terrorism"      # as printed
    assert 0.9 < m["confidence"] < 1                                          # two typos
    later = out["paragraphs"][10]["match"]                                   # no office printed: the post held
    assert later["person_id"] == HANSON and later["office"] == "Minister of State, Home Office"
    cut = out["paragraphs"][12]["match"]                                     # the cut paragraph: the prefix
    assert cut["covered"]["start"] == 0 and cut["covered"]["end"] < len(record[C + "10.8"][0]) / 2
    lords = out["paragraphs"][33]["match"]
    assert lords["house"] == "lords" and lords["chamber"] == "Lords Chamber" and lords["constituency"] is None
    assert lords["display_name"].startswith("Lord Neill of Bladen (")
    assert [(d["id"], d["title"], d["date"]) for d in out["debates"]] == [
        (C + "1.4", "HOME DEPARTMENT", "2009-10-26"),
        (L + "978.2", "Families: Bullying \u2014 Question", "2009-10-26")]
    assert out["debates"][0]["lines"][0] == 7 and out["debates"][1]["lines"][-1] == len(page)


def test_cli_shows_the_text_back_with_speaker_names(record, sample_url, monkeypatch, tmp_path):
    page = hanson_page(record)
    shown = run_cli(sample_url, monkeypatch, tmp_path, as_text(page))
    assert "── David Hanson (Labour - Delyn)" in shown
    assert "── Lord West of Spithead" in shown
    assert "── [page furniture]" in shown and "── [not found in the record]" in shown
    assert "Read Full debate" in shown
    assert re.search(r"\d+ of \d+ paragraphs attributed", shown)
    assert "HOME DEPARTMENT  (lines 7," in shown


def test_cli_reads_standard_input(sample_url, monkeypatch, record):
    monkeypatch.setenv("DESPATCHBOX_DATABASE_URL", sample_url)
    body = web(record[C + "15.5"][0])
    result = CliRunner().invoke(cli_app, ["who-said", "-", "--json"], input=body)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["paragraphs"][0]["match"]["person_id"] == HANSON


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_api_names_the_speaker_of_every_paragraph(name, record, client):
    page = TEXTS[name](record)
    r = client.post("/api/v1/who-said", json={"text": as_text(page)})
    assert r.status_code == 200, r.text
    paras = r.json()["paragraphs"]
    assert [p["match"] and p["match"]["person_id"] for p in paras] == expected_people(record, page)


def test_api_answers_as_the_cli_does(record, client, sample_url, monkeypatch, tmp_path):
    body = as_text(mixed_days(record))
    api = client.post("/api/v1/who-said", json={"text": body}).json()
    cli = run_cli(sample_url, monkeypatch, tmp_path, body, "--json")
    assert api == cli


def test_api_limits_and_errors(client):
    r = client.post("/api/v1/who-said", json={"text": "x " * (MAX_CHARS // 2 + 1)})
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"
    r = client.post("/api/v1/who-said", content=b'{"text": "' + b"a" * (MAX_CHARS * 7) + b'"}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 413 and "too long" in r.json()["error"]["message"]
    r = client.post("/api/v1/who-said", json={"text": "line\n" * 501})
    assert r.status_code == 413 and "paragraphs" in r.json()["error"]["message"]
    r = client.post("/api/v1/who-said", json={"words": "x"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_parameter"
    assert client.post("/api/v1/who-said", json={"text": " \n\n"}).json() == {"paragraphs": [], "debates": []}
    r = client.post("/api/v1/who-said", content=b'{"text": "\\ud800 a lone surrogate, and a NUL \\u0000 too"}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.json()["paragraphs"][0]["match"] is None
    schema = client.get("/api/v1/openapi.json").json()["paths"]["/who-said"]["post"]
    assert {"200", "413", "422"} <= set(schema["responses"])


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_page_names_and_links_the_speaker_of_every_paragraph(name, record, client):
    page = TEXTS[name](record)
    r = client.post("/who-said", data={"text": as_text(page)})
    assert r.status_code == 200
    reader = _PageReader()
    reader.feed(r.text)
    got = [reader.lines[n][1] for n in range(1, len(page) + 1)]
    assert got == expected_people(record, page)
    if name == "hanson-page":
        assert "/mp/david-hanson" in reader.links and "/lord/lord-west-of-spithead" in reader.links
        assert "/debate/debate/2009-10-26b.1.4#g10.3" in reader.links
        assert "/debate/lords/2009-10-26a.978.2" in reader.links            # the debates it came from
    assert "<script" not in r.text                                          # works without JavaScript


def test_page_form_and_limits(client):
    r = client.get("/who-said")
    assert r.status_code == 200 and '<form class="who-said" method="post" action="/who-said">' in r.text
    assert 'name="text"' in r.text
    r = client.post("/who-said", data={"text": "   "})
    assert r.status_code == 400 and "Paste some text" in r.text
    r = client.post("/who-said", data={"text": "word " * (MAX_CHARS // 5 + 1)})
    assert r.status_code == 413 and "too long" in r.text
    r = client.post("/who-said", content=b"text=" + b"a" * (MAX_CHARS * 10), headers={
        "content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413 and "too long" in r.text
    r = client.post("/who-said", data={"text": "<script>alert(1)</script> Order."})
    assert r.status_code == 200 and "<script>alert(1)" not in r.text and "&lt;script&gt;" in r.text
    r = client.post("/who-said", files={"text": (None, "Commons Chamber")})   # multipart works too
    assert r.status_code == 200 and "page furniture" in r.text


# --- what is not in the record ---------------------------------------------------------------


def test_seed_page_and_newspaper_are_unmatched(sample_engine):
    with sample_engine.connect() as conn:
        seed = who_said(conn, SEED_PAGE.read_text(encoding="utf-8"))
        paper = who_said(conn, NEWSPAPER + "\nI thank the hon. Gentleman for his question.\n")
    assert len(seed["paragraphs"]) == 26 and seed["debates"] == []
    assert all(p["match"] is None for p in seed["paragraphs"])
    assert [p["line"] for p in seed["paragraphs"] if p["furniture"]] == [1, 2, 3]
    assert all(p["match"] is None for p in paper["paragraphs"]) and paper["debates"] == []


# --- quality over all the test texts ------------------------------------------------------------


def generated_pages(sample_engine, record, pages: int = 24, seed: int = 2009) -> list[list[tuple[str, str | None]]]:
    """Copies of runs of consecutive speeches from debates of every kind of the sample, each line
    changed the way a web copy changes it (quotes, dashes, spacing; at random a typo or two, a cut,
    lower case, lost commas), with furniture, headings and text that is not in the record
    (a speech with its words shuffled: same vocabulary, no passage of it in the record)."""
    import random
    rng = random.Random(seed)
    with sample_engine.connect() as conn:
        debates = conn.execute(sql(
            "SELECT d.id, d.kind, d.title FROM debates d WHERE (SELECT count(*) FROM speeches s "
            "WHERE s.debate_id = d.id AND s.text <> '' AND s.person_id IS NOT NULL) >= 4 ORDER BY d.id")).all()
        chosen = rng.sample(debates, min(pages, len(debates)))
        out = []
        for debate_id, kind, title in chosen:
            ids = list(conn.execute(sql("SELECT id FROM speeches WHERE debate_id = :d AND text <> '' "
                                        "ORDER BY position"), {"d": debate_id}).scalars())
            start = rng.randrange(0, max(1, len(ids) - 8))
            run = ids[start:start + rng.randint(4, 12)]
            page: list[tuple[str, str | None]] = [("Commons Chamber" if kind == "debates" else "(16 years ago)", None),
                                                  (title, None)]
            for sid in run:
                body = web(record[sid][0])
                toks = body.split()
                roll = rng.random()
                if roll < 0.25 and len(toks) > 30:
                    body = " ".join(toks[:max(15, int(len(toks) * rng.uniform(0.3, 0.8)))])
                elif roll < 0.45:
                    long_words = [w for w in toks if len(w) > 6 and w.isalpha()]
                    for w in rng.sample(long_words, min(len(long_words), rng.randint(1, 2))):
                        i = rng.randrange(1, len(w) - 2)
                        body = body.replace(w, w[:i] + w[i + 1] + w[i] + w[i + 2:], 1)
                elif roll < 0.55:
                    body = body.lower()
                elif roll < 0.65:
                    body = body.replace(",", "")
                page.append((body, sid))
                if rng.random() < 0.1:
                    page.append(("Read Full debate", None))
            if rng.random() < 0.5:
                victim = record[rng.choice(run)][0].split()
                rng.shuffle(victim)
                if len(victim) >= 12:
                    page.insert(rng.randrange(2, len(page) + 1), (" ".join(victim), None))
            out.append(page)
    return out


def _score(sample_engine, record, pages) -> dict:
    attributed = right = in_record = right_speech = 0
    with sample_engine.connect() as conn:
        for page in pages:
            result = who_said(conn, as_text(page))
            assert len(result["paragraphs"]) == len(page)
            for p, (_, sid) in zip(result["paragraphs"], page):
                m = p["match"]
                in_record += sid is not None
                if m is not None:
                    attributed += 1
                    right += sid is not None and m["person_id"] == record[sid][1]
                    right_speech += m["speech_id"] == sid
    return {"lines": sum(len(p) for p in pages), "lines_in_record": in_record, "attributed": attributed,
            "speaker_right": right, "speech_right": right_speech,
            "precision": round(right / attributed, 4) if attributed else None,
            "recall": round(right / in_record, 4) if in_record else None}


def test_precision_and_recall(record, sample_engine, artifacts_dir):
    """Precision: attributed lines whose speaker is right / lines attributed. Recall: lines whose
    speaker is right / lines that are in the record. Written to test-artifacts/who-said-quality.json."""
    hand = [make(record) for make in TEXTS.values()]
    hand.append([(line, None) for line in SEED_PAGE.read_text(encoding="utf-8").splitlines() if line.strip()])
    hand.append([(NEWSPAPER, None)])
    generated = generated_pages(sample_engine, record)
    scores = {"hand-made": _score(sample_engine, record, hand),
              "generated": _score(sample_engine, record, generated)}
    (artifacts_dir / "who-said-quality.json").write_text(json.dumps(scores, indent=2) + "\n")
    assert scores["hand-made"]["precision"] == 1.0 and scores["hand-made"]["recall"] == 1.0
    assert scores["generated"]["precision"] >= 0.99
    assert scores["generated"]["recall"] >= 0.9
