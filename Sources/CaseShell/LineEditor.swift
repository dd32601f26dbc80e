// LineEditor: interactive line input over libedit (wide-character API), with
// persistent history (HistoryFile), TAB completion, its own Ctrl-R/Ctrl-S
// search, and Ctrl-C, Ctrl-Z and resize handling. Where libedit is wrong for
// wide characters caseql binds the key itself: see the README, "Line editing".
//
// libedit decodes input with mbrtowc, so a multibyte LC_CTYPE is required
// for Chinese input; init falls back to C.UTF-8 when the environment gives a
// single-byte locale (LANG unset, LANG=C).
//
// While a LineEditor exists, SIGINT is caught (no SA_RESTART): during
// readLine it cancels the line (.interrupted); at other times it only sets a
// flag that long-running work can poll with `LineEditor.interruptRequested`
// and reset with `LineEditor.clearInterrupt()`.

import CaseQuery
import CLibEdit
import CaseStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Result of `LineEditor.readLine(prompt:)`.
public enum LineResult: Equatable, Sendable {
    case line(String)
    /// Ctrl-D on an empty line, or end of input.
    case eof
    /// Ctrl-C: the line was discarded.
    case interrupted
}

/// What a completer proposes for the text before the cursor.
public struct Completion: Equatable, Sendable {
    /// Characters (Swift `Character`s) before the cursor to replace.
    public var replaceLength: Int
    public var candidates: [String]
    /// When exactly one candidate is inserted, follow it with a space
    /// (unless it ends with a character after which a space is unwanted,
    /// such as "/", "(", "." or "=", or the text after the cursor already
    /// starts with a space).
    public var appendSpaceWhenUnique: Bool
    /// What the listing shows for each candidate (same order), when it differs from the text
    /// inserted: the bare unit name for the quoted `"副市长（分管教育）"`.
    public var display: [String]?

    public init(replaceLength: Int, candidates: [String], appendSpaceWhenUnique: Bool = true, display: [String]? = nil) {
        self.replaceLength = replaceLength
        self.candidates = candidates
        self.appendSpaceWhenUnique = appendSpaceWhenUnique
        self.display = display
    }

    public static let none = Completion(replaceLength: 0, candidates: [])
}

public final class LineEditor {
    public typealias LineResult = CaseShell.LineResult
    public typealias Completion = CaseShell.Completion

    /// Called on TAB with the text before the cursor.
    public var completer: ((_ lineBeforeCursor: String) -> Completion)?

    public let historyPath: String?
    public let historySize: Int
    /// Whether the editor's own words (history warnings, the question before a long list of
    /// candidates) are said in Chinese: the shell's `.labels` setting, asked each time.
    public var chinese: () -> Bool
    /// The history on disk (nil without a path).
    private var historyFile: HistoryFile?
    /// The incremental history search under way (Ctrl-R / Ctrl-S), if any.
    private var search: HistorySearch?
    /// The last pattern searched, offered again by Ctrl-R on an empty pattern.
    fileprivate var lastSearchPattern: [Unicode.Scalar] = []
    /// The prompt of the line being read (the search shows its own instead).
    private var prompt = ""

    private let el: OpaquePointer
    private let hist: OpaquePointer
    /// NUL-terminated wide prompt handed to libedit's prompt callback.
    private var promptBuffer: UnsafeMutablePointer<wchar_t>
    private var promptCapacity: Int

    /// Character libedit treats as "start/end of invisible text" in prompts:
    /// wrap ANSI escape sequences in it so they take no columns.
    public static let promptEscape: Character = "\u{1}"

    // MARK: - Life cycle

