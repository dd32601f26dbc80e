#!/usr/bin/env python3
"""bench/workload_duckdb.py: the DuckDB side of the caseql benchmark (issue 6).

Usage: python3 bench/workload_duckdb.py CASES_CSV
Loads the cases CSV into an in-memory table (all columns VARCHAR, as sqlite3's .import does),
then answers the six questions, printing CSV without headers (one line per row).
With BENCH_TIMER=1 each question's time (execute + fetch) goes to stderr as `time: X ms`.
As-of date 2020-09-17. Overdue: status not in ('replied','closed') and deadline < '2020-09-17'.
"""
import csv
import os
import sys
import time

import duckdb

OVERDUE = "status NOT IN ('replied','closed') AND deadline < '2020-09-17'"

QUERIES = [
    # 1. overdue proposals of 教育局
    f"SELECT count(*) FROM cases WHERE kind = 'proposal' AND unit = '教育局' AND {OVERDUE}",
    # 2. the 5 units with the most key-supervised cases
    "SELECT unit, count(*) AS n FROM cases WHERE key_supervised = 'true' "
    "GROUP BY unit ORDER BY n DESC, unit LIMIT 5",
    # 3. the 5 units with the lowest completion rate (closed / all)
    "SELECT unit, printf('%.4f', count(*) FILTER (WHERE status = 'closed') / count(*)::DOUBLE) "
    "FROM cases GROUP BY unit "
    "ORDER BY count(*) FILTER (WHERE status = 'closed') / count(*)::DOUBLE, unit LIMIT 5",
    # 4. titles containing 午餐
    "SELECT count(*) FROM cases WHERE contains(title, '午餐')",
    # 5. the overall satisfaction rate ((satisfied + basic) / answered); empty cells read as NULL
    "SELECT printf('%.4f', count(*) FILTER (WHERE satisfaction IN ('satisfied','basic')) "
    "/ count(*) FILTER (WHERE coalesce(satisfaction, '') <> '')::DOUBLE) FROM cases",
    # 6. the 10 units with the most overdue cases
    f"SELECT unit, count(*) AS n FROM cases WHERE {OVERDUE} "
    "GROUP BY unit ORDER BY n DESC, unit LIMIT 10",
]


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: workload_duckdb.py CASES_CSV", file=sys.stderr)
        return 2
    con = duckdb.connect(":memory:")
    con.execute(
        "CREATE TABLE cases AS SELECT * FROM read_csv(?, header = true, all_varchar = true)",
        [sys.argv[1]],
    )
    out = csv.writer(sys.stdout, lineterminator="\n")
    timer = os.environ.get("BENCH_TIMER") == "1"
    for q in QUERIES:
        started = time.perf_counter()
        rows = con.execute(q).fetchall()
        if timer:
            print(f"time: {(time.perf_counter() - started) * 1000:.2f} ms", file=sys.stderr)
        for row in rows:
            out.writerow(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
