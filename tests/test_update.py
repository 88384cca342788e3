"""``despatchbox update`` against a real local HTTP server (http.server in a thread) serving a copy of
the sample in the public archive's layout, with the real httpx client: first run, second run, a
changed file, a truncated response, a server that dies mid-run, an unreachable source."""
from __future__ import annotations

import email.utils
import hashlib
import json
import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from despatchbox.cli import app
from despatchbox.update.changedates import parse_changedates

from .conftest import SAMPLE
from .popolo import write_people_json

KINDS = "debates,wms"
MINISTERS_JSON = SAMPLE.parent / "members-json" / "ministers.json"


class ArchiveHandler(SimpleHTTPRequestHandler):
    """Files with an ETag (If-None-Match answered 304); a truncating and a dying mode the tests set."""
    server_version = "archive-test"

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        state = self.server.test_state
        state["requests"].append(self.path)
        if state.get("die_after") is not None and len(state["files"]) >= state["die_after"]:
            # the archive's process dies: this connection drops and the port stops accepting
            threading.Thread(target=self.server.die, daemon=True).start()
            self.close_connection = True
            return None
        if not path.is_file():
            self.send_error(404)
            return None
        data = path.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return None
        if path.suffix in (".xml", ".json"):
            state["files"].append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", email.utils.formatdate(path.stat().st_mtime, usegmt=True))
        self.end_headers()
        if self.path in state.get("truncate", ()):
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return None
        import io
        return io.BytesIO(data)


class ArchiveServer(ThreadingHTTPServer):
    daemon_threads = True

    def die(self):
        self.shutdown()
        self.server_close()


class Archive:
    def __init__(self, root: Path):
        self.root = root
        self.state = {"requests": [], "files": [], "truncate": set(), "die_after": None}
        self.server = None

    def start(self):
        self.server = ArchiveServer(("127.0.0.1", 0), partial(ArchiveHandler, directory=str(self.root)))
        self.server.test_state = self.state
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def reset(self):
        self.state["requests"].clear()
        self.state["files"].clear()


def build_archive(base: Path) -> Path:
    """A copy of the sample in the archive's layout: scrapedxml/<kind>/ with changedates.txt, members/*.json
    (people.json converted from the shipped XML, the real ministers.json)."""
    for kind in KINDS.split(","):
        folder = base / "scrapedxml" / kind
        shutil.copytree(SAMPLE / "scrapedxml" / kind, folder)
        # the sample ships part of the week: its changedates.txt lists days beyond it (29 October);
        # the served copy lists only the files it holds
        lines = (folder / "changedates.txt").read_text().splitlines()
        (folder / "changedates.txt").write_text(
            "".join(f"{line}\n" for line in lines if (folder / line.partition(",")[2]).exists()))
    write_people_json(SAMPLE / "members", base / "members")
    shutil.copy(MINISTERS_JSON, base / "members" / "ministers.json")
    return base


@pytest.fixture
def archive(tmp_path):
    """The sample in the archive's layout (build_archive), served over HTTP."""
    served = Archive(build_archive(tmp_path / "archive")).start()
    yield served
    served.stop()


def run_update(archive_url: str, mirror: Path, db_url: str, monkeypatch, *extra: str):
    monkeypatch.setenv("DESPATCHBOX_DATABASE_URL", db_url)
    result = CliRunner().invoke(app, ["update", "--source", archive_url, "--mirror", str(mirror), "--kinds", KINDS,
                                      "--json", *extra])
    summary = json.loads(result.stdout) if result.stdout.strip().startswith("{") else None
    return result, summary


def listed(base: Path) -> set[str]:
    out = set()
    for kind in KINDS.split(","):
        names = parse_changedates((base / "scrapedxml" / kind / "changedates.txt").read_text())
        out |= {f"scrapedxml/{kind}/{n}" for n in names}
    return out


def test_first_run_fetches_and_ingests_all_second_fetches_nothing_then_only_the_changed_file(
        archive, tmp_path, fresh_url, monkeypatch):
    mirror = tmp_path / "mirror"
    result, summary = run_update(archive.url, mirror, fresh_url, monkeypatch)
    assert result.exit_code == 0, result.output
    expected = listed(archive.root) | {"members/people.json", "members/ministers.json"}
    assert set(summary["fetched"]) == expected
    assert summary["missing_at_source"] == ["members/ministers-2010.json"]
    assert summary["ingest"]["errors"] == [] and summary["ingest"]["loaded"] > 0
    for rel in expected:
        assert (mirror / rel).read_bytes() == (archive.root / rel).read_bytes()

    archive.reset()
    result, summary = run_update(archive.url, mirror, fresh_url, monkeypatch)
    assert result.exit_code == 0, result.output
    assert summary["fetched"] == [] and "ingest" not in summary
    assert archive.state["files"] == []                 # nothing downloaded: 304s and changedates only

    # one file changes at the source (a copy the test makes: a comment appended) and changedates says so
    name = "debates2009-10-28c.xml"      # the current version of the day
    changed = archive.root / "scrapedxml" / "debates" / name
    changed.write_bytes(changed.read_bytes() + b"\n<!-- re-published -->\n")
    dates = archive.root / "scrapedxml" / "debates" / "changedates.txt"
    dates.write_text(dates.read_text() + f"1999999999,{name}\n")     # the last line for a file wins
    archive.reset()
    result, summary = run_update(archive.url, mirror, fresh_url, monkeypatch)
    assert result.exit_code == 0, result.output
    assert summary["fetched"] == [f"scrapedxml/debates/{name}"]
    assert archive.state["files"] == [f"/scrapedxml/debates/{name}"]
    assert summary["ingest"]["loaded"] == 1