    public init?(programName: String, historyPath: String?, historySize: Int = 2000, chinese: @escaping () -> Bool = { false }) {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { return nil }
        LineEditor.setUpLocale()

        guard let el = el_init(programName, cle_stdin(), cle_stdout(), cle_stderr()) else { return nil }
        guard let hist = history_winit() else {
            el_end(el)
            return nil
        }
        self.el = el
        self.hist = hist
        self.historyPath = historyPath
        self.historySize = max(1, historySize)
        self.chinese = chinese
        promptCapacity = 64
        promptBuffer = .allocate(capacity: promptCapacity)
        promptBuffer.initialize(repeating: 0, count: promptCapacity)

        _ = cle_hist_setsize(hist, Int32(clamping: self.historySize))
        _ = cle_hist_setunique(hist, 1)

        _ = cle_set_clientdata(el, Unmanaged.passUnretained(self).toOpaque())
        _ = "emacs".withWideCString { cle_set_editor(el, $0) }
        _ = cle_set_signal(el, 0)          // our own SIGINT handling below
        _ = cle_set_saferead(el, 0)
        _ = cle_use_interruptible_reader(el)
        _ = cle_set_prompt_esc(el, lineEditorPromptCallback, wchar_t(1))
        _ = cle_set_hist(el, hist)
        addFunction("caseql-complete", help: "Complete the word before the cursor", lineEditorCompleteCallback)
        bind("^I", to: "caseql-complete")
        addFunction("caseql-search-backward", help: "Search the history backward as you type", lineEditorSearchBackwardCallback)
        addFunction("caseql-search-forward", help: "Search the history forward as you type", lineEditorSearchForwardCallback)
        addFunction("caseql-search-step", help: "(internal) next key of a history search", lineEditorSearchStepCallback)
        addFunction("caseql-compose-mark", help: "(internal) a combining mark typed", lineEditorComposeMarkCallback)
        bind(String(Unicode.Scalar(UInt8(CLE_COMPOSE_MARK_KEY))), to: "caseql-compose-mark")
        bind("^R", to: "caseql-search-backward")
        bind("^S", to: "caseql-search-forward")
        bind(String(LineEditor.searchStepKey), to: "caseql-search-step")
        for (keys, command) in LineEditor.terminalKeys {
            for key in keys { bind(key, to: command) }
        }
        // Characters U+00A0–U+00FF (· × ÷ é …) reach libedit's key map by
        // their code, where emacs mode has meta commands (· is M-7, an
        // argument digit; × copies the region): make them plain characters.
        // ESC-letter meta keys are separate key sequences and keep working.
        for code in 0xA0...0xFF {
            bind(String(Unicode.Scalar(UInt8(code))), to: "ed-insert")
        }
        // libedit's incremental redraw inserts and deletes characters with the
        // terminal's insert/delete capabilities, counting a wide character's
        // two cells wrongly (a quote vanishes, the cursor ends one column off):
        // without them it rewrites the line from the first change, which is right.
        for cap in ["IC", "ic", "im", "ei", "ip", "DC", "dc", "dm", "ed"] {
            _ = cap.withWideCString { c in "".withWideCString { cle_settc(el, c, $0) } }
        }
        // ^S is a key here (forward search), not XOFF.
        _ = "-d".withWideCString { d in "-ixon".withWideCString { cle_setty(el, d, $0) } }

        if let path = historyPath {
            let file = HistoryFile(path: path, limit: self.historySize)
            for entry in file.load() {
                _ = entry.withWideCString { cle_hist_enter(hist, $0) }
            }
            for warning in file.warnings { fputs("caseql: \(warning.text(chinese: chinese()))\n", cle_stderr()) }
            historyFile = file
        }
        _ = cle_sigint_install()
    }

    /// Keys terminals send for Home, End, Delete and Ctrl/Alt-arrows (xterm,
    /// PuTTY, Xshell, screen/tmux, the Linux console, rxvt), bound whatever
    /// TERM says: libedit binds only what the terminfo entry lists.
    static let terminalKeys: [([String], String)] = [
        (["\u{1B}[1~", "\u{1B}[7~", "\u{1B}[H", "\u{1B}OH"], "ed-move-to-beg"),
        (["\u{1B}[4~", "\u{1B}[8~", "\u{1B}[F", "\u{1B}OF"], "ed-move-to-end"),
        (["\u{1B}[3~"], "ed-delete-next-char"),
        (["\u{1B}[1;5D", "\u{1B}[5D", "\u{1B}[1;3D", "\u{1B}Od", "\u{1B}\u{1B}[D"], "ed-prev-word"),
        (["\u{1B}[1;5C", "\u{1B}[5C", "\u{1B}[1;3C", "\u{1B}Oc", "\u{1B}\u{1B}[C"], "em-next-word"),
    ]

