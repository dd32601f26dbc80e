#!/usr/bin/env python3
"""End-to-end: every path that writes a file goes the same way (issue 12, the tester's writer
faults). A write that fails (a full disk, a file-size limit) leaves the file that was there as
it was and no partial or temporary file, with one wording, for --out, .output, .once, .export,
.report/.check --out; .output FILE puts the file in place when output goes back; a result too
big for a sheet is refused at its own statement under .output x.xlsx; every CSV/TSV writer
carries the formula guard from one setting; /dev/stdout is a stream for every command; --out
x.txt takes a report; a folder where no file can be made says why.

    python3 Tests/e2e/test_file_writes.py
"""

import csv
import io
import os
import resource
import signal
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import shlex  # noqa: E402
import time  # noqa: E402
from e2elib import PROMPT, Pane, Results, binary, dataset, fresh, run, tempdir, tmux_on  # noqa: E402

R = Results()
TMP = tempdir()
DS = dataset(TMP)
SYSPY = "/usr/bin/python3"
OLD = "old contents\n"

# Every way caseql writes a file, as a list of -c commands writing to PATH (a result of every
# case: far more than the limit below). `report`: the file holds a report.
WRITERS = [
    ("--out x.csv", ["--out", "PATH.csv", "-c", "select * from cases"]),
    ("--out x.json", ["--out", "PATH.json", "-c", "select * from cases"]),
    ("--out x.txt (a report)", ["--asof", "2020-09-17", "--out", "PATH.txt", "-c", ".report"]),
    (".output x.csv", ["-c", ".output PATH.csv", "-c", "select * from cases", "-c", ".output stdout"]),
    (".output x.md", ["-c", ".output PATH.md", "-c", "select * from cases", "-c", ".output stdout"]),
    (".output x.tsv, two results", ["-c", ".output PATH.tsv", "-c", "select id from cases limit 2",
                                    "-c", "select * from cases", "-c", ".output stdout"]),
    (".output x.jsonl to the end", ["-c", ".output PATH.jsonl", "-c", "select * from cases"]),
    (".once x.csv", ["-c", ".once PATH.csv", "-c", "select * from cases"]),
    (".once x.txt then .check", ["--asof", "2020-09-17", "-c", ".once PATH.txt", "-c", ".check"]),
    (".export x.csv", ["-c", ".export PATH.csv select * from cases"]),
    (".export x.tsv", ["-c", ".export PATH.tsv select * from cases"]),
    (".report --out x.csv", ["--asof", "2020-09-17", "-c", ".report --out PATH.csv"]),
    (".check --out x.md", ["--asof", "2020-09-17", "-c", ".check --out PATH.md"]),
    (".output x.csv then .report", ["--asof", "2020-09-17", "-c", ".output PATH.csv", "-c", ".report", "-c", ".output stdout"]),
]
LIMIT = 4096


