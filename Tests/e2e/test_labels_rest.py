#!/usr/bin/env python3
"""End-to-end: the messages issue 11 left English under `.labels on` / `--labels` read in Chinese
(why a snapshot was not used, the kinds of skipped rows, manifest/rules/notice JSON errors,
unreadable files, rejects files that cannot be written, damaged workbooks, history warnings at
start-up, the question before a long list of completions, `caseql generate`, the command line's
usage errors), and read as before in English without it. Also narrow terminals (60/80/120
columns), `.help` below 80 columns and `caseql generate` completion. Real binary; tmux on a
private socket for the interactive parts; stdlib only.

    python3 Tests/e2e/test_labels_rest.py [scenario ...]
"""

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import zipfile
import csv
import io

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Pane, Results, binary, dataset, fresh, run, tempdir, width  # noqa: E402

R = Results()
TMP = tempdir()
SOCKET = "caseql-labels-rest-%d" % os.getpid()
SESSION = "lr"
PROMPT = "caseql> "
ENV = {"XDG_CACHE_HOME": os.path.join(TMP, "cache"), "HOME": os.path.join(TMP, "home"),
       "XDG_CONFIG_HOME": os.path.join(TMP, "config")}


def caseql(args, **kw):
    env = dict(ENV)
    env.update(kw.pop("env", {}))
    return run(args, env=env, **kw)


class Term(Pane):
    """One caseql in a cols×rows tmux pane, started with `args`."""

    def __init__(self, args, cols=120, rows=40, env=None, wait_prompt=True):
        super().__init__(R, SOCKET, SESSION, text_pause=0.15, key_pause=0.25, poll=0.1, join=False, scrollback=None)
        e = {"CASEQL_HISTORY": os.path.join(TMP, "history"), "LANG": "C.UTF-8", "TERM": "xterm-256color",
             "NO_COLOR": "1"}
        e.update(ENV)
        e.update(env or {})
        os.makedirs(e["HOME"], exist_ok=True)
        inner = "cd %s; env %s %s %s; echo EXIT=$?; sleep 30" % (
            shlex.quote(TMP), " ".join("%s=%s" % (k, shlex.quote(v)) for k, v in e.items()),
            shlex.quote(binary()), " ".join(shlex.quote(a) for a in args))
        self.start("sh -c %s" % shlex.quote(inner), cols, rows)
        if wait_prompt:
            self.wait_prompt()

    def clear(self):
        self.keys("C-u")
        self.keys("C-l")
        self.clear_history()
        self.wait(lambda ls: ls[0].startswith(PROMPT.rstrip()) and not any(ls[1:]), "screen cleared")

    def run(self, line, what):
        """Types a line, Enter; the screen's lines after the typed one, up to the next prompt."""
        self.clear()
        self.text(line)
        self.keys("Enter")
        lines = self.wait(lambda ls: sum(1 for l in ls if l.startswith(PROMPT.rstrip())) >= 2
                          and ls[self.cursor()[1]].rstrip() == PROMPT.rstrip(), what)
        if not lines:
            return []
        out = lines[1:self.cursor()[1]]
        while out and out[-1] == "":
            out.pop()
        return out

    @staticmethod
    def kill():
        subprocess.run(["tmux", "-L", SOCKET, "kill-server"], capture_output=True)


def copy_dataset(name):
    d = os.path.join(TMP, name)
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(dataset(TMP), d)
    return d


# ---------------------------------------------------------------- item 1: the last English messages

def snapshot_reasons():
    ds = copy_dataset("snap")
    p = caseql([ds, "-c", "count cases"])
    R.eq(p.returncode, 0, "first load writes the snapshot")
    # Replace units.csv by a copy of itself (another inode): the snapshot is not used, and why.
    u = os.path.join(ds, "units.csv")
    shutil.copy(u, u + ".new")
    os.replace(u + ".new", u)
    p = caseql([ds, "--labels", "-c", ".cache"])
    line = [l for l in p.stdout.splitlines() if l.startswith("本数据集")]
    R.check(line and line[0].startswith("本数据集：未使用快照：units.csv 已被替换；已保存快照 "),
            "--labels: why the snapshot was not used, in Chinese", p.stdout + p.stderr)
    shutil.copy(u, u + ".new")
    os.replace(u + ".new", u)
    p = caseql([ds, "-c", ".cache"])
    line = [l for l in p.stdout.splitlines() if l.startswith("this dataset")]
    R.check(line and line[0].startswith("this dataset: the snapshot was not used: units.csv was replaced; saved the snapshot "),
            "no --labels: the same in English", p.stdout + p.stderr)
    # Another build's or a damaged snapshot: its header is checked.
    cache = os.path.join(TMP, "cache", "caseql")
    for name in os.listdir(cache):
        if name.endswith(".snapshot"):
            with open(os.path.join(cache, name), "r+b") as f:
                f.seek(20)
                f.write(b"\xff\xff")
    p = caseql([ds, "--labels", "-c", ".cache"])
    R.check("本数据集：未使用快照：文件头已损坏；已保存快照" in p.stdout, "a damaged header, in Chinese", p.stdout)