    /// Key the search pushes back to itself to be called again after each
    /// redraw (^], which emacs mode ignores).
    static let searchStepKey: Unicode.Scalar = "\u{1D}"

    private func bind(_ key: String, to command: String) {
        _ = key.withWideCString { k in command.withWideCString { cle_bind(el, k, $0) } }
    }

    /// libedit keeps the name and help pointers (map.c, map_addfunc), so they
    /// are copied to storage that lives as long as the process.
    private func addFunction(_ name: String, help: String, _ fn: @escaping cle_command_fn) {
        func lasting(_ s: String) -> UnsafePointer<wchar_t> {
            let wide = LineEditor.wide(s)
            let p = UnsafeMutablePointer<wchar_t>.allocate(capacity: wide.count)
            p.initialize(from: wide, count: wide.count)
            return UnsafePointer(p)
        }
        _ = cle_add_fn(el, lasting(name), lasting(help), fn)
    }

    deinit {
        cle_sigint_restore()
        el_end(el)
        history_wend(hist)
        promptBuffer.deallocate()
    }

    /// setlocale(LC_ALL, ""), then make sure LC_CTYPE is multibyte (UTF-8).
    /// LC_NUMERIC is kept "C" so C-level number formatting never changes.
    static func setUpLocale() {
        setlocale(LC_ALL, "")
        setlocale(LC_NUMERIC, "C")
        if cle_mb_cur_max() == 1 {
            if setlocale(LC_CTYPE, "C.UTF-8") == nil {
                _ = setlocale(LC_CTYPE, "en_US.UTF-8")
            }
        }
    }

    // MARK: - Reading

    public func readLine(prompt: String) -> LineResult {
        self.prompt = prompt
        search = nil
        setPrompt(prompt)
        cle_sigint_clear()
        var count: Int32 = 0
        cle_winch_install()
        cle_tstp_install()
        let raw = el_wgets(el, &count)
        cle_tstp_restore()
        cle_winch_restore()
        if search != nil {
            search = nil
            setPrompt(prompt)
        }
        if cle_sigint_take() != 0 {
            // The line is discarded; leave the cursor on a fresh line below
            // it: re-print the text after the cursor (same glyphs, so the
            // screen does not change) to move past the end of the line.
            fputs(textAfterCursor() + "^C\n", cle_stdout())
            fflush(cle_stdout())
            return .interrupted
        }
        guard let raw, count > 0 else {
            if count < 0 && errno == EINTR {
                fputs("\n", cle_stdout())
                fflush(cle_stdout())
                return .interrupted
            }
            // Ctrl-D on an empty line (libedit echoed "^D"), or end of input.
            fputs("\n", cle_stdout())
            fflush(cle_stdout())
            return .eof
        }
        var line = LineEditor.string(fromWide: raw, count: Int(count))
        if line.hasSuffix("\n") { line.removeLast() }
        if line.hasSuffix("\r") { line.removeLast() }
        return .line(line)
    }

    private func textAfterCursor() -> String {
        guard let info = el_wline(el)?.pointee, let cursor = info.cursor,
              let last = info.lastchar, last > cursor
        else { return "" }
        return LineEditor.string(fromWide: cursor, count: cursor.distance(to: last))
    }

    private func setPrompt(_ prompt: String) {
        let wide = LineEditor.wide(prompt)
        if wide.count > promptCapacity {
            promptBuffer.deallocate()
            promptCapacity = wide.count
            promptBuffer = .allocate(capacity: promptCapacity)
        }
        promptBuffer.update(from: wide, count: wide.count)
    }

    /// The line being edited and the cursor in it (in Unicode scalars, as libedit counts).
    private func currentLine() -> (text: [Unicode.Scalar], cursor: Int) {
        guard let info = el_wline(el)?.pointee, let buffer = info.buffer,
              let cursor = info.cursor, let last = info.lastchar else { return ([], 0) }
        let text = LineEditor.string(fromWide: buffer, count: buffer.distance(to: last))
        return (Array(text.unicodeScalars), buffer.distance(to: cursor))
    }

