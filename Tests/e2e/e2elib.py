"""Shared helpers of the end-to-end tests (stdlib only): find or build the binary, make a
dataset, count passes and failures. Each test_*.py imports this and stays runnable alone."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import unicodedata

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BIN = os.path.join(ROOT, ".build", "debug", "caseql")


def binary():
    """The debug binary, built first when missing."""
    if not os.path.exists(BIN):
        print("building caseql …", flush=True)
        subprocess.run(["swift", "build", "--product", "caseql"], cwd=ROOT, check=True)
    return BIN


def dataset(tmp, cases=1270, seed=2020):
    """A dataset folder: datasets/zhengzhou-2020 when it exists, else a generated one."""
    shipped = os.path.join(ROOT, "datasets", "zhengzhou-2020")
    if os.path.exists(os.path.join(shipped, "cases.csv")) and cases == 1270 and seed == 2020:
        return shipped
    out = os.path.join(tmp, "ds-%d-%d" % (cases, seed))
    if not os.path.exists(os.path.join(out, "cases.csv")):
        subprocess.run([binary(), "generate", "--cases", str(cases), "--seed", str(seed), "--profile", "shipped", "--out", out],
                       check=True, capture_output=True)
    return out


def run(args, input=None, env=None, timeout=60, cwd=None):
    """Runs caseql with args; returns CompletedProcess with text stdout/stderr."""
    e = dict(os.environ)
    e.pop("CASEQL_HISTORY", None)
    if env:
        e.update(env)
    return subprocess.run([binary()] + list(args), input=input, capture_output=True, text=True,
                          env=e, timeout=timeout, cwd=cwd,
                          stdin=None if input is not None else subprocess.DEVNULL)


def width(s):
    """Display columns: East Asian wide and full-width count 2, combining marks 0."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else
               0 if unicodedata.combining(c) else 1 for c in s)


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.only = set(sys.argv[1:])

    def check(self, cond, what, detail=""):
        if cond:
            self.passed += 1
            print("ok   " + what, flush=True)
        else:
            self.failed += 1
            print("FAIL " + what, flush=True)
            if detail:
                for line in str(detail).rstrip("\n").split("\n")[:40]:
                    print("     | " + line)
        return cond

    def eq(self, got, want, what):
        return self.check(got == want, what, "want %r\ngot  %r" % (want, got))

    def case(self, fn):
        """Runs one scenario; an exception counts as a failure."""
        if self.only and fn.__name__ not in self.only:
            return
        try:
            fn()
        except Exception:
            self.check(False, "%s raised" % fn.__name__, traceback.format_exc())

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


def fresh(tmp, name):
    """An empty folder `name` under `tmp` (emptied if it was there)."""
    d = os.path.join(tmp, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def tempdir():
    return tempfile.mkdtemp(prefix="caseql-e2e-")


TMUX = shutil.which("tmux") or "/usr/bin/tmux"
PROMPT = "caseql> "


def tmux_on(socket, *args, check=True):
    """Runs tmux on a private server (its own socket, so tests never touch a person's tmux)."""
    return subprocess.run([TMUX, "-L", socket, *args], check=check, capture_output=True,
                          text=True).stdout


class Pane:
    """One program in a tmux pane on a private server, and what a person sees there: the screen,
    the cursor, keys typed. Each suite subclasses it with its own constructor (what it starts)
    and its own model checks.

    text_pause/key_pause: seconds to let the program draw after typing; poll: how often wait()
    looks; join: read wrapped lines joined (-J); scrollback: how many lines of scrollback the
    screen includes (None: the visible screen only); splitlines: split the capture as
    str.splitlines() does (keeps trailing empty rows)."""

    def __init__(self, results, socket, session, text_pause=0.0, key_pause=0.0, poll=0.05,
                 join=False, scrollback=None, splitlines=False):
        self.R, self.socket, self.session = results, socket, session
        self.text_pause, self.key_pause, self.poll = text_pause, key_pause, poll
        self.join, self.scrollback, self.splitlines = join, scrollback, splitlines

    def tmux(self, *args, check=True):
        return tmux_on(self.socket, *args, check=check)

    def start(self, command, cols, rows, options=()):
        """Starts `command` (one shell string) in a cols×rows session, replacing the last one;
        retries while the server of a session just killed is still going away."""
        self.tmux("kill-session", "-t", self.session, check=False)
        for _ in range(10):
            if subprocess.run([TMUX, "-L", self.socket, "new-session", "-d", "-s", self.session,
                               "-x", str(cols), "-y", str(rows), command],
                              capture_output=True).returncode == 0:
                break
            time.sleep(0.3)
        for name, value in options:
            self.tmux("set-option", "-t", self.session, name, value)

    def wait_prompt(self, prompt=PROMPT):
        return self.wait(lambda ls: any(l.startswith(prompt.rstrip()) for l in ls), "first prompt")

    def text(self, s):
        self.tmux("send-keys", "-t", self.session, "-l", s)
        time.sleep(self.text_pause)

    def keys(self, *k):
        self.tmux("send-keys", "-t", self.session, *k)
        time.sleep(self.key_pause)

    def hex(self, s):
        """Sends the UTF-8 bytes of s one by one, as a terminal would."""
        self.tmux("send-keys", "-t", self.session, "-H", *["%02x" % b for b in s.encode()])

    def _capture(self, join, scrollback):
        args = ["capture-pane", "-t", self.session, "-p"] + (["-J"] if join else [])
        if scrollback:
            args += ["-S", "-%d" % scrollback]
        raw = self.tmux(*args)
        lines = raw.splitlines() if self.splitlines else raw.rstrip("\n").split("\n")
        return [l.rstrip() for l in lines]

    def screen(self):
        return self._capture(self.join, self.scrollback)

    def visible(self):
        return self._capture(False, None)

    def cursor(self):
        x, y = self.tmux("display", "-t", self.session, "-p", "#{cursor_x} #{cursor_y}").split()
        return int(x), int(y)

    def current(self):
        """The cursor's row of the visible screen."""
        v, y = self._capture(self.join, None), self.cursor()[1]
        return v[y] if y < len(v) else ""

    def line_is(self, want, what, timeout=3.0):
        """Waits until the cursor's row reads `want` (completion may take a moment); one check."""
        end = time.time() + timeout
        while time.time() < end:
            if self.current() == want:
                break
            time.sleep(0.05)
        return self.R.eq(self.current(), want, what)

    def wait(self, pred, what, timeout=8.0):
        """The screen once pred(screen) holds; after `timeout` a failed check and None."""
        end = time.time() + timeout
        while time.time() < end:
            lines = self.screen()
            if pred(lines):
                return lines
            time.sleep(self.poll)
        self.R.check(False, "(waiting) " + what, "\n".join(l for l in self.screen() if l))
        return None

    def prompts(self, prompt=PROMPT):
        return sum(1 for l in self.screen() if l.startswith(prompt.rstrip()))

    def dead(self):
        """(whether the pane's program has exited, its status if tmux knows it)."""
        out = self.tmux("display", "-t", self.session, "-p", "#{pane_dead} #{pane_dead_status}").split()
        return (out[0] == "1", int(out[1]) if len(out) > 1 and out[1] else None)

    def resize(self, cols, rows):
        self.tmux("resize-window", "-t", self.session, "-x", str(cols), "-y", str(rows))

    def clear_history(self):
        self.tmux("clear-history", "-t", self.session)

    def kill(self):
        """Stops the private server and everything in it."""
        self.tmux("kill-server", check=False)
