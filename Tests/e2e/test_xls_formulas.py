#!/usr/bin/env python3
"""End-to-end: what libfreexl 1.0.6 left empty in a legacy .xls is read by caseql itself from the
workbook stream: formula cells' saved values (dates, numbers, text, TRUE/FALSE, an empty text, an
error), booleans saved as formulas, and merged ranges (a unit's name merged down over its cases
fills each of them; a title merged across above the header stays a title row).

fixtures/xls-formulas/formulas.xls: LibreOffice 7.4 converted formulas.fods (make.py there) to
Excel 97–2003. Through libfreexl alone, every formula cell came back empty (measured before the
reader was written: F-1's status, title and cosigners, F-2's assignment date, F-3's TRUE()).
Damaged copies of it (cut short, a sector chain that loops, a FAT count the file cannot hold)
are refused with a message, exit 1, never a crash or a hang.

    python3 Tests/e2e/test_xls_formulas.py
"""

import csv
import io
import os
import struct
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()
BOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "xls-formulas", "formulas.xls")

TWIN = ("编号,类别,主办单位,交办日期,办理期限,办理状态,重点督办,案由,年度,附议人\n"
        "F-1,建议,教育局,2020-03-01,2020-06-09,已办结,TRUE,关于课后服务,2019,张三;李四\n"
        "F-2,建议,教育局,2020-03-02,2020-06-02,办理中,FALSE,关于校车,2020,\n"
        "F-3,建议,教育局,2020-03-03,2020-06-03,已交办,TRUE,关于午餐,2020,\n"
        "F-4,提案,财政局,2020-03-04,2020-06-04,已办结,FALSE,关于补贴,,王五\n"
        "F-5,提案,财政局,2020-03-05,2020-06-05,办理中,FALSE,关于预算,2020,12.5\n")


def rows(path, query="select * from cases"):
    p = run(["--no-cache", path, "--csv", "-c", query])
    if p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (path, p.returncode, p.stderr))
    return list(csv.reader(io.StringIO(p.stdout)))


def test_formulas_and_merges_as_the_twin():
    twin = os.path.join(TMP, "twin.csv")
    with open(twin, "w", encoding="utf-8", newline="") as f:
        f.write(TWIN)
    got, want = rows(BOOK), rows(twin)
    R.check(len(want) == 6, "the twin has its 5 cases", "%d rows" % len(want))
    R.check(got == want, "formulas.xls loads as its CSV twin (formula values, booleans, the merged unit)",
            "first difference: %r" % (next(((g, w) for g, w in zip(got, want) if g != w), (len(got), len(want))),))
    sel = rows(BOOK, "select id, unit, title, key_supervised, year from cases where id = \"F-3\"")
    R.eq(sel[1:], [["F-3", "教育局", "关于午餐", "true", "2020"]],
         "F-3: the unit merged down from C3 and TRUE() saved as a formula")


def test_notes():
    p = run(["--no-cache", BOOK, "-c", "count cases"])
    R.check(p.returncode == 0, "formulas.xls loads", p.stderr)
    R.check("sheet 案件: 1 cell holds a spreadsheet error and is read as empty (I6 #N/A)" in p.stderr,
            "the #N/A formula's cell is named in a note", p.stderr)
    R.check("libfreexl" not in p.stderr and "merged" not in p.stderr,
            "no note that formulas or merged ranges are lost", p.stderr)
    R.check("1 row above it skipped (\"2020年建议提案办理情况\")" in p.stderr,
            "the title merged across above the header is a title row", p.stderr)
    p = run(["--no-cache", "--labels", BOOK, "-c", "count cases"])
    R.check("工作表 案件：1 个单元格是表格错误值，按空值读取（I6 #N/A）" in p.stderr,
            "under --labels the note is Chinese", p.stderr)


def damaged(name, data):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    try:
        p = run(["--no-cache", path, "-c", "count cases"], timeout=30)
    except subprocess.TimeoutExpired:
        R.check(False, "%s: refused within 30 s" % name)
        return None
    R.check(p.returncode == 1 and name in p.stderr, "%s: refused with a message naming it (exit 1)" % name,
            "exit %d\n%s" % (p.returncode, p.stderr))
    return p


def test_damaged_copies():
    with open(BOOK, "rb") as f:
        good = f.read()
    shift = struct.unpack_from("<H", good, 30)[0]
    size = 1 << shift
    # Cut short in the middle of its sectors.
    damaged("cut.xls", good[: len(good) // 2])
    # Every FAT entry points at its own sector: each chain loops at once.
    fat_sector = struct.unpack_from("<I", good, 76)[0]
    data = bytearray(good)
    base = (fat_sector + 1) * size
    for k in range(size // 4):
        v = struct.unpack_from("<I", data, base + 4 * k)[0]
        if v < 0xFFFFFFFA:
            struct.pack_into("<I", data, base + 4 * k, k)
    damaged("loop.xls", bytes(data))
    # A header that counts more FAT sectors than the file has.
    data = bytearray(good)
    struct.pack_into("<I", data, 44, 0x7FFFFFFF)
    damaged("huge.xls", bytes(data))


R.case(test_formulas_and_merges_as_the_twin)
R.case(test_notes)
R.case(test_damaged_copies)
R.finish()