    /// Replaces the whole line and puts the cursor at `cursor` (scalars).
    private func replaceLine(with text: [Unicode.Scalar], cursor: Int) {
        let (old, oldCursor) = currentLine()
        el_cursor(el, Int32(old.count - oldCursor))
        if !old.isEmpty { el_deletestr(el, Int32(old.count)) }
        var s = String.UnicodeScalarView()
        s.append(contentsOf: text)
        if !text.isEmpty { _ = String(s).withWideCString { el_winsertstr(el, $0) } }
        el_cursor(el, Int32(cursor - text.count))
    }

    fileprivate var promptPointer: UnsafeMutablePointer<wchar_t> { promptBuffer }

    // MARK: - Interrupts

    /// True once Ctrl-C was pressed outside readLine (poll it to cancel work).
    // Never inlined: the flag is a static in the C shim, and each LLVM module that inlines
    // the shim gets its own copy; the reads must happen in this file, beside the handler.
    public static var interruptRequested: Bool {
        @inline(never) get { cle_sigint_pending() != 0 }
    }

    @inline(never) public static func clearInterrupt() { cle_sigint_clear() }

    // MARK: - History

    /// Adds an entry (a repeat of the previous one is collapsed) and appends
    /// it to the history file right away (see HistoryFile).
    public func addHistory(_ entry: String) {
        guard !entry.allSatisfy({ $0.isWhitespace }) else { return }
        if historyEntries.last == entry { return }
        _ = entry.withWideCString { cle_hist_enter(hist, $0) }
        historyFile?.append(entry)
    }

    /// History entries, oldest first.
    public var historyEntries: [String] {
        var result: [String] = []
        var ev = HistEventW()
        var rc = cle_hist_last(hist, &ev)
        while rc != -1 {
            if let s = ev.str { result.append(LineEditor.string(fromWide: s, count: wcslen(s))) }
            rc = cle_hist_prev(hist, &ev)
        }
        return result
    }

    /// Forgets the history, in memory and on disk.
    public func clearHistory() {
        _ = cle_hist_clear(hist)
        historyFile?.clear()
    }

    // MARK: - Completion

    fileprivate func complete() -> UInt8 {
        guard let completer, let info = el_wline(el)?.pointee,
              let buffer = info.buffer, let cursor = info.cursor
        else { return UInt8(CC_ERROR) }
        let before = LineEditor.string(fromWide: buffer, count: buffer.distance(to: cursor))
        let after: String = {
            guard let last = info.lastchar, last > cursor else { return "" }
            return LineEditor.string(fromWide: cursor, count: cursor.distance(to: last))
        }()
        let completion = completer(before)
        let candidates = completion.candidates
        if candidates.isEmpty { return UInt8(CC_ERROR) }

        let replaceLength = max(0, min(completion.replaceLength, before.count))
        let word = String(before.suffix(replaceLength))

        if candidates.count == 1 {
            var text = candidates[0]
            if completion.appendSpaceWhenUnique, let lastChar = text.last,
               !"/(.=:".contains(lastChar), !lastChar.isWhitespace,
               !(after.first?.isWhitespace ?? false) {
                text += " "
            }
            replaceWord(word, with: text)
            return UInt8(CC_REFRESH)
        }

        let prefix = LineEditor.longestCommonPrefix(candidates)
        if prefix.count > word.count {
            replaceWord(word, with: prefix)
            return UInt8(CC_REFRESH)
        }

        // Nothing more to insert: list the candidates below the line.
        let width = Int(cle_terminal_width(STDOUT_FILENO, 80))
        let shown = completion.display.flatMap { $0.count == candidates.count ? $0 : nil } ?? candidates
        let rows = LineEditor.columnLayout(shown, terminalWidth: width)
        // Start below the whole line even when the cursor is inside it:
        // re-print the text after the cursor (it is already on screen).
        var listing = after + "\n"
        // Above a screenful, ask first, as readline does (y, Y or space lists; anything else not).
        if rows.count >= LineEditor.terminalHeight() - 1 {
            let n = candidates.count
            let question = Message(en: "Display all \(n) possibilities? (y or n)", zh: "显示全部 \(n) 个候选？(y 或 n)")
            fputs(listing + question.text(chinese: chinese()), cle_stdout())
            fflush(cle_stdout())
            var c: UInt8 = 0
            let yes = read(STDIN_FILENO, &c, 1) == 1 && (c == UInt8(ascii: "y") || c == UInt8(ascii: "Y") || c == UInt8(ascii: " "))
            listing = "\n"
            if !yes {
                fputs(listing, cle_stdout())
                fflush(cle_stdout())
                return UInt8(CC_REDISPLAY)
            }
        }
        for row in rows {
            listing += row + "\n"
        }
        fputs(listing, cle_stdout())
        fflush(cle_stdout())
        return UInt8(CC_REDISPLAY)
    }

