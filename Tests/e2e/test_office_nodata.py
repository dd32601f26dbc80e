#!/usr/bin/env python3
"""End-to-end: `.report` and `.check` on lists that lack what a figure or a rule needs.

- A case without a year is "年度未填", never -2147483648 (the empty year's storage), on a list
  whose year column is partly empty and on one without it.
- A rule of `.check` the data cannot judge (no units.csv, no events, no signed_on/form/… column)
  says 无数据 and which file or column is missing, never 未发现问题, in text, Markdown, CSV and the
  workbook; `.report`'s 重点督办 and 闭会 counts without their columns say 无数据, not 0; without
  units.csv the missing unit list is said once, not as each unit's shortfall.
- The `.check` workbook's summary ends with the text's total (合计：…).
- A unit not judged (no cases as of an early date, or data missing) is listed apart from the
  units below standard, in every format, and good + below + not judged = all units.

Workbooks are read with openpyxl under /usr/bin/python3 (report and check sheets open with two
caption lines; the header is row 3).

    python3 Tests/e2e/test_office_nodata.py
"""

import csv
import io
import json
import os
import random
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, dataset, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()
SYSPY = "/usr/bin/python3"
NONE = "-2147483648"

# Reads every sheet of a workbook as lists of values (None for an empty cell).
READ_XLSX = r"""
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
print(json.dumps({ws.title: [[c for c in r] for r in ws.iter_rows(values_only=True)] for ws in wb}, ensure_ascii=False, default=str))
"""


def xlsx(path):
    p = subprocess.run([SYSPY, "-c", READ_XLSX, path], capture_output=True, text=True, check=True)
    return json.loads(p.stdout)


def body(sheet):
    """A report/check sheet's header and rows (below its two caption lines)."""
    return sheet[2], sheet[3:]


def caseql(source, *commands, extra=()):
    p = run(["--no-cache", source] + list(extra) + [a for c in commands for a in ("-c", c)])
    if p.returncode != 0:
        raise RuntimeError("exit %d: %s" % (p.returncode, p.stderr))
    return p.stdout


UNITS = ["市%s局" % w for w in "甲乙丙丁戊己庚辛壬癸"] + ["%s区政府" % w for w in "东西南北"]
STATUSES = ["closed", "closed", "closed", "replied", "in_progress"]


def make_two_sheets(path, seed=11):
    """A workbook like an office's: 建议 on one sheet, 提案 on the next (a title line above its
    header), shuffled columns, no units/events, no signed_on/form/key_supervised/recess columns."""
    rnd = random.Random(seed)
    spec = {"s": [], "p": []}
    n = 0
    for sheet, count in (("s", 37), ("p", 52)):
        for i in range(count):
            n += 1
            day = "2020-%02d-%02d" % (rnd.randint(2, 6), rnd.randint(1, 28))
            unit = rnd.choice(UNITS)
            # The districts close every case to the deputies' satisfaction: nothing found against
            # them, yet without units.csv they cannot be judged good.
            district = unit.endswith("区政府")
            spec[sheet].append({"编号": "%s-%04d" % ("JY" if sheet == "s" else "TA", rnd.randint(1, 9999) * 100 + i),
                                "案由": "关于第%d件事项%s的%s" % (n, rnd.choice("甲乙丙丁"), "建议" if sheet == "s" else "提案"),
                                "主办单位": unit, "交办日期": day, "办理状态": "closed" if district else rnd.choice(STATUSES),
                                "年度": "2020", "满意度": "满意" if district else rnd.choice(["满意", "基本满意", "不满意", ""])})
    script = r"""
import json, sys, openpyxl
spec = json.loads(sys.argv[2])
wb = openpyxl.Workbook()
a = wb.active; a.title = "人大代表建议"
cols = ["编号", "案由", "主办单位", "交办日期", "办理状态", "年度"]
a.append(cols)
for r in spec["s"]: a.append([r[c] for c in cols])
b = wb.create_sheet("政协委员提案")
b.append(["2020年政协委员提案办理情况一览表"])
cols = ["主办单位", "办理状态", "案由", "编号", "年度", "满意度", "交办日期"]
b.append(cols)
for r in spec["p"]: b.append([r[c] or None for c in cols])
wb.save(sys.argv[1])
"""
    subprocess.run([SYSPY, "-c", script, path, json.dumps(spec, ensure_ascii=False)], check=True)
    return spec