def skipped_rows():
    f = os.path.join(TMP, "skipped.csv")
    with open(f, "w", encoding="utf-8", newline="") as o:
        o.write("id,title,unit\r\n（一）重点督办,,\r\n1,关于学校的建议,教育局\r\n合计,,\r\n,,\r\n"
                "id,title,unit\r\n2,关于道路的建议,交通局\r\n注：以上为全部,,\r\n")
    p = caseql([f, "--labels", "-c", "count cases"])
    R.eq(p.returncode, 0, "a list with headings, totals and notes loads")
    R.check("注：skipped.csv：5 行不是案件，已跳过：分节标题（第 2 行）；合计行（合计）（第 4 行）；空行（第 5 行）；"
            "重复的表头（第 6 行）；注释行（第 8 行）" in p.stderr, "--labels: the skipped rows' kinds in Chinese", p.stderr)
    p = caseql([f, "-c", "count cases"])
    R.check("note: skipped.csv: 5 rows are not a case, skipped: a section heading (line 2); a total (合计) (line 4); "
            "an empty row (line 5); the header again (line 6); a note (line 8)" in p.stderr, "English as before", p.stderr)


def json_errors():
    cases = [
        ({"rules": 5}, "manifest.json: rules：应为对象", "manifest.json: rules: expected an object"),
        ({"rules": {"deadlin": "3m"}}, "manifest.json: rules：未知的设置 \"deadlin\"（已知：",
         "manifest.json: rules: unknown setting \"deadlin\" (known: "),
        ({"rules": {"deadline": "3x"}}, "rules：deadline：\"3x\" 不是期限（应如 3m、7d 或 5wd）",
         "rules: deadline: \"3x\" is not a period (expected e.g. 3m, 7d or 5wd)"),
        ({"rules": {"classes": "A-Q9"}}, "rules：classes：\"A-Q9\" 不是从 A 开始的类范围（应为 \"A-D\"",
         "rules: classes: \"A-Q9\" is not a range of classes from A (expected \"A-D\""),
        ({"notice": {"total": -3}}, "notice：total：\"-3\" 不是件数", "notice: total: \"-3\" is not a count"),
        ({"as_of": "2020-13-01"}, "as_of：\"2020-13-01\" 不是日期（应为 yyyy-mm-dd）", "as_of: \"2020-13-01\" is not a date"),
    ]
    import json
    for manifest, zh, en in cases:
        ds = copy_dataset("json")
        with open(os.path.join(ds, "manifest.json"), "w", encoding="utf-8") as o:
            json.dump(manifest, o, ensure_ascii=False)
        p = caseql([ds, "--labels", "-c", "count cases"])
        R.check(p.returncode == 1 and zh in p.stderr, "--labels: %s" % zh, p.stderr)
        p = caseql([ds, "-c", "count cases"])
        R.check(p.returncode == 1 and en in p.stderr, "English: %s" % en, p.stderr)
    ds = copy_dataset("json")
    with open(os.path.join(ds, "manifest.json"), "w") as o:
        o.write("{not json")
    p = caseql([ds, "--labels", "-c", "count cases"])
    R.check(p.returncode == 1 and "manifest.json: 不是 JSON 对象" in p.stderr, "not JSON, in Chinese", p.stderr)


