// The one place a file name's extension becomes the format caseql writes it in: `.export`,
// `--out`, `.output`, `.once` and `.report/.check --out` all ask here, before anything is written.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CaseStore

/// A format of a file caseql writes, named by the file's extension.
public enum FileFormat: String, CaseIterable, Sendable {
    case csv, tsv, json, jsonl, markdown, xlsx
    /// Plain text: the text `.report` and `.check` print (never a query's box table).
    case text

    /// What is being written, which decides the formats it can take.
    public enum Content: Sendable {
        /// A query's result (`.export`, `--out`, `.output`, `.once`): CSV, TSV, JSON, JSON Lines,
        /// Markdown or a workbook.
        case result
        /// `.report` or `.check`: text, Markdown, CSV or a workbook.
        case office

        var formats: [FileFormat] {
            switch self {
            case .result: return [.csv, .tsv, .json, .jsonl, .markdown, .xlsx]
            case .office: return [.text, .markdown, .csv, .xlsx]
            }
        }
    }

    /// Every extension caseql writes, lowercased, with its format (the first is the one named
    /// in messages).
    public static let extensions: [(ext: String, format: FileFormat)] = [
        ("csv", .csv), ("tsv", .tsv), ("tab", .tsv), ("json", .json), ("jsonl", .jsonl), ("ndjson", .jsonl),
        ("md", .markdown), ("markdown", .markdown), ("xlsx", .xlsx), ("txt", .text),
    ]

    /// The extension messages name for this format (`csv`, `md`, `txt` …).
    public var mainExtension: String { FileFormat.extensions.first { $0.format == self }!.ext }

    /// The result mode that writes this format as text (nil for a workbook and for text).
    public var outputMode: OutputMode? {
        switch self {
        case .csv: return .csv
        case .tsv: return .tsv
        case .json: return .json
        case .jsonl: return .jsonl
        case .markdown: return .markdown
        case .xlsx, .text: return nil
        }
    }

    /// The format a result mode writes (nil for the terminal's table, bars and lines).
    public init?(mode: OutputMode) {
        switch mode {
        case .csv: self = .csv
        case .tsv: self = .tsv
        case .json: self = .json
        case .jsonl: self = .jsonl
        case .markdown: self = .markdown
        case .table, .bar, .line: return nil
        }
    }

    /// The file format of a `.report`/`.check` format.
    public static func office(_ format: OfficeFormat) -> FileFormat {
        switch format {
        case .text: return .text
        case .markdown: return .markdown
        case .csv: return .csv
        }
    }

    /// The `.report`/`.check` format that writes this file format as text (nil for a workbook
    /// and for formats a report has not).
    public var officeFormat: OfficeFormat? {
        switch self {
        case .text: return .text
        case .markdown: return .markdown
        case .csv: return .csv
        case .tsv, .json, .jsonl, .xlsx: return nil
        }
    }

    /// A file name's extension, lowercased ("" when it has none; a leading dot is a hidden
    /// file's name, not an extension).
    public static func fileExtension(_ path: String) -> String {
        let base = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        guard let dot = base.lastIndex(of: "."), dot != base.startIndex else { return "" }
        return base[base.index(after: dot)...].lowercased()
    }

    /// The format `path`'s extension names, or nil when it names none.
    public static func named(by path: String) -> FileFormat? {
        let ext = fileExtension(path)
        return extensions.first { $0.ext == ext }?.format
    }

    /// True when `path` is a stream: written in place, with no extension to go by
    /// (`SafeFileWriter.isStream`: /dev/stdout and the other open descriptors by name, a
    /// character device, a FIFO).
    public static func isStream(_ path: String) -> Bool { SafeFileWriter.isStream(path) }

    /// The format to write `content` to `path` in, from its extension; nil for a device, a FIFO
    /// or a folder (which the writer then refuses) without a known extension (the caller's default applies: CSV for `.export`, the
    /// `.mode` for `.output`, text for a report).
    /// Throws `ShellError` — before anything is written — for .xls (caseql writes .xlsx), and
    /// for an extension that names no format `content` can be written in.
    public static func of(_ path: String, for content: Content) throws -> FileFormat? {
        let ext = fileExtension(path)
        if ext == "xls" {
            throw ShellError(en: "caseql writes .xlsx, not the old .xls: name the file \(renamed(path, "xlsx"))",
                             zh: "caseql 写出 .xlsx，不写旧的 .xls：请把文件名改为 \(renamed(path, "xlsx"))")
        }
        let format = named(by: path)
        if let format, content.formats.contains(format) { return format }
        if format == nil && isStream(path) { return nil }
        // A folder is named as such by the writer (SafeFileWriter: "is a folder").
        var st = stat()
        if format == nil && stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR { return nil }
        let list = content.formats.map { "." + $0.mainExtension }
        let en = list.dropLast().joined(separator: ", ") + " or " + list.last!
        let zh = list.joined(separator: "、")
        let what = content == .result ? Message(en: "a result", zh: "查询结果") : Message(en: "a report or check", zh: "报告与检查")
        if format == .text {
            throw ShellError(en: "\(path): .txt is for .report and .check; \(what.en) is written as \(en)",
                             zh: "\(path)：.txt 只用于 .report 与 .check；\(what.zh)可写为 \(zh)")
        }
        if format != nil {
            throw ShellError(en: "\(path): \(what.en) is not written as .\(ext); it is written as \(en)",
                             zh: "\(path)：\(what.zh)不能写为 .\(ext)，可写为 \(zh)")
        }
        let shown = ext.isEmpty ? Message(en: "\(path) has no extension", zh: "\(path) 没有扩展名")
                                : Message(en: "\(path): .\(ext) is not a format caseql writes", zh: "\(path)：.\(ext) 不是 caseql 能写的格式")
        throw ShellError(en: "\(shown.en); \(what.en) is written as \(en), chosen by the extension",
                         zh: "\(shown.zh)；\(what.zh)按扩展名写为 \(zh)")
    }

    /// The format to write `path` in when what goes there is known only later (`.once`,
    /// `.output`, `--out`): a name a result takes, or one a report or check takes (.txt); what
    /// is then written there is refused at its own statement if it cannot be written so.
    /// Throws as `of(_:for: .result)` does when neither takes the name.
    public static func ofAny(_ path: String) throws -> FileFormat? {
        do { return try of(path, for: .result) } catch {
            guard let office = try? of(path, for: .office) else { throw error }
            return office
        }
    }

    /// `path` with its extension replaced (or added).
    static func renamed(_ path: String, _ ext: String) -> String {
        let old = fileExtension(path)
        return old.isEmpty ? path + "." + ext : String(path.dropLast(old.count)) + ext
    }
}
