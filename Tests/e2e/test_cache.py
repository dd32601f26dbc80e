#!/usr/bin/env python3
"""End-to-end: column snapshots in the cache folder ($XDG_CACHE_HOME/caseql): a second start
reads the snapshot and answers the same, a changed file is parsed again, --no-cache writes
none, .cache shows and clears them, and nothing is written beside the data. Stdlib only.

    python3 Tests/e2e/test_cache.py
"""

import os
import shutil
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, binary, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()
CACHE = os.path.join(TMP, "xdg")
ENV = {"XDG_CACHE_HOME": CACHE}
QUERY = "count cases group by unit order by count desc limit 3"


def snapshots():
    d = os.path.join(CACHE, "caseql")
    return sorted(f for f in os.listdir(d) if f.endswith(".snapshot")) if os.path.isdir(d) else []


def test_reopen():
    ds = os.path.join(TMP, "ds")
    p = run(["generate", "--cases", "3000", "--seed", "5", "--out", ds])
    R.check(p.returncode == 0, "generate", p.stderr)
    before = sorted(os.listdir(ds))
    first = run([ds, "--csv", "-c", QUERY, "-c", ".cache"], env=ENV)
    R.check(first.returncode == 0 and "saved the snapshot" in first.stdout and len(snapshots()) == 1,
            "the first start parses and saves a snapshot in $XDG_CACHE_HOME/caseql", first.stdout + first.stderr)
    again = run([ds, "--csv", "-c", QUERY, "-c", ".cache"], env=ENV)
    R.check(again.returncode == 0 and "read from the snapshot" in again.stdout, "the second start reads it",
            again.stdout + again.stderr)
    answer = lambda p: p.stdout.split("folder:")[0]
    R.check(answer(first) == answer(again), "the same answer", answer(first) + "|" + answer(again))
    R.check(sorted(os.listdir(ds)) == before, "nothing written beside the data", os.listdir(ds))

    # A case moved to another unit: same size, the time put back.
    path = os.path.join(ds, "cases.csv")
    st = os.stat(path)
    data = open(path, encoding="utf-8").read()
    lines = data.split("\n")
    top = answer(first).split("\n")[1].split(",")[0]
    changed = 0
    for i in range(1, len(lines)):
        if ",公安局," in lines[i] and changed < 500:
            lines[i] = lines[i].replace(",公安局,", ",城建局,", 1)   # both three characters
            changed += 1
    open(path, "w", encoding="utf-8").write("\n".join(lines))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    R.check(os.stat(path).st_size == st.st_size and os.stat(path).st_mtime_ns == st.st_mtime_ns, "same size and mtime")
    p = run([ds, "--csv", "-c", QUERY, "-c", ".cache"], env=ENV)
    R.check("was modified" in p.stdout and answer(p) != answer(first), "a changed file is parsed again: "
            + "new answer", p.stdout + p.stderr + " top was " + top)
    sql = run([ds, "--csv", "--no-cache", "-c", QUERY], env=ENV)
    R.check(sql.stdout == answer(p), "--no-cache gives the same answer", sql.stdout + "|" + answer(p))


def test_no_cache_and_clear():
    ds = os.path.join(TMP, "one.csv")
    shutil.copy(os.path.join(TMP, "ds", "cases.csv"), ds)
    n = len(snapshots())
    p = run([ds, "--no-cache", "-c", "count cases", "-c", ".cache"], env=ENV)
    R.check(p.returncode == 0 and "snapshots are off" in p.stdout and len(snapshots()) == n,
            "--no-cache writes no snapshot", p.stdout + p.stderr)
    p = run([ds, "-c", "count cases"], env=ENV)
    R.check(len(snapshots()) == n + 1, "a single cases file has its own snapshot", str(snapshots()))
    p = run([ds, "-c", ".cache clear", "-c", ".cache"], env=ENV)
    R.check(p.returncode == 0 and ("deleted %d snapshots" % (n + 1)) in p.stdout and snapshots() == []
            and "0 snapshots" in p.stdout, ".cache clear deletes them", p.stdout + p.stderr)
    p = run([ds, "-c", ".cache nonsense"], env=ENV)
    R.check(p.returncode == 1 and "usage: .cache" in p.stderr, ".cache with a wrong word: usage", p.stderr)


def main():
    binary()
    for t in [test_reopen, test_no_cache_and_clear]:
        R.case(t)
    shutil.rmtree(TMP, ignore_errors=True)
    R.finish()


if __name__ == "__main__":
    main()
