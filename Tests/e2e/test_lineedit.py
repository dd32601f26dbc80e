#!/usr/bin/env python3
"""End-to-end: line editing in a real terminal (tmux), Chinese first (issue 10).

Every check compares three things: the buffer this test expects after the keys it sent (a model
of the line and the cursor), the screen (capture-pane) and the cursor (#{cursor_x}, #{cursor_y}),
laid out as libedit lays a line out (a wide character that does not fit at the end of a row goes
to the next one), and, after Enter, the statement that ran (the last entry of the history file).
Private tmux socket, private history files. Stdlib only; needs /usr/bin/tmux (and bash for the
Ctrl-Z test).

    python3 Tests/e2e/test_lineedit.py [scenario ...]
"""

import os
import random
import shlex
import shutil
import stat
import subprocess
import sys
import time
import unicodedata

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import TMUX, Pane, Results, binary, dataset, run, tempdir, tmux_on  # noqa: E402

R = Results()
TMP = tempdir()
SOCKET = "caseql-le-%d" % os.getpid()
SESSION = "le"
PROMPT = "caseql> "
TERMS = ["xterm", "xterm-256color", "screen"]
COOKIE = "_HiStOrY_V2_"


def tmux(*args, check=True):
    return tmux_on(SOCKET, *args, check=check)


def cw(ch):
    """Display columns of one character as libedit counts them (wcwidth)."""
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def layout(text, cursor_index, cols):
    """Rows (right-stripped) and the cursor (x, row) of `text` laid out `cols` wide: a wide
    character that does not fit at the end of a row starts the next row; a full row puts what
    follows (and the cursor) at the start of the next."""
    rows, h, v, cur = [""], 0, 0, None
    for i, ch in enumerate(text):
        w = cw(ch)
        if w > 1 and h + w > cols:
            rows.append("")
            v, h = v + 1, 0
        if i == cursor_index:
            cur = (h, v)
        rows[v] += ch
        h += w
        if h >= cols:
            rows.append("")
            v, h = v + 1, 0
    if cur is None:
        cur = (h, v)
    return [r.rstrip() for r in rows], cur


def vis_decode(line):
    """strunvis for the escapes caseql and libedit write (\\NNN octal, \\\\)."""
    out, i, b = bytearray(), 0, line.encode("utf-8")
    while i < len(b):
        if b[i] == 0x5C and i + 1 < len(b):
            if b[i + 1] == 0x5C:
                out.append(0x5C)
                i += 2
                continue
            j = i + 1
            while j < len(b) and j < i + 4 and 0x30 <= b[j] <= 0x37:
                j += 1
            if j > i + 1:
                out.append(int(b[i + 1:j], 8) & 0xFF)
                i = j
                continue
        out.append(b[i])
        i += 1
    return out.decode("utf-8")


