#!/usr/bin/env python3
"""End-to-end: a column snapshot truncated or replaced while caseql has it mapped. Truncating the
file under a mapping takes its pages past the new end away, and the next read of one raised
SIGBUS (exit 135). Now the real binary runs a script that answers its first statement from the
snapshot, then pauses (a result larger than a pipe's buffer printed, with `.once`, to a FIFO the
test reads only when it is ready: caseql waits in write(2)) while the test truncates the snapshot (in the middle,
to nothing, in the middle of a page) or renames another file over it, then runs the rest. Every
answer must equal a --no-cache run's and the run exit 0; a truncation is named on standard
error in one line (the snapshot's path, "truncated while in use"), the files are loaded again and
the next start reads a snapshot written anew; a file renamed over it changes nothing for the
running process (its mapping keeps the old file). The same between a statement's answer and its
printing (`.once` to a FIFO read only after the truncation); a result too large to be
made before printing reads the truncated file as it prints (SIGBUS, caught): the run fails with
exit 1 and says so. The data: 70,000 realistic cases (more than
65,536 rows), rows shuffled, cases.csv only. Stdlib only.

    python3 Tests/e2e/test_snapshot_truncated.py
"""

import os
import random
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, binary, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()
CACHE = os.path.join(TMP, "xdg")
ENV = {"XDG_CACHE_HOME": CACHE}
CASES = os.path.join(TMP, "cases.csv")
FIFO = os.path.join(TMP, "pause")
FIRST = """.mode csv
count cases where unit = "教育局";
"""
# Each reads sections the first did not: the titles' pool, ids and cosigners kept as bytes,
# a list's row starts, a bool column.
REST = """select satisfaction, count from cases group by satisfaction order by satisfaction;
select id, proposer, cosigners, title from cases where title contains "学校" order by id limit 5;
select unit, count from cases where key_supervised group by unit order by count desc, unit limit 3;
select title from cases order by id desc limit 3;
"""
# The pause: 70,000 ids, far more than a pipe holds (64 KiB), so caseql waits in write(2)
# until the test reads the FIFO. (A FIFO nobody reads is refused at once, so the test opens its
# reading end first.)
PAUSE = "select id from cases;"
SCRIPT = os.path.join(TMP, "weekly.cql")
PLAIN = os.path.join(TMP, "plain.cql")
PLAIN_CACHE = os.path.join(TMP, "plain-cache.cql")   # the same, then what the load did


def snapshot():
    d = os.path.join(CACHE, "caseql")
    names = [f for f in os.listdir(d) if f.endswith(".snapshot")] if os.path.isdir(d) else []
    return os.path.join(d, names[0]) if len(names) == 1 else None


def make_data():
    ds = os.path.join(TMP, "gen")
    p = run(["generate", "--cases", "70000", "--seed", "17", "--profile", "realistic", "--out", ds], timeout=300)
    R.check(p.returncode == 0, "generate 70,000 realistic cases", p.stderr)
    lines = open(os.path.join(ds, "cases.csv"), encoding="utf-8").read().split("\n")
    header, rows = lines[0], [l for l in lines[1:] if l]
    random.Random(8).shuffle(rows)
    open(CASES, "w", encoding="utf-8").write(header + "\n" + "\n".join(rows) + "\n")
    open(SCRIPT, "w", encoding="utf-8").write(FIRST + ".once " + FIFO + "\n" + PAUSE + "\n" + REST)
    open(PLAIN, "w", encoding="utf-8").write(FIRST + REST)
    open(PLAIN_CACHE, "w", encoding="utf-8").write(FIRST + REST + ".cache\n")
    os.mkfifo(FIFO)


