"""Issue 17: hostile inputs, each run through the real binary. Every case checks the exit status
(never >= 128, which is a crash), the message, and what was kept. Run as root, as CI does."""

import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2elib  # noqa: E402
from e2elib import run  # noqa: E402

R = e2elib.Results()
TMP = tempfile.mkdtemp(prefix="caseql-hostile-")
SHIPPED = os.path.join(e2elib.ROOT, "datasets", "zhengzhou-2020")


def fresh(name):
    d = os.path.join(TMP, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def no_crash(p, what):
    R.check(0 <= p.returncode < 128, what + ": no crash (exit %d)" % p.returncode, p.stderr[-2000:])


def copy_dataset(name, files=("cases.csv", "units.csv", "events.csv", "manifest.json")):
    d = fresh(name)
    for f in files:
        src = os.path.join(SHIPPED, f)
        if os.path.exists(src):
            shutil.copy(src, os.path.join(d, f))
    return d


# ---- export targets -------------------------------------------------------------------------

def test_export_to_character_device():
    d = fresh("chardev")
    node = os.path.join(d, "n")
    os.mknod(node, 0o666 | 0o020000, os.makedev(1, 3))   # mknod n c 1 3
    p = run([SHIPPED, "-c", ".export %s count cases" % node])
    R.eq(p.returncode, 0, ".export to a character device: exit 0")
    R.check(os.path.exists(node) and os.stat(node).st_mode & 0o170000 == 0o020000,
            ".export to a character device: still a device node (written in place)")
    R.eq(sorted(os.listdir(d)), ["n"], ".export to a character device: no file beside it")


def test_export_to_symlink_and_nul():
    d = fresh("links")
    real = os.path.join(d, "real.csv")
    with open(real, "w") as f:
        f.write("keep")
    os.symlink(real, os.path.join(d, "link.csv"))
    p = run([SHIPPED, "-c", ".export %s/link.csv count cases" % d])
    R.eq(p.returncode, 1, ".export onto a symbolic link: exit 1")
    R.check("symbolic link" in p.stderr, ".export onto a symbolic link: says so", p.stderr)
    R.eq(open(real).read(), "keep", ".export onto a symbolic link: the file it points to is kept")
    R.check(os.path.islink(os.path.join(d, "link.csv")), ".export onto a symbolic link: the link is kept")
    script = os.path.join(d, "nul.cql")
    with open(script, "wb") as f:
        f.write(b".export " + d.encode() + b"/a\x00b.csv count cases\n")
    p = run([SHIPPED, "-f", script])
    R.eq(p.returncode, 1, ".export with a NUL in the path: exit 1")
    R.check("NUL" in p.stderr, ".export with a NUL in the path: says so", p.stderr)
    R.eq(sorted(os.listdir(d)), ["link.csv", "nul.cql", "real.csv"], ".export with a NUL: nothing written")


def big_dataset():
    return e2elib.dataset(TMP, cases=60000, seed=17)


def test_signal_during_export_leaves_no_temporary():
    ds = big_dataset()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        d = fresh("sig%d" % sig)
        target = os.path.join(d, "all.csv")
        proc = subprocess.Popen([e2elib.binary(), ds, "-c", ".export %s select * from cases" % target],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        seen = False
        deadline = time.time() + 120
        while time.time() < deadline and proc.poll() is None:
            if any(n.startswith(".all.csv.tmp-") for n in os.listdir(d)):
                seen = True
                proc.send_signal(sig)
                break
            time.sleep(0.005)
        proc.communicate(timeout=120)
        if not seen:
            R.check(False, "signal %d during export: the temporary file was never seen" % sig)
            continue
        R.eq(proc.returncode, -sig, "signal %d during export: the process dies of it" % sig)
        R.eq(os.listdir(d), [], "signal %d during export: no temporary file, no partial target" % sig)


def main():
    for fn in [test_export_to_character_device, test_export_to_symlink_and_nul,
               test_signal_during_export_leaves_no_temporary]:
        R.case(fn)
    shutil.rmtree(TMP, ignore_errors=True)
    print("%d passed, %d failed" % (R.passed, R.failed))
    sys.exit(1 if R.failed else 0)


if __name__ == "__main__":
    main()
