#!/usr/bin/env python3
"""End-to-end: the shell as an analyst uses it (issue 11), in a real terminal (tmux) with the
exact keys: completion that inserts what runs, pastes, settings, the record view, narrow
terminals, the start-up file. Private tmux socket and history; stdlib only.

    python3 Tests/e2e/test_shell.py [scenario ...]
"""

import csv
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import PROMPT, ROOT, TMUX, Pane, Results, binary, dataset, run, tempdir, tmux_on, width  # noqa: E402

R = Results()
TMP = tempdir()
SOCKET = "caseql-shell-%d" % os.getpid()
SESSION = "sh"
CONT = "   ...> "


def tmux(*args, check=True):
    return tmux_on(SOCKET, *args, check=check)


class Term(Pane):
    """One caseql in a tmux pane of cols×rows, started with `args` in `cwd` with `env`."""

    def __init__(self, args, cols=120, rows=40, env=None, cwd=None, wait_prompt=True):
        super().__init__(R, SOCKET, SESSION, text_pause=0.15, key_pause=0.25, poll=0.1, join=True, scrollback=200)
        e = {"CASEQL_HISTORY": os.path.join(TMP, "history"), "LANG": "C.UTF-8",
             "TERM": "xterm-256color", "HOME": os.path.join(TMP, "home"),
             "XDG_CONFIG_HOME": os.path.join(TMP, "config")}
        e.update(env or {})
        os.makedirs(e["HOME"], exist_ok=True)
        inner = "cd %s; env %s %s %s; echo EXIT=$?; sleep 30" % (
            shlex.quote(cwd or TMP), " ".join("%s=%s" % (k, shlex.quote(v)) for k, v in e.items()),
            shlex.quote(binary()), " ".join(shlex.quote(a) for a in args))
        self.start("sh -c %s" % shlex.quote(inner), cols, rows)
        if wait_prompt:
            self.wait_prompt()

    def current(self):
        v, y = self.visible(), self.cursor()[1]
        return v[y] if y < len(v) else ""

    def clear(self):
        self.keys("C-u")
        self.keys("C-l")
        self.clear_history()
        self.wait(lambda ls: ls[0].startswith(PROMPT.rstrip()) and not any(ls[1:]), "screen cleared")

    def run(self, line, what):
        """Types a line, Enter, waits for the next prompt; returns the lines after the typed one."""
        self.clear()
        self.text(line)
        before = self.prompts()
        self.keys("Enter")
        lines = self.wait(lambda ls: self.prompts() > before and self.current() == PROMPT.rstrip(), what)
        if not lines:
            return []
        lines = [l for l in lines]
        while lines and lines[-1] == "":
            lines.pop()
        return lines[1:-1]

    @staticmethod
    def kill():
        tmux("kill-server", check=False)


def csv_rows(ds, q):
    p = run([ds, "--csv", "-c", q])
    return list(csv.reader(io.StringIO(p.stdout)))


# ---------------------------------------------------------------- completion

