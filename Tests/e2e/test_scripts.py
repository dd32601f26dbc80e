#!/usr/bin/env python3
"""End-to-end: caseql used without a terminal — -c, -f scripts, stdin, exit codes, error
positions, expect, parameters, output modes, pipes, loading options. Stdlib only.

    python3 Tests/e2e/test_scripts.py            # everything
    python3 Tests/e2e/test_scripts.py test_pipe  # one scenario
"""

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, binary, dataset, run, tempdir, width  # noqa: E402

R = Results()
TMP = tempdir()
DS = None


def write(name, text, encoding="utf-8"):
    path = os.path.join(TMP, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding=encoding, newline="") as f:
        f.write(text)
    return path


def count_of(stdout):
    """The number a `count` prints in CSV mode (header `count`, then the number)."""
    rows = list(csv.reader(io.StringIO(stdout)))
    return int(rows[-1][0])


def caret_column(stderr_lines, source_line):
    """Display column (0-based, within the source line) where the carets start."""
    for i, line in enumerate(stderr_lines):
        if line.rstrip() == "  " + source_line and i + 1 < len(stderr_lines):
            carets = stderr_lines[i + 1]
            m = re.match(r"^( *)\^+$", carets)
            if m:
                return len(m.group(1)) - 2
    return None


def test_c_one():
    p = run([DS, "-c", "count cases"])
    R.eq(p.returncode, 0, "-c one statement: exit 0")
    R.check(re.search(r"^\s*\d+\s*$", p.stdout, re.M) and "1 row" in p.stdout,
            "-c one statement: a count table", p.stdout)
    R.eq(p.stderr, "", "-c one statement: nothing on stderr")


def test_c_several():
    total = count_of(run([DS, "--csv", "-c", "count cases"]).stdout)
    props = count_of(run([DS, "--csv", "-c", "count proposals"]).stdout)
    sugg = count_of(run([DS, "--csv", "-c", "count suggestions"]).stdout)
    R.eq(props + sugg, total, "proposals + suggestions = cases (%d)" % total)
    # Several -c, and several statements in one -c.
    p = run([DS, "--csv", "-c", "count proposals", "-c", "count suggestions; count cases"])
    R.eq(p.returncode, 0, "several -c: exit 0")
    nums = [int(l) for l in p.stdout.split("\n") if l.strip().isdigit()]
    R.eq(nums, [props, sugg, total], "several -c and ; run in order")
    # A later -c error stops with exit 1 after the earlier output.
    p = run([DS, "--csv", "-c", "count cases", "-c", "count casez"])
    R.eq(p.returncode, 1, "-c with an error: exit 1")
    R.check(str(total) in p.stdout, "-c: output of the statement before the error", p.stdout)
    R.check("-c#2:1:7:" in p.stderr, "-c error names -c#2 line 1 column 7", p.stderr)


SCRIPT = """\
-- weekly check: a comment line
.mode csv
select id, unit
  from cases
  where unit = "教育局"   -- trailing comment
  order by id limit 3;
select 主办单位 from 案件 where 办理状态 = 已完结
count cases
"""


def test_script_first_error():
    path = write("weekly.cql", SCRIPT)
    p = run([DS, "-f", path])
    R.eq(p.returncode, 1, "-f: an error stops the script with exit 1")
    out = p.stdout.split("\n")
    R.check(out[0] == "id,unit" and len([l for l in out if ",教育局" in l]) == 3,
            "-f: multi-line statement after .mode csv ran (CSV, 3 rows)", p.stdout)
    R.check("count" not in p.stdout, "-f: nothing after the first error ran", p.stdout)
    err = p.stderr.split("\n")
    R.check(err[0].startswith(path + ":7:34: error:"),
            "-f: error at script line 7 column 34 (after a Chinese prefix)", p.stderr)
    col = caret_column(err, "select 主办单位 from 案件 where 办理状态 = 已完结")
    R.eq(col, width("select 主办单位 from 案件 where 办理状态 = "), "caret under 已完结 by display width")
    R.check("did you mean `已办结`?" in p.stderr and "did you mean `did you mean" not in p.stderr,
            "suggestion 已办结 shown once, well formed", p.stderr)


