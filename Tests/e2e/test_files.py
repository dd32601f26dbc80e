#!/usr/bin/env python3
"""End-to-end: the files caseql writes, by one rule. A file's extension picks its format for
.export, --out, .output, .once and .report/.check --out; a name that gives no format caseql
writes (.xls, .txt for a result, none) or a format that contradicts it is refused before anything
is written; .report/.check under .output FILE are written in the file's format; an .xlsx output
keeps the results before an error (scripts) and is rewritten after each result (interactive);
literal _xHHHH_ text and years below 1000 survive a round trip. Files are read back with Python's
csv module, openpyxl (/usr/bin/python3), LibreOffice and caseql itself.

    python3 Tests/e2e/test_files.py
"""

import csv
import io
import json
import os
import shlex
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Pane, Results, binary, dataset, fresh, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()
DS = dataset(TMP)
SYSPY = "/usr/bin/python3"
TOTAL = int(run([DS, "--csv", "--no-headers", "-c", "count cases"]).stdout.strip())

READER = r'''
import json, sys, datetime, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=sys.argv[2] == "ro")
out = {"sheets": wb.sheetnames, "data": {}}
for ws in wb.worksheets:
    rows = []
    for row in ws.iter_rows():
        rows.append([c.value.date().isoformat() if isinstance(c.value, datetime.datetime) else c.value for c in row])
    out["data"][ws.title] = rows
print(json.dumps(out, ensure_ascii=False))
'''


