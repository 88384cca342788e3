"""One new sitting day into a large database against the same day into an empty one, in the same run.

    python bench/one_day.py --db-url sqlite:////tmp/bench/despatchbox.db [--repeat N] [--json]

Issue 18: "an `update` of one new day into the 3M database takes as long as into an empty one".
What `despatchbox update` does after fetching is an ingest of the files that changed, so this times
exactly that ingest (``pipeline.run.ingest``, search index catch-up included, the who-said index's
due merges deferred as the update defers them; ``--eager-merges``: made as it goes, as a plain
``despatchbox ingest`` does), in a child process,
of one real sitting day of the sample (every kind of record dated 26 October 2009: the synthetic
corpus ends on 23 October 2009, so the day is new to a bench database):

- **into the large database**: a copy of it (SQLite's own backup API; the search index beside it is
  copied with hard links for its immutable segment files), so the bench database is left as it was.
  The copy is flushed to disk before anything is timed: otherwise the first commit's ``fsync`` of
  the copy would write out the gigabytes the copy left dirty in the page cache, a cost of making
  the copy that no installation's update pays (at 3M it was most of the difference by wall-clock);
- **into an empty one**: a fresh database holding the same members data (loaded first, not timed).

Both are timed as wall-clock and CPU seconds of the child; the figure that matters is their ratio.
Then the compaction that the day leaves due in the large copy, if any (``despatchbox db compact``'s
work, done by ``despatchbox serve`` in the background), is timed too: ``compact_seconds``, and the
merges it made.
SQLite only: a PostgreSQL database cannot be copied cheaply, and the section says so.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest import run_ingest  # noqa: E402     bench/ingest.py: one ingest in a child process

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample" / "parlparse-2009-10"
DAY = "2009-10-26"
#: index files at least this large are segments, written once: shared by hard link, not copied
LINK_FROM_BYTES = 1 << 20


def day_files(source: Path = SAMPLE, day: str = DAY) -> list[Path]:
    """Every transcript file of one sitting day, all kinds and versions (the ingest picks the latest)."""
    files = sorted(p for p in (source / "scrapedxml").rglob(f"*{day}*.xml") if p.is_file())
    if not files:
        raise SystemExit(f"no transcript of {day} under {source}")
    return files


def copy_database(src: Path, dst: Path) -> None:
    """A consistent copy of a SQLite database and of the search index beside it (``<db>.search/``)."""
    with sqlite3.connect(f"file:{src}?mode=ro", uri=True) as source, sqlite3.connect(dst) as target:
        source.backup(target, pages=1 << 16)
    index = Path(f"{src}.search")
    if index.is_dir():
        def link_or_copy(a: str, b: str) -> None:
            if os.path.getsize(a) >= LINK_FROM_BYTES:
                os.link(a, b)
            else:
                shutil.copy2(a, b)
        shutil.copytree(index, Path(f"{dst}.search"), copy_function=link_or_copy)
    _flush(dst)


def _flush(db: Path) -> None:
    """Write the copy (and what was copied of its index) to disk, and wait until it is there."""
    paths = [db, *(p for p in Path(f"{db}.search").rglob("*") if p.is_file())]
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


_COMPACT = """
import json, sys, time
from despatchbox.store.database import engine_for
from despatchbox.pipeline.compaction import compact
engine = engine_for(sys.argv[1])
done = compact(engine)
print(json.dumps({"merges": done.merges, "seconds": done.seconds}))
"""


def run_compaction(url: str) -> dict:
    """``despatchbox db compact``'s work on ``url`` in a child process: merges made, wall and CPU seconds."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-c", _COMPACT, url], capture_output=True, text=True, env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