def test_script_error_inside_multiline():
    text = "select id\n  from cases\n  where 主办单位 = \"教育局\"\n    and unti = 3\n"
    path = write("multi.cql", text)
    p = run([DS, "-f", path])
    R.eq(p.returncode, 1, "error on the 4th line of a statement: exit 1")
    R.check(p.stderr.startswith(path + ":4:9: error:"), "error located at 4:9", p.stderr)
    col = caret_column(p.stderr.split("\n"), "    and unti = 3")
    R.eq(col, 8, "caret under unti")


def test_keep_going():
    text = ("count casez\n"
            ".mode csv\n"
            "count cases\n"
            ".bogus\n"
            "select cases where unit = \"教育厅\"\n"
            "count proposals\n")
    path = write("keep.cql", text)
    p = run([DS, "--keep-going", "-f", path])
    R.eq(p.returncode, 1, "--keep-going: exit 1 still")
    nums = [l for l in p.stdout.split("\n") if l.strip().isdigit()]
    R.eq(len(nums), 2, "--keep-going: both good statements ran")
    R.check(path + ":1:7:" in p.stderr, "--keep-going: error 1 (line 1)", p.stderr)
    R.check(path + ":4" in p.stderr and "bogus" in p.stderr, "--keep-going: error 2 (.bogus on line 4)", p.stderr)
    R.check(path + ":5:27:" in p.stderr and "教育局" in p.stderr, "--keep-going: error 3 (line 5, suggests 教育局)",
            p.stderr)


def test_exit_zero():
    path = write("good.cql", ".mode csv\n-- only comments and good statements\n\ncount cases\n"
                 "select id from proposals\n where unit = \"教育局\"\n limit 1\n")
    p = run([DS, "-f", path])
    R.eq((p.returncode, p.stderr), (0, ""), "script with no errors: exit 0, quiet stderr")
    R.eq(len(p.stdout.strip().split("\n")), 4, "script output: count header+value, id header+row")


def test_stdin():
    p = run([DS, "--csv"], input="count proposals\ncount cases\n")
    R.eq(p.returncode, 0, "stdin pipe: exit 0")
    nums = [l for l in p.stdout.split("\n") if l.strip().isdigit()]
    R.eq(len(nums), 2, "stdin pipe: both statements ran")
    R.check("caseql>" not in p.stdout and "Type .help" not in p.stdout, "stdin pipe: no prompt, no banner",
            p.stdout)
    p = run([DS], input="count cases\nselect cases where\n  unti = 1\n")
    R.eq(p.returncode, 1, "stdin pipe with an error: exit 1")
    R.check(p.stderr.startswith("stdin:3:3:"), "stdin error named stdin:3:3", p.stderr)


def test_expect():
    p = run([DS, "--csv", "-c", "count cases"])
    n = count_of(p.stdout)
    text = "select id from proposals where unit = \"教育局\"\nexpect %d rows\ncount cases\nexpect %d rows\n"
    good = count_of(run([DS, "--csv", "-c", 'count proposals where unit = "教育局"']).stdout)
    p = run([DS, "-f", write("expect_ok.cql", text % (good, n))])
    R.eq((p.returncode, p.stderr), (0, ""), "expect N rows that hold: exit 0, quiet")
    p = run([DS, "-f", write("expect_bad.cql", text % (good + 1, n))])
    R.eq(p.returncode, 1, "expect N rows that fails: exit 1")
    R.check(":2:1: error: expectation failed: expected %d rows, got %d" % (good + 1, good) in p.stderr,
            "expect failure message names both counts and line 2", p.stderr)
    R.check("count" not in p.stdout.split("\n")[-3:], "script stopped at the failed expect", p.stdout)


def test_parameters():
    text = ".mode csv\ncount cases where unit = $unit\n"
    path = write("param.cql", text)
    p = run([DS, "-f", path, "--set", "unit=教育局"])
    want = count_of(run([DS, "--csv", "-c", 'count cases where unit = "教育局"']).stdout)
    R.eq((p.returncode, count_of(p.stdout) if p.returncode == 0 else None), (0, want),
         "--set unit=教育局 fills $unit")
    p = run([DS, "-f", path])
    R.eq(p.returncode, 1, "unset parameter: exit 1")
    R.check("$unit" in p.stderr and "not set" in p.stderr, "unset parameter is named", p.stderr)
    R.check("did you mean `set it" not in p.stderr, "the hint is not wrapped as a 'did you mean'", p.stderr)
    p = run([DS, "--set", "unit"], input="")
    R.eq(p.returncode, 2, "--set without = is a usage error (exit 2)")


