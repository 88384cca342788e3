"""Following the ParlParse archive over rsync (``despatchbox update --source rsync://…``).

TheyWorkForYou's documented feed is an rsync daemon module (``rsync://data.theyworkforyou.com/parldata/``,
also written ``data.theyworkforyou.com::parldata``) in the same layout as the HTTP archive
(``scrapedxml/<kind>/*.xml`` with ``changedates.txt``, ``members/*.json``). This uses the system
``rsync`` binary in two runs over the daemon protocol:

1. the ``changedates.txt`` of each wanted kind, into ``MIRROR/.despatchbox-rsync/`` (not into the tree);
2. a ``--files-from`` list built from them: the transcripts whose stamp differs from the one the mirror
   recorded (and, with ``--since``, only from that sitting day on), plus the members files, which
   rsync's own quick check (size and time) decides. ``--out-format`` (logged when a file is complete)
   tells which files arrived; exactly those are ingested.

rsync writes each file to a dot-named temporary beside its place and renames it when whole (after
checking the whole file's checksum); an interrupted transfer is moved into ``--partial-dir``
(``.rsync-partial`` beside it: a hidden folder the ingest never walks) and the next run resumes from it.
So a half-downloaded file never sits under its real name. (The partial folder is relative on purpose:
rsync 3.2.7 fails to resume from an absolute one — "failed verification" — every time.)
What the mirror holds is recorded in the same ``MIRROR/.despatchbox-mirror.json`` as the HTTP path,
so a mirror can switch between the two.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from .changedates import day_of, parse_changedates
from .mirror import DEFAULT_KINDS, MEMBERS_FILES, Listener, SourceUnreachable, UpdateReport, load_state, save_state

#: the documented ParlParse feed
PARLDATA = "rsync://data.theyworkforyou.com/parldata/"
WORK = ".despatchbox-rsync"
PARTIAL_DIR = ".rsync-partial"
#: seconds to wait for the daemon to answer, and for any data while transferring
CONNECT_TIMEOUT = 30
IO_TIMEOUT = 120
#: rsync exit codes that mean the source (or the way to it) failed, not one file: rsync(1), EXIT VALUES
SOURCE_DOWN = {5: "error starting client-server protocol", 10: "error in socket I/O",
               12: "error in the rsync protocol data stream", 20: "rsync was interrupted",
               30: "timeout in data send/receive", 35: "timeout waiting for the daemon"}
#: some files failed (23) or vanished while being sent (24); the rest arrived
PARTIAL = (23, 24)
_ITEM = re.compile(r"^(\d+) (.{11}) (.+)$")
_FAILED_FILE = re.compile(r'"([^"]+)" \(in [^)]*\)|^ERROR: (.+) failed verification')
_DAEMON = re.compile(r"^(rsync://[^/]+/[^/]|[^/:]+::[^/])")


class RsyncMissing(Exception):
    """The rsync binary is not installed."""


def is_rsync_source(source: str) -> bool:
    """rsync://host[:port]/module[/path] or host::module[/path] (the rsync daemon's two spellings)."""
    return source.startswith("rsync://") or bool(re.match(r"^[^/:]+::", source))


def rsync_binary() -> str:
    found = shutil.which("rsync")
    if found is None:
        raise RsyncMissing("an rsync source needs the rsync program, which is not installed: install it "
                           "(Debian: apt-get install rsync), or use the HTTP archive "
                           "(--source https://www.theyworkforyou.com/pwdata)")
    return found


@cache
def _supports_fsync(binary: str) -> bool:
    """rsync ≥ 3.2.4 can fsync every file it writes (--fsync)."""
    try:
        out = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "--fsync" in out


@dataclass
class Transfer:
    """One rsync run: the files it reported (complete, under their real names) and how it ended."""
    arrived: dict[str, bool]       # relative path → whether rsync changed it (False: already up to date)
    code: int
    errors: str                    # rsync's stderr
    failed: dict[str, str]         # relative path → rsync's message about it

    @property
    def why(self) -> str:
        lines = [line.strip() for line in self.errors.splitlines() if line.strip()]
        # rsync's own account ("rsync: failed to connect to …: Connection refused", "@ERROR: Unknown
        # module") comes before its closing "rsync error: … (code 10) at file.c(141)"
        told = [line for line in lines if not line.startswith("rsync error:")] or lines
        message = SOURCE_DOWN.get(self.code, f"exit code {self.code}")
        return f"{message}: {told[0] if told else 'rsync said nothing more'}"