def completion():
    ds = dataset(TMP)
    t = Term([ds])
    # Inside quotes: pinyin initials complete and close the quote.
    t.clear()
    t.text('select cases where unit="jyj')
    t.keys("Tab")
    t.line_is(PROMPT + 'select cases where unit="教育局"', 'unit="jyj Tab → unit="教育局"')
    lines = t.run('count cases where unit="jyj\t', "completed quoted count runs")
    want = csv_rows(ds, 'count cases where unit="教育局"')[-1][0]
    R.check(want in [l.strip() for l in lines], "the quoted completion runs: %s cases" % want, "\n".join(lines))
    # unit="教 Tab: completes, or lists the units that start so (never keywords).
    units = [r[0] for r in csv_rows(ds, "select name from units")[1:]]
    jiao = sorted(u for u in units if u.startswith("教"))
    t.clear()
    t.text('select cases where unit="教')
    t.keys("Tab")
    if len(jiao) == 1:
        t.line_is(PROMPT + 'select cases where unit="%s"' % jiao[0], 'unit="教 Tab completes the one unit')
    else:
        t.keys("Tab")
        scr = "\n".join(t.visible())
        R.check(all(u in scr for u in jiao) and "select" not in scr.split("\n", 1)[1],
                'unit="教 Tab Tab lists the units starting with 教', scr)
    # unit=" Tab lists unit names, not keywords.
    t.clear()
    t.text('select cases where unit="')
    t.keys("Tab")
    t.keys("Tab")
    scr = t.visible()
    if any(l.startswith("Display all") for l in scr):
        t.keys("y")
        scr = t.screen()
    body = "\n".join(l for l in scr if not l.startswith(PROMPT.rstrip()))
    R.check(sum(u in body for u in units) >= min(len(units), 20) and not re.search(r"\bwhere\b|\bselect\b", body),
            'unit=" Tab lists unit names, not keywords', "\n".join(scr[:12]))
    # A value that needs quotes comes quoted: full-width brackets (leader 副市长（分管教育）).
    leaders = [r[0] for r in csv_rows(ds, "select leader, count from cases group by leader")[1:]]
    if "副市长（分管教育）" in leaders:
        want = csv_rows(ds, 'count cases where leader = "副市长（分管教育）"')[-1][0]
        t.clear()
        t.text("count cases where leader = fszfgjy")
        t.keys("Tab")
        t.line_is(PROMPT + 'count cases where leader = "副市长（分管教育）"', "fszfgjy Tab → the leader, quoted")
        t.clear()
        t.text('count cases where leader = "副市长（分管教')
        t.keys("Tab")
        t.line_is(PROMPT + 'count cases where leader = "副市长（分管教育）"', "inside quotes: the quote is closed")
        lines = t.run('count cases where leader = fszfgjy\t', "the quoted leader runs")
        R.check(want in [l.strip() for l in lines], "what completion inserted runs: %s cases" % want, "\n".join(lines))
    # The dot-command gets its space; the path is then typed after it.
    t.clear()
    t.text(".exp")
    t.keys("Tab")
    t.text("week.csv")
    t.line_is(PROMPT + ".export week.csv", ".exp Tab week.csv → .export week.csv")
    # Pinyin initials for .report --unit and .check --unit.
    t.clear()
    t.text(".report --unit jyj")
    t.keys("Tab")
    t.line_is(PROMPT + ".report --unit 教育局", ".report --unit jyj Tab → 教育局")
    t.clear()
    t.text(".check --unit jyj")
    t.keys("Tab")
    t.line_is(PROMPT + ".check --unit 教育局", ".check --unit jyj Tab → 教育局")
    # After a complete condition: what can follow, first.
    t.clear()
    t.text("select cases where status = overdue ")
    t.keys("Tab")
    t.keys("Tab")
    scr = "\n".join(t.visible())
    R.check(all(w in scr for w in ("and", "or", "order by", "group by", "limit")) and "contains" not in scr,
            "after a complete condition Tab offers and, or, order by, group by, limit", scr)
    t.clear()
    t.text("select cases where status = overdue ord")
    t.keys("Tab")
    t.line_is(PROMPT + "select cases where status = overdue order by", "ord Tab → order by")
    # Above a screenful: readline's question; n lists nothing.
    t.kill()
    t = Term([ds], rows=12)
    t.clear()
    t.text("select cases where ")
    t.keys("Tab")
    scr = t.visible()
    R.check(any(re.match(r"Display all \d+ possibilities\? \(y or n\)", l) for l in scr),
            "above a screenful: Display all N possibilities? (y or n)", "\n".join(scr))
    t.keys("n")
    t.line_is(PROMPT + "select cases where", "n: back to the line, nothing listed")
    t.kill()
    # Paths with spaces come quoted.
    d = os.path.join(TMP, "my data")
    os.makedirs(d, exist_ok=True)
    shutil.copy(os.path.join(ds, "cases.csv"), os.path.join(d, "week one.csv"))
    t = Term([ds], cwd=TMP)
    t.clear()
    t.text(".load my")
    t.keys("Tab")
    t.line_is(PROMPT + '.load "my data/', "a folder with a space opens a quote")
    t.text("we")
    t.keys("Tab")
    t.line_is(PROMPT + '.load "my data/week one.csv"', "the file closes it")
    lines = t.run('.load "my data/week one.csv"', "the quoted path loads")
    R.check(any(l.startswith("loaded ") for l in lines), "the completed path loads", "\n".join(lines))
    t.kill()