def unreadable_files():
    fifo = os.path.join(TMP, "pipe.csv")
    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    p = caseql([fifo, "--labels", "-c", "count cases"], timeout=20)
    R.check(p.returncode == 1 and p.stderr.strip() == "caseql: %s: 是命名管道（FIFO），不是普通文件：caseql 只读普通文件" % fifo,
            "a FIFO as the dataset: refused at once, in Chinese", p.stderr)
    p = caseql([fifo, "-c", "count cases"], timeout=20)
    R.eq(p.stderr.strip(), "caseql: %s: is a FIFO (a named pipe), not a regular file: caseql reads only regular files" % fifo,
         "… in English without --labels")
    link = os.path.join(TMP, "dangling.csv")
    if not os.path.lexists(link):
        os.symlink(os.path.join(TMP, "nowhere.csv"), link)
    p = caseql([link, "--labels", "-c", "count cases"])
    R.eq(p.stderr.strip(), "caseql: %s: 是指向 %s 的符号链接，而它不存在" % (link, os.path.join(TMP, "nowhere.csv")),
         "a dangling link, in Chinese")
    empty = os.path.join(TMP, "empty.csv")
    open(empty, "w").close()
    p = caseql([empty, "--labels", "-c", "count cases"])
    R.eq(p.stderr.strip(), "caseql: %s: 文件是空的（应有表头行和数据行）" % empty, "an empty file, in Chinese")
    utf16 = os.path.join(TMP, "utf16.csv")
    with open(utf16, "wb") as o:
        o.write("id,title\n1,关于\n".encode("utf-16"))
    p = caseql([utf16, "--labels", "-c", "count cases"])
    R.eq(p.stderr.strip(), "caseql: %s: 文件是 UTF-16 编码；请另存为 UTF-8（或 GB18030）的 CSV" % utf16, "a UTF-16 file, in Chinese")


def rejects_write():
    d = fresh(TMP, "rejects")
    f = os.path.join(d, "cases.csv")
    with open(f, "w", encoding="utf-8") as o:
        o.write("id,title,deadline\n1,甲,2020-01-01\n2,乙,2020-02-30\n")
    os.makedirs(os.path.join(d, "cases.rejects.csv"))
    p = caseql([f, "--lenient", "--labels", "-c", "count cases"])
    want = ("caseql: cases.csv: 拒收的 1 行无法写出（无法写入 %s/cases.rejects.csv：是文件夹，不是普通文件）；"
            "什么都没有加载，以免有行悄悄丢失" % d)
    R.check(p.returncode == 1 and want in p.stderr, "a rejects file that cannot be written, in Chinese", p.stderr)
    p = caseql([f, "--lenient", "-c", "count cases"])
    R.check("1 rejected row could not be written (cannot write %s/cases.rejects.csv: is a folder, not a regular file)" % d in p.stderr,
            "… in English", p.stderr)


def workbook_errors():
    short = os.path.join(TMP, "short.xlsx")
    with open(short, "wb") as o:
        o.write(b"PK\x03\x04xx")
    p = caseql([short, "--labels", "-c", "count cases"])
    # It begins as a ZIP does and ends there: a truncated workbook (test_workbook_wording.py).
    R.eq(p.stderr.strip(), "caseql: %s: 工作簿不完整：文件在 ZIP 目录之前就结束了（下载或复制没有完成）；"
         "请取得完整的副本（重新下载或重新索取，或用 Excel 或 WPS 打开后重新保存）再加载" % short, "a short .xlsx, in Chinese")
    p = caseql([short, "-c", "count cases"])
    R.eq(p.stderr.strip(), "caseql: %s: the workbook is truncated: it ends before its ZIP directory (an unfinished download or copy); "
         "get a complete copy (download it or ask for it again, or open it in Excel or WPS and save it again) and load that" % short,
         "… in English")
    nobook = os.path.join(TMP, "nobook.xlsx")
    with zipfile.ZipFile(nobook, "w") as z:
        z.writestr("hello.txt", "x" * 100)
        z.writestr("[Content_Types].xml", "<Types/>")
    p = caseql([nobook, "--labels", "-c", "count cases"])
    R.check(p.returncode == 1 and "工作簿缺少 " in p.stderr, "a ZIP with no workbook part, in Chinese", p.stderr)


