/*
 * CLibEdit shim: libedit (histedit.h) plus tiny non-variadic wrappers for the
 * variadic el_wset / el_wget / history_w calls, which Swift cannot call.
 *
 * Everything here is `static` / `static inline`, so every Swift *file* that
 * uses one of these functions gets its own private copy, including of the
 * static variables below (the SIGINT flag).  Use the SIGINT helpers from ONE
 * Swift file only (Sources/CaseShell/LineEditor.swift) and expose them from
 * there.
 */
#ifndef CASEQL_CLIBEDIT_SHIM_H
#define CASEQL_CLIBEDIT_SHIM_H

#include <histedit.h>
#include <locale.h>
#include <wchar.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <errno.h>
#include <limits.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <termios.h>

/* glibc only declares wcwidth under _XOPEN_SOURCE; redeclare it for Swift. */
extern int wcwidth(wchar_t c);

/* glibc's standard streams are mutable globals, which Swift 6 refuses to read from code that
 * may run concurrently; caseql never reassigns them, so Swift reads them through these. */
static inline FILE *cle_stdin(void) { return stdin; }
static inline FILE *cle_stdout(void) { return stdout; }
static inline FILE *cle_stderr(void) { return stderr; }

/* MB_CUR_MAX is a macro calling a glibc function; expose it as a function. */
static inline size_t cle_mb_cur_max(void) { return MB_CUR_MAX; }

/* Terminal width of fd via TIOCGWINSZ, or `fallback`. */
static inline int cle_terminal_width(int fd, int fallback) {
    struct winsize ws;
    if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return (int)ws.ws_col;
    return fallback;
}

/* ---- EditLine (wide API) ---------------------------------------------- */

typedef wchar_t *(*cle_wprompt_fn)(EditLine *);
typedef unsigned char (*cle_command_fn)(EditLine *, int);

static inline int cle_set_prompt_esc(EditLine *el, cle_wprompt_fn fn, wchar_t esc) {
    return el_wset(el, EL_PROMPT_ESC, fn, esc);
}
static inline int cle_set_editor(EditLine *el, const wchar_t *mode) {
    return el_wset(el, EL_EDITOR, mode);
}
/* Wide history: el_wset (not el_set) keeps libedit from flagging it narrow. */
static inline int cle_set_hist(EditLine *el, HistoryW *h) {
    return el_wset(el, EL_HIST, history_w, h);
}
static inline int cle_set_signal(EditLine *el, int on) {
    return el_wset(el, EL_SIGNAL, on);
}
static inline int cle_set_saferead(EditLine *el, int on) {
    return el_wset(el, EL_SAFEREAD, on);
}
static inline int cle_add_fn(EditLine *el, const wchar_t *name, const wchar_t *help,
                             cle_command_fn fn) {
    return el_wset(el, EL_ADDFN, name, help, fn);
}
static inline int cle_bind(EditLine *el, const wchar_t *key, const wchar_t *command) {
    return el_wset(el, EL_BIND, key, command, (const wchar_t *)NULL);
}
static inline int cle_set_clientdata(EditLine *el, void *data) {
    return el_wset(el, EL_CLIENTDATA, data);
}
static inline void *cle_get_clientdata(EditLine *el) {
    void *data = NULL;
    if (el_wget(el, EL_CLIENTDATA, &data) != 0) return NULL;
    return data;
}
/* Sets (or, with "", removes) one terminal capability, as `settc` in editrc. */
static inline int cle_settc(EditLine *el, const wchar_t *cap, const wchar_t *value) {
    return el_wset(el, EL_SETTC, cap, value, (const wchar_t *)NULL);
}
/* `setty` as in editrc, e.g. ("-d", "-ixon"): tty modes while editing. */
static inline int cle_setty(EditLine *el, const wchar_t *a, const wchar_t *b) {
    return el_wset(el, EL_SETTY, a, b, (const wchar_t *)NULL);
}
/* Redraws prompt and line from scratch at the cursor, which must be in column 0. */
static inline int cle_refresh(EditLine *el) {
    return el_wset(el, EL_REFRESH);
}
static inline int cle_set_getcfn(EditLine *el, el_rfunc_t fn) {
    return el_wset(el, EL_GETCFN, fn);
}

/* ---- History (wide) ---------------------------------------------------- */