def history_entries(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if lines and lines[0] == COOKIE:
        return [vis_decode(l) for l in lines[1:]]
    return lines


def vis_encode(s):
    """strvis as libedit writes its history: spaces, controls and backslashes escaped."""
    out = bytearray()
    for b in s.encode("utf-8"):
        if b == 0x5C:
            out += b"\\\\"
        elif b <= 0x20 or b == 0x7F:
            out += b"\\%03o" % b
        else:
            out.append(b)
    return out.decode("utf-8")


class Term(Pane):
    """One caseql (or a bash running it) in a tmux pane."""

    def __init__(self, ds, hist, term="xterm", cols=80, rows=30, shell=False, extra_env=""):
        super().__init__(R, SOCKET, SESSION, poll=0.05, splitlines=True)
        self.cols, self.hist, self.ds, self.term = cols, hist, ds, term
        env = "CASEQL_HISTORY=%s LANG=C.UTF-8 TERM=%s %s" % (shlex.quote(hist), term, extra_env)
        if shell:
            cmd = ("env -i PATH=/usr/bin:/bin HOME=%s LANG=C.UTF-8 TERM=%s PS1='$ ' bash --norc --noprofile -i"
                   % (shlex.quote(TMP), term))
        else:
            cmd = "env %s %s %s" % (env, shlex.quote(binary()), shlex.quote(ds))
        self.start(cmd, cols, rows, options=[("remain-on-exit", "on"), ("history-limit", "50000")])
        self.env = env
        if not shell:
            self.wait_prompt()

    def resize(self, cols, rows=30):
        super().resize(cols, rows)
        self.cols = cols

    def state(self, prompt, buf, cur):
        """Screen rows from the prompt's row, and the cursor, against the model."""
        rows, (cx, cy) = layout(prompt + buf, len(prompt) + cur, self.cols)
        x, y = self.cursor()
        top = y - cy
        lines = self.screen()
        lines += [""] * max(0, top + len(rows) + 1 - len(lines))
        got = lines[top:top + len(rows)] if top >= 0 else None
        after = lines[top + len(rows):top + len(rows) + 1] if top >= 0 else []
        ok = got == rows and (x, y - top) == (cx, cy) and all(l == "" for l in after)
        return ok, rows, (cx, cy), got, (x, y - top), after

    def shows(self, prompt, buf, cur, what, timeout=3.0):
        """Waits until screen and cursor show `prompt + buf` with the cursor at `cur` (characters);
        one check."""
        end = time.time() + timeout
        while True:
            ok, rows, want_cur, got, got_cur, after = self.state(prompt, buf, cur)
            if ok or time.time() > end:
                break
            time.sleep(0.04)
        return R.check(ok, what, "want %r cursor %r\ngot  %r cursor %r (row below: %r)\nscreen:\n%s"
                       % (rows, want_cur, got, got_cur, after, "\n".join(self.screen())))

    def ran(self, want, what, timeout=8.0):
        """Enter, then: the history's newest entry (the statement that ran) is `want`."""
        self.keys("Enter")
        end = time.time() + timeout
        got = None
        while time.time() < end:
            try:
                entries = history_entries(self.hist)
                got = entries[-1] if entries else None
            except (OSError, UnicodeDecodeError):   # not written yet
                got = None
            if got == want:
                break
            time.sleep(0.05)
        return R.eq(got, want, what)

    def wait_prompt_after(self, needle, what):
        return self.wait(lambda ls: any(needle in l for l in ls) and ls[self.cursor()[1]] == PROMPT.rstrip(), what)

    @staticmethod
    def kill():
        tmux("kill-server", check=False)


def fresh_history(name, entries=None, plain=False):
    path = os.path.join(TMP, name)
    if entries is not None:
        with open(path, "w", encoding="utf-8") as f:
            if plain:
                f.write("".join(e + "\n" for e in entries))
            else:
                f.write(COOKIE + "\n" + "".join(vis_encode(e) + "\n" for e in entries))
    elif os.path.exists(path):
        os.unlink(path)
    return path


LUNCH = 'count cases where title contains "午餐"'


def lunch_count(ds):
    p = run([ds, "--csv", "-c", LUNCH])
    return p.stdout.strip().split("\n")[-1]


# 1. Ctrl-R: the recalled line is the one shown, and the one that runs.
def test_search(ds):
    want = lunch_count(ds)
    for term in TERMS:
        hist = fresh_history("h-search-" + term, [LUNCH, 'count cases where title contains "晚餐"',
                                                   'count cases where title contains "期后"', ".help"])
        t = Term(ds, hist, term=term)
        t.keys("C-r")
        t.shows("(reverse-i-search)`': ", "", 0, "%s: Ctrl-R shows the search prompt" % term)
        t.text("午餐")
        t.shows("(reverse-i-search)`午餐': ", LUNCH, LUNCH.index("午餐"),
                "%s: Ctrl-R 午餐 shows the entry with 午餐, cursor on the match" % term)
        t.ran(LUNCH, "%s: Enter runs exactly the line shown" % term)
        lines = t.wait_prompt_after("row", "%s: the count printed" % term)
        R.check(lines is not None and want in [l.strip() for l in lines],
                "%s: it answers %s (the 午餐 cases)" % (term, want), "\n".join(lines or []))
        t.shows(PROMPT, "", 0, "%s: a fresh prompt after the search's statement" % term)
        # Characters whose low byte is a control code, in the pattern: 期 (^_), 后 (^N), 餐 (^P).
        t.keys("C-r")
        t.text("期后")
        entry = 'count cases where title contains "期后"'
        t.shows("(reverse-i-search)`期后': ", entry, entry.index("期后"), "%s: Ctrl-R 期后 finds its entry" % term)
        t.keys("C-r")
        t.shows("(failed reverse-i-search)`期后': ", entry, entry.index("期后"),
                "%s: Ctrl-R again: no older match, the line stays" % term)
        t.keys("BSpace")
        t.shows("(reverse-i-search)`期后': ", entry, entry.index("期后"), "%s: Backspace undoes the failed step" % term)
        t.keys("BSpace")
        t.shows("(reverse-i-search)`期': ", entry, entry.index("期"), "%s: Backspace shortens the pattern" % term)
        t.keys("C-g")
        t.shows(PROMPT, "", 0, "%s: Ctrl-G gives the line before the search back" % term)
        t.text("x")
        t.keys("C-r")
        t.text("晚")
        t.keys("C-a")   # ends the search, then does its usual work
        entry = 'count cases where title contains "晚餐"'
        t.shows(PROMPT, entry, 0, "%s: Ctrl-A ends the search on the found line and moves home" % term)
        t.keys("C-u")
        t.keys("C-s")
        t.shows("(i-search)`': ", "", 0, "%s: Ctrl-S searches forward (not XOFF)" % term)
        t.keys("C-g")
        t.shows(PROMPT, "", 0, "%s: Ctrl-G" % term)


# The whole kind: every CJK character (U+4E00–U+9FFF) whose low byte is a control code.
def control_low_byte_cjk():
    return [chr(c) for c in range(0x4E00, 0xA000) if (c & 0xFF) < 0x20 or (c & 0xFF) == 0x7F]


def test_every_control_low_byte_character(ds):
    chars = control_low_byte_cjk()
    R.eq(len(chars), (0xA0 - 0x4E) * 33, "U+4E00–U+9FFF holds %d characters with a control low byte" % len(chars))
    batch = 40
    batches = ["".join(chars[i:i + batch]) for i in range(0, len(chars), batch)]
    entries = ['select "%s"' % b for b in batches]
    hist = fresh_history("h-kind", entries, plain=True)
    t = Term(ds, hist, term="xterm", cols=120)
    bad_search = bad_mid = 0
    for n, b in enumerate(batches):
        # Into Ctrl-R: the pattern is the batch; the match is its own entry.
        t.keys("C-r")
        t.text(b)
        entry = entries[n]
        ok = t.shows("(reverse-i-search)`%s': " % b, entry, entry.index(b),
                     "Ctrl-R with U+%04X…U+%04X" % (ord(b[0]), ord(b[-1])), timeout=4.0)
        bad_search += 0 if ok else 1
        t.keys("C-g")
        t.shows(PROMPT, "", 0, "Ctrl-G after batch %d" % n)
        # Into the middle of a line.
        t.text('a""b')
        t.keys("Left", "Left")
        t.text(b)
        buf = 'a"' + b + '"b'
        ok = t.shows(PROMPT, buf, 2 + len(b), "mid-line U+%04X…U+%04X" % (ord(b[0]), ord(b[-1])), timeout=4.0)
        bad_mid += 0 if ok else 1
        t.keys("C-u")
        t.shows(PROMPT, "", 0, "Ctrl-U after batch %d" % n)
    R.eq((bad_search, bad_mid), (0, 0), "all %d characters: search and mid-line screens equal the buffer" % len(chars))
    # One of them runs: the statement equals the entry.
    t.keys("C-r")
    t.text(batches[7])
    t.ran(entries[7], "the entry found by its control-low-byte characters runs as shown")


# 2. Mid-line editing of wide characters, the exact keys, at three widths and three TERMs.
def test_midline(ds):
    want = lunch_count(ds)
    for term in TERMS:
        for cols in (60, 80, 120):
            what = "%s %d: " % (term, cols)
            t = Term(ds, fresh_history("h-mid"), term=term, cols=cols)
            buf, cur = LUNCH, len(LUNCH)
            t.text(buf)
            t.shows(PROMPT, buf, cur, what + "typed")
            t.keys("Left", "Left", "Left")
            cur -= 3
            t.shows(PROMPT, buf, cur, what + "Left ×3")
            t.text("饭")
            buf, cur = buf[:cur] + "饭" + buf[cur:], cur + 1
            t.shows(PROMPT, buf, cur, what + "饭 inserted before 午餐")
            t.keys("Left")
            cur -= 1
            t.shows(PROMPT, buf, cur, what + "Left")
            t.keys("Right")
            cur += 1
            t.shows(PROMPT, buf, cur, what + "Right")
            t.keys("BSpace")
            buf, cur = buf[:cur - 1] + buf[cur:], cur - 1
            t.shows(PROMPT, buf, cur, what + "Backspace")
            t.keys("End")
            cur = len(buf)
            t.shows(PROMPT, buf, cur, what + "End")
            t.ran(buf, what + "the statement that ran is the one on screen")
            lines = t.wait_prompt_after("row", what + "answer")
            R.check(lines is not None and want in [l.strip() for l in lines], what + "it answers " + want)


class Editor:
    """The model: a line and a cursor, edited as the keys sent to the terminal edit it."""

    def __init__(self, t, prompt=PROMPT):
        self.t, self.buf, self.cur, self.prompt = t, "", 0, prompt

    def insert(self, s):
        self.t.text(s)
        s = unicodedata.normalize("NFC", s)
        self.buf = self.buf[:self.cur] + s + self.buf[self.cur:]
        self.cur += len(s)

    def key(self, k):
        keys = {"Left": ("Left",), "Right": ("Right",), "BSpace": ("BSpace",), "Home": ("Home",),
                "End": ("End",), "Delete": ("DC",)}
        self.t.keys(*keys[k])
        if k == "Left":
            self.cur = max(0, self.cur - 1)
        elif k == "Right":
            self.cur = min(len(self.buf), self.cur + 1)
        elif k == "BSpace" and self.cur > 0:
            self.buf, self.cur = self.buf[:self.cur - 1] + self.buf[self.cur:], self.cur - 1
        elif k == "Delete" and self.cur < len(self.buf):
            self.buf = self.buf[:self.cur] + self.buf[self.cur + 1:]
        elif k == "Home":
            self.cur = 0
        elif k == "End":
            self.cur = len(self.buf)

    def check(self, what):
        return self.t.shows(self.prompt, self.buf, self.cur, what)


PIECES = ["select ", "cases", " where ", "title", " contains ", '"', "午餐", "，", "教育局", "（", "重点", "）",
          "！", "Cafe\u0301", "：", "x", "“", "提案", "”", "。", "Ａ１", "；", "abc", "饭", " "]


# Insert, delete and move over ASCII, CJK, full-width punctuation and a combining mark, across the
# right margin, at three widths.
def test_mixed(ds):
    rng = random.Random(2020)
    for term in TERMS:
        for cols in (60, 80, 120):
            t = Term(ds, fresh_history("h-mixed"), term=term, cols=cols)
            e = Editor(t)
            what = "%s %d: " % (term, cols)
            bad = 0
            for step in range(40):
                r = rng.random()
                if r < 0.45 or len(e.buf) < 5:
                    e.insert(rng.choice(PIECES))
                else:
                    e.key(rng.choice(["Left", "Left", "Right", "BSpace", "Delete", "Home", "End", "Left"]))
                if not e.check(what + "step %d (line of %d characters, cursor %d)" % (step, len(e.buf), e.cur)):
                    bad += 1
                    break
            # Made a dot-command (run whatever it holds, unbalanced quotes too) to see what runs.
            e.key("Home")
            e.insert(".")
            e.check(what + "a dot in front")
            t.ran(e.buf, what + "after 40 edits the line that ran is the one on screen")


# A wide character straddling the right margin: no blank cell left behind, edits around it.
def test_margin(ds):
    for term in TERMS:
        cols = 60
        t = Term(ds, fresh_history("h-margin"), term=term, cols=cols)
        e = Editor(t)
        # prompt 8 + 35 ASCII = 43 columns, then 8 CJK = 59: the 9th straddles 59|60.
        e.insert('count cases where title contains "a')
        e.insert("午餐午餐午餐午餐午")
        e.check(term + ": a wide character that does not fit starts the next row")
        e.key("Left")
        e.check(term + ": cursor on the wrapped character, at the start of the next row")
        e.key("Left")
        e.check(term + ": Left back over the margin")
        e.insert("b")
        e.check(term + ": one column inserted before the margin: 午 now fits above")
        e.key("BSpace")
        e.check(term + ": deleted again: it wraps again")
        e.key("Home")
        e.insert("xy")
        e.check(term + ": inserted at the start: every row shifts right")
        e.key("Delete")
        e.check(term + ": Delete at the start")
        e.key("End")
        e.insert("餐\"")
        e.check(term + ": typed at the end past the margin")
        t.ran(e.buf, term + ": the statement that ran is the one on screen")


# A resize while the cursor is in the middle of a two-row line.
def test_resize(ds):
    for term in TERMS:
        t = Term(ds, fresh_history("h-resize"), term=term, cols=80)
        e = Editor(t)
        e.insert('count cases where title contains "a午餐午餐午餐午餐午餐午餐午餐午餐午餐午餐午餐" and unit = "教育局"')
        for _ in range(20):
            e.key("Left")
        e.check(term + ": 80 wide, cursor mid-line")
        def one_copy(what):
            copies = [l for l in t.screen() if l.startswith(PROMPT.rstrip())]
            R.eq(len(copies), 1, term + ": " + what + ": one prompt on screen, no stale copy of the line")
        t.resize(60)
        e.check(term + ": resized to 60 mid-line: the line redrawn")
        one_copy("60")
        e.insert("饭")
        e.check(term + ": typing after the resize")
        t.resize(100)
        e.check(term + ": resized to 100")
        one_copy("100")
        e.insert("Z")
        e.check(term + ": typing after the second resize")
        t.resize(70)
        e.check(term + ": resized to 70")
        one_copy("70")
        t.ran(e.buf, term + ": the statement that ran is the one on screen")


# 3. Keys of common terminals, sent as the terminals send them.
KEYS = [("\x1b[1~", "home"), ("\x1b[4~", "end"), ("\x1b[H", "home"), ("\x1b[F", "end"),
        ("\x1bOH", "home"), ("\x1bOF", "end"), ("\x1b[7~", "home"), ("\x1b[8~", "end")]


def test_keys(ds):
    for term in TERMS + ["linux"]:
        t = Term(ds, fresh_history("h-keys"), term=term, cols=80)
        e = Editor(t)
        e.insert('count cases where title contains 教育局')
        for seq, action in KEYS:
            t.hex(seq)
            e.cur = 0 if action == "home" else len(e.buf)
            e.check("%s: %r moves to the %s of the line (nothing inserted)" % (term, seq, "start" if action == "home" else "end"))
        t.hex("\x1b[1~")
        t.hex("\x1b[3~")
        e.cur = 0
        e.buf = e.buf[1:]
        e.check("%s: Delete (ESC[3~) deletes the character under the cursor" % term)
        t.hex("\x1b[4~")
        e.cur = len(e.buf)
        t.hex("\x1b[1;5D")
        e.cur = e.buf.index("教育局")
        e.check("%s: Ctrl-Left (ESC[1;5D) to the start of the word 教育局" % term)
        t.hex("\x1b[1;5D")
        e.cur = e.buf.index("contains")
        e.check("%s: Ctrl-Left again: to contains" % term)
        t.hex("\x1b[1;5C")
        e.cur = e.buf.index("contains") + len("contains")
        e.check("%s: Ctrl-Right (ESC[1;5C) to the end of the word" % term)
        e.insert("s")
        e.check("%s: typing there" % term)
        t.hex("\x1b[3~")
        e.buf = e.buf[:e.cur] + e.buf[e.cur + 1:]
        e.check("%s: Delete mid-line" % term)
        # Latin-1 characters typed are characters, not meta keys (· was M-7, × copy-region).
        e.key("End")
        e.insert("·×÷é")
        e.check("%s: · × ÷ é typed as themselves" % term)
        t.ran(e.buf, "%s: the statement that ran is the one on screen" % term)


# 4. Ctrl-Z, then fg: the editor comes back with its prompt and the half-typed line.
def test_suspend(ds):
    want = lunch_count(ds)
    for term in TERMS:
        hist = fresh_history("h-suspend")
        t = Term(ds, hist, term=term, shell=True)
        t.wait(lambda ls: any(l.startswith("$") for l in ls), "bash prompt")
        t.text("clear; %s %s %s" % (t.env, shlex.quote(binary()), shlex.quote(ds)))
        t.keys("Enter")
        t.wait(lambda ls: any(l.startswith(PROMPT.rstrip()) for l in ls), "caseql prompt under bash")
        e = Editor(t)
        e.insert('count cases where title contains "午餐')
        e.key("Left")
        e.check(term + ": half-typed, cursor inside")
        t.keys("C-z")
        lines = t.wait(lambda ls: any("Stopped" in l for l in ls) and ls[t.cursor()[1]].startswith("$"),
                       term + ": Ctrl-Z stops caseql, bash prompt")
        R.check(lines is not None, term + ": stopped")
        t.text("fg")
        t.keys("Enter")
        e.check(term + ": after fg: prompt and half-typed line redrawn, cursor where it was")
        e.key("Left")
        e.check(term + ": Left works (raw mode back: no ^[[D)")
        e.key("End")
        e.insert('"')
        e.check(term + ": typing continues the same line")
        t.ran(e.buf, term + ": the statement that ran is the one on screen")
        lines = t.wait_prompt_after("row", term + ": answer")
        R.check(lines is not None and want in [l.strip() for l in lines], term + ": it answers " + want)
        t.text(".quit")
        t.keys("Enter")
        t.wait(lambda ls: ls[t.cursor()[1]].startswith("$"), term + ": back in bash")
        t.text("stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo")
        t.keys("Enter")
        lines = t.wait(lambda ls: any(l.strip() in ("icanon echo", "echo icanon") for l in ls),
                       term + ": terminal back in cooked mode after .quit")
        R.check(lines is not None, term + ": icanon echo after the suspended session", "\n".join(t.screen()))


# 5. The history file.
def test_history_files(ds):
    # A plain file, as bash (with timestamps), psql and sqlite3 write them.
    plain = ["#1700000000", ".help", "#1700000001", 'count cases where unit = "教育局"', LUNCH]
    hist = fresh_history("h-plain", plain, plain=True)
    t = Term(ds, hist)
    e = Editor(t)
    t.keys("Up")
    e.buf, e.cur = LUNCH, len(LUNCH)
    e.check("plain history: Up recalls its last line")
    t.keys("Up")
    e.buf = 'count cases where unit = "教育局"'
    e.cur = len(e.buf)
    e.check("plain history: Up again: the line before (timestamps skipped)")
    t.keys("C-u")
    e.buf, e.cur = "", 0
    e.insert("count cases")
    t.ran("count cases", "a statement added to a plain history file")
    R.eq(history_entries(hist), plain + ["count cases"], "the plain file keeps all it had, the new line appended, still plain")

    # libedit's own format (spaces as \040), as older caseql versions wrote it.
    entries = ['select "a b"', 'count cases where title contains "午餐\\"']
    hist = fresh_history("h-libedit", entries)
    t = Term(ds, hist)
    e = Editor(t)
    t.keys("Up")
    e.buf, e.cur = entries[1], len(entries[1])
    e.check("libedit-format history: Up recalls the entry decoded")
    t.keys("C-u")
    e.buf, e.cur = "", 0
    e.insert(".help")
    t.ran(".help", "a statement added to a libedit-format file")
    R.eq(history_entries(hist), entries + [".help"], "libedit-format file keeps its entries")

    # A file that is not text: warned about, copied aside byte for byte, not lost.
    hist = os.path.join(TMP, "h-binary")
    junk = b"\x00\x01\xff\xfe binary \x00 stuff\n"
    with open(hist, "wb") as f:
        f.write(junk)
    for p in (hist + ".unreadable",):
        if os.path.exists(p):
            os.unlink(p)
    t = Term(ds, hist)
    lines = t.screen()
    R.check(any("not text" in l for l in lines), "a non-text history file is warned about", "\n".join(lines))
    with open(hist + ".unreadable", "rb") as f:
        R.eq(f.read(), junk, "its bytes are kept in PATH.unreadable")
    t.text("count cases")
    t.ran("count cases", "a new history begins in its place")

    # /dev/null and other non-regular paths are never replaced.
    t = Term(ds, "/dev/null")
    t.text("count cases")
    t.keys("Enter")
    t.wait_prompt_after("row", "statement with CASEQL_HISTORY=/dev/null")
    st = os.stat("/dev/null")
    R.check(stat.S_ISCHR(st.st_mode), "/dev/null is still a character device")

    # A symbolic link stays a link; its target gets the entry.
    target = os.path.join(TMP, "h-target")
    link = os.path.join(TMP, "h-link")
    with open(target, "w") as f:
        f.write(COOKIE + "\n")
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(target, link)
    t = Term(ds, link)
    t.text("count cases")
    t.ran("count cases", "history through a symbolic link")
    R.check(os.path.islink(link), "the link is still a link")

    # Two shells at once: neither loses the other's statements.
    hist = fresh_history("h-two")
    a = Term(ds, hist)
    a.text(".help")
    a.ran(".help", "shell A's statement saved")
    tmux("rename-session", "-t", SESSION, "shell-a")
    b = Term(ds, hist)
    b.text("count cases")
    b.ran("count cases", "shell B's statement saved")
    tmux("rename-session", "-t", SESSION, "shell-b")
    tmux("rename-session", "-t", "shell-a", SESSION)
    a.text(LUNCH)
    a.ran(LUNCH, "shell A's second statement saved")
    R.eq(history_entries(hist), [".help", "count cases", LUNCH], "both shells' statements are in the file, in order")
    tmux("kill-session", "-t", "shell-b", check=False)


# 6. Ctrl-C stops .check and .report while they print.
def test_interrupt_output(ds_big):
    full = run([ds_big, "-c", ".check"], timeout=600).stdout.count("\n")
    t = Term(ds_big, fresh_history("h-int"), cols=120, rows=40)
    t.text(".check")
    t.keys("Enter")
    t.wait(lambda ls: sum(1 for l in ls if l) > 2, ".check starts")
    t.keys("C-c")
    lines = t.wait(lambda ls: any("^C: output cancelled" in l for l in ls) and ls[t.cursor()[1]] == PROMPT.rstrip(),
                   ".check: Ctrl-C stops it, a fresh prompt")
    printed = tmux("capture-pane", "-t", SESSION, "-p", "-S", "-").count("\n")
    R.check(lines is not None and printed < full, ".check printed %d lines of %d before Ctrl-C stopped it" % (printed, full))
    t.text(".report")
    t.keys("Enter")
    time.sleep(0.3)
    t.keys("C-c")
    lines = t.wait(lambda ls: ls[-1] == PROMPT.rstrip() or ls[t.cursor()[1]] == PROMPT.rstrip(), ".report: prompt back")
    R.check(lines is not None, ".report: Ctrl-C returns to the prompt")
    t.text("count cases")
    t.keys("Enter")
    lines = t.wait_prompt_after("row", "a statement after the interrupts")
    R.check(lines is not None, "the next statement runs normally after Ctrl-C")


def main():
    if not os.path.exists(TMUX):
        print("tmux not found\n0 passed, 1 failed")
        sys.exit(1)
    binary()
    ds = dataset(TMP)
    try:
        for fn in (test_search, test_midline, test_keys, test_margin, test_mixed, test_resize,
                   test_every_control_low_byte_character, test_suspend, test_history_files,
                   test_interrupt_output):
            if R.only and fn.__name__ not in R.only:
                continue
            data = dataset(TMP, cases=30000, seed=7) if fn is test_interrupt_output else ds

            def scenario(fn=fn, data=data):
                fn(data)
            scenario.__name__ = fn.__name__
            R.case(scenario)
    finally:
        Term.kill()
        shutil.rmtree(TMP, ignore_errors=True)
    R.finish()


if __name__ == "__main__":
    main()