class RsyncMirror:
    def __init__(self, source: str, folder: Path):
        if not _DAEMON.match(source):
            raise ValueError(f"{source!r} is not an rsync daemon address with a module "
                             "(rsync://host/module/path or host::module/path)")
        self.source = source.rstrip("/") + "/"
        self.folder = folder
        self.work = folder / WORK
        self.state = load_state(folder)

    def _rsync(self, files: list[str], dest: Path, listener: Listener | None = None) -> Transfer:
        """Copy the listed paths (relative to the source) into dest; missing ones are skipped silently."""
        binary = rsync_binary()
        dest.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=self.work, prefix="files-from.", delete=False) as listing:
            listing.write("".join(f"{rel}\n" for rel in files))
        args = [binary, "--recursive", "--times", "--files-from", listing.name, "--ignore-missing-args",
                "--partial-dir", PARTIAL_DIR, "--info=name2", "--out-format=%b %i %n",
                f"--contimeout={CONNECT_TIMEOUT}", f"--timeout={IO_TIMEOUT}", "--no-motd"]
        if _supports_fsync(binary):
            args.append("--fsync")
        args += [self.source, str(dest) + "/"]
        arrived: dict[str, bool] = {}
        try:
            with tempfile.TemporaryFile("w+", dir=self.work) as stderr:
                proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr,
                                        text=True, errors="replace")
                assert proc.stdout is not None
                for line in proc.stdout:
                    found = _ITEM.match(line.rstrip("\n"))
                    if found is None or found.group(2)[1] != "f" or found.group(2)[0] == "*":
                        continue            # folders, deletions and anything not a regular file
                    rel = found.group(3)
                    arrived[rel] = found.group(2)[0] != "."
                    if listener is not None:
                        listener.done(Path(rel).name)
                code = proc.wait()
                stderr.seek(0)
                errors = stderr.read()
        finally:
            Path(listing.name).unlink(missing_ok=True)
        failed = {}
        for line in errors.splitlines():
            found = _FAILED_FILE.search(line)
            if found:
                failed[(found.group(1) or found.group(2)).lstrip("/")] = line.strip()
        return Transfer(arrived, code, errors, failed)

    def _changedates(self, kinds: tuple[str, ...], report: UpdateReport) -> dict[str, dict[str, str]]:
        """kind → (file name → stamp), from the source's changedates.txt, fetched first."""
        wanted = [f"scrapedxml/{kind}/changedates.txt" for kind in kinds]
        got = self._rsync(wanted, self.work)
        if got.code not in (0, *PARTIAL):
            raise SourceUnreachable(f"cannot reach {self.source}: {got.why}")
        out: dict[str, dict[str, str]] = {}
        for kind, rel in zip(kinds, wanted):
            if rel in got.failed:
                report.failed.append((self.source + rel, got.failed[rel]))
            elif rel not in got.arrived:
                report.missing.append(rel)
            else:
                out[kind] = parse_changedates((self.work / rel).read_text(encoding="utf-8", errors="replace"))
        return out

    def plan(self, kinds: tuple[str, ...], since: date | None, report: UpdateReport) -> dict[str, str]:
        """relative path → changedates stamp ('' for members files) of every file to ask rsync for."""
        todo: dict[str, str] = {}
        for kind, stamps in self._changedates(kinds, report).items():
            for name, stamp in sorted(stamps.items()):
                day = day_of(name)
                if since is not None and day is not None and day < since:
                    continue
                rel = f"scrapedxml/{kind}/{name}"
                if self.state.get(rel, {}).get("stamp") == stamp and (self.folder / rel).exists():
                    report.unchanged += 1
                    continue
                todo[rel] = stamp
        for name in MEMBERS_FILES:
            todo[f"members/{name}"] = ""
        return todo

    def update(self, kinds: tuple[str, ...] = DEFAULT_KINDS, since: date | None = None,
               listener: Listener | None = None) -> UpdateReport:
        rsync_binary()                       # before anything is made: missing, it says to install it
        listener = listener or Listener()
        self.work.mkdir(parents=True, exist_ok=True)
        report = UpdateReport()
        todo = self.plan(kinds, since, report)
        listener.planned(len(todo))
        got = self._rsync(sorted(todo), self.folder, listener)
        if got.code == 5 and not got.arrived:
            # the daemon answered a moment ago and now refuses (module gone, too many connections)
            raise SourceUnreachable(f"cannot reach {self.source}: {got.why}")
        for rel in sorted(todo):
            local = self.folder / rel
            if rel in got.failed:       # before arrived: a file failing its checksum is logged, then refused
                report.failed.append((self.source + rel, got.failed[rel]))
            elif rel in got.arrived and not local.is_file():
                report.failed.append((self.source + rel, f"{rel}: rsync sent it but it is not in the mirror"))
            elif rel in got.arrived:
                held = self.state.get(rel, {})
                # arrived now, or earlier by a run that could not record it (its stamp differs)
                if got.arrived[rel] or (todo[rel] and held.get("stamp") != todo[rel]):
                    report.fetched.append(local)
                else:
                    report.unchanged += 1
                self.state[rel] = {"stamp": todo[rel], "etag": None, "last_modified": None,
                                   "size": local.stat().st_size}
            elif got.code in SOURCE_DOWN:
                report.not_tried += 1
            elif rel.startswith("members/"):
                report.missing.append(rel)
            else:
                report.failed.append((self.source + rel, f"{rel}: listed in changedates.txt but not at the source"))
        save_state(self.folder, self.state)
        if got.code in SOURCE_DOWN:
            # the run was cut short: what arrived whole is kept and ingested, the rest comes next run
            report.failed.append((self.source, f"the source stopped answering: {got.why}"))
        elif got.code not in (0, *PARTIAL) or (got.code in PARTIAL and not got.failed):
            report.failed.append((self.source, f"rsync: {got.why}"))
        return report


__all__ = ["PARLDATA", "RsyncMirror", "RsyncMissing", "is_rsync_source", "rsync_binary"]
