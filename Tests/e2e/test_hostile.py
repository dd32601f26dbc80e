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
    return e2elib.fresh(TMP, name)


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


# ---- scripts --------------------------------------------------------------------------------

def script(name, data):
    p = os.path.join(fresh("script-" + name), name)
    with open(p, "wb") as f:
        f.write(data)
    return p


def test_crlf_and_bom_scripts():
    lf = ".set u 教育局\n.mode csv\ncount cases where unit = $u\nselect id from cases where unit = $u\n  order by id limit 2\n"
    want = run([SHIPPED, "-f", script("lf.cql", lf.encode())])
    R.eq(want.returncode, 0, "LF script: exit 0")
    R.check(want.stdout.startswith("count\n105\n"), "LF script: counts 教育局's cases", want.stdout + want.stderr)
    for name, data in [("crlf.cql", lf.replace("\n", "\r\n").encode()),
                       ("bom-crlf.cql", b"\xef\xbb\xbf" + lf.replace("\n", "\r\n").encode()),
                       ("cr.cql", lf.replace("\n", "\r").encode())]:
        p = run([SHIPPED, "-f", script(name, data)])
        R.eq((p.returncode, p.stdout.replace("\r\n", "\n"), p.stderr), (0, want.stdout, ""),
             "%s: the same output as the LF script" % name)
    bad = run([SHIPPED, "-f", script("crlf-err.cql", b"count cases\r\n\r\nselect cases where unti = 1\r\n")])
    R.eq(bad.returncode, 1, "CRLF script with an error: exit 1")
    R.check(bad.stderr.startswith("%s:3:20: error: unknown field `unti`" % os.path.join(TMP, "script-crlf-err.cql", "crlf-err.cql")),
            "CRLF script with an error: the right line and column", bad.stderr)


def test_load_error_in_a_script_names_its_line():
    p = run([SHIPPED, "-f", script("load.cql", b"count cases\n\n.load /nonexistent/x\ncount units\n")])
    R.eq(p.returncode, 1, ".load error in a script: exit 1")
    R.check(p.stderr.startswith(os.path.join(TMP, "script-load.cql", "load.cql") + ":3: /nonexistent/x: no such file"),
            ".load error in a script: the script's line first", p.stderr)


def test_header_of_a_million_commas_is_refused():
    d = fresh("commas")
    with open(os.path.join(d, "cases.csv"), "w") as f:
        f.write("id,title" + "," * 1000000 + "\nP1,x\n")
    p = run([d, "-c", "count cases"], timeout=60)
    R.eq(p.returncode, 1, "a header of 1,000,000 commas: exit 1, at once")
    R.check("a row of more than 16,384 fields (caseql reads at most 16384 columns" in p.stderr,
            "a header of 1,000,000 commas: the limit is said", p.stderr)


def test_long_scripts_are_linear():
    # Each once took minutes (the statement re-read for every line or ";"): a timeout of
    # 120 s on the debug binary separates linear from quadratic without timing anything finer.
    p = run([SHIPPED, "--csv", "-f", script("one-line.cql", b"count cases;" * 20000)], timeout=120)
    R.eq((p.returncode, p.stdout.count("1270\n")), (0, 20000), "20,000 `count cases;` on one line: 20,000 answers")
    body = "select id from cases where\n" + "\n".join(['unit = "教育局" or'] * 20000) + '\nunit = "财政局"\n'
    p = run([SHIPPED, "--csv", "-f", script("long.cql", body.encode())], timeout=120)
    R.eq(p.returncode, 0, "one statement over 20,000 lines: exit 0")
    R.eq(len(p.stdout.splitlines()) - 1, 105 + int(run([SHIPPED, "--csv", "--no-headers", "-c",
         'count cases where unit = "财政局"']).stdout.strip()), "one statement over 20,000 lines: every row")
    lines = "\n".join(["count cases"] * 20000) + "\nselect cases where unti = 1\n"
    p = run([SHIPPED, "--csv", "-f", script("many.cql", lines.encode())], timeout=120)
    R.eq(p.returncode, 1, "20,000 statements then an error: exit 1")
    R.check(":20001:20: error: unknown field `unti`" in p.stderr, "20,000 statements then an error: its position", p.stderr)


def main():
    for fn in [test_export_to_character_device, test_export_to_symlink_and_nul,
               test_signal_during_export_leaves_no_temporary, test_crlf_and_bom_scripts,
               test_long_scripts_are_linear, test_load_error_in_a_script_names_its_line,
               test_header_of_a_million_commas_is_refused]:
        R.case(fn)
    shutil.rmtree(TMP, ignore_errors=True)
    print("%d passed, %d failed" % (R.passed, R.failed))
    sys.exit(1 if R.failed else 0)


if __name__ == "__main__":
    main()