TWO = os.path.join(TMP, "two.xlsx")
SPEC = make_two_sheets(TWO)
# The rules such a list cannot judge, and a word of the reason each must give.
NO_DATA = {"no-reception-day": "units.csv", "no-media": "units.csv", "shirking": "events.csv", "old-form": "form",
           "incomplete-form": "resolution", "class-mismatch": "resolution", "closed-unsatisfied": "events.csv",
           "co-unit-late": "co_units", "late-sign": "signed_on", "late-return-request": "events.csv",
           "late-reply": "replied_on"}


def check_sections(text):
    """The text of `.check`: {rule id: its section's lines}."""
    out, rule = {}, None
    for line in text.splitlines():
        if line.startswith("[") and "]" in line:
            rule = line[1:line.index("]")]
            out[rule] = []
        elif rule and line.strip():
            out[rule].append(line.strip())
    return out


def test_empty_year():
    path = os.path.join(TMP, "noyear.csv")
    rows = [("A1", "建议", "2020", "关于甲的建议", "教育局"), ("A2", "提案", "", "关于乙的提案", "教育局"),
            ("A3", "提案", "2020", "关于丙的提案", "民政局"), ("A4", "建议", "", "关于丁的建议", "民政局"),
            ("A5", "提案", "2019", "关于戊的提案", "民政局"), ("A6", "提案", "2020", "关于己的提案", "教育局")]
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["编号", "类别", "年度", "案由", "主办单位"])
        w.writerows(rows)
    text = caseql(path, ".report")
    R.check(NONE not in text, "text: no -2147483648 for an empty year", text)
    R.check("其他：年度未填的市政协提案" in text and "其他：年度未填的市人大建议" in text, "text: each case without a year on a 年度未填 line", text)
    lines = [l.split() for l in text.splitlines() if l.startswith("  ") and "年度未填" in l]
    R.eq(sorted(l[1] for l in lines), ["1", "1"], "text: one case on each 年度未填 line")
    for fmt in ("markdown", "csv"):
        out = caseql(path, ".report --format %s" % fmt)
        R.check(NONE not in out and "年度未填" in out, "%s: 年度未填, no -2147483648" % fmt, out[:2000])
    src = [r for r in csv.reader(io.StringIO(caseql(path, ".report --format csv"))) if r[0] == "sources"]
    R.eq(sum(int(r[3]) for r in src[1:]), int(src[0][3]), "csv: the parts add up to the total (%s)" % src[0][3])
    out = os.path.join(TMP, "noyear.xlsx")
    caseql(path, ".report --out %s" % out)
    book = xlsx(out)
    cells = [str(c) for sheet in book.values() for row in sheet for c in row if c is not None]
    R.check(not any(NONE in c for c in cells), "xlsx: no -2147483648 in any cell")
    R.check(any("年度未填" in c for c in cells), "xlsx: 年度未填 in the sources")
    # A list without a year column: nothing year-based to print, no 年度未填 line.
    bare = os.path.join(TMP, "noyearcol.csv")
    with open(bare, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["编号", "类别", "案由", "主办单位"])
        w.writerows([(r[0], r[1], r[3], r[4]) for r in rows])
    text = caseql(bare, ".report")
    R.check(NONE not in text and "年度未填" not in text and "其他" not in text,
            "no year column: no year lines, no 其他 line", text)
    total = [l.split() for l in text.splitlines() if l.strip().startswith("共办理")]
    R.check(total and total[0][1] == "6", "no year column: 6 cases in all", text[:600])


def test_check_no_data_text():
    text = caseql(TWO, ".check")
    sec = check_sections(text)
    R.eq(sorted(sec), sorted(list(NO_DATA) + ["overdue"]), "text: a section for each of the 12 rules")
    for rule, word in NO_DATA.items():
        lines = sec.get(rule, [])
        R.check(len(lines) == 1 and lines[0].startswith("无数据：") and word in lines[0],
                "text: %s says 无数据 naming %s" % (rule, word), "\n".join(lines))
    R.check(not any("no rehandle" in l or "未重新办理" in l for l in sec.get("closed-unsatisfied", [])),
            "text: closed-unsatisfied flags no case when there are no events")
    total = [l for l in text.splitlines() if l.startswith("合计：")]
    R.check(len(total) == 1 and "%d 条无数据" % len(NO_DATA) in total[0], "text: the total counts the rules without data", total)
    md = caseql(TWO, ".check --format markdown")
    for rule in NO_DATA:
        part = md.split("`%s`" % rule, 1)[1].split("\n## ", 1)[0]
        R.check("无数据：" in part and "未发现问题" not in part, "markdown: %s says 无数据" % rule, part)
    rows = list(csv.reader(io.StringIO(caseql(TWO, ".check --format csv"))))
    nd = {r[0]: r[4] for r in rows[1:] if r[4].startswith("无数据：")}
    R.eq(sorted(nd), sorted(NO_DATA), "csv: one 无数据 row for each rule the data cannot judge")
    R.check(all(NO_DATA[k] in v for k, v in nd.items()), "csv: each 无数据 row names what is missing", nd)


