"""Alert building blocks without a database: item identity, SMTP settings, signing, the digest's
shape; and the ``despatchbox alerts`` command against a real SMTP server."""
from __future__ import annotations

import json
import re
from datetime import date

import pytest
from typer.testing import CliRunner

from despatchbox.alerts.digest import DigestBuilder, excerpt, tidy_title
from despatchbox.alerts.identity import (SAME_TEXT, division_key, follow_redirects, match_revisions, similarity,
                                         sketch, speech_candidate, speech_key, stable_gid)
from despatchbox.alerts.links import Links, anchor
from despatchbox.alerts.mailer import MailError, SmtpSettings
from despatchbox.alerts.signing import BadLink, Signer

from .alerts_fixtures import MEMBERS, SmtpServer, day_files, load, members_database, members_template


def speech(gid, text, person_id=10385, kind="debates", day=date(2009, 10, 27), name="Eddie McGrady"):
    return {"id": gid, "text": text, "person_id": person_id, "speaker_name": name, "kind": kind, "date": day}


def orphan(id_, row):
    c = speech_candidate(row)
    return {"id": id_, "gid": row["id"], "record_kind": c.record_kind, "item_date": c.item_date,
            "speaker_key": c.speaker_key, "sketch": c.sketch, "item_key": c.key}


LONG = ("I do not know whether to thank the hon. Gentleman for that interruption, but I have to deal with it. "
        "I stand corrected, but when the Patten commission dealt with community policing it endorsed the "
        "conception of a parades commission. That is where I am coming from.")


def test_stable_gid_drops_the_version_and_prefix():
    assert stable_gid("uk.org.publicwhip/debate/2009-10-27a.225.1") == "debate/2009-10-27.225.1"
    assert stable_gid("uk.org.publicwhip/debate/2009-10-27d.225.1") == "debate/2009-10-27.225.1"
    assert stable_gid("uk.org.publicwhip/wms/2009-10-26c.1WS.2") == "wms/2009-10-26.1WS.2"
    assert stable_gid("uk.org.publicwhip/standing/standing2009-10-20_CHILDPOV_05-0_2009-10-27a.1.1") == \
        "standing/standing2009-10-20_CHILDPOV_05-0_2009-10-27.1.1"


def test_speech_key_is_place_speaker_and_text():
    a = speech("uk.org.publicwhip/debate/2009-10-27c.227.0", LONG)
    b = speech("uk.org.publicwhip/debate/2009-10-27d.227.0", LONG.replace("hon.", "hon"))   # punctuation only
    assert speech_key(a) == speech_key(b)
    assert speech_key(a) != speech_key(speech(a["id"], LONG.replace("conception", "concept")))
    assert speech_key(a) != speech_key(speech(a["id"], LONG, person_id=10259))
    assert speech_key(a) != speech_key(speech("uk.org.publicwhip/debate/2009-10-27d.227.1", LONG))
    assert division_key({"id": "x", "kind": "debates", "date": date(2009, 10, 27), "number": 231}) == \
        "d:debates:2009-10-27:231"


def test_similarity_of_sketches():
    assert similarity(sketch(LONG), sketch(LONG)) == 1.0
    assert similarity(sketch(LONG), sketch(LONG.replace("conception", "concept"))) > 0.85
    assert similarity(sketch(LONG), sketch("The information requested is not collected centrally.")) < 0.1
    assert similarity(sketch(""), sketch("")) == 1.0 and similarity(sketch("Yes."), sketch("")) == 0.0


def test_revisions_are_matched_one_to_one_and_only_to_orphans():
    # two identical boilerplate answers sent from version a; version c holds them again and a third
    boiler = "The information requested is not collected centrally."
    old1 = speech("uk.org.publicwhip/wrans/2009-10-28a.295504.r0", boiler, kind="wrans", day=date(2009, 10, 28))
    old2 = speech("uk.org.publicwhip/wrans/2009-10-28a.295307.r0", boiler, kind="wrans", day=date(2009, 10, 28))
    new = [speech_candidate(speech(g, boiler, kind="wrans", day=date(2009, 10, 28))) for g in (
        "uk.org.publicwhip/wrans/2009-10-28c.295504.r0", "uk.org.publicwhip/wrans/2009-10-28c.295307.r0",
        "uk.org.publicwhip/wrans/2009-10-28c.296000.r0")]
    matched = match_revisions(new, [orphan(1, old1), orphan(2, old2)], reach={})
    assert {k: o["id"] for k, o in matched.items()} == {new[0].key: 1, new[1].key: 2}   # same place wins
    # the third, new answer is not taken for a revision
    assert new[2].key not in matched


