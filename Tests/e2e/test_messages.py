#!/usr/bin/env python3
"""End-to-end: under `.labels on` the shell's messages read in Chinese (issue 11) — errors of
the dot-commands, the parser, the binder and the loader, hints and status lines — with the same
positions, carets and quoted values; under `.labels off` the same inputs say what they said
before, in English. A real terminal (tmux, private socket); stdlib only.

    python3 Tests/e2e/test_messages.py [scenario ...]
"""

import os
import shlex
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Pane, Results, binary, dataset, fresh, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()
SOCKET = "caseql-messages-%d" % os.getpid()
SESSION = "msg"
PROMPT = "caseql>"


class Shell(Pane):
    """One interactive caseql on a dataset in a cols×50 tmux pane (160 columns: no message wraps)."""

    def __init__(self, ds, cols=160, term="xterm-256color"):
        super().__init__(R, SOCKET, SESSION, poll=0.1, join=True, scrollback=300)
        env = {"CASEQL_HISTORY": os.path.join(TMP, "history"), "LANG": "C.UTF-8", "TERM": term,
               "HOME": os.path.join(TMP, "home"), "XDG_CONFIG_HOME": os.path.join(TMP, "config"),
               "XDG_CACHE_HOME": os.path.join(TMP, "cache"), "NO_COLOR": "1"}
        os.makedirs(env["HOME"], exist_ok=True)
        inner = "cd %s; env %s %s %s; sleep 30" % (shlex.quote(TMP), " ".join("%s=%s" % (k, shlex.quote(v)) for k, v in env.items()),
                                                 shlex.quote(binary()), shlex.quote(ds))
        self.start("sh -c %s" % shlex.quote(inner), cols, 50)
        self.wait_prompts(1)

    def wait_prompts(self, n, timeout=15.0):
        end = time.time() + timeout
        while time.time() < end:
            if self.prompts(PROMPT) >= n and self.screen()[-1].startswith(PROMPT):
                return True
            time.sleep(self.poll)
        return False

    def run(self, line):
        """Types a line and Enter on a cleared screen; the lines it printed."""
        self.keys("C-u")
        self.keys("C-l")
        time.sleep(0.2)
        self.clear_history()
        self.text(line)
        time.sleep(0.1)
        self.keys("Enter")
        if not self.wait_prompts(2):
            R.check(False, "(waiting for the prompt after) " + line, "\n".join(self.screen()))
        lines = self.screen()
        while lines and lines[-1] in ("", PROMPT):
            lines.pop()
        return "\n".join(lines[1:])


# A dozen wrong inputs (and three that succeed with a status line): what each says under
# .labels on, and under .labels off.
CASES = [
    ('select cases where unti = "教育局"', ["input:1:20: 错误：cases 中没有字段 `unti`", "是不是 `unit`？"],
     ["input:1:20: error: unknown field `unti` in cases", "did you mean `unit`?"]),
    ("select cases limit x", ['input:1:20: 错误："limit" 之后应为 整数，却是"x"'],
     ['input:1:20: error: expected an integer after "limit" but found "x"']),
    ("select cases where status = clsoed", ["status 没有 `clsoed` 这个值；status 的取值有：", "是不是 `closed`？"],
     ["unknown status `clsoed`; the status values are: ", "did you mean `closed`?"]),
    ("select casez", ["没有数据源 `casez`（可用：cases, suggestions, proposals, units, events）"],
     ["unknown source `casez` (the sources are cases, suggestions, proposals, units, events)"]),
    ("select cases where deadline = 5", ["`deadline` 取日期，如 2020-09-30、today 或 today - 7d，不能是 5"],
     ["`deadline` takes a date like 2020-09-30, today, or today - 7d, not 5"]),
    ('select cases where title like "午餐"', ["提示：caseql 没有 `like`：`title contains \"午餐\"` 查找文本中的一段"],
     ["hint: caseql has no `like`: `title contains \"午餐\"` finds a part of a text"]),
    (".mode fancy", ["没有 fancy 这种模式（可用：table, csv"], ["unknown mode fancy (the modes are table, csv"]),
    (".frobnicate", ["未知命令 .frobnicate", "；.help 列出全部命令"], ["unknown command .frobnicate", "; .help lists them"]),
    (".case NOPE-1", ["没有案件 NOPE-1"], ["no case NOPE-1"]),
    (".load /nonexistent-caseql/x", ["/nonexistent-caseql/x: 没有这个文件或文件夹"], ["/nonexistent-caseql/x: no such file or folder"]),
    (".maxrows -3", [".maxrows 取正整数或 all"], [".maxrows takes a positive number or all"]),
    (".asof 2020-13-01", ["2020-13-01 不是日期（应为 yyyy-mm-dd、today 或 reset）"],
     ["2020-13-01 is not a date (expected yyyy-mm-dd, today or reset)"]),
    (".headers maybe", ["应为 on 或 off，不能是 maybe"], ["expected on or off, not maybe"]),
    (".read /nonexistent-caseql.cql", ["无法读取 /nonexistent-caseql.cql：文件不存在"], ["cannot read /nonexistent-caseql.cql: no such file"]),
    (".set", ["用法：.set NAME VALUE"], ["usage: .set NAME VALUE"]),
    ("help", ["提示：点命令以点开头：.help"], ["hint: dot-commands start with a dot: .help"]),
    ("select cases order by deadline descending", ["提示：“descending”写作 `desc`：`order by deadline desc`"],
     ["hint: write `desc` for descending: `order by deadline desc`"]),
    # The rarer errors of the lexer, the binder and the engine.
    ("select cases where deadline > 2020-02-30", ["input:1:31: 错误：2020-02-30 不是日期（2020-02 只有 29 天）"],
     ["input:1:31: error: 2020-02-30 is not a day (2020-02 has 29 days)"]),
    ("select cases where unit = 1x", ['错误：无效的数字 "1x"'], ['error: invalid number "1x"']),
    ("select title, count from cases group by unit", ["`title` 既未分组也未聚合：请把它加到 group by"],
     ["`title` is neither grouped nor aggregated: add it to group by"]),
    ("select cases where count(*) > 1", ["`count(…)` 是聚合：应放在选择列表、having 或 order by 中，不能放在 where 中"],
     ["`count(…)` is an aggregate: it belongs in the select list, having or order by, not in where"]),
    ("select unit, count from cases group by co_units", ["不能按 `co_units` 分组：它是列表"], ["cannot group by `co_units`: it is a list"]),
    # Files that cannot be written.
    (".export /nonexistent-caseql/x.csv select id from cases limit 1",
     ["无法写入 /nonexistent-caseql/x.csv：没有文件夹 /nonexistent-caseql"], ["cannot write /nonexistent-caseql/x.csv: no such folder /nonexistent-caseql"]),
    (".report --out /nonexistent-caseql/r.md", ["无法写入 /nonexistent-caseql/r.md：没有文件夹 /nonexistent-caseql"],
     ["cannot write /nonexistent-caseql/r.md: no such folder /nonexistent-caseql"]),
    (".export %s select id from cases limit 1" % ("/tmp"), ["无法写入 /tmp：是文件夹"], ["cannot write /tmp: is a folder"]),
]