def workbook(path, read_only=False):
    p = subprocess.run([SYSPY, "-c", READER, path, "ro" if read_only else "rw"], capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    return json.loads(p.stdout)


def csv_rows(path):
    with open(path, "rb") as f:
        return list(csv.reader(io.StringIO(f.read().decode("utf-8-sig"), newline="")))


def test_workbook_kept_when_a_script_fails():
    d = fresh(TMP, "fail")
    w = os.path.join(d, "w.xlsx")
    p = run([DS, "-c", ".output %s" % w, "-c", "count cases", "-c", "selec bogus"])
    R.eq(p.returncode, 1, "-c with an error: exit 1")
    R.check(os.path.exists(w), "-c with an error: the workbook is written", os.listdir(d))
    if os.path.exists(w):
        R.eq(workbook(w)["data"]["result"], [["count"], [TOTAL]], "it holds the count before the error")
    R.check("w.xlsx holds the 1 result before the error" in p.stderr, "and says so", p.stderr)
    # The same from a script file and from standard input, two results before the error.
    script = os.path.join(d, "s.cql")
    with open(script, "w") as f:
        f.write(".output %s/f.xlsx\ncount cases\nselect id from cases order by id limit 2;\nselect nothing_here from cases;\ncount cases\n" % d)
    p = run([DS, "-f", script])
    R.check(p.returncode == 1 and workbook(os.path.join(d, "f.xlsx"))["sheets"] == ["result", "result (2)"],
            "-f with an error: the two results before it are kept", p.stderr)
    p = run([DS], input=".output %s/i.xlsx\ncount cases;\nselec x;\n" % d)
    R.check(p.returncode == 1 and workbook(os.path.join(d, "i.xlsx"))["data"]["result"] == [["count"], [TOTAL]],
            "a script on standard input with an error: the workbook is written", p.stderr)
    # Output switched elsewhere, then an error: the first workbook was finished at the switch.
    p = run([DS, "-c", ".output %s/a.xlsx" % d, "-c", "count cases", "-c", ".output %s/b.csv" % d, "-c", "count cases", "-c", "selec"])
    R.check(p.returncode == 1 and workbook(os.path.join(d, "a.xlsx"))["sheets"] == ["result"]
            and csv_rows(os.path.join(d, "b.csv")) == [["count"], [str(TOTAL)]],
            ".output a.xlsx, .output b.csv, an error: both files hold their results", p.stderr)
    # Nothing sent to a workbook: no file, and the user is told.
    p = run([DS, "-c", ".output %s/none.xlsx" % d])
    R.check(p.returncode == 0 and not os.path.exists(os.path.join(d, "none.xlsx")) and "no result was sent to" in p.stderr,
            ".output x.xlsx with no result: no file, and a note", p.stderr)


class Term(Pane):
    """caseql in a tmux pane (private socket), its exit status kept on the screen."""

    def __init__(self, cwd):
        super().__init__(R, "caseql-files-%d" % os.getpid(), "files", text_pause=0.1, key_pause=0.2, poll=0.1, join=True)
        inner = "cd %s && env CASEQL_HISTORY=%s LANG=C.UTF-8 TERM=xterm-256color %s %s --no-rc; echo EXIT=$?; sleep 30" % (
            shlex.quote(cwd), shlex.quote(os.path.join(cwd, "hist")), shlex.quote(binary()), shlex.quote(DS))
        self.start("sh -c %s" % shlex.quote(inner), 120, 40)
        self.wait_prompt()

    def wait_file(self, path, what, timeout=10.0):
        end = time.time() + timeout
        while time.time() < end and not os.path.exists(path):
            time.sleep(0.1)
        return R.check(os.path.exists(path), what)


def test_interactive_workbook_survives_every_way_out():
    d = fresh(TMP, "interactive")
    t = Term(d)
    try:
        t.text(".output w.xlsx\n")
        t.text("count cases\n")
        # Written after each result: there while caseql still runs.
        if t.wait_file(os.path.join(d, "w.xlsx"), "interactive .output w.xlsx: the workbook exists after the first result"):
            R.eq(workbook(os.path.join(d, "w.xlsx"))["data"]["result"], [["count"], [TOTAL]], "and holds it")
        t.text("select id from cases order by id limit 2\n")
        time.sleep(1.0)
        # Killed with the terminal (SIGHUP): both results are in the file.
        t.kill()
        time.sleep(0.5)
        R.eq(workbook(os.path.join(d, "w.xlsx"))["sheets"], ["result", "result (2)"], "after SIGHUP the workbook holds both results")
        # Ctrl-D: the workbook is there and caseql exits 0.
        t = Term(d)
        t.text(".output d.xlsx\n")
        t.text("count cases\n")
        time.sleep(0.5)
        t.keys("C-d")
        t.wait(lambda ls: any(l.startswith("EXIT=") for l in ls), "caseql exits on Ctrl-D")
        R.check(any(l == "EXIT=0" for l in t.screen()) and workbook(os.path.join(d, "d.xlsx"))["data"]["result"] == [["count"], [TOTAL]],
                "Ctrl-D: exit 0, the workbook holds the result", "\n".join(t.screen()))
    finally:
        t.kill()


def test_format_comes_from_the_extension():
    d = fresh(TMP, "ext")
    refused = [
        (["-c", ".export %s/u.xls count cases" % d], "caseql writes .xlsx, not the old .xls", 1),
        (["--out", "%s/u.xls" % d, "-c", "count cases"], "caseql writes .xlsx, not the old .xls", 2),
        (["-c", ".output %s/u.xls" % d, "-c", "count cases"], "caseql writes .xlsx, not the old .xls", 1),
        (["-c", ".once %s/u.xls" % d, "-c", "count cases"], "caseql writes .xlsx, not the old .xls", 1),
        (["-c", ".report --out %s/u.xls" % d], "caseql writes .xlsx, not the old .xls", 1),
        (["-c", ".check --out %s/u.xls" % d], "caseql writes .xlsx, not the old .xls", 1),
        (["-c", ".export %s/u.txt count cases" % d], ".txt is for .report and .check", 1),
        # --out x.txt takes a report (what the statement is decides): a query there fails at its statement.
        (["--out", "%s/u.txt" % d, "-c", "count cases"], ".txt is for .report and .check", 1),
        (["-c", ".export %s/noext count cases" % d], "has no extension", 1),
        (["-c", ".output %s/u.docx" % d], ".docx is not a format caseql writes", 1),
        (["-c", ".check --format csv --out %s/c.xlsx" % d], "--format csv does not match", 1),
        (["-c", ".report --format markdown --out %s/c.csv" % d], "--format markdown does not match", 1),
        (["-c", ".report --out %s/c.json" % d], "a report or check is not written as .json", 1),
        (["--json", "--out", "%s/a.csv" % d, "-c", "count cases"], "is written as csv (its extension), not json", 2),
        (["--table", "--out", "%s/a.md" % d, "-c", "count cases"], "not table", 2),
    ]
    for args, message, code in refused:
        p = run([DS] + args)
        R.check(p.returncode == code and message in p.stderr, "refused (exit %d): %s" % (code, " ".join(args)), p.stderr)
    R.eq(sorted(os.listdir(d)), [], "nothing was written by a refused name")
    # What each accepted extension writes; never a box table.
    q = "select id, unit from cases order by id limit 3"
    want = [["id", "unit"]] + csv_rows_of(q)
    run([DS, "--out", "%s/a.tsv" % d, "-c", q])
    with open(os.path.join(d, "a.tsv"), encoding="utf-8-sig", newline="") as f:
        R.eq(list(csv.reader(f, delimiter="\t")), want, "--out a.tsv: TSV")
    run([DS, "-c", ".once %s/o.jsonl" % d, "-c", q])
    with open(os.path.join(d, "o.jsonl"), encoding="utf-8") as f:
        R.eq([[r["id"], r["unit"]] for r in map(json.loads, f)], want[1:], ".once o.jsonl: JSON Lines")
    run([DS, "-c", ".output %s/o.md" % d, "-c", q])
    run([DS, "-c", ".report --out %s/r.txt" % d, "-c", ".check --out %s/c.md" % d, "-c", ".report --format csv --out %s/r.csv" % d])
    with open(os.path.join(d, "r.txt"), encoding="utf-8") as f:
        R.check(f.read().startswith("2020 年度人大建议政协提案办理情况\n"), ".report --out r.txt: the text report")
    with open(os.path.join(d, "c.md"), encoding="utf-8") as f:
        R.check(f.read().startswith("# "), ".check --out c.md: Markdown")
    R.eq(csv_rows(os.path.join(d, "r.csv"))[0], ["section", "unit", "item", "value", "target", "note"], ".report --format csv --out r.csv: CSV")
    for name in os.listdir(d):
        with open(os.path.join(d, name), "rb") as f:
            R.check("│".encode() not in f.read() and "┌".encode() not in f.read(), "%s: no box table" % name)


def csv_rows_of(query):
    return list(csv.reader(io.StringIO(run([DS, "--csv", "--no-headers", "-c", query]).stdout)))


def test_report_under_output_follows_the_file():
    d = fresh(TMP, "report")
    w = os.path.join(d, "w.csv")
    p = run([DS, "-c", ".output %s" % w, "-c", "count cases", "-c", ".report", "-c", ".check late-sign"])
    rows = csv_rows(w)
    R.check(p.returncode == 0 and rows[:2] == [["count"], [str(TOTAL)]] and ["section", "unit", "item", "value", "target", "note"] in rows
            and ["rule", "title", "unit", "case_id", "reason"] in rows and not any("办理情况" in c for r in rows for c in r),
            ".output w.csv then .report and .check: their CSV sections, no text", p.stderr + repr(rows[:3]))
    x = os.path.join(d, "w.xlsx")
    p = run([DS, "-c", ".output %s" % x, "-c", "count cases", "-c", ".report"])
    R.check(p.returncode == 0 and "办理" not in p.stdout, ".output w.xlsx then .report: nothing on the terminal", p.stdout)
    R.eq(workbook(x)["sheets"][:3], ["result", "sources", "notice"], ".output w.xlsx then .report: the report's sheets in the workbook")
    p = run([DS, "-c", ".output %s/w.json" % d, "-c", ".report"])
    R.check(p.returncode == 1 and "--out FILE" in p.stderr, ".output w.json then .report: refused, naming --out", p.stderr)
    p = run([DS, "-c", ".output %s/w.md" % d, "-c", ".report --format csv"])
    R.check(p.returncode == 1 and "--format csv does not match" in p.stderr, ".output w.md then .report --format csv: refused", p.stderr)


def test_report_formats_carry_every_rate():
    d = fresh(TMP, "rates")
    run([DS, "-c", ".report --out %s/r.xlsx" % d, "-c", ".report --out %s/r.csv" % d, "-c", ".report --out %s/r.txt" % d])
    wb = workbook(os.path.join(d, "r.xlsx"))
    rates = wb["data"]["rates"][3:]   # below the title, the scope and the header
    names = [r[0] for r in rates]
    R.eq(names, ["completion_rate", "face_to_face_rate", "satisfaction_rate", "strict_satisfaction_rate", "reply_rate",
                 "on_time_reply_rate", "resolution_rate", "first_satisfaction_rate", "basic_satisfaction_rate"], "the workbook: 9 rates")
    R.eq([r[2] for r in csv_rows(os.path.join(d, "r.csv")) if r[0] == "rates"], names, "the CSV: the same 9 rates")
    with open(os.path.join(d, "r.txt"), encoding="utf-8") as f:
        text = f.read()
    R.check(all(("  " + r[1]) in text for r in rates), "the text lists each of the workbook's rate labels", [r[1] for r in rates])
    for r in rates:
        n, den = r[3], r[4]
        R.check(den == 0 or abs(r[2] - n / den) < 1e-9, "%s = %d/%d" % (r[0], n, den), r)
    topics = wb["data"]["topics"][2:]   # the header, then the topics
    R.check(len(topics) > 1 and ("%s：通报 %d 件，数据 %d 件" % (topics[1][0], topics[1][1], topics[1][2])) in text,
            "the topics sheet holds the text's topic line", topics)


def test_escapes_and_old_years_round_trip():
    d = fresh(TMP, "roundtrip")
    src = os.path.join(d, "odd.csv")
    titles = ["关于_x0041_的建议", "_x005F_x0041_ 与 _x000D_ 和 _x00zz_", "普通案由"]
    with open(src, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["编号", "案由", "主办单位", "交办日期"])
        for i, (t, day) in enumerate(zip(titles, ["0220-03-05", "2020-03-05", "0999-12-31"])):
            w.writerow(["A-%d" % i, t, "教育局", day])
    q = "select id, title, assigned_on from cases order by id"
    want = [["id", "title", "assigned_on"], ["A-0", titles[0], "0220-03-05"], ["A-1", titles[1], "2020-03-05"], ["A-2", titles[2], "0999-12-31"]]
    p = run([src, "--kind", "suggestion", "-c", ".export %s/o.csv %s" % (d, q), "-c", ".export %s/o.xlsx %s" % (d, q)])
    R.eq(p.returncode, 0, "export to .csv and .xlsx")
    R.eq(csv_rows(os.path.join(d, "o.csv")), want, "CSV: four-digit years, the text as it was (Python csv)")
    for f in ("o.csv", "o.xlsx"):
        p = run([os.path.join(d, f), "--kind", "suggestion", "--csv", "-c", q])
        R.eq(list(csv.reader(io.StringIO(p.stdout))), want, "caseql reads its own %s back to the same rows" % f)
    with subprocess.Popen(["unzip", "-p", os.path.join(d, "o.xlsx"), "xl/worksheets/sheet1.xml"], stdout=subprocess.PIPE) as z:
        xml = z.stdout.read().decode()
    R.check("关于_x005F_x0041_的建议" in xml and "_x005F_x005F_x005F_x0041_ 与 _x005F_x000D_ 和 _x00zz_" in xml,
            "the sheet XML escapes each literal _xHHHH_ as _x005F_xHHHH_ (ECMA-376 ST_Xstring)", xml[-600:])
    # openpyxl (3.0/3.1) does not decode _xHHHH_ in inline strings, in either mode: it shows the
    # escaped text, as it would for a workbook Excel wrote. Stated here, not hidden.
    for ro in (False, True):
        got = workbook(os.path.join(d, "o.xlsx"), read_only=ro)["data"]["result"]
        R.eq(got[1][1], "关于_x005F_x0041_的建议", "openpyxl (read_only=%s) gives the escaped text, undecoded" % ro)
        R.eq([r[2] for r in got[1:]], ["0220-03-05", "2020-03-05", "0999-12-31"], "openpyxl: the years below 1900 are text in four digits")
    if shutil.which("soffice"):
        out = os.path.join(d, "lo")
        subprocess.run(["soffice", "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", out,
                        os.path.join(d, "o.xlsx")], capture_output=True, timeout=180,
                       env=dict(os.environ, HOME=os.path.join(d, "lohome")))
        rows = csv_rows(os.path.join(out, "o.csv")) if os.path.exists(os.path.join(out, "o.csv")) else None
        R.eq(rows and [r[1] for r in rows], [r[1] for r in want], "LibreOffice decodes the escapes back to the literal text")


R.case(test_workbook_kept_when_a_script_fails)
R.case(test_interactive_workbook_survives_every_way_out)
R.case(test_format_comes_from_the_extension)
R.case(test_report_under_output_follows_the_file)
R.case(test_report_formats_carry_every_rate)
R.case(test_escapes_and_old_years_round_trip)
R.finish()