def test_modes():
    q = 'select id, unit, title from cases where unit = "教育局" order by id limit 5'
    p = run([DS, "--csv", "-c", q])
    rows = list(csv.reader(io.StringIO(p.stdout)))
    R.check(p.returncode == 0 and rows[0] == ["id", "unit", "title"] and len(rows) == 6
            and all(r[1] == "教育局" for r in rows[1:]), "--csv: header and 5 rows", p.stdout)
    p = run([DS, "--json", "-c", q])
    try:
        data = json.loads(p.stdout)
    except ValueError as e:
        data = None
        R.check(False, "--json parses", "%s\n%s" % (e, p.stdout))
    if data is not None:
        R.check(isinstance(data, list) and len(data) == 5 and data[0]["unit"] == "教育局"
                and [d["id"] for d in data] == [r[0] for r in rows[1:]], "--json: 5 objects, same ids as CSV",
                p.stdout)
    p = run([DS, "--mode", "tsv", "-c", q])
    lines = p.stdout.rstrip("\n").split("\n")
    R.check(lines[0] == "id\tunit\ttitle" and len(lines) == 6 and all(l.count("\t") == 2 for l in lines),
            "--mode tsv: tab-separated", p.stdout)
    p = run([DS, "--csv", "--no-headers", "-c", q])
    R.eq(list(csv.reader(io.StringIO(p.stdout))), rows[1:], "--no-headers: rows only")
    p = run([DS, "--jsonl", "-c", q])
    R.check(p.returncode == 0 and [json.loads(l)["id"] for l in p.stdout.strip().split("\n")]
            == [r[0] for r in rows[1:]], "--jsonl: one object a line", p.stdout)
    p = run([DS, "--mode", "yaml", "-c", q])
    R.check(p.returncode == 2 and "yaml" in p.stderr, "--mode yaml: usage error, exit 2", p.stderr)
    # Table output to a pipe: whole, no colour escapes, all rows.
    p = run([DS, "-c", "select id from cases"])
    R.check("\x1b[" not in p.stdout, "table into a pipe: no escape sequences")
    total = count_of(run([DS, "--csv", "-c", "count cases"]).stdout)
    ids = [l for l in p.stdout.split("\n") if re.match(r"^[A-Z]+-\d{4}-\d+\s*$", l)]
    R.check(("%d rows" % total) in p.stdout and len(ids) == total,
            "table into a pipe: every row, no 'more rows' cut", p.stdout[-300:])


def test_pipe_head():
    cmd = "%s %s -c 'select * from cases' | head -1" % (binary(), DS)
    try:
        p = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=30,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        R.check(False, "| head -1 ends (no hang)")
        return
    R.check(p.returncode == 0 and p.stdout.startswith("id") and p.stdout.count("\n") == 1,
            "| head -1: first line only", p.stdout)
    R.eq(p.stderr, "", "| head -1: no error text on stderr")
    cmd = "%s %s --csv -c 'select * from cases' -c 'select * from events' | head -c 10; echo \" rc=${PIPESTATUS[0]}\"" % (binary(), DS)
    p = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    R.check(p.stdout.endswith(" rc=0\n") and p.stderr == "", "closed pipe: caseql exits 0 quietly",
            p.stdout + p.stderr)


def test_version_help():
    p = run(["--version"])
    R.check(p.returncode == 0 and re.match(r"^caseql \d+\.\d+\.\d+\s*$", p.stdout), "--version", p.stdout)
    p = run(["--help"])
    R.check(p.returncode == 0 and "--csv" in p.stdout and "--set" in p.stdout and "--keep-going" in p.stdout
            and "generate" in p.stdout, "--help lists options and subcommands", p.stdout)
    p = run([DS, "--bogus-option"])
    R.check(p.returncode == 2 and "bogus" in p.stderr, "unknown option: exit 2", p.stderr)


