#!/usr/bin/env python3
"""End-to-end: datasets in .xlsx workbooks from several producers load as their CSV twins do.
Producers: openpyxl (Debian's python3-openpyxl under /usr/bin/python3), libxlsxwriter (caseql's
own .export), and workbooks written here by hand with zipfile in the spellings other writers
use (WPS: shared strings, CJK date formats, an absolute part path; .NET/Excel variants: the x:
namespace prefix, inline strings, rich-text runs with phonetic runs, entities, cells without
references, t="str" and t="d" cells).

    python3 Tests/e2e/test_xlsx_read.py
"""

import csv
import io
import os
import subprocess
import sys
import zipfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, dataset, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()
DS = dataset(TMP)


def rows(ds, query, *extra):
    p = run([ds, "--csv"] + list(extra) + ["-c", query])
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    return list(csv.reader(io.StringIO(p.stdout)))


CASE_FIELDS = ("id, kind, level, recess, year, title, proposer, proposer_type, cosigners, category, unit, co_units, "
               "key_supervised, leader, assigned_on, signed_on, deadline, replied_on, closed_on, status, contact, "
               "satisfaction, resolution, form")


def test_own_export_round_trip():
    folder = os.path.join(TMP, "own")
    os.makedirs(folder)
    import shutil
    if os.path.exists(os.path.join(DS, "manifest.json")):
        shutil.copy(os.path.join(DS, "manifest.json"), folder)
    # The stored fields (derived ones, exported, would come back as columns of their own).
    stored = {"cases": CASE_FIELDS, "units": "*", "events": "*"}
    for table in ("cases", "units", "events"):
        p = run([DS, "-c", ".export %s/%s.xlsx select %s from %s" % (folder, table, stored[table], table)])
        R.eq(p.returncode, 0, "caseql exports %s as .xlsx" % table)
    for table in ("cases", "units", "events"):
        q = "select %s from %s" % (stored[table], table)
        R.check(rows(folder, q) == rows(DS, q), "caseql reads its own %s.xlsx back to the same rows" % table)
    q = "select unit, count, completion_rate, satisfaction_rate from cases group by unit"
    R.eq(rows(folder, q, "--asof", "2020-09-17"), rows(DS, q, "--asof", "2020-09-17"), "the same answers from the workbooks")


OPENPYXL = r'''
import datetime, sys, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "案件"
ws.append(["编号", "类别", "主办单位", "交办日期", "办理期限", "办理状态", "附议人", "重点督办", "案由", "年度", None])
ws.append(["A-1", "提案", "教育局", datetime.date(2020, 3, 1), "2020/6/1", "已办结", "张三;李四", True, '关于"午餐", 课后\n服务', 2020])
ws.append(["A-2", "建议", "财政局", 43891, datetime.datetime(2020, 6, 1), "办理中", "王五、赵六", False, "  留空格  ", 2020])
ws.append(["A-3", "建议", "财政局", "2020年3月5日", None, "已交办", None, "否", "&<>", 2020])
ws.append([None] * 10)
ws.append([None] * 10)
ws["L20"] = None
u = wb.create_sheet("单位")
u.append(["单位名称", "接待日", "影像资料"])
u.append(["教育局", datetime.date(2020, 5, 1), "是"])
e = wb.create_sheet("办理记录")
e.append(["编号", "日期", "单位", "动作"])
e.append(["A-1", datetime.date(2020, 3, 2), "教育局", "签收"])
wb.save(sys.argv[1])
'''

TWIN = ("编号,类别,主办单位,交办日期,办理期限,办理状态,附议人,重点督办,案由,年度\n"
        "A-1,提案,教育局,2020-03-01,2020-06-01,已办结,张三;李四,是,\"关于\"\"午餐\"\", 课后\n服务\",2020\n"
        "A-2,建议,财政局,2020-03-01,2020-06-01,办理中,王五、赵六,否,  留空格  ,2020\n"
        "A-3,建议,财政局,2020-03-05,,已交办,,否,&<>,2020\n")


