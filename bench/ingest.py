"""Ingest throughput beside raw lxml parsing of the same files, measured in the same run.

    python bench/ingest.py [--source DIR] [--db URL] [--json]

Prints MB/s and records/s of a whole `despatchbox ingest` into an empty database,
the MB/s of `lxml.etree.parse` over exactly the same files (the baseline), their
ratio, and the peak RSS of the ingest process. The ingest runs in a child process
so that its peak memory is its own.
"""
from __future__ import annotations

import argparse
import json
import os
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
started = time.perf_counter()
report = ingest(engine, [Path(p) for p in sys.argv[2:]])
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "records": report.records, "bytes": report.bytes,
                  "files": len(report.loaded) + len(report.superseded), "errors": len(report.errors)}))
"""


def source_files(source: Path) -> list[Path]:
    found = discover([source])
    return found.members + found.transcripts


def raw_parse(files: list[Path]) -> dict:
    """The baseline: lxml parsing every file the ingest reads, nothing else."""
    parser = etree.XMLParser(resolve_entities=True, huge_tree=True)
    started = time.perf_counter()
    size = 0
    for path in files:
        data = path.read_bytes()
        if path.name == "peers-ucl.xml":
            data = data.replace(b'version="2.0"', b'version="1.0"', 1)
        etree.fromstring(data, parser)
        size += len(data)
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "bytes": size, "mb_s": size / 1e6 / elapsed}


def run_ingest(sources: list[Path], url: str) -> dict:
    """One ingest of ``sources`` (trees or files) in a child process: its figures, its peak RSS and the
    CPU seconds it used (user + system)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-c", _CHILD, url, *map(str, sources)], check=True, capture_output=True,
                         text=True, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["peak_rss_mb"] = round(max(after.ru_maxrss, before.ru_maxrss) / 1024, 1)
    result["cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


def measure(source: Path, url: str | None = None) -> dict:
    files = source_files(source)
    with tempfile.TemporaryDirectory() as tmp:
        db_url = url or f"sqlite:///{Path(tmp) / 'bench-ingest.db'}"
        raw = raw_parse(files)
        ingest = run_ingest([source], db_url)
    mb = raw["bytes"] / 1e6
    mb_s = mb / ingest["seconds"]
    return {
        "source": str(source), "files": len(files), "mb": round(mb, 2),
        "ingest_seconds": round(ingest["seconds"], 2), "mb_s": round(mb_s, 2),
        "records_s": round(ingest["records"] / ingest["seconds"]), "records": ingest["records"],
        "raw_seconds": round(raw["seconds"], 2), "raw_mb_s": round(raw["mb_s"], 2),
        "ratio": round(mb_s / raw["mb_s"], 3), "peak_rss_mb": ingest["peak_rss_mb"], "errors": ingest["errors"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="ParlParse tree to ingest (default: sample)")
    ap.add_argument("--db", help="database URL to ingest into (default: a temporary SQLite file); must be empty")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    result = measure(args.source, args.db)
    if args.json:
        print(json.dumps(result))
        return
    print(f"ingest  {result['mb']:.1f} MB in {result['ingest_seconds']:.2f}s: {result['mb_s']:.2f} MB/s, "
          f"{result['records_s']:,} records/s, peak RSS {result['peak_rss_mb']} MB")
    print(f"raw lxml parse of the same {result['files']} files: {result['raw_mb_s']:.2f} MB/s")
    print(f"ratio ingest / raw parse: {result['ratio']:.3f}  (target ≥ 0.5)")


if __name__ == "__main__":
    main()