def measure(url: str, workdir: Path | None = None, repeat: int = 1, eager_merges: bool = False) -> dict:
    """The day into a copy of the database at ``url`` and into an empty one. With ``repeat`` > 1, that
    many pairs, each into a fresh copy and a fresh empty database, the pair's order alternated; the
    figures are the pairs' medians (``runs`` lists each pair)."""
    if not url.startswith("sqlite:///"):
        return {"skipped": "SQLite only: a PostgreSQL database cannot be copied cheaply to ingest a day into"}
    big = Path(url[len("sqlite:///"):])
    files = day_files()
    members = sorted((SAMPLE / "members").glob("*.xml"))
    runs = []
    for i in range(max(1, repeat)):
        with tempfile.TemporaryDirectory(dir=workdir) as tmp:
            empty_db, copy_db = Path(tmp) / "empty.db", Path(tmp) / "copy.db"
            t0 = time.perf_counter()
            copy_database(big, copy_db)
            copy_seconds = time.perf_counter() - t0
            run_ingest(members, f"sqlite:///{empty_db}")               # not timed: the members data first
            defer = not eager_merges
            if i % 2 == 0:
                into_empty = run_ingest(files, f"sqlite:///{empty_db}", defer_merges=defer)
                into_big = run_ingest(files, f"sqlite:///{copy_db}", defer_merges=defer)
            else:
                into_big = run_ingest(files, f"sqlite:///{copy_db}", defer_merges=defer)
                into_empty = run_ingest(files, f"sqlite:///{empty_db}", defer_merges=defer)
            compaction = run_compaction(f"sqlite:///{copy_db}")
        for run in (into_empty, into_big):
            if run["errors"] or not run["files"]:
                raise SystemExit(f"the day did not load: {run}")
        runs.append({
            "records": into_big["records"],
            "large_seconds": round(into_big["seconds"], 2), "empty_seconds": round(into_empty["seconds"], 2),
            "large_cpu_s": round(into_big["cpu_s"], 2), "empty_cpu_s": round(into_empty["cpu_s"], 2),
            "ratio": round(into_big["seconds"] / into_empty["seconds"], 2),
            "cpu_ratio": round(into_big["cpu_s"] / into_empty["cpu_s"], 2),
            "copy_seconds": round(copy_seconds, 1),
            "compact_merges": compaction["merges"], "compact_seconds": round(compaction["seconds"], 2),
            "compact_cpu_s": round(compaction["cpu_s"], 2),
        })
    result = {"day": DAY, "files": len(files), "records": runs[0]["records"],
              "merges": "made as it goes" if eager_merges else "deferred (as despatchbox update)",
              **{key: round(statistics.median(r[key] for r in runs), 2) for key in runs[0] if key not in ("records", "compact_merges")},
              "compact_merges": max(r["compact_merges"] for r in runs)}
    if len(runs) > 1:
        result["runs"] = runs
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db-url", required=True, help="the large database (sqlite:///…): copied, never changed")
    ap.add_argument("--workdir", type=Path, help="where the copy goes (default: the system's temporary folder; "
                                                 "it needs room for the whole database)")
    ap.add_argument("--repeat", type=int, default=1, help="pairs of runs, each into a fresh copy (the "
                                                          "figures are their medians; default 1)")
    ap.add_argument("--eager-merges", action="store_true", help="merge the who-said index's levels as the "
                    "ingest goes (a plain `despatchbox ingest`), not deferred as `despatchbox update` does")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    result = measure(args.db_url, args.workdir, args.repeat, args.eager_merges)
    if args.json or "skipped" in result:
        print(json.dumps(result))
        return
    pairs = f", medians of {len(result['runs'])} pairs" if "runs" in result else ""
    print(f"one new day ({result['day']}, {result['files']} files, {result['records']:,} records{pairs})")
    print(f"  into the large database: {result['large_seconds']:.2f}s ({result['large_cpu_s']:.2f}s CPU)")
    print(f"  into an empty database:  {result['empty_seconds']:.2f}s ({result['empty_cpu_s']:.2f}s CPU)")
    print(f"  ratio {result['ratio']:.2f} (CPU {result['cpu_ratio']:.2f}); copying the database took "
          f"{result['copy_seconds']:.0f}s; who-said merges {result['merges']}")
    print(f"  then compaction of the large database: {result['compact_merges']} merge(s), "
          f"{result['compact_seconds']:.2f}s ({result['compact_cpu_s']:.2f}s CPU)")


if __name__ == "__main__":
    main()