def generate_messages():
    out = os.path.join(TMP, "gen")
    p = caseql(["generate", "--labels", "--cases", "7", "--out", out])
    R.check(p.returncode == 0 and re.fullmatch(r"已写出 7 件案件到 %s，用时 \d+\.\d\d 秒\n" % re.escape(out), p.stderr),
            "generate --labels: what it wrote, in Chinese", p.stderr)
    p = caseql(["generate", "--cases", "7", "--out", out])
    R.check(re.fullmatch(r"wrote 7 cases to %s in \d+\.\d\d s\n" % re.escape(out), p.stderr), "… in English", p.stderr)
    p = caseql(["generate", "--labels", "--cases", "0", "--out", out])
    R.check(p.returncode == 2 and p.stderr.startswith("错误：--cases 必须是正数\n用法： caseql generate"),
            "generate --labels --cases 0: usage error in Chinese, exit 2", p.stderr)
    blocker = os.path.join(TMP, "a-file")
    open(blocker, "w").close()
    p = caseql(["generate", "--labels", "--cases", "3", "--out", os.path.join(blocker, "x")])
    R.check(p.returncode == 1 and p.stderr == "caseql generate: 无法写入 %s：它不是文件夹\n" % blocker,
            "generate into a path under a file: why, in Chinese, exit 1", p.stderr)
    p = caseql(["generate", "--cases", "3", "--out", os.path.join(blocker, "x")])
    R.eq(p.stderr, "caseql generate: cannot write %s: it is not a folder\n" % blocker, "… in English")


def usage_errors():
    ds = dataset(TMP)
    cases = [
        (["--labels", "--bogus"], "错误：没有 --bogus 这个选项。是不是 --out？", "Error: Unknown option '--bogus'. Did you mean '--out'?"),
        (["--labels", "--mode"], "错误：--mode <mode> 缺少取值", "Error: Missing value for '--mode <mode>'"),
        ([ds, "extra", "--labels"], "错误：多余的参数 extra", "Error: Unexpected argument 'extra'"),
        (["generate", "--labels", "--cases", "many", "--out", "x"], "错误：many 不是 --cases <cases> 可取的值",
         "Error: The value 'many' is invalid for '--cases <cases>'"),
        ([ds, "--labels", "--mode", "pie"], "错误：没有 pie 这种模式（可用：", "Error: unknown mode pie (the modes are "),
    ]
    for args, zh, en in cases:
        p = caseql(args)
        first = p.stderr.split("\n")[0]
        R.check(p.returncode == 2 and first.startswith(zh), "%s: first line %s" % (" ".join(args[-2:]), zh), p.stderr)
        R.check("用法： caseql " in p.stderr and ("详见 caseql --help。" in p.stderr or "详见 caseql generate --help。" in p.stderr),
                "… its usage and see-also lines in Chinese", p.stderr)
        p = caseql([a for a in args if a != "--labels"])
        R.check(p.returncode == 2 and p.stderr.split("\n")[0].startswith(en), "without --labels: " + en, p.stderr)
    # After --, --labels is an argument, not the flag.
    p = caseql(["--bogus", "--", "--labels"])
    R.check(p.stderr.startswith("Error: "), "--labels after -- does not make the usage error Chinese", p.stderr)


def history_warnings():
    hist = os.path.join(TMP, "binary-history")
    with open(hist, "wb") as o:
        o.write(b"count cases\n\x00\xff\xfe garbage\n")
    ds = dataset(TMP)
    t = Term([ds, "--labels"], env={"CASEQL_HISTORY": hist})
    scr = [l for l in t.visible() if l]
    R.check(any(l.startswith("caseql: 历史文件 %s 不是文本（含 NUL 字节或无效的 UTF-8）；已复制到 " % hist) for l in scr),
            "--labels: the history warning at start-up in Chinese", "\n".join(scr))
    t.kill()
    with open(hist, "wb") as o:
        o.write(b"count cases\n\x00\xff\xfe garbage\n")
    # .labels on in the start-up file counts too (read before the line editor starts).
    rc = os.path.join(TMP, "rc-labels")
    with open(rc, "w") as o:
        o.write(".labels on\n")
    t = Term([ds, "-init", rc], env={"CASEQL_HISTORY": hist})
    scr = [l for l in t.visible() if l]
    R.check(any(l.startswith("caseql: 历史文件 ") for l in scr), ".labels on in the start-up file: Chinese too", "\n".join(scr))
    t.kill()
    with open(hist, "wb") as o:
        o.write(b"count cases\n\x00\xff\xfe garbage\n")
    t = Term([ds], env={"CASEQL_HISTORY": hist})
    scr = [l for l in t.visible() if l]
    R.check(any(l.startswith("caseql: the history file %s is not text (NUL bytes or invalid UTF-8); it was copied" % hist)
                for l in scr), "without labels: English", "\n".join(scr))
    t.kill()