# ---------------------------------------------------------------- statements and pastes

WEEKLY = """-- weekly.cql: caseql datasets/zhengzhou-2020 -f weekly.cql --set unit=教育局
.mode csv
select proposals where unit = $unit and status = overdue
  order by deadline;
select unit, completion_rate from cases where unit = $unit group by unit;
"""


def paste():
    ds = dataset(TMP)
    script = os.path.join(TMP, "weekly.cql")
    with open(script, "w", encoding="utf-8") as f:
        f.write(WEEKLY)
    want = run([ds, "-f", script, "--set", "unit=教育局"])
    R.eq(want.returncode, 0, "weekly.cql runs as a script")
    t = Term([ds, "--set", "unit=教育局"])
    t.clear()
    tmux("set-buffer", "-b", "weekly", "--", WEEKLY)
    before = t.prompts()
    tmux("paste-buffer", "-b", "weekly", "-t", SESSION)
    t.wait(lambda ls: t.prompts() > before + 2 and t.current() == PROMPT.rstrip(), "the paste ran")
    time.sleep(0.5)
    scr = [l for l in t.screen() if l and not l.startswith(PROMPT.rstrip()) and not l.startswith(CONT.rstrip())]
    R.eq(scr, want.stdout.rstrip("\n").split("\n"), "pasted weekly.cql prints what the script prints")
    R.check(not any("error" in l for l in t.screen()), "the paste gave no error", "\n".join(t.screen()))
    # Typed by hand, a complete line still runs at Enter.
    lines = t.run("count cases", "a typed statement runs at Enter")
    R.check(any(l.strip() == "1270" or l.strip().isdigit() for l in lines), "typed count runs at once", "\n".join(lines))
    t.kill()
    # A BOM at the start of a script and of stdin is skipped.
    bom = os.path.join(TMP, "bom.cql")
    with open(bom, "wb") as f:
        f.write(b"\xef\xbb\xbfcount cases\n")
    p = run([ds, "--csv", "-f", bom])
    R.check(p.returncode == 0 and p.stdout.split()[-1].isdigit(), "BOM at the start of a script is skipped", p.stderr)
    p = subprocess.run([binary(), ds, "--csv"], input=b"\xef\xbb\xbfcount cases\n", capture_output=True)
    R.check(p.returncode == 0 and p.stdout.split()[-1].isdigit(), "BOM at the start of stdin is skipped", p.stderr)


# ---------------------------------------------------------------- settings

def settings():
    ds = dataset(TMP)
    t = Term([ds], cols=80)
    scr = t.visible()
    R.check(all(width(l) <= 80 for l in scr[:2]) and scr[0].startswith("caseql ") and "1270 cases" in scr[0]
            and ".help" in scr[1] and scr[2] == PROMPT.rstrip(), "banner: two lines within 80 columns", "\n".join(scr[:4]))
    for cmd, want in [(".mode", "mode table"), (".headers", "headers on"), (".labels", "labels off"),
                      (".maxrows", "maxrows 40"), (".timer", "timer off"), (".output", "output stdout"),
                      (".csv", "csv bom on, crlf on, guard on, encoding utf-8")]:
        lines = t.run(cmd, cmd)
        R.eq(lines, [want], cmd + " without an argument prints the setting")
    lines = t.run(".asof", ".asof")
    R.check(len(lines) == 1 and lines[0].startswith("asof 2020-"), ".asof prints the as-of date", "\n".join(lines))
    t.run(".mode csv", "set mode")
    t.run(".maxrows all", "set maxrows")
    lines = t.run(".show", ".show")
    names = [l.split()[0] for l in lines if l.strip()]
    R.check(names[:8] == ["mode", "headers", "labels", "maxrows", "timer", "asof", "output", "csv"]
            and "mode     csv" in lines and "maxrows  all" in lines, ".show prints every setting, as set", "\n".join(lines))
    t.run(".mode table", "back to table")
    # .help at 80 columns: usage on a line, the description wrapped under it.
    lines = t.run(".help", ".help")
    R.check(all(width(l) <= 80 for l in lines) and any(l.startswith(".export ") for l in lines)
            and sum(1 for l in lines if l.startswith("    ")) > 20, ".help fits 80 columns, descriptions under the usage",
            "\n".join(lines[:20]))
    lines = t.run(".help exp", ".help exp")
    R.check(lines and lines[0].startswith(".export FILE") and any("Shortest form: .exp" in l for l in lines),
            ".help CMD: one command in full", "\n".join(lines))
    # Abbreviations: explicit shortest forms; an ambiguous one lists the candidates.
    lines = t.run(".e", ".e")
    R.check(lines == [".e is ambiguous: .export or .exit?"] or any(".export or .exit" in l for l in lines),
            ".e is ambiguous: .export or .exit", "\n".join(lines))
    lines = t.run(".mo", ".mo")
    R.eq(lines, ["mode table"], ".mo is .mode")
    # Hints for habits.
    for typed, hint in [(".tables", ".schema"), ("help", ".help"), ("exit", ".exit"), ("quit", ".quit"),
                        ('select cases where title like "午餐"', "contains"),
                        ('select cases where unit = 教育局 和 status = overdue', "`and`"),
                        ('select cases where unit = 教育局 并且 status = overdue', "`and`"),
                        ('select cases where title 包括 "午餐"', "`contains`"),
                        ('select cases order by deadline 降序', "`desc`")]:
        lines = t.run(typed, typed)
        R.check(any(hint in l for l in lines), "hint for %s names %s" % (typed, hint), "\n".join(lines))
    # After order by FIELD, Tab lists desc.
    t.clear()
    t.text("select cases order by deadline ")
    t.keys("Tab")
    t.keys("Tab")
    R.check(any("desc" in l for l in t.visible()), "order by FIELD Tab lists desc", "\n".join(t.visible()))
    t.kill()