def twin_folder():
    folder = os.path.join(TMP, "twin")
    if not os.path.exists(folder):
        os.makedirs(folder)
        with open(os.path.join(folder, "cases.csv"), "w", encoding="utf-8", newline="") as f:
            f.write(TWIN)
        with open(os.path.join(folder, "units.csv"), "w", encoding="utf-8", newline="") as f:
            f.write("单位名称,接待日,影像资料\n教育局,2020-05-01,是\n")
        with open(os.path.join(folder, "events.csv"), "w", encoding="utf-8", newline="") as f:
            f.write("编号,日期,单位,动作\nA-1,2020-03-02,教育局,签收\n")
    return folder


def same_as_twin(ds, what):
    for q in ("select * from cases", "select * from units", "select * from events"):
        got, want = rows(ds, q), rows(twin_folder(), q)
        R.check(got == want, "%s: %s as its CSV twin" % (what, q), "got  %r\nwant %r" % (got, want))


def test_openpyxl():
    path = os.path.join(TMP, "book.xlsx")
    p = subprocess.run(["/usr/bin/python3", "-c", OPENPYXL, path], capture_output=True, text=True)
    R.check(p.returncode == 0, "openpyxl wrote the workbook", p.stderr)
    same_as_twin(path, "openpyxl workbook (sheets 案件/单位/办理记录; date cells, a serial number, text dates)")
    folder = os.path.join(TMP, "onebook")
    os.makedirs(folder)
    os.rename(path, os.path.join(folder, "data.xlsx"))
    same_as_twin(folder, "a folder holding one workbook")


def part(xml):
    return '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + xml