static inline int cle_hist_setsize(HistoryW *h, int size) {
    HistEventW ev; return history_w(h, &ev, H_SETSIZE, size);
}
static inline int cle_hist_setunique(HistoryW *h, int on) {
    HistEventW ev; return history_w(h, &ev, H_SETUNIQUE, on);
}
static inline int cle_hist_enter(HistoryW *h, const wchar_t *line) {
    HistEventW ev; return history_w(h, &ev, H_ENTER, line);
}
static inline int cle_hist_load(HistoryW *h, const char *path) {
    HistEventW ev; return history_w(h, &ev, H_LOAD, path);
}
static inline int cle_hist_save(HistoryW *h, const char *path) {
    HistEventW ev; return history_w(h, &ev, H_SAVE, path);
}
static inline int cle_hist_save_fp(HistoryW *h, FILE *fp) {
    HistEventW ev; return history_w(h, &ev, H_SAVE_FP, fp);
}
static inline int cle_hist_clear(HistoryW *h) {
    HistEventW ev; return history_w(h, &ev, H_CLEAR);
}
static inline int cle_hist_getsize(HistoryW *h) {
    HistEventW ev;
    if (history_w(h, &ev, H_GETSIZE) == -1) return -1;
    return ev.num;
}
/* Iteration: oldest entry is H_LAST, newest H_FIRST; H_PREV goes older->...
 * (libedit's naming).  Each returns -1 at the end, else 0 and fills *ev. */
static inline int cle_hist_first(HistoryW *h, HistEventW *ev) { return history_w(h, ev, H_FIRST); }
static inline int cle_hist_last(HistoryW *h, HistEventW *ev)  { return history_w(h, ev, H_LAST); }
static inline int cle_hist_next(HistoryW *h, HistEventW *ev)  { return history_w(h, ev, H_NEXT); }
static inline int cle_hist_prev(HistoryW *h, HistEventW *ev)  { return history_w(h, ev, H_PREV); }

/* ---- SIGINT ------------------------------------------------------------ */
/*
 * A SIGINT handler installed WITHOUT SA_RESTART: a Ctrl-C during el_wgets
 * makes its read(2) fail with EINTR, el_wgets returns NULL (count -1), puts
 * the terminal back in cooked mode, and the caller sees the flag.  Outside
 * el_wgets the flag just records the request (poll it to cancel work).
 */
/* State lives in function-local statics: Swift's importer emits those with
 * the (used) inline function, whereas file-scope statics of struct type are
 * not emitted. */
static inline volatile sig_atomic_t *cle_sigint_flag_ptr(void) {
    static volatile sig_atomic_t flag = 0;
    return &flag;
}
static inline struct sigaction *cle_sigint_saved_ptr(void) {
    static struct sigaction saved;
    return &saved;
}
static inline int *cle_sigint_depth_ptr(void) {
    static int depth = 0;
    return &depth;
}
#define cle_sigint_flag (*cle_sigint_flag_ptr())
#define cle_sigint_saved (*cle_sigint_saved_ptr())
#define cle_sigint_depth (*cle_sigint_depth_ptr())

static void cle_sigint_handler(int signo) {
    (void)signo;
    cle_sigint_flag = 1;
}

/* Nested installs are counted; the original action is restored by the last
 * cle_sigint_restore.  Returns 0 on success. */
static inline int cle_sigint_install(void) {
    if (cle_sigint_depth++ > 0) return 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = cle_sigint_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* deliberately no SA_RESTART */
    if (sigaction(SIGINT, &sa, &cle_sigint_saved) != 0) {
        cle_sigint_depth = 0;
        return -1;
    }
    return 0;
}
static inline void cle_sigint_restore(void) {
    if (cle_sigint_depth <= 0) return;
    if (--cle_sigint_depth == 0) sigaction(SIGINT, &cle_sigint_saved, NULL);
}
static inline int cle_sigint_pending(void) { return cle_sigint_flag != 0; }
static inline void cle_sigint_clear(void) { cle_sigint_flag = 0; }
/* Returns the flag and clears it. */
static inline int cle_sigint_take(void) {
    int was = cle_sigint_flag != 0;
    cle_sigint_flag = 0;
    return was;
}

/* ---- SIGWINCH (only while reading a line) ------------------------------ */
static inline volatile sig_atomic_t *cle_winch_flag_ptr(void) {
    static volatile sig_atomic_t flag = 0;
    return &flag;
}
static inline struct sigaction *cle_winch_saved_ptr(void) {
    static struct sigaction saved;
    return &saved;
}
static void cle_winch_handler(int signo) {
    (void)signo;
    *cle_winch_flag_ptr() = 1;
}
/* Installed around el_wgets only (no SA_RESTART, so the blocked read wakes
 * up and libedit learns the new width). */
