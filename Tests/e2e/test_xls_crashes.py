#!/usr/bin/env python3
"""End-to-end: the .xls files that crashed libfreexl 1.0.6 (exit 139) while it read the cells
load or are refused with a message (exit 1), never a crash, now that caseql reads .xls itself.

Tests/fuzz/libfreexl-crashes/:
  iconv-stack-overflow.xls  a one-byte change of the fuzz seed xlwt-book.xls: a stack buffer
                            overflow in iconv under freexl_open
  rand_A_two.xls            a workbook LibreOffice 7.4 wrote (the tester's A_two), with bytes of
                            its shared-string table changed: libfreexl read past its buffers

    python3 Tests/e2e/test_xls_crashes.py
"""

import glob
import os
import shutil
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import ROOT, Results, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()
CRASHES = sorted(glob.glob(os.path.join(ROOT, "Tests", "fuzz", "libfreexl-crashes", "*.xls")))


def test_each_crash_input_loads_or_is_refused():
    R.check(len(CRASHES) >= 2, "the crash inputs are there", repr(CRASHES))
    for f in CRASHES:
        name = os.path.basename(f)
        for args, how in (([], "as a single path"), (["--lenient", "--kind", "suggestion"], "under --lenient --kind suggestion")):
            d = os.path.join(TMP, name + str(len(args)))
            os.makedirs(d)
            path = os.path.join(d, name)
            shutil.copy(f, path)
            p = run([path, "--no-cache"] + args + ["-c", "count cases"])
            R.check(p.returncode in (0, 1), "%s %s: exit 0 or 1, not a crash" % (name, how), "exit %d\n%s" % (p.returncode, p.stderr))
            if p.returncode == 1:
                R.check(name in p.stderr and ("Excel 97–2003" in p.stderr or "damaged" in p.stderr or "truncated" in p.stderr),
                        "%s %s: refused saying the workbook is damaged" % (name, how), p.stderr)
            else:
                R.check(p.stdout.strip() != "", "%s %s: loads and counts" % (name, how), p.stdout)


R.case(test_each_crash_input_loads_or_is_refused)
R.finish()