def paused_run(damage):
    """Runs SCRIPT; once its first answer is out (and it waits on the FIFO), damage(path of the
    snapshot), then lets it go on. Returns (stdout, stderr, exit status)."""
    e = dict(os.environ)
    e.pop("CASEQL_HISTORY", None)
    e.update(ENV)
    reader = os.open(FIFO, os.O_RDONLY | os.O_NONBLOCK)
    p = subprocess.Popen([binary(), CASES, "-f", SCRIPT], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=e)
    first = p.stdout.readline() + p.stdout.readline()   # csv: the header, then the count
    wait_in_write(p.pid)
    damage(snapshot())
    paused = drain(reader)                              # the paused script goes on
    out, err = p.communicate(timeout=300)
    R.check(paused.count("\n") == 70001, "the pause printed its 70,000 ids", paused[-200:])
    return first + out, err, p.returncode


def wait_in_write(pid):
    """Waits (up to 30 s) until the process's main thread waits in write(2): a FIFO's buffer full."""
    for _ in range(3000):
        try:
            if open("/proc/%d/syscall" % pid).read().split(" ")[0] == "1":
                return
        except OSError:
            return
        time.sleep(0.01)


def drain(fd):
    """Everything written to a FIFO's reading end until its writer closes it."""
    os.set_blocking(fd, True)
    chunks = []
    while True:
        b = os.read(fd, 1 << 16)
        if not b:
            break
        chunks.append(b)
    os.close(fd)
    return b"".join(chunks).decode("utf-8", errors="replace")


def truncate_to(fraction=None, size=None):
    def damage(path):
        os.truncate(path, size if size is not None else int(os.path.getsize(path) * fraction))
    return damage


