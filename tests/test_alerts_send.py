"""Alerts end to end over a real SMTP server (aiosmtpd on loopback): ingest part of the sample
week, send, read the messages; send again and receive nothing; ingest the rest and receive
only the new items; superseded file versions do not re-send a speech; a server that stops
mid-run loses and duplicates nothing."""
from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from despatchbox.alerts import subscriptions
from despatchbox.alerts.model import utcnow
from despatchbox.alerts.sender import (DEFERRED, FAILED, NOT_DUE, NOTHING_NEW, SENT, UP_TO_DATE, WOULD_SEND,
                                       send_alerts)
from despatchbox.alerts.signing import Signer
from despatchbox.store.queries import alerts as aq

from .alerts_fixtures import (BASE_URL, MEMBERS, SAMPLE, SECRET, SmtpServer, alert_settings, day_files, load,
                              members_database, members_template)

DEBATES = SAMPLE / "scrapedxml" / "debates"


@pytest.fixture
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def members_file(database_factory, db_backend, tmp_path_factory):
    return members_template(database_factory, db_backend, tmp_path_factory)


@pytest.fixture
def members_db(database_factory, members_file):
    """A new database holding the members data only (alerts are added before transcripts arrive)."""
    return members_database(database_factory, members_file)


@pytest.fixture
def members_engine(members_db):
    return members_db[1]


@pytest.fixture
def fresh_url(members_db):
    return members_db[0]


def add(engine, email, **what):
    frequency = what.pop("frequency", "immediate")
    filters = what.pop("filters", None)
    (kind, target), = what.items()
    alert, created = subscriptions.add_alert(engine, email=email, kind=kind, target=target, filters=filters,
                                             frequency=frequency)
    assert created
    return alert


def deliveries(engine, alert_id=None):
    q = select(aq.alert_deliveries).order_by(aq.alert_deliveries.c.id)
    if alert_id is not None:
        q = q.where(aq.alert_deliveries.c.alert_id == alert_id)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def by_recipient(messages):
    out = {}
    for m in messages:
        assert len(m.rcpt_tos) == 1
        assert m.rcpt_tos[0] not in out, f"two messages to {m.rcpt_tos[0]}"
        out[m.rcpt_tos[0]] = m
    return out


def flat(text: str) -> str:
    return " ".join(text.split())


def item_count(message) -> int:
    return int(re.search(r"(\d+) new items?", message.message["Subject"]).group(1))


