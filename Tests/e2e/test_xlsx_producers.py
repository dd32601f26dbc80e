#!/usr/bin/env python3
"""End-to-end: workbooks that real spreadsheet programs wrote (not this project's hand-made XML).

Fixtures in Tests/e2e/fixtures/producers/ (their origin in README.md there):
- libreoffice-7.4-cases.xlsx/.xls: LibreOffice Calc 7.4.7 (Debian) converted
  libreoffice-7.4-cases.csv (the shipped dataset's first 39 cases) with `soffice --headless
  --convert-to`; it writes General as custom number format 164, booleans as t="b", years as
  numbers and dates as date-formatted serials. Each must load as its CSV twin does.
- calamine-*.xlsx: workbooks from the calamine project's tests (MIT), each made by the program
  its docProps say: WPS Office (backslashes in member names, a Chinese sheet name), Excel (ISO
  strict paths, `_x000D_` in a shared string, rich text), LibreOffice (the 1904 date system,
  phonetic runs), a package whose main part sits at the root. They hold no cases: caseql must
  read them and say which columns are missing, naming the sheet, with their headers read right.
Variants made here from the LibreOffice workbook: the 1904 date system, member names with
backslashes, the main part at the root, `_x000D_`/`_x005F_` escapes; each loads as the twin.

    python3 Tests/e2e/test_xlsx_producers.py
"""

import csv
import io
import os
import re
import subprocess
import sys
import zipfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, binary, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "producers")
LO = os.path.join(HERE, "libreoffice-7.4-cases.xlsx")
TWIN = os.path.join(HERE, "libreoffice-7.4-cases.csv")


def rows(path, query="select * from cases"):
    p = run(["--no-cache", path, "--csv", "-c", query])
    if p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (path, p.returncode, p.stderr))
    return list(csv.reader(io.StringIO(p.stdout)))


def same_as_twin(path, what):
    try:
        got, want = rows(path), rows(TWIN)
    except RuntimeError as e:
        R.check(False, what, str(e))
        return
    R.check(len(want) == 40, "the twin has its 39 cases", "%d rows" % len(want))
    R.check(got == want, "%s loads as its CSV twin" % what,
            "first difference: %r" % (next(((g, w) for g, w in zip(got, want) if g != w), (len(got), len(want))),))


def rewrite(src, dst, member=lambda n: n, content=lambda n, b: b):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            name = info.filename
            data = content(name, zin.read(name))
            if data is None:
                continue
            zout.writestr(member(name), data)


def test_libreoffice():
    same_as_twin(LO, "LibreOffice 7.4 .xlsx (General as format 164, t=\"b\" booleans, date serials)")
    same_as_twin(os.path.join(HERE, "libreoffice-7.4-cases.xls"), "LibreOffice 7.4 .xls (BIFF8 through libfreexl)")


def test_1904_date_system():
    # The same workbook in the 1904 date system: every date serial is 1,462 smaller.
    def content(name, data):
        if name == "xl/workbook.xml":
            text = data.decode()
            text = re.sub(r"<workbookPr([^>]*?)/>", lambda m: "<workbookPr%s date1904=\"true\"/>" % re.sub(r'\s*date1904="[^"]*"', "", m.group(1)), text)
            if "date1904" not in text:
                text = text.replace("<sheets>", '<workbookPr date1904="true"/><sheets>')
            return text.encode()
        if name.startswith("xl/worksheets/"):
            return re.sub(rb'(<c r="[O-S]\d+" s="2" t="n"><v>)(\d+)(</v>)',
                          lambda m: m.group(1) + str(int(m.group(2)) - 1462).encode() + m.group(3), data)
        return data
    path = os.path.join(TMP, "lo-1904.xlsx")
    rewrite(LO, path, content=content)
    with zipfile.ZipFile(path) as z:
        R.check(b"date1904" in z.read("xl/workbook.xml"), "the 1904 variant declares date1904")
        R.check(b"<v>42503</v>" in z.read("xl/worksheets/sheet1.xml"), "its serials are 1904-based (2020-05-14 is 42503)")
    same_as_twin(path, "the 1904 date system")


def test_backslash_members():
    # WPS and other Windows exporters store member names with backslashes.
    path = os.path.join(TMP, "lo-backslash.xlsx")
    rewrite(LO, path, member=lambda n: n.replace("/", "\\") if n.startswith("xl/") else n)
    same_as_twin(path, "member names with backslashes")