    /// Terminal rows of standard output (24 when unknown).
    static func terminalHeight() -> Int {
        var w = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &w) == 0 && w.ws_row > 0 { return Int(w.ws_row) }
        return 24
    }

    private func replaceWord(_ word: String, with text: String) {
        let deleteCount = word.unicodeScalars.count
        if deleteCount > 0 { el_deletestr(el, Int32(deleteCount)) }
        _ = text.withWideCString { el_winsertstr(el, $0) }
    }

    /// Longest common prefix, compared by Character.
    static func longestCommonPrefix(_ strings: [String]) -> String {
        guard var prefix = strings.first.map(Array.init) else { return "" }
        for s in strings.dropFirst() {
            var n = 0
            for (a, b) in zip(prefix, s) {
                if a != b { break }
                n += 1
            }
            prefix = Array(prefix.prefix(n))
            if prefix.isEmpty { break }
        }
        return String(prefix)
    }

    /// Lays `items` out in columns (filled top to bottom, like ls) aligned by
    /// display width and fitting `terminalWidth`; returns the rows without
    /// trailing spaces.
    public static func columnLayout(_ items: [String], terminalWidth: Int, gap: Int = 2) -> [String] {
        guard !items.isEmpty else { return [] }
        let widths = items.map { DisplayWidth.of($0) }
        let colWidth = (widths.max() ?? 0) + gap
        let columns = max(1, min(items.count, (max(terminalWidth, 1) + gap) / max(colWidth, 1)))
        let rows = (items.count + columns - 1) / columns
        var out: [String] = []
        for r in 0..<rows {
            var line = ""
            for c in 0..<columns {
                let i = c * rows + r
                guard i < items.count else { break }
                let isLast = c == columns - 1 || (c + 1) * rows + r >= items.count
                line += isLast ? items[i] : DisplayWidth.pad(items[i], toWidth: colWidth)
            }
            out.append(line)
        }
        return out
    }

    // MARK: - Paths

    /// $CASEQL_HISTORY, else $XDG_STATE_HOME/caseql/history, else
    /// $HOME/.caseql_history (empty variables count as unset).
    public static func historyPath(environment: [String: String]) -> String {
        func value(_ key: String) -> String? {
            guard let v = environment[key], !v.isEmpty else { return nil }
            return v
        }
        if let p = value("CASEQL_HISTORY") { return p }
        if let state = value("XDG_STATE_HOME") {
            return (state as NSString).appendingPathComponent("caseql/history")
        }
        let home = value("HOME") ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".caseql_history")
    }

    // MARK: - Wide strings

    static func wide(_ s: String) -> [wchar_t] {
        var out = s.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
        out.append(0)
        return out
    }

    static func string(fromWide p: UnsafePointer<wchar_t>, count: Int) -> String {
        var s = String.UnicodeScalarView()
        for i in 0..<max(0, count) {
            s.append(Unicode.Scalar(UInt32(bitPattern: p[i])) ?? "\u{FFFD}")
        }
        return String(s)
    }
}