CT = part('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/></Types>')
RELS = part('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def book(path, sheets, shared=None, styles=None, absolute=False, compress=zipfile.ZIP_DEFLATED):
    """sheets: [(name, sheet xml)]"""
    with zipfile.ZipFile(path, "w", compress) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("_rels/.rels", RELS)
        wb = "".join('<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (n, i + 1, i + 1) for i, (n, _) in enumerate(sheets))
        z.writestr("xl/workbook.xml", part('<workbook %s><sheets>%s</sheets></workbook>' % (NS, wb)))
        rels = "".join('<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="%sworksheets/s%d.xml"/>'
                       % (i + 1, "/xl/" if absolute else "", i + 1) for i in range(len(sheets)))
        z.writestr("xl/_rels/workbook.xml.rels", part('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">%s</Relationships>' % rels))
        for i, (_, xml) in enumerate(sheets):
            z.writestr("xl/worksheets/s%d.xml" % (i + 1), part(xml))
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", part('<sst %s>%s</sst>' % (NS, "".join("<si>%s</si>" % s for s in shared))))
        if styles is not None:
            z.writestr("xl/styles.xml", part(styles))


def test_prefixed_inline_rich():
    # .NET / Excel variants: x: prefix, inline strings, rich runs with phonetic runs, entities,
    # a cell without its reference, t="str", t="d", a boolean, an empty row and trailing columns.
    X = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    def c(ref, text):
        return '<x:c r="%s" t="inlineStr"><x:is><x:t>%s</x:t></x:is></x:c>' % (ref, text)
    header = "".join(c("%s1" % col, h) for col, h in zip("ABCDEFGHIJ", ["编号", "类别", "主办单位", "交办日期", "办理期限", "办理状态", "附议人", "重点督办", "案由", "年度"]))
    r2 = (c("A2", "A-1") + c("B2", "提案") + c("C2", "教育局") + '<x:c r="D2" t="d"><x:v>2020-03-01T00:00:00</x:v></x:c>'
          + c("E2", "2020/6/1") + '<x:c r="F2" t="str"><x:f>"已"&amp;"办结"</x:f><x:v>已办结</x:v></x:c>'
          + '<x:c r="G2" t="inlineStr"><x:is><x:r><x:t>张三</x:t></x:r><x:r><x:rPr><x:b/></x:rPr><x:t>;李四</x:t></x:r><x:rPh sb="0" eb="1"><x:t>ZHANG</x:t></x:rPh></x:is></x:c>'
          + '<x:c r="H2" t="b"><x:v>1</x:v></x:c>'
          + '<x:c r="I2" t="inlineStr"><x:is><x:t xml:space="preserve">关于"午餐", 课后&#10;服务</x:t></x:is></x:c>'
          + '<x:c r="J2"><x:v>2020</x:v></x:c><x:c r="K2" t="inlineStr"><x:is><x:t></x:t></x:is></x:c>')
    # Row 3: no r attributes on the cells (written in order).
    r3 = ('<x:c t="inlineStr"><x:is><x:t>A-2</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>建议</x:t></x:is></x:c>'
          '<x:c t="inlineStr"><x:is><x:t>财政局</x:t></x:is></x:c><x:c><x:v>43891</x:v></x:c><x:c t="inlineStr"><x:is><x:t>2020-06-01</x:t></x:is></x:c>'
          '<x:c t="inlineStr"><x:is><x:t>办理中</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>王五、赵六</x:t></x:is></x:c>'
          '<x:c t="b"><x:v>0</x:v></x:c><x:c t="inlineStr"><x:is><x:t xml:space="preserve">  留空格  </x:t></x:is></x:c><x:c><x:v>2020</x:v></x:c>')
    r5 = (c("A5", "A-3") + c("B5", "建议") + c("C5", "&#x8D22;政局") + c("D5", "2020年3月5日") + c("F5", "已交办") + c("H5", "否")
          + c("I5", "&amp;&lt;&gt;") + '<x:c r="J5"><x:v>2020</x:v></x:c>')
    sheet = ('<x:worksheet %s><x:sheetData><x:row r="1">%s</x:row><x:row r="2">%s</x:row><x:row r="3">%s</x:row>'
             '<x:row r="4"/><x:row r="5">%s</x:row><x:row r="9"><x:c r="M9" t="inlineStr"><x:is><x:t></x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>') % (X, header, r2, r3, r5)
    units = '<x:worksheet %s><x:sheetData><x:row r="1">%s%s%s</x:row><x:row r="2">%s<x:c r="B2" t="d"><x:v>2020-05-01</x:v></x:c>%s</x:row></x:sheetData></x:worksheet>' % (
        X, c("A1", "单位名称"), c("B1", "接待日"), c("C1", "影像资料"), c("A2", "教育局"), c("C2", "是"))
    events = '<x:worksheet %s><x:sheetData><x:row r="1">%s%s%s%s</x:row><x:row r="2">%s%s%s%s</x:row></x:sheetData></x:worksheet>' % (
        X, c("A1", "编号"), c("B1", "日期"), c("C1", "单位"), c("D1", "动作"), c("A2", "A-1"), c("B2", "2020-03-02"), c("C2", "教育局"), c("D2", "签收"))
    path = os.path.join(TMP, "prefixed.xlsx")
    book(path, [("cases", sheet), ("units", units), ("events", events)])
    same_as_twin(path, "x:-prefixed workbook with inline strings and rich text")


def test_wps_style():
    # WPS: shared strings (one with runs), CJK built-in date format 57 and a custom one, an
    # absolute part path, members stored without compression.
    S = ["编号", "类别", "主办单位", "交办日期", "办理期限", "办理状态", "附议人", "重点督办", "案由", "年度",
         "A-1", "提案", "教育局", "已办结", "<r><t>张三</t></r><r><t>;李四</t></r>", "是", '<t xml:space="preserve">关于"午餐", 课后\n服务</t>',
         "A-2", "建议", "财政局", "办理中", "王五、赵六", "否", '<t xml:space="preserve">  留空格  </t>',
         "A-3", "已交办", "&amp;&lt;&gt;",
         "单位名称", "接待日", "影像资料", "日期", "单位", "动作", "签收"]
    shared = [s if s.startswith("<") else "<t>%s</t>" % s for s in S]
    ix = {s: i for i, s in enumerate(S)}
    def s(ref, text):
        return '<c r="%s" t="s"><v>%d</v></c>' % (ref, ix[text])
    def d(ref, serial, style):
        return '<c r="%s" s="%d"><v>%s</v></c>' % (ref, style, serial)
    styles = ('<styleSheet %s><numFmts count="1"><numFmt numFmtId="176" formatCode="yyyy/m/d;@"/></numFmts>'
              '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="57"/><xf numFmtId="176"/></cellXfs></styleSheet>') % NS
    head = "".join(s("%s1" % col, h) for col, h in zip("ABCDEFGHIJ", S[:10]))
    r2 = (s("A2", "A-1") + s("B2", "提案") + s("C2", "教育局") + d("D2", 43891, 1) + d("E2", 43983, 2) + s("F2", "已办结")
          + s("G2", "<r><t>张三</t></r><r><t>;李四</t></r>") + s("H2", "是") + s("I2", '<t xml:space="preserve">关于"午餐", 课后\n服务</t>') + '<c r="J2"><v>2020</v></c>')
    r3 = (s("A3", "A-2") + s("B3", "建议") + s("C3", "财政局") + '<c r="D3"><v>43891</v></c>' + d("E3", "43983.5", 2) + s("F3", "办理中")
          + s("G3", "王五、赵六") + s("H3", "否") + s("I3", '<t xml:space="preserve">  留空格  </t>') + '<c r="J3"><v>2020</v></c>')
    r4 = (s("A4", "A-3") + s("B4", "建议") + s("C4", "财政局") + d("D4", 43895, 2) + s("F4", "已交办") + s("H4", "否")
          + s("I4", "&amp;&lt;&gt;") + '<c r="J4"><v>2020</v></c>')
    cases = '<worksheet %s><sheetData><row r="1">%s</row><row r="2">%s</row><row r="3">%s</row><row r="4">%s</row></sheetData></worksheet>' % (NS, head, r2, r3, r4)
    units = '<worksheet %s><sheetData><row r="1">%s%s%s</row><row r="2">%s%s%s</row></sheetData></worksheet>' % (
        NS, s("A1", "单位名称"), s("B1", "接待日"), s("C1", "影像资料"), s("A2", "教育局"), d("B2", 43952, 1), s("C2", "是"))
    events = '<worksheet %s><sheetData><row r="1">%s%s%s%s</row><row r="2">%s%s%s%s</row></sheetData></worksheet>' % (
        NS, s("A1", "编号"), s("B1", "日期"), s("C1", "单位"), s("D1", "动作"), s("A2", "A-1"), d("B2", 43892, 2), s("C2", "教育局"), s("D2", "签收"))
    path = os.path.join(TMP, "wps.xlsx")
    book(path, [("案件", cases), ("单位", units), ("办理记录", events)], shared=shared, styles=styles, absolute=True,
         compress=zipfile.ZIP_STORED)
    same_as_twin(path, "WPS-style workbook (shared strings, CJK date formats, stored members)")


def test_errors_name_sheet_and_cell():
    X = NS
    def c(ref, text):
        return '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, text)
    rows_xml = ['<row r="1">%s%s%s%s%s</row>' % (c("A1", "编号"), c("B1", "类别"), c("C1", "主办单位"), c("D1", "交办日期"), c("M1", "办理状态"))]
    for r in range(2, 120):
        status = "已完成" if r == 118 else "已办结"
        title = "多行\n标题" if r == 50 else "x"
        rows_xml.append('<row r="%d">%s%s%s%s%s%s</row>' % (r, c("A%d" % r, "C-%d" % r), c("B%d" % r, "提案"), c("C%d" % r, "教育局"),
                                                          c("D%d" % r, "2020-03-01"), c("E%d" % r, title), c("M%d" % r, status)))
    sheet = '<worksheet %s><sheetData>%s</sheetData></worksheet>' % (X, "".join(rows_xml))
    folder = os.path.join(TMP, "bad")
    os.makedirs(folder)
    book(os.path.join(folder, "cases.xlsx"), [("案件", sheet)])
    p = run([folder, "-c", "count cases"])
    R.check(p.returncode == 1 and 'cases.xlsx:案件!M118: status: "已完成" is not a status' in p.stderr,
            "the error names the sheet and the cell", p.stderr)
    p = run([folder, "--lenient", "-c", "count cases"])
    R.check(p.returncode == 0 and "117" in p.stdout, "--lenient loads the good rows", p.stdout + p.stderr)
    with open(os.path.join(folder, "cases.rejects.csv"), encoding="utf-8-sig", newline="") as f:   # BOM, CRLF
        rej = list(csv.reader(f))
    R.eq([rej[0][0], rej[1][0], rej[1][12]], ["编号", "C-118", "已完成"], "the rejected row is in cases.rejects.csv")
    # Not a workbook at all.
    with open(os.path.join(folder, "cases.xlsx"), "w") as f:
        f.write("id,kind\n")
    p = run([folder, "-c", "count cases"])
    R.check(p.returncode == 1 and "not an .xlsx workbook" in p.stderr, "a CSV named .xlsx is refused with a message", p.stderr)


R.case(test_own_export_round_trip)
R.case(test_openpyxl)
R.case(test_prefixed_inline_rich)
R.case(test_wps_style)
R.case(test_errors_name_sheet_and_cell)
R.finish()
