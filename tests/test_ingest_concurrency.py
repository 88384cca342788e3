"""Sign-ups and page requests during an ingest (issue 17, defect 3): a real server (``despatchbox serve``,
two workers) answers 200 sign-ups — each from its own client address, confirmed by following the link
in its email — and 2,000 page and API requests while ``despatchbox ingest`` runs in its own process.
Nothing answers 5xx (nor anything but 200), every ingest completes without an error, and every
confirmed sign-up is kept.

The ingest runs for as long as the requests arrive: first the whole sample week (members already
held, so that sign-ups have members and departments to follow), then again with each day's latest
file given a newer version letter (a letter-bumped copy of the real file: every day is replaced,
delete and insert, in its own write transaction), until the last request is answered.

Sign-ups are limited per client address (10 an hour); ``despatchbox serve`` trusts
``X-Forwarded-For`` from the local proxy (uvicorn's ``FORWARDED_ALLOW_IPS``, 127.0.0.1), so each
sign-up names its own address there, as a reverse proxy would. Emails go to the development mailbox
(``DESPATCHBOX_MAILBOX_DIR``), where each sign-up's confirmation link is read.
"""
from __future__ import annotations

import email
import email.policy
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sqlalchemy import select

from despatchbox.ingest.parlparse.transcripts import identify, version_rank
from despatchbox.pipeline.run import ingest
from despatchbox.record import urls
from despatchbox.store.database import engine_for
from despatchbox.store.schema import alerts

from .conftest import SAMPLE

ROOT = Path(__file__).resolve().parent.parent
SIGNUPS = 200
REQUESTS = 2000
#: what the sign-ups follow: a department, a member, a saved search (each checked as a visitor's would be)
TARGETS = [("department", "home-office"), ("person", "gordon-brown"), ("query", "Afghanistan")]
PAGES = ["/", "/alerts", "/dept/home-office", urls.site.member("gordon-brown", "commons"), "/search?q=afghanistan",
         "/api/v1/stats", "/api/v1/members?q=brown", "/api/v1/departments", "/api/v1/search?q=afghanistan",
         "/api/v1/debates", "/api/v1/divisions", "/api/v1/questions"]