def test_digests_over_smtp_then_nothing_then_only_new_items(members_engine, fresh_url, smtp):
    engine = members_engine
    settings = alert_settings(fresh_url, smtp.url)
    home = add(engine, "home@example.org", department="home-office")
    hanson = add(engine, "hanson@example.org", person="david-hanson", frequency="daily")
    parades = add(engine, "parades@example.org", query='"Parades Commission"')

    load(engine, MEMBERS, *day_files("2009-10-26"))
    report = send_alerts(engine, settings)
    assert report.ok, report.summary()
    status = {o.alert_id: o.status for o in report.outcomes}
    assert status == {home.id: SENT, hanson.id: SENT, parades.id: NOTHING_NEW}
    got = by_recipient(smtp.take())
    assert set(got) == {"home@example.org", "hanson@example.org"}

    # --- the Home Office digest: headers, both parts, every section, links back to the site
    msg = got["home@example.org"]
    m = msg.message
    assert m["To"] == "home@example.org" and m["From"] == "despatchbox <alerts@despatchbox.test>"
    assert m["Subject"].startswith("Home Office: ")
    assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(r"<(.+)>", m["List-Unsubscribe"]).group(1)
    assert unsubscribe.startswith(f"{BASE_URL}/alerts/unsubscribe/")
    token = unsubscribe.rsplit("/", 1)[1]
    assert Signer(SECRET).read_alert_token("unsubscribe", token) == (home.id, "home@example.org")
    assert m["Message-ID"].startswith(f"<alert-{home.id}.")
    assert m.get_content_type() == "multipart/alternative"
    text, html = msg.text, msg.html
    for heading in ("PARLIAMENTARY DEBATES", "WRITTEN STATEMENTS", "WRITTEN ANSWERS"):
        assert heading in text
    for heading in ("Parliamentary Debates", "Written Statements", "Written Answers"):
        assert f">{heading}</h2>" in html
    # items of business (issue 13): division 230 is in the Marine Bill's report stage (DEFRA), which
    # the file prints under the HOME DEPARTMENT heading; the Home Office had no division that day
    assert "DIVISIONS" not in text and "Marine and Coastal Access Bill" not in text
    # a debate entry: title, "N speeches (M words)", chamber, date, department, speakers
    assert re.search(r"Home Department\n\d+ speeches \([\d,]+ words\) · Commons Chamber · Monday 26th October 2009 · "
                     r"Home Office", text)
    assert "David Hanson (Labour - Delyn)" in text
    assert re.search(r"Asked by .+:\n", text) and re.search(r"Answered by .+:\n", text)
    assert "Monday 26th October 2009" in html and "Tuesday 27th October" not in text
    # every link goes back to the site; the unsubscribe link is in both parts
    # (speech text may quote other addresses: the links are the hrefs and the lines that are a link)
    hrefs = re.findall(r'href="([^"]+)"', html)
    link_lines = re.findall(r"^\s*<(https?://\S+)>$", text, re.M)
    for urls in (hrefs, link_lines):
        assert len(urls) > 50 and all(u.startswith(BASE_URL + "/") for u in urls), [u for u in urls if BASE_URL not in u]
    for part in (text, html):
        assert unsubscribe in part
        assert f"{BASE_URL}/alerts/manage/" in part
    assert f"{BASE_URL}/debate/debate/2009-10-26b." in text and "#g" in text
    assert f"{BASE_URL}/written-question/wrans/2009-10-26" in text
    assert f"{BASE_URL}/mp/david-hanson" in html
    # one delivery per item, under the item count the subject gives
    sent_home = deliveries(engine, home.id)
    assert len(sent_home) == item_count(msg) > 50
    assert {d["item_type"] for d in sent_home} == {"speech"}
    assert all(d["message_id"] == m["Message-ID"] for d in sent_home)
    assert {str(d["item_date"]) for d in sent_home} == {"2009-10-26"}
    assert len(deliveries(engine, hanson.id)) == item_count(got["hanson@example.org"])

    # --- send again: nothing
    again = send_alerts(engine, settings)
    assert smtp.take() == []
    assert {o.status for o in again.outcomes} == {UP_TO_DATE}
    assert again.ok

    # --- ingest the rest of the week: only new items
    load(engine, SAMPLE)
    report = send_alerts(engine, settings, now=lambda: utcnow() + timedelta(days=1))
    assert report.ok, report.summary()
    got = by_recipient(smtp.take())
    assert set(got) == {"home@example.org", "hanson@example.org", "parades@example.org"}
    for address, alert in (("home@example.org", home), ("hanson@example.org", hanson)):
        rows = deliveries(engine, alert.id)
        new = [d for d in rows if d["message_id"] == got[address].message["Message-ID"]]
        assert len(new) == item_count(got[address])
        assert {str(d["item_date"]) for d in new} <= {"2009-10-27", "2009-10-28"}
        assert "Monday 26th October 2009" not in got[address].text
        keys = Counter(d["item_key"] for d in rows)
        assert max(keys.values()) == 1
    assert "Parades Commission" in got["parades@example.org"].text
    assert "Tuesday 27th October 2009" in got["parades@example.org"].text
    # the hanson digest holds written answers he gave on the 27th and 28th
    assert "Answered by David Hanson" in got["hanson@example.org"].text

    # --- and once more: nothing
    send_alerts(engine, settings, now=lambda: utcnow() + timedelta(days=2))
    assert smtp.take() == []


