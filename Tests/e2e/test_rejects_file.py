#!/usr/bin/env python3
"""Issue 12, one way to write a file: the rejects file of a --lenient load goes through caseql's
one CSV writer, with the file defaults (UTF-8 BOM, CRLF, formula guard) and the shell's
`.csv bom|crlf|guard|encoding`, for CSV and .xlsx sources alike. Each rejects file is read back
with Python's csv module and with caseql itself.

    python3 Tests/e2e/test_rejects_file.py
"""

import csv
import io
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import run  # noqa: E402

R = e2elib.Results()
TMP = tempfile.mkdtemp(prefix="caseql-rejects-")
SHIPPED = os.path.join(e2elib.ROOT, "datasets", "zhengzhou-2020", "cases.csv")


def shipped_rows():
    with open(SHIPPED, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def write_csv(path, rows, eol="\n"):
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator=eol).writerows(rows)


def bad_rows(rows):
    """Three rows made bad, the values a spreadsheet would take for formulas among them: a bad
    status, a bad date beside a title `=HYPERLINK(…)`, a bad kind beside a proposer `'-1+1`
    (guarded already: its value is `-1+1`). Returns the rows and the bad ones' indexes."""
    h = rows[0]
    rows = [list(r) for r in rows]
    rows[5][h.index("status")] = "已完成"
    rows[9][h.index("title")] = '=HYPERLINK("http://x","点我"), 第二句'
    rows[9][h.index("assigned_on")] = "2020-13-40"
    rows[20][h.index("proposer")] = "'-1+1"
    rows[20][h.index("kind")] = "请愿书"
    return rows, [5, 9, 20]