def test_missing_dataset():
    missing = os.path.join(TMP, "no-such-dataset")
    p = run([missing, "-c", "count cases"])
    R.eq(p.returncode, 1, "missing dataset: exit 1")
    R.check(missing in p.stderr and ("no such" in p.stderr.lower()), "missing dataset: clear message", p.stderr)
    R.eq(p.stdout, "", "missing dataset: nothing on stdout")
    empty = os.path.join(TMP, "empty-folder")
    os.makedirs(empty, exist_ok=True)
    p = run([empty, "-c", "count cases"])
    R.check(p.returncode == 1 and "cases.csv" in p.stderr, "folder without cases.csv: names cases.csv", p.stderr)
    p = run([DS, "-f", os.path.join(TMP, "nope.cql")])
    R.check(p.returncode == 1 and "nope.cql" in p.stderr, "missing script: exit 1, named", p.stderr)


def test_lenient():
    src = os.path.join(DS, "cases.csv")
    with open(src, encoding="utf-8") as f:
        lines = f.read().split("\n")[:21]  # header + 20 rows
    header = lines[0].split(",")
    status_col = header.index("status")
    bad_line = 6  # 1-based file line of the bad row
    row = next(csv.reader([lines[bad_line - 1]]))
    row[status_col] = "已完成"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(row)
    bad_text = buf.getvalue()
    lines[bad_line - 1] = bad_text
    folder = os.path.join(TMP, "bad")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "cases.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(lines) + "\n")
    p = run([folder, "-c", "count cases"])
    R.eq(p.returncode, 1, "dataset with a bad row: not loaded, exit 1")
    R.check("cases.csv:%d:" % bad_line in p.stderr and "已完成" in p.stderr and "status" in p.stderr,
            "bad row reported with file:line, field and value", p.stderr)
    rejects = os.path.join(folder, "cases.rejects.csv")
    R.check(not os.path.exists(rejects), "no rejects file without --lenient")
    p = run([folder, "--lenient", "--csv", "-c", "count cases"])
    R.check(p.returncode == 0 and count_of(p.stdout) == 19, "--lenient: the 19 good rows load", p.stdout + p.stderr)
    R.check("rejected" in p.stderr and "cases.rejects.csv" in p.stderr, "--lenient: says rows were rejected",
            p.stderr)
    if R.check(os.path.exists(rejects), "--lenient: rejects file written"):
        with open(rejects, encoding="utf-8-sig") as f:
            text = f.read()
        R.check(bad_text in text and text.count("\n") <= 2, "rejects file holds the bad row unchanged", text)


def test_gb18030():
    with open(os.path.join(DS, "cases.csv"), encoding="utf-8") as f:
        text = f.read()
    folder = os.path.join(TMP, "gb")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "cases.csv"), "wb") as f:
        f.write(text.encode("gb18030"))
    want = run([DS, "--csv", "-c", 'count cases where unit = "教育局"']).stdout
    p = run([folder, "--csv", "-c", 'count cases where unit = "教育局"'])
    R.check(p.returncode == 0 and p.stdout == want, "GB18030 cases.csv loads, same answer as UTF-8",
            p.stdout + p.stderr)
    R.check("gb18030" in p.stderr.lower(), "GB18030: the shell says which encoding it read", p.stderr)
    R.check(p.stderr.lower().count("gb18030") == 1, "GB18030: said once, not twice", p.stderr)
    p = run([os.path.join(folder, "cases.csv"), "--encoding", "gb18030", "--csv", "-c", "count cases"])
    R.check(p.returncode == 0 and count_of(p.stdout) == count_of(run([DS, "--csv", "-c", "count cases"]).stdout),
            "single GB18030 cases file with --encoding gb18030", p.stdout + p.stderr)


def main():
    global DS
    binary()
    DS = dataset(TMP)
    for t in [test_c_one, test_c_several, test_script_first_error, test_script_error_inside_multiline,
              test_keep_going, test_exit_zero, test_stdin, test_expect, test_parameters, test_modes,
              test_pipe_head, test_version_help, test_missing_dataset, test_lenient, test_gb18030]:
        R.case(t)
    shutil.rmtree(TMP, ignore_errors=True)
    R.finish()


if __name__ == "__main__":
    main()
