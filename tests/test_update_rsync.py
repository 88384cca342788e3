"""``despatchbox update --source rsync://…`` against a real rsync daemon on loopback (``rsync --daemon``)
serving a copy of the sample in the public archive's layout (test_update.build_archive), with the real
rsync client: first run, second run, a changed file, an unreadable file, a daemon killed mid-transfer,
an unreachable daemon, and no rsync installed."""
from __future__ import annotations

import grp
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from despatchbox.cli import app
from despatchbox.ingest.discover import discover
from despatchbox.update.rsync import PARTIAL_DIR, is_rsync_source

from .test_update import build_archive, listed, run_update

MODULE = "parldata"
EVERYTHING_MEMBERS = {"members/people.json", "members/ministers.json"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RsyncDaemon:
    """``rsync --daemon --no-detach`` with one read-only module on the archive copy; its transfer log
    says which files it sent. Run as root it chroots into the module and serves as nobody, so a file
    made unreadable (chmod 000) is unreadable to it too."""

    def __init__(self, root: Path, work: Path):
        self.root = root
        self.work = work
        self.log = work / "rsyncd.log"
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def start(self, bwlimit: int | None = None) -> RsyncDaemon:
        self.work.mkdir(parents=True, exist_ok=True)
        conf = self.work / "rsyncd.conf"
        if os.geteuid() == 0:
            group = "nogroup"
            try:
                grp.getgrnam(group)
            except KeyError:
                group = "nobody"
            identity = f"use chroot = yes\nuid = nobody\ngid = {group}\n"
        else:
            identity = "use chroot = no\n"
        conf.write_text(f"{identity}log file = {self.log}\ntransfer logging = yes\nlog format = sent %n\n"
                        f"[{MODULE}]\npath = {self.root}\nread only = yes\n")
        for _attempt in range(5):
            self.port = free_port()
            args = [shutil.which("rsync"), "--daemon", "--no-detach", f"--config={conf}", f"--port={self.port}",
                    "--address=127.0.0.1"]
            if bwlimit:
                args.append(f"--bwlimit={bwlimit}")
            self.proc = subprocess.Popen(args, start_new_session=True, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return self
                except OSError:
                    time.sleep(0.05)
            self.kill()
        raise RuntimeError(f"the rsync daemon did not start; its log: {self.log.read_text() if self.log.exists() else ''}")

    @property
    def url(self) -> str:
        return f"rsync://127.0.0.1:{self.port}/{MODULE}/"

    def sent(self) -> list[str]:
        """Files the daemon sent since the last reset (relative to the module)."""
        if not self.log.exists():
            return []
        return [line.split(" sent ", 1)[1].strip() for line in self.log.read_text().splitlines()
                if " sent " in line and not line.rstrip().endswith("/")]

    def reset(self) -> None:
        self.log.write_text("")

    def kill(self) -> None:
        """SIGKILL the daemon and the child serving a transfer (its own process group)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait()


@pytest.fixture
def daemon(tmp_path):
    served = RsyncDaemon(build_archive(tmp_path / "archive"), tmp_path / "rsyncd")
    yield served
    served.kill()


def everything(daemon: RsyncDaemon) -> set[str]:
    return listed(daemon.root) | EVERYTHING_MEMBERS


def source_files(mirror: Path) -> set[str]:
    """The files under their real names where the ingest looks (not the hidden work folder and state)."""
    return {p.relative_to(mirror).as_posix() for p in mirror.rglob("*")
            if p.is_file() and p.suffix in (".xml", ".json") and not any(part.startswith(".") for part in
                                                                         p.relative_to(mirror).parts)}


def same_as_source(daemon: RsyncDaemon, mirror: Path, rels) -> None:
    for rel in rels:
        assert (mirror / rel).read_bytes() == (daemon.root / rel).read_bytes(), rel


@pytest.mark.rsync
def test_first_run_fetches_and_ingests_all_second_fetches_nothing_then_only_the_changed_file(
        daemon, tmp_path, fresh_url, monkeypatch):
    daemon.start()
    mirror = tmp_path / "mirror"
    result, summary = run_update(daemon.url, mirror, fresh_url, monkeypatch)
    assert result.exit_code == 0, result.output
    expected = everything(daemon)
    assert set(summary["fetched"]) == expected
    assert summary["missing_at_source"] == ["members/ministers-2010.json"]
    assert summary["failed"] == [] and summary["not_tried"] == 0
    assert summary["ingest"]["errors"] == [] and summary["ingest"]["loaded"] > 0
    same_as_source(daemon, mirror, expected)
    assert set(daemon.sent()) >= expected
    assert source_files(mirror) == expected          # the changedates.txt files stay in the work folder

    daemon.reset()
    result, summary = run_update(daemon.url, mirror, fresh_url, monkeypatch)
    assert result.exit_code == 0, result.output
    assert summary["fetched"] == [] and "ingest" not in summary
    assert summary["unchanged"] == len(expected)
    assert not set(daemon.sent()) & expected           # nothing downloaded again

    # one file changes at the source (a copy the test makes: a comment appended) and changedates says so
    name = "debates2009-10-28c.xml"      # the current version of the day
    changed = daemon.root / "scrapedxml" / "debates" / name
    changed.write_bytes(changed.read_bytes() + b"\n<!-- re-published -->\n")
    dates = daemon.root / "scrapedxml" / "debates" / "changedates.txt"
    dates.write_text(dates.read_text() + f"1999999999,{name}\n")     # the last line for a file wins
    daemon.reset()
    result, summary = run_update(daemon.url, mirror, fresh_url, monkeypatch)
    assert result.exit_code == 0, result.output
    assert summary["fetched"] == [f"scrapedxml/debates/{name}"]
    assert [rel for rel in daemon.sent() if rel in expected] == [f"scrapedxml/debates/{name}"]
    assert summary["ingest"]["loaded"] == 1
    same_as_source(daemon, mirror, [f"scrapedxml/debates/{name}"])


@pytest.mark.rsync
def test_the_human_summary_is_the_same_as_for_http(daemon, tmp_path, fresh_url, monkeypatch):
    daemon.start()
    monkeypatch.setenv("DESPATCHBOX_DATABASE_URL", fresh_url)
    result = CliRunner().invoke(app, ["update", "--source", daemon.url, "--mirror", str(tmp_path / "mirror"),
                                      "--kinds", "wms", "--quiet"])
    assert result.exit_code == 0, result.output
    wms = sorted(rel for rel in listed(daemon.root) if rel.startswith("scrapedxml/wms/"))
    assert f"fetched {len(wms) + 2} new or changed files, 0 unchanged; 1 not at the source" in result.output
    assert all(f"+ {rel}" in result.output for rel in wms)
    assert "ingested " in result.output and "records)" in result.output


@pytest.mark.rsync
def test_since_fetches_only_later_days(daemon, tmp_path, fresh_url, monkeypatch):
    daemon.start()
    result, summary = run_update(daemon.url, tmp_path / "mirror", fresh_url, monkeypatch, "--since", "2009-10-28",
                                 "--no-ingest")
    assert result.exit_code == 0, result.output
    days = {rel for rel in summary["fetched"] if rel.startswith("scrapedxml/")}
    assert days == {rel for rel in listed(daemon.root) if "2009-10-28" in rel}
    assert {rel for rel in daemon.sent() if rel.endswith(".xml")} == days


@pytest.mark.rsync
def test_an_unreadable_file_is_reported_the_rest_ingested_and_the_next_run_fetches_it(
        daemon, tmp_path, fresh_url, monkeypatch):
    daemon.start()
    mirror = tmp_path / "mirror"
    broken = "scrapedxml/debates/debates2009-10-27d.xml"
    (daemon.root / broken).chmod(0)
    try:
        result, summary = run_update(daemon.url, mirror, fresh_url, monkeypatch)
    finally:
        (daemon.root / broken).chmod(0o644)
    assert result.exit_code == 1
    assert [f["url"] for f in summary["failed"]] == [daemon.url + broken]
    assert "Permission denied" in summary["failed"][0]["error"]
    assert set(summary["fetched"]) == everything(daemon) - {broken}
    assert summary["ingest"]["errors"] == []
    assert not (mirror / broken).exists()

    result, summary = run_update(daemon.url, mirror, fresh_url, monkeypatch)
    assert result.exit_code == 0, result.output
    assert summary["fetched"] == [broken]
    assert summary["ingest"]["loaded"] == 1
    same_as_source(daemon, mirror, everything(daemon))


@pytest.mark.rsync
def test_a_daemon_killed_mid_transfer_loses_nothing_and_the_next_run_completes(
        daemon, tmp_path, fresh_url, monkeypatch):
    # slow enough that the kill lands inside a transcript: the first debates file arrives, the next one
    # (627 kB at 500 kB/s: over a second) is being sent when the daemon and the child serving the
    # transfer are killed, 0.3 seconds later
    daemon.start(bwlimit=500)
    mirror = tmp_path / "mirror"
    debates = mirror / "scrapedxml" / "debates"
    first_day, cut_off = debates / "debates2009-10-26a.xml", debates / "debates2009-10-26b.xml"
    outcome = {}

    def run():
        outcome["result"], outcome["summary"] = run_update(daemon.url, mirror, fresh_url, monkeypatch)

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 120
    while not first_day.exists() and worker.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    daemon.kill()
    worker.join(timeout=300)
    assert not worker.is_alive()
    result, summary = outcome["result"], outcome["summary"]
    assert result.exit_code == 1
    assert summary["failed"][-1]["url"] == daemon.url
    assert "the source stopped answering" in summary["failed"][-1]["error"]
    assert summary["not_tried"] > 0
    first = set(summary["fetched"])
    assert "scrapedxml/debates/debates2009-10-26a.xml" in first
    # the file cut off is not under its real name, only in rsync's hidden partial folder
    assert not cut_off.exists()
    assert 0 < (debates / PARTIAL_DIR / cut_off.name).stat().st_size < (daemon.root / "scrapedxml" / "debates" /
                                                                        cut_off.name).stat().st_size
    # …which `despatchbox ingest MIRROR` never walks
    assert cut_off.name not in {p.name for p in discover([mirror]).transcripts}
    assert first_day in discover([mirror]).transcripts
    assert summary["ingest"]["errors"] == []
    # whatever sits under a real name arrived whole, and was ingested
    assert source_files(mirror) == first
    same_as_source(daemon, mirror, first)

    # the archive comes back (on another port, unthrottled): only what is still missing is fetched,
    # the file cut off resumes from rsync's partial folder
    daemon.start()
    daemon.reset()
    result, summary = run_update(daemon.url, mirror, fresh_url, monkeypatch)
    assert result.exit_code == 0, result.output
    assert set(summary["fetched"]) == everything(daemon) - first
    assert not first & set(daemon.sent())
    same_as_source(daemon, mirror, everything(daemon))
    assert not [p for p in mirror.rglob("*") if p.is_file() and PARTIAL_DIR in p.parts]


@pytest.mark.rsync
def test_an_unreachable_daemon_exits_non_zero_with_a_clear_message(tmp_path, fresh_url, monkeypatch):
    monkeypatch.setenv("DESPATCHBOX_DATABASE_URL", fresh_url)
    result = CliRunner().invoke(app, ["update", "--source", f"rsync://127.0.0.1:{free_port()}/{MODULE}/",
                                      "--mirror", str(tmp_path / "m"), "--quiet"])
    assert result.exit_code == 1
    assert "the source cannot be reached" in result.output
    assert "Connection refused" in result.output


def test_without_rsync_installed_it_says_to_install_it(tmp_path, fresh_url, monkeypatch):
    empty = tmp_path / "no-programs"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("DESPATCHBOX_DATABASE_URL", fresh_url)
    result = CliRunner().invoke(app, ["update", "--source", "data.theyworkforyou.com::parldata",
                                      "--mirror", str(tmp_path / "m"), "--quiet"])
    assert result.exit_code == 1
    assert "apt-get install rsync" in result.output


def test_an_rsync_address_without_a_module_is_refused(tmp_path, monkeypatch):
    result = CliRunner().invoke(app, ["update", "--source", "rsync://data.theyworkforyou.com/",
                                      "--mirror", str(tmp_path / "m"), "--quiet"])
    assert result.exit_code == 2
    assert "not an rsync daemon address with a module" in result.output


@pytest.mark.parametrize(("source", "rsync"), [
    ("rsync://data.theyworkforyou.com/parldata/", True),
    ("data.theyworkforyou.com::parldata/scrapedxml", True),
    ("https://www.theyworkforyou.com/pwdata", False),
    ("http://127.0.0.1:8000", False),
])
def test_which_sources_are_rsync(source, rsync):
    assert is_rsync_source(source) is rsync
