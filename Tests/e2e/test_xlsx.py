#!/usr/bin/env python3
"""End-to-end: .xlsx written by caseql (.export, --out, .output, .report/.check --format xlsx) and
CSV files written through --out/.output, read back by independent readers: openpyxl (Debian's
python3-openpyxl, run with /usr/bin/python3) for workbooks, Python's csv module for CSV.

    python3 Tests/e2e/test_xlsx.py
"""

import csv
import io
import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, dataset, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()
DS = dataset(TMP)
SYSPY = "/usr/bin/python3"

READER = r'''
import json, sys, datetime, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
out = {"sheets": wb.sheetnames, "data": {}}
for ws in wb.worksheets:
    rows = []
    for row in ws.iter_rows():
        cells = []
        for c in row:
            v = c.value
            kind = type(v).__name__
            if isinstance(v, datetime.datetime): v = v.date().isoformat()
            cells.append([v, kind, c.number_format])
        rows.append(cells)
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    out["data"][ws.title] = {"rows": rows, "freeze": ws.freeze_panes, "filter": ws.auto_filter.ref, "widths": widths}
print(json.dumps(out, ensure_ascii=False))
'''


def workbook(path):
    p = subprocess.run([SYSPY, "-c", READER, path], capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    return json.loads(p.stdout)


def sql_rows(query):
    """The same rows from caseql as CSV on stdout (the reference)."""
    p = run([DS, "--csv", "-c", query])
    return list(csv.reader(io.StringIO(p.stdout)))


def test_export_types():
    path = os.path.join(TMP, "r.xlsx")
    q = "select id, title, unit, assigned_on, deadline, year, cosigners, key_supervised, status from cases order by id limit 40"
    p = run([DS, "-c", ".export %s %s" % (path, q)])
    R.check(p.returncode == 0 and "wrote 40 rows" in p.stdout, ".export x.xlsx writes 40 rows", p.stdout + p.stderr)
    with open(path, "rb") as f:
        R.eq(f.read(2), b"PK", "the file is a ZIP (a real workbook, not CSV)")
    wb = workbook(path)
    R.eq(wb["sheets"], ["result"], "one sheet named result")
    s = wb["data"]["result"]
    R.eq([c[0] for c in s["rows"][0]], ["id", "title", "unit", "assigned_on", "deadline", "year", "cosigners", "key_supervised", "status"], "header row")
    R.eq(s["freeze"], "A2", "header row frozen")
    R.eq(s["filter"], "A1:I41", "autofilter over the header and rows")
    ref = sql_rows(q)
    body = s["rows"][1:]
    R.eq(len(body), 40, "40 data rows")
    same = all([("" if c[0] is None else ("true" if c[0] is True else "false" if c[0] is False else str(c[0]))) for c in row] == want
               for row, want in zip(body, ref[1:]))
    R.check(same, "every cell equals caseql's CSV of the same query", repr(body[0]) + "\n" + repr(ref[1]))
    R.eq((body[0][3][1], body[0][3][2]), ("str", "yyyy-mm-dd") if False else ("datetime", "yyyy-mm-dd"), "assigned_on is a date cell shown yyyy-mm-dd")
    R.eq(body[0][5][1], "int", "year is a number")
    R.eq(body[0][7][1], "bool", "key_supervised is a boolean cell")
    R.check(s["widths"]["B"] > s["widths"]["A"] * 2, "the title column is wider than the id column (display width)", s["widths"])


def test_rates_and_labels():
    path = os.path.join(TMP, "g.xlsx")
    p = run([DS, "-c", ".labels on", "-c", ".export %s select unit, count, completion_rate from cases group by unit order by unit" % path])
    R.eq(p.returncode, 0, ".export of a grouped result under .labels on")
    wb = workbook(path)
    R.eq(wb["sheets"], ["查询结果"], "Chinese sheet name under .labels on")
    rows = wb["data"]["查询结果"]["rows"]
    R.eq([c[0] for c in rows[0]], ["主办单位", "数量", "办结率"], "Chinese headers")
    R.check(all(r[1][1] == "int" for r in rows[1:]), "counts are numbers")
    R.check(all(r[2][2] == "0.0%" and r[2][1] in ("int", "float") for r in rows[1:]), "rates are numbers shown as percentages", rows[1])
    ref = {r[0]: float(r[1]) for r in sql_rows("select unit, completion_rate from cases group by unit")[1:]}
    R.check(all(abs(r[2][0] - ref[r[0][0]]) < 1e-6 for r in rows[1:]), "rates equal caseql's CSV fractions")


def test_report_and_check():
    rep, chk = os.path.join(TMP, "rep.xlsx"), os.path.join(TMP, "chk.xlsx")
    p = run([DS, "--asof", "2020-09-17", "-c", ".report --format xlsx --out %s" % rep, "-c", ".check --out %s" % chk])
    R.check(p.returncode == 0, ".report --format xlsx and .check --out x.xlsx", p.stderr)
    wb = workbook(rep)
    R.eq(wb["sheets"], ["sources", "notice", "key_cases", "notice_cases", "topics", "rates", "units", "good_units", "units_below", "units_not_judged", "notes"], "the report: one sheet per section")
    # Each sheet opens with the report's title and section and its scope, as the text does; the
    # header below them is frozen and filtered.
    rows = wb["data"]["rates"]["rows"]
    R.eq([rows[0][0][0], rows[1][0][0]], ["2020 年度人大建议政协提案办理情况——办理质量", "数据 %s，截至 2020-09-17，办结截止 2020-09-30" % os.path.basename(DS)],
         "a sheet's first rows: title——section, then the scope line")
    R.eq((wb["data"]["rates"]["freeze"], wb["data"]["rates"]["filter"][:3]), ("A4", "A3:"), "the header (row 3) frozen and filtered")
    body = lambda name: wb["data"][name]["rows"][3:]
    sources = wb["data"]["sources"]["rows"]
    R.eq((sources[3][1][0], sources[3][1][1]), (1270, "int"), "the total is a number")
    rates = {r[0][0]: r for r in body("rates")}
    R.check(abs(rates["completion_rate"][2][0] - 1147 / 1270) < 1e-9 and rates["completion_rate"][2][2] == "0.0%",
            "办结率 is 1147/1270 as a percentage-formatted number", rates["completion_rate"])
    good = [r[0][0] for r in body("good_units")]
    R.eq(len(good), 30, "30 good units")
    wb = workbook(chk)
    R.eq(wb["sheets"][0], "summary", "the check starts with a summary sheet")
    R.check(wb["data"]["summary"]["rows"][0][0][0] == "建议提案办理问题检查——汇总" and "截至 2020-09-17；签收期限" in wb["data"]["summary"]["rows"][1][0][0],
            "the check's sheets open with what was checked, as of when", wb["data"]["summary"]["rows"][:2])
    rules = [r[0][0] for r in body("summary")][:-1]
    R.eq(body("summary")[-1][0][0], "total", "the summary ends with the total")
    R.check("late-sign" in wb["sheets"] and wb["sheets"][1:] == rules, "one sheet per rule of the summary, in its order",
            (wb["sheets"], rules))
    summary = {r[0][0]: r for r in body("summary")}
    R.eq((summary["late-sign"][3][0], summary["late-sign"][4][0]), (9, 56), "late-sign: 9 units, 56 cases")
    R.eq(len(body("late-sign")), 56, "the late-sign sheet lists its 56 cases")
    p = run([DS, "-c", ".labels on", "-c", ".report --out %s" % rep])
    R.eq(workbook(rep)["sheets"][0], "办理总体情况", "Chinese sheet names under .labels on")
    p = run([DS, "-c", ".report --format xlsx"])
    R.check(p.returncode == 1 and "--out" in p.stderr, "--format xlsx without a file says how to name one", p.stderr)


def test_once_takes_a_report_or_check():
    # `.once FILE` sends the next result there, and a report or a check is a result; a result
    # that cannot be written fails the statement (exit 1), not only a message.
    rep, chk = os.path.join(TMP, "once-rep.xlsx"), os.path.join(TMP, "once-chk.txt")
    p = run([DS, "--asof", "2020-09-17", "-c", ".once %s" % rep, "-c", ".report", "-c", "count cases",
             "-c", ".once %s" % chk, "-c", ".check late-sign", "-c", "count cases"])
    R.check(p.returncode == 0 and p.stdout.count("1270") == 2 and "办理情况" not in p.stdout and "late-sign" not in p.stdout,
            ".once then .report/.check: they go to the files, the next counts to the screen", p.stdout + p.stderr)
    R.eq(workbook(rep)["sheets"][0], "sources", ".once r.xlsx holds the report's workbook")
    R.check("[late-sign]" in open(chk, encoding="utf-8").read(), ".once c.txt holds the check's text")
    p = run([DS, "-c", ".once %s" % os.path.join(TMP, "no-such-folder", "q.csv"), "-c", "count cases"])
    R.check(p.returncode == 1 and "no-such-folder" in p.stderr and "1270" not in p.stdout,
            ".once into a folder that is not there: the statement fails, exit 1", "exit %d %s" % (p.returncode, p.stderr))
    p = run([DS, "-c", ".once %s" % os.path.join(TMP, "q.txt"), "-c", "count cases"])
    R.check(p.returncode == 1 and ".txt" in p.stderr, ".once q.txt then a query: refused (a result is not .txt), exit 1", p.stderr)


def test_write_failures_and_streams():
    # A result that cannot be written to its .once file (a full disk) fails that statement only;
    # the next one runs (--keep-going), and the interactive shell stays (test below in tmux is
    # the same code path: Session.runStatement).
    p = run([DS, "--keep-going", "-c", ".once /dev/full", "-c", "count cases", "-c", "count events"])
    R.check(p.returncode == 1 and "cannot write /dev/full" in p.stderr and "6368" in p.stdout,
            ".once /dev/full: that statement fails, the next runs", "exit %d %s %s" % (p.returncode, p.stdout, p.stderr))
    p = run([DS, "--asof", "2020-09-17", "-c", ".report --out /dev/stdout"])
    R.check(p.returncode == 0 and "人大建议政协提案办理情况" in p.stdout, ".report --out /dev/stdout writes the text in place", p.stderr)
    p = run([DS, "--asof", "2020-09-17", "-c", ".once /dev/stdout", "-c", ".check late-sign"])
    R.check(p.returncode == 0 and "[late-sign]" in p.stdout, ".once /dev/stdout then .check", p.stderr)
    p = run([DS, "-c", ".once %s" % os.path.join(TMP, "f4.csv"), "-c", ".once %s" % os.path.join(TMP, "f5.csv"), "-c", "count cases"])
    R.check("f4.csv got no result" in p.stderr and os.path.exists(os.path.join(TMP, "f5.csv")) and not os.path.exists(os.path.join(TMP, "f4.csv")),
            "a .once replaced by another is said, not dropped silently", p.stderr)
    p = run([DS, "-c", "count events", "-c", ".once %s" % os.path.join(TMP, "f2.csv")])
    R.check(p.returncode == 0 and "f2.csv got no result" in p.stderr, "a .once at the end of a script is said", p.stderr)


def test_out_and_output_by_extension():
    out = os.path.join(TMP, "a.csv")
    p = run([DS, "--out", out, "-c", "select id, unit from cases order by id limit 3"])
    with open(out, "rb") as f:
        data = f.read()
    R.check(data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and "│".encode() not in data,
            "--out a.csv: BOM, CRLF, never a box table", data[:80])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    R.eq(rows, sql_rows("select id, unit from cases order by id limit 3"), "--out a.csv holds the rows")
    j = os.path.join(TMP, "a.json")
    run([DS, "--out", j, "-c", "select id from cases order by id limit 2"])
    with open(j, encoding="utf-8") as f:
        R.eq(len(json.load(f)), 2, "--out a.json writes JSON")
    x = os.path.join(TMP, "o.xlsx")
    p = run([DS, "-c", ".output %s" % x, "-c", "select id from cases limit 3", "-c", "count cases group by unit", "-c", ".output stdout", "-c", "count cases"])
    R.check(p.returncode == 0 and "1270" in p.stdout and "result" not in p.stdout, ".output x.xlsx, then back to stdout", p.stdout + p.stderr)
    wb = workbook(x)
    R.eq(wb["sheets"], ["result", "result (2)"], ".output x.xlsx: one sheet per result")
    g = os.path.join(TMP, "gb.csv")
    p = run([DS, "-c", ".csv encoding gb18030", "-c", ".output %s" % g, "-c", "select unit from cases order by id limit 1", "-c", ".report --format csv"])
    with open(g, "rb") as f:
        data = f.read()
    text = data.decode("gb18030")
    R.check(not data.startswith(b"\xef\xbb\xbf") and "文化广电旅游局" in text and "completion_rate" in text,
            ".output gb.csv under .csv encoding gb18030: the rows and the report in GB18030", data[:60])
    c = os.path.join(TMP, "rep.csv")
    run([DS, "-c", ".report --out %s" % c])
    with open(c, "rb") as f:
        data = f.read()
    R.check(data.startswith(b"\xef\xbb\xbfsection,unit,item") and b"\r\n" in data, ".report --out rep.csv: CSV with BOM and CRLF", data[:40])


R.case(test_export_types)
R.case(test_rates_and_labels)
R.case(test_report_and_check)
R.case(test_once_takes_a_report_or_check)
R.case(test_write_failures_and_streams)
R.case(test_out_and_output_by_extension)
R.finish()