extension String {
    fileprivate func withWideCString<R>(_ body: (UnsafePointer<wchar_t>) -> R) -> R {
        LineEditor.wide(self).withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}

// C callbacks (no captures): find the LineEditor through EL_CLIENTDATA.

private func editor(_ el: OpaquePointer?) -> LineEditor? {
    guard let el, let data = cle_get_clientdata(el) else { return nil }
    return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue()
}

private let lineEditorPromptCallback: @convention(c) (OpaquePointer?) -> UnsafeMutablePointer<wchar_t>? = { el in
    editor(el)?.promptPointer
}

private let lineEditorCompleteCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { el, _ in
    editor(el)?.complete() ?? UInt8(CC_ERROR)
}

// MARK: - Combining marks

extension LineEditor {
    /// A combining mark was typed (the reader stashed it): libedit's screen
    /// model holds one character a cell and would show the base without the
    /// mark, so the mark is joined with the character before the cursor into
    /// its precomposed form (NFC: e + U+0301 → é). A mark with no precomposed
    /// form is refused with a beep: the line would run with a mark the screen
    /// does not show.
    fileprivate func composeMark() -> UInt8 {
        let mark = cle_take_pending_mark()
        guard let scalar = Unicode.Scalar(UInt32(bitPattern: mark)) else { return UInt8(CC_NORM) }
        let (text, cursor) = currentLine()
        if cursor > 0 {
            var pair = String.UnicodeScalarView()
            pair.append(text[cursor - 1])
            pair.append(scalar)
            let composed = Array(String(pair).precomposedStringWithCanonicalMapping.unicodeScalars)
            if composed.count == 1 {
                el_deletestr(el, 1)
                _ = String(composed[0]).withWideCString { el_winsertstr(el, $0) }
                return UInt8(CC_REFRESH)
            }
        }
        return UInt8(CC_ERROR)   // beep: it could not be shown, so it is not taken
    }
}

private let lineEditorComposeMarkCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { el, _ in
    editor(el)?.composeMark() ?? UInt8(CC_NORM)
}

// MARK: - Incremental history search (Ctrl-R, Ctrl-S)
//
// libedit's own search (em-inc-search-prev, search.c: ce_inc_search) looks
// each typed key up in the key map by its low byte, so 餐 (U+9910) acts as ^P
// and the recalled line is not the one shown. This one reads whole
// characters with el_wgetc and redraws through libedit after every key: the
// step function draws (returns CC_REDISPLAY) and pushes the step key
// (el_wpush) so that libedit calls it again for the next key.

/// State of one incremental search.
struct HistorySearch {
    var backward: Bool
    /// History entries, oldest first, as libedit holds them (Unicode scalars).
    var entries: [[Unicode.Scalar]]
    var pattern: [Unicode.Scalar] = []
    /// The entry shown, and where in it the pattern was found.
    var match: (entry: Int, offset: Int)?
    var failed = false
    /// The line and cursor before the search (restored by ^G).
    var original: (text: [Unicode.Scalar], cursor: Int)
    /// States before each typed character, ^R and ^S (Backspace goes back to them).
    var undo: [(pattern: [Unicode.Scalar], match: (entry: Int, offset: Int)?, failed: Bool)] = []

    /// Offset of `pattern` in `text`: the last occurrence when searching
    /// backward, the first forward; nil when absent.
    static func find(_ pattern: [Unicode.Scalar], in text: [Unicode.Scalar], last: Bool) -> Int? {
        guard pattern.count <= text.count else { return nil }
        if pattern.isEmpty { return last ? text.count : 0 }
        let starts = Array(0...(text.count - pattern.count))
        for start in (last ? starts.reversed() : starts) where text[start..<(start + pattern.count)].elementsEqual(pattern) {
            return start
        }
        return nil
    }

    /// The next entry holding the pattern, from entry `from` (inclusive) in the search's direction.
    func next(from: Int) -> (entry: Int, offset: Int)? {
        var i = from
        while i >= 0 && i < entries.count {
            if let offset = HistorySearch.find(pattern, in: entries[i], last: backward) { return (i, offset) }
            i += backward ? -1 : 1
        }
        return nil
    }

    var prompt: String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: pattern)
        return "(\(failed ? "failed " : "")\(backward ? "reverse-" : "")i-search)`\(String(s))': "
    }

    /// What the line shows: the matching entry, else the line before the search.
    var shown: (text: [Unicode.Scalar], cursor: Int) {
        guard let match else { return original }
        return (entries[match.entry], match.offset)
    }
}


