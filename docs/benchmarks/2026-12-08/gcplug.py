"""A pytest plugin timing web/collector.py's garbage collections (docs/benchmarks.md, 8 December 2026):
PYTHONPATH=docs/benchmarks/2026-12-08:src python -m pytest -p gcplug tests/…"""
import time, gc, atexit, os
stats = {"n": 0, "t": 0.0}
def pytest_configure(config):
    import despatchbox.web.collector as c
    class G:
        def __getattr__(self, k): return getattr(gc, k)
        def collect(self, *a):
            t = time.perf_counter(); r = gc.collect(*a); stats["t"] += time.perf_counter() - t; stats["n"] += 1; return r
    c.gc = G()
def pytest_unconfigure(config):
    print(f"\nGCPLUG collects={stats['n']} seconds={stats['t']:.1f}")
