#!/usr/bin/env python3
"""End-to-end: control characters, bidi overrides and zero-width characters from the data never
reach the terminal raw — in tables, .units, .report, .check, load errors and did-you-mean hints —
while files keep the data as it is. Stdlib only.

    python3 Tests/e2e/test_escape.py
"""

import csv
import os
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, binary, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()
EVIL = "医保局\x1b]0;pwned\x07\x1b[2J"
RAW = ("\x1b", "\x07", "\u202e", "\u200b", "\x9b")

HEADER = "id,kind,unit,assigned_on,status,title\n"


def folder(name, rows):
    path = os.path.join(TMP, name)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "cases.csv"), "w", encoding="utf-8", newline="") as f:
        f.write(HEADER + "".join(rows))
    # units.csv names EVIL as one unit: without it, its ";" would make two lead units (分办).
    with open(os.path.join(path, "units.csv"), "w", encoding="utf-8", newline="") as f:
        f.write('name,type\n"%s",department\n教育局,department\n' % EVIL)
    return path


def clean(text):
    return not any(c in text for c in RAW)


def test_units_report_check():
    ds = folder("evil", ['A-1,proposal,"%s",2020-03-01,closed,"标题\u202eabc"\n' % EVIL,
                         "A-2,suggestion,教育局,2020-03-02,assigned,\u200b隐藏\n"])
    for cmd in (".units", ".report", ".check", ".report --format markdown", "select unit, title from cases"):
        p = run([ds], input=cmd + "\n")
        R.check(p.returncode == 0 and clean(p.stdout) and clean(p.stderr), "%s: nothing raw reaches the output" % cmd.split("\n")[-1],
                repr(p.stdout[-400:]) + repr(p.stderr[-400:]))
    p = run([ds, "-c", ".units"])
    R.check("医保局␛]0;pwned␇␛[2J" in p.stdout, ".units shows the escapes visibly", p.stdout)
    # CSV and TSV to a pipe keep the data; to a terminal (a pty made by script(1)) they do not.
    p = run([ds, "-c", ".mode csv", "-c", "select unit from cases order by id"])
    R.check(EVIL in p.stdout, "CSV to a pipe keeps the data as it is", repr(p.stdout))
    for mode in ("csv", "tsv", "json"):
        p = subprocess.run(["script", "-qec", "%s %s -c '.mode %s' -c 'select unit, title from cases'" % (binary(), ds, mode), "/dev/null"],
                           capture_output=True, text=True, timeout=60)
        R.check(p.returncode == 0 and clean(p.stdout) and "医保局␛]0;pwned␇␛[2J" in p.stdout.replace("\\u001b", "␛").replace("\\u0007", "␇"),
                "%s to a terminal shows the escapes" % mode, repr(p.stdout))
    # A file keeps the data as it is.
    out = os.path.join(TMP, "evil.csv")
    p = run([ds, "-c", ".export %s select unit from cases order by id" % out])
    with open(out, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    R.eq(rows[1], [EVIL], "the exported file keeps the unit's bytes")


def test_messages():
    ds = folder("evil2", ['A-1,proposal,"%s",2020-03-01,closed,t\n' % EVIL])
    p = run([ds, "-c", 'count cases where unit = "医保局]0;pwned[2J"'])
    R.check(p.returncode == 1 and clean(p.stderr) and "did you mean" in p.stderr, "did-you-mean hint is escaped", repr(p.stderr))
    # The value as the screen shows it (␛ for ESC) cannot be typed: say so, and how to find it.
    p = run([ds, "-c", 'count cases where unit = "医保局␛]0;pwned␇␛[2J"'])
    R.check(p.returncode == 1 and clean(p.stderr) and 'cannot be typed: unit contains "医保局" finds it' in p.stderr,
            "a value typed as the screen shows its control characters: how to find it", repr(p.stderr))
    p = run([ds, "-c", 'count cases where unit = "医保"'])
    R.check(p.returncode == 1 and "did you mean 医保局␛]0;pwned␇␛[2J?" in p.stderr, "a value's beginning: the value it begins", repr(p.stderr))
    bad = folder("evil3", ['A-1,proposal,教育局,2020-03-01,"done\x1b[2J\r"\n'.replace(",t\n", "\n")])
    with open(os.path.join(bad, "cases.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("id,kind,unit,assigned_on,status\nA-1,proposal,教育局,2020-03-01,\"done\x1b[2J\r\"\n")
    p = run([bad, "-c", "count cases"])
    R.check(p.returncode == 1 and clean(p.stderr) and "done␛[2J\\r" in p.stderr, "a load error quotes the value escaped", repr(p.stderr))


def on_terminal(command, cols=100):
    """What `command` (a shell string) prints on a terminal of `cols` columns (a pty by script(1))."""
    return subprocess.run(["script", "-qec", "stty cols %d rows 40; %s" % (cols, command), "/dev/null"],
                          capture_output=True, text=True, timeout=60)


def test_text_caseql_composes():
    # Every text caseql writes that quotes something from outside — a path typed, a header of the
    # file, the dataset's folder, a parameter's value — goes through one escaping sink: the
    # "wrote" messages, .schema, a table's list of columns that did not fit, .show and .params.
    import shlex
    ds = folder("evil4", ['A-1,proposal,教育局,2020-03-01,closed,t\n'])
    out_dir = os.path.join(TMP, "fn")
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "x%s.csv" % "\x1b]0;pwned\x07")
    for labels in ("off", "on"):
        p = on_terminal("%s %s -c '.labels %s' -c %s" % (binary(), ds, labels, shlex.quote(".export %s select * from cases" % path)))
        R.check(clean(p.stdout) and ("wrote 1 row to" in p.stdout or "已写入 1 行" in p.stdout) and "x␛]0;pwned␇.csv" in p.stdout,
                ".labels %s: the message naming a written file shows its path escaped" % labels, repr(p.stdout))
    for cmd in (".report --out %s.csv" % path[:-4], ".check --out %s-check.csv" % path[:-4]):
        p = on_terminal("%s %s -c %s" % (binary(), ds, shlex.quote(cmd)))
        R.check(clean(p.stdout) and "␛]0;pwned␇" in p.stdout, "%s: the message escapes the path" % cmd.split()[0], repr(p.stdout))
    # A header with control characters: .schema, and a table too wide for the terminal, which names
    # the columns it leaves out.
    hdr = os.path.join(TMP, "hdr.csv")
    long_title = "关于" + "加强" * 30 + "的建议"
    with open(hdr, "w", encoding="utf-8", newline="") as f:
        f.write("id,kind,unit,title,status,备注\x1b]0;pwned\x07\x1b[2J,甲列,乙列,丙列,丁列\n")
        f.write("A-1,proposal,教育局,%s,closed,%s,%s,%s,%s,%s\n" % ((long_title,) * 6))
    p = on_terminal("%s %s --no-cache -c .schema" % (binary(), hdr))
    R.check(clean(p.stdout) and "备注␛]0;pwned␇␛[2J" in p.stdout, ".schema shows a header's control characters escaped", repr(p.stdout[-600:]))
    p = on_terminal("%s %s --no-cache -c %s" % (binary(), hdr, shlex.quote("select * from cases")), cols=60)
    import re
    shown = re.sub(r"\x1b\[[0-9;]*m", "", p.stdout)  # the table's own bold and dim
    R.check(clean(shown) and "not shown" in shown and "备注␛]0;pwned␇␛[2J" in shown.split("not shown")[-1], "a table's footer naming the columns left out escapes them", repr(p.stdout[-600:]))
    # The dataset's folder and a parameter's value in .show and .params.
    odd = os.path.join(TMP, "dd\x1b]0;pwned\x07")
    os.makedirs(odd, exist_ok=True)
    with open(os.path.join(odd, "cases.csv"), "w", encoding="utf-8", newline="") as f:
        f.write(HEADER + "A-1,proposal,教育局,2020-03-01,closed,t\n")
    p = on_terminal("%s %s -c %s -c .params -c .show -c %s" % (binary(), shlex.quote(odd), shlex.quote(".set u 教育局\x1b]0;pwned\x07"), shlex.quote(".set u")))
    R.check(clean(p.stdout) and p.stdout.count("␛]0;pwned␇") >= 4, ".show, .params and .set NAME show the folder and the value escaped", repr(p.stdout))


R.case(test_units_report_check)
R.case(test_messages)
R.case(test_text_caseql_composes)
R.finish()
