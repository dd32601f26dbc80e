#!/usr/bin/env python3
"""End-to-end: the interactive caseql shell in a real terminal (tmux), read off the screen as a
person would. Private tmux socket (-L caseql-e2e) and a private history file, so the user's own
tmux and history are never touched. Stdlib only; needs /usr/bin/tmux.

    python3 Tests/e2e/test_interactive.py
"""

import csv
import io
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import PROMPT, TMUX, Pane, Results, binary, dataset, run, tempdir, tmux_on, width  # noqa: E402

R = Results()
TMP = tempdir()
SOCKET = "caseql-e2e-%d" % os.getpid()
SESSION = "e2e"
CONT = "   ...> "


class Term(Pane):
    """One caseql in a 120×40 tmux pane. The pane runs `sh -c` around caseql so that after
    caseql exits the terminal modes are printed (icanon/echo) and the pane exits with
    caseql's status, read with #{pane_dead_status}."""

    def __init__(self, ds, hist, cols=120, rows=40):
        super().__init__(R, SOCKET, SESSION, text_pause=0.1, key_pause=0.2, poll=0.1, join=True)
        inner = ("trap : INT; env CASEQL_HISTORY=%s LANG=C.UTF-8 TERM=xterm-256color %s %s; s=$?; "
                 "stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; "
                 "echo; echo EXIT=$s; exit $s" % (shlex.quote(hist), shlex.quote(binary()), shlex.quote(ds)))
        self.start("sh -c %s" % shlex.quote(inner), cols, rows, options=[("remain-on-exit", "on")])
        self.wait_prompt()

    def exit_status(self, timeout=8.0):
        """caseql's exit status: #{pane_dead_status}, or the EXIT= line the wrapper prints when
        this tmux cannot report it (a server that does not reap its children)."""
        end = time.time() + timeout
        while time.time() < end and not self.dead()[0]:
            time.sleep(0.1)
        dead, status = self.dead()
        if dead and status is None:
            for l in self.screen():
                if l.startswith("EXIT="):
                    status = int(l[5:])
        return dead, status

    def clear(self):
        """Clears the screen and the scrollback so each scenario reads only its own output."""
        self.keys("C-l")
        self.clear_history()
        self.wait(lambda ls: ls[0].startswith(PROMPT.rstrip()) and not any(ls[1:]), "screen cleared")

    def enter_and_wait_prompt(self, what):
        """Enter, then wait for the next fresh prompt line (the output is complete)."""
        before = self.prompts()
        self.keys("Enter")
        return self.wait(lambda ls: self.prompts() > before and ls[self.cursor()[1]] in (PROMPT.rstrip(), ""),
                         what)

    @staticmethod
    def kill():
        tmux_on(SOCKET, "kill-server", check=False)


def count_of(ds, q):
    p = run([ds, "--csv", "-c", q])
    return int(list(csv.reader(io.StringIO(p.stdout)))[-1][0])


def bar_columns(line):
    cols, col = [], 0
    for ch in line:
        if ch == "│" or ch == "┼":
            cols.append(col)
        col += width(ch)
    return cols


def main():
    if not os.path.exists(TMUX):
        print("tmux not found\n0 passed, 1 failed")
        sys.exit(1)
    binary()
    ds = dataset(TMP)
    hist_dir = os.path.join(TMP, "state", "caseql")
    hist = os.path.join(hist_dir, "history")
    total = count_of(ds, "count cases")
    jyj = count_of(ds, 'count cases where unit = "教育局"')
    overdue_props = count_of(ds, 'count proposals where unit = "教育局" and status = overdue')
    try:
        session_one(ds, hist, total, jyj, overdue_props)
        session_two(ds, hist)
    except Exception:
        import traceback
        R.check(False, "scenario raised", traceback.format_exc())
    finally:
        Term.kill()
        shutil.rmtree(TMP, ignore_errors=True)
    R.finish()