def messages():
    ds = dataset(TMP)
    p = Shell(ds)
    try:
        for labels, pick in (("on", 1), ("off", 2)):
            p.run(".labels " + labels)
            for case in CASES:
                out = p.run(case[0])
                for want in case[pick]:
                    R.check(want in out, ".labels %s: %s says %s" % (labels, case[0], want), out)
                other = case[3 - pick]
                R.check(not any(w in out for w in other), ".labels %s: %s does not say it in the other language" % (labels, case[0]), out)
            # The caret line stands under the same characters in both languages.
            out = p.run('select cases where unti = "教育局"')
            R.check("                     ^^^^" in out.split("\n"), ".labels %s: the carets stand under `unti`" % labels, out)
            # Status lines.
            csv = os.path.join(TMP, "out-%s.csv" % labels)
            p.run("select id from cases limit 3")
            out = p.run(".export " + csv)
            R.eq(out, "已写入 3 行：%s" % csv if labels == "on" else "wrote 3 rows to %s" % csv, ".labels %s: the export line" % labels)
            p.run(".timer on")
            out = p.run("count cases")
            R.check(("用时：" if labels == "on" else "time: ") in out and " ms" in out, ".labels %s: the timer line" % labels, out)
            p.run(".timer off")
            # .report and .check say what they wrote where.
            for cmd, zh, en in ((".report --out %s", "已写入通报数据：%s", "wrote the report to %s"),
                                (".check --out %s", "已写入检查结果：%s", "wrote the check to %s")):
                path = os.path.join(TMP, "office-%s-%s.md" % (labels, cmd[1:3]))
                out = p.run(cmd % path)
                R.eq(out, (zh if labels == "on" else en) % path, ".labels %s: %s says what it wrote" % (labels, cmd.split()[0]))
            # .load says what it loaded; .cache where its snapshots are and where this one came from.
            out = p.run(".load " + ds)
            first = out.split("\n")[0]
            if labels == "on":
                R.check(first.startswith("已加载 ") and "：案件 1270 件，单位 " in first and "，截至 2020-09-17" in first, ".labels on: the .load line", out)
            else:
                R.check(first.startswith("loaded ") and ": 1270 cases, " in first and ", as of 2020-09-17" in first, ".labels off: the .load line", out)
            out = p.run(".cache")
            want = (["文件夹：", " 个快照，", "（保留最近用过的 ", "本数据集：读自快照 "] if labels == "on" else
                    ["folder: ", " snapshot", " (the ", "this dataset: read from the snapshot "])
            for w in want:
                R.check(w in out, ".labels %s: .cache says %s" % (labels, w), out)
            # A bad cell and a missing column: the loader says where and what in the shell's language.
            out = p.run(".load " + a_bad_row("bad-load-" + labels))
            want = ('"2020-02-30" 不是日期（2020-02 只有 29 天）' if labels == "on" else '"2020-02-30" is not a date (2020-02 has 29 days)')
            R.check("cases.csv:3:" in out and "assigned_on: " + want in out, ".labels %s: a bad date at file:line:column" % labels, out)
            d = fresh(TMP, "no-title-" + labels)
            with open(os.path.join(d, "cases.csv"), "w", encoding="utf-8") as f:
                f.write("主办单位,交办日期\n教育局,2020-03-10\n")
            out = p.run(".load " + d)
            want = ("缺少列：title (案由) 或 id (编号)" if labels == "on" else "missing a column for title (案由) or id (编号)")
            R.check("cases.csv:1: " + want in out, ".labels %s: a missing column" % labels, out)
    finally:
        p.kill()