def many_candidates():
    ds = dataset(TMP)
    t = Term([ds], rows=12)
    t.run(".labels on", ".labels on")
    t.clear()
    t.text("select cases where ")
    t.keys("Tab")
    scr = t.wait(lambda ls: any(re.match(r"显示全部 \d+ 个候选？\(y 或 n\)", l) for l in ls), "the question in Chinese")
    R.check(scr is not None, ".labels on: 显示全部 N 个候选？(y 或 n)")
    t.keys("n")
    t.line_is(PROMPT + "select cases where", "n: back to the line")
    t.run(".labels off", ".labels off")
    t.clear()
    t.text("select cases where ")
    t.keys("Tab")
    scr = t.wait(lambda ls: any(re.match(r"Display all \d+ possibilities\? \(y or n\)", l) for l in ls), "the question in English")
    R.check(scr is not None, ".labels off: Display all N possibilities? (y or n)")
    t.keys("y")
    t.wait(lambda ls: any("between" in l for l in ls) and ls[t.cursor()[1]].startswith(PROMPT), "y lists them")
    t.kill()


# ---------------------------------------------------------------- item 2: narrow terminals

STATUS = {"assigned", "signed", "return_requested", "in_progress", "replied", "closed", "rehandling",
          "已交办", "已签收", "申请退办", "办理中", "已答复", "已办结", "重新办理"}
KINDS = {"suggestion", "proposal", "人大代表建议", "政协委员提案"}


def table_rows(lines):
    """The header's cells and each body row's cells of a table on screen (split at │)."""
    rows = [l for l in lines if "│" in l]
    return [[c.strip() for c in r.split("│")] for r in rows]


def narrow_tables():
    ds = dataset(TMP)
    p = caseql([ds, "--csv", "--no-formula-guard", "-c", "select id, title from cases"])
    titles = {r[0]: r[1] for r in list(csv.reader(io.StringIO(p.stdout)))[1:]}
    for cols in (60, 80, 120):
        t = Term([ds], cols=cols, rows=60)
        for labels in ("off", "on"):
            t.run(".labels " + labels, ".labels " + labels)
            lines = t.run("select cases", "select cases at %d columns, .labels %s" % (cols, labels))
            what = "%d columns, .labels %s: " % (cols, labels)
            R.check(lines and all(width(l) <= cols for l in lines), what + "every line fits", "\n".join(lines))
            rows = table_rows(lines)
            if not R.check(len(rows) >= 41, what + "a table of 40 rows", "\n".join(lines)):
                continue
            header, body = rows[0], rows[2:]
            title_name = "案由" if labels == "on" else "title"
            R.check(title_name in header, what + "the title column is shown, not hidden", "\n".join(lines[:4]))
            hidden = [l for l in lines if "not shown:" in l or "列未显示" in l]
            if cols >= 80:
                R.check(not hidden, what + "no column hidden", "\n".join(lines[-4:]))
            else:
                R.check(not hidden or "title" not in " ".join(hidden) and "案由" not in " ".join(hidden),
                        what + "the title is not among the hidden columns (named below the table)", "\n".join(lines[-4:]))
            ti = header.index(title_name) if title_name in header else -1
            ok_id = ok_kind = ok_status = ok_date = True
            shown = []
            ki = header.index("类别" if labels == "on" else "kind")
            si = header.index("办理状态" if labels == "on" else "status")
            di = header.index("办理期限" if labels == "on" else "deadline")
            for r in body:
                ok_id &= bool(re.fullmatch(r"SJ-2020-\d{4}", r[0]))
                ok_kind &= r[ki] in KINDS
                ok_status &= r[si] in STATUS
                ok_date &= bool(re.fullmatch(r"\d{4}-\d\d-\d\d", r[di]))
                if ti >= 0:
                    full, cell = titles.get(r[0], ""), r[ti]
                    if cell == full:
                        shown.append(10 ** 6)
                    else:
                        R.check(cell.endswith("…") and full.startswith(cell[:-1]), what + "a cut title ends with …: " + cell)
                        shown.append(width(cell[:-1]))
            R.check(ok_id, what + "ids whole")
            R.check(ok_kind, what + "kinds whole (suggestion/proposal, 人大代表建议/政协委员提案)", "\n".join(lines[:6]))
            R.check(ok_status, what + "statuses whole", "\n".join(lines[:6]))
            R.check(ok_date, what + "deadlines whole")
            if shown:
                floor = {60: 4, 80: 20, 120: 40}[cols]
                R.check(min(shown) >= floor, what + "every title shows at least %d display columns (least: %d)" % (floor, min(shown)),
                        "\n".join(lines[:6]))
        t.kill()
    # A table that fits keeps its " │ " separators; one short of room joins its columns by │ alone.
    t = Term([ds], cols=120, rows=20)
    lines = t.run("select id, kind, status from cases limit 2", "a narrow selection")
    R.check(lines and " │ " in lines[0] and "─┼─" in lines[1], "a table that fits: ' │ ' and '─┼─'", "\n".join(lines))
    t.kill()


