#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CaseStore
import CLibEdit

/// Where results go: standard output or a file set by `.output` / `--out`. Writing into a closed
/// pipe (`caseql … | head -1`) ends the program quietly.
///
/// A file named .csv, .tsv, .json, .jsonl or .md gets results in that format, written as
/// `.export` writes them (`fileMode`); a file named .xlsx collects each result as a sheet and is
/// written, as a workbook, when the output is switched or closed (`sheets`); messages then go to
/// standard output. Any other name is refused (`FileFormat`), except a device or FIFO, which
/// gets results as `.mode` says.
public final class Output {
    private var file: UnsafeMutablePointer<FILE>
    public private(set) var path: String?
    public private(set) var isTerminal: Bool
    /// The format the file's extension names; nil for standard output, a device or a FIFO
    /// (results then as `.mode` says) and for a workbook (`sheets`).
    public private(set) var fileMode: OutputMode?
    /// Results waiting to be written to an .xlsx target.
    public private(set) var sheets: [WorkbookSheet]?
    /// Bytes written to the current file (a BOM goes only at its start).
    public private(set) var bytesWritten = 0

    public init() {
        file = cle_stdout()
        path = nil
        isTerminal = isatty(STDOUT_FILENO) != 0
        signal(SIGPIPE, SIG_IGN)
    }

    /// Sends output to a file (created or truncated), or back to stdout with nil. A workbook
    /// waiting for the previous target is written first, with `options`.
    /// Throws `ShellError` or `ExportError` when a file cannot be written.
    public func redirect(to newPath: String?, options: ExportOptions = ExportOptions()) throws {
        // A name that gives no format caseql writes is refused before the old target is closed.
        let format = try newPath.flatMap { try FileFormat.of($0, for: .result) }
        try close(options: options)
        guard let p = newPath else { return }
        if format == .xlsx {
            // Refused now rather than at the end: a folder that is not there or not writable.
            let folder = p.contains("/") ? String(p[..<p.lastIndex(of: "/")!]) : "."
            guard access(folder.isEmpty ? "/" : folder, W_OK) == 0 else {
                let reason = String(cString: strerror(errno))
                throw ShellError(en: "cannot write \(p): \(reason)", zh: "无法写入 \(p)：\(reason)")
            }
            path = p; sheets = []
            return
        }
        guard let f = fopen(p, "w") else {
            let reason = String(cString: strerror(errno))
            throw ShellError(en: "cannot write \(p): \(reason)", zh: "无法写入 \(p)：\(reason)")
        }
        file = f; path = p; isTerminal = false; bytesWritten = 0
        fileMode = format?.outputMode
    }

    /// Ends the current file target (writing a waiting workbook) and goes back to stdout.
    /// Returns what became of a workbook target (nil for other targets).
    @discardableResult
    public func close(options: ExportOptions = ExportOptions()) throws -> WorkbookClosing? {
        let target = path, pending = sheets, written = sheetsWritten
        if path != nil && sheets == nil { fclose(file) }
        file = cle_stdout(); path = nil; isTerminal = isatty(STDOUT_FILENO) != 0
        fileMode = nil; sheets = nil; bytesWritten = 0; sheetsWritten = 0
        guard let target, let pending else { return nil }
        if !pending.isEmpty && written != pending.count {
            try Exporter.writeWorkbook(pending, to: target, options: options)
        }
        return WorkbookClosing(path: target, sheets: pending.count)
    }

    /// Adds a result to the waiting workbook (one sheet each).
    public func addSheet(_ sheet: WorkbookSheet) { sheets?.append(sheet) }

    /// Sheets of the waiting workbook already in its file (`writeWorkbookNow`).
    private var sheetsWritten = 0

    /// Writes the waiting workbook with every sheet it has so far (atomically, replacing the
    /// previous version), keeping it open for more: the interactive shell calls this after each
    /// result, so a closed terminal or a kill never loses one.
    public func writeWorkbookNow(options: ExportOptions) throws {
        guard let target = path, let pending = sheets, !pending.isEmpty, sheetsWritten != pending.count else { return }
        try Exporter.writeWorkbook(pending, to: target, options: options)
        sheetsWritten = pending.count
    }

    public func write(bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        let n = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        if n < bytes.count { failed() }
        bytesWritten += n
    }

    public func write(_ s: String) {
        var s = s
        s.withUTF8 { p in
            guard p.count > 0 else { return }
            let n = fwrite(p.baseAddress, 1, p.count, file)
            if n < p.count { failed() }
            bytesWritten += n
        }
    }

    /// Writes text caseql composed that may quote data (a message, `.schema`, `.show`, a
    /// parameter's value, a path the user typed): every control, bidi and zero-width character
    /// made visible (`Escape.lines`; line breaks and tabs kept), wherever it goes — a name in a
    /// file or a header must never retitle or clear the terminal. Results go through `write`.
    public func text(_ s: String) { write(Escape.lines(s)) }

    public func flush() { if fflush(file) != 0 { failed() } }

    /// Why the first failed write to the file since the last `checkWritten` failed.
    private var writeFailure: Message?

    /// A write that failed: to a file (`.output`, `.once`: a full disk), noted for
    /// `checkWritten`, so that the statement fails and the shell goes on; to standard output,
    /// the end (quietly for a closed pipe).
    private func failed() {
        if errno == EPIPE { exit(0) }
        if path != nil {
            if writeFailure == nil { writeFailure = SafeFileWriter.errorMessage(errno) }
            return
        }
        fputs("caseql: cannot write output: \(String(cString: strerror(errno)))\n", cle_stderr())
        exit(1)
    }

    /// Flushes, then throws `ExportError` when a write to the file failed since the last check.
    public func checkWritten() throws {
        if path != nil, fflush(file) != 0 { failed() }
        guard let why = writeFailure, let path else { return }
        writeFailure = nil
        throw ExportError(path: path, why: why)
    }
}

/// What closing an .xlsx output target did: the workbook's path and its sheets (0: nothing was
/// sent to it, so no file was written).
public struct WorkbookClosing: Equatable, Sendable {
    public var path: String
    public var sheets: Int
}

/// An error of the shell itself (a bad dot-command, a file that cannot be read).
/// Its message is written in both languages (`Message`); the shell prints the Chinese one
/// under `.labels on`.
public struct ShellError: Error, CustomStringConvertible, Bilingual {
    public var message: Message
    public init(_ message: Message) { self.message = message }
    public init(en: String, zh: String) { message = Message(en: en, zh: zh) }
    public var description: String { message.en }
    public func text(chinese: Bool) -> String { message.text(chinese: chinese) }
}

/// An error's text in the shell's language: Chinese under `.labels on` for an error that
/// knows both (`Bilingual`), else its description.
func errorText(_ error: Error, chinese: Bool) -> String {
    (error as? Bilingual)?.text(chinese: chinese) ?? "\(error)"
}

/// Writes a message to standard error, its control, bidi and zero-width characters made
/// visible (`Escape.lines`): a message quotes values from the data.
func printError(_ s: String) {
    let text = Escape.lines(s)
    fputs(text.hasSuffix("\n") ? text : text + "\n", cle_stderr())
}
