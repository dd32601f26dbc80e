#!/usr/bin/env python3
"""End-to-end: a damaged column snapshot never gives a wrong answer. A snapshot's sections are
checked when a question first uses them, not at start-up (Snapshot.swift, SnapshotSections), so
these tests damage sections that only a later statement of a script reads: that statement's
answer, and every other, must equal a --no-cache run's, the damage is named on standard error,
and the next start has a good snapshot again. Damage found at start-up (a truncated file,
another format version, a damaged directory) is tested too. The data: 70,000 realistic cases
(more than 65,536 rows), rows shuffled, cases.csv only. Stdlib only.

    python3 Tests/e2e/test_snapshot_damage.py
"""

import csv
import io
import os
import random
import shutil
import struct
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, binary, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()
CACHE = os.path.join(TMP, "xdg")
ENV = {"XDG_CACHE_HOME": CACHE}
CASES = os.path.join(TMP, "cases.csv")
SCRIPT = os.path.join(TMP, "weekly.cql")
# The same, then what the load did with the snapshot.
SCRIPT_CACHE = os.path.join(TMP, "weekly-cache.cql")
STATEMENTS = """.mode csv
count cases where unit = "教育局";
select satisfaction, count from cases group by satisfaction order by satisfaction;
select id, proposer, cosigners, title from cases where title contains "学校" order by id limit 5;
select unit, count from cases where key_supervised group by unit order by count desc, unit limit 3;
"""
# A 5th statement, made with a title of the data: `title =` looks it up in the titles' pool.
LOOKUP = 'count cases where title = "%s";\n'


def xxh64(data, seed=0):
    """XXH64 (doc/xxhash_spec.md), to make a patched header's checksum right again."""
    M = (1 << 64) - 1
    P1, P2, P3, P4, P5 = (0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                          0x85EBCA77C2B2AE63, 0x27D4EB2F165667C5)
    rotl = lambda x, r: ((x << r) | (x >> (64 - r))) & M
    rnd = lambda acc, v: (rotl((acc + v * P2) & M, 31) * P1) & M
    n, i = len(data), 0
    if n >= 32:
        v = [(seed + P1 + P2) & M, (seed + P2) & M, seed, (seed - P1) & M]
        while i + 32 <= n:
            for k in range(4):
                v[k] = rnd(v[k], struct.unpack_from("<Q", data, i + 8 * k)[0])
            i += 32
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & M
        for k in range(4):
            h = (((h ^ rnd(0, v[k])) * P1) + P4) & M
    else:
        h = (seed + P5) & M
    h = (h + n) & M
    while i + 8 <= n:
        h ^= rnd(0, struct.unpack_from("<Q", data, i)[0])
        h = (rotl(h, 27) * P1 + P4) & M
        i += 8
    if i + 4 <= n:
        h ^= (struct.unpack_from("<I", data, i)[0] * P1) & M
        h = (rotl(h, 23) * P2 + P3) & M
        i += 4
    while i < n:
        h ^= (data[i] * P5) & M
        h = (rotl(h, 11) * P1) & M
        i += 1
    h ^= h >> 33
    h = (h * P2) & M
    h ^= h >> 29
    h = (h * P3) & M
    return h ^ (h >> 32)


def snapshot(cache=CACHE):
    d = os.path.join(cache, "caseql")
    names = [f for f in os.listdir(d) if f.endswith(".snapshot")] if os.path.isdir(d) else []
    return os.path.join(d, names[0]) if len(names) == 1 else None


def sections(path):
    """The snapshot's directory: name -> (offset, length), as Snapshot.save writes it."""
    b = open(path, "rb").read()
    off, length = struct.unpack_from("<QQ", b, 24)
    d, at = b[off:off + length], 8
    out = {}
    for _ in range(struct.unpack_from("<q", d, 0)[0]):
        n = struct.unpack_from("<q", d, at)[0]
        name = d[at + 8:at + 8 + n].decode()
        at += 8 + n
        o, ln, _ = struct.unpack_from("<qqQ", d, at)
        at += 24
        out[name] = (o, ln)
    return out


