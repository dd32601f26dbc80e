"""Shared helpers of the end-to-end tests (stdlib only): find or build the binary, make a
dataset, count passes and failures. Each test_*.py imports this and stays runnable alone."""

import os
import subprocess
import sys
import tempfile
import traceback
import unicodedata

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BIN = os.path.join(ROOT, ".build", "debug", "caseql")


def binary():
    """The debug binary, built first when missing."""
    if not os.path.exists(BIN):
        print("building caseql …", flush=True)
        subprocess.run(["swift", "build", "--product", "caseql"], cwd=ROOT, check=True)
    return BIN


def dataset(tmp, cases=1270, seed=2020):
    """A dataset folder: datasets/zhengzhou-2020 when it exists, else a generated one."""
    shipped = os.path.join(ROOT, "datasets", "zhengzhou-2020")
    if os.path.exists(os.path.join(shipped, "cases.csv")) and cases == 1270 and seed == 2020:
        return shipped
    out = os.path.join(tmp, "ds-%d-%d" % (cases, seed))
    if not os.path.exists(os.path.join(out, "cases.csv")):
        subprocess.run([binary(), "generate", "--cases", str(cases), "--seed", str(seed), "--profile", "shipped", "--out", out],
                       check=True, capture_output=True)
    return out


def run(args, input=None, env=None, timeout=60, cwd=None):
    """Runs caseql with args; returns CompletedProcess with text stdout/stderr."""
    e = dict(os.environ)
    e.pop("CASEQL_HISTORY", None)
    if env:
        e.update(env)
    return subprocess.run([binary()] + list(args), input=input, capture_output=True, text=True,
                          env=e, timeout=timeout, cwd=cwd,
                          stdin=None if input is not None else subprocess.DEVNULL)


def width(s):
    """Display columns: East Asian wide and full-width count 2, combining marks 0."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else
               0 if unicodedata.combining(c) else 1 for c in s)


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.only = set(sys.argv[1:])

    def check(self, cond, what, detail=""):
        if cond:
            self.passed += 1
            print("ok   " + what, flush=True)
        else:
            self.failed += 1
            print("FAIL " + what, flush=True)
            if detail:
                for line in str(detail).rstrip("\n").split("\n")[:40]:
                    print("     | " + line)
        return cond

    def eq(self, got, want, what):
        return self.check(got == want, what, "want %r\ngot  %r" % (want, got))

    def case(self, fn):
        """Runs one scenario; an exception counts as a failure."""
        if self.only and fn.__name__ not in self.only:
            return
        try:
            fn()
        except Exception:
            self.check(False, "%s raised" % fn.__name__, traceback.format_exc())

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


def tempdir():
    return tempfile.mkdtemp(prefix="caseql-e2e-")