#: the day files whose records the re-runs replace (divisionsonly files repeat the day files: skipped)
REPEATS = ("divisionsonly", "lordsdivisionsonly")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(url: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DESPATCHBOX_SMTP_URL"}
    env.update(DESPATCHBOX_DATABASE_URL=url, **extra,
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    return env


class Server:
    """``despatchbox serve`` in its own process group, logging to a file (never an unread pipe)."""

    def __init__(self, url: str, mailbox: Path, log: Path):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = _env(url, DESPATCHBOX_BASE_URL=self.base, DESPATCHBOX_MAILBOX_DIR=str(mailbox),
                        FORWARDED_ALLOW_IPS="127.0.0.1")
        self.log_path = log

    def __enter__(self) -> "Server":
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([sys.executable, "-c", "from despatchbox.cli import main; main()", "serve",
                                      "--port", str(self.port), "--workers", "2"], env=self.env, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log_path.read_text()[-3000:]
            try:
                if httpx.get(self.base + "/api/v1/stats", timeout=5).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise AssertionError("despatchbox serve did not answer within 60 s")

    def __exit__(self, *exc) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)      # the group started for this server, and only it
            self.proc.wait(20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.log.close()


def _bumped_tree(root: Path, round_number: int) -> Path:
    """Each day's latest file of the sample, as a newer version ('xa', 'xb', … rank above any letter)."""
    latest: dict[str, Path] = {}
    for path in sorted((SAMPLE / "scrapedxml").glob("*/*.xml")):
        found = identify(path)
        if found is None or path.parent.name in REPEATS:
            continue
        series = found[1]
        if series not in latest or version_rank(found[3]) > version_rank(identify(latest[series])[3]):
            latest[series] = path
    version = "x" + chr(ord("a") + round_number - 1)
    tree = root / f"round-{round_number}"
    for path in latest.values():
        dest = tree / "scrapedxml" / path.parent.name / (path.name[:-len(identify(path)[3] + ".xml")] + version + ".xml")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
        assert identify(dest)[3] == version
    return tree


class Ingests(threading.Thread):
    """``despatchbox ingest`` in its own process, again and again, until told to stop."""

    def __init__(self, url: str, root: Path):
        super().__init__(daemon=True)
        self.url, self.root = url, root
        self.stop = threading.Event()
        self.started = threading.Event()
        self.runs: list[tuple[int, dict | None, str]] = []
        self.first_start = self.last_end = 0.0

    def run(self) -> None:
        round_number = 0
        while True:
            tree = SAMPLE if round_number == 0 else _bumped_tree(self.root, round_number)
            if round_number == 0:
                self.first_start = time.monotonic()
            proc = subprocess.Popen([sys.executable, "-c", "from despatchbox.cli import main; main()", "ingest",
                                     "--json", "--quiet", str(tree)], env=_env(self.url), stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            self.started.set()
            out, err = proc.communicate(timeout=900)
            self.last_end = time.monotonic()
            try:
                summary = json.loads(out)
            except ValueError:
                summary = None
            self.runs.append((proc.returncode, summary, err[-3000:]))
            round_number += 1
            if self.stop.is_set() or proc.returncode != 0 or round_number > 26:
                return


class Load:
    """Sign-ups (each confirmed from its email) and page requests, from a pool of client threads."""

    def __init__(self, base: str, mailbox: Path):
        self.base, self.mailbox = base, mailbox
        self.local = threading.local()
        self.lock = threading.Lock()
        self.answers: list[tuple[str, int, float]] = []       # (what, status, when sent)
        self.failures: list[str] = []
        self.confirmed: list[str] = []

    def _client(self) -> httpx.Client:
        if not hasattr(self.local, "client"):
            self.local.client = httpx.Client(base_url=self.base, timeout=120, follow_redirects=False)
        return self.local.client

    def _send(self, what: str, method: str, path: str, **kwargs) -> httpx.Response | None:
        sent = time.monotonic()
        try:
            response = self._client().request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            with self.lock:
                self.failures.append(f"{method} {path}: {exc!r}")
            return None
        with self.lock:
            self.answers.append((what, response.status_code, sent))
            if response.status_code != 200:
                self.failures.append(f"{method} {path}: {response.status_code} {response.text[:300]!r}")
        return response

    def page(self, n: int) -> None:
        self._send("page", "GET", PAGES[n % len(PAGES)])

    def _confirmation_link(self, address: str) -> str | None:
        needle = address.encode()
        names = sorted((n for n in os.listdir(self.mailbox) if n.endswith(".eml")), reverse=True)
        for name in names:                                  # newest first: this sign-up's is among them
            try:
                data = (self.mailbox / name).read_bytes()
            except FileNotFoundError:                       # pruned meanwhile (the mailbox keeps 200)
                continue
            if needle not in data:
                continue
            message = email.message_from_bytes(data, policy=email.policy.default)
            if message["To"] != address:
                continue
            body = message.get_body(preferencelist=("plain",)).get_content()
            found = re.search(re.escape(self.base) + r"(/alerts/confirm/\S+)", body)
            return found.group(1) if found else None
        return None

    def sign_up(self, n: int) -> None:
        address = f"reader{n}@example.org"
        kind, target = TARGETS[n % len(TARGETS)]
        client_address = f"10.17.{n // 200}.{n % 200 + 1}"
        r = self._send("signup", "POST", "/alerts/signup", headers={"X-Forwarded-For": client_address},
                       data={"email": address, "kind": kind, "target": target, "frequency": "daily"})
        if r is None or r.status_code != 200:
            return
        link = self._confirmation_link(address)
        if link is None:
            with self.lock:
                self.failures.append(f"no confirmation email for {address}")
            return
        if self._send("confirm-page", "GET", link) is None:
            return
        r = self._send("confirm", "POST", link, headers={"X-Forwarded-For": client_address})
        if r is not None and r.status_code == 200 and "Alert confirmed" in r.text:
            with self.lock:
                self.confirmed.append(address)

    def run(self, threads: int = 8) -> None:
        # interleaved: one sign-up after every ten page requests
        tasks = []
        for n in range(REQUESTS):
            tasks.append((self.page, n))
            if n % (REQUESTS // SIGNUPS) == 0:
                tasks.append((self.sign_up, n // (REQUESTS // SIGNUPS)))
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for future in [pool.submit(fn, n) for fn, n in tasks]:
                future.result()


def test_sign_ups_and_requests_during_an_ingest(fresh_url, tmp_path):
    members = tmp_path / "members-tree"
    shutil.copytree(SAMPLE / "members", members / "members")
    engine = engine_for(fresh_url)
    assert ingest(engine, [members]).ok                  # members and departments to follow
    mailbox = tmp_path / "mailbox"
    with Server(fresh_url, mailbox, tmp_path / "serve.log") as server:
        for path in PAGES:                               # every page answers before the ingest starts
            assert httpx.get(server.base + path, timeout=60).status_code == 200, path
        ingests = Ingests(fresh_url, tmp_path / "rounds")
        ingests.start()
        assert ingests.started.wait(60)
        load = Load(server.base, mailbox)
        try:
            load.run()
        finally:
            ingests.stop.set()
            ingests.join(timeout=900)
        log = (tmp_path / "serve.log").read_text(errors="replace")

    assert not ingests.is_alive()
    for returncode, summary, err in ingests.runs:
        assert returncode == 0 and summary is not None and summary["errors"] == [], (returncode, summary, err)
    assert all(summary["loaded"] > 0 for _rc, summary, _err in ingests.runs)   # each replaced every day

    assert load.failures == [], load.failures[:10]
    assert " 500 " not in log and "Traceback" not in log and "database is locked" not in log
    signups = [a for a in load.answers if a[0] == "signup"]
    pages = [a for a in load.answers if a[0] == "page"]
    assert len(signups) >= SIGNUPS and len(pages) >= REQUESTS
    # every request was sent while an ingest ran (they ran one after another until the last answer)
    assert all(ingests.first_start <= sent <= ingests.last_end for _what, _status, sent in load.answers)

    with engine.connect() as conn:
        held = {r.email: r for r in conn.execute(select(alerts))}
    assert len(load.confirmed) == SIGNUPS
    assert all(address in held and held[address].confirmed_at is not None for address in load.confirmed)
