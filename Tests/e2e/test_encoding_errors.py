#!/usr/bin/env python3
"""End-to-end: bytes that are not in the file's encoding are errors at their line and column,
never U+FFFD data; and positions are true whatever the line ends (LF, CRLF, CR alone).

    python3 Tests/e2e/test_encoding_errors.py
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()

HEADER = "编号,类别,主办单位,办理状态,案由"
ROWS = ["A-1,建议,教育局,已办结,关于午餐", "A-2,提案,财政局,办理中,关于预算", "A-3,建议,卫健委,已交办,关于社区医院"]


def write(name, data):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def test_invalid_utf8_under_encoding_utf8():
    for end in ("\n", "\r\n", "\r"):
        # Line 3's 案由 is GB18030: its first byte, at column 16, is the first that is not UTF-8.
        lines = [HEADER.encode(), ROWS[0].encode(), "A-2,提案,财政局,办理中,".encode() + "关于预算".encode("gb18030"), ROWS[2].encode()]
        path = write("bad%d.csv" % len(end), end.encode().join(lines) + end.encode())
        name = os.path.basename(path)
        p = run([path, "--no-cache", "--encoding", "utf-8", "-c", "count cases"])
        first = "关于预算".encode("gb18030")[0]
        R.check(p.returncode == 1 and ("%s:3:16: not UTF-8, as --encoding utf-8 says the file is: byte 0x%02X" % (name, first)) in p.stderr,
                "--encoding utf-8 and a GB18030 field: an error at line 3, column 16 (line ends %r)" % end, p.stderr)
        R.check("\ufffd" not in p.stdout + p.stderr, "no U+FFFD shown (line ends %r)" % end)
        # Left to detection, the same file is mixed: line 3 is named.
        p = run([path, "--no-cache", "-c", "count cases"])
        R.check(p.returncode == 1 and ("%s:3:16: line 3 is not UTF-8" % name) in p.stderr and "mixes two encodings" in p.stderr,
                "detection names the first line not in UTF-8 (line ends %r)" % end, p.stderr)


def test_utf8_lines_in_a_gb18030_file():
    lines = [HEADER.encode("gb18030"), ROWS[0].encode("gb18030"), ROWS[1].encode("gb18030"), ROWS[2].encode()]
    path = write("gbmixed.csv", b"\r\n".join(lines) + b"\r\n")
    p = run([path, "--no-cache", "-c", "count cases"])
    R.check(p.returncode == 1 and "gbmixed.csv:4:5: line 4 is UTF-8 text, though the lines above it are not" in p.stderr,
            "a UTF-8 line in a file read as GB18030 is named", p.stderr)
    # One encoding throughout still loads, and says how it was read.
    path = write("gb.csv", b"\r\n".join(l.encode("gb18030") for l in [HEADER] + ROWS) + b"\r\n")
    p = run([path, "--no-cache", "--csv", "--no-headers", "-c", "select unit from cases order by id"])
    R.check(p.returncode == 0 and p.stdout.split() == ["教育局", "财政局", "卫健委"] and "gb18030" in p.stderr.lower(),
            "a GB18030 file still loads", p.stdout + p.stderr)


def test_positions_with_cr_only_line_ends():
    for end in ("\n", "\r\n", "\r"):
        rows = [HEADER, ROWS[0], 'A-2,提案,财政局,办理中,"两行' + end + '的案由"', "A-3,建议,卫健委,已完成,关于社区医院"]
        path = write("cr%d.csv" % len(end), (end.join(rows) + end).encode())
        p = run([path, "--no-cache", "-c", "count cases"])
        # The bad status is on line 5 (the quoted field spans lines 3–4), column 12.
        R.check(p.returncode == 1 and ('cr%d.csv:5:12: status: "已完成" is not a status' % len(end)) in p.stderr,
                "a bad value after a field of two lines is at 5:12 (line ends %r)" % end, p.stderr)


R.case(test_invalid_utf8_under_encoding_utf8)
R.case(test_utf8_lines_in_a_gb18030_file)
R.case(test_positions_with_cr_only_line_ends)
R.finish()
