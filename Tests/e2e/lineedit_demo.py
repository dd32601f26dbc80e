#!/usr/bin/env python3
"""End-to-end check of caseql's line editor (LineEditor over libedit) in a
real terminal, driven with tmux (send-keys / capture-pane), as a person would.

How it was used
---------------
While writing Sources/CaseShell/LineEditor.swift a TEMPORARY executable target
`linedemo` existed (removed before commit, Package.swift left unchanged):

    // Package.swift: .executableTarget(name: "linedemo", dependencies: ["CaseShell"])
    // Sources/linedemo/main.swift
    import CaseShell
    import Foundation
    let words = ["教育局", "教育厅", "交通局", "select", "status", "proposals"]
    let path = LineEditor.historyPath(environment: ProcessInfo.processInfo.environment)
    guard let editor = LineEditor(programName: "linedemo", historyPath: path) else {
        print("not a terminal"); exit(2)
    }
    editor.completer = { before in
        let word = before.split(separator: " ", omittingEmptySubsequences: false)
            .last.map(String.init) ?? ""
        return Completion(replaceLength: word.count,
                          candidates: words.filter { $0.hasPrefix(word) })
    }
    var continuation: [String] = []
    loop: while true {
        switch editor.readLine(prompt: continuation.isEmpty ? "案例> " : "  ..> ") {
        case .line(let line):
            print("got: \\(line)")
            if line.hasSuffix("\\\\") { continuation.append(String(line.dropLast())); continue }
            let entry = (continuation + [line]).joined(separator: "\\n")
            continuation = []
            if !line.isEmpty { editor.addHistory(entry) }
        case .interrupted: continuation = []; print("[interrupted]")
        case .eof: print("[eof]"); break loop
        }
    }

Then:  swift build --product linedemo && python3 Tests/e2e/lineedit_demo.py
       python3 Tests/e2e/lineedit_demo.py --cmd /path/to/program --prompt '案例> '

To test the real shell later, point --cmd at it, set --prompt to its prompt,
and adapt the `got:` expectations (the demo echoes each line as "got: <line>")
and the completion words.  Every scenario runs twice: with LANG=C.UTF-8 and
with LANG/LC_ALL/LC_CTYPE unset (C locale: LineEditor must fall back to
C.UTF-8 or Chinese input is dropped).  Stdlib only; needs /usr/bin/tmux.
"""

import argparse
import os
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import unicodedata

SESSION = "le_e2e_%d" % os.getpid()
FAILURES = []


def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else
               0 if unicodedata.combining(c) else 1 for c in s)


def tmux(*args, check=True):
    return subprocess.run(["tmux", *args], check=check, capture_output=True,
                          text=True).stdout


class Term:
    def __init__(self, cmd, env, cols=100, rows=30):
        self.kill()
        envs = " ".join(shlex.quote(e) for e in env)
        # `trap : INT`: dash would otherwise die of the Ctrl-C sent to the
        # whole foreground group once the program exits (it has no
        # wait-and-cooperative-exit); the program itself gets default SIGINT.
        shell = ("trap : INT; env %s %s; echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' "
                 "| grep -x -e icanon -e -icanon -e echo -e -echo "
                 "| tr '\\n' ' '; echo; sleep 600" % (envs, cmd))
        tmux("new-session", "-d", "-s", SESSION, "-x", str(cols), "-y",
             str(rows), "sh -c %s" % shlex.quote(shell))

    @staticmethod
    def kill():
        tmux("kill-session", "-t", SESSION, check=False)

    def text(self, s):
        tmux("send-keys", "-t", SESSION, "-l", s)
        time.sleep(0.15)

    def keys(self, *k):
        tmux("send-keys", "-t", SESSION, *k)
        time.sleep(0.2)

    def screen(self):
        return tmux("capture-pane", "-t", SESSION, "-p").rstrip("\n").split("\n")

    def cursor(self):
        x, y = tmux("display", "-t", SESSION, "-p",
                    "#{cursor_x} #{cursor_y}").split()
        return int(x), int(y)

    def wait(self, pred, what, timeout=8.0):
        end = time.time() + timeout
        while time.time() < end:
            lines = self.screen()
            if pred(lines):
                return lines
            time.sleep(0.1)
        fail(what, self.screen())
        return self.screen()

    def wait_line(self, s, what=None, timeout=8.0):
        return self.wait(lambda ls: any(l.rstrip() == s for l in ls),
                         what or "line %r" % s, timeout)

    def current(self):
        return self.screen()[self.cursor()[1]]


