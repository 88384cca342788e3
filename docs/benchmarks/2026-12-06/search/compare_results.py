"""Compare two dumps of dump_results.py: every page identical, exact totals identical; estimated
totals listed with their difference from the exact count of the same query.

    python compare_results.py before.json after.json
"""
from __future__ import annotations

import json
import sys


def main() -> None:
    before, after = (json.load(open(p)) for p in sys.argv[1:3])
    assert before.keys() == after.keys(), "different searches"
    pages = sum(before[k].get("hits") == after[k].get("hits") for k in before)
    print(f"{pages} of {len(before)} pages identical")
    worst = 0.0
    for name in sorted(before):
        b, a = before[name], after[name]
        if b.get("hits") != a.get("hits"):
            print("PAGE DIFFERS:", name)
        if name.endswith("exact"):
            if (b.get("total"), b.get("debates")) != (a.get("total"), a.get("debates")):
                print("EXACT TOTAL DIFFERS:", name, b.get("total"), a.get("total"))
            continue
        exact = after.get(name[: -len("about")] + "exact", {})
        for key, flag in (("total", "total_is_estimate"), ("debates", "debates_is_estimate")):
            if a.get(flag) and exact.get(key):
                off = 100 * (a[key] - exact[key]) / exact[key]
                worst = max(worst, abs(off))
                was = f"before {b[key]:,} ({'about' if b.get(flag) else 'exact'})"
                print(f"  {name:<45} {key:<8} about {a[key]:>9,} exact {exact[key]:>9,} {off:+6.2f} %  {was}")
    print(f"largest difference of an estimate from the exact count: {worst:.2f} %")


if __name__ == "__main__":
    main()