static inline void cle_winch_install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = cle_winch_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    *cle_winch_flag_ptr() = 0;
    sigaction(SIGWINCH, &sa, cle_winch_saved_ptr());
}
static inline void cle_winch_restore(void) {
    sigaction(SIGWINCH, cle_winch_saved_ptr(), NULL);
}

/* Writes n wide characters to f as multibyte (never switching f to wide orientation). */
static inline void cle_write_wide(FILE *f, const wchar_t *p, size_t n) {
    char mb[MB_LEN_MAX];
    mbstate_t st;
    memset(&st, 0, sizeof st);
    for (size_t i = 0; i < n; i++) {
        size_t k = wcrtomb(mb, p[i], &st);
        if (k != (size_t)-1) fwrite(mb, 1, k, f);
    }
}

/* Rows from the start of the prompt down to the cursor when prompt and line
 * are laid out `cols` wide as libedit lays them out (refresh.c: a wide
 * character that does not fit at the end of a row goes to the next one; a
 * full row puts the cursor at the start of the next). */
static int cle_cursor_row(EditLine *el, int cols) {
    int h = 0, v = 0;
    if (cols <= 0) return 0;
    cle_wprompt_fn fn = NULL;
    wchar_t esc = 0;
    const wchar_t *p = NULL;
    if (el_wget(el, EL_PROMPT_ESC, &fn, &esc) == 0 && fn) p = fn(el);
    const LineInfoW *li = el_wline(el);
    for (int part = 0; part < 2; part++) {
        const wchar_t *c = part == 0 ? p : (li ? li->buffer : NULL);
        const wchar_t *end = part == 0 ? NULL : (li ? li->cursor : NULL);
        int hidden = 0;
        if (!c) continue;
        for (; end ? c < end : *c != 0; c++) {
            if (part == 0 && esc && *c == esc) { hidden = !hidden; continue; }
            if (hidden) continue;
            if (*c == L'\n') { v++; h = 0; continue; }
            int w = wcwidth(*c);
            if (w < 0) w = *c < 0x100 ? 2 : 4;      /* ^X, \U+XXXX as libedit shows them */
            if (h + w > cols) { v++; h = 0; }
            h += w;
            if (h >= cols) { v++; h = 0; }
        }
    }
    return v;
}

/* SIGWINCH while editing: the terminal has re-wrapped (tmux, VTE, iTerm2,
 * Windows Terminal reflow soft-wrapped rows) or cut the rows on screen.
 * Tell libedit the size, go up to where the prompt now starts (the row of
 * the cursor in the new width), clear to the end of the screen and draw
 * prompt and line anew: libedit's own picture of the screen is stale. */
static void cle_resized(EditLine *el) {
    el_resize(el);
    int cols = cle_terminal_width(STDOUT_FILENO, 80);
    int rows = cle_cursor_row(el, cols);
    if (rows > 0) fprintf(stdout, "\033[%dA", rows);
    fputs("\r\033[J", stdout);
    /* First draw prompt and line ourselves with every row break a soft wrap
     * (a wide character that does not fit is preceded by spaces up to the
     * margin, never a newline): libedit moves to the next row with "\n",
     * which a terminal does not re-join on the next resize.  Then back to
     * the start, and libedit draws the same over it, learning the screen. */
    cle_wprompt_fn fn = NULL;
    wchar_t esc = 0;
    const wchar_t *p = NULL;
    if (el_wget(el, EL_PROMPT_ESC, &fn, &esc) == 0 && fn) p = fn(el);
    const LineInfoW *li = el_wline(el);
    int h = 0, v = 0;
    for (int part = 0; part < 2; part++) {
        const wchar_t *c = part == 0 ? p : (li ? li->buffer : NULL);
        const wchar_t *end = part == 0 ? NULL : (li ? li->lastchar : NULL);
        int hidden = 0;
        if (!c) continue;
        for (; end ? c < end : *c != 0; c++) {
            if (part == 0 && esc && *c == esc) { hidden = !hidden; continue; }
            if (hidden) continue;
            int w = *c == L'\n' ? -1 : wcwidth(*c);
            if (w < 0) goto drawn;          /* newline or control character: leave it to libedit */
            if (h + w > cols) {
                for (; h < cols; h++) fputc(' ', stdout);
            }
            if (h >= cols) { v++; h = 0; }
            cle_write_wide(stdout, c, 1);
            h += w;
        }
    }
drawn:
    if (h >= cols) h = cols - 1;            /* pending wrap: the cursor is still on the row */
    if (v > 0) fprintf(stdout, "\033[%dA", v);
    fputs("\r", stdout);
    fflush(stdout);
    el_wset(el, EL_REFRESH);
}

