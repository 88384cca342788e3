"""Ingest throughput beside two baselines measured in the same run.

    python bench/ingest.py [--source DIR] [--db URL] [--json]

Prints MB/s and records/s of a whole `despatchbox ingest` into an empty database and the peak RSS
of the ingest process (it runs in a child process so that its peak memory is its own), beside

* the MB/s of ``lxml.etree.parse`` over exactly the same files (``raw_mb_s``, ``ratio``);
* on SQLite, a bare bulk load (``bulk_*``, :func:`bulk_load`): the rows the ingest produced, copied
  from its database into an empty database of the same schema (the same migrations: every table,
  index, foreign key and trigger) in one transaction by ``INSERT INTO … SELECT`` — SQLite's own
  B-tree building with no Python per row, the floor a store-bound ingest can approach.
  ``bulk_ratio`` is its time over the ingest's (ingest MB/s ÷ bulk-load MB/s of the same files).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from despatchbox.ingest.discover import discover  # noqa: E402

DEFAULT_SOURCE = ROOT / "sample" / "parlparse-2009-10"

_CHILD = """
import json, sys, time
from pathlib import Path
from despatchbox.store.database import engine_for
from despatchbox.pipeline.run import ingest
engine = engine_for(sys.argv[1])
defer = sys.argv[2] == "--defer-merges"
started = time.perf_counter()
report = ingest(engine, [Path(p) for p in sys.argv[2 + defer:]], defer_merges=defer)
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "records": report.records, "bytes": report.bytes,
                  "files": len(report.loaded) + len(report.superseded), "errors": len(report.errors),
                  "rebuild_seconds": getattr(report, "rebuild_seconds", None)}))