def test_check_workbook_total_and_no_data():
    out = os.path.join(TMP, "check.xlsx")
    text = caseql(TWO, ".check")
    caseql(TWO, ".check --out %s" % out)
    book = xlsx(out)
    header, rows = body(book["summary"])
    R.eq(header[:6], ["rule", "title", "notice", "units", "cases", "result"], "summary header (row 3)")
    last = rows[-1]
    total = [l for l in text.splitlines() if l.startswith("合计：")][0]
    R.eq(last[1], total, "the summary's last row is the text's total")
    per = {r[0]: r for r in rows[:-1]}
    for rule, word in NO_DATA.items():
        R.check(per[rule][5].startswith("无数据：") and word in per[rule][5] and per[rule][3] is None,
                "workbook: %s 无数据 (no 0 units)" % rule, per[rule])
        sheet = book[rule]
        R.check(any(c and str(c).startswith("无数据：") for r in sheet[3:] for c in r), "workbook: sheet %s says 无数据" % rule)
    # On the shipped dataset the total of the workbook is the text's.
    ds = dataset(TMP)
    full = os.path.join(TMP, "check-full.xlsx")
    text = caseql(ds, ".check")
    caseql(ds, ".check --out %s" % full)
    header, rows = body(xlsx(full)["summary"])
    total = [l for l in text.splitlines() if l.startswith("合计：")][0]
    R.eq(rows[-1][1], total, "shipped: the summary's last row is the text's total (%s)" % total)
    R.eq(rows[-1][3:5], [int(total.split("涉及 ")[1].split(" ")[0]), int(total.split("，")[-1].split(" ")[0])],
         "shipped: the total row's units and cases are numbers")
    R.eq(sum(r[4] or 0 for r in rows[:-1]), rows[-1][4], "shipped: the rules' cases add up to the total")


def test_report_no_data():
    text = caseql(TWO, ".report")
    key = [l for l in text.splitlines() if l.strip().startswith("重点督办")]
    R.check(len(key) == 1 and "无数据" in key[0] and "key_supervised" in key[0], "text: 重点督办 无数据 naming key_supervised", key)
    rec = [l for l in text.splitlines() if "闭会" in l]
    R.check(rec and all("无数据" in l and "recess" in l for l in rec) and not any("含闭会" in l for l in rec),
            "text: the recess counts say 无数据, not 含闭会建议 0 件", rec)
    R.check("units.csv 无此单位" not in text, "text: no unit is faulted for units.csv missing", text[-3000:])
    R.eq(text.count("未载入单位名单（units.csv）"), 1, "text: the missing unit list said once")
    rows = list(csv.reader(io.StringIO(caseql(TWO, ".report --format csv"))))
    key = [r for r in rows if r[0] == "key_supervised"]
    R.check(len(key) == 1 and key[0][3] == "" and "无数据" in key[0][5], "csv: 重点督办 has no value and says 无数据", key)
    out = os.path.join(TMP, "report-two.xlsx")
    caseql(TWO, ".report --out %s" % out)
    header, rows = body(xlsx(out)["sources"])
    key = [r for r in rows if r[0] == "重点督办"]
    R.check(len(key) == 1 and key[0][1] is None and "无数据" in key[0][2], "xlsx: 重点督办 count empty, 无数据", key)


def standings(src, *commands):
    """Units by standing in text, CSV and the workbook."""
    text = caseql(src, *commands, ".report")
    def section(title):
        for line in text.splitlines():
            if "、" + title + "（" in line:
                return int(line.split("（")[1].split(" ")[0])
        return 0
    t = {"good": section("好的单位"), "below": section("未达标单位"), "not_judged": section("未评单位")}
    rows = list(csv.reader(io.StringIO(caseql(src, *commands, ".report --format csv"))))
    good = [r for r in rows if r[0] == "unit" and r[2] == "good"]
    c = {"good": sum(r[3] == "true" for r in good), "below": sum(r[3] == "false" for r in good),
         "not_judged": sum(r[3] == "" for r in good)}
    out = os.path.join(TMP, "st-%d.xlsx" % random.randint(0, 1 << 30))
    caseql(src, *commands, ".report --out %s" % out)
    book = xlsx(out)
    x = {"good": len(body(book["good_units"])[1]), "below": len(body(book["units_below"])[1]),
         "not_judged": len([r for r in body(book["units_not_judged"])[1] if r[0]])}
    units = len(body(book["units"])[1])
    return text, t, c, x, units


