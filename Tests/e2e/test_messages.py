#!/usr/bin/env python3
"""End-to-end: under `.labels on` the shell's messages read in Chinese (issue 11) — errors of
the dot-commands, the parser, the binder and the loader, hints and status lines — with the same
positions, carets and quoted values; under `.labels off` the same inputs say what they said
before, in English. A real terminal (tmux, private socket); stdlib only.

    python3 Tests/e2e/test_messages.py [scenario ...]
"""

import os
import shlex
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Results, binary, dataset, run, tempdir  # noqa: E402

R = Results()
TMP = tempdir()
SOCKET = "caseql-messages-%d" % os.getpid()
SESSION = "msg"
PROMPT = "caseql>"
TMUX = shutil.which("tmux") or "/usr/bin/tmux"


def tmux(*args, check=True):
    return subprocess.run([TMUX, "-L", SOCKET, *args], check=check, capture_output=True, text=True).stdout


class Pane:
    """One interactive caseql on a dataset in a 160×50 tmux pane."""

    def __init__(self, ds):
        tmux("kill-session", "-t", SESSION, check=False)
        env = {"CASEQL_HISTORY": os.path.join(TMP, "history"), "LANG": "C.UTF-8", "TERM": "xterm-256color",
               "HOME": os.path.join(TMP, "home"), "XDG_CONFIG_HOME": os.path.join(TMP, "config"), "NO_COLOR": "1"}
        os.makedirs(env["HOME"], exist_ok=True)
        inner = "cd %s; env %s %s %s; sleep 30" % (shlex.quote(TMP), " ".join("%s=%s" % (k, shlex.quote(v)) for k, v in env.items()),
                                                 shlex.quote(binary()), shlex.quote(ds))
        for _ in range(5):
            if subprocess.run([TMUX, "-L", SOCKET, "new-session", "-d", "-s", SESSION, "-x", "160", "-y", "50",
                               "sh -c %s" % shlex.quote(inner)], capture_output=True).returncode == 0:
                break
            time.sleep(0.5)
        self.wait_prompts(1)

    def screen(self):
        return [l.rstrip() for l in tmux("capture-pane", "-t", SESSION, "-p", "-J", "-S", "-300").rstrip("\n").split("\n")]

    def prompts(self):
        return sum(1 for l in self.screen() if l.startswith(PROMPT))

    def wait_prompts(self, n, timeout=15.0):
        end = time.time() + timeout
        while time.time() < end:
            if self.prompts() >= n and self.screen()[-1].startswith(PROMPT):
                return True
            time.sleep(0.1)
        return False

    def run(self, line):
        """Types a line and Enter on a cleared screen; the lines it printed."""
        tmux("send-keys", "-t", SESSION, "C-u")
        tmux("send-keys", "-t", SESSION, "C-l")
        time.sleep(0.2)
        tmux("clear-history", "-t", SESSION)
        tmux("send-keys", "-t", SESSION, "-l", line)
        time.sleep(0.1)
        tmux("send-keys", "-t", SESSION, "Enter")
        if not self.wait_prompts(2):
            R.check(False, "(waiting for the prompt after) " + line, "\n".join(self.screen()))
        lines = self.screen()
        while lines and lines[-1] in ("", PROMPT):
            lines.pop()
        return "\n".join(lines[1:])

    @staticmethod
    def kill():
        tmux("kill-server", check=False)


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
]


def messages():
    ds = dataset(TMP)
    p = Pane(ds)
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
    finally:
        Pane.kill()


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


R.case(messages)
R.case(scripts_keep_english)
R.finish()