def test_main_part_at_the_root():
    # The package's _rels/.rels names the main part; here workbook.xml and its parts are at the root.
    def member(n):
        return n[3:] if n.startswith("xl/") else n
    def content(name, data):
        if name == "_rels/.rels":
            return data.replace(b'Target="xl/workbook.xml"', b'Target="workbook.xml"')
        if name == "[Content_Types].xml":
            return data.replace(b"/xl/", b"/")
        return data
    path = os.path.join(TMP, "lo-root.xlsx")
    rewrite(LO, path, member=member, content=content)
    with zipfile.ZipFile(path) as z:
        R.check("workbook.xml" in z.namelist() and "xl/workbook.xml" not in z.namelist(), "the variant has its main part at the root")
    same_as_twin(path, "the main part at the package's root")


def test_escaped_characters():
    # Excel writes a CR inside a cell as _x000D_ and a literal "_x" as _x005F_x; both decode.
    def content(name, data):
        if name == "xl/sharedStrings.xml":
            return data.replace("关于进一步加强中小学校园安全管理".encode(), "关于进一步加强_x000D_\n中小学_x005F_x0041_校园安全管理".encode(), 1)
        return data
    path = os.path.join(TMP, "lo-escaped.xlsx")
    rewrite(LO, path, content=content)
    p = subprocess.run([binary(), "--no-cache", path, "--csv", "-c", "select title from cases where id = \"SJ-2020-0001\""],
                       capture_output=True, stdin=subprocess.DEVNULL)   # bytes: a CR must stay a CR
    got = list(csv.reader(io.StringIO(p.stdout.decode(), newline="")))
    R.eq(got[1][0] if len(got) > 1 else None, "关于进一步加强\r\n中小学_x0041_校园安全管理,切实提升群众获得感的建议",
         "_x000D_ is a CR and _x005F_ an underscore")


# Workbooks that hold no cases: read, and refused with the header caseql found, never a crash.
FOREIGN = [
    ("calamine-issue_530.xlsx", "WPS Office (KSOProductBuildVer 2052-…), backslashes in member names",
     "出勤分类组织汇总表", "报表导出人"),
    ("calamine-strict_iso_paths.xlsx", "Excel, ISO strict package paths", "ml_out", "Item, Thickness"),
    ("calamine-minimal_package.xlsx", "a package with its main part at the root", "Sheet1", "ARRESTBOOKINGS"),
    ("calamine-date_1904.xlsx", "LibreOffice 7.3, 1904 date system", "Sheet1", "2021-01-01, 15"),
    ("calamine-has_x000D_.xlsx", "Excel, _x000D_ in a shared string", "Sheet1", "ABC"),
    ("calamine-richtext-namespaced.xlsx", "Excel, rich text with prefixed runs", "Sheet1", "inlinestring"),
    ("calamine-rph.xlsx", "LibreOffice 6.4, phonetic runs left out", "Sheet1", "課きく毛こ"),
]


def test_foreign_workbooks():
    for name, producer, sheet, header in FOREIGN:
        p = run(["--no-cache", os.path.join(HERE, name), "-c", "count cases"])
        R.check(p.returncode == 1, "%s (%s): refused with exit 1" % (name, producer), "exit %d: %s" % (p.returncode, p.stderr[:300]))
        R.check("%s:%s!" % (name, sheet) in p.stderr or "%s:'%s'!" % (name, sheet) in p.stderr,
                "%s: the error names sheet %s" % (name, sheet), p.stderr[:300])
        R.check("missing a column" in p.stderr and header in p.stderr,
                "%s: the header read as %r" % (name, header), p.stderr[:300])


def test_encrypted_workbook():
    # Excel's "encrypt with password" stores the .xlsx inside a compound file: say so.
    p = run(["--no-cache", os.path.join(HERE, "calamine-pass_protected.xlsx"), "-c", "count cases"])
    R.check(p.returncode == 1 and "encrypted with a password" in p.stderr and "without the password" in p.stderr,
            "an encrypted workbook is named as such, with what to do", "exit %d: %s" % (p.returncode, p.stderr))


R.case(test_libreoffice)
R.case(test_1904_date_system)
R.case(test_backslash_members)
R.case(test_main_part_at_the_root)
R.case(test_escaped_characters)
R.case(test_foreign_workbooks)
R.case(test_encrypted_workbook)
R.finish()
