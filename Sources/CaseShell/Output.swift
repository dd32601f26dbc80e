#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CaseStore
import CLibEdit

/// Where results go: standard output or a file set by `.output` / `--out` / `.once`. Writing into
/// a closed pipe (`caseql … | head -1`) ends the program quietly.
///
/// A file is written as `.export` writes one (SafeFileWriter): into a temporary file beside it,
/// renamed into place when output goes elsewhere or the session ends (`close`), so a failure (a
/// full disk) leaves the file that was there as it was and no partial file; a stream (a device,
/// a FIFO, /dev/stdout) is written in place. A file named .csv, .tsv, .json, .jsonl or .md gets
/// results in that format (`fileFormat`); a file named .xlsx collects each result as a sheet and
/// is written, as a workbook, when the output is switched or closed (`sheets`); a .txt file takes
/// the text of `.report` and `.check` (a query's result there is refused at its statement).
/// Any other name is refused (`FileFormat`); a stream gets results as `.mode` says.
public final class Output {
    private var file: UnsafeMutablePointer<FILE>
    /// The file target being written (nil: standard output, or a workbook waiting in `sheets`).
    private var writer: SafeFileWriter?
    /// Bytes for `writer` not yet written (written in pieces of `bufferSize`).
    private var buffer: [UInt8] = []
    private static let bufferSize = 1 << 16
    public private(set) var path: String?
    public private(set) var isTerminal: Bool
    /// The format the file's extension names; nil for standard output and a stream.
    public private(set) var fileFormat: FileFormat?
    /// The format results are written in to the file (nil for standard output, a stream —
    /// results then as `.mode` says —, a workbook and a .txt file).
    public var fileMode: OutputMode? { sheets == nil ? fileFormat?.outputMode : nil }
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

    /// Results (and reports, checks) sent to the file target: a file that got none is not written.
    public private(set) var results = 0
    /// Set for `.once`'s output: after a failure, output goes back where it went before, not
    /// to standard output.
    public var oneShot = false

    /// Counts a result (a report, a check) written to the file target.
    public func noteResult() { if path != nil { results += 1 } }

    /// Bytes of the file target already put in place by `publish` (0: none yet).
    private var published = 0

    /// Puts what the file target holds so far in place, and goes on writing to it (the
    /// interactive shell, after each statement: a closed terminal or a kill loses nothing).
    /// A workbook is rewritten with its sheets so far. Throws `ExportError`.
    public func publish(options: ExportOptions) throws {
        if sheets != nil { return try writeWorkbookNow(options: options) }
        guard let w = writer, w.placement == .renamed, bytesWritten > published, writeFailure == nil else { return }
        drain()
        guard writeFailure == nil else { return }
        do { try w.publish() } catch { throw ExportError(path: path ?? w.path, why: error.why) }
        published = bytesWritten
    }

    /// Whether the file target is a stream written in place (a device, a FIFO, /dev/stdout).
    public var isStream: Bool { writer?.placement == .inPlace }

    /// Sends output to a file, or back to stdout with nil. A file waiting for the previous
    /// target is put in place first (a workbook written with `options`).
    /// Throws `ShellError` (a name caseql does not write) or `ExportError` (a file that cannot
    /// be written, named in the words `.export` uses) before anything is changed.
    /// Returns what became of the previous file target (`close`).
    @discardableResult
    public func redirect(to newPath: String?, options: ExportOptions = ExportOptions()) throws -> WorkbookClosing? {
        // A name that gives no format caseql writes is refused before the old target is closed,
        // and so is a file that cannot be written (a missing folder, a folder, a link …).
        let format = try newPath.flatMap { try FileFormat.ofAny($0) }
        var opened: SafeFileWriter?
        if let p = newPath {
            do { opened = try SafeFileWriter(path: p) } catch { throw ExportError(path: p, why: error.why) }
        }
        let closing: WorkbookClosing?
        do { closing = try close(options: options) } catch { opened?.abandon(); throw error }
        guard let p = newPath, let opened else { return closing }
        if format == .xlsx {
            // The workbook is written whole at the end (Exporter.writeWorkbook); the writer
            // opened above only checked that it can be.
            opened.abandon()
            path = p; sheets = []; fileFormat = .xlsx
            return closing
        }
        writer = opened; path = p; isTerminal = false; bytesWritten = 0
        fileFormat = format
        return closing
    }

    /// Ends the current file target (putting it in place, or writing a waiting workbook) and
    /// goes back to stdout. Returns what became of a workbook target (nil for other targets).
    /// Throws `ExportError` when the file could not be written (it is then as it was before).
    @discardableResult
    public func close(options: ExportOptions = ExportOptions()) throws -> WorkbookClosing? {
        let target = path, pending = sheets, written = sheetsWritten
        if let w = writer {
            drain()
            let failed = writeFailure, count = results, empty = bytesWritten == 0, kept = published > 0
            reset()
            if let why = failed { w.abandon(); throw failure(target ?? w.path, why, w, published: kept) }
            // A file that got nothing is not made (nor an old one emptied); a stream is left.
            if empty && w.placement != .inPlace { w.abandon(); return WorkbookClosing(path: w.path, sheets: 0) }
            do { try w.commit() } catch { throw failure(target ?? w.path, error.why, w, published: kept) }
            // (A file that got only messages, no result, is written and needs no word.)
            return w.placement == .inPlace || count == 0 ? nil : WorkbookClosing(path: w.path, sheets: count)
        }
        reset()
        guard let target, let pending else { return nil }
        if !pending.isEmpty && written != pending.count {
            try Exporter.writeWorkbook(pending, to: target, options: options)
        }
        return WorkbookClosing(path: target, sheets: pending.count)
    }