def test_daily_and_weekly_alerts_wait_for_their_period(members_engine, fresh_url, smtp):
    engine = members_engine
    settings = alert_settings(fresh_url, smtp.url)
    daily = add(engine, "daily@example.org", department="home-office", frequency="daily")
    weekly = add(engine, "weekly@example.org", department="home-office", frequency="weekly")
    load(engine, MEMBERS, *day_files("2009-10-26"))
    t0 = utcnow()
    report = send_alerts(engine, settings, now=lambda: t0)
    assert {o.status for o in report.outcomes} == {SENT}
    assert len(smtp.take()) == 2
    load(engine, *day_files("2009-10-27"))
    report = send_alerts(engine, settings, now=lambda: t0 + timedelta(hours=3))
    assert {o.status for o in report.outcomes} == {NOT_DUE}
    assert smtp.take() == []
    report = send_alerts(engine, settings, now=lambda: t0 + timedelta(days=1))
    assert {o.alert_id: o.status for o in report.outcomes} == {daily.id: SENT, weekly.id: NOT_DUE}
    assert [m.rcpt_tos for m in smtp.take()] == [["daily@example.org"]]
    load(engine, *day_files("2009-10-28"))
    report = send_alerts(engine, settings, now=lambda: t0 + timedelta(days=7))
    got = by_recipient(smtp.take())
    assert set(got) == {"daily@example.org", "weekly@example.org"}
    # the weekly digest holds the 27th and the 28th, the daily one the 28th only
    assert "Tuesday 27th October 2009" in got["weekly@example.org"].text
    assert "Tuesday 27th October 2009" not in got["daily@example.org"].text
    assert "Wednesday 28th October 2009" in got["daily@example.org"].text


def test_superseded_version_does_not_resend_the_same_speeches(members_engine, fresh_url, smtp):
    """debates 27a holds two of Eddie McGrady's speeches; 27d replaces them under new gids, with
    small corrections ("conception" → "concept"), and 27a's redirects point at 27b, which is never
    ingested: the chain is broken and the text changed, yet they are not sent again."""
    engine = members_engine
    settings = alert_settings(fresh_url, smtp.url)
    mcgrady = add(engine, "mcgrady@example.org", person="eddie-mcgrady")
    parades = add(engine, "parades@example.org", query='"Parades Commission"')

    load(engine, DEBATES / "debates2009-10-27a.xml")
    send_alerts(engine, settings)
    got = by_recipient(smtp.take())
    assert item_count(got["mcgrady@example.org"]) == 2
    assert "endorsed the conception of a parades commission" in flat(got["mcgrady@example.org"].text)
    first_parades = {d["gid"] for d in deliveries(engine, parades.id)}
    assert first_parades and all("2009-10-27a." in g for g in first_parades)

    load(engine, DEBATES / "debates2009-10-27d.xml")
    report = send_alerts(engine, settings)
    assert report.ok
    got = by_recipient(smtp.take())
    text = flat(got["mcgrady@example.org"].text)
    assert "I stand corrected" not in text and "Just give me a moment" not in text
    assert item_count(got["mcgrady@example.org"]) == 6        # five more speeches and a division he voted in
    rows = deliveries(engine, mcgrady.id)
    revised = [d for d in rows if d["via"] == "revised"]
    assert sorted(d["gid"] for d in revised) == ["uk.org.publicwhip/debate/2009-10-27d.225.1",
                                                 "uk.org.publicwhip/debate/2009-10-27d.227.0"]
    outcome = next(o for o in report.outcomes if o.alert_id == mcgrady.id)
    assert outcome.revisions == 2 and outcome.items == 6
    # the saved search: the speeches it was sent from 27a are not in its second digest
    p_text = flat(got["parades@example.org"].text)
    assert "I stand corrected" not in p_text and "Just give me a moment" not in p_text
    p_rows = deliveries(engine, parades.id)
    assert len({d["item_key"] for d in p_rows}) == len(p_rows)
    assert {d["gid"] for d in p_rows if d["via"] == "revised"} == {g.replace("27a.", "27d.") for g in first_parades}

    # the same file again, and an older version after the newer one: nothing
    load(engine, DEBATES / "debates2009-10-27d.xml", DEBATES / "debates2009-10-27b.xml")
    send_alerts(engine, settings)
    assert smtp.take() == []