def test_an_update_leaves_the_who_said_indexs_merges_to_compaction(archive, tmp_path, fresh_url, monkeypatch):
    """``update`` ingests with the who-said index's merges deferred (``despatchbox db compact`` and
    ``serve`` do them): its ingest is called so, and one that is merely due is not made."""
    from despatchbox.pipeline import run as pipeline_run
    from despatchbox.pipeline.run import ingest as real_ingest

    calls: list[dict] = []

    def recorded(*args, **kwargs):
        calls.append(kwargs)
        return real_ingest(*args, **kwargs)

    monkeypatch.setattr(pipeline_run, "ingest", recorded)       # read by the command when it runs
    result, summary = run_update(archive.url, tmp_path / "mirror", fresh_url, monkeypatch)
    assert result.exit_code == 0, result.output
    assert summary["ingest"]["loaded"] > 0 and [c.get("defer_merges") for c in calls] == [True]


def test_a_truncated_response_is_never_ingested_and_the_next_run_fetches_it(archive, tmp_path, fresh_url,
                                                                              monkeypatch):
    mirror = tmp_path / "mirror"
    broken = "/scrapedxml/debates/debates2009-10-27d.xml"
    archive.state["truncate"].add(broken)
    result, summary = run_update(archive.url, mirror, fresh_url, monkeypatch)
    assert result.exit_code == 1
    assert [f["url"].endswith(broken) for f in summary["failed"]] == [True]
    assert not (mirror / broken.lstrip("/")).exists()            # only a .part, which nothing reads
    assert "debates2009-10-27d.xml" not in json.dumps(summary["ingest"]["errors"])
    archive.state["truncate"].clear()
    archive.reset()
    result, summary = run_update(archive.url, mirror, fresh_url, monkeypatch)
    assert result.exit_code == 0, result.output
    assert summary["fetched"] == [broken.lstrip("/")]
    assert (mirror / broken.lstrip("/")).read_bytes() == (archive.root / broken.lstrip("/")).read_bytes()
    assert not list(mirror.rglob("*.part"))


def test_a_server_that_dies_mid_run_loses_nothing(archive, tmp_path, fresh_url, monkeypatch):
    mirror = tmp_path / "mirror"
    archive.state["die_after"] = 4
    result, summary = run_update(archive.url, mirror, fresh_url, monkeypatch)
    assert result.exit_code == 1
    first = set(summary["fetched"])
    assert len(first) == 4 and summary["failed"]    # the file in flight, then the refused connection
    assert summary["not_tried"] > 0             # a dead source ends the run: no timeout per remaining file
    for rel in first:
        assert (mirror / rel).read_bytes() == (archive.root / rel).read_bytes()
    # the archive comes back (on another port): only what is still missing is fetched
    archive.stop()
    archive.state["die_after"] = None
    archive.start()
    archive.reset()
    result, summary = run_update(archive.url, mirror, fresh_url, monkeypatch)
    assert result.exit_code == 0, result.output
    expected = listed(archive.root) | {"members/people.json", "members/ministers.json"}
    assert set(summary["fetched"]) == expected - first
    assert not first & {p.lstrip("/") for p in archive.state["files"]}


def test_an_unreachable_source_exits_non_zero_with_a_clear_message(tmp_path, fresh_url, monkeypatch):
    monkeypatch.setenv("DESPATCHBOX_DATABASE_URL", fresh_url)
    result = CliRunner().invoke(app, ["update", "--source", "http://127.0.0.1:9", "--mirror", str(tmp_path / "m"),
                                      "--quiet"])
    assert result.exit_code == 1
    assert "the source cannot be reached" in result.output


def test_since_skips_earlier_days(archive, tmp_path, fresh_url, monkeypatch):
    result, summary = run_update(archive.url, tmp_path / "mirror", fresh_url, monkeypatch, "--since", "2009-10-28",
                                 "--no-ingest")
    assert result.exit_code == 0, result.output
    days = {rel for rel in summary["fetched"] if rel.startswith("scrapedxml/")}
    assert days and all("2009-10-28" in rel for rel in days)
