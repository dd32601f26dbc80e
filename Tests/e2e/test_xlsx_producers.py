#!/usr/bin/env python3
"""End-to-end: workbooks that real spreadsheet programs wrote (not this project's hand-made XML).

Fixtures in Tests/e2e/fixtures/producers/ (their origin in README.md there):
- libreoffice-7.4-cases.xlsx/.xls: LibreOffice Calc 7.4.7 (Debian) converted
  libreoffice-7.4-cases.csv (the shipped dataset's first 39 cases) with `soffice --headless
  --convert-to`; it writes General as custom number format 164, booleans as t="b", years as
  numbers and dates as date-formatted serials. Each must load as its CSV twin does.
Variants made here from the LibreOffice workbook, in the spellings other producers use: the 1904
date system (Excel for Mac, LibreOffice), member names with backslashes (WPS and other Windows
exporters), the main part at the package's root, `_x000D_`/`_x005F_` escapes (Excel); each loads
as the twin. An encrypted workbook (a compound file) is named as such.

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
    same_as_twin(os.path.join(HERE, "libreoffice-7.4-cases.xls"), "LibreOffice 7.4 .xls (BIFF8)")


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


def test_encrypted_workbook():
    # Excel's and WPS's "encrypt with password" store the .xlsx inside an OLE2 compound file whose
    # directory names an EncryptedPackage stream (MS-OFFCRYPTO 2.3.4.4): a file of that shape.
    path = os.path.join(TMP, "encrypted.xlsx")
    entry = "EncryptedPackage".encode("utf-16-le") + b"\0\0"
    with open(path, "wb") as f:
        f.write(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504 + entry.ljust(64, b"\0") + b"\0" * 448)
    p = run(["--no-cache", path, "-c", "count cases"])
    R.check(p.returncode == 1 and "encrypted with a password" in p.stderr and "without the password" in p.stderr,
            "an encrypted workbook is named as such, with what to do", "exit %d: %s" % (p.returncode, p.stderr))


def test_error_cells_and_damage():
    # A formula that failed (#N/A from a VLOOKUP) is a t="e" cell: read as empty, named in a note.
    def errors(name, data):
        if name.startswith("xl/worksheets/"):
            data = re.sub(rb'<c r="K2" s="0" t="s"><v>\d+</v></c>', b'<c r="K2" s="0" t="e"><f>VLOOKUP(A2,X!A:B,2,0)</f><v>#N/A</v></c>', data)
        return data
    path = os.path.join(TMP, "lo-errors.xlsx")
    rewrite(LO, path, content=errors)
    p = run(["--no-cache", path, "--csv", "--no-headers", "-c", "select unit from cases where id = \"SJ-2020-0001\""])
    R.check(p.returncode == 0 and p.stdout.strip() == "" and "K2 #N/A" in p.stderr and "spreadsheet error" in p.stderr,
            "an error cell is read as empty and named in a note, not loaded as the unit #N/A", p.stdout + p.stderr)
    # A shared string the workbook does not have: damaged, named by its cell.
    def damaged(name, data):
        if name.startswith("xl/worksheets/"):
            data = re.sub(rb'<c r="F4" s="0" t="s"><v>\d+</v></c>', b'<c r="F4" s="0" t="s"><v>999999</v></c>', data)
        return data
    path = os.path.join(TMP, "lo-damaged.xlsx")
    rewrite(LO, path, content=damaged)
    p = run(["--no-cache", path, "-c", "count cases"])
    R.check(p.returncode == 1 and "damaged" in p.stderr and "F4" in p.stderr and "999999" in p.stderr,
            "a shared string index past the table: the workbook is damaged, the cell named", p.stderr)


R.case(test_libreoffice)
R.case(test_1904_date_system)
R.case(test_backslash_members)
R.case(test_main_part_at_the_root)
R.case(test_escaped_characters)
R.case(test_encrypted_workbook)
R.case(test_error_cells_and_damage)
R.finish()