def test_revision_found_by_redirect_chain_even_when_the_text_changed_a_lot():
    old = speech("uk.org.publicwhip/debate/2009-10-28a.267.5", "The Secretary of State")
    new = speech_candidate(speech("uk.org.publicwhip/debate/2009-10-28c.267.5", "The Minister for the Cabinet Office"))
    assert similarity(sketch(old["text"]), new.sketch) < SAME_TEXT
    hops = {"uk.org.publicwhip/debate/2009-10-28a.267.5": "uk.org.publicwhip/debate/2009-10-28b.267.5",
            "uk.org.publicwhip/debate/2009-10-28b.267.5": "uk.org.publicwhip/debate/2009-10-28c.267.5"}
    reach = follow_redirects([old["id"]], lambda ids: {i: hops[i] for i in ids if i in hops})
    assert reach == {old["id"]: {"uk.org.publicwhip/debate/2009-10-28b.267.5", new.gid}}
    assert match_revisions([new], [orphan(7, old)], reach)[new.key]["id"] == 7
    # without the chain, a text changed that much is a new item (sent again rather than skipped)
    assert match_revisions([new], [orphan(7, old)], {}) == {}


def test_a_different_speaker_is_never_a_revision():
    old = speech("uk.org.publicwhip/debate/2009-10-27a.225.1", LONG)
    new = speech_candidate(speech("uk.org.publicwhip/debate/2009-10-27d.225.1", LONG, person_id=10259))
    assert match_revisions([new], [orphan(1, old)], {}) == {}


def test_links_follow_the_pages_scheme():
    links = Links("https://despatchbox.example/")
    assert links.debate("uk.org.publicwhip/debate/2009-10-26b.1.4", "uk.org.publicwhip/debate/2009-10-26b.3.3") == \
        "https://despatchbox.example/debate/debate/2009-10-26b.1.4#g3.3"
    assert links.question("uk.org.publicwhip/wrans/2009-10-26f.294335.h") == \
        "https://despatchbox.example/written-question/wrans/2009-10-26f.294335.h"
    assert links.member("lord-bach", "lords") == "https://despatchbox.example/lord/lord-bach"
    assert links.search("knife crime", {"party": "Labour", "date_from": "2009-10-01"}) == \
        "https://despatchbox.example/search?q=knife+crime&party=Labour&from=2009-10-01"
    assert anchor("uk.org.publicwhip/wms/2009-10-26c.1WS.2") == "g1WS.2"


@pytest.mark.parametrize("url, expect", [
    ("smtp://localhost:1025", ("smtp", "localhost", 1025, None, None, False)),
    ("smtps://user%40x:p%3Ass@mail.example:465", ("smtps", "mail.example", 465, "user@x", "p:ss", False)),
    ("smtps://mail.example", ("smtps", "mail.example", 465, None, None, False)),
    ("smtp://u:p@mail.example:587?starttls=1", ("smtp", "mail.example", 587, "u", "p", True)),
    ("smtp+starttls://mail.example", ("smtp+starttls", "mail.example", 587, None, None, True)),
])
def test_smtp_url(url, expect):
    s = SmtpSettings.from_url(url)
    assert (s.scheme, s.host, s.port, s.username, s.password, s.starttls) == expect


@pytest.mark.parametrize("url", [None, "", "http://mail.example", "smtp://", "smtp://host:notaport"])
def test_bad_smtp_url(url):
    with pytest.raises(MailError) as err:
        SmtpSettings.from_url(url)
    assert err.value.stage == "config"


def test_signed_links_carry_their_purpose():
    signer = Signer("k")
    token = signer.confirm_token(3, "a@example.org")
    assert signer.read_alert_token("confirm", token) == (3, "a@example.org")
    with pytest.raises(BadLink):
        signer.read_alert_token("unsubscribe", token)
    with pytest.raises(BadLink):
        Signer("other").read_alert_token("confirm", token)
    with pytest.raises(BadLink):
        signer.read_manage_token(token)


