"""bench/run.py finishes on a small corpus and prints every figure's keys. No timing is asserted:
benchmarks are not tests (docs/benchmarks.md holds the figures)."""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "bench" / "run.py"
SVG = ROOT / "bench" / "plot.py"
PROJECT = ROOT / "bench" / "project.py"

REQUIRED = {
    "ingest": {"mb_s", "raw_mb_s", "ratio", "peak_rss_mb"},
    "storage": {"kb_per_contribution", "database_mb", "search_index_mb"},
    "search": {"p50_ms", "p95_ms", "raw_p95_ms", "ratio"},
    "pages": {"p50_ms", "p95_ms"},
    "http": {"rps", "p95_ms"},
    "one_day": {"large_seconds", "empty_seconds", "ratio", "cpu_ratio"},
}


def _run(workdir: Path) -> tuple[dict, str]:
    out = subprocess.run([sys.executable, str(RUN), "--speeches", "2000", "--json", "--workdir", str(workdir),
                          "--rounds", "2", "--http-seconds", "1"],
                         capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    lines = [ln for ln in out.stdout.splitlines() if ln.strip()]
    assert len(lines) == 1, f"--json prints exactly one line, got: {out.stdout[-2000:]}"
    return json.loads(lines[0]), out.stderr


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("bench")
    first = _run(workdir)
    second = _run(workdir)          # reuses the corpus and the database
    return first, second


def test_prints_every_figure(runs):
    (result, stderr), _ = runs
    assert result["speeches"] == 2000
    for section, keys in REQUIRED.items():
        figures = result[section]
        assert "error" not in figures, f"{section}: {figures['error']}\n{stderr[-3000:]}"
        assert keys <= set(figures), f"{section} lacks {keys - set(figures)}"
        for key in keys:
            assert isinstance(figures[key], (int, float)) and figures[key] >= 0, (section, key, figures[key])
    assert result["ingest"]["errors"] == 0
    assert result["http"]["errors"] == 0
    http = result["http"]
    # the pages and the bare route loaded in alternated rounds: the ratio is the rounds' median
    assert len(http["ratio_rounds"]) == http["rounds"] >= 2
    assert http["ratio"] == round(statistics.median(http["ratio_rounds"]), 3)
    if http.get("cpu_ms_per_request") is not None:           # where /proc says (Linux)
        assert http["cpu_ms_per_request"] > 0 and http["baseline_cpu_ms_per_request"] > 0
        assert http["cpu_ratio"] == round(http["baseline_cpu_ms_per_request"] / http["cpu_ms_per_request"], 3)
        # each round says how evenly the server's workers shared it (None: one worker)
        assert len(http["balance_rounds"]) == len(http["baseline_balance_rounds"]) == http["rounds"]
        for balance in http["balance_rounds"] + http["baseline_balance_rounds"]:
            assert balance is None if http["workers"] < 2 else 0 <= balance <= 1
    # the search page beside the four pages: every form of it measured (each answered 200)
    search_page = result["pages"]["search_page"]
    assert len(search_page["by_page"]) == 7 and search_page["p95_ms"] > 0
    assert all(q["path"].startswith("/search?q=") and q["cpu_ms"] > 0 for q in search_page["by_page"].values())
    assert "who_said" in result          # figures, or a note saying why it was skipped
    assert "p50_ms" in result["quote_check"], result["quote_check"]
    assert {t["figure"] for t in result["targets"]} >= {"ingest.ratio", "search.p95_ms", "pages.p95_ms", "http.rps"}


def test_second_run_reuses_corpus_and_database(runs):
    (first, _), (second, _) = runs
    assert not first["ingest"]["reused"]
    assert second["ingest"]["reused"]
    assert any(n.startswith("database reused") for n in second["notes"])
    assert second["ingest"]["mb_s"] == first["ingest"]["mb_s"]       # the recorded ingest, not a new one


def test_plot_draws_an_svg(runs, tmp_path):
    (first, _), (second, _) = runs
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(first))
    b.write_text(json.dumps(dict(second, speeches=20000)))
    out = tmp_path / "scaling.svg"
    subprocess.run([sys.executable, str(SVG), str(a), str(b), "--out", str(out)], check=True, timeout=60)
    svg = out.read_text()
    assert svg.startswith("<svg") and "Search latency" in svg and "Page render latency" in svg


def test_project_extends_the_two_largest_runs(runs, tmp_path):
    """bench/project.py fits cost = a·N^b through the two largest runs: a run ten times larger whose
    database is ten times larger gives exponent 1 and a projection ten times larger again."""
    (first, _), _ = runs
    bigger = json.loads(json.dumps(first))
    bigger["storage"]["contributions"] = first["storage"]["contributions"] * 10
    bigger["storage"]["database_mb"] = first["storage"]["database_mb"] * 10
    bigger["storage"]["search_index_mb"] = first["storage"]["search_index_mb"] * 10
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(first))
    b.write_text(json.dumps(bigger))
    n = first["storage"]["contributions"] * 100
    out = subprocess.run([sys.executable, str(PROJECT), str(a), str(b), "--to", str(n), "--json"],
                         check=True, timeout=60, capture_output=True, text=True)
    costs = {c["figure"]: c for c in json.loads(out.stdout)["costs"]}
    disk = costs["database + search index"]
    assert disk["exponent"] == 1.0
    measured = (first["storage"]["database_mb"] + first["storage"]["search_index_mb"]) / 1000
    assert abs(disk["projected"] - measured * 100) < 1e-6 * measured * 100
    table = subprocess.run([sys.executable, str(PROJECT), str(a), str(b)], check=True, timeout=60,
                           capture_output=True, text=True).stdout
    assert table.startswith("| cost |") and "projected at 12M" in table


def test_worker_balance_says_how_evenly_the_workers_shared_a_load():
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "src")]
    try:
        from pages import worker_balance
    finally:
        del sys.path[:2]
    # uvicorn's supervisor (pid 1 here) uses little; the two workers shared the load evenly, unevenly, or not at all
    assert worker_balance({1: 0.01, 2: 2.5, 3: 2.5}, 2) == 1.0
    assert worker_balance({1: 0.01, 2: 2.0, 3: 1.0}, 2) == 0.5
    assert worker_balance({1: 0.01, 2: 2.9, 3: 0.0}, 2) == 0.0
    assert worker_balance({1: 0.0, 2: 2.9}, 1) is None          # one worker: nothing to share
    assert worker_balance({1: 0.0, 2: 0.0, 3: 0.0}, 2) is None  # no CPU used
