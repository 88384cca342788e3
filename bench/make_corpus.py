#!/usr/bin/env python3
"""Build a large synthetic ParlParse tree from the real sample week.

Every sitting day of the sample (26, 27 and 28 Oct 2009: all versions of all
kinds of that date, standing-committee files included) is emitted again under
synthetic dates -- successive weekdays going *backwards* from the weekday
before the sample week (2009-10-23, 2009-10-22, ..., weekends skipped), the
synthetic days cycling through the sample days 26, 27, 28, 26, ...  Text,
structure, version letters (27a..27d), ``<gidredirect>`` chains and file
sizes therefore stay real; only the sitting date changes.

The rewrite is a byte-level substitution, never an XML round trip: the files
keep their encoding (ISO-8859-1 or UTF-8), their internal DTD of HTML
entities (never touched: only bytes after the DTD's ``]>`` are rewritten) and
every other byte.  Rewritten are

* file names (the date part; for standing files the *sitting* date, i.e. the
  last date: ``standing2009-10-20_CHILDPOV_05-0_2009-10-27a.xml`` ->
  ``standing2009-10-20_CHILDPOV_05-0_2007-03-14a.xml``, unique per day);
* every attribute value ``uk.org.publicwhip/<kind>/<date><letter>...``
  (``id``, ``oldgid``, ``newgid``, ``oldstyleid``, ...) whose date is the
  file's sitting date -- version letter and suffix are kept;
* ``divdate`` attributes equal to the sitting date;
* ``changedates.txt`` (``epoch,filename``): one line per emitted file, epoch
  shifted by the same number of days as the file, lines sorted by epoch.

``pid``, ``url``, member ids, ``<phrase class="date" code=...>`` and
``offrep`` references are left as they are.

The real week itself is NOT emitted (all synthetic dates precede it), so the
corpus and the sample can be ingested into the same store without gid
collisions.  Standing files dated outside the sample days (the 2009-11-03
sittings) are not used.

Speeches are counted as ``<speech>``, ``<ques>`` and ``<reply>`` elements of
the current (highest-letter) version of each file, excluding the
``divisionsonly``/``lordsdivisionsonly`` kinds, which repeat elements (same
gids) of ``debates``/``lordspages``; their counts are still reported under
``speeches_by_kind`` in corpus.json.  Generation stops at the first day
boundary at which the requested number is reached, so the corpus holds
"about N" speeches (at most one sample day more).

Output is deterministic (same N and source => same bytes) and streaming:
one source file is held in memory at a time and written out once per
synthetic day that copies it.  DIR/corpus.json records N and the counts; a
second run with the same N and source does nothing unless ``--force``.

Library use (e.g. from bench/run.py)::

    from make_corpus import make_corpus       # with bench/ on sys.path
    counts = make_corpus(Path("/tmp/corpus-1m"), 1_000_000)
    counts["files"], counts["speeches"], counts["bytes"], counts["days"]
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

FORMAT = 1
DEFAULT_SOURCE = Path(__file__).resolve().parent.parent / "sample" / "parlparse-2009-10"
META_NAME = "corpus.json"
PARTIAL_NAME = ".make_corpus.partial"
# Kinds whose speeches are copies (same gids) of another kind's speeches.
DERIVED_KINDS = frozenset({"divisionsonly", "lordsdivisionsonly"})

_NAME_RE = re.compile(r"^(?P<pre>.*)(?P<date>\d{4}-\d\d-\d\d)(?P<ver>[a-z]+)\.xml$")
_SPEECH_RE = re.compile(rb"<(?:speech|ques|reply)[\s/>]")


def _date_attr_re(date: bytes) -> re.Pattern[bytes]:
    """Occurrences of the sitting date inside gid-like or divdate attributes."""
    return re.compile(
        rb"(?:=[\"']uk\.org\.publicwhip/[a-z]+/(?:standing[0-9-]+_[^\"'_/]+_[^\"'_/]+_)?"
        rb"|divdate=[\"'])(" + re.escape(date) + rb")"
    )


def _dtd_end(data: bytes) -> int:
    """Offset just after the internal DTD subset (0 if there is none)."""
    head = data.find(b"<!DOCTYPE", 0, 4096)
    if head < 0:
        return 0
    end = data.find(b"]>", head)
    if end < 0:
        return data.find(b">", head) + 1
    return end + 2


def _version_key(ver: str) -> tuple[int, str]:
    return (len(ver), ver)


class _SourceFile:
    __slots__ = ("kind", "name", "path", "pre", "date", "ver", "size", "current", "speeches")

    def __init__(self, kind: str, path: Path, m: re.Match[str]):
        self.kind = kind
        self.name = path.name
        self.path = path
        self.pre = m["pre"]
        self.date = m["date"]
        self.ver = m["ver"]
        self.size = path.stat().st_size
        self.current = False
        self.speeches = 0

    def out_name(self, new_date: str) -> str:
        return f"{self.pre}{new_date}{self.ver}.xml"


def _scan_source(source: Path) -> tuple[list[str], list[_SourceFile], list[str]]:
    """Return (sample days, source files of those days, excluded file names)."""
    root = source / "scrapedxml"
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a directory")
    files: list[_SourceFile] = []
    for kind_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(kind_dir.glob("*.xml")):
            m = _NAME_RE.match(path.name)
            if m:
                files.append(_SourceFile(kind_dir.name, path, m))
    days = sorted({f.date for f in files if f.kind != "standing"})
    if not days:
        raise ValueError(f"no dated ParlParse files under {root}")
    day_set = set(days)
    excluded = [f"{f.kind}/{f.name}" for f in files if f.date not in day_set]
    files = [f for f in files if f.date in day_set]
    latest: dict[tuple[str, str, str], _SourceFile] = {}
    for f in files:
        key = (f.kind, f.pre, f.date)
        if key not in latest or _version_key(f.ver) > _version_key(latest[key].ver):
            latest[key] = f
    for f in latest.values():
        f.current = True
        data = f.path.read_bytes()
        f.speeches = len(_SPEECH_RE.findall(data, _dtd_end(data)))
    return days, files, excluded


def _synthetic_days(sample_days: list[str], n: int) -> list[tuple[str, str]]:
    """First n (synthetic date, sample day) pairs, walking back over weekdays."""
    first = dt.date.fromisoformat(sample_days[0])
    taken = set(sample_days)
    out: list[tuple[str, str]] = []
    d = first
    while len(out) < n:
        d -= dt.timedelta(days=1)
        if d.weekday() >= 5 or d.isoformat() in taken:
            continue
        out.append((d.isoformat(), sample_days[len(out) % len(sample_days)]))
    return out


def _emit_file(args: tuple[str, str, str, str, list[tuple[str, str]]]) -> tuple[int, int]:
    """Write one source file once per target day.  Returns (files, bytes)."""
    src_path, src_date, out_dir, pre_ver, targets = args
    pre, ver = pre_ver.split("\0")
    data = Path(src_path).read_bytes()
    start = _dtd_end(data)
    chunks: list[bytes] = []
    pos = 0
    for m in _date_attr_re(src_date.encode()).finditer(data, start):
        chunks.append(data[pos:m.start(1)])
        pos = m.end(1)
    chunks.append(data[pos:])
    del data
    written = 0
    for new_date, _ in targets:
        blob = new_date.encode().join(chunks)
        with open(os.path.join(out_dir, f"{pre}{new_date}{ver}.xml"), "wb") as fh:
            fh.write(blob)
        written += len(blob)
    return len(targets), written


class _Progress:
    def __init__(self, total_bytes: int, enabled: bool):
        self.total = max(total_bytes, 1)
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.t0 = time.monotonic()
        self.last = 0.0
        self.shown = -1

    def update(self, files: int, nbytes: int, final: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if nbytes == self.shown or (not final and now - self.last < (0.2 if self.tty else 5.0)):
            return
        self.last, self.shown = now, nbytes
        el = now - self.t0
        rate = nbytes / el / 1e6 if el > 0 else 0.0
        line = (f"make_corpus: {files} files, {nbytes / 1e6:,.0f}/{self.total / 1e6:,.0f} MB "
                f"({100 * nbytes / self.total:3.0f}%) {rate:,.0f} MB/s {el:,.1f}s")
        if self.tty:
            sys.stderr.write("\r" + line + ("\n" if final else ""))
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()


def _read_meta(out: Path) -> dict | None:
    try:
        return json.loads((out / META_NAME).read_text())
    except (OSError, ValueError):
        return None


def source_digest(source: Path) -> str:
    """sha256 over the source's files (each one's path inside it, then its bytes): the same sample in
    another checkout is the same source, so a corpus, and the database bench/run.py made of it, are
    reused when two checkouts are measured one after the other on one work directory."""
    digest = hashlib.sha256()
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        digest.update(path.relative_to(source).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _write_meta(meta_path: Path, meta: dict) -> None:
    """Write corpus.json whole or not at all (a temporary file, then renamed)."""
    tmp = meta_path.with_name(META_NAME + ".tmp")
    tmp.write_text(json.dumps(meta, indent=2) + "\n")
    tmp.replace(meta_path)


def _same_source(meta: dict, source: Path, digest: str, meta_path: Path) -> bool:
    """Whether the corpus of ``meta`` was made from the content of ``source`` (whose
    :func:`source_digest` is ``digest``); a corpus.json written before the digest was kept is matched
    by its path once, and the digest added to it."""
    if meta.get("source_digest") is None and meta.get("source") == str(source):
        meta["source_digest"] = digest
        _write_meta(meta_path, meta)
    return meta.get("source_digest") == digest


def make_corpus(out: Path, speeches: int, source: Path = DEFAULT_SOURCE, *,
                force: bool = False, jobs: int | None = None,
                progress: bool = False) -> dict:
    """Build (or reuse) a synthetic corpus of about ``speeches`` speeches in ``out``.

    Returns the counts also written to ``out/corpus.json``: ``files`` (XML
    files written), ``speeches`` (current-version speech/ques/reply elements,
    derived division kinds excluded), ``bytes`` (everything written under
    ``out`` except corpus.json), ``days`` (synthetic sitting days), plus
    ``first_date``/``last_date``, per-kind breakdowns and ``reused`` (True if
    an existing corpus with the same N, made from a source of the same content, was kept).
    """
    if speeches < 1:
        raise ValueError("speeches must be >= 1")
    out = Path(out)
    source = Path(source).resolve()
    meta_path, partial = out / META_NAME, out / PARTIAL_NAME
    meta = _read_meta(out)
    digest = source_digest(source)
    if (not force and meta and meta.get("format") == FORMAT
            and meta.get("speeches_requested") == speeches
            and not partial.exists() and _same_source(meta, source, digest, meta_path)):
        return {**meta, "reused": True}

    t0 = time.monotonic()
    sample_days, files, excluded = _scan_source(source)
    per_day = {d: sum(f.speeches for f in files if f.current and f.date == d
                      and f.kind not in DERIVED_KINDS) for d in sample_days}
    if not any(per_day.values()):
        raise ValueError("the source holds no speeches")
    total, n_days = 0, 0
    while total < speeches:
        total += per_day[sample_days[n_days % len(sample_days)]]
        n_days += 1
    days = _synthetic_days(sample_days, n_days)
    by_src: dict[str, list[tuple[str, str]]] = {d: [] for d in sample_days}
    for new_date, src in days:
        by_src[src].append((new_date, src))

    # Prepare the output directory (only ever remove what this tool made).
    out.mkdir(parents=True, exist_ok=True)
    ours = meta is not None or partial.exists()
    existing = [p for p in (out / "scrapedxml", out / "members") if p.exists()]
    if existing and not ours and not force:
        raise FileExistsError(f"{out} already holds {existing[0].name}/ not made by make_corpus; "
                              "use --force to replace it")
    partial.write_text("incomplete\n")
    meta_path.unlink(missing_ok=True)
    for p in existing:
        shutil.rmtree(p)

    nbytes = 0
    n_members = 0
    members_out = out / "members"
    members_out.mkdir()
    if (source / "members").is_dir():
        for p in sorted((source / "members").iterdir()):
            if p.is_file():
                shutil.copyfile(p, members_out / p.name)
                nbytes += p.stat().st_size
                n_members += 1

    kinds = sorted({f.kind for f in files})
    for kind in kinds:
        (out / "scrapedxml" / kind).mkdir(parents=True)

    # changedates.txt: one shifted line per emitted file.
    emitted = {(f.kind, f.name): f for f in files}
    for kind in kinds:
        cd = source / "scrapedxml" / kind / "changedates.txt"
        if not cd.is_file():
            continue
        lines: list[tuple[int, str]] = []
        for raw in cd.read_text(encoding="latin-1").splitlines():
            epoch_s, _, fname = raw.strip().partition(",")
            f = emitted.get((kind, fname))
            if f is None or not epoch_s.isdigit():
                continue
            for new_date, _ in by_src[f.date]:
                shift = (dt.date.fromisoformat(new_date) - dt.date.fromisoformat(f.date)).days
                lines.append((int(epoch_s) + shift * 86400, f.out_name(new_date)))
        lines.sort()
        text = "".join(f"{e},{n}\n" for e, n in lines).encode("latin-1")
        (out / "scrapedxml" / kind / "changedates.txt").write_bytes(text)
        nbytes += len(text)

    tasks = [(str(f.path), f.date, str(out / "scrapedxml" / f.kind), f"{f.pre}\0{f.ver}", by_src[f.date])
             for f in files if by_src[f.date]]
    expected = nbytes + sum(f.size * len(by_src[f.date]) for f in files)
    prog = _Progress(expected, progress)
    n_files = 0
    jobs = jobs or min(2, os.cpu_count() or 1)
    if jobs > 1 and len(tasks) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for nf, nb in pool.map(_emit_file, tasks, chunksize=1):
                n_files += nf
                nbytes += nb
                prog.update(n_files, nbytes)
    else:
        for t in tasks:
            nf, nb = _emit_file(t)
            n_files += nf
            nbytes += nb
            prog.update(n_files, nbytes)
    prog.update(n_files, nbytes, final=True)

    speeches_by_kind: dict[str, int] = {}
    files_by_kind: dict[str, int] = {}
    for f in files:
        k = len(by_src[f.date])
        files_by_kind[f.kind] = files_by_kind.get(f.kind, 0) + k
        if f.current:
            speeches_by_kind[f.kind] = speeches_by_kind.get(f.kind, 0) + f.speeches * k
    counts = {
        "format": FORMAT,
        "generator": "bench/make_corpus.py",
        "speeches_requested": speeches,
        "source": str(source),
        "source_digest": digest,
        "files": n_files,
        "speeches": sum(v for k, v in speeches_by_kind.items() if k not in DERIVED_KINDS),
        "bytes": nbytes,
        "days": len(days),
        "first_date": days[-1][0],
        "last_date": days[0][0],
        "sample_days": sample_days,
        "speeches_per_sample_day": per_day,
        "speeches_by_kind": dict(sorted(speeches_by_kind.items())),
        "files_by_kind": dict(sorted(files_by_kind.items())),
        "member_files": n_members,
        "excluded_source_files": excluded,
    }
    _write_meta(meta_path, counts)
    partial.unlink()
    if progress:
        el = time.monotonic() - t0
        print(f"make_corpus: {counts['speeches']:,} speeches in {counts['days']} days "
              f"({counts['first_date']}..{counts['last_date']}), {n_files:,} files, "
              f"{nbytes / 1e6:,.0f} MB in {el:,.1f}s", file=sys.stderr)
    return {**counts, "reused": False}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="make_corpus.py",
        description=(
            "Write a synthetic ParlParse tree (DIR/members, DIR/scrapedxml/<kind>/) of about N "
            "speeches by re-dating the real sample week's files into earlier weekdays "
            "(backwards from the weekday before the sample week; the sample week itself is "
            "not included, so DIR and the sample can be ingested together). Byte-level "
            "rewrite of file names, gids, gidredirects, divdate and changedates.txt; "
            "deterministic; DIR/corpus.json records the counts and makes reruns with the "
            "same N a no-op."),
        epilog="Speeches = <speech>, <ques>, <reply> in current file versions "
               "(division-only copies excluded); generation stops at the first day boundary >= N.",
    )
    ap.add_argument("--speeches", "-n", type=int, required=True, metavar="N",
                    help="target number of speeches (rounded up to a whole sitting day)")
    ap.add_argument("--out", "-o", type=Path, required=True, metavar="DIR", help="output directory")
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE, metavar="DIR",
                    help="ParlParse sample tree to copy from (default: %(default)s)")
    ap.add_argument("--force", action="store_true",
                    help="regenerate even if DIR/corpus.json says it was made with the same N")
    ap.add_argument("--jobs", "-j", type=int, default=None,
                    help="worker processes (default: min(2, CPUs))")
    ap.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    a = ap.parse_args(argv)
    if a.speeches < 1:
        ap.error("--speeches must be >= 1")
    try:
        counts = make_corpus(a.out, a.speeches, a.source, force=a.force, jobs=a.jobs,
                             progress=not a.quiet)
    except (FileExistsError, FileNotFoundError, ValueError) as e:
        print(f"make_corpus: error: {e}", file=sys.stderr)
        return 2
    if counts["reused"] and not a.quiet:
        print(f"make_corpus: {a.out} already holds a corpus for N={a.speeches} "
              "(use --force to rebuild)", file=sys.stderr)
    print(json.dumps({k: counts[k] for k in ("files", "speeches", "bytes", "days", "reused")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