def limited():
    """In the child: files grow to LIMIT bytes at most (write(2) then fails with EFBIG)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def caseql(args, preexec=None, cwd=None):
    return subprocess.run([binary(), DS, "--no-cache"] + args, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, preexec_fn=preexec, cwd=cwd, timeout=120)


def fill(args, path):
    return [a.replace("PATH", path) for a in args]


def failing_writes(folder, preexec, reason):
    """Each writer into `folder`, where writes fail: exit 1, the old file as it was (a new one
    not made), nothing else left in the folder, and `cannot write PATH: REASON` on stderr."""
    for name, args in WRITERS:
        for existed in (True, False):
            d = fresh(folder, "w")
            base = os.path.join(d, "k")
            a = fill(args, base)
            target = next(w for x in a for w in x.split() if w.startswith(base))
            if existed:
                with open(target, "w") as f:
                    f.write(OLD)
            p = caseql(a, preexec=preexec)
            left = sorted(os.listdir(d))
            what = "%s (%s) into a %s: " % (name, "over a file" if existed else "new", reason)
            R.check(p.returncode == 1, what + "exit 1", "exit %d\n%s" % (p.returncode, p.stderr))
            R.check(("cannot write %s: %s" % (target, reason)) in p.stderr, what + "one wording: cannot write PATH: " + reason, p.stderr)
            if existed:
                R.check(left == ["k." + target.rsplit(".", 1)[1]] and open(target).read() == OLD,
                        what + "the old file is as it was, nothing else left", "%s %r" % (left, open(target).read()[:200] if os.path.exists(target) else None))
            else:
                R.check(left == [], what + "no file (partial or temporary) left", left)


def test_failed_writes_keep_the_old_file():
    # A file-size limit fails write(2) the way a full disk does, without root.
    failing_writes(TMP, limited, "file too large")


def test_full_disk_when_root():
    # A real full disk: a 64 KiB tmpfs (only where mounting is allowed: root in a VM or CI).
    mnt = os.path.join(TMP, "full")
    os.makedirs(mnt, exist_ok=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt], capture_output=True).returncode != 0:
        print("skip full-disk tmpfs: cannot mount here (not root)")
        return
    try:
        with open(os.path.join(mnt, "ballast"), "wb") as f:
            f.write(b"\0" * 40960)
        failing_writes(mnt, None, "disk full")
    finally:
        subprocess.run(["umount", mnt])


def test_output_file_put_in_place_at_the_end():
    d = fresh(TMP, "inplace")
    path = os.path.join(d, "week.csv")
    with open(path, "w") as f:
        f.write(OLD)
    p = caseql(["-c", ".output " + path, "-c", "select id from cases where id = \"SJ-2020-0001\"",
                "-c", "count cases", "-c", ".output stdout"])
    R.check(p.returncode == 0, ".output x.csv, two results: exit 0", p.stderr)
    raw = open(path, "rb").read()
    R.check(raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw, ".output x.csv: BOM and CRLF", raw[:40])
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    R.eq(rows, [["id"], ["SJ-2020-0001"], ["count"], ["1270"]], ".output x.csv holds both results, read by Python's csv")
    R.eq(sorted(os.listdir(d)), ["week.csv"], "no temporary file left beside it")
    # A statement that fails to write stops the script: the results before it are not half a file.
    p = caseql(["-c", ".output " + os.path.join(d, "none.csv"), "-c", "select nosuchfield from cases"])
    R.check(p.returncode == 1 and "no result was sent to" in p.stderr and not os.path.exists(os.path.join(d, "none.csv")),
            ".output x.csv that got no result makes no file and says so", p.stderr)


def big_dataset():
    """A cases list one row longer than a worksheet holds below its header (1,048,576 rows)."""
    d = os.path.join(TMP, "big")
    if not os.path.exists(os.path.join(d, "cases.csv")):
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "cases.csv"), "w", newline="") as f:
            f.write("id,kind,title,unit,assigned_on\n")
            f.writelines("B-%07d,proposal,t%d,教育局,2020-03-%02d\n" % (i, i % 997, 1 + i % 28) for i in range(1048576))
    return d


def test_sheet_limit_refused_at_its_statement():
    d = fresh(TMP, "sheets")
    book = os.path.join(d, "big6.xlsx")
    p = subprocess.run([binary(), big_dataset(), "--no-cache", "-c", ".output " + book, "-c", "select id from cases limit 3",
                        "-c", "select id, assigned_on from cases", "-c", "count cases", "-c", ".output stdout"],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600)
    R.check(p.returncode == 1 and p.stderr.startswith("-c#3:1: cannot write %s: 1048576 rows do not fit in a worksheet" % book),
            ".output x.xlsx: a result over the sheet limit is refused at its own statement (-c#3)", p.stderr)
    R.check("1 result before the error" in p.stderr and "1048576" not in p.stdout,
            "the script stops there (count cases did not run) and says which file holds the results before", p.stdout[-300:] + p.stderr)
    rows = read_sheets(book)
    R.eq(rows, {"result": [["id"], ["B-0000000"], ["B-0000001"], ["B-0000002"]]}, "the workbook holds the result before it (openpyxl)")
    # --keep-going: the results after it are kept too.
    os.unlink(book)
    p = subprocess.run([binary(), big_dataset(), "--no-cache", "--keep-going", "-c", ".output " + book, "-c", "select id from cases limit 1",
                        "-c", "select id from cases", "-c", "count cases", "-c", ".output stdout"],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=600)
    R.check(p.returncode == 1 and "-c#3:1:" in p.stderr, "--keep-going: the big result refused at -c#3, exit 1", p.stderr)
    R.eq(read_sheets(book), {"result": [["id"], ["B-0000000"]], "result (2)": [["count"], [1048576]]},
         "--keep-going: the results before and after it are in the workbook")


def read_sheets(book):
    code = ("import json, sys, openpyxl\nwb = openpyxl.load_workbook(sys.argv[1])\n"
            "print(json.dumps({ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}, default=str))")
    p = subprocess.run([SYSPY, "-c", code, book], capture_output=True, text=True)
    import json
    return json.loads(p.stdout) if p.returncode == 0 else p.stderr


EVIL = '=HYPERLINK("http://x","点我")'


def evil_dataset():
    d = os.path.join(TMP, "evil")
    if not os.path.exists(d):
        os.makedirs(d)
        with open(os.path.join(DS, "cases.csv"), encoding="utf-8") as f:
            rows = list(csv.reader(f))
        rows[1][rows[0].index("title")] = EVIL
        with open(os.path.join(d, "cases.csv"), "w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)
    return d


def test_formula_guard_everywhere():
    q = "select id, title from cases where id = \"SJ-2020-0001\""
    for how, args, sep in [("--csv", ["--csv", "-c", q], ","), (".mode csv", ["-c", ".mode csv", "-c", q], ","),
                           ("--mode csv", ["--mode", "csv", "-c", q], ","), (".mode tsv", ["-c", ".mode tsv", "-c", q], "\t"),
                           ("--tsv", ["--tsv", "-c", q], "\t"), (".export /dev/stdout", ["-c", ".export /dev/stdout " + q], ","),
                           (".output /dev/stdout + .mode csv", ["-c", ".output /dev/stdout", "-c", ".mode csv", "-c", q], ",")]:
        p = subprocess.run([binary(), evil_dataset(), "--no-cache"] + args, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        rows = list(csv.reader(io.StringIO(p.stdout), delimiter=sep))
        R.check(p.returncode == 0 and rows[1:] == [["SJ-2020-0001", "'" + EVIL]],
                "%s to a pipe: the formula guard is on" % how, p.stdout + p.stderr)
        off = subprocess.run([binary(), evil_dataset(), "--no-cache", "-c", ".csv guard off"] + args,
                             capture_output=True, text=True, stdin=subprocess.DEVNULL)
        rows = list(csv.reader(io.StringIO(off.stdout), delimiter=sep))
        R.check(rows[1:] == [["SJ-2020-0001", EVIL]], "%s after .csv guard off: no guard" % how, off.stdout + off.stderr)
    p = subprocess.run([binary(), evil_dataset(), "--no-cache", "--no-formula-guard", "-c", ".mode tsv", "-c", q],
                       capture_output=True, text=True, stdin=subprocess.DEVNULL)
    R.check(p.stdout.splitlines()[1:] == ["SJ-2020-0001\t" + EVIL], "--no-formula-guard turns it off for .mode tsv too", p.stdout)


def test_streams_by_one_rule():
    q = "select id from cases where id = \"SJ-2020-0001\""
    for how, args in [(".export /dev/stdout", ["-c", ".export /dev/stdout " + q]),
                      (".output /dev/stdout", ["-c", ".mode csv", "-c", ".output /dev/stdout", "-c", q]),
                      ("--out /dev/stdout", ["--csv", "--out", "/dev/stdout", "-c", q]),
                      (".once /dev/stdout", ["-c", ".mode csv", "-c", ".once /dev/stdout", "-c", q]),
                      (".export /dev/fd/1", ["-c", ".export /dev/fd/1 " + q])]:
        p = caseql(args)
        R.check(p.returncode == 0 and p.stdout == "id\nSJ-2020-0001\n", how + ": CSV as standard output gets it (no BOM, LF, no added line)",
                repr(p.stdout) + p.stderr)
    # Standard output redirected to a file: what came before is kept, the rows follow it.
    d = fresh(TMP, "streams")
    out = os.path.join(d, "out.txt")
    with open(out, "w") as f:
        subprocess.run([binary(), DS, "--no-cache", "--csv", "-c", "count cases", "-c", ".export /dev/stdout " + q, "-c", "count events"],
                       stdout=f, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, check=True)
    R.eq(open(out).read(), "count\n1270\nid\nSJ-2020-0001\ncount\n6368\n", ".export /dev/stdout into a redirected file: in order, nothing overwritten")
    # A FIFO is a stream by the same rule; a symbolic link to a regular file is still refused.
    link = os.path.join(d, "link.csv")
    open(os.path.join(d, "real.csv"), "w").close()
    os.symlink(os.path.join(d, "real.csv"), link)
    p = caseql(["-c", ".export %s %s" % (link, q)])
    R.check(p.returncode == 1 and "is a symbolic link" in p.stderr, ".export to a link to a regular file: refused", p.stderr)


def test_txt_out_takes_a_report():
    d = fresh(TMP, "txt")
    p = caseql(["--asof", "2020-09-17", "--out", os.path.join(d, "o6.txt"), "-c", ".report"])
    text = open(os.path.join(d, "o6.txt"), encoding="utf-8").read() if os.path.exists(os.path.join(d, "o6.txt")) else ""
    R.check(p.returncode == 0 and "人大建议政协提案办理情况" in text, "--out o6.txt -c .report: the report's text", p.stderr)
    p = caseql(["--out", os.path.join(d, "o7.txt"), "-c", "count cases"])
    R.check(p.returncode == 2 or (p.returncode == 1 and "-c:1: " in p.stderr and ".txt is for .report and .check" in p.stderr),
            "--out o7.txt -c 'count cases': the query is refused at its statement", p.stderr)
    R.check(not os.path.exists(os.path.join(d, "o7.txt")), "… and no o7.txt is made", os.listdir(d))
    p = caseql(["--asof", "2020-09-17", "-c", ".output " + os.path.join(d, "o8.txt"), "-c", ".check late-sign", "-c", ".output stdout"])
    R.check(p.returncode == 0 and "[late-sign]" in open(os.path.join(d, "o8.txt"), encoding="utf-8").read(),
            ".output o8.txt takes a check's text", p.stderr)


def test_folders_where_no_file_can_be_made():
    q = "select id from cases limit 1"
    for path, folder in [("/proc/version.csv", "/proc"), ("/proc/self/x.csv", "/proc/self")]:
        for how, args in [(".export", ["-c", ".export %s %s" % (path, q)]), ("--out", ["--out", path, "-c", q]),
                          (".output", ["-c", ".output " + path]), (".report --out", ["-c", ".report --out " + path])]:
            p = caseql(args)
            R.check(p.returncode == 1 and ("cannot write %s: cannot create a file in %s: " % (path, folder)) in p.stderr
                    and "no such folder" not in p.stderr, "%s %s: says no file can be made in %s, and why" % (how, path, folder), p.stderr)


def test_interactive_output_survives_a_closed_terminal():
    """The interactive shell puts an .output file in place after each statement: closing the
    terminal (SIGHUP to caseql) keeps every result sent to it; the old file is replaced only
    by complete versions."""
    d = fresh(TMP, "interactive")
    path = os.path.join(d, "week.csv")
    with open(path, "w") as f:
        f.write(OLD)
    socket = "caseql-writes-%d" % os.getpid()
    pane = Pane(R, socket, "w", text_pause=0.1, key_pause=0.2, poll=0.1)
    pane.start("%s %s --no-cache --no-rc" % (shlex.quote(binary()), shlex.quote(DS)), 100, 30)
    try:
        pane.wait_prompt()
        pane.text(".output %s" % path)
        pane.keys("Enter")
        pane.wait(lambda ls: sum(l.startswith(PROMPT.rstrip()) for l in ls) >= 2, "prompt after .output")
        R.eq(open(path).read(), OLD, "interactive .output week.csv: the old file stays until a result comes")
        pane.text("select id from cases where id = \"SJ-2020-0001\";")
        pane.keys("Enter")
        pane.wait(lambda ls: sum(l.startswith(PROMPT.rstrip()) for l in ls) >= 3, "prompt after the query")
        pane.text("count cases;")
        pane.keys("Enter")
        pane.wait(lambda ls: sum(l.startswith(PROMPT.rstrip()) for l in ls) >= 4, "prompt after count")
        rows = list(csv.reader(io.StringIO(open(path, encoding="utf-8-sig").read())))
        R.eq(rows, [["id"], ["SJ-2020-0001"], ["count"], ["1270"]], "after each statement the file holds every result so far")
    finally:
        tmux_on(socket, "kill-server", check=False)   # the terminal closes: SIGHUP
    time.sleep(1.0)
    rows = list(csv.reader(io.StringIO(open(path, encoding="utf-8-sig").read())))
    R.eq(rows, [["id"], ["SJ-2020-0001"], ["count"], ["1270"]], "the terminal closed: the results are kept")
    R.eq(sorted(os.listdir(d)), ["week.csv"], "… and no temporary file is left")


def test_generate_keeps_a_folder_whole():
    # caseql generate writes its four files through the same writer: with writes failing (a
    # file-size limit) it exits 1 naming the file, leaves no partial or temporary file, and the
    # files there before keep their contents.
    d = fresh(TMP, "gen-limited")
    with open(os.path.join(d, "cases.csv"), "w") as f:
        f.write(OLD)
    p = subprocess.run([binary(), "generate", "--cases", "20000", "--out", d], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, preexec_fn=limited, timeout=120)
    R.check(p.returncode == 1 and ("cannot write %s/" % d) in p.stderr and "file too large" in p.stderr,
            "generate with writes failing: exit 1, the file and the reason named", "exit %d\n%s" % (p.returncode, p.stderr))
    R.check(sorted(os.listdir(d)) == ["cases.csv"] and open(os.path.join(d, "cases.csv")).read() == OLD,
            "generate with writes failing: the old cases.csv as it was, nothing else left", sorted(os.listdir(d)))
    p = subprocess.run([binary(), "generate", "--cases", "300", "--out", d], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, timeout=120)
    R.check(p.returncode == 0 and sorted(os.listdir(d)) == ["cases.csv", "events.csv", "manifest.json", "units.csv"],
            "generate without a limit: the four files", sorted(os.listdir(d)))


def test_confirmations_stay_out_of_an_output_file():
    # Under .output x.csv, .export's "wrote N rows to y.csv" goes to the screen: x.csv holds the
    # results only (it was a row of the data there).
    d = fresh(TMP, "notes")
    x, y = os.path.join(d, "x.csv"), os.path.join(d, "y.csv")
    p = caseql(["-c", ".output " + x, "-c", "count cases", "-c", ".export %s select id from cases limit 2" % y, "-c", "count proposals"])
    rows = list(csv.reader(open(x, encoding="utf-8-sig", newline="")))
    R.check(p.returncode == 0 and rows == [["count"], ["1270"], ["count"], ["859"]] and "wrote 2 rows to " + y in p.stdout,
            ".output x.csv: results in the file, the confirmation on the screen", "%r\n%s%s" % (rows, p.stdout, p.stderr))


for t in [test_generate_keeps_a_folder_whole, test_confirmations_stay_out_of_an_output_file, test_interactive_output_survives_a_closed_terminal, test_failed_writes_keep_the_old_file, test_full_disk_when_root, test_output_file_put_in_place_at_the_end,
          test_formula_guard_everywhere, test_streams_by_one_rule, test_txt_out_takes_a_report,
          test_folders_where_no_file_can_be_made, test_sheet_limit_refused_at_its_statement]:
    R.case(t)
R.finish()