def test_not_judged_apart():
    ds = dataset(TMP)
    text, t, c, x, units = standings(ds, ".asof 2020-03-01")
    R.eq(t, c, "as of 2020-03-01: text and CSV agree on good / below / not judged (%r)" % t)
    R.eq(t, x, "as of 2020-03-01: text and workbook agree")
    R.eq(sum(t.values()), units, "as of 2020-03-01: good + below + not judged = all %d units" % units)
    below = text.split("未达标单位", 1)[1].split("未评单位", 1)[0] if "未达标单位" in text else ""
    R.check("无承办案件" not in below, "as of 2020-03-01: no unit without cases is listed as below standard", below[:800])
    R.check(t["not_judged"] > 0 and "无承办案件，不评" in text.split("未评单位", 1)[1], "the units without cases are listed apart, not judged")
    # As of the notice's date: the notice's 30 good units, nothing not judged.
    text, t, c, x, units = standings(ds)
    R.eq(t["good"], 30, "shipped as of 2020-09-17: 30 good units")
    R.eq((t, t), (c, x), "shipped: text, CSV and workbook agree (%r)" % t)
    R.eq(sum(t.values()), units, "shipped: good + below + not judged = all units")
    # The two-sheet list: no unit can be good; a unit below is below for a reason of its own.
    text, t, c, x, units = standings(TWO)
    R.eq((t["good"], t == c, t == x, sum(t.values()) == units), (0, True, True, True),
         "two sheets: none good, formats agree, all units counted (%r)" % t)
    R.check(t["not_judged"] > 0, "two sheets: units with no shortfall are not judged, not below")


def test_dropped_columns():
    """A generated dataset with columns dropped and units.csv / events.csv removed one at a time."""
    src = dataset(TMP, cases=400, seed=77)
    def variant(name, drop=(), files=()):
        d = os.path.join(TMP, name)
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(src, d)
        for f in files:
            os.remove(os.path.join(d, f))
        if drop:
            with open(os.path.join(d, "cases.csv"), encoding="utf-8-sig", newline="") as f:
                rows = list(csv.reader(f))
            keep = [i for i, h in enumerate(rows[0]) if h not in drop]
            with open(os.path.join(d, "cases.csv"), "w", encoding="utf-8", newline="") as f:
                csv.writer(f).writerows([[r[i] for i in keep] for r in rows])
        for f in os.listdir(d):
            if f.endswith(".snapshot") or f.startswith("."):
                p = os.path.join(d, f)
                shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)
        return d
    full = check_sections(caseql(src, ".check"))
    R.check(not any(l[0].startswith("无数据") for l in full.values()), "the full generated dataset: every rule judged")
    d = variant("nosign", drop=("signed_on", "form", "key_supervised"), files=("events.csv",))
    sec = check_sections(caseql(d, ".check"))
    for rule in ("late-sign", "old-form", "shirking", "late-return-request", "closed-unsatisfied", "co-unit-late"):
        R.check(sec[rule][0].startswith("无数据："), "no events, no signed_on/form: %s 无数据" % rule, sec[rule])
    for rule in ("no-reception-day", "overdue", "late-reply"):
        R.check(not sec[rule][0].startswith("无数据"), "no events: %s still judged" % rule, sec[rule])
    text = caseql(d, ".report")
    R.check([l for l in text.splitlines() if l.strip().startswith("重点督办")][0].count("无数据") == 1,
            "no key_supervised column: 重点督办 无数据")
    d = variant("nounits", files=("units.csv",))
    sec = check_sections(caseql(d, ".check"))
    R.check(sec["no-reception-day"][0].startswith("无数据：") and "units.csv" in sec["no-reception-day"][0],
            "no units.csv: no-reception-day 无数据 naming units.csv", sec["no-reception-day"])
    R.eq(sorted(sec["late-sign"]), sorted(full["late-sign"]), "no units.csv: late-sign finds what it finds with it")
    text = caseql(d, ".report")
    R.check("units.csv 无此单位" not in text and text.count("未载入单位名单（units.csv）") == 1,
            "no units.csv: said once, no unit faulted for it")


R.case(test_empty_year)
R.case(test_check_no_data_text)
R.case(test_check_workbook_total_and_no_data)
R.case(test_report_no_data)
R.case(test_not_judged_apart)
R.case(test_dropped_columns)
R.finish()
