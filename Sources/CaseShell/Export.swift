// Export: result sets written to files atomically (SafeFileWriter: a temporary file beside the
// target, then rename(2)), as CSV, TSV, JSON, JSON Lines or Markdown chosen by the file extension.

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
}

/// Why an export failed; the target file, if it existed, is untouched.
public struct ExportError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    /// e.g. `cannot write /nope/x.csv: no such folder /nope`
    public var description: String { FileWriteError(path: path, reason: reason).description }
}

public enum Exporter {
    /// Writes CSV to `path` (atomically); returns the number of data rows written.
    @discardableResult
    public static func writeCSV(_ result: ResultSet, to path: String, options: ExportOptions = ExportOptions()) throws -> Int {
        try write(result, to: path, mode: .csv, options: options)
    }

    /// Writes `result` in the format the extension names: .csv, .tsv/.tab, .json, .jsonl/.ndjson,
    /// .md/.markdown; anything else is CSV. Returns the number of data rows written.
    @discardableResult
    public static func write(_ result: ResultSet, to path: String, options: ExportOptions = ExportOptions()) throws -> Int {
        try write(result, to: path, mode: mode(forPath: path), options: options)
    }

    /// The output format for a file name, by its extension (CSV when unknown).
    public static func mode(forPath path: String) -> OutputMode {
        let base = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        guard let dot = base.lastIndex(of: "."), dot != base.startIndex else { return .csv }
        switch base[base.index(after: dot)...].lowercased() {
        case "tsv", "tab": return .tsv
        case "json": return .json
        case "jsonl", "ndjson": return .jsonl
        case "md", "markdown": return .markdown
        default: return .csv
        }
    }

    /// Writes `result` as `mode` to `path` atomically.
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
        func fail(_ reason: String) -> ExportError { ExportError(path: path, reason: reason) }
        // The file is opened, placed and cleaned up by SafeFileWriter (temporary file and
        // rename, devices and FIFOs in place, no links followed, removed on a signal).
        let file: SafeFileWriter
        do {
            file = try SafeFileWriter(path: path, writeFunction: writeFD)
        } catch {
            throw fail(error.reason)
        }
        func writeAll(_ bytes: [UInt8]) throws {
            do { try file.write(bytes) } catch { throw fail(error.reason) }
        }

        let textual = mode == .csv || mode == .tsv
        let gb = options.encoding == .gb18030
        if textual && options.bom && !gb { try writeAll([0xEF, 0xBB, 0xBF]) }
        let settings = Renderer.StreamSettings(
            mode: mode == .table || mode == .bar ? .markdown : mode, headers: options.headers,
            chineseHeaders: options.chineseHeaders,
            formulaGuard: textual && options.formulaGuard, crlf: textual && options.crlf)
        try Renderer.streamBytes(result, settings) { chunk in
            if gb {
                guard let converted = chunk.withUnsafeBufferPointer({ Transcode.utf8ToGB18030($0) }) else {
                    throw fail("text that cannot be written as GB18030")
                }
                try writeAll(converted)
            } else {
                try writeAll(chunk)
            }
        }
        do { try file.commit() } catch { throw fail(error.reason) }
        return result.rowCount
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