extension LineEditor {
    fileprivate func startSearch(backward: Bool) -> UInt8 {
        let entries = historyEntries.map { Array($0.unicodeScalars) }
        search = HistorySearch(backward: backward, entries: entries, original: currentLine())
        return drawSearch()
    }

    /// Shows the search's prompt and line, and arranges to be called for the next key.
    private func drawSearch() -> UInt8 {
        guard let s = search else { return UInt8(CC_NORM) }
        setPrompt(s.prompt)
        let shown = s.shown
        replaceLine(with: shown.text, cursor: shown.cursor)
        let key = LineEditor.wide(String(LineEditor.searchStepKey))
        key.withUnsafeBufferPointer { el_wpush(el, $0.baseAddress!) }
        return UInt8(CC_REDISPLAY)
    }

    /// Ends the search: the line shows `line` after the normal prompt; `pushBack`
    /// is handed to libedit as the next key.
    private func endSearch(line: (text: [Unicode.Scalar], cursor: Int), pushBack: Unicode.Scalar?) -> UInt8 {
        if let s = search, !s.pattern.isEmpty { lastSearchPattern = s.pattern }
        search = nil
        setPrompt(prompt)
        replaceLine(with: line.text, cursor: line.cursor)
        if let pushBack {
            let key = LineEditor.wide(String(pushBack))
            key.withUnsafeBufferPointer { el_wpush(el, $0.baseAddress!) }
        }
        return UInt8(CC_REDISPLAY)
    }

    /// One key of the search, read here with el_wgetc (whole characters).
    fileprivate func searchStep() -> UInt8 {
        guard var s = search else { return UInt8(CC_NORM) }   // ^] typed outside a search: ignored
        var ch: wchar_t = 0
        guard el_wgetc(el, &ch) == 1, let key = Unicode.Scalar(UInt32(bitPattern: ch)) else {
            return endSearch(line: s.original, pushBack: nil)   // Ctrl-C or end of input
        }
        switch key.value {
        case 0x12, 0x13:   // ^R, ^S: the next match in that direction
            let backward = key.value == 0x12
            s.undo.append((s.pattern, s.match, s.failed))
            if s.pattern.isEmpty && !lastSearchPattern.isEmpty {
                s.pattern = lastSearchPattern
                s.backward = backward
                s.match = s.next(from: backward ? s.entries.count - 1 : 0)
                s.failed = s.match == nil
            } else if !s.pattern.isEmpty {
                let from = s.match.map { $0.entry + (backward ? -1 : 1) } ?? (backward ? s.entries.count - 1 : 0)
                s.backward = backward
                if let m = s.next(from: from) { s.match = m; s.failed = false } else { s.failed = true }
            } else {
                s.backward = backward
            }
        case 0x7F, 0x08:   // Backspace: back to the state before the last key (a character, ^R or ^S)
            if let previous = s.undo.popLast() {
                s.pattern = previous.pattern
                s.match = previous.match
                s.failed = previous.failed
            }
        case 0x07:         // ^G: give up, the line as before
            return endSearch(line: s.original, pushBack: nil)
        case 0x0D, 0x0A:   // Enter: run the line shown
            return endSearch(line: s.shown, pushBack: "\r")
        case 0x20..<0x7F, 0xA0...:
            s.undo.append((s.pattern, s.match, s.failed))
            s.pattern.append(key)
            let from = s.match?.entry ?? (s.backward ? s.entries.count - 1 : 0)
            if !s.failed, let m = s.next(from: from) { s.match = m } else { s.failed = true }
        default:           // any other key ends the search and does its usual work
            return endSearch(line: s.shown, pushBack: key)
        }
        search = s
        return drawSearch()
    }
}

private let lineEditorSearchBackwardCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { el, _ in
    editor(el)?.startSearch(backward: true) ?? UInt8(CC_ERROR)
}

private let lineEditorSearchForwardCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { el, _ in
    editor(el)?.startSearch(backward: false) ?? UInt8(CC_ERROR)
}

private let lineEditorSearchStepCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { el, _ in
    editor(el)?.searchStep() ?? UInt8(CC_NORM)
}