def flip(path, section, where=0.5):
    o, ln = sections(path)[section]
    at = o + int(ln * where)
    with open(path, "r+b") as f:
        f.seek(at)
        b = f.read(1)
        f.seek(at)
        f.write(bytes([b[0] ^ 0x01]))


def patch_header(path, offset, change):
    """Changes header bytes and makes the header's checksum right again (only they differ)."""
    b = bytearray(open(path, "rb").read())
    change(b, offset)
    b[56:64] = struct.pack("<Q", xxh64(bytes(b[0:56])))
    open(path, "wb").write(bytes(b))


def make_data():
    ds = os.path.join(TMP, "gen")
    p = run(["generate", "--cases", "70000", "--seed", "11", "--profile", "realistic", "--out", ds], timeout=300)
    R.check(p.returncode == 0, "generate 70,000 realistic cases", p.stderr)
    lines = open(os.path.join(ds, "cases.csv"), encoding="utf-8").read().split("\n")
    header, rows = lines[0], [l for l in lines[1:] if l]
    random.Random(5).shuffle(rows)
    open(CASES, "w", encoding="utf-8").write(header + "\n" + "\n".join(rows) + "\n")
    title = next(csv.DictReader(io.StringIO(header + "\n" + rows[100] + "\n")))["title"]
    open(SCRIPT, "w", encoding="utf-8").write(STATEMENTS + LOOKUP % title)
    open(SCRIPT_CACHE, "w", encoding="utf-8").write(STATEMENTS + LOOKUP % title + ".cache\n")


def start(*args):
    return run([CASES, *args], env=ENV, timeout=300)


def test_damage_found_by_a_later_statement():
    make_data()
    want = run([CASES, "--no-cache", "-f", SCRIPT], timeout=300)
    R.check(want.returncode == 0 and want.stdout.count("\n") > 12, "the script answers from the files", want.stdout + want.stderr)
    first = start("-f", SCRIPT)
    R.check(first.stdout == want.stdout and snapshot() is not None, "the first start parses and writes a snapshot")
    again = start("-f", SCRIPT_CACHE)
    R.check(again.stdout.startswith(want.stdout) and "read from the snapshot" in again.stdout,
            "the second start reads it and answers the same", again.stdout[-300:] + again.stderr)
    good = open(snapshot(), "rb").read()
    names = sections(snapshot())
    for n in ["cases.satisfaction", "pool3.bytes", "pool3.offsets", "cases.id.bytes", "cases.cosigners.starts"]:
        R.check(n in names, "the snapshot has a section %s" % n, sorted(names))

    # Each section is read only by the statement named: the ones before it have answered from the
    # snapshot when the damage is found.
    for section, where, by in [
        ("cases.satisfaction", 0.5, "the 2nd statement"),
        ("pool3.bytes", 0.9, "the 3rd (titles)"),
        ("pool3.slots", 0.3, "the 5th (the titles' hash table: a lookup; contains reads only the strings)"),
        ("cases.id.ends", 0.7, "the 3rd (ids kept as bytes)"),
        ("cases.cosigners.bytes", 0.5, "the 3rd (cosigners kept as bytes)"),
        ("cases.cosigners.starts", 0.2, "the 3rd (a list's row starts)"),
        ("cases.key_supervised", 0.6, "the 4th (a bool column)"),
    ]:
        path = snapshot()
        open(path, "wb").write(good)
        flip(path, section, where)
        p = start("-f", SCRIPT)
        R.check(p.returncode == 0 and p.stdout == want.stdout,
                "a bit flipped in %s, read by %s: the answers equal --no-cache's" % (section, by),
                "stdout:\n" + p.stdout + "\nstderr:\n" + p.stderr)
        R.check(("its section %s does not match its checksum" % section) in p.stderr
                and "loading the files again" in p.stderr and p.stderr.count("\n") == 1,
                "%s: standard error names the damaged section, once" % section, p.stderr)
        q = start("-f", SCRIPT_CACHE)
        R.check(q.stdout.startswith(want.stdout) and "read from the snapshot" in q.stdout and q.stderr == "",
                "%s: the next start reads a snapshot written anew" % section, q.stdout[-300:] + q.stderr)
        R.check(open(snapshot(), "rb").read() == good, "%s: rebuilt as it was" % section)


