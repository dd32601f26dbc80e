// LineEditor: interactive line input over libedit (wide-character API), with
// persistent history, TAB completion and Ctrl-C handling.
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

    private let el: OpaquePointer
    private let hist: OpaquePointer
    /// NUL-terminated wide prompt handed to libedit's prompt callback.
    private var promptBuffer: UnsafeMutablePointer<wchar_t>
    private var promptCapacity: Int

    /// Character libedit treats as "start/end of invisible text" in prompts:
    /// wrap ANSI escape sequences in it so they take no columns.
    public static let promptEscape: Character = "\u{1}"

    // MARK: - Life cycle

    public init?(programName: String, historyPath: String?, historySize: Int = 2000) {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { return nil }
        LineEditor.setUpLocale()

        guard let el = el_init(programName, stdin, stdout, stderr) else { return nil }
        guard let hist = history_winit() else {
            el_end(el)
            return nil
        }
        self.el = el
        self.hist = hist
        self.historyPath = historyPath
        self.historySize = max(1, historySize)
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
        _ = "caseql-complete".withWideCString { name in
            "Complete the word before the cursor".withWideCString { help in
                cle_add_fn(el, name, help, lineEditorCompleteCallback)
            }
        }
        _ = "^I".withWideCString { key in
            "caseql-complete".withWideCString { cle_bind(el, key, $0) }
        }

        if let path = historyPath, FileManager.default.fileExists(atPath: path) {
            _ = cle_hist_load(hist, path)
        }
        _ = cle_sigint_install()
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
        setPrompt(prompt)
        cle_sigint_clear()
        var count: Int32 = 0
        cle_winch_install()
        let raw = el_wgets(el, &count)
        cle_winch_restore()
        if cle_sigint_take() != 0 {
            // The line is discarded; leave the cursor on a fresh line below
            // it: re-print the text after the cursor (same glyphs, so the
            // screen does not change) to move past the end of the line.
            fputs(textAfterCursor() + "^C\n", stdout)
            fflush(stdout)
            return .interrupted
        }
        guard let raw, count > 0 else {
            if count < 0 && errno == EINTR {
                fputs("\n", stdout)
                fflush(stdout)
                return .interrupted
            }
            // Ctrl-D on an empty line (libedit echoed "^D"), or end of input.
            fputs("\n", stdout)
            fflush(stdout)
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

    /// Adds an entry (a repeat of the previous one is collapsed) and saves
    /// the history file right away.
    public func addHistory(_ entry: String) {
        guard !entry.allSatisfy({ $0.isWhitespace }) else { return }
        _ = entry.withWideCString { cle_hist_enter(hist, $0) }
        saveHistory()
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

    public func clearHistory() {
        _ = cle_hist_clear(hist)
        saveHistory()
    }

    /// Writes the history file atomically (temp file + rename), mode 0600,
    /// creating its folder (mode 0700) when missing.
    @discardableResult
    public func saveHistory() -> Bool {
        guard let path = historyPath else { return false }
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
            do {
                try FileManager.default.createDirectory(
                    atPath: dir, withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700])
            } catch {
                return false
            }
        }
        let tmp = path + ".tmp.\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if fd < 0 { return false }
        guard let fp = fdopen(fd, "w") else {
            close(fd)
            unlink(tmp)
            return false
        }
        let rc = cle_hist_save_fp(hist, fp)
        let flushed = fflush(fp) == 0 && fsync(fd) == 0
        fclose(fp)
        if rc < 0 || !flushed || rename(tmp, path) != 0 {
            unlink(tmp)
            return false
        }
        return true
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
            fputs(listing + "Display all \(candidates.count) possibilities? (y or n)", stdout)
            fflush(stdout)
            var c: UInt8 = 0
            let yes = read(STDIN_FILENO, &c, 1) == 1 && (c == UInt8(ascii: "y") || c == UInt8(ascii: "Y") || c == UInt8(ascii: " "))
            listing = "\n"
            if !yes {
                fputs(listing, stdout)
                fflush(stdout)
                return UInt8(CC_REDISPLAY)
            }
        }
        for row in rows {
            listing += row + "\n"
        }
        fputs(listing, stdout)
        fflush(stdout)
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