def test_every_version_in_turn_sends_each_speech_once(members_engine, fresh_url, smtp):
    """27a → 27b → 27c → 27d, sending after each: the complete redirect chain carries the items."""
    engine = members_engine
    settings = alert_settings(fresh_url, smtp.url)
    mcgrady = add(engine, "mcgrady@example.org", person="eddie-mcgrady")
    counts = []
    for version in "abcd":
        load(engine, DEBATES / f"debates2009-10-27{version}.xml")
        send_alerts(engine, settings)
        counts.append(sum(item_count(m) for m in smtp.take()))
    assert counts == [2, 0, 0, 6]
    rows = deliveries(engine, mcgrady.id)
    assert len(rows) == 8 and all("2009-10-27d." in d["gid"] for d in rows)


def test_server_stopping_mid_run_loses_and_duplicates_nothing(members_engine, fresh_url, smtp):
    engine = members_engine
    settings = alert_settings(fresh_url, smtp.url)
    alerts = [add(engine, "a@example.org", department="home-office"),
              add(engine, "b@example.org", person="david-hanson"),
              add(engine, "c@example.org", department="ministry-of-justice"),
              add(engine, "d@example.org", department="cabinet-office")]
    load(engine, MEMBERS, *day_files("2009-10-26"))
    planned = {o.alert_id: o.items for o in send_alerts(engine, settings, dry_run=True).outcomes}
    assert all(n > 0 for n in planned.values()) and smtp.received == []
    assert deliveries(engine) == []

    # the server goes away right after accepting the first digest
    report = send_alerts(engine, settings, on_sent=lambda outcome: smtp.stop())
    statuses = [o.status for o in report.outcomes]
    assert statuses[0] == SENT and FAILED in statuses and set(statuses[1:]) <= {FAILED, DEFERRED}
    assert not report.ok
    first = smtp.take()
    assert [m.rcpt_tos for m in first] == [["a@example.org"]]
    assert {d["alert_id"] for d in deliveries(engine)} == {alerts[0].id}
    with engine.connect() as conn:
        rows = {r["id"]: r for r in aq.list_alerts(conn)}
    for alert in alerts[1:]:
        assert rows[alert.id]["last_sent_at"] is None and rows[alert.id]["lease_until"] is None
        assert rows[alert.id]["last_batch"] == alert.last_batch      # watermark not moved: nothing skipped
    assert rows[alerts[1].id]["last_error"] and rows[alerts[1].id]["failures"] == 1

    # the server is back: the next run sends exactly the missing digests
    smtp.start()
    report = send_alerts(engine, settings)
    assert report.ok, report.summary()
    second = by_recipient(smtp.take())
    assert set(second) == {"b@example.org", "c@example.org", "d@example.org"}
    for alert in alerts[1:]:
        assert item_count(second[alert.email]) == planned[alert.id]
    assert item_count(first[0]) == planned[alerts[0].id]
    keys = Counter((d["alert_id"], d["item_key"]) for d in deliveries(engine))
    assert max(keys.values()) == 1
    assert sum(keys.values()) == sum(planned.values())
    send_alerts(engine, settings)
    assert smtp.take() == []


def test_refused_recipient_is_retried_and_reported(members_engine, fresh_url, smtp):
    engine = members_engine
    settings = alert_settings(fresh_url, smtp.url)
    ok = add(engine, "ok@example.org", department="home-office")
    busy = add(engine, "busy@example.org", department="home-office")
    load(engine, MEMBERS, *day_files("2009-10-26"))
    smtp.handler.refuse["busy@example.org"] = "451 4.3.0 Mailbox busy, try later"
    report = send_alerts(engine, settings)
    outcome = {o.alert_id: o for o in report.outcomes}
    assert outcome[ok.id].status == SENT
    assert outcome[busy.id].status == FAILED and "451" in outcome[busy.id].detail
    assert [m.rcpt_tos for m in smtp.take()] == [["ok@example.org"]]
    assert deliveries(engine, busy.id) == []
    smtp.handler.refuse.clear()
    report = send_alerts(engine, settings)
    assert {o.alert_id: o.status for o in report.outcomes} == {ok.id: UP_TO_DATE, busy.id: SENT}
    assert [m.rcpt_tos for m in smtp.take()] == [["busy@example.org"]]