def scripts_keep_english():
    """Scripts and -c without .labels print the English messages, byte for byte as before."""
    ds = dataset(TMP)
    r = run([ds, "-c", "select cases where unti = 1"])
    R.eq(r.returncode, 1, "a failed statement exits 1")
    R.eq(r.stderr, '-c:1:20: error: unknown field `unti` in cases\n  select cases where unti = 1\n'
                   '                     ^^^^\n  did you mean `unit`?\n', "-c: the English error, whole")
    script = os.path.join(TMP, "zh.cql")
    with open(script, "w") as f:
        f.write(".labels on\nselect cases where unti = 1;\n")
    r = run([ds, "-f", script])
    R.eq(r.stderr, '%s:2:20: 错误：cases 中没有字段 `unti`\n  select cases where unti = 1\n'
                   '                     ^^^^\n  是不是 `unit`？\n' % script, "-f with .labels on: the Chinese error, whole")


def a_bad_row(name="bad"):
    """A cases CSV whose second row has a day that is not one (2020-02-30)."""
    d = fresh(TMP, name)
    with open(os.path.join(d, "cases.csv"), "w", encoding="utf-8") as f:
        f.write("id,kind,title,unit,assigned_on,deadline,status\n"
                "Q1,proposal,关于午餐的提案,教育局,2020-03-10,2020-06-10,assigned\n"
                "Q2,proposal,关于道路的提案,城建局,2020-02-30,2020-06-10,assigned\n"
                "Q3,suggestion,关于公交的建议,交通局,2020-03-11,2020-06-11,closed\n")
    return d


def command_line():
    """The command line's own messages: in Chinese under --labels, in English (as before) without."""
    ds = dataset(TMP)
    missing = "/nonexistent-caseql/x"
    r = run(["--labels", missing, "-c", "count cases"])
    R.eq((r.returncode, r.stderr), (1, "caseql: %s: 没有这个文件或文件夹\n" % missing), "--labels: a missing dataset, in Chinese")
    r = run([missing, "-c", "count cases"])
    R.eq((r.returncode, r.stderr), (1, "caseql: %s: no such file or folder\n" % missing), "a missing dataset, in English")
    r = run(["--labels", "--asof", "2020-13-01", ds, "-c", "count cases"])
    R.check(r.returncode == 2 and "--asof：2020-13-01 不是日期（应为 yyyy-mm-dd）" in r.stderr, "--labels: a bad --asof, in Chinese (exit 2)", r.stderr)
    r = run(["--asof", "2020-13-01", ds, "-c", "count cases"])
    R.check(r.returncode == 2 and "--asof: 2020-13-01 is not a date (yyyy-mm-dd)" in r.stderr, "a bad --asof, in English (exit 2)", r.stderr)
    r = run(["--labels", "--set", "unit", ds, "-c", "count cases"])
    R.check(r.returncode == 2 and "--set 取 NAME=VALUE，不能是 unit" in r.stderr, "--labels: a bad --set, in Chinese", r.stderr)
    r = run(["--labels", "--out", "/nonexistent-caseql/o.csv", ds, "-c", "count cases"])
    R.check(r.returncode == 1 and "caseql: 无法写入 /nonexistent-caseql/o.csv" in r.stderr, "--labels: --out into a missing folder, in Chinese", r.stderr)
    # --lenient: the load summary on standard error.
    d = a_bad_row()
    r = run(["--labels", "--lenient", "--no-cache", d, "-c", "count cases"])
    R.check(r.returncode == 0 and "cases.csv：已加载 2 行，拒收 1 行（占文件 1 行），已写入 " in r.stderr and "  拒收：cases.csv:3:" in r.stderr,
            "--labels --lenient: the load summary in Chinese", r.stderr)
    d = a_bad_row("bad-en")
    r = run(["--lenient", "--no-cache", d, "-c", "count cases"])
    R.check(r.returncode == 0 and "cases.csv: 2 rows loaded, 1 rejected (1 line of the file), written to " in r.stderr and "  rejected: cases.csv:3:" in r.stderr,
            "--lenient: the load summary in English", r.stderr)


R.case(messages)
R.case(command_line)
R.case(scripts_keep_english)
R.finish()