"""


def source_files(source: Path) -> list[Path]:
    found = discover([source])
    return found.members + found.transcripts


def raw_parse(files: list[Path]) -> dict:
    """The baseline: lxml parsing every file the ingest reads, nothing else."""
    parser = etree.XMLParser(resolve_entities=True, huge_tree=True)
    started, cpu = time.perf_counter(), time.process_time()
    size = 0
    for path in files:
        data = path.read_bytes()
        if path.name == "peers-ucl.xml":
            data = data.replace(b'version="2.0"', b'version="1.0"', 1)
        etree.fromstring(data, parser)
        size += len(data)
    elapsed, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": elapsed, "cpu_s": cpu_s, "bytes": size, "mb_s": size / 1e6 / elapsed}


class TreeSampler:
    """Samples the memory of a process and of all its descendants (the ingest and its preparing
    worker, and any process either starts) every ``interval`` seconds: the peak of the *sum* of their
    RSS (shared pages, e.g. those a forked worker still shares with its parent, counted in each), the
    peak of the sum of their PSS (``/proc/PID/smaps_rollup``: a shared page split between the
    processes sharing it, so the sum is what the tree holds of the machine's memory; read every
    ``pss_every`` samples, it walks the page tables), and the largest single process's RSS with its
    heap / file-backed split and when it peaked. ``ru_maxrss`` (``peak_rss_mb``) is only the largest
    single process. ``timeline``: a list to which every sample appends [seconds, the first process's
    heap MB, its file-backed MB, the tree's sum of RSS MB]."""

    def __init__(self, pid: int, interval: float = 0.1, pss_every: int = 3, timeline: list | None = None):
        import threading
        self.pid, self.interval, self.pss_every, self.timeline = pid, interval, pss_every, timeline
        self.peak = {"tree_rss_kb": 0, "tree_pss_kb": 0, "one_rss_kb": 0, "one_anon_kb": 0, "one_file_kb": 0,
                     "processes": 0, "one_at_s": 0.0}
        self._started = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree(self) -> list[int]:
        parent: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    parent[int(entry)] = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
                except (OSError, ValueError, IndexError):
                    continue
        tree, frontier = [self.pid], [self.pid]
        while frontier:
            frontier = [p for p, pp in parent.items() if pp in frontier]
            tree += frontier
        return tree

    @staticmethod
    def _fields(path: str, keys: tuple[str, ...]) -> dict[str, int]:
        out = {}
        try:
            for line in Path(path).read_text().splitlines():
                key = line.split(":", 1)[0]
                if key in keys:
                    out[key] = int(line.split()[1])
        except (OSError, ValueError, IndexError):
            pass
        return out

    def _run(self) -> None:
        n = 0
        while not self._stop.wait(self.interval):
            tree = self._tree()
            rss = pss = 0
            at = round(time.perf_counter() - self._started, 1)
            first: dict[str, int] = {}
            for pid in tree:
                status = self._fields(f"/proc/{pid}/status", ("VmRSS", "RssAnon", "RssFile"))
                first = first or status
                rss += status.get("VmRSS", 0)
                if status.get("VmRSS", 0) > self.peak["one_rss_kb"]:
                    self.peak.update(one_rss_kb=status["VmRSS"], one_anon_kb=status.get("RssAnon", 0),
                                     one_file_kb=status.get("RssFile", 0), one_at_s=at)
                if n % self.pss_every == 0:
                    pss += self._fields(f"/proc/{pid}/smaps_rollup", ("Pss",)).get("Pss", 0)
            self.peak["tree_rss_kb"] = max(self.peak["tree_rss_kb"], rss)
            if n % self.pss_every == 0:
                self.peak["tree_pss_kb"] = max(self.peak["tree_pss_kb"], pss)
            self.peak["processes"] = max(self.peak["processes"], len(tree))
            if self.timeline is not None and first:
                self.timeline.append([at, first.get("RssAnon", 0) // 1024, first.get("RssFile", 0) // 1024, rss // 1024])
            n += 1

    def __enter__(self) -> "TreeSampler":
        if Path("/proc/self/status").exists():
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def figures(self) -> dict:
        """The peaks in MB (nothing where /proc could not be read)."""
        if not self.peak["tree_rss_kb"]:
            return {}
        mb = {k: round(v / 1024, 1) for k, v in self.peak.items() if k.endswith("_kb")}
        return {"peak_tree_rss_mb": mb["tree_rss_kb"], "peak_tree_pss_mb": mb["tree_pss_kb"],
                "peak_one_rss_mb": mb["one_rss_kb"], "peak_one_anon_mb": mb["one_anon_kb"],
                "peak_one_file_mb": mb["one_file_kb"], "peak_one_at_s": self.peak["one_at_s"],
                "processes": self.peak["processes"]}


def run_ingest(sources: list[Path], url: str, timeline: list | None = None, defer_merges: bool = False) -> dict:
    """One ingest of ``sources`` (trees or files) in a child process: its figures, its peak RSS (the
    largest single process, ``ru_maxrss``), the peaks of its whole process tree (:class:`TreeSampler`,
    its samples appended to ``timeline``) and the CPU seconds it used (user + system, its worker included).
    ``defer_merges``: as ``despatchbox update`` ingests (the who-said index's due merges left to compaction)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    flags = ["--defer-merges"] if defer_merges else []
    child = subprocess.Popen([sys.executable, "-c", _CHILD, url, *flags, *map(str, sources)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    with TreeSampler(child.pid, timeline=timeline) as tree:
        stdout, stderr = child.communicate()
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, child.args, stdout, stderr)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(stdout.strip().splitlines()[-1])
    result["peak_rss_mb"] = round(max(after.ru_maxrss, before.ru_maxrss) / 1024, 1)
    result["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result.update(tree.figures())
    return result


#: what ``ATTACH`` calls the ingested database in the bulk load
_SOURCE = "ingested"
#: tables that hold no record (Alembic's own; SQLite's AUTOINCREMENT counters follow the rows)
_NOT_RECORD = {"alembic_version", "sqlite_sequence"}


def _load_order(con) -> list[str]:
    """The ingested database's tables in an order its foreign keys accept, less those its triggers
    fill (``search_items`` follows ``speeches``: loading it too would insert its rows twice)."""
    tables = [t for (t,) in con.execute(f"SELECT name FROM {_SOURCE}.sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite_%' ORDER BY name") if t not in _NOT_RECORD]
    triggers = " ".join(sql for (sql,) in con.execute(f"SELECT sql FROM {_SOURCE}.sqlite_master WHERE type = 'trigger'"))
    fed = {m.lower() for m in re.findall(r'INSERT\s+INTO\s+"?(\w+)', triggers, re.I)}
    tables = [t for t in tables if t.lower() not in fed]
    needs = {t: {row[2] for row in con.execute(f'PRAGMA {_SOURCE}.foreign_key_list("{t}")')} - {t} for t in tables}
    ordered: list[str] = []
    while needs:
        ready = sorted(t for t, deps in needs.items() if not deps - set(ordered))
        if not ready:                   # a cycle: the rest in name order (foreign keys then say so)
            ready = sorted(needs)
        ordered += ready
        for t in ready:
            del needs[t]
    return ordered


def bulk_load(ingested: Path, target: Path) -> dict:
    """The bare bulk load (run in a child process, see :func:`run_bulk_load`): an empty database of the
    same schema at ``target`` (made by the same migrations, opened with the ingest's own connection
    settings), then every row of the ingested database copied into it in one transaction; the
    search index beside the database is not built. Times the transaction, ``BEGIN`` to ``COMMIT``."""
    from despatchbox.store.database import engine_for

    engine = engine_for(f"sqlite:///{target}")
    raw = engine.raw_connection()
    try:
        con = raw.driver_connection
        assert con is not None
        con.execute(f"ATTACH DATABASE ? AS {_SOURCE}", (str(ingested),))
        tables = _load_order(con)
        rows = 0
        started, cpu = time.perf_counter(), time.process_time()
        con.execute("BEGIN IMMEDIATE")
        for table in tables:
            columns = ", ".join(f'"{c[1]}"' for c in con.execute(f'PRAGMA {_SOURCE}.table_info("{table}")'))
            rows += con.execute(f'INSERT INTO main."{table}" ({columns}) SELECT {columns} FROM {_SOURCE}."{table}"'
                                ).rowcount
        con.execute("COMMIT")
        seconds, cpu_s = time.perf_counter() - started, time.process_time() - cpu
        con.execute(f"DETACH DATABASE {_SOURCE}")
    finally:
        raw.close()
        engine.dispose()
    return {"seconds": seconds, "cpu_s": cpu_s, "rows": rows, "tables": len(tables)}


def run_bulk_load(url: str) -> dict | None:
    """:func:`bulk_load` of the database the ingest made at ``url`` into a scratch database beside it
    (the same file system), in a child process; None if ``url`` is not a SQLite file."""
    if not url.startswith("sqlite:///"):
        return None
    ingested = Path(url[len("sqlite:///"):])
    with tempfile.TemporaryDirectory(dir=ingested.parent, prefix="bulk-load-") as tmp:
        out = subprocess.run([sys.executable, __file__, "--bulk-load", str(ingested), str(Path(tmp) / "bulk.db")],
                             check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bulk_figures(bulk: dict | None, mb: float, ingest_seconds: float) -> dict:
    """The bulk load's figures beside the ingest's: ``bulk_ratio`` = bulk-load time ÷ ingest time."""
    if bulk is None:
        return {"bulk_skipped": "the bulk-load baseline is measured on SQLite only"}
    return {"bulk_seconds": round(bulk["seconds"], 2), "bulk_cpu_s": round(bulk["cpu_s"], 2),
            "bulk_mb_s": round(mb / bulk["seconds"], 2), "bulk_rows": bulk["rows"],
            "bulk_ratio": round(bulk["seconds"] / ingest_seconds, 3)}


def measure(source: Path, url: str | None = None, bulk: bool = True, timeline: list | None = None) -> dict:
    """The ingest beside lxml's parse and (``bulk``, SQLite) the bare bulk load of what it made;
    ``timeline``: see :class:`TreeSampler`."""
    files = source_files(source)
    with tempfile.TemporaryDirectory() as tmp:
        db_url = url or f"sqlite:///{Path(tmp) / 'bench-ingest.db'}"
        raw = raw_parse(files)
        ingest = run_ingest([source], db_url, timeline)
        loaded = run_bulk_load(db_url) if bulk else None
    mb = raw["bytes"] / 1e6
    mb_s = mb / ingest["seconds"]
    out = {
        "source": str(source), "files": len(files), "mb": round(mb, 2),
        "ingest_seconds": round(ingest["seconds"], 2), "mb_s": round(mb_s, 2),
        "records_s": round(ingest["records"] / ingest["seconds"]), "records": ingest["records"],
        "raw_seconds": round(raw["seconds"], 2), "raw_mb_s": round(raw["mb_s"], 2),
        "raw_parse_cpu_s": round(raw["cpu_s"], 2),
        "ratio": round(mb_s / raw["mb_s"], 3), "peak_rss_mb": ingest["peak_rss_mb"], "errors": ingest["errors"],
        "ingest_cpu_s": round(ingest["cpu_s"], 1),
        # PostgreSQL: the vacuum and index rebuild a load that doubled the database ends with (in ingest_seconds)
        "rebuild_seconds": ingest.get("rebuild_seconds"),
        **{k: v for k, v in ingest.items() if k.startswith("peak_") and k != "peak_rss_mb"},
    }
    if bulk:
        out.update(bulk_figures(loaded, mb, ingest["seconds"]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="ParlParse tree to ingest (default: sample)")
    ap.add_argument("--db", help="database URL to ingest into (default: a temporary SQLite file); must be empty")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--no-bulk", action="store_true", help="skip the bare bulk-load baseline")
    ap.add_argument("--timeline", type=Path, help="write the ingest's memory every 0.1 s here (JSON: seconds, "
                    "heap MB, file-backed MB of the ingest process; the sum of its tree's RSS MB)")
    ap.add_argument("--bulk-load", nargs=2, metavar=("INGESTED", "TARGET"), type=Path,
                    help="(internal) the bare bulk load of the SQLite file INGESTED into a new TARGET; one JSON line")
    args = ap.parse_args()
    if args.bulk_load:
        print(json.dumps(bulk_load(*args.bulk_load)))
        return
    timeline: list | None = [] if args.timeline else None
    result = measure(args.source, args.db, bulk=not args.no_bulk, timeline=timeline)
    if args.timeline:
        args.timeline.write_text(json.dumps(timeline))
    if args.json:
        print(json.dumps(result))
        return
    print(f"ingest  {result['mb']:.1f} MB in {result['ingest_seconds']:.2f}s: {result['mb_s']:.2f} MB/s, "
          f"{result['records_s']:,} records/s, peak RSS {result['peak_rss_mb']} MB")
    if "peak_tree_rss_mb" in result:
        print(f"its process tree ({result['processes']} processes at most): peak of the sum of RSS "
              f"{result['peak_tree_rss_mb']} MB, of PSS {result['peak_tree_pss_mb']} MB; largest process "
              f"{result['peak_one_rss_mb']} MB (heap {result['peak_one_anon_mb']}, file-backed {result['peak_one_file_mb']})")
    print(f"raw lxml parse of the same {result['files']} files: {result['raw_mb_s']:.2f} MB/s")
    print(f"ratio ingest / raw parse: {result['ratio']:.3f}")
    if "bulk_seconds" in result:
        print(f"bare bulk load of the same rows and indexes (one transaction): {result['bulk_seconds']:.2f}s, "
              f"{result['bulk_mb_s']:.2f} MB/s; ratio ingest / bulk load: {result['bulk_ratio']:.3f}  (target ≥ 0.8)")


if __name__ == "__main__":
    main()