/* ---- SIGTSTP / SIGCONT (only while reading a line) ----------------------
 * Ctrl-Z in the editor's raw mode raises SIGTSTP.  The handler only records it
 * (no SA_RESTART, so the blocked read wakes up); the reader then, outside the
 * handler, moves below the line, puts the terminal back in the modes it had
 * before el_wgets (cle_tstp_install), stops, and on `fg` restores the editing
 * modes and redraws prompt and line.  A SIGCONT after a stop the shell did not
 * see (kill -STOP) also redraws.
 */
static inline volatile sig_atomic_t *cle_tstp_flag_ptr(void) {
    static volatile sig_atomic_t flag = 0;
    return &flag;
}
static inline volatile sig_atomic_t *cle_cont_flag_ptr(void) {
    static volatile sig_atomic_t flag = 0;
    return &flag;
}
static inline struct sigaction *cle_tstp_saved_ptr(void) {
    static struct sigaction saved;
    return &saved;
}
static inline struct sigaction *cle_cont_saved_ptr(void) {
    static struct sigaction saved;
    return &saved;
}
/* The terminal modes before el_wgets (cooked) and while editing (raw). */
static inline struct termios *cle_tty_cooked_ptr(void) {
    static struct termios t;
    return &t;
}
static inline int *cle_tty_cooked_valid_ptr(void) {
    static int valid = 0;
    return &valid;
}
static inline struct termios *cle_tty_raw_ptr(void) {
    static struct termios t;
    return &t;
}
static inline int *cle_tty_raw_valid_ptr(void) {
    static int valid = 0;
    return &valid;
}
static void cle_tstp_handler(int signo) {
    (void)signo;
    *cle_tstp_flag_ptr() = 1;
}
static void cle_cont_handler(int signo) {
    (void)signo;
    *cle_cont_flag_ptr() = 1;
}
static inline void cle_tstp_set_handler(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = cle_tstp_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGTSTP, &sa, NULL);
}
/* Around el_wgets: remembers the terminal modes and catches SIGTSTP/SIGCONT.
 * When the shell started caseql with SIGTSTP ignored (no job control), it
 * stays ignored. */
static inline void cle_tstp_install(void) {
    *cle_tty_cooked_valid_ptr() = tcgetattr(STDIN_FILENO, cle_tty_cooked_ptr()) == 0;
    *cle_tty_raw_valid_ptr() = 0;
    /* libedit prints the prompt before it sets its modes (read.c: read_prepare,
     * then tty_rawmode on the first el_wgetc): keys typed in between would be
     * echoed by the tty and then drawn again by libedit. No echo from here on;
     * libedit keeps the cooked modes it learned and restores them after. */
    if (*cle_tty_cooked_valid_ptr()) {
        struct termios quiet = *cle_tty_cooked_ptr();
        quiet.c_lflag &= ~(tcflag_t)(ECHO | ICANON);
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    *cle_tstp_flag_ptr() = 0;
    *cle_cont_flag_ptr() = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGTSTP, NULL, cle_tstp_saved_ptr());
    if (cle_tstp_saved_ptr()->sa_handler != SIG_IGN) cle_tstp_set_handler();
    sa.sa_handler = cle_cont_handler;
    sigaction(SIGCONT, &sa, cle_cont_saved_ptr());
}
static inline void cle_tstp_restore(void) {
    sigaction(SIGTSTP, cle_tstp_saved_ptr(), NULL);
    sigaction(SIGCONT, cle_cont_saved_ptr(), NULL);
}

/* Ctrl-Z while editing: leave the line as it is on screen, go below it, give
 * the terminal its own modes back and stop; after `fg`, editing modes again
 * and the prompt and line drawn anew on the (fresh) line the shell left. */
