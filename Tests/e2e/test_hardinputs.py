"""Issue 17, the loader's hard inputs through the real binary: wide headers and capped notes,
a runaway quote under --lenient, rejects files that exist or cannot be written, duplicate units.
Each case checks the exit status (never >= 128), the message and what was kept. Run as root, as
CI does; the unwritable folder is tried as user nobody (setpriv), since root writes anywhere."""

import csv
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import run  # noqa: E402

R = e2elib.Results()
TMP = tempfile.mkdtemp(prefix="caseql-hardinputs-")
SHIPPED = os.path.join(e2elib.ROOT, "datasets", "zhengzhou-2020")


def fresh(name):
    return e2elib.fresh(TMP, name)


def shipped_lines():
    with open(os.path.join(SHIPPED, "cases.csv"), encoding="utf-8", newline="") as f:
        return f.read().split("\n")[:-1]


def write_cases(d, lines, eol="\n"):
    with open(os.path.join(d, "cases.csv"), "w", encoding="utf-8", newline="") as f:
        f.write(eol.join(lines) + eol)


def test_wide_header_notes_are_capped():
    d = fresh("wide")
    lines = shipped_lines()[:201]   # the header and 200 rows: 3.3 million cells
    n = 16384 - len(lines[0].split(","))   # to the limit exactly
    lines[0] += "".join(",附加%d" % i for i in range(n))
    for k in range(1, len(lines)):
        lines[k] += "," * n
    write_cases(d, lines)
    # Once slow in the columns (1,022 took 10.7 s): a generous timeout (a loaded CI machine)
    # tells the linear reader from that, which would take hours here.
    p = run([d, "--csv", "--no-headers", "-c", "count cases", "-c", 'count cases where 附加%d = ""' % (n - 1)], timeout=300)
    R.eq((p.returncode, p.stdout), (0, "200\n200\n"), "16,384 columns: every row and column loads")
    R.check(len(p.stderr.splitlines()) <= 4 and "… and %d more" % (n - 20) in p.stderr,
            "16,360 unknown columns: one note, capped with a count", p.stderr[:600])
    lines[0] += ",one more"
    write_cases(d, lines)
    p = run([d, "-c", "count cases"], timeout=300)
    R.eq(p.returncode, 1, "16,385 columns: refused, exit 1")
    R.check("more than 16,384 fields" in p.stderr, "16,385 columns: the limit is said", p.stderr[:300])


def test_runaway_quote_under_lenient():
    d = fresh("runaway")
    lines = shipped_lines()
    # A stray quote before the title on line 100: the file.
    cells = next(csv.reader([lines[99]]))
    title = cells[5]
    lines[99] = lines[99].replace('"%s"' % title if '"%s"' % title in lines[99] else title, '"' + title.replace('"', ""), 1)
    write_cases(d, lines)
    p = run([d, "-c", "count cases"])
    R.eq(p.returncode, 1, "runaway quote, strict: exit 1")
    col = lines[99].index('"' + title.replace('"', "")) + 1
    R.check(p.stderr.startswith("caseql: cases.csv:100:%d: a quote opens a field here and is not closed on its line" % col),
            "runaway quote, strict: the error is where the quote opened", p.stderr)
    p = run([d, "--lenient", "--csv", "--no-headers", "-c", "count cases"])
    R.eq((p.returncode, p.stdout), (0, "1269\n"), "runaway quote, --lenient: every other row loads")
    R.check("cases.csv: 1269 rows loaded, 1 rejected (1 line of the file), written to" in p.stderr,
            "runaway quote, --lenient: rows and lines counted", p.stderr)
    # Written through the CSV writer (BOM, CRLF): the malformed line a field per comma, its quote
    # as text, so that its fields joined again are the line as it was.
    with open(os.path.join(d, "cases.rejects.csv"), encoding="utf-8-sig", newline="") as f:
        got = list(csv.reader(f))
    R.eq([",".join(r) for r in got], [lines[0], lines[99]], "runaway quote, --lenient: the rejects file holds line 100 alone")