def test_crash_after_accept_resends_with_the_same_message_id(members_engine, fresh_url, smtp, monkeypatch):
    """The one window exactly-once cannot close: the server accepted, the process died before the
    commit. Nothing was recorded, so the next run sends the digest again — under the same Message-ID."""
    engine = members_engine
    settings = alert_settings(fresh_url, smtp.url)
    add(engine, "crash@example.org", department="home-office")
    load(engine, MEMBERS, *day_files("2009-10-26"))

    real = aq.record_deliveries

    def crash(*args, **kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(aq, "record_deliveries", crash)
    with pytest.raises(RuntimeError):
        send_alerts(engine, settings)
    monkeypatch.setattr(aq, "record_deliveries", real)
    assert deliveries(engine) == []
    with engine.connect() as conn:
        assert aq.list_alerts(conn)[0]["lease_until"] is None      # the lease was let go
    send_alerts(engine, settings)
    first, second = smtp.take()
    assert first.message["Message-ID"] == second.message["Message-ID"]
    unsigned = re.compile(r"/alerts/(unsubscribe|manage)/\S+")
    assert unsigned.sub("", first.text) == unsigned.sub("", second.text)


def test_dry_run_sends_and_records_nothing(members_engine, fresh_url, smtp):
    engine = members_engine
    alert = add(engine, "dry@example.org", department="home-office")
    load(engine, MEMBERS, *day_files("2009-10-26"))
    report = send_alerts(engine, alert_settings(fresh_url, None), dry_run=True)
    assert [(o.status, o.items > 0) for o in report.outcomes] == [(WOULD_SEND, True)]
    assert "would be sent" in report.summary()
    assert smtp.received == [] and deliveries(engine) == []
    assert subscriptions.get_alert(engine, alert.id).last_batch == alert.last_batch


def test_unconfirmed_alerts_are_not_sent(members_engine, fresh_url, smtp):
    engine = members_engine
    alert, _ = subscriptions.add_alert(engine, email="later@example.org", kind="department", target="home-office",
                                       confirmed=False)
    load(engine, MEMBERS, *day_files("2009-10-26"))
    report = send_alerts(engine, alert_settings(fresh_url, smtp.url))
    assert report.outcomes == [] and smtp.received == []
    assert subscriptions.confirm(engine, alert.id)
    assert not subscriptions.confirm(engine, alert.id)
    # confirmed now: it is sent what is ingested from now on
    load(engine, *day_files("2009-10-27"))
    send_alerts(engine, alert_settings(fresh_url, smtp.url))
    (msg,) = smtp.take()
    assert "Monday 26th October" not in msg.text and "Tuesday 27th October 2009" in msg.text


def test_an_alert_held_by_another_sender_is_left_alone_until_its_lease_runs_out(members_engine, fresh_url, smtp):
    engine = members_engine
    settings = alert_settings(fresh_url, smtp.url)
    alert = add(engine, "lease@example.org", department="home-office")
    load(engine, MEMBERS, *day_files("2009-10-26"))
    t0 = utcnow()
    with engine.begin() as conn:
        assert aq.claim_alert(conn, alert.id, token="other-sender", now=t0, until=t0 + timedelta(minutes=15))
        assert not aq.claim_alert(conn, alert.id, token="third", now=t0, until=t0 + timedelta(minutes=15))
    report = send_alerts(engine, settings, now=lambda: t0 + timedelta(minutes=1))
    assert [o.status for o in report.outcomes] == ["busy"] and smtp.received == []
    # the other sender died: after the lease, this one takes over
    report = send_alerts(engine, settings, now=lambda: t0 + timedelta(minutes=16))
    assert [o.status for o in report.outcomes] == [SENT] and len(smtp.take()) == 1