static void cle_suspend(EditLine *el) {
    const LineInfoW *li = el_wline(el);
    if (li && li->cursor < li->lastchar)
        cle_write_wide(stdout, li->cursor, (size_t)(li->lastchar - li->cursor));
    fputs("\r\n", stdout);
    fflush(stdout);
    struct termios raw;
    int have_raw = tcgetattr(STDIN_FILENO, &raw) == 0;
    if (*cle_tty_cooked_valid_ptr())
        tcsetattr(STDIN_FILENO, TCSADRAIN, cle_tty_cooked_ptr());
    signal(SIGTSTP, SIG_DFL);
    raise(SIGTSTP);                       /* stopped here until `fg` */
    cle_tstp_set_handler();
    if (have_raw) tcsetattr(STDIN_FILENO, TCSADRAIN, &raw);
    *cle_cont_flag_ptr() = 0;
    fputs("\r", stdout);
    fflush(stdout);
    el_wset(el, EL_REFRESH);
}

/* Continued after a stop caseql did not take itself (kill -STOP): the
 * terminal may be in the shell's modes and the screen anything. */
static void cle_continued(EditLine *el) {
    if (*cle_tty_raw_valid_ptr())
        tcsetattr(STDIN_FILENO, TCSADRAIN, cle_tty_raw_ptr());
    fputs("\r\n", stdout);
    fflush(stdout);
    el_wset(el, EL_REFRESH);
}

/* The key the reader returns for a combining mark (^\, which the tty turns
 * into SIGQUIT, so it is never typed); bound to caseql-compose-mark. */
#define CLE_COMPOSE_MARK_KEY 0x1C

/* The combining mark waiting for caseql-compose-mark. */
static inline wchar_t *cle_pending_mark_ptr(void) {
    static wchar_t mark = 0;
    return &mark;
}
static inline wchar_t cle_take_pending_mark(void) {
    wchar_t m = *cle_pending_mark_ptr();
    *cle_pending_mark_ptr() = 0;
    return m;
}

/*
 * Replacement for libedit's character reader (EL_GETCFN): like the builtin
 * one (read a byte at a time, decode with mbrtowc) but it also reports an
 * interrupt when SIGINT arrived *before* the read blocked (the builtin would
 * wait for the next key in that case), and picks up a SIGWINCH resize.
 * Returns 1 with a character, 0 on EOF, -1 with errno set on error/interrupt.
 */
static int cle_read_char(EditLine *el, wchar_t *cp) {
    char buf[MB_LEN_MAX];
    size_t n = 0;
    for (;;) {
        if (cle_sigint_flag) { *cp = L'\0'; errno = EINTR; return -1; }
        if (!*cle_tty_raw_valid_ptr())   /* libedit's editing modes, set by now */
            *cle_tty_raw_valid_ptr() = tcgetattr(STDIN_FILENO, cle_tty_raw_ptr()) == 0;
        if (*cle_tstp_flag_ptr()) {
            *cle_tstp_flag_ptr() = 0;
            cle_suspend(el);
            n = 0;
            continue;
        }
        if (*cle_cont_flag_ptr()) {
            *cle_cont_flag_ptr() = 0;
            cle_continued(el);
        }
        if (*cle_winch_flag_ptr()) {
            *cle_winch_flag_ptr() = 0;
            cle_resized(el);
        }
        ssize_t r = read(STDIN_FILENO, buf + n, 1);
        if (r == -1) {
            if (errno == EINTR && !cle_sigint_flag) continue; /* other signal */
            *cp = L'\0';
            return -1;
        }
        if (r == 0) { *cp = L'\0'; return 0; }
        n++;
        for (;;) {
            mbstate_t st;
            memset(&st, 0, sizeof st);
            size_t k = mbrtowc(cp, buf, n, &st);
            if (k == (size_t)-2) {           /* incomplete: read more bytes */
                if (n >= MB_LEN_MAX) n = 0;
                break;
            }
            if (k == (size_t)-1) {           /* invalid: keep only last byte */
                if (n > 1) { buf[0] = buf[n - 1]; n = 1; continue; }
                n = 0;
                break;
            }
            if (k == 0) *cp = L'\0';
            /* A combining mark (zero width): libedit's screen model has one
             * character a cell and would drop it from the display; hand it to
             * caseql-compose-mark to join it with the character before. */
            if (*cp >= 0x300 && wcwidth(*cp) == 0) {
                *cle_pending_mark_ptr() = *cp;
                *cp = CLE_COMPOSE_MARK_KEY;
            }
            return 1;
        }
    }
}
static inline int cle_use_interruptible_reader(EditLine *el) {
    return el_wset(el, EL_GETCFN, cle_read_char);
}

#endif