def session_one(ds, hist, total, jyj, overdue_props):
    t = Term(ds, hist)
    lines = t.screen()
    R.check(lines[0].startswith("caseql ") and ("%d cases" % total) in lines[0] and "as of" in lines[0]
            and ".help" in lines[1], "banner names the dataset, its cases and the as-of date", "\n".join(lines[:2]))
    R.eq(lines[2], PROMPT.rstrip(), "prompt right after the banner")

    # A query with Chinese typed in: an aligned table and the row count.
    t.clear()
    t.text('select proposals where unit="教育局" and status=overdue')
    lines = t.enter_and_wait_prompt("query with Chinese runs")
    if lines:
        table = [l for l in lines if "│" in l or "┼" in l]
        cols = {tuple(bar_columns(l)) for l in table}
        R.check(len(table) == overdue_props + 2 and len(cols) == 1 and len(next(iter(cols))) == 5,
                "table: every row's │ at the same display columns (CJK = 2)", "\n".join(lines))
        R.check(("%d rows" % overdue_props) in lines or ("%d row" % overdue_props) in lines,
                "table: row count line", "\n".join(lines))
        R.check(all(width(l) <= 120 for l in lines), "table fits the 120-column terminal")
        R.check(sum("教育局" in l for l in table) == overdue_props, "table: the unit column shows 教育局")

    # Cursor editing over Chinese: Left over CJK, then Backspace deletes one character.
    t.clear()
    typed = 'count cases where unit = "教育育局"'
    t.text(typed)
    t.keys("Left", "Left")
    x, _ = t.cursor()
    R.eq(x, width(PROMPT + typed[:-2]), "Left×2 over 局\" moves 1 + 2 display columns")
    t.keys("BSpace")
    x, _ = t.cursor()
    R.eq(x, width(PROMPT + typed[:-3]), "Backspace removes one 2-column character")
    t.line_is(PROMPT + 'count cases where unit = "教育局"', "the line reads 教育局 after the edit")
    lines = t.enter_and_wait_prompt("edited line runs")
    R.check(lines and str(jyj) in [l.strip() for l in lines], "edited line ran: count of 教育局 = %d" % jyj,
            "\n".join(lines or []))

    # Tab completion: keyword, field, unit by pinyin initials, enum value.
    t.clear()
    t.text("sel")
    t.keys("Tab")
    t.line_is(PROMPT + "select", "Tab: sel → select")
    R.eq(t.cursor()[0], width(PROMPT + "select "), "Tab: a space follows a unique keyword")
    t.text("proposals wh")
    t.keys("Tab")
    t.line_is(PROMPT + "select proposals where", "Tab: wh → where")
    t.text("stat")
    t.keys("Tab")
    t.line_is(PROMPT + "select proposals where status", "Tab: field stat → status")
    t.text("= ov")
    t.keys("Tab")
    t.line_is(PROMPT + "select proposals where status = overdue", "Tab: value ov → overdue")
    t.text("and unit = jyj")
    t.keys("Tab")
    t.line_is(PROMPT + "select proposals where status = overdue and unit = 教育局",
              "Tab: jyj → 教育局 by pinyin initials")
    lines = t.enter_and_wait_prompt("completed query runs")
    R.check(lines and any(l.strip() in ("%d rows" % overdue_props, "%d row" % overdue_props) for l in lines),
            "completed query gives the same rows", "\n".join(lines or []))
    # Several candidates: the second Tab lists them.
    t.clear()
    t.text("select id from cases where u")
    t.keys("Tab")
    t.keys("Tab")
    lines = t.wait(lambda ls: any(re.search(r"\bunit\b.*\bunits\b", l) for l in ls), "Tab Tab lists unit units")
    t.line_is(PROMPT + "select id from cases where unit", "line redrawn after the listing")
    t.keys("C-u")
    # Dot-command.
    t.clear()
    t.text(".mo")
    t.keys("Tab")
    t.line_is(PROMPT + ".mode", "Tab: .mo → .mode")
    R.eq(t.cursor()[0], width(PROMPT + ".mode "), "Tab: a space follows a completed dot-command")
    t.text("cs")
    t.keys("Tab")
    t.line_is(PROMPT + ".mode csv", "Tab: .mode cs → csv")
    t.enter_and_wait_prompt(".mode csv")
    t.clear()

    # .mode csv then a query prints CSV.
    t.text('select id, unit from cases where unit = "教育局" order by id limit 3')
    lines = t.enter_and_wait_prompt("CSV query")
    if lines:
        body = [l for l in lines if l and not l.startswith(PROMPT.rstrip())]
        R.check(body[0] == "id,unit" and len(body) == 4 and all(l.endswith(",教育局") for l in body[1:])
                and not any("│" in l for l in lines), ".mode csv: the query prints CSV", "\n".join(lines))
    t.text(".mode table")
    t.enter_and_wait_prompt(".mode table")

    # .timer on prints a time.
    t.clear()
    t.text(".timer on")
    t.enter_and_wait_prompt(".timer on")
    t.text("count cases")
    lines = t.enter_and_wait_prompt("timed query")
    R.check(lines and any(re.match(r"^time: \d+(\.\d+)? ms$", l) for l in lines), ".timer on: a time line",
            "\n".join(lines or []))
    t.text(".timer off")
    t.enter_and_wait_prompt(".timer off")

    # Multi-line statement: a trailing `and` continues under the continuation prompt.
    t.clear()
    t.text('count cases where unit = "教育局" and')
    t.keys("Enter")
    lines = t.wait(lambda ls: any(l == CONT.rstrip() or l == CONT for l in ls), "continuation prompt")
    R.check(lines is not None, "a trailing and continues under '   ...> '")
    t.text("overdue")
    lines = t.enter_and_wait_prompt("multi-line statement runs")
    want = count_of(ds, 'count cases where unit = "教育局" and overdue')
    R.check(lines and str(want) in [l.strip() for l in lines], "multi-line statement ran (%d)" % want,
            "\n".join(lines or []))

    # Ctrl-C cancels a half-typed line (also a half-typed statement) and gives a fresh prompt.
    t.clear()
    t.text("select cases where")
    t.keys("Enter")
    t.wait(lambda ls: any(l.startswith(CONT.rstrip()) for l in ls), "continuation before Ctrl-C")
    t.text("unit = ")
    t.keys("C-c")
    lines = t.wait(lambda ls: ls[t.cursor()[1]] == PROMPT.rstrip(), "Ctrl-C gives a fresh prompt")
    R.check(lines is not None and t.dead()[0] is False, "Ctrl-C: fresh prompt, process alive")
    t.text("count cases")
    lines = t.enter_and_wait_prompt("statement after Ctrl-C")
    R.check(lines and str(total) in [l.strip() for l in lines], "after Ctrl-C the next statement runs alone",
            "\n".join(lines or []))

    # An error shows the caret under the right token, under Chinese too.
    t.clear()
    src = 'select cases where 主办单位 = "教育厅"'
    t.text(src)
    lines = t.enter_and_wait_prompt("error shown")
    if lines:
        i = next((k for k, l in enumerate(lines) if l == "  " + src), None)
        caret = lines[i + 1] if i is not None and i + 1 < len(lines) else ""
        m = re.match(r"^( *)(\^+)$", caret)
        R.check(m and width(m.group(1)) == 2 + width('select cases where 主办单位 = ')
                and len(m.group(2)) == width('"教育厅"'),
                "caret under \"教育厅\" (display columns)", "\n".join(lines))
        R.check(any("教育局" in l and "did you mean" in l for l in lines) and
                not any("did you mean `did you mean" in l for l in lines), "error suggests 教育局",
                "\n".join(lines))
    t.clear()
    src = "select cases where unti = 1"
    t.text(src)
    lines = t.enter_and_wait_prompt("ASCII error shown") or []
    R.check(any(l == "  " + " " * len("select cases where ") + "^^^^" for l in lines), "caret under unti",
            "\n".join(lines))

    # The last statement, for the history check.
    t.clear()
    t.text('count proposals where unit = "教育局"')
    t.enter_and_wait_prompt("last statement")

    # Ctrl-D exits with status 0 and leaves the terminal sane.
    t.keys("C-d")
    dead, status = t.exit_status()
    R.check(dead and status == 0, "Ctrl-D exits with status 0", "dead=%s status=%s" % (dead, status))
    lines = t.screen()
    R.check(any(l.strip() == "icanon echo" for l in lines), "terminal back in cooked mode (icanon echo)",
            "\n".join(l for l in lines if l))
    if os.path.exists(hist):
        R.eq(stat.S_IMODE(os.stat(hist).st_mode), 0o600, "history file is mode 0600")
    else:
        R.check(False, "history file written at CASEQL_HISTORY")


def session_two(ds, hist):
    t = Term(ds, hist)
    t.keys("Up")
    t.line_is(PROMPT + 'count proposals where unit = "教育局"', "Up recalls the last statement after a restart")
    t.keys("Up")
    t.line_is(PROMPT + "select cases where unti = 1", "Up again: the statement before")
    t.keys("Down")
    lines = t.enter_and_wait_prompt("recalled statement runs")
    want = count_of(ds, 'count proposals where unit = "教育局"')
    R.check(lines and str(want) in [l.strip() for l in lines], "the recalled statement runs", "\n".join(lines or []))
    # The multi-line statement is one history entry.
    found = False
    for _ in range(12):
        t.keys("Up")
        if any(l.startswith(PROMPT + 'count cases where unit = "教育局" and') for l in t.screen()[-6:]):
            found = True
            break
    R.check(found, "the multi-line statement is recalled as one entry", "\n".join(t.screen()))
    t.keys("C-u")
    t.keys("C-c")
    t.text(".quit")
    t.keys("Enter")
    R.eq(t.exit_status(), (True, 0), ".quit exits with status 0")


if __name__ == "__main__":
    main()
