// Export: result sets written to files atomically (SafeFileWriter: a temporary file beside the
// target, then rename(2)), as CSV, TSV, JSON, JSON Lines, Markdown or an .xlsx workbook chosen by
// the file extension (FileFormat).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CaseStore
import CaseQuery

/// How exports are written.
///
/// The defaults are the ones that open cleanly in Excel and WPS on Chinese Windows: UTF-8 with a
/// byte-order mark (without it Excel reads the file as GBK and garbles the Chinese), CRLF line
/// ends, and the formula guard on (a cell such as `=HYPERLINK(…)` or `-1+1` from case text is
/// written as `'=HYPERLINK(…)` so the spreadsheet shows it instead of running it).
/// Choose `.gb18030` for old tools that cannot read UTF-8; GB18030 files get no BOM.
/// `bom` and `crlf` apply to CSV and TSV; JSON, JSON Lines and Markdown are always UTF-8-or-GB18030
/// text with LF line ends and no BOM (RFC 8259 forbids one in JSON); the guard applies to CSV
/// and TSV only.
public struct ExportOptions {
    public var bom = true
    public var crlf = true
    public var encoding: TextEncoding = .utf8
    public var formulaGuard = true
    public var headers = true
    public var chineseHeaders = false
    public init() {}
    /// The CSV settings for a file.
    public var csv: CSVSettings { CSVSettings(bom: bom, crlf: crlf, formulaGuard: formulaGuard, encoding: encoding) }
    /// The CSV settings for standard output and other streams (a pipe, a device): no BOM, LF,
    /// UTF-8, the formula guard as `.csv guard` says (the one guard setting of every CSV and TSV
    /// caseql writes).
    public var streamCSV: CSVSettings { CSVSettings(bom: false, crlf: false, formulaGuard: formulaGuard, encoding: .utf8) }
    /// These options for a stream: `streamCSV`'s BOM, line ends and encoding.
    public var forStream: ExportOptions {
        var o = self
        o.bom = false; o.crlf = false; o.encoding = .utf8
        return o
    }
}

/// Why an export failed; the target file, if it existed, is untouched.
/// Its reason is written in both languages; two errors are equal when they say the same in English.
public struct ExportError: Error, CustomStringConvertible, Equatable, Bilingual {
    public var path: String
    public var why: Message
    public init(path: String, why: Message) { self.path = path; self.why = why }
    public init(path: String, reason: String) { self.init(path: path, why: .same(reason)) }
    /// The English reason.
    public var reason: String { why.en }
    /// e.g. `cannot write /nope/x.csv: no such folder /nope`
    public var description: String { text(chinese: false) }
    /// e.g. `无法写入 /nope/x.csv：没有文件夹 /nope` under `.labels on`.
    public func text(chinese: Bool) -> String { FileWriteError(path: path, why: why).text(chinese: chinese) }
    public static func == (a: ExportError, b: ExportError) -> Bool { a.path == b.path && a.why.en == b.why.en }
}

public enum Exporter {
    /// Writes CSV to `path` (atomically); returns the number of data rows written.
    @discardableResult
    public static func writeCSV(_ result: ResultSet, to path: String, options: ExportOptions = ExportOptions()) throws -> Int {
        try write(result, to: path, mode: .csv, options: options)
    }

    /// Writes `result` in the format the extension names (`FileFormat`): .csv, .tsv, .json,
    /// .jsonl, .md or .xlsx; CSV into a device or FIFO. Returns the number of data rows written.
    /// Throws `ShellError`, before anything is written, for an extension that names no format
    /// (.xls, .txt, none), and `ExportError` when the file cannot be written.
    @discardableResult
    public static func write(_ result: ResultSet, to path: String, options: ExportOptions = ExportOptions()) throws -> Int {
        let format = try FileFormat.of(path, for: .result) ?? .csv
        if format == .xlsx {
            let sheet = WorkbookSheet(name: resultSheetName(chinese: options.chineseHeaders), result: result)
            return try writeWorkbook([sheet], to: path, options: options)
        }
        return try write(result, to: path, mode: format.outputMode ?? .csv, options: options)
    }