def test_dot_commands_read_checked_data():
    # .case prints as it reads: the whole snapshot is checked before it runs. A whole dataset
    # (cases, units, events), with a cache folder of its own.
    ds, env = os.path.join(TMP, "gen"), {"XDG_CACHE_HOME": os.path.join(TMP, "xdg-folder")}
    ident = run([ds, "--no-cache", "--csv", "--no-headers", "-c", "select id from cases order by id desc limit 1"]).stdout.strip()
    want = run([ds, "--no-cache", "-c", ".case " + ident], timeout=300)
    R.check(want.returncode == 0 and ident and ident in want.stdout, ".case from the files", want.stdout + want.stderr)
    run([ds, "-c", "count cases"], env=env, timeout=300)
    path = snapshot(env["XDG_CACHE_HOME"])
    R.check(path is not None and run([ds, "-c", ".cache"], env=env).stdout.count("read from the snapshot") == 1, "a snapshot of the folder")
    flip(path, "cases.title", 0.5)
    p = run([ds, "-c", ".case " + ident], env=env, timeout=300)
    R.check(p.returncode == 0 and p.stdout == want.stdout and "cases.title does not match its checksum" in p.stderr,
            ".case on a snapshot with a damaged title column: the same as from the files",
            p.stdout + "\n--- want:\n" + want.stdout + "\n--- stderr:\n" + p.stderr)


def test_damage_found_at_start():
    want = run([CASES, "--no-cache", "-f", SCRIPT], timeout=300).stdout
    start("-c", "count cases")
    path = snapshot()
    good = open(path, "rb").read()
    dir_offset = struct.unpack_from("<Q", good, 24)[0]

    def bump_version(b, at):
        b[at] = (b[at] + 1) & 0xFF

    damages = [
        ("truncated to half", lambda p: open(p, "wb").write(good[:len(good) // 2]), "truncated"),
        ("truncated by one byte", lambda p: open(p, "wb").write(good[:-1]), "truncated"),
        ("another format version", lambda p: patch_header(p, 8, bump_version), "another format version"),
        ("another build of caseql", lambda p: patch_header(p, 16, bump_version), "another build"),
        ("a bit of the directory", lambda p: flip_at(p, dir_offset + 9), "directory is damaged"),
        ("a bit of the meta section", lambda p: flip(p, "meta", 0.5), "meta section is damaged"),
    ]
    for what, damage, why in damages:
        open(path, "wb").write(good)
        damage(path)
        p = start("-f", SCRIPT_CACHE)
        R.check(p.returncode == 0 and p.stdout.startswith(want) and why in p.stdout and "saved the snapshot" in p.stdout,
                "%s: not used (%s), the files parsed, the same answers, a new snapshot written" % (what, why),
                p.stdout[-400:] + p.stderr)
        R.check(open(snapshot(), "rb").read() == good, "%s: rebuilt as it was" % what)


def flip_at(path, at):
    with open(path, "r+b") as f:
        f.seek(at)
        b = f.read(1)
        f.seek(at)
        f.write(bytes([b[0] ^ 0x01]))


def main():
    binary()
    for t in [test_damage_found_by_a_later_statement, test_dot_commands_read_checked_data, test_damage_found_at_start]:
        R.case(t)
    shutil.rmtree(TMP, ignore_errors=True)
    R.finish()


if __name__ == "__main__":
    main()