# ---------------------------------------------------------------- item 3: .help below 80 columns

def help_width():
    ds = dataset(TMP)
    examples = ['select proposals where unit = "教育局" and status = overdue',
                'select id, title from cases where title contains "午餐" order by assigned_on desc limit 10',
                "count cases group by unit",
                "select unit, count, completion_rate from cases group by unit having completion_rate < 1",
                "explain select cases where overdue"]
    for cols in (40, 60, 80, 120):
        t = Term([ds], cols=cols, rows=200)
        lines = t.run(".help", ".help at %d columns" % cols)
        R.check(lines and all(width(l) <= min(cols, 80) for l in lines), "%d columns: every .help line fits %d" % (cols, min(cols, 80)),
                "\n".join(l for l in lines if width(l) > min(cols, 80)))
        if cols >= 80:
            R.check(".load PATH [--lenient] [--no-parallel] [--encoding utf-8|gb18030] [--kind KIND]" in lines,
                    "%d columns: a usage on its own line" % cols)
        commands = lines[:next((i for i, l in enumerate(lines) if l.startswith("Statements")), len(lines))]
        R.check(all(l.startswith((".", " ")) or l == "" for l in commands),
                "%d columns: every line is a usage, or indented under one" % cols,
                "\n".join(l for l in commands if not (l.startswith((".", " ")) or l == "")))
        # The statement examples: each starts at 2, goes on at 4 or more, and its words are whole.
        k = next((i for i, l in enumerate(lines) if l.endswith("when complete):") or l == "complete):"), -1)
        if not R.check(k >= 0, "%d columns: the statements' heading" % cols):
            t.kill()
            continue
        got, cur = [], None
        for l in lines[k + 1:]:
            if l.startswith("  ") and not l.startswith("   "):
                cur = [l.strip()]
                got.append(cur)
            elif l.startswith("    ") and cur is not None:
                cur.append(l.strip())
            else:
                break
        R.eq([" ".join(g) for g in got], examples, "%d columns: the examples read whole, wrapped at spaces" % cols)
        if cols >= 80:
            R.check(any(l == "    order by assigned_on desc limit 10" for l in lines), "80+ columns: order by on its own line")
        t.kill()


def help_in_chinese():
    # Under .labels on, the descriptions and the words around them are Chinese, cut between
    # characters to the terminal's width, never before a closing mark.
    ds = dataset(TMP)
    for cols in (40, 60, 80):
        t = Term([ds], cols=cols, rows=200)
        t.run(".labels on", ".labels on")
        lines = t.run(".help", ".help at %d columns, labels on" % cols)
        R.check(lines and all(width(l) <= cols for l in lines), "labels on, %d columns: every .help line fits" % cols,
                "\n".join(l for l in lines if width(l) > cols))
        R.check(any("承办单位及其案件数" in l for l in lines) and any(l.startswith("语句") for l in lines),
                "labels on, %d columns: the descriptions and the statements' heading are Chinese" % cols, "\n".join(lines[:12]))
        R.check(not any(l.strip()[:1] in "，。、；：）" for l in lines if l.strip()),
                "labels on, %d columns: no line begins with a closing mark" % cols)
        one = t.run(".help .once", ".help .once, labels on")
        R.check(any("最短写法：.on" in l for l in one),
                "labels on, %d columns: .help CMD says the shortest form in Chinese" % cols, "\n".join(one))
        t.kill()