def test_existing_and_unwritable_rejects_files():
    d = fresh("rejects")
    lines = shipped_lines()
    lines[10] = lines[10].replace(",closed,", ",已完成了,", 1)
    write_cases(d, lines)
    with open(os.path.join(d, "cases.rejects.csv"), "w") as f:
        f.write("an earlier load's rejects\n")
    p = run([d, "--lenient", "-c", "count cases"])
    R.eq(p.returncode, 0, "existing rejects file: exit 0")
    R.check("cases.rejects.csv exists (kept): the 1 rejected row went to %s/cases.rejects.2.csv" % d in p.stderr,
            "existing rejects file: the new name is said", p.stderr)
    R.eq(open(os.path.join(d, "cases.rejects.csv")).read(), "an earlier load's rejects\n", "existing rejects file: kept")
    R.check(lines[10] in open(os.path.join(d, "cases.rejects.2.csv"), encoding="utf-8").read(), "the row is in the new file")
    # A folder the user cannot write to (as nobody: root writes anywhere).
    ro = fresh("readonly")
    write_cases(ro, lines)
    os.chmod(ro, 0o555)
    os.chmod(TMP, 0o755)
    p = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", e2elib.binary(), ro, "--lenient",
                        "--no-cache", "-c", "count cases"], capture_output=True, text=True, timeout=60,
                       env={"PATH": os.environ.get("PATH", ""), "HOME": "/nonexistent"})
    R.eq(p.returncode, 1, "unwritable rejects folder: exit 1")
    R.check("1 rejected row could not be written (cannot write %s/cases.rejects.csv: permission denied" % ro in p.stderr
            and "nothing was loaded" in p.stderr, "unwritable rejects folder: says so", p.stderr)
    R.check(p.stdout == "", "unwritable rejects folder: no answer from a partial load", p.stdout)
    os.chmod(ro, 0o755)
    # A FIFO where the rejects file would go.
    os.mkfifo(os.path.join(ro, "cases.rejects.csv"))
    p = run([ro, "--lenient", "-c", "count cases"], timeout=30)
    R.eq(p.returncode, 1, "a FIFO as the rejects file: exit 1, no hang")
    R.check("is a FIFO (a named pipe), not a regular file" in p.stderr, "a FIFO as the rejects file: named", p.stderr)


def test_duplicate_unit():
    d = fresh("units")
    shutil.copy(os.path.join(SHIPPED, "cases.csv"), d)
    with open(os.path.join(SHIPPED, "units.csv"), encoding="utf-8") as f:
        units = f.read().split("\n")
    first = next(i for i, u in enumerate(units) if u.startswith("教育局,"))
    units.insert(len(units) - 1, units[first].replace(",department,", ",district,"))
    with open(os.path.join(d, "units.csv"), "w", encoding="utf-8") as f:
        f.write("\n".join(units))
    p = run([d, "-c", "count units"])
    R.eq(p.returncode, 1, "a duplicate unit: exit 1")
    R.check('units.csv:%d:1: name: duplicate unit "教育局" (first at %d:1)' % (len(units) - 1, first + 1) in p.stderr,
            "a duplicate unit: positioned, with the first line", p.stderr)


def test_one_core_and_two_cores_agree_on_mutated_files():
    # A file of more than 16 MiB is read in two parts on two cores; one core (taskset) or
    # --no-parallel-load reads it in one. Mutated copies must load alike in all three.
    big = e2elib.dataset(TMP, cases=75000, seed=17)
    with open(os.path.join(big, "cases.csv"), "rb") as f:
        original = f.read()
    R.check(len(original) > 16 << 20, "the file is read in two parts by default (%d bytes)" % len(original))
    mid = len(original) // 2
    line_at = lambda i: original.index(b"\n", i) + 1
    mutations = {
        "a stray quote before a title past the middle": (lambda b: b[:line_at(mid + 5000)] + b[line_at(mid + 5000):].replace(b",\xe5\x85\xb3\xe4\xba\x8e", b',"\xe5\x85\xb3\xe4\xba\x8e', 1)),
        "GB18030 bytes past the middle": (lambda b: b[:line_at(mid)] + b"\xd6\xd0" + b[line_at(mid):]),
        "a line end removed near the cut": (lambda b: b[:line_at(mid) - 1] + b[line_at(mid):]),
    }
    for name, mutate in mutations.items():
        d = fresh("cores")
        with open(os.path.join(d, "cases.csv"), "wb") as f:
            f.write(mutate(original))
        args = [d, "--lenient", "--no-cache", "--csv", "-c", "count cases", "-c",
                "select id, title, unit from cases order by id limit 3 offset 35000"]
        outs = []
        for how, prefix, extra in [("two cores", [], []), ("taskset -c 0", ["taskset", "-c", "0"], []),
                                   ("--no-parallel-load", [], ["--no-parallel-load"])]:
            for f in os.listdir(d):
                if f != "cases.csv":
                    os.remove(os.path.join(d, f))
            p = subprocess.run(prefix + [e2elib.binary()] + args + extra, capture_output=True, text=True, timeout=300,
                               stdin=subprocess.DEVNULL)
            rejects = sorted(f for f in os.listdir(d) if f != "cases.csv")
            body = [open(os.path.join(d, f), "rb").read() for f in rejects]
            outs.append((how, p.returncode, p.stdout, p.stderr, rejects, body))
        base = outs[0]
        no_crash = all(0 <= o[1] < 128 for o in outs)
        R.check(no_crash, "%s: no crash" % name, str([o[1] for o in outs]))
        for o in outs[1:]:
            R.eq(o[1:], base[1:], "%s: %s loads as two cores do" % (name, o[0]))


def main():
    for fn in [test_wide_header_notes_are_capped, test_runaway_quote_under_lenient,
               test_existing_and_unwritable_rejects_files, test_duplicate_unit,
               test_one_core_and_two_cores_agree_on_mutated_files]:
        R.case(fn)
    shutil.rmtree(TMP, ignore_errors=True)
    print("%d passed, %d failed" % (R.passed, R.failed))
    sys.exit(1 if R.failed else 0)


if __name__ == "__main__":
    main()
