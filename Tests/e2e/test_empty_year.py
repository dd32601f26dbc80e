#!/usr/bin/env python3
"""End-to-end: a year that a list does not give is empty, never 0.

A case without 年度 takes the year of its 交办日期; without either, its year is empty: shown
empty, null in JSON, `is empty`, left out of comparisons and aggregates and grouped under an
empty key, as SQL's NULL is, but for `!=`, which (as for every field) counts an empty value as
a value of its own. The answers are compared with sqlite3 on the same rows.

    python3 Tests/e2e/test_empty_year.py
"""

import csv
import io
import os
import sqlite3
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()
ROWS = [("A-1", "关于甲的建议", "", ""), ("A-2", "关于乙的建议", "2020", ""), ("A-3", "关于丙的建议", "", "2019-05-01"),
        ("A-4", "关于丁的建议", "2021", "2021-02-01")]
PATH = os.path.join(TMP, "years.csv")
with open(PATH, "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["编号", "案由", "年度", "交办日期"])
    w.writerows(ROWS)

DB = sqlite3.connect(":memory:")
DB.execute("create table cases(id, year)")
# The year each case has: its own, else its assignment's, else none.
DB.executemany("insert into cases values (?, ?)",
               [(i, int(y) if y else (int(a[:4]) if a else None)) for i, _, y, a in ROWS])


def answer(query, *mode):
    p = run(["--no-cache", PATH, "--kind", "suggestion"] + list(mode or ["--csv"]) + ["-c", query])
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    return p.stdout


def rows(query):
    return [r for r in csv.reader(io.StringIO(answer(query)))][1:]


def sql(query):
    return [["" if v is None else str(v) for v in r] for r in DB.execute(query)]


def test_shown_empty():
    R.eq(rows("select id, year from cases order by id"), [["A-1", ""], ["A-2", "2020"], ["A-3", "2019"], ["A-4", "2021"]],
         "no 年度 and no 交办日期: the year is empty; no 年度: the year of 交办日期")
    R.check('"year":null' in answer("select id, year from cases where id = \"A-1\"", "--json").replace(" ", ""),
            "JSON gives null for the empty year")


def test_like_sql_null():
    for q, s in [("count cases where year < 2021", "select count(*) from cases where year < 2021"),
                 ("count cases where year is empty", "select count(*) from cases where year is null"),
                 ("count cases where year is not empty", "select count(*) from cases where year is not null"),
                 # != treats empty as a value of its own (README, Conditions), as `deadline != …` does.
                 ("count cases where year != 2020", "select count(*) from cases where year is null or year != 2020"),
                 ("select sum(year), min(year), max(year) from cases", "select sum(year), min(year), max(year) from cases")]:
        R.eq(rows(q), sql(s), "%s (as sqlite3's NULL)" % q)
    R.eq(sorted(rows("select year, count from cases group by year")),
         sorted(sql("select year, count(*) from cases group by year")), "group by year: the empty year is its own group")


R.case(test_shown_empty)
R.case(test_like_sql_null)
R.finish()
