#!/usr/bin/env python3
"""End-to-end: lists as offices lay them out, which must load to the cases they hold.

Notes, summary and pivot sheets beside the cases are not cases (a note says so); a hidden sheet
of cases is named in a note; a section heading or a total merged across its row is a heading or
a total, not a case; a total row with its count under the title (合计,4件,) is skipped; a sheet's
or file's name gives the kind where no kind column or heading does, and a name of both kinds
gives none; sheets without ids are numbered by their place in the whole list; an id on two
sheets is a duplicate found at its cell (rejected under --lenient); a folder of workbooks and
lists reads its units and events files too; notes name the sheet they mean.

    python3 Tests/e2e/test_list_shapes.py
"""

import os
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, fresh, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()

MAKE = r'''
import json, sys, openpyxl
out, spec = sys.argv[1], json.loads(sys.argv[2])
w = openpyxl.Workbook()
first = True
for s in spec:
    ws = w.active if first else w.create_sheet(s["name"])
    first = False
    ws.title = s["name"]
    for r in s["rows"]:
        ws.append(r)
    for m in s.get("merge", []):
        ws.merge_cells(m)
    if s.get("hidden"):
        ws.sheet_state = "hidden"
w.save(out)
'''


def book(path, *sheets):
    import json
    p = subprocess.run(["/usr/bin/python3", "-c", MAKE, path, json.dumps(list(sheets), ensure_ascii=False)], capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    return path


def sheet(name, rows, **kw):
    return dict(name=name, rows=rows, **kw)


HEAD = ["编号", "案由", "主办单位"]


def rows(path, query, *extra):
    p = run(["--no-cache", path, "--csv", "--no-headers"] + list(extra) + ["-c", query])
    return p, p.stdout.replace("\r", "").splitlines()


def test_notes_summary_and_pivot_sheets_are_not_cases():
    path = book(os.path.join(TMP, "office.xlsx"),
                sheet("填表说明", [["填表说明"], ["项目", "填写要求"], ["编号", "按建议号填写"], ["案由", "填写标题"], ["主办单位", "填写全称"]]),
                sheet("建议", [HEAD, ["J-1", "关于甲的建议", "教育局"], ["J-2", "关于乙的建议", "民政局"]]),
                sheet("提案", [["案由", "主办单位", "编号"], ["关于丙的提案", "教育局", "T-1"]]),
                sheet("统计", [["主办单位", "案由", "已办结"], ["教育局", 2, 2], ["民政局", 1, 1]]),
                sheet("旧数据", [HEAD, ["X-1", "隐藏的建议", "教育局"]], hidden=True))
    p, out = rows(path, "select id, kind from cases order by id")
    R.eq((p.returncode, out), (0, ["J-1,suggestion", "J-2,suggestion", "T-1,proposal"]),
         "the notes sheet first, a pivot (案由 counted) and a hidden sheet: only the 3 cases of 建议 and 提案")
    R.check("sheets 填表说明, 统计 not read: not a list of cases" in p.stderr and "hidden sheet 旧数据 not read" in p.stderr,
            "notes say which sheets were not read and why", p.stderr)


def test_merged_headings_and_totals():
    path = book(os.path.join(TMP, "merged.xlsx"),
                sheet("Sheet1", [HEAD + ["答复日期"], ["一、人大代表建议"], ["J-1", "关于甲的建议", "教育局", "2020-05-01"],
                                 ["二、政协委员提案"], ["T-1", "关于丙的提案", "民政局", "2020-05-02"], ["合计", "2件"]],
                      merge=["A2:D2", "A4:D4", "B6:D6"]))
    p, out = rows(path, "select id, kind, unit from cases")
    R.eq((p.returncode, out), (0, ["J-1,suggestion,教育局", "T-1,proposal,民政局"]),
         "headings and a total merged across their rows: skipped, the headings give the kinds")
    merged_down = book(os.path.join(TMP, "down.xlsx"),
                       sheet("Sheet1", [HEAD, ["J-1", "关于甲的建议", "教育局"], ["J-2", "关于乙的建议", None]], merge=["C2:C3"]))
    p, out = rows(merged_down, "select id, unit from cases", "--kind", "suggestion")
    R.eq(out, ["J-1,教育局", "J-2,教育局"], "a unit merged down over its cases still fills each")


def test_total_rows_with_counts():
    folder = fresh(TMP, "totals")
    with open(os.path.join(folder, "cases.csv"), "w", encoding="utf-8") as f:
        f.write("编号,案由,主办单位\r\nA1,关于测试的建议,教育局\r\n合计,4,\r\n合计,共4件,\r\n总计,4件,\r\n小计：,\"1,270\",\r\n合计,关于合计的建议,教育局\r\n")
    p, out = rows(folder, "select id from cases", "--kind", "suggestion")
    R.eq((p.returncode, out), (0, ["A1", "合计"]), "合计/总计/小计 with a count under the title are totals; one with a real title is a case")
    R.check("4 × a total (合计)" not in p.stderr and "a total (总计)" in p.stderr, "the totals are named in the skipped-rows note", p.stderr)


def test_names_give_kinds():
    single = book(os.path.join(TMP, "single.xlsx"), sheet("政协委员提案", [HEAD, ["T-1", "关于丙的提案", "教育局"]]))
    R.eq(rows(single, "select kind from cases")[1], ["proposal"], "one sheet named 政协委员提案: its kind")
    R.eq(rows(single, "select kind from cases", "--kind", "suggestion")[1], ["suggestion"], "alone, --kind says more than a sheet's name")
    both = book(os.path.join(TMP, "both.xlsx"), sheet("建议提案汇总", [HEAD, ["N-1", "关于甲的事", "教育局"]]),
                sheet("提案", [HEAD, ["N-2", "关于乙的事", "教育局"]]))
    R.eq(rows(both, "select id, kind from cases")[1], ["N-1,", "N-2,proposal"], "a name of both kinds (建议提案汇总) gives none")
    sections = book(os.path.join(TMP, "sections.xlsx"),
                    sheet("建议", [HEAD, ["J-1", "关于甲的建议", "教育局"], ["二、政协委员提案"], ["T-1", "关于丙的提案", "教育局"]]),
                    sheet("提案", [HEAD, ["T-2", "关于丁的提案", "教育局"]]))
    R.eq(rows(sections, "select id, kind from cases")[1], ["J-1,suggestion", "T-1,proposal", "T-2,proposal"],
         "a heading inside sheet 建议 says more than the sheet's name")
    folder = fresh(TMP, "named-files")
    book(os.path.join(folder, "2020年提案.xlsx"), sheet("Sheet1", [HEAD, ["T-1", "关于丙的提案", "教育局"]]))
    R.eq(rows(folder, "select kind from cases")[1], ["proposal"], "a lone workbook 2020年提案.xlsx in a folder: its name's kind")


def test_ids_across_sheets():
    mixed = book(os.path.join(TMP, "mixed.xlsx"),
                 sheet("重点督办", [HEAD + ["类别"], ["ZD-1", "关于重点的建议", "教育局", "建议"]]),
                 sheet("建议", [["案由", "主办单位"], ["关于一的建议", "教育局"], ["关于二的建议", "教育局"]]),
                 sheet("提案", [["案由", "主办单位"], ["关于一的提案", "教育局"]]))
    p, out = rows(mixed, "select id, kind from cases")
    R.eq((p.returncode, out), (0, ["ZD-1,suggestion", "2,suggestion", "3,suggestion", "4,proposal"]),
         "sheets without ids beside one with ids: numbered by their place in the whole list")
    clash = book(os.path.join(TMP, "clash.xlsx"),
                 sheet("建议", [["案由", "主办单位"], ["关于一的建议", "教育局"], ["关于二的建议", "教育局"]]),
                 sheet("提案", [HEAD, ["2", "关于丙的提案", "教育局"]]))
    p, _ = rows(clash, "count cases")
    R.check(p.returncode == 1 and "clash.xlsx:提案!A2" in p.stderr and 'duplicate id "2" (first at 建议!A3)' in p.stderr,
            "a real id equal to caseql's number of a sheet without ids: the duplicate at its cell", p.stderr)
    dup = book(os.path.join(fresh(TMP, "dup"), "dup.xlsx"), sheet("建议", [HEAD, ["J-1", "关于甲的建议", "教育局"], ["J-9", "关于乙的建议", "教育局"]]),
               sheet("补充建议", [HEAD, ["J-9", "关于又一件的建议", "民政局"], ["J-10", "关于丁的建议", "民政局"]]))
    p, _ = rows(dup, "count cases")
    R.check(p.returncode == 1 and 'dup.xlsx:补充建议!A2: id: duplicate id "J-9" (first at 建议!A3)' in p.stderr, "an id on two sheets: named at its cell", p.stderr)
    p = run(["--no-cache", "--lenient", dup, "--csv", "--no-headers", "-c", "select id from cases"])
    R.eq((p.returncode, p.stdout.replace("\r", "").splitlines()), (0, ["J-1", "J-9", "J-10"]), "--lenient: the later J-9 rejected, the rest loaded")
    rejects = os.path.join(os.path.dirname(dup), "dup.补充建议.rejects.csv")
    R.check(os.path.exists(rejects) and "关于又一件的建议" in open(rejects, encoding="utf-8-sig").read(), "…and written to the sheet's rejects file (beside the workbook)",
            os.listdir(os.path.dirname(dup)))


def test_a_folder_reads_its_other_files():
    folder = fresh(TMP, "mixed-folder")
    book(os.path.join(folder, "提案.xlsx"), sheet("Sheet1", [HEAD, ["T-1", "关于丙的提案", "教育局"], ["T-2", "关于丁的提案", "民政局"]]))
    with open(os.path.join(folder, "建议.csv"), "w", encoding="utf-8") as f:
        f.write("编号,案由,主办单位\nJ-1,关于甲的建议,教育局\n")
    with open(os.path.join(folder, "units.csv"), "w", encoding="utf-8") as f:
        f.write("name,type\n教育局,department\n民政局,department\n")
    with open(os.path.join(folder, "events.csv"), "w", encoding="utf-8") as f:
        f.write("case_id,date,action,unit\nT-1,2020-03-01,assign,教育局\nJ-1,2020-03-02,assign,教育局\n")
    p, out = rows(folder, "select id, kind from cases order by id")
    R.eq((p.returncode, out), (0, ["J-1,suggestion", "T-1,proposal", "T-2,proposal"]), "建议.csv and 提案.xlsx in one folder: one list")
    R.eq([rows(folder, "select count from units")[1], rows(folder, "select count from events")[1]], [["2"], ["2"]],
         "…with the folder's units.csv and events.csv")
    os.remove(os.path.join(folder, "events.csv"))
    with open(os.path.join(folder, "cases.csv"), "w", encoding="utf-8") as f:
        f.write("编号,案由,主办单位\nC-1,关于戊的建议,教育局\n")
    p, out = rows(folder, "select id from cases", "--kind", "suggestion")
    R.check(out == ["C-1"] and "not read: 建议.csv, 提案.xlsx" in p.stderr, "a cases.csv there: the others named as not read", p.stderr)


def test_notes_name_their_sheet():
    path = book(os.path.join(TMP, "notes.xlsx"),
                sheet("建议", [["2020年建议办理情况"], HEAD, ["J-1", "关于甲的建议", "教育局"]]),
                sheet("提案", [["2020年提案办理情况"], ["说明"], HEAD, ["T-1", "关于丙的提案", "教育局"]]))
    p, _ = rows(path, "count cases")
    R.check("notes.xlsx:建议: the header is on row 2" in p.stderr and "notes.xlsx:提案: the header is on row 3" in p.stderr,
            "each sheet's note names its sheet", p.stderr)


R.case(test_notes_summary_and_pivot_sheets_are_not_cases)
R.case(test_merged_headings_and_totals)
R.case(test_total_rows_with_counts)
R.case(test_names_give_kinds)
R.case(test_ids_across_sheets)
R.case(test_a_folder_reads_its_other_files)
R.case(test_notes_name_their_sheet)
sys.exit(R.finish())
