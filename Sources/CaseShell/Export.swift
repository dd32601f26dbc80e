// Export: result sets written to files atomically (a temporary file beside the target, then
// rename(2)), as CSV, TSV, JSON, JSON Lines or Markdown chosen by the file extension.

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
    public var description: String { "cannot write \(path): \(reason)" }
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
                      writeFD: (Int32, UnsafeRawBufferPointer) -> Int) throws -> Int {
        func fail(_ reason: String) -> ExportError { ExportError(path: path, reason: reason) }
        guard !path.isEmpty else { throw fail("empty file name") }
        if path.hasSuffix("/") { throw fail("is a folder") }

        // The folder must exist and be a folder.
        let slash = path.lastIndex(of: "/")
        let folder: String = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let base: String = slash.map { String(path[path.index(after: $0)...]) } ?? path
        var st = stat()
        if stat(folder, &st) != 0 {
            let e = errno
            if e == ENOENT { throw fail("no such folder \(folder)") }
            if e == ENOTDIR { throw fail("\(folder) is not a folder") }
            throw fail("cannot reach \(folder): \(errorText(e))")
        }
        if st.st_mode & S_IFMT != S_IFDIR { throw fail("\(folder) is not a folder") }
        var target = stat()
        let targetExists = stat(path, &target) == 0
        if targetExists && target.st_mode & S_IFMT == S_IFDIR { throw fail("is a folder") }

        // The temporary file, beside the target so rename(2) is atomic.
        let tmp = (folder == "/" ? "" : folder) + "/." + base + ".tmp-\(getpid())-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        if fd < 0 {
            let e = errno
            switch e {
            case EACCES, EPERM: throw fail("permission denied in \(folder)")
            case EROFS: throw fail("\(folder) is on a read-only file system")
            case ENOENT: throw fail("no such folder \(folder)")
            case ENOTDIR: throw fail("\(folder) is not a folder")
            default: throw fail(errorText(e))
            }
        }
        var fdOpen = true
        var renamed = false
        defer {
            if fdOpen { close(fd) }
            if !renamed { unlink(tmp) }
        }
        // Keep the permissions of a file being replaced.
        if targetExists { _ = fchmod(fd, target.st_mode & 0o7777) }

        func writeAll(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = writeFD(fd, UnsafeRawBufferPointer(rebasing: raw[offset...]))
                    if n < 0 {
                        let e = errno
                        if e == EINTR { continue }
                        throw fail(e == ENOSPC ? "disk full" : errorText(e))
                    }
                    if n == 0 { throw fail("short write (disk full?)") }
                    offset += n
                }
            }
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
        if fsync(fd) != 0 {
            let e = errno
            if e != EINVAL && e != EROFS { throw fail(errorText(e)) }
        }
        fdOpen = false
        if close(fd) != 0 { throw fail(errorText(errno)) }
        if rename(tmp, path) != 0 { throw fail(errorText(errno)) }
        renamed = true
        return result.rowCount
    }

    static func errorText(_ e: Int32) -> String {
        guard let s = strerror(e) else { return "error \(e)" }
        return String(cString: s).lowercased()
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