    /// Ends the current file target without putting anything in place: a file keeps what it
    /// held before (`.once` whose result failed). A waiting workbook is dropped.
    public func abandon() {
        writer?.abandon()
        reset()
    }

    private func reset() {
        writer = nil; buffer.removeAll(); writeFailure = nil; results = 0; published = 0
        file = cle_stdout(); path = nil; isTerminal = isatty(STDOUT_FILENO) != 0
        fileFormat = nil; sheets = nil; bytesWritten = 0; sheetsWritten = 0
    }

    /// The error of a file that could not be written, saying that it is as it was (or that
    /// none was made) and, unless `oneShot`, that output goes to standard output again.
    private func failure(_ path: String, _ why: Message, _ w: SafeFileWriter, published: Bool) -> ExportError {
        guard w.placement != .inPlace else { return ExportError(path: path, why: why) }
        var note = published ? Message(en: "\(path) holds the results before this one", zh: "\(path) 保存了此前的结果")
                 : w.existed ? Message(en: "\(path) is as it was", zh: "\(path) 保持原样")
                             : Message(en: "no file was made", zh: "未生成文件")
        if !oneShot { note = note + Message(en: "; output goes to standard output again", zh: "；输出改回标准输出") }
        return ExportError(path: path, why: why + Message(en: " (", zh: "（") + note + Message(en: ")", zh: "）"))
    }

    /// Adds a result to the waiting workbook (one sheet each).
    /// Throws `ExportError` when it has more rows than a sheet holds: refused at its own
    /// statement, the sheets before it kept.
    public func addSheet(_ sheet: WorkbookSheet, headers: Bool) throws {
        guard sheets != nil, let path else { return }
        try XLSXExport.checkFits(sheet, headers: headers, path: path)
        sheets?.append(sheet)
    }

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
        if writer != nil {
            bytesWritten += bytes.count
            guard writeFailure == nil else { return }
            buffer.append(contentsOf: bytes)
            if buffer.count >= Output.bufferSize { drain() }
            return
        }
        let n = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        if n < bytes.count { failed() }
        bytesWritten += n
    }

    public func write(_ s: String) {
        write(bytes: Array(s.utf8))
    }

    /// Writes text caseql composed that may quote data (a message, `.schema`, `.show`, a
    /// parameter's value, a path the user typed): every control, bidi and zero-width character
    /// made visible (`Escape.lines`; line breaks and tabs kept), wherever it goes — a name in a
    /// file or a header must never retitle or clear the terminal. Results go through `write`.
    public func text(_ s: String) { write(Escape.lines(s)) }

    /// Writes a confirmation or note (`Session.say`): to the screen when results go to a file
    /// (`.output x.csv` gets results only: a `wrote … to y.csv` line in it would be a row of
    /// the data), else as `text`.
    public func note(_ s: String) {
        guard path != nil else { return text(s) }
        fflush(nil)
        fputs(Escape.lines(s), cle_stdout())
    }

    /// Writes what is buffered to the file target (and the file to the disk's cache).
    public func flush() {
        if writer != nil { drain(); return }
        if fflush(file) != 0 { failed() }
    }

    /// Writes the buffer to the file target; the first failure is kept for `checkWritten`.
    private func drain() {
        guard let w = writer, !buffer.isEmpty else { return }
        defer { buffer.removeAll(keepingCapacity: true) }
        guard writeFailure == nil else { return }
        do throws(FileWriteError) { try w.write(buffer) } catch { writeFailure = error.why }
    }

    /// Why the first failed write to the file target failed (a full disk).
    private var writeFailure: Message?

    /// A write to standard output that failed: the end (quietly for a closed pipe).
    private func failed() {
        if errno == EPIPE { exit(0) }
        fputs("caseql: cannot write output: \(SafeFileWriter.errorMessage(errno).en)\n", cle_stderr())
        exit(1)
    }

    /// Flushes, then, when a write to the file target failed, drops the file (what was there
    /// before stays as it was), goes back to standard output and throws `ExportError`: the
    /// statement that wrote it fails and the shell goes on.
    public func checkWritten() throws {
        guard let w = writer else { return }
        drain()
        guard let why = writeFailure else { return }
        let target = path ?? w.path, kept = published > 0
        abandon()
        throw failure(target, why, w, published: kept)
    }
}

/// What closing a file output target did: its path and the results it got (a workbook's sheets;
/// 0: nothing was sent to it, so no file was written).
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