    /// Writes sheets as one .xlsx workbook to `path` atomically; returns the data rows written.
    /// libxlsxwriter writes the workbook into a private temporary folder; its bytes then go to
    /// `path` through SafeFileWriter like every other file. Throws `ExportError` (nothing is
    /// left behind) when a sheet has more rows than Excel holds or the file cannot be written.
    @discardableResult
    public static func writeWorkbook(_ sheets: [WorkbookSheet], to path: String, options: ExportOptions = ExportOptions()) throws -> Int {
        func fail(_ why: Message) -> ExportError { ExportError(path: path, why: why) }
        // Checked before anything is made: a target caseql would refuse anyway.
        let file: SafeFileWriter
        do { file = try SafeFileWriter(path: path) } catch { throw fail(error.why) }
        var committed = false
        defer { if !committed { file.abandon() } }
        let tmpdir = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((tmpdir + "/caseql-xlsx-XXXXXX").utf8CString)
        guard let dir = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }).map({ String(cString: $0) }) else {
            throw fail(Message(en: "cannot make a temporary folder: ", zh: "无法建立临时文件夹：") + SafeFileWriter.errorMessage(errno))
        }
        let book = dir + "/book.xlsx"
        defer { unlink(book); rmdir(dir) }
        let rows = try XLSXExport.write(sheets, to: book, finalPath: path, headers: options.headers, chineseHeaders: options.chineseHeaders)
        guard let input = fopen(book, "rb") else {
            throw fail(Message(en: "cannot read the workbook back: ", zh: "无法读回工作簿：") + SafeFileWriter.errorMessage(errno))
        }
        defer { fclose(input) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, input) }
            if n == 0 { break }
            do throws(FileWriteError) { try file.write(Array(chunk[0..<n])) } catch { throw fail(error.why) }
        }
        do { try file.commit() } catch { throw fail(error.why) }
        committed = true
        return rows
    }

    /// The name of the one sheet a query's result is written to.
    public static func resultSheetName(chinese: Bool) -> String { chinese ? "查询结果" : "result" }

    /// Writes `result` as `mode` (a text format) to `path` atomically, whatever its extension.
    @discardableResult
    public static func write(_ result: ResultSet, to path: String, mode: OutputMode,
                             options: ExportOptions = ExportOptions()) throws -> Int {
        try write(result, to: path, mode: mode, options: options, writeFD: { fd, p in
            Glibc_write(fd, p.baseAddress, p.count)
        })
    }

    /// The implementation, with the write(2) call injectable so tests can simulate a full disk.
    static func write(_ result: ResultSet, to path: String, mode: OutputMode, options: ExportOptions,
                      writeFD: @escaping (Int32, UnsafeRawBufferPointer) -> Int) throws -> Int {
        func fail(_ why: Message) -> ExportError { ExportError(path: path, why: why) }
        // The file is opened, placed and cleaned up by SafeFileWriter (temporary file and
        // rename, devices and FIFOs in place, no links followed, removed on a signal).
        let file: SafeFileWriter
        do {
            file = try SafeFileWriter(path: path, writeFunction: writeFD)
        } catch {
            throw fail(error.why)
        }
        func writeAll(_ bytes: [UInt8]) throws {
            do { try file.write(bytes) } catch { throw fail(error.why) }
        }

        // A stream (/dev/stdout, a pipe) gets what standard output gets: no BOM, LF.
        try writeText(result, mode: mode, options: file.placement == .inPlace ? options.forStream : options, path: path, writeAll: writeAll)
        do { try file.commit() } catch { throw fail(error.why) }
        return result.rowCount
    }

    /// Writes `result` as text (`mode`) through `writeAll`, in the encoding, line ends, BOM and
    /// formula guard of `options`.
    static func writeText(_ result: ResultSet, mode: OutputMode, options: ExportOptions, path: String,
                          writeAll: ([UInt8]) throws -> Void) throws {
        let textual = mode == .csv || mode == .tsv
        let gb = options.encoding == .gb18030
        if textual && options.bom && !gb { try writeAll([0xEF, 0xBB, 0xBF]) }
        let settings = Renderer.StreamSettings(
            mode: mode == .table || mode == .bar ? .markdown : mode, headers: options.headers,
            chineseHeaders: options.chineseHeaders,
            formulaGuard: textual && options.formulaGuard, crlf: textual && options.crlf)
        try Renderer.streamBytes(result, settings) { chunk in
            try writeAll(try encode(chunk, options, path: path))
        }
    }

    /// Writes a finished text (a report, a check) to `path` atomically; `csv`: it is CSV made with
    /// `options.csv` (a BOM is added when they ask for one). Returns the bytes written.
    @discardableResult
    public static func writeDocument(_ text: String, to path: String, csv: Bool, options: ExportOptions) throws -> Int {
        func fail(_ why: Message) -> ExportError { ExportError(path: path, why: why) }
        // A device or FIFO (/dev/stdout, a named pipe) is written in place (SafeFileWriter), as
        // standard output is: no BOM, LF (the text was made so), UTF-8.
        let file: SafeFileWriter
        do { file = try SafeFileWriter(path: path) } catch { throw fail(error.why) }
        let options = file.placement == .inPlace ? options.forStream : options
        let bytes: [UInt8]
        if csv {
            // The CSV file settings' one rule for the BOM and the encoding (rejects files use it too).
            guard let b = options.csv.fileBytes(Array(text.utf8)) else { throw fail(Exporter.notGB18030) }
            bytes = b
        } else {
            bytes = try encode(Array(text.utf8), options, path: path)
        }
        do throws(FileWriteError) { try file.write(bytes); try file.commit() } catch { file.abandon(); throw fail(error.why) }
        return bytes.count
    }

    static let notGB18030 = Message(en: "text that cannot be written as GB18030", zh: "有无法以 GB18030 写出的文字")

    /// UTF-8 bytes in the encoding of `options`.
    static func encode(_ chunk: [UInt8], _ options: ExportOptions, path: String) throws -> [UInt8] {
        guard options.encoding == .gb18030 else { return chunk }
        guard let converted = chunk.withUnsafeBufferPointer({ Transcode.utf8ToGB18030($0) }) else {
            throw ExportError(path: path, why: notGB18030)
        }
        return converted
    }
}

@inline(__always)
private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer?, _ n: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, p, n)
    #else
    return Darwin.write(fd, p, n)
    #endif
}