def value(cell):
    """A cell's value as caseql reads it: one formula guard's apostrophe off."""
    s = cell
    while s.startswith("'"):
        s = s[1:]
    if cell.startswith("'") and s[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return cell[1:]
    return cell


def read_rejects(path, encoding="utf-8-sig"):
    with open(path, "rb") as f:
        raw = f.read()
    return raw, list(csv.reader(io.StringIO(raw.decode(encoding), newline="")))


def test_csv_source_defaults():
    d = e2elib.fresh(TMP, "csv")
    rows, bad = bad_rows(shipped_rows())
    write_csv(os.path.join(d, "cases.csv"), rows)   # LF, no BOM, as a system export might be
    p = run([d, "--lenient", "--csv", "--no-headers", "-c", "count cases"])
    R.eq((p.returncode, p.stdout), (0, "%d\n" % (len(rows) - 1 - len(bad))), "--lenient: the good rows load")
    raw, got = read_rejects(os.path.join(d, "cases.rejects.csv"))
    R.check(raw.startswith(b"\xef\xbb\xbf"), "the rejects file starts with a UTF-8 BOM", raw[:20])
    R.check(raw.count(b"\r\n") == raw.count(b"\n") and raw.endswith(b"\r\n"), "its lines end in CRLF", raw[:300])
    R.eq(got[0], rows[0], "its header is the file's")
    R.eq([[value(c) for c in r] for r in got[1:]], [[value(c) for c in rows[k]] for k in bad],
         "its rows are the rejected rows' values, in file order")
    title = got[2][rows[0].index("title")]
    R.eq(title, '\'=HYPERLINK("http://x","点我"), 第二句', "a formula-like title is written guarded")
    R.eq(got[3][rows[0].index("proposer")], "'-1+1", "a guarded cell stays guarded once (not twice)")
    # caseql reads its rejects file: the same rows, rejected for the same reasons.
    again = e2elib.fresh(TMP, "again")
    os.rename(os.path.join(d, "cases.rejects.csv"), os.path.join(again, "cases.csv"))
    p = run([again, "-c", "count cases"])
    R.eq(p.returncode, 1, "caseql reads the rejects file back: the rows are still bad")
    for what in ('status: "已完成"', "2020-13-40", "请愿书"):
        R.check(what in p.stderr, "caseql reads the rejects file back: %s named again" % what, p.stderr)
    # Corrected, it loads, and the guarded cells come back as they were.
    with open(os.path.join(again, "cases.csv"), "rb") as f:
        fixed = f.read().decode("utf-8").replace("已完成", "已办结").replace("2020-13-40", "2020-03-04").replace("请愿书", "提案")
    with open(os.path.join(again, "cases.csv"), "wb") as f:
        f.write(fixed.encode("utf-8"))
    p = run([again, "--csv", "--no-headers", "-c", "select title, proposer from cases order by id"])
    R.eq(p.returncode, 0, "the corrected rejects file loads", )
    got = list(csv.reader(io.StringIO(p.stdout)))
    R.check(['=HYPERLINK("http://x","点我"), 第二句', rows[9][rows[0].index("proposer")]] in [[value(c) for c in r] for r in got],
            "the formula-like title reads back as it was", p.stdout)
    R.check([rows[20][rows[0].index("title")], "-1+1"] in [[value(c) for c in r] for r in got],
            "the guarded proposer reads back as its value", p.stdout)


def test_shell_csv_settings_apply():
    rows, bad = bad_rows(shipped_rows())
    for setting, check in ((".csv bom off", lambda raw: not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw),
                           (".csv crlf off", lambda raw: raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw),
                           (".csv guard off", lambda raw: b'"=HYPERLINK(' in raw and b"'=HYPERLINK(" not in raw),
                           (".csv encoding gb18030", lambda raw: not raw.startswith(b"\xef\xbb\xbf") and "已完成".encode("gb18030") in raw)):
        d = e2elib.fresh(TMP, "settings")
        write_csv(os.path.join(d, "cases.csv"), rows)
        p = run(["-c", setting, "-c", ".load %s --lenient" % d])
        R.eq(p.returncode, 0, "%s, then .load --lenient: exit 0" % setting)
        with open(os.path.join(d, "cases.rejects.csv"), "rb") as f:
            raw = f.read()
        R.check(check(raw), "%s applies to the rejects file" % setting, raw[:200])
        text = raw.decode("gb18030" if "gb18030" in setting else "utf-8-sig")
        got = list(csv.reader(io.StringIO(text, newline="")))
        R.eq(len(got), 1 + len(bad), "%s: Python's csv reads the header and the %d rows" % (setting, len(bad)))


def test_xlsx_source():
    d = e2elib.fresh(TMP, "xlsx")
    rows, bad = bad_rows(shipped_rows()[:40])
    rows[9][rows[0].index("title")] = "关于一个标题的建议"   # openpyxl would store `=…` as a formula
    book = os.path.join(d, "cases.xlsx")
    script = ("import sys, json, openpyxl\nwb = openpyxl.Workbook()\nws = wb.active\nws.title = 'cases'\n"
              "for r in json.load(sys.stdin): ws.append(r)\nwb.save(sys.argv[1])\n")
    import json
    p = subprocess.run(["/usr/bin/python3", "-c", script, book], input=json.dumps(rows), capture_output=True, text=True)
    R.check(p.returncode == 0, "openpyxl wrote the workbook", p.stderr)
    p = run([book, "--lenient", "--csv", "--no-headers", "-c", "count cases"])
    R.eq((p.returncode, p.stdout), (0, "%d\n" % (len(rows) - 1 - len(bad))), ".xlsx --lenient: the good rows load")
    cell = "cases.xlsx:cases!%s6" % chr(ord("A") + rows[0].index("status"))
    R.check(cell in p.stderr, "the bad status is named by its cell (%s)" % cell, p.stderr)
    raw, got = read_rejects(os.path.join(d, "cases.rejects.csv"))
    R.check(raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\r\n"), ".xlsx rejects: BOM and CRLF", raw[:40])
    R.eq(got[0], rows[0], ".xlsx rejects: the sheet's header")
    # In a workbook `'-1+1` is the cell's text itself (no guard there): it comes back as that text.
    want = [list(rows[k]) for k in bad]
    R.eq([[value(c) for c in r] for r in got[1:]], want, ".xlsx rejects: the rejected rows' cells, in sheet order")


def test_runaway_quote_keeps_every_character():
    d = e2elib.fresh(TMP, "runaway")
    with open(SHIPPED, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")[:50]
    proposer = next(csv.reader([lines[30]]))[6]
    lines[30] = lines[30].replace("," + proposer + ",", ',"' + proposer + ",", 1)   # a quote never closed
    R.check('"' + proposer in lines[30], "the stray quote is in place")
    with open(os.path.join(d, "cases.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("\r\n".join(lines) + "\r\n")
    p = run([d, "--lenient", "--csv", "--no-headers", "-c", "count cases"])
    R.eq((p.returncode, p.stdout), (0, "%d\n" % (len(lines) - 2)), "a runaway quote: the other rows load")
    raw, got = read_rejects(os.path.join(d, "cases.rejects.csv"))
    R.eq(",".join(got[1]), lines[30], "the malformed line is kept whole, a field per comma, its quote as text")


for t in (test_csv_source_defaults, test_shell_csv_settings_apply, test_xlsx_source, test_runaway_quote_keeps_every_character):
    R.case(t)
R.finish()