# ---------------------------------------------------------------- item 4: generate's completion

def generate_completion():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    bash_script = os.path.join(root, "completions", "caseql.bash")
    env = dict(os.environ, PATH=os.path.dirname(binary()) + os.pathsep + os.environ.get("PATH", ""))
    probe = ('source %s; t(){ COMPREPLY=(); COMP_WORDS=("$@"); COMP_CWORD=$(($#-1)); COMP_LINE="$*"; '
             'COMP_POINT=${#COMP_LINE}; _caseql caseql "${@: -1}" "${@: -2:1}"; echo "${COMPREPLY[*]}"; }; '
             't caseql generate --c; t caseql generate --cases 5 --p; t caseql generate --out x --l; '
             't caseql generate ""; t caseql ds --c; t caseql gen') % bash_script
    p = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, env=env)
    got = p.stdout.split("\n")
    R.eq(got[0], "--cases", "bash: caseql generate --c Tab → --cases (generate's option, not the shell's)")
    R.eq(got[1], "--profile", "bash: after --cases 5, --p → --profile")
    R.eq(got[2], "--labels", "bash: generate --l → --labels")
    R.eq(sorted(got[3].split()), sorted("--labels --version -h --help --cases --seed --profile --out".split()),
         "bash: generate then an empty word → generate's options only")
    R.eq(sorted(got[4].split()), ["--command", "--csv"], "bash: after a dataset, --c → the shell's options")
    R.eq(got[5], "generate", "bash: gen → generate")
    # The binary writes the same script (one source: CompletionScripts.swift).
    p = subprocess.run([binary(), "--generate-completion-script", "bash"], capture_output=True, text=True)
    R.check(p.stdout == open(bash_script, encoding="utf-8").read(), "caseql --generate-completion-script bash is the committed script")
    p = subprocess.run([binary(), "--generate-completion-script=zsh"], capture_output=True, text=True)
    R.check(p.stdout == open(os.path.join(root, "completions", "_caseql"), encoding="utf-8").read(),
            "caseql --generate-completion-script=zsh is the committed script")
    # zsh, in a real terminal: the keys a user types.
    zsh = shutil.which("zsh")
    if not R.check(zsh is not None, "zsh is installed (scripts/setup.sh --test)"):
        return
    t = Pane(R, SOCKET, "zsh", text_pause=0.2, key_pause=0.4, poll=0.1)
    inner = "env PATH=%s HOME=%s %s -f" % (shlex.quote(env["PATH"]), shlex.quote(os.path.join(TMP, "home")), zsh)
    t.start(inner, 100, 30)
    t.text("fpath=(%s $fpath); autoload -U compinit; compinit -u; PS1='%%%% '" % os.path.join(root, "completions"))
    t.keys("Enter")
    t.wait(lambda ls: any(l.startswith("% ") or l == "%" for l in ls), "zsh prompt")
    for typed, want, what in [("caseql generate --c", "% caseql generate --cases", "zsh: caseql generate --c Tab → --cases"),
                              ("caseql generate --out /tmp --l", "% caseql generate --out /tmp --labels", "zsh: generate --l → --labels"),
                              ("caseql ds --cs", "% caseql ds --csv", "zsh: after a dataset, --cs → --csv")]:
        t.keys("C-u")
        t.text(typed)
        t.keys("Tab")
        t.wait(lambda ls: any(l.rstrip() == want for l in ls), what, timeout=5)
        R.check(any(l.rstrip() == want for l in t.visible()), what, "\n".join(t.visible()))
    t.keys("C-u")
    t.text("caseql generate --")
    t.keys("Tab")
    scr = t.wait(lambda ls: any(l.startswith("--cases") for l in ls), "zsh lists generate's options") or []
    R.check(any(l.startswith("--profile") for l in scr) and not any(l.startswith("--csv") for l in scr),
            "zsh: generate -- Tab lists generate's options, not the shell's", "\n".join(scr))
    t.tmux("kill-session", "-t", "zsh", check=False)


for scenario in [narrow_tables, help_width, help_in_chinese, generate_completion, snapshot_reasons, skipped_rows, json_errors, unreadable_files, rejects_write, workbook_errors,
                 generate_messages, usage_errors, history_warnings, many_candidates]:
    R.case(scenario)

Term.kill()
shutil.rmtree(TMP, ignore_errors=True)
R.finish()