# ---------------------------------------------------------------- reading results

def table_cells(line):
    return [c.strip() for c in line.split("│")]


def reading():
    ds = dataset(TMP)
    ids = [r[0] for r in csv_rows(ds, "select id from cases")[1:]]
    for cols in (60, 80, 100):
        t = Term([ds], cols=cols)
        lines = t.run("select cases limit 12", "default query at %d columns" % cols)
        table = [l for l in lines if "│" in l]
        R.check(len(table) == 13 and all(width(l) <= cols for l in lines),
                "%d columns: the table fits" % cols, "\n".join(lines))
        header = table_cells(table[0]) if table else []
        rows = [table_cells(l) for l in table[1:]]
        want = csv_rows(ds, "select cases limit 12")
        wh = want[0]
        for name in ("id", "status", "deadline"):
            if name in header:
                k, j = header.index(name), wh.index(name)
                R.check(all(r[k] == w[j] for r, w in zip(rows, want[1:])),
                        "%d columns: %s never cut" % (cols, name), "\n".join(lines))
            else:
                R.check(False, "%d columns: %s shown" % (cols, name), "\n".join(lines))
        if "title" in header:
            k = header.index("title")
            shown = min(width(r[k]) for r in rows)
            if cols >= 80:
                R.check(shown >= 20, "%d columns: the title shows at least 20 columns (%d)" % (cols, shown), "\n".join(lines))
            R.check(any(r[k].endswith("…") for r in rows) or cols >= 100, "%d columns: cut titles end with …" % cols)
        t.kill()
    t = Term([ds], cols=100)
    # .mode line: one field a line.
    t.run(".mode line", ".mode line")
    lines = t.run("select id, title, status from cases limit 2", "line mode")
    want = csv_rows(ds, "select id, title, status from cases limit 2")
    R.eq(lines, ["    id = " + want[1][0], " title = " + want[1][1], "status = " + want[1][2], "",
                 "    id = " + want[2][0], " title = " + want[2][1], "status = " + want[2][2]],
         ".mode line: name = value, a blank line between rows")
    t.run(".mode table", ".mode table")
    # .case ID: every field with its Chinese label, then the events in date order.
    case_id = ids[len(ids) // 2]
    lines = t.run(".case " + case_id, ".case")
    events = csv_rows(ds, 'select date, action from events where case_id = "%s" order by date' % case_id)[1:]
    R.check(lines and lines[0].split() == ["编号", case_id] and any(l.startswith("办理状态") for l in lines)
            and any(l.startswith("主办单位") for l in lines), ".case: fields with Chinese labels", "\n".join(lines))
    timeline = [l.split()[0] for l in lines if re.match(r"  \d{4}-\d\d-\d\d", l)]
    R.check(timeline == [e[0] for e in events] and len(events) > 0,
            ".case: the %d events as a dated timeline" % len(events), "\n".join(lines))
    # A co-unit's reply is its opinion to the lead unit (会办意见), not the case's answer (答复).
    pairs = csv_rows(ds, 'select case_id, unit from events where action = reply and unit != case.unit '
                         'and case.co_units is not empty limit 1')[1:]
    R.check(len(pairs) == 1, "the dataset has a co-unit's reply", repr(pairs))
    for co_case, co_unit in pairs[:1]:
        lines = t.run(".case " + co_case, ".case with a co-unit's opinion")
        R.check(any("会办意见" in l and co_unit in l for l in lines if re.match(r"  \d{4}-", l))
                and not any(" 答复 " in l and co_unit in l for l in lines if re.match(r"  \d{4}-", l)),
                ".case: a co-unit's reply reads 会办意见", "\n".join(lines))
    lines = t.run(".case NO-SUCH-ID", ".case unknown")
    R.check(any("no case NO-SUCH-ID" in l for l in lines), ".case of an unknown id says so", repr(lines))
    # Labels on: footers and yes/no in Chinese.
    t.run(".labels on", ".labels on")
    lines = t.run("select id, key_supervised from cases limit 3", "labels query")
    R.check("共 3 行" in lines and any(l.rstrip().endswith(("是", "否")) for l in lines) and
            not any("true" in l or "false" in l for l in lines), ".labels on: footer 共 3 行, yes/no as 是/否", "\n".join(lines))
    out = os.path.join(TMP, "labels.csv")
    lines = t.run(".export " + out, "export under labels")
    R.check(any(l.startswith("已写入 3 行") for l in lines), ".labels on: the export message in Chinese", "\n".join(lines))
    t.run(".labels off", ".labels off")
    # .export right after a failed statement refuses.
    t.run("select id from cases limit 2", "a good query")
    t.run("select cases where unti = 1", "a failed query")
    out = os.path.join(TMP, "after-fail.csv")
    lines = t.run(".export " + out, "export after failure")
    R.check(any("the last statement failed; nothing to export" in l for l in lines) and not os.path.exists(out),
            ".export after a failed statement refuses and writes nothing", "\n".join(lines))
    t.kill()


# ---------------------------------------------------------------- arrival

def arrival():
    ds = dataset(TMP)
    home = os.path.join(TMP, "home")
    config = os.path.join(TMP, "config")
    os.makedirs(os.path.join(config, "caseql"), exist_ok=True)
    os.makedirs(home, exist_ok=True)
    # ~/.caseqlrc, then $XDG_CONFIG_HOME/caseql/rc first; read before the first prompt.
    with open(os.path.join(home, ".caseqlrc"), "w") as f:
        f.write(".mode csv\n")
    t = Term([ds])
    lines = t.run(".mode", "mode from ~/.caseqlrc")
    R.eq(lines, ["mode csv"], "~/.caseqlrc is read before the first prompt")
    t.kill()
    with open(os.path.join(config, "caseql", "rc"), "w") as f:
        f.write("-- start-up\n.mode line\n.maxrows 7\n")
    t = Term([ds])
    lines = t.run(".show", "show after XDG rc")
    R.check("mode     line" in lines and "maxrows  7" in lines, "$XDG_CONFIG_HOME/caseql/rc comes before ~/.caseqlrc",
            "\n".join(lines))
    t.kill()
    t = Term([ds, "--no-rc"])
    lines = t.run(".mode", "mode with --no-rc")
    R.eq(lines, ["mode table"], "--no-rc reads no start-up file")
    t.kill()
    init = os.path.join(TMP, "init.cql")
    with open(init, "w") as f:
        f.write(".mode json\n")
    t = Term([ds, "-init", init])
    lines = t.run(".mode", "mode with -init")
    R.eq(lines, ["mode json"], "-init FILE reads that file instead")
    t.kill()
    p = run([ds, "-init", init, "-c", "select id from cases limit 1"])
    R.check(p.stdout.startswith("[") and p.returncode == 0, "-init applies to -c too", p.stdout + p.stderr)
    p = run([ds, "-c", ".mode"], env={"HOME": home, "XDG_CONFIG_HOME": config})
    R.eq(p.stdout, "mode table\n", "scripts and -c do not read the usual start-up file")
    os.remove(os.path.join(home, ".caseqlrc"))
    os.remove(os.path.join(config, "caseql", "rc"))
    # .once: the next result only; .read and .once relative to the script naming them.
    sub = os.path.join(TMP, "weekly dir")
    os.makedirs(sub, exist_ok=True)
    with open(os.path.join(sub, "main.cql"), "w") as f:
        f.write(".read part.cql\n")
    with open(os.path.join(sub, "part.cql"), "w") as f:
        f.write(".mode csv\n.once once.csv\nselect id from cases order by id limit 2;\nselect id from cases order by id limit 1;\n")
    elsewhere = os.path.join(TMP, "elsewhere")
    os.makedirs(elsewhere, exist_ok=True)
    p = run([ds, "-f", os.path.join(sub, "main.cql")], cwd=elsewhere)
    ids = [r[0] for r in csv_rows(ds, "select id from cases order by id limit 2")[1:]]
    R.check(p.returncode == 0 and p.stdout.split() == ["id", ids[0]], ".once: the second result goes to the screen",
            p.stdout + p.stderr)
    once = os.path.join(sub, "once.csv")
    R.check(os.path.exists(once) and [r[0] for r in csv.reader(open(once, encoding="utf-8-sig", newline=""))] == ["id"] + ids,
            ".read and .once paths are relative to the script that names them")
    t = Term([ds])
    out = os.path.join(TMP, "once-shell.csv")
    t.run(".once " + out, ".once in the shell")
    t.run("select id from cases order by id limit 2", "once result")
    lines = t.run("count cases", "then the screen")
    R.check(os.path.exists(out) and any(l.strip().isdigit() for l in lines), ".once in the shell: the file, then the screen",
            "\n".join(lines))
    t.kill()
    # Without a dataset: the banner and statements say how to load one.
    t = Term([])
    scr = t.visible()
    R.check("no dataset loaded" in scr[0] and ".load" in scr[0] and width(scr[0]) <= 80, "no dataset: the banner says how to load one",
            "\n".join(scr[:3]))
    lines = t.run("count cases", "count without a dataset")
    R.check(any("no dataset loaded" in l and ".load FOLDER" in l for l in lines) and not any(l.strip() == "0" for l in lines),
            "count cases without a dataset says so, not 0", "\n".join(lines))
    t.kill()
    # Usage errors name the real problem and no `shell` subcommand; --help shows each default once.
    p = run(["a", "b"])
    R.check(p.returncode == 2 and "shell" not in p.stderr and "caseql --help" in p.stderr, "usage error: no `shell` subcommand", p.stderr)
    p = run(["--help"])
    paragraphs = re.split(r"\n  (?=-)", p.stdout)
    R.check(p.returncode == 0 and all(par.count("(default") <= 1 for par in paragraphs) and "-init" in p.stdout
            and "--no-rc" in p.stdout, "--help: each default once, -init and --no-rc listed",
            "\n".join(par for par in paragraphs if par.count("(default") > 1))
    p = run([os.path.join(TMP, "missing", "folder")])
    R.check(p.returncode == 1 and "no such file or folder" in p.stderr, "a missing dataset folder is named", p.stderr)
    # run.sh: a first argument that is not an option is passed alone (no shipped dataset added).
    fake = os.path.join(TMP, "runsh")
    os.makedirs(os.path.join(fake, "scripts"), exist_ok=True)
    os.makedirs(os.path.join(fake, ".build", "release"), exist_ok=True)
    os.makedirs(os.path.join(fake, "bin"), exist_ok=True)
    shutil.copy(os.path.join(ROOT, "run.sh"), fake)
    with open(os.path.join(fake, "scripts", "setup.sh"), "w") as f:
        f.write("true\n")
    for path, body in [(os.path.join(fake, ".build", "release", "caseql"), 'printf "%s|" "$@"\n'),
                       (os.path.join(fake, "bin", "swift"), "true\n")]:
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + body)
        os.chmod(path, 0o755)
    env = dict(os.environ, PATH=os.path.join(fake, "bin") + ":" + os.environ["PATH"])
    for args, want in [(["missing/folder"], "missing/folder|"), ([], "datasets/zhengzhou-2020|"),
                       (["-c", "count cases"], "datasets/zhengzhou-2020|-c|count cases|"),
                       (["generate", "--out", "x"], "generate|--out|x|")]:
        p = subprocess.run(["bash", os.path.join(fake, "run.sh")] + args, capture_output=True, text=True, env=env)
        R.eq(p.stdout, want, "run.sh %s passes %s" % (" ".join(args), want))
    # README's error example is what the shell prints.
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    m = re.search(r"```\ncaseql> (select cases where unti[^\n]*)\n(.*?)```", readme, re.S)
    R.check(m is not None, "README has the error example")
    if m:
        t = Term([ds])
        lines = t.run(m.group(1), "README's error example")
        R.eq(lines, m.group(2).rstrip("\n").split("\n"), "README's error example is what the shell prints")
        t.kill()
    # The man page and completion scripts are generated from the declaration and current.
    gen = os.path.join(TMP, "gen")
    shutil.copytree(os.path.join(ROOT, "scripts"), os.path.join(gen, "scripts"))
    p = subprocess.run(["bash", os.path.join(gen, "scripts", "gen-docs.sh")], capture_output=True, text=True,
                       env=dict(os.environ, CASEQL=binary()))
    for rel in ("docs/caseql.1", "completions/caseql.bash", "completions/_caseql"):
        mine = os.path.join(gen, rel)
        R.check(p.returncode == 0 and open(mine, encoding="utf-8").read() == open(os.path.join(ROOT, rel), encoding="utf-8").read(),
                "%s is current (scripts/gen-docs.sh)" % rel, p.stderr)
    roff = open(os.path.join(ROOT, "docs", "caseql.1"), encoding="utf-8").read()
    R.check("人大代表建议" in roff and ".It Fl -no-rc" in roff and ".It Fl init" in roff and ".Sh FILES" in roff,
            "the man page keeps the Chinese and lists the options")
    if shutil.which("man"):
        page = subprocess.run(["man", "-l", os.path.join(ROOT, "docs", "caseql.1")], capture_output=True, text=True,
                              env=dict(os.environ, MANWIDTH="80", LANG="C.UTF-8"))
        R.check("人大代表建议" in page.stdout and "--no-rc" in page.stdout and "warning" not in page.stderr,
                "man renders the page", page.stderr)
    comp = subprocess.run(["bash", "-c", "source %s && complete -p caseql" % os.path.join(ROOT, "completions", "caseql.bash")],
                          capture_output=True, text=True)
    R.check(comp.returncode == 0 and "caseql" in comp.stdout, "the bash completion script loads", comp.stderr)
    # What it offers: the options after a dataset, the subcommand as the first word, and no
    # `shell` (the shell is caseql itself).
    probe = ('source %s; t(){ COMPREPLY=(); COMP_WORDS=("$@"); COMP_CWORD=$(($#-1)); COMP_LINE="$*"; '
             'COMP_POINT=${#COMP_LINE}; _caseql caseql "${@: -1}" "${@: -2:1}"; echo "${COMPREPLY[*]}"; }; '
             't caseql datasets/x --cs; t caseql gen; t caseql sh') % os.path.join(ROOT, "completions", "caseql.bash")
    comp = subprocess.run(["bash", "-c", probe], capture_output=True, text=True,
                          env=dict(os.environ, PATH=os.path.dirname(binary()) + os.pathsep + os.environ.get("PATH", "")))
    offered = comp.stdout.split("\n")
    R.check(len(offered) >= 3 and offered[0] == "--csv" and offered[1] == "generate" and offered[2] == "",
            "bash completion: --cs after a dataset gives --csv, gen gives generate, sh gives no shell subcommand",
            repr(comp.stdout) + comp.stderr)


SCENARIOS = [completion, paste, settings, reading, arrival]


def main():
    if not os.path.exists(TMUX):
        print("tmux not found\n0 passed, 1 failed")
        sys.exit(1)
    binary()
    try:
        for s in SCENARIOS:
            R.case(s)
    finally:
        Term.kill()
        shutil.rmtree(TMP, ignore_errors=True)
    R.finish()


if __name__ == "__main__":
    main()