def test_digest_helpers():
    assert tidy_title("HOME DEPARTMENT") == "Home Department"
    assert tidy_title("SECRETARY OF STATE FOR THE HOME DEPARTMENT") == "Secretary of State for the Home Department"
    assert tidy_title("Opposition Day — [20th Allotted Day]") == "Opposition Day — [20th Allotted Day]"
    words = " ".join(f"w{i}" for i in range(200)) + " knife " + " ".join(f"v{i}" for i in range(200))
    cut = excerpt(words, ["knife"], limit=30)
    assert "knife" in cut and cut.startswith("… ") and cut.endswith(" …")
    assert excerpt("short text", ["knife"]) == "short text"
    assert DigestBuilder(Links("http://x")).build("Nothing", []).empty


# --- the command ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def members_file(database_factory, db_backend, tmp_path_factory):
    return members_template(database_factory, db_backend, tmp_path_factory)


def test_alerts_command(database_factory, members_file, monkeypatch):
    from despatchbox.cli import app
    url, engine = members_database(database_factory, members_file)
    server = SmtpServer().start()
    try:
        monkeypatch.setenv("DESPATCHBOX_DATABASE_URL", url)
        monkeypatch.setenv("DESPATCHBOX_SMTP_URL", server.url)
        monkeypatch.setenv("DESPATCHBOX_BASE_URL", "http://despatchbox.test")
        runner = CliRunner()

        def run(*args, code=0):
            result = runner.invoke(app, list(args))
            assert result.exit_code == code, result.output
            return result.output

        out = run("alerts", "add", "--email", "cli@example.org", "--department", "home-office", "--json")
        assert json.loads(out)["title"] == "Home Office"
        run("alerts", "add", "--email", "cli@example.org", "--person", "david-hanson", "--frequency", "weekly")
        run("alerts", "add", "--email", "cli@example.org", "--query", "knife crime", "--filter", "party=Labour")
        assert "give exactly one of" in run("alerts", "add", "--email", "x@example.org", "--person", "a",
                                            "--department", "b", code=2)
        assert "not a valid email address" in run("alerts", "add", "--email", "nope", "--person", "david-hanson",
                                                  code=2)
        assert "an alert needs a query" in run("alerts", "add", "--email", "x@example.org", "--query", " ", code=2)
        assert "How often" in run("alerts", "add", "--email", "x@example.org", "--person", "david-hanson",
                                  "--frequency", "hourly", code=2)
        listed = json.loads(run("alerts", "list", "--json"))
        assert [(a["kind"], a["target"], a["frequency"], a["confirmed"]) for a in listed] == [
            ("department", "home-office", "immediate", True), ("person", "david-hanson", "weekly", True),
            ("query", "knife crime", "immediate", True)]
        assert listed[2]["filters"] == {"party": "Labour"}

        load(engine, MEMBERS, *day_files("2009-10-26"))
        out = run("alerts", "send", "--dry-run")
        assert "would send" in out and "would be sent" in out and server.received == []
        out = run("alerts", "send")
        assert re.search(r"3 alerts; [23] digests sent \(\d+ items\)", out), out
        assert {m.rcpt_tos[0] for m in server.take()} == {"cli@example.org"}
        assert "0 digests sent" in run("alerts", "send")

        # a mail server that is down: reported, exit 1, sent next time
        load(engine, *day_files("2009-10-27"))
        server.stop()
        out = run("alerts", "send", code=1)
        assert "failed" in out and "cannot talk to the mail server" in out
        assert json.loads(run("alerts", "list", "--json"))[0]["last_error"]
        server.start()
        out = run("alerts", "send")
        assert "failed" not in out and server.take()
        monkeypatch.delenv("DESPATCHBOX_SMTP_URL")
        assert "DESPATCHBOX_SMTP_URL is not set" in run("alerts", "send", code=2)
        assert "deleted alert 1" in run("alerts", "delete", "1")
        assert "no alert 1" in run("alerts", "delete", "1", code=1)
    finally:
        server.stop()
