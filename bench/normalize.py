#!/usr/bin/env python3
"""bench/normalize.py: read a tool's CSV answers to the six questions on stdin, print them
normalised on stdout, one line per answer row, prefixed with the question number ("Q3 园林局,0.5000").

Quoting is dropped (fields joined with ','), blank lines, `time: … ms` timer lines and the
`as of 2020-09-17` line that caseql's `.asof` writes to stdout (even in a script) are skipped. The answers are laid out as 1, 5, 5, 1, 1 and 10 rows (questions 1-6); the rates
(question 3's second column and question 5) are rounded to 4 decimals, so "1", "1.0" and
"1.0000" agree. If the row count is not 23 the rows are numbered "Q?" and every number with a
fractional part is rounded instead. Rows whose number ties are put in code point order of the
name (ties_by_code_point).
"""
import csv
import sys

LAYOUT = [1, 5, 5, 1, 1, 10]
RATE_CELLS = {(3, 1), (5, 0)}  # (question, column)


def rate(f: str) -> str:
    f = f.strip()
    try:
        if f.endswith("%"):
            return f"{float(f[:-1]) / 100:.4f}"
        return f"{float(f):.4f}"
    except ValueError:
        return f


def looks_fractional(f: str) -> bool:
    try:
        float(f)
    except ValueError:
        return False
    return "." in f or "e" in f.lower()


rows = [
    [c.strip() for c in row]
    for row in csv.reader(sys.stdin)
    if row and any(c.strip() for c in row) and not row[0].startswith(("time: ", "as of "))
]
def ties_by_code_point(rows):
    """Rows of (name, number) ordered by the number: runs of an equal number sorted by name's
    code points. The tools agree on the order of the numbers, not on names: caseql orders text
    by pinyin (zh collation), sqlite3 and DuckDB by code point."""
    out, i = [], 0
    while i < len(rows):
        j = i
        while j < len(rows) and len(rows[j]) > 1 and len(rows[i]) > 1 and rows[j][1] == rows[i][1]:
            j += 1
        j = max(j, i + 1)
        out += sorted(rows[i:j])
        i = j
    return out


if len(rows) == sum(LAYOUT):
    i = 0
    for q, n in enumerate(LAYOUT, start=1):
        part = [[rate(c) if (q, k) in RATE_CELLS else c for k, c in enumerate(row)] for row in rows[i:i + n]]
        for cells in ties_by_code_point(part):
            print(f"Q{q} " + ",".join(cells))
        i += n
else:
    for row in rows:
        print("Q? " + ",".join(rate(c) if looks_fractional(c) else c for c in row))