def test_truncated_while_mapped():
    make_data()
    want = run([CASES, "--no-cache", "-f", PLAIN], timeout=300)
    R.check(want.returncode == 0 and want.stdout.count("\n") > 14, "the script answers from the files", want.stdout + want.stderr)
    first = run([CASES, "-c", "count cases"], env=ENV, timeout=300)
    R.check(first.returncode == 0 and snapshot() is not None, "the first start writes a snapshot", first.stderr)
    for what, damage in [
        ("truncated to half", truncate_to(0.5)),
        ("truncated to nothing", truncate_to(size=0)),
        ("truncated to a tenth plus 1000 bytes (mid-page)", lambda p: os.truncate(p, (os.path.getsize(p) // 10) & ~4095 | 1000)),
        ("truncated by one byte", lambda p: os.truncate(p, os.path.getsize(p) - 1)),
    ]:
        run([CASES, "-c", "count cases"], env=ENV, timeout=300)   # a whole snapshot again
        path = snapshot()
        out, err, code = paused_run(damage)
        R.check(code == 0 and out == want.stdout,
                "%s between two statements: exit 0 (not SIGBUS), the answers equal --no-cache's" % what,
                "exit %d\nstdout:\n%s\nstderr:\n%s" % (code, out, err))
        R.check(err.count("\n") == 1 and path in err and "truncated while in use" in err and "loading the files again" in err,
                "%s: one line on standard error names the snapshot" % what, err)
        again = run([CASES, "-f", PLAIN_CACHE], env=ENV, timeout=300)
        R.check(again.stdout.startswith(want.stdout) and "read from the snapshot" in again.stdout and again.stderr == "",
                "%s: the next start reads a snapshot written anew" % what, again.stdout[-300:] + again.stderr)


def printed_to_fifo(statement, damage):
    """Runs FIRST, then `.once FIFO2` and `statement` (its answer larger than a pipe's buffer):
    once the statement is answered and caseql waits in write(2) to print it, damage(snapshot),
    then read what it prints there.
    Returns (what the FIFO got, stdout, stderr, exit status)."""
    fifo = os.path.join(TMP, "answer")
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    script = os.path.join(TMP, "once.cql")
    open(script, "w", encoding="utf-8").write(FIRST + ".once " + fifo + "\n" + statement + "\n" + REST)
    e = dict(os.environ)
    e.pop("CASEQL_HISTORY", None)
    e.update(ENV)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    p = subprocess.Popen([binary(), CASES, "-f", script], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=e)
    first = p.stdout.readline() + p.stdout.readline()
    wait_in_write(p.pid)
    damage(snapshot())
    got = drain(reader)
    out, err = p.communicate(timeout=300)
    return got, first + out, err, p.returncode


def test_truncated_between_answer_and_print():
    # A result of up to 200,000 cells is made before the check that follows the statement:
    # printed after the file is truncated, it is still whole (2,000 rows: more than a pipe holds).
    statement = "select id, proposer, title from cases order by id desc limit 2000;"
    want = run([CASES, "--no-cache", "--csv", "-c", statement], timeout=300).stdout
    rest = run([CASES, "--no-cache", "-f", PLAIN], timeout=300).stdout
    run([CASES, "-c", "count cases"], env=ENV, timeout=300)
    path = snapshot()
    got, out, err, code = printed_to_fifo(statement, truncate_to(size=0))
    R.check(code == 0 and got == want and out == rest,
            "truncated after the answer, before it is printed: printed whole, later answers from the files, exit 0",
            "exit %d\nfifo:\n%s\nstdout:\n%s\nstderr:\n%s" % (code, got[:600], out, err))
    R.check(err.count("\n") == 1 and path in err and "truncated while in use" in err, "one line on standard error names it", err)


def test_large_answer_printed_while_truncated():
    # A result too large to settle first (70,000 rows x 3 cells) reads the titles' pool as it is
    # printed: the file truncated then, its pages read as zeros (SIGBUS caught), and the run
    # says the answer may hold empty cells and fails (exit 1) instead of ending with SIGBUS.
    statement = "select id, proposer, title from cases order by id;"
    run([CASES, "-c", "count cases"], env=ENV, timeout=300)
    path = snapshot()
    got, out, err, code = printed_to_fifo(statement, truncate_to(size=0))
    R.check(code == 1 and got.count("\n") > 70000,
            "truncated while a 70,000-row answer is printed: exit 1, not SIGBUS (135)", "exit %d\nstderr:\n%s" % (code, err))
    R.check(path in err and "truncated while in use" in err and "printed while the snapshot was truncated" in err,
            "standard error says the printed answer may hold empty cells", err)
    nxt = run([CASES, "-c", ".cache"], env=ENV, timeout=300)
    R.check("saved the snapshot" not in nxt.stdout and "read from the snapshot" in nxt.stdout,
            "the snapshot was written anew by the run", nxt.stdout + nxt.stderr)


def test_replaced_while_mapped():
    want = run([CASES, "--no-cache", "-f", PLAIN], timeout=300).stdout
    run([CASES, "-c", "count cases"], env=ENV, timeout=300)
    path = snapshot()
    good = open(path, "rb").read()

    def replace(p):
        # Another file renamed over it: its first half (damaged), as a writer would leave it.
        other = p + ".other"
        open(other, "wb").write(good[:len(good) // 2])
        os.rename(other, p)

    out, err, code = paused_run(replace)
    R.check(code == 0 and out == want and err == "",
            "a file renamed over the snapshot while mapped: the run goes on from the old one, silently",
            "exit %d\nstdout:\n%s\nstderr:\n%s" % (code, out, err))
    nxt = run([CASES, "-f", PLAIN_CACHE], env=ENV, timeout=300)
    R.check(nxt.returncode == 0 and nxt.stdout.startswith(want) and "truncated" in nxt.stdout and "saved the snapshot" in nxt.stdout,
            "the next start finds the half file, loads the files and writes the snapshot again", nxt.stdout[-300:] + nxt.stderr)
    R.check(open(snapshot(), "rb").read() == good, "rebuilt as it was")


def main():
    binary()
    for t in [test_truncated_while_mapped, test_truncated_between_answer_and_print,
              test_large_answer_printed_while_truncated, test_replaced_while_mapped]:
        R.case(t)
    shutil.rmtree(TMP, ignore_errors=True)
    R.finish()


if __name__ == "__main__":
    main()