def fail(what, lines=None):
    FAILURES.append(what)
    print("FAIL:", what)
    if lines is not None:
        print("\n".join("   | " + l for l in lines if l.strip()))


def ok(cond, what, lines=None):
    if cond:
        print("ok:  ", what)
    else:
        fail(what, lines)


def run(cmd, prompt, env_label, env, hist):
    print("== %s ==" % env_label)
    pw = width(prompt)
    env = env + ["CASEQL_HISTORY=%s" % hist]
    t = Term(cmd, env)
    t.wait(lambda ls: any(l.startswith(prompt.rstrip()) for l in ls), "first prompt")

    # Chinese input.
    t.text("查询教育局案件")
    t.keys("Enter")
    t.wait_line("got: 查询教育局案件", "Chinese text read back")

    # Left over a CJK character, then Backspace deletes exactly one character.
    t.text("ab中文cd")
    t.keys("Left", "Left", "Left")
    ok(t.cursor()[0] == pw + 2 + 2, "cursor after 3×Left sits before 文 (col %d)" % t.cursor()[0])
    t.keys("BSpace")
    ok(t.cursor()[0] == pw + 2, "Backspace removed one 2-column glyph", t.screen())
    t.keys("Enter")
    t.wait_line("got: ab文cd", "Backspace deleted exactly 中")

    # Ctrl-A / Ctrl-E with wide characters.
    t.text("x中文y")
    t.keys("Left", "Left")
    ok(t.cursor()[0] == pw + 3, "Left×2 lands before 文")
    t.keys("C-a")
    ok(t.cursor()[0] == pw, "Ctrl-A to start")
    t.text("前")
    t.keys("C-e")
    ok(t.cursor()[0] == pw + 2 + 6, "Ctrl-E to end")
    t.text("后")
    t.keys("Enter")
    t.wait_line("got: 前x中文y后", "Ctrl-A/Ctrl-E edits")

    # TAB: single candidate inserted with a trailing space.
    t.text("sel")
    t.keys("Tab")
    ok(t.current().rstrip() == prompt + "select" and t.cursor()[0] == pw + 7,
       "Tab completes sel → 'select '", t.screen())
    t.text("*")
    t.keys("Enter")
    t.wait_line("got: select *", "completed line read back")

    # TAB: several candidates → common prefix, then a listing.
    t.text("找 教")
    t.keys("Tab")
    ok(t.current().rstrip() == prompt + "找 教育", "Tab inserts common prefix 教育", t.screen())
    t.keys("Tab")
    lines = t.wait(lambda ls: any(l.rstrip() == "教育局  教育厅" for l in ls),
                   "second Tab lists 教育局  教育厅")
    ok(t.current().rstrip() == prompt + "找 教育" and t.cursor()[0] == pw + 7,
       "prompt and line redisplayed below the listing", lines)
    t.text("厅")
    t.keys("Enter")
    t.wait_line("got: 找 教育厅")
    # Completion with the cursor inside the line: listing goes below it all.
    t.text("在 教 where x")
    t.keys(*(["Left"] * 8))
    t.keys("Tab")
    t.keys("Tab")
    lines = t.wait(lambda ls: sum(l.rstrip() == "教育局  教育厅" for l in ls) == 2,
                   "mid-line Tab lists candidates")
    ok(sum(l.rstrip() == prompt + "在 教育 where x" for l in lines) == 2
       and t.cursor()[0] == pw + 7, "mid-line listing keeps the line intact", lines)
    t.text("局")
    t.keys("Enter")
    t.wait_line("got: 在 教育局 where x")
    t.text("交")
    t.keys("Tab")
    ok(t.current().rstrip() == prompt + "交通局", "Tab completes a Chinese word", t.screen())
    t.keys("C-u")

    # Ctrl-C cancels the line (cursor in the middle), fresh prompt, still alive.
    t.text("abc 中文 def")
    t.keys("Left", "Left", "Left", "Left")
    t.keys("C-c")
    lines = t.wait_line("[interrupted]", "Ctrl-C → interrupted")
    ok(any(l.rstrip() == prompt + "abc 中文 def^C" for l in lines),
       "cancelled line left intact on screen, ^C after it", lines)
    t.text("alive")
    t.keys("Enter")
    t.wait_line("got: alive", "process keeps running after Ctrl-C")
    t.keys("C-c")
    t.wait(lambda ls: sum(l.rstrip() == "[interrupted]" for l in ls) == 2,
           "Ctrl-C on an empty line")

    # A multi-line history entry.
    t.text("select a,\\")
    t.keys("Enter")
    t.text("  b from 案例")
    t.keys("Enter")
    t.wait_line("got:   b from 案例")

    # Ctrl-D exits; terminal is sane afterwards.
    t.keys("C-d")
    lines = t.wait_line("EXIT=0", "Ctrl-D exits with status 0")
    ok(any(l.strip() == "icanon echo" for l in lines),
       "terminal back in cooked mode (icanon echo)", lines)

    st = os.stat(hist)
    ok(stat.S_IMODE(st.st_mode) == 0o600, "history file mode 0600 (%o)" % stat.S_IMODE(st.st_mode))
    ok(stat.S_IMODE(os.stat(os.path.dirname(hist)).st_mode) == 0o700, "history folder created 0700")

    # Restart: history comes back with Up, including the multi-line entry.
    t = Term(cmd, env)
    t.wait(lambda ls: any(l.startswith(prompt.rstrip()) for l in ls), "prompt after restart")
    t.keys("Up")
    lines = t.wait(lambda ls: ls[0].rstrip() == prompt + "select a," and
                   ls[1].rstrip() == "  b from 案例", "Up recalls the multi-line entry")
    t.keys("Up")
    ok(t.current().rstrip() == prompt + "alive", "Up again → previous entry", t.screen())
    t.keys("Up")
    ok(t.current().rstrip() == prompt + "在 教育局 where x", "older Chinese entry", t.screen())
    t.keys("Up")
    ok(t.current().rstrip() == prompt + "找 教育厅", "and the one before", t.screen())
    t.keys("Enter")
    t.wait(lambda ls: sum(l.rstrip() == "got: 找 教育厅" for l in ls) == 1,
           "recalled entry read back")
    t.keys("C-d")
    t.wait_line("EXIT=0")

    # Listing in columns that fit a narrow terminal, aligned by display width.
    t = Term(cmd, env, cols=30)
    t.wait(lambda ls: any(l.startswith(prompt.rstrip()) for l in ls), "prompt (30 columns)")
    t.keys("Tab")
    lines = t.wait(lambda ls: any("proposals" in l for l in ls), "Tab on empty line lists all")
    rows = [l.rstrip() for l in lines if any(w in l for w in ("教育", "交通", "select", "status", "proposals"))]
    ok(len(rows) == 3 and all(width(r) <= 30 for r in rows), "3 rows × 2 columns within 30 columns", lines)
    # Second column starts at the same display column in every row.
    starts = []
    for r in rows:
        for w in ("select", "status", "proposals", "交通局", "教育厅"):
            i = r.find(w)
            if i > 0:
                starts.append(width(r[:i]))
                break
    ok(len(set(starts)) == 1 and len(starts) == 3, "columns aligned by display width %s" % starts, lines)
    t.keys("C-d")
    t.wait_line("EXIT=0")
    Term.kill()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cmd", default=".build/debug/linedemo")
    ap.add_argument("--prompt", default="案例> ")
    a = ap.parse_args()
    if not shutil.which("tmux"):
        sys.exit("tmux not found")
    tmp = tempfile.mkdtemp(prefix="lineedit_e2e_")
    try:
        run(a.cmd, a.prompt, "LANG=C.UTF-8", ["LANG=C.UTF-8"],
            os.path.join(tmp, "utf8", "state", "history"))
        run(a.cmd, a.prompt, "locale unset (C)", ["-u", "LANG", "-u", "LC_ALL", "-u", "LC_CTYPE"],
            os.path.join(tmp, "c", "state", "history"))
    finally:
        Term.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILURES:
        print("\n%d check(s) failed" % len(FAILURES))
        sys.exit(1)
    print("\nall checks passed")


if __name__ == "__main__":
    main()
