#!/usr/bin/env python3
"""End-to-end: `having` over the groups and percentages, through the real binary without a
terminal, checked against answers computed here with Python's csv module from the same files
(and again on a copy whose rows are shuffled). Stdlib only.

    python3 Tests/e2e/test_having.py            # everything
    python3 Tests/e2e/test_having.py test_share  # one scenario
"""

import collections
import csv
import io
import json
import os
import random
import shutil
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, binary, dataset, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()
DS = None
SHUFFLED = None


def cases(folder):
    with open(os.path.join(folder, "cases.csv"), encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def csv_rows(stdout):
    return list(csv.reader(io.StringIO(stdout)))


def shuffled_copy(src, dst):
    """The dataset with its case rows in another order (header first, same bytes per row)."""
    shutil.copytree(src, dst)
    with open(os.path.join(src, "cases.csv"), encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    body = rows[1:]
    random.Random(13).shuffle(body)
    with open(os.path.join(dst, "cases.csv"), "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows([rows[0]] + body)
    return dst


def shares(folder, at_least):
    """{unit: (count, share)} of the units holding at least `at_least` of the cases."""
    rows = cases(folder)
    n = collections.Counter(r["unit"] for r in rows)
    return {u: (c, c / len(rows)) for u, c in n.items() if c / len(rows) >= at_least}


def answer(p):
    return {r[0]: (int(r[1]), float(r[2])) for r in csv_rows(p.stdout)[1:]}


def same(got, want):
    return got.keys() == want.keys() and all(got[k][0] == want[k][0] and abs(got[k][1] - want[k][1]) < 1e-6 for k in want)


def test_share():
    q = "select unit, count, share from cases group by unit having share >= 2.5%"
    want = shares(DS, 0.025)
    for folder, what in [(DS, "generated"), (SHUFFLED, "shuffled rows, CRLF")]:
        p = run([folder, "--csv", "-c", q])
        R.check(p.returncode == 0, "%s: having share >= 2.5%% runs" % what, p.stderr)
        got = answer(p)
        R.check(len(want) > 1 and same(got, want), "%s: the units of 2.5%% or more, as Python counts them" % what,
                "want %r\ngot  %r" % (want, got))
    # The percentage is the fraction.
    R.eq(run([DS, "--csv", "-c", q.replace("2.5%", "0.025")]).stdout, run([DS, "--csv", "-c", q]).stdout,
         "2.5% and 0.025 give the same answer")


def test_parameter():
    script = os.path.join(TMP, "weekly.cql")
    with open(script, "w", encoding="utf-8") as f:
        f.write("select unit, count, share from cases group by unit having share >= $p\n")
    p = run([DS, "--csv", "-f", script, "--set", "p=2.5%"])
    R.check(p.returncode == 0 and same(answer(p), shares(DS, 0.025)), "--set p=2.5% is a percentage in having", p.stdout + p.stderr)


def test_rate_and_key():
    rows = cases(DS)
    by_status = collections.Counter(r["status"] for r in rows)
    p = run([DS, "--csv", "-c", "select status, count from cases group by status having status in (replied, closed) and count > 0"])
    got = {r[0]: int(r[1]) for r in csv_rows(p.stdout)[1:]}
    R.check(by_status["replied"] > 0 and got == {s: by_status[s] for s in ("replied", "closed")}, "having on an enum key and a count",
            "got %r" % got)
    p = run([DS, "--csv", "--labels", "-c", "select status, count from cases group by status having status = 已办结"])
    R.check(p.returncode == 0 and csv_rows(p.stdout)[1:] == [["已办结", str(by_status["closed"])]],
            "under --labels, having status = 已办结 (shown in Chinese)", p.stdout + p.stderr)
    late = collections.Counter(r["unit"] for r in rows if r["replied_on"] and r["deadline"] and r["replied_on"] > r["deadline"])
    n = collections.Counter(r["unit"] for r in rows)
    want = {u for u in n if n[u] >= 10 and late[u] / n[u] > 0.05}
    p = run([DS, "--csv", "-c", "select unit from cases group by unit having count >= 10 and rate(late) > 5%"])
    got = {r[0] for r in csv_rows(p.stdout)[1:]}
    R.check(want and got == want, "having count >= 10 and rate(late) > 5%% (%d units)" % len(want), "want %r\ngot  %r" % (want, got))


def test_errors():
    p = run([DS, "-c", "select unit, count from cases group by unit having count > 5%"])
    R.eq(p.returncode, 1, "a percentage against a count: exit 1")
    R.check("`count` is a whole number" in p.stderr and "not a rate" in p.stderr and "^^" in p.stderr,
            "a percentage against a count: said so, with a caret", p.stderr)
    p = run([DS, "-c", "select unit from cases group by unit having satisfacton_rate > 0.5"])
    R.check(p.returncode == 1 and "did you mean `satisfaction_rate`?" in p.stderr, "an unknown aggregate in having: the nearest", p.stderr)
    p = run([DS, "-c", "select unit from cases group by unit having status = closed"])
    R.check(p.returncode == 1 and "neither grouped nor aggregated" in p.stderr, "an ungrouped field in having", p.stderr)


def test_explain_and_json():
    p = run([DS, "-c", "explain select unit, count from cases group by unit having count > 10 and share >= 5%"])
    R.check(p.returncode == 0 and "having, over the groups (unit, count, share)" in p.stdout and "test share >= 5% on each row left" in p.stdout,
            "explain prints having's steps", p.stdout + p.stderr)
    p = run([DS, "--json", "-c", "select unit, share from cases group by unit having share >= 2.5%"])
    got = {o["unit"]: o["share"] for o in json.loads(p.stdout)}
    want = shares(DS, 0.025)
    R.check(got.keys() == want.keys() and all(abs(got[u] - want[u][1]) < 1e-6 for u in want),
            "JSON: shares as fractions", p.stdout[:500] + p.stderr)


def main():
    global DS, SHUFFLED
    binary()
    DS = dataset(TMP, cases=2400, seed=31)
    SHUFFLED = shuffled_copy(DS, os.path.join(TMP, "shuffled"))
    for t in [test_share, test_parameter, test_rate_and_key, test_errors, test_explain_and_json]:
        R.case(t)
    shutil.rmtree(TMP, ignore_errors=True)
    R.finish()


if __name__ == "__main__":
    main()
