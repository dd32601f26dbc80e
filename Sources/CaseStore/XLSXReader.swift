// Reading .xlsx workbooks: the ZIP archive (central directory read here, members inflated with
// zlib as they stream), and each part's XML through libexpat, a real XML parser, so every
// producer's spelling is read the same: namespace prefixes (`x:c`, WPS and some .NET writers),
// shared and inline strings, rich-text runs, entities and character references, phonetic runs
// (ignored). A sheet becomes the rows of cells the loader takes (`SheetRows`), cell positions
// kept, so that an error names the sheet and the cell: `cases.xlsx:案件!M118`.

import CExpat
import CZlib
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A workbook could not be read (not a ZIP, a part missing, bad XML).
struct WorkbookError: Error, CustomStringConvertible {
    /// What is wrong, in both languages.
    var message: Message
    init(_ message: Message) { self.message = message }
    var description: String { message.en }
}

extension WorkbookError {
    /// A workbook cut short or damaged (`what` says where), and how to get a good copy.
    static func damaged(_ what: Message) -> WorkbookError {
        WorkbookError(what + Message(en: "; get a complete copy (download it or ask for it again, or open it in Excel or WPS and save it again) and load that",
                                     zh: "；请取得完整的副本（重新下载或重新索取，或用 Excel 或 WPS 打开后重新保存）再加载"))
    }
}

extension Message {
    /// No sheet of that name in the workbook.
    static func noSheet(_ name: String) -> Message { Message(en: "no sheet \(name)", zh: "没有工作表 \(name)") }
    /// `place` (a cell, a part) before the message, in both languages.
    func prefixed(_ place: String) -> Message { .same(place) + self }
}

/// The members of a ZIP archive held in memory (a mapped file), by name.
final class ZipArchive {
    struct Entry {
        var method: UInt16
        var compressedSize: Int
        var size: Int
        var localHeader: Int
    }
    let bytes: UnsafeBufferPointer<UInt8>
    /// Whether `bytes` are a file's pages mapped read-only (then the pages of a member already
    /// inflated are given back as it streams: they are read from the file again if needed).
    let mapped: Bool
    private(set) var entries: [String: Entry] = [:]

    /// Reads the central directory (ZIP64 included). Throws `WorkbookError` when it is not a ZIP.
    init(_ bytes: UnsafeBufferPointer<UInt8>, mapped: Bool = false) throws {
        self.bytes = bytes
        self.mapped = mapped
        let n = bytes.count
        func u16(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        func u64(_ o: Int) -> Int { u32(o) | u32(o + 4) << 32 }
        let zipStart = n >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 0x03 && bytes[3] == 0x04
        let truncated = WorkbookError.damaged(Message(en: "the workbook is truncated: it ends before its ZIP directory (an unfinished download or copy)",
                                                      zh: "工作簿不完整：文件在 ZIP 目录之前就结束了（下载或复制没有完成）"))
        guard n >= 22 else {
            if zipStart { throw truncated }
            throw WorkbookError(Message(en: "not an .xlsx workbook (too short for a ZIP archive)", zh: "不是 .xlsx 工作簿（作为 ZIP 压缩包太短）"))
        }
        var eocd = -1
        var i = n - 22
        while i >= max(0, n - 22 - 65_535) {
            if bytes[i] == 0x50 && bytes[i + 1] == 0x4B && bytes[i + 2] == 0x05 && bytes[i + 3] == 0x06 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else {
            // A ZIP's first member is there and its directory is not: the end of the file is missing.
            if zipStart { throw truncated }
            throw WorkbookError(Message(en: "not an .xlsx workbook (no ZIP directory; a legacy .xls or a renamed file?)", zh: "不是 .xlsx 工作簿（没有 ZIP 目录；是旧的 .xls 还是改了扩展名的文件？）"))
        }
        var count = u16(eocd + 10)
        var dirOffset = u32(eocd + 16)
        // ZIP64: the locator just before the end record points at the ZIP64 end record.
        if (count == 0xFFFF || dirOffset == 0xFFFF_FFFF), eocd >= 20, u32(eocd - 20) == 0x0706_4B50 {
            let rec = u64(eocd - 20 + 8)
            if rec + 56 <= n, u32(rec) == 0x0606_4B50 { count = u64(rec + 32); dirOffset = u64(rec + 48) }
        }
        var p = dirOffset
        for _ in 0..<count {
            guard p + 46 <= n, u32(p) == 0x0201_4B50 else {
                throw WorkbookError.damaged(Message(en: "the workbook is damaged: its ZIP directory is not where its end record says", zh: "工作簿已损坏：ZIP 目录不在其结尾记录所指的位置"))
            }
            let method = UInt16(u16(p + 10))
            var csize = u32(p + 20), usize = u32(p + 24)
            let nameLen = u16(p + 28), extraLen = u16(p + 30), commentLen = u16(p + 32)
            var local = u32(p + 42)
            guard p + 46 + nameLen + extraLen <= n else {
                throw WorkbookError.damaged(Message(en: "the workbook is truncated or damaged: its ZIP directory runs past the file's end", zh: "工作簿不完整或已损坏：ZIP 目录超出了文件末尾"))
            }
            // APPNOTE 4.4.17: names use forward slashes; some Windows exporters write backslashes.
            let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[(p + 46)..<(p + 46 + nameLen)]), as: UTF8.self)
                .replacingOccurrences(of: "\\", with: "/")
            // ZIP64 extra field: the sizes and offset that did not fit, in this order.
            var e = p + 46 + nameLen
            let extraEnd = e + extraLen
            while e + 4 <= extraEnd {
                let id = u16(e), len = u16(e + 2)
                if id == 1 {
                    var q = e + 4
                    if usize == 0xFFFF_FFFF, q + 8 <= e + 4 + len { usize = u64(q); q += 8 }
                    if csize == 0xFFFF_FFFF, q + 8 <= e + 4 + len { csize = u64(q); q += 8 }
                    if local == 0xFFFF_FFFF, q + 8 <= e + 4 + len { local = u64(q) }
                }
                e += 4 + len
            }
            entries[name] = Entry(method: method, compressedSize: csize, size: usize, localHeader: local)
            p += 46 + nameLen + extraLen + commentLen
        }
    }

    /// The member's name as stored, found case-insensitively (some writers differ in case).
    func find(_ name: String) -> String? {
        if entries[name] != nil { return name }
        let lower = name.lowercased()
        return entries.keys.first { $0.lowercased() == lower }
    }

    /// Streams the member's bytes, inflated, to `sink` in chunks. Throws `WorkbookError`.
    func read(_ name: String, _ sink: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        let member = try ZipMemberStream(self, name)
        let chunk = 1 << 18
        let out = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
        defer { out.deallocate() }
        while true {
            let n = try member.read(into: out, capacity: chunk)
            if n == 0 { break }
            try sink(UnsafeBufferPointer(start: out, count: n))
        }
    }

    /// The whole member as bytes.
    func data(_ name: String) throws -> [UInt8] {
        var out: [UInt8] = []
        try read(name) { out.append(contentsOf: $0) }
        return out
    }
}

/// One member of a `ZipArchive`, inflated on demand, a piece a call (stored members are copied).
final class ZipMemberStream {
    let name: String
    private let data: UnsafeBufferPointer<UInt8>
    private let deflated: Bool
    private var stream = z_stream()
    private var offset = 0
    private var ended = false
    /// For a mapped archive: the address up to which the compressed pages have been given back.
    private var releasedTo: Int?

    /// Throws `WorkbookError` when the member is missing, cut short or in a method other than
    /// stored (0) or deflate (8).
    init(_ archive: ZipArchive, _ name: String) throws {
        self.name = name
        guard let key = archive.find(name), let e = archive.entries[key] else { throw WorkbookError(Message(en: "the workbook has no \(name)", zh: "工作簿缺少 \(name)")) }
        let bytes = archive.bytes
        let h = e.localHeader
        guard h + 30 <= bytes.count else {
            throw WorkbookError.damaged(Message(en: "the workbook is truncated or damaged: its part \(name) lies past the file's end", zh: "工作簿不完整或已损坏：其部件 \(name) 超出了文件末尾"))
        }
        let nameLen = Int(bytes[h + 26]) | Int(bytes[h + 27]) << 8
        let extraLen = Int(bytes[h + 28]) | Int(bytes[h + 29]) << 8
        let start = h + 30 + nameLen + extraLen
        guard start + e.compressedSize <= bytes.count else {
            throw WorkbookError.damaged(Message(en: "the workbook is truncated: its part \(name) is cut short", zh: "工作簿不完整：其部件 \(name) 被截断"))
        }
        data = UnsafeBufferPointer(rebasing: bytes[start..<(start + e.compressedSize)])
        switch e.method {
        case 0:
            deflated = false
        case 8:
            deflated = true
            guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw WorkbookError(Message(en: "\(name): cannot inflate", zh: "\(name)：无法解压"))
            }
            stream.next_in = UnsafeMutablePointer(mutating: data.baseAddress)
            stream.avail_in = UInt32(data.count)
        default:
            throw WorkbookError(Message(en: "\(name): compressed with method \(e.method), which caseql does not read", zh: "\(name)：用压缩方法 \(e.method) 压缩，caseql 不能读取"))
        }
        if archive.mapped, let b = data.baseAddress {
            let page = Int(sysconf(Int32(_SC_PAGESIZE)))
            releasedTo = (Int(bitPattern: b) + page - 1) / page * page
        }
    }

    /// Gives back the whole pages of compressed bytes read so far, every 4 MiB (a mapped
    /// archive's only: a 1M-row sheet is 140 MB of them).
    private func release(read: Int) {
        guard let from = releasedTo, let b = data.baseAddress else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let to = (Int(bitPattern: b) + read) / page * page
        guard to - from >= 4 << 20 else { return }
        madvise(UnsafeMutableRawPointer(bitPattern: from), to - from, Int32(MADV_DONTNEED))
        releasedTo = to
    }

    deinit { if deflated { inflateEnd(&stream) } }

    /// Writes up to `capacity` (> 0) more bytes at `out`: how many, 0 once the member has ended.
    /// Throws `WorkbookError` when the deflated data is damaged or cut short.
    func read(into out: UnsafeMutablePointer<UInt8>, capacity: Int) throws -> Int {
        guard !ended else { return 0 }
        guard deflated else {
            let n = min(capacity, data.count - offset)
            if n > 0 { out.update(from: data.baseAddress! + offset, count: n) }
            offset += n
            if offset == data.count { ended = true }
            release(read: offset)
            return n
        }
        while true {
            stream.next_out = out
            stream.avail_out = UInt32(min(capacity, Int(UInt32.max)))
            let r = inflate(&stream, Z_NO_FLUSH)
            let produced = min(capacity, Int(UInt32.max)) - Int(stream.avail_out)
            release(read: data.count - Int(stream.avail_in))
            if r == Z_STREAM_END { ended = true; return produced }
            guard r == Z_OK else {
                throw WorkbookError.damaged(Message(en: "the workbook is damaged: its part \(name) cannot be inflated", zh: "工作簿已损坏：其部件 \(name) 无法解压"))
            }
            if produced > 0 { return produced }
            if stream.avail_in == 0 {
                throw WorkbookError.damaged(Message(en: "the workbook is truncated: its part \(name) is cut short", zh: "工作簿不完整：其部件 \(name) 被截断"))
            }
        }
    }
}

/// Names of elements and attributes as expat hands them (NUL-terminated UTF-8, maybe with a
/// `prefix:`), compared without building a String: the local name's bytes (after the last `:`)
/// packed little-endian into a number when it has at most eight bytes, else 0 (such names are
/// compared with `equals`).
enum XMLName {
    @inline(__always) static func key(_ p: UnsafePointer<CChar>) -> UInt64 {
        // A name of one byte (a sheet's `c`, `v`, `t` and its cells' `r`, `s`, `t`: most of them).
        let first = UInt8(bitPattern: p[0])
        if first != 0, first != 0x3A, p[1] == 0 { return UInt64(first) }
        var k: UInt64 = 0, i = 0, q = p
        while true {
            let b = UInt8(bitPattern: q.pointee)
            if b == 0 { break }
            if b == 0x3A { k = 0; i = 0 } else {
                if i < 8 { k |= UInt64(b) << UInt64(8 * i) }
                i += 1
            }
            q += 1
        }
        return i > 8 ? 0 : k
    }

    /// The key of a name written in the source (at most eight bytes).
    static func key(_ s: String) -> UInt64 {
        precondition(s.utf8.count <= 8)
        return s.utf8.enumerated().reduce(0) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) }
    }

    /// The local name (after any `prefix:`).
    static func local(_ p: UnsafePointer<CChar>) -> UnsafePointer<CChar> {
        var start = p, q = p
        while q.pointee != 0 { if q.pointee == 0x3A { start = q + 1 }; q += 1 }
        return start
    }

    /// Whether the local name is `s`.
    static func equals(_ p: UnsafePointer<CChar>, _ s: String) -> Bool {
        strcmp(local(p), s) == 0
    }

    /// The value of the attribute whose local name has `key`, if present.
    @inline(__always) static func attribute(_ attrs: UnsafeMutablePointer<UnsafePointer<CChar>?>?, _ key: UInt64) -> UnsafePointer<CChar>? {
        guard let attrs else { return nil }
        var i = 0
        while let name = attrs[i] {
            if XMLName.key(name) == key { return attrs[i + 1] }
            i += 2
        }
        return nil
    }

    /// The value of the attribute whose local name is `name` (any length), as a String.
    static func string(_ attrs: UnsafeMutablePointer<UnsafePointer<CChar>?>?, _ name: String) -> String? {
        guard let attrs else { return nil }
        var i = 0
        while let n = attrs[i] {
            if equals(n, name), let v = attrs[i + 1] { return String(cString: v) }
            i += 2
        }
        return nil
    }

    /// A decimal integer (no sign, no spaces), nil when it is not one.
    @inline(__always) static func int(_ p: UnsafePointer<CChar>?) -> Int? {
        guard var q = p, q.pointee != 0 else { return nil }
        var v = 0
        while q.pointee != 0 {
            let d = Int(q.pointee) - 48
            guard d >= 0 && d <= 9, v < Int.max / 10 - 9 else { return nil }
            v = v * 10 + d
            q += 1
        }
        return v
    }
}

/// What an XML part's reader does at each element's start and end; character data is gathered
/// in `text` while `capturing` is set.
class XMLHandler {
    typealias Attributes = UnsafeMutablePointer<UnsafePointer<CChar>?>?
    let text = ByteBuffer(capacity: 256)
    var capturing = false
    func start(_ key: UInt64, _ name: UnsafePointer<CChar>, _ attrs: Attributes) {}
    func end(_ key: UInt64, _ name: UnsafePointer<CChar>) {}
}

/// A handler made of two closures, for the small parts (workbook, relationships, styles).
final class ClosureHandler: XMLHandler {
    var onStart: (UInt64, UnsafePointer<CChar>, Attributes) -> Void = { _, _, _ in }
    var onEnd: (UInt64, UnsafePointer<CChar>) -> Void = { _, _ in }
    override func start(_ key: UInt64, _ name: UnsafePointer<CChar>, _ attrs: Attributes) { onStart(key, name, attrs) }
    override func end(_ key: UInt64, _ name: UnsafePointer<CChar>) { onEnd(key, name) }
}

/// Streams an XML document through expat to a handler.
final class XMLStream {
    private let parser: XML_Parser
    private let handler: XMLHandler

    init(_ handler: XMLHandler) {
        self.handler = handler
        parser = XML_ParserCreate("UTF-8")
        setHandlers()
    }

    /// Makes the parser ready for another document, to the same handler. Its input buffer is
    /// kept: a new parser for each block of a sheet grew a fresh one to the block's size (a
    /// mapping of megabytes, its pages faulted in and zeroed) every time.
    func reset() {
        XML_ParserReset(parser, "UTF-8")
        setHandlers()   // a reset clears them
    }

    private func setHandlers() {
        XML_SetUserData(parser, Unmanaged.passUnretained(handler).toOpaque())
        XML_SetElementHandler(parser, { user, name, attrs in
            Unmanaged<XMLHandler>.fromOpaque(user!)._withUnsafeGuaranteedRef { $0.start(XMLName.key(name!), name!, attrs) }
        }, { user, name in
            Unmanaged<XMLHandler>.fromOpaque(user!)._withUnsafeGuaranteedRef { $0.end(XMLName.key(name!), name!) }
        })
        XML_SetCharacterDataHandler(parser, { user, s, len in
            Unmanaged<XMLHandler>.fromOpaque(user!)._withUnsafeGuaranteedRef { me in
                guard me.capturing, let s else { return }
                me.text.append(UnsafeRawPointer(s).assumingMemoryBound(to: UInt8.self), count: Int(len))
            }
        })
    }

    deinit { XML_ParserFree(parser) }

    /// Feeds a piece of the document. Throws `WorkbookError` with expat's message and line.
    func feed(_ p: UnsafeBufferPointer<UInt8>, final: Bool = false, part: String) throws {
        let ok = p.withMemoryRebound(to: CChar.self) { XML_Parse(parser, $0.baseAddress, Int32(p.count), final ? 1 : 0) }
        if ok != XML_STATUS_OK {
            let message = String(cString: XML_ErrorString(XML_GetErrorCode(parser)))
            throw WorkbookError(Message(en: "\(part): bad XML at line \(XML_GetCurrentLineNumber(parser)): \(message)", zh: "\(part)：第 \(XML_GetCurrentLineNumber(parser)) 行 XML 有误：\(message)"))
        }
    }
}

/// A sheet as the loader takes it: its rows written as CSV (RFC 4180, LF, UTF-8, one record a
/// non-empty row, every record as wide as the header row or wider), with where each record
/// came from, so that a position in the CSV names the sheet's cell.
struct SheetCSV {
    var sheet: String
    /// The CSV text (shared by reference: the loader reads it in place, `FileBytes(adopting:)`).
    var bytes = ByteBuffer()
    /// For each record: the CSV line it starts on (1-based) and the sheet row it is (1-based).
    var lines: [Int32] = []
    var sheetRows: [Int32] = []
    /// The sheet's merged ranges (`mergeCell`), rows and columns 1-based.
    var merges: [Merge] = []
    /// Cells holding a spreadsheet error (`t="e"`: #N/A from a failed lookup, #DIV/0!, #REF!):
    /// their reference and error, read as empty cells; the loader notes them.
    var errorCells: [(cell: String, error: String)] = []
    /// The first cell that shows the workbook damaged (a shared string it does not have).
    var damage: Message?

    struct Merge: Equatable {
        var firstRow: Int, lastRow: Int, firstColumn: Int, lastColumn: Int

        /// A range reference such as `A2:C5` (a single cell `B3` is a range of one).
        init?(reference: UnsafePointer<CChar>) {
            guard let (r0, c0, rest) = Merge.cell(reference) else { return nil }
            var r1 = r0, c1 = c0
            if rest.pointee == 0x3A {
                guard let (r, c, end) = Merge.cell(rest + 1), end.pointee == 0 else { return nil }
                r1 = r; c1 = c
            } else if rest.pointee != 0 { return nil }
            self.init(firstRow: min(r0, r1), lastRow: max(r0, r1), firstColumn: min(c0, c1), lastColumn: max(c0, c1))
        }

        init(firstRow: Int, lastRow: Int, firstColumn: Int, lastColumn: Int) {
            (self.firstRow, self.lastRow, self.firstColumn, self.lastColumn) = (firstRow, lastRow, firstColumn, lastColumn)
        }

        /// A cell reference (`$` signs allowed): its row, its column and where it ends.
        static func cell(_ p: UnsafePointer<CChar>) -> (Int, Int, UnsafePointer<CChar>)? {
            var q = p, column = 0, row = 0, letters = 0, digits = 0
            if q.pointee == 0x24 { q += 1 }
            while true {
                let b = UInt8(bitPattern: q.pointee) | 0x20
                guard b >= 0x61 && b <= 0x7A, letters < 4 else { break }
                column = column * 26 + Int(b - 0x60); letters += 1; q += 1
            }
            if q.pointee == 0x24 { q += 1 }
            while q.pointee >= 0x30 && q.pointee <= 0x39 && digits < 8 { row = row * 10 + Int(q.pointee - 0x30); digits += 1; q += 1 }
            guard letters > 0, digits > 0, row > 0 else { return nil }
            return (row, column, q)
        }
    }

    /// The cell (`案件!M118`) at a line and column of the CSV, the record re-read to find
    /// which field begins there. Column 0 (a problem of the whole row) names the row's first
    /// cell that holds a value.
    func cell(line: Int, column: Int) -> String? {
        guard !lines.isEmpty, line > 0 else { return nil }
        // The last record starting on or before the line.
        var lo = 0, hi = lines.count - 1
        while lo < hi { let mid = (lo + hi + 1) / 2; if Int(lines[mid]) <= line { lo = mid } else { hi = mid - 1 } }
        let row = Int(sheetRows[lo])
        let buf = bytes.buffer
        // The record's offset: count lines from the top (errors are few).
        var offset = 0, l = 1
        var inQuotes = false
        while offset < buf.count && l < Int(lines[lo]) {
            let b = buf[offset]
            if b == 0x22 { inQuotes.toggle() } else if b == 0x0A { l += 1 }
            offset += 1
        }
        _ = inQuotes
        var r = CSVReader(buf, startingAt: offset, line: Int(lines[lo]))
        guard (try? r.nextRow()) == true else { return nil }
        var field = 0
        if column <= 0 {
            field = (0..<r.fields.count).first { r.fields[$0].valueStart != r.fields[$0].valueEnd } ?? 0
        } else {
            // The byte at (line, column), found in one pass over the record (a location per
            // field would go over it again for each of up to 16,384 fields).
            var l = Int(lines[lo]), c = 1, at = offset
            while at < r.position && (l, c) < (line, column) {
                if r.isLineEnd(at) { l += 1; c = 1 } else if buf[at] & 0xC0 != 0x80 && buf[at] != 0x0D { c += 1 }
                at += 1
            }
            var k = 0
            while k + 1 < r.fields.count && r.fields[k + 1].start <= at { k += 1 }
            field = k
        }
        return "\(XLSXWorkbook.quotedSheet(sheet))!\(XLSXWorkbook.letters(field))\(row)"
    }
}

extension SheetCSV {
    /// The merged ranges that start below the header (found as the loader finds it, for a table
    /// of `specs`) and span rows: the ones a sheet's reader fills down with their value, in
    /// their first column, as offices merge a unit's name over its cases. Ranges in and above the
    /// header are not (an empty cell there marks a title or a group of columns), nor a range
    /// across one row (a section heading `一、人大代表建议` or a total `合计` merged over the
    /// row: its value stays in its first cell, and the row reads as a heading or a total).
    func mergesBelowHeader(specs: [FieldSpec]) -> [Merge] {
        guard !merges.isEmpty else { return [] }
        let headerEnd: Int = {
            guard let layout = try? HeaderLayout.find(bytes.buffer, specs: specs) else { return 0 }
            // The sheet row of the header's last record (the last to start above the body).
            var row = 0
            for k in lines.indices where Int(lines[k]) < layout.bodyLine { row = Int(sheetRows[k]) }
            return row
        }()
        return merges.filter { $0.firstRow > headerEnd && $0.lastRow > $0.firstRow }.map {
            Merge(firstRow: $0.firstRow, lastRow: $0.lastRow, firstColumn: $0.firstColumn, lastColumn: $0.firstColumn)
        }
    }
}

/// A workbook the loader takes tables from: .xlsx (`XLSXWorkbook`) or .xls (`XLSWorkbook`).
protocol Workbook: AnyObject {
    /// The sheets in workbook order: name, and where the workbook keeps it.
    var sheets: [(name: String, part: String)] { get }
    /// The sheets hidden from the user (`state="hidden"` or `"veryHidden"`: lists behind
    /// drop-downs, lookups), never taken as "the first sheet".
    var hiddenSheets: Set<String> { get }
    /// Sheet `name` as the loader reads it. Throws `WorkbookError`.
    func rows(of name: String, specs: [FieldSpec]) throws -> SheetCSV
}

extension Workbook {
    var hiddenSheets: Set<String> { [] }

    /// The sheets a user sees, in workbook order.
    var visibleSheets: [String] { sheets.map(\.name).filter { !hiddenSheets.contains($0) } }

    /// The sheet whose name is one of `names` (compared without case), if any.
    func sheet(named names: [String]) -> String? {
        sheets.first { s in names.contains { $0.lowercased() == s.name.lowercased() } }?.name
    }
}

/// Opens the workbook at `path`: .xls (an OLE2 file) through caseql's BIFF8 reader, else .xlsx. Throws
/// `LoadError` naming the file.
func openWorkbook(_ path: String) throws -> Workbook {
    try XLSWorkbook.isCompoundFile(path: path) ? XLSWorkbook(path: path) : XLSXWorkbook(path: path)
}

/// An .xlsx workbook: its sheets by name, read on demand.
final class XLSXWorkbook: Workbook {
    let archive: ZipArchive
    private let file: FileBytes
    /// The sheets in workbook order: name and the part that holds it.
    private(set) var sheets: [(name: String, part: String)] = []
    private(set) var hiddenSheets: Set<String> = []
    /// The shared strings, end to end, and where each ends.
    private(set) var shared = SharedStrings()
    /// For each cell style (`s`): whether its number format shows a date.
    private(set) var dateStyles: [Bool] = []
    /// Whether serial days count from 1904-01-01 (`<workbookPr date1904="1"/>`: Excel for Mac's
    /// older workbooks, LibreOffice when asked) rather than the 1900 system's 1899-12-30.
    private(set) var date1904 = false

    /// Opens the workbook at `path`. Throws `LoadError` naming the file.
    init(path: String) throws {
        file = try FileBytes(path: path)
        do {
            archive = try ZipArchive(file.buffer, mapped: file.isMapped)
            try readWorkbook()
            try readSharedStrings()
            try readStyles()
        } catch let e as WorkbookError {
            throw LoadError(e.message, file: path)
        }
    }

    /// Parses a whole part through `handler`.
    private func parse(_ part: String, _ handler: XMLHandler) throws {
        let x = XMLStream(handler)
        try archive.read(part) { try x.feed($0, part: part) }
        try x.feed(UnsafeBufferPointer(start: nil, count: 0), final: true, part: part)
    }

    private func parse(_ part: String, _ setup: (ClosureHandler) -> Void) throws {
        let h = ClosureHandler()
        setup(h)
        try parse(part, h)
    }

    /// Where the workbook's parts are: the main part, named by the package's `_rels/.rels`
    /// (ECMA-376 Part 2, 9.3; `xl/workbook.xml` where it is missing), and the shared strings and
    /// styles, named by the main part's relationships (their usual `xl/…` names where missing).
    private var sharedStringsPart = "xl/sharedStrings.xml"
    private var stylesPart = "xl/styles.xml"

    /// A part's relationships: id, type (its last path component: `worksheet`, `sharedStrings`,
    /// `styles`, `officeDocument`) and target resolved against the part's folder. Empty when the
    /// part has none.
    private func relationships(of part: String) throws -> [(id: String, type: String, target: String)] {
        let folder = part.split(separator: "/").dropLast().joined(separator: "/")
        let name = part.split(separator: "/").last.map(String.init) ?? ""
        let rels = (folder.isEmpty ? "" : folder + "/") + "_rels/" + name + ".rels"
        guard archive.find(rels) != nil else { return [] }
        var out: [(id: String, type: String, target: String)] = []
        try parse(rels) { x in
            x.onStart = { key, name, attrs in
                guard key == 0, XMLName.equals(name, "Relationship"), let target = XMLName.string(attrs, "Target"),
                      XMLName.string(attrs, "TargetMode") != "External" else { return }
                let type = XMLName.string(attrs, "Type").flatMap { $0.split(separator: "/").last.map(String.init) } ?? ""
                out.append((XMLName.string(attrs, "Id") ?? "", type, self.resolve(target, from: part)))
            }
        }
        return out
    }

    /// A relationship's target as a member name: relative to the source part's folder, or
    /// from the package's root when it starts with `/`; `..` and `.` steps applied. A target
    /// that some writers give from the root without its `/` (`xl/worksheets/sheet1.xml`) is
    /// taken as written when only that names a member.
    func resolve(_ target: String, from part: String) -> String {
        let target = target.replacingOccurrences(of: "\\", with: "/")
        if target.hasPrefix("/") { return String(target.drop { $0 == "/" }) }
        var path = part.split(separator: "/").dropLast().map(String.init)
        for step in target.split(separator: "/") {
            if step == ".." { _ = path.popLast() } else if step != "." { path.append(String(step)) }
        }
        let resolved = path.joined(separator: "/")
        if archive.find(resolved) == nil, archive.find(target) != nil { return target }
        return resolved
    }

    private func readWorkbook() throws {
        var main = "xl/workbook.xml"
        if let office = try relationships(of: "").first(where: { $0.type == "officeDocument" }), archive.find(office.target) != nil {
            main = office.target
        }
        var relTargets: [String: String] = [:]
        for r in try relationships(of: main) {
            switch r.type {
            case "sharedStrings": sharedStringsPart = r.target
            case "styles": stylesPart = r.target
            default: relTargets[r.id] = r.target
            }
        }
        let folder = main.split(separator: "/").dropLast().joined(separator: "/")
        var found: [(String, String)] = []
        var hidden: Set<String> = []
        var date1904 = false
        let sheetKey = XMLName.key("sheet")
        try parse(main) { x in
            x.onStart = { key, name, attrs in
                if key == 0, XMLName.equals(name, "workbookPr") {
                    let v = XMLName.string(attrs, "date1904")?.lowercased()
                    date1904 = v == "1" || v == "true"
                    return
                }
                guard key == sheetKey, let sheetName = XMLName.string(attrs, "name") else { return }
                if let state = XMLName.string(attrs, "state"), state == "hidden" || state == "veryHidden" { hidden.insert(sheetName) }
                let rid = XMLName.string(attrs, "id") ?? ""
                let target = relTargets[rid] ?? (folder.isEmpty ? "" : folder + "/") + "worksheets/sheet\(found.count + 1).xml"
                found.append((sheetName, target))
            }
        }
        sheets = found
        hiddenSheets = hidden
        self.date1904 = date1904
    }

    private func readSharedStrings() throws {
        guard archive.find(sharedStringsPart) != nil else { return }
        let reader = SharedStringsReader()
        try parse(sharedStringsPart, reader)
        shared = reader.strings
    }

    private func readStyles() throws {
        guard archive.find(stylesPart) != nil else { return }
        var custom: [Int: String] = [:]
        var formats: [Int] = []
        var inCellXfs = false
        let numFmt = XMLName.key("numFmt"), cellXfs = XMLName.key("cellXfs"), xf = XMLName.key("xf")
        try parse(stylesPart) { x in
            x.onStart = { key, _, attrs in
                switch key {
                case numFmt:
                    if let id = XMLName.string(attrs, "numFmtId").flatMap(Int.init), let code = XMLName.string(attrs, "formatCode") {
                        custom[id] = code
                    }
                case cellXfs: inCellXfs = true
                case xf where inCellXfs: formats.append(XMLName.string(attrs, "numFmtId").flatMap(Int.init) ?? 0)
                default: break
                }
            }
            x.onEnd = { key, _ in if key == cellXfs { inCellXfs = false } }
        }
        dateStyles = formats.map { id in custom[id].map(XLSXWorkbook.isDateFormat) ?? XLSXWorkbook.builtinDateFormats.contains(id) }
    }

    /// Built-in number formats that show dates or times (ECMA-376 18.8.30 and MS-XLS 2.4.126:
    /// 14–22, 45–47, with the CJK ones Excel and WPS use on Chinese systems: 27–36, 50–58).
    static let builtinDateFormats: Set<Int> = Set(Array(14...22) + [45, 46, 47] + Array(27...36) + Array(50...58))

    /// A custom format code shows a date (or a time) when it has y, m, d, h, s, e (an era's
    /// year), 年 or 日 outside quotes, brackets (colours, `[$-804]` locales, `[DBNum1]`) and
    /// backslash escapes, and not as the character after `_` (a space as wide as it) or `*`
    /// (a fill). `General` (LibreOffice writes it as custom format 164) and a scientific
    /// exponent (`0.00E+00`) are not dates. A time alone (serial below 1) still reads as its
    /// number: `day(fromSerial:)` gives no day for it.
    static func isDateFormat(_ code: String) -> Bool {
        let chars = Array(code.lowercased().replacingOccurrences(of: "general", with: ""))
        var quoted = false, bracket = false, previousEscape = false
        for (i, ch) in chars.enumerated() {
            defer { previousEscape = !quoted && !bracket && (ch == "\\" || ch == "_" || ch == "*") && !previousEscape }
            if previousEscape { continue }
            if ch == "\"" { quoted.toggle(); continue }
            if quoted { continue }
            if ch == "[" { bracket = true; continue }
            if ch == "]" { bracket = false; continue }
            if bracket { continue }
            if ch == "e", i + 1 < chars.count, chars[i + 1] == "+" || chars[i + 1] == "-" { continue }
            if "ymdhse".contains(ch) || ch == "年" || ch == "日" { return true }
        }
        return false
    }

    /// Sheet `name` as CSV for the loader: cell text as the loader reads it. Shared and inline
    /// strings and rich-text runs as their text; booleans as TRUE/FALSE; numbers as written,
    /// except in a date-formatted cell, where the serial day becomes yyyy-mm-dd; `t="d"` cells
    /// as their date. Empty rows, and empty columns after the header's last, are left out.
    /// Each merged range of `filling` gives its first cell's value to the empty cells it covers;
    /// the sheet's merged ranges are in the result's `merges` either way. Throws `WorkbookError`.
    /// A sheet of `XLSXWorkbook.rowBlockBytes` × 2 or more bytes of XML with nothing to fill is
    /// read in blocks on every core (`csvInBlocks`, to the same result); `blockSize` is for tests.
    func csv(of name: String, filling: [SheetCSV.Merge] = [], blockSize: Int = XLSXWorkbook.rowBlockBytes) throws -> SheetCSV {
        guard let part = sheets.first(where: { $0.name == name })?.part else { throw WorkbookError(.noSheet(name)) }
        let size = archive.find(part).flatMap { archive.entries[$0]?.size } ?? 0
        let workers = ProcessInfo.processInfo.activeProcessorCount
        if filling.isEmpty, workers > 1, size >= 2 * blockSize,
           let blocks = try csvInBlocks(of: name, part: part, workers: workers, blockSize: blockSize) {
            return blocks
        }
        let reader = SheetReader(sheet: name, shared: shared, dateStyles: dateStyles, date1904: date1904, filling: filling)
        reader.out.bytes.reserve(size / 4)
        try parse(part, reader)
        reader.out.merges = reader.merges
        if let damage = reader.out.damage { throw WorkbookError(damage) }
        return reader.out
    }

    /// Sheet `name` as the loader reads it: `csv(of:)`, with each merged range below the header
    /// (the header found as the loader finds it, for a table of `specs`) filled with its value,
    /// as offices merge a unit's name over its cases. Ranges in and above the header stay as
    /// they are: an empty cell there marks a title or a group of columns. Throws `WorkbookError`.
    func rows(of name: String, specs: [FieldSpec]) throws -> SheetCSV {
        let plain = try csv(of: name)
        let below = plain.mergesBelowHeader(specs: specs)
        return below.isEmpty ? plain : try csv(of: name, filling: below)
    }

    /// A sheet name as a reference writes it: quoted when it has spaces or punctuation.
    static func quotedSheet(_ name: String) -> String {
        name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } ? name : "'" + name.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// The column of a reference such as `M118` (0 = A), nil when it has no letters.
    static func column(ofReference r: String) -> Int? {
        r.withCString(SheetReader.column(ofReference:))
    }

    /// The letters of column `c` (0 = A).
    static func letters(_ c: Int) -> String {
        var n = c + 1, s = ""
        while n > 0 { let r = (n - 1) % 26; s = String(UnicodeScalar(UInt8(65 + r))) + s; n = (n - 1) / 26 }
        return s
    }

    /// The day of an Excel serial (1900 date system: day 61 is 1900-03-01; 1904 system: day 0 is
    /// 1904-01-01, 1,462 days later); nil outside 1900-03-01 … 9999-12-31.
    static func day(fromSerial serial: Double, date1904: Bool = false) -> Day? {
        let serial = date1904 ? serial + 1462 : serial
        guard serial.isFinite, serial >= 61, serial < 2_958_466 else { return nil }
        return Day(raw: Int32(Int(serial.rounded(.down)) - 25_569))
    }
}

/// Shared strings end to end (UTF-8), and where each ends.
struct SharedStrings {
    var bytes = ByteBuffer()
    var ends: [Int] = []
    var count: Int { ends.count }
    /// The bytes of string `i`.
    func range(_ i: Int) -> Range<Int> { (i == 0 ? 0 : ends[i - 1])..<ends[i] }
}

/// Reads `xl/sharedStrings.xml`: each `si`'s text, its rich-text runs joined, phonetic runs
/// (`rPh`, furigana) left out.
final class SharedStringsReader: XMLHandler {
    var strings = SharedStrings()
    private var inPhonetic = false
    private let si = XMLName.key("si"), t = XMLName.key("t"), rPh = XMLName.key("rPh")

    override func start(_ key: UInt64, _ name: UnsafePointer<CChar>, _ attrs: Attributes) {
        switch key {
        case si: text.removeAll()
        case rPh: inPhonetic = true
        case t: capturing = !inPhonetic
        default: break
        }
    }

    override func end(_ key: UInt64, _ name: UnsafePointer<CChar>) {
        switch key {
        case t: capturing = false
        case rPh: inPhonetic = false
        case si:
            XString.decode(text)
            strings.bytes.append(text.buffer)
            strings.ends.append(strings.bytes.count)
        default: break
        }
    }
}

/// Reads a worksheet part into `SheetCSV`, a row at a time: each row's cells are gathered (their
/// text end to end in one buffer) and written as a CSV record at the row's end.
final class SheetReader: XMLHandler {
    var out: SheetCSV
    /// The merged ranges met (after the sheet's data, in `mergeCells`).
    var merges: [SheetCSV.Merge] = []
    private let shared: SharedStrings
    private let dates: [Bool]
    private let date1904: Bool
    /// Ranges to fill, by first row; those begun and not yet ended, with their values.
    private let filling: [SheetCSV.Merge]
    private var nextFill = 0
    private var active: [(merge: SheetCSV.Merge, value: [UInt8])] = []

    private enum CellType { case number, shared, bool, date, text, error }
    private var rowNumber = 0
    private var column = -1
    private var type = CellType.number
    private var style = 0
    private var inPhonetic = false
    private var hasValue = false
    /// The current row's cells: column (0 = A) and the bytes in `rowBytes`.
    private var cells: [(column: Int, start: Int, end: Int)] = []
    private let rowBytes = ByteBuffer(capacity: 4096)
    private var sorted = true
    /// Every record is widened to the widest of the sheet's first `widthRows` records (where
    /// the header is looked for: `HeaderLayout.searchRows`), so that a title row above the
    /// header does not make every data row with empty trailing cells short of fields.
    static let widthRows = HeaderLayout.searchRows
    private var width = -1
    private var emitted = 0
    private var line = 1
    /// Reading one block of a sheet's rows (`SheetBlocks`): records are not widened to the first
    /// record's width, and rows before the first that names its number (`r`) are numbered from
    /// the block's start; the join does both.
    private let inBlock: Bool
    /// In a block: each record's field count, and where it ends (the offset of its LF in `out`).
    private(set) var recordFields: [Int32] = []
    private(set) var recordEnds: [Int] = []
    /// In a block: the records before the first row that names its number.
    private(set) var relativeRecords = 0
    /// Whether a row named its number (`r`).
    private(set) var rowNamed = false
    /// The last row's number (counted from the block's start when no row named its number).
    var lastRow: Int { rowNumber }
    /// The CSV lines written.
    var linesWritten: Int { line - 1 }

    private let kRow = XMLName.key("row"), kC = XMLName.key("c"), kV = XMLName.key("v"), kIs = XMLName.key("is"),
                kT = XMLName.key("t"), kRPh = XMLName.key("rPh"), kR = XMLName.key("r"), kS = XMLName.key("s"),
                kRef = XMLName.key("ref")
    private let tShared = XMLName.key("s"), tBool = XMLName.key("b"), tDate = XMLName.key("d"), tNumber = XMLName.key("n"),
                tError = XMLName.key("e")

    init(sheet: String, shared: SharedStrings, dateStyles: [Bool], date1904: Bool = false, filling: [SheetCSV.Merge],
         inBlock: Bool = false) {
        out = SheetCSV(sheet: sheet)
        self.inBlock = inBlock
        self.shared = shared
        dates = dateStyles
        self.date1904 = date1904
        self.filling = filling.sorted { $0.firstRow < $1.firstRow }
    }

    override func start(_ key: UInt64, _ name: UnsafePointer<CChar>, _ attrs: Attributes) {
        switch key {
        case kC:
            // The cell's attributes in one pass: its reference, type and style.
            var reference: UnsafePointer<CChar>?, t: UnsafePointer<CChar>?, s: UnsafePointer<CChar>?
            if let attrs {
                var i = 0
                while let n = attrs[i] {
                    switch XMLName.key(n) {
                    case kR: reference = attrs[i + 1]
                    case kT: t = attrs[i + 1]
                    case kS: s = attrs[i + 1]
                    default: break
                    }
                    i += 2
                }
            }
            column = reference.flatMap(SheetReader.column(ofReference:)) ?? column + 1
            if column > SheetReader.lastColumn {
                // Past XFD: no spreadsheet has such a cell. The first is named, and the sheet refused.
                if out.damage == nil {
                    let cell = "\(XLSXWorkbook.quotedSheet(out.sheet))!\(XLSXWorkbook.letters(column))\(rowNumber)"
                    out.damage = Message(en: "the workbook is damaged: it has a cell at \(cell), past column XFD, the last of the 16,384 a sheet has in Excel and WPS; open it in Excel or WPS and save it again",
                                         zh: "工作簿已损坏：单元格 \(cell) 超出了 XFD 列（Excel 和 WPS 工作表最多 16,384 列）；请用 Excel 或 WPS 打开后重新保存")
                }
                column = SheetReader.lastColumn
            }
            if let t {
                switch XMLName.key(t) {
                case tShared: type = .shared
                case tBool: type = .bool
                case tDate: type = .date
                case tNumber: type = .number
                case tError: type = .error
                default: type = .text   // inlineStr, str (a formula's text)
                }
            } else {
                type = .number
            }
            style = XMLName.int(s) ?? 0
            text.removeAll()
            hasValue = false
        case kV:
            text.removeAll(); capturing = true
        case kIs:
            text.removeAll()
        case kT: capturing = !inPhonetic
        case kRPh: inPhonetic = true
        case kRow:
            if let r = XMLName.int(XMLName.attribute(attrs, kR)) { rowNumber = r; rowNamed = true } else { rowNumber += 1 }
            cells.removeAll(keepingCapacity: true)
            rowBytes.removeAll()
            sorted = true
            column = -1
        case 0:
            if XMLName.equals(name, "mergeCell"), let ref = XMLName.attribute(attrs, kRef),
               let m = SheetCSV.Merge(reference: ref) {
                merges.append(m)
            }
        default: break
        }
    }

    override func end(_ key: UInt64, _ name: UnsafePointer<CChar>) {
        switch key {
        case kC:
            guard hasValue, !text.isEmpty else { return }
            let start = rowBytes.count
            let t = text.buffer
            switch type {
            case .shared:
                if let i = SheetReader.decimal(t), i < shared.count {
                    rowBytes.append(UnsafeBufferPointer(rebasing: shared.bytes.buffer[shared.range(i)]))
                } else if out.damage == nil {
                    out.damage = Message(en: "the workbook is damaged: cell \(XLSXWorkbook.letters(max(column, 0)))\(rowNumber) of sheet \(out.sheet) refers to shared string \"\(String(decoding: t, as: UTF8.self))\", and the workbook has \(shared.count)",
                                          zh: "工作簿已损坏：工作表 \(out.sheet) 的单元格 \(XLSXWorkbook.letters(max(column, 0)))\(rowNumber) 引用共享字符串 \"\(String(decoding: t, as: UTF8.self))\"，而工作簿只有 \(shared.count) 个")
                }
            case .error:
                out.errorCells.append(("\(XLSXWorkbook.letters(max(column, 0)))\(rowNumber)", String(decoding: t, as: UTF8.self)))
                return
            case .bool:
                if t.count == 1 && t[0] == 0x31 { rowBytes.append(contentsOf: SheetReader.trueBytes) }
                else if t.count == 1 && t[0] == 0x30 { rowBytes.append(contentsOf: SheetReader.falseBytes) }
                else { rowBytes.append(t) }
            case .date:
                rowBytes.append(UnsafeBufferPointer(rebasing: t.prefix(10)))
            case .text:
                XString.decode(text)
                rowBytes.append(text.buffer)
            case .number:
                if style < dates.count, dates[style], let serial = SheetReader.serial(t),
                   let day = XLSXWorkbook.day(fromSerial: serial, date1904: date1904) {
                    SheetReader.append(day, to: rowBytes)
                } else {
                    rowBytes.append(t)
                }
            }
            guard rowBytes.count > start else { return }
            keepApostrophe(from: start)
            if let last = cells.last, last.column >= column { sorted = false }
            cells.append((column, start, rowBytes.count))
        case kV: capturing = false; hasValue = true
        case kT: capturing = false
        case kIs: hasValue = true
        case kRPh: inPhonetic = false
        case kRow:
            if !filling.isEmpty { fill() }
            if !cells.isEmpty { emit() }
        default: break
        }
    }

    /// Makes a block's reader ready for another block, its buffers kept (`SheetBlocks`).
    func reuse() {
        out.bytes.removeAll()
        out.lines.removeAll(keepingCapacity: true)
        out.sheetRows.removeAll(keepingCapacity: true)
        merges.removeAll(keepingCapacity: true)
        out.errorCells.removeAll(keepingCapacity: true)
        out.damage = nil
        recordFields.removeAll(keepingCapacity: true)
        recordEnds.removeAll(keepingCapacity: true)
        text.removeAll()
        cells.removeAll(keepingCapacity: true)
        rowBytes.removeAll()
        relativeRecords = 0; rowNamed = false; rowNumber = 0; column = -1; line = 1; width = -1; emitted = 0
        inPhonetic = false; capturing = false; hasValue = false
    }

    /// Adds a row read by another reader (.xls): its number (1-based) and its cells, column
    /// (0 = A) and text, as the end of a `row` element does.
    func append(row number: Int, cells row: [(Int, [UInt8])]) {
        rowNumber = number
        cells.removeAll(keepingCapacity: true)
        rowBytes.removeAll()
        sorted = true
        for (column, text) in row where !text.isEmpty {
            if let last = cells.last, last.column >= column { sorted = false }
            let start = rowBytes.count
            rowBytes.append(contentsOf: text)
            keepApostrophe(from: start)
            cells.append((column, start, rowBytes.count))
        }
        if !filling.isEmpty { fill() }
        if !cells.isEmpty { emit() }
    }

    /// A cell's text such as `'=x` is data in a workbook (no formula guard there), but the
    /// loader takes one apostrophe off such text, as a CSV writer's guard: one more keeps it.
    private func keepApostrophe(from start: Int) {
        guard rowBytes[start] == 0x27 else { return }
        if CSVWriter.isFormulaLike(UnsafeBufferPointer(rebasing: rowBytes.buffer[start...])) { rowBytes.insert(0x27, at: start) }
    }

    /// Gives the merged ranges' values to the empty cells they cover in this row.
    private func fill() {
        active.removeAll { $0.merge.lastRow < rowNumber }
        while nextFill < filling.count, filling[nextFill].firstRow <= rowNumber {
            let m = filling[nextFill]
            nextFill += 1
            // A range whose first row has no row element has no value.
            guard m.firstRow == rowNumber, let c = cells.first(where: { $0.column == m.firstColumn - 1 }) else { continue }
            active.append((m, Array(rowBytes.buffer[c.start..<c.end])))
        }
        for (m, value) in active {
            for col in (m.firstColumn - 1)..<m.lastColumn where !cells.contains(where: { $0.column == col }) {
                let start = rowBytes.count
                rowBytes.append(contentsOf: value)
                cells.append((col, start, rowBytes.count))
                sorted = false
            }
        }
    }

    /// Writes the row as a CSV record: fields quoted when they hold a comma, a quote or a line end.
    private func emit() {
        if !sorted { cells.sort { $0.column < $1.column } }
        let maxColumn = cells.last!.column
        if !inBlock && emitted < SheetReader.widthRows { width = max(width, maxColumn + 1) }
        if !inBlock { emitted += 1 }
        let last = max(width, maxColumn + 1)
        out.lines.append(Int32(truncatingIfNeeded: line))
        out.sheetRows.append(Int32(truncatingIfNeeded: rowNumber))
        // Written in place: at most every byte doubled (all quotes), two quotes a cell, a comma a column.
        let row = rowBytes.base!
        var lineEnds = 0
        out.bytes.appendInPlace(atMost: 2 * rowBytes.count + 2 * cells.count + last) { o in
            var w = 0, commas = 0, previous = -1
            for c in cells where c.column != previous {
                previous = c.column
                while commas < c.column { o[w] = 0x2C; w += 1; commas += 1 }
                let t = row + c.start, n = c.end - c.start
                var quote = false
                for k in 0..<n {
                    let b = t[k]
                    if b == 0x2C || b == 0x22 || b == 0x0A || b == 0x0D { quote = true; break }
                }
                if quote {
                    o[w] = 0x22; w += 1
                    for k in 0..<n {
                        let b = t[k]
                        if b == 0x22 { o[w] = 0x22; w += 1 }
                        if b == 0x0A { lineEnds += 1 }
                        o[w] = b; w += 1
                    }
                    o[w] = 0x22; w += 1
                } else {
                    (o + w).update(from: t, count: n)
                    w += n
                }
            }
            while commas < last - 1 { o[w] = 0x2C; w += 1; commas += 1 }
            return w
        }
        line += lineEnds
        if inBlock {
            recordFields.append(Int32(truncatingIfNeeded: last))
            recordEnds.append(out.bytes.count)
            if !rowNamed { relativeRecords += 1 }
        }
        out.bytes.append(0x0A)
        line += 1
    }

    static let trueBytes = Array("TRUE".utf8), falseBytes = Array("FALSE".utf8)

    /// The last column a sheet has in Excel and WPS (XFD; 0 = A).
    static let lastColumn = 16_383

    /// The column of a reference such as `M118` (0 = A), nil when it has no letters.
    static func column(ofReference p: UnsafePointer<CChar>) -> Int? {
        var c = 0, letters = 0, q = p
        while true {
            let b = UInt8(bitPattern: q.pointee) | 0x20
            guard b >= 0x61 && b <= 0x7A, letters < 4 else { break }
            c = c * 26 + Int(b - 0x60); letters += 1; q += 1
        }
        return letters > 0 ? c - 1 : nil
    }

    /// Decimal digits as a number (a shared string's index).
    static func decimal(_ t: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !t.isEmpty, t.count < 16 else { return nil }
        var v = 0
        for b in t { guard b >= 0x30 && b <= 0x39 else { return nil }; v = v * 10 + Int(b - 0x30) }
        return v
    }

    static func decimal(_ t: [UInt8]) -> Int? { t.withUnsafeBufferPointer { decimal($0) } }

    /// A serial day as written (`43891`, `43891.5`, `4.3891E4`).
    static func serial(_ t: UnsafeBufferPointer<UInt8>) -> Double? {
        var whole = 0, i = 0
        while i < t.count, t[i] >= 0x30, t[i] <= 0x39, i < 15 { whole = whole * 10 + Int(t[i] - 0x30); i += 1 }
        if i == t.count && i > 0 { return Double(whole) }
        if i > 0, t[i] == 0x2E, t[(i + 1)...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { return Double(whole) }
        return Double(String(decoding: t, as: UTF8.self))
    }

    static func serial(_ t: [UInt8]) -> Double? { t.withUnsafeBufferPointer { serial($0) } }

    /// Appends the day as yyyy-mm-dd.
    static func append(_ day: Day, to bytes: ByteBuffer) {
        let (y, m, d) = day.components
        bytes.appendInPlace(atMost: 10) { o in
            o[0] = UInt8(48 + y / 1000); o[1] = UInt8(48 + y / 100 % 10); o[2] = UInt8(48 + y / 10 % 10); o[3] = UInt8(48 + y % 10)
            o[4] = 0x2D; o[5] = UInt8(48 + m / 10); o[6] = UInt8(48 + m % 10)
            o[7] = 0x2D; o[8] = UInt8(48 + d / 10); o[9] = UInt8(48 + d % 10)
            return 10
        }
    }

    static func append(_ day: Day, to bytes: inout [UInt8]) {
        let b = ByteBuffer(capacity: 10)
        append(day, to: b)
        bytes += b.array
    }
}

/// ECMA-376 Part 1, 22.9.2.19 (ST_Xstring): a character that XML cannot carry is written in a
/// cell's or shared string's text as `_xHHHH_`, its UTF-16 code unit in hex (Excel writes a CR as
/// `_x000D_`), and an underscore that would start such a sequence as `_x005F_`. openpyxl and
/// calamine decode it alike.
enum XString {
    /// Decodes `_xHHHH_` sequences in UTF-8 `text` in place (a surrogate pair written as two
    /// becomes its scalar; a lone surrogate U+FFFD). Text without one is left untouched.
    static func decode(_ text: ByteBuffer) {
        guard text.count >= 7, let base = text.base else { return }
        text.truncate(to: decode(UnsafeMutableBufferPointer(start: base, count: text.count)))
    }

    static func decode(_ text: inout [UInt8]) {
        guard text.count >= 7 else { return }
        let n = text.withUnsafeMutableBufferPointer { decode($0) }
        text.removeLast(text.count - n)
    }

    /// Decodes in place; returns the decoded length (never more than the text's: a sequence of
    /// 7 or 14 bytes becomes at most 4).
    private static func decode(_ text: UnsafeMutableBufferPointer<UInt8>) -> Int {
        let n = text.count
        guard n >= 7, memchr(text.baseAddress!, 0x5F, n) != nil else { return n }
        @inline(__always) func hex(_ b: UInt8) -> UInt16? {
            switch b {
            case 0x30...0x39: return UInt16(b - 0x30)
            case 0x41...0x46: return UInt16(b - 0x41 + 10)
            case 0x61...0x66: return UInt16(b - 0x61 + 10)
            default: return nil
            }
        }
        func unit(_ i: Int) -> UInt16? {
            guard i + 7 <= n, text[i] == 0x5F, text[i + 1] == 0x78, text[i + 6] == 0x5F else { return nil }
            var v: UInt16 = 0
            for k in 2..<6 { guard let h = hex(text[i + k]) else { return nil }; v = v << 4 | h }
            return v
        }
        var i = 0, w = 0
        while i < n {
            guard text[i] == 0x5F, let u = unit(i) else { text[w] = text[i]; w += 1; i += 1; continue }
            var scalar = Unicode.Scalar(u)
            var step = 7
            if UTF16.isLeadSurrogate(u), let low = unit(i + 7), UTF16.isTrailSurrogate(low) {
                scalar = Unicode.Scalar(0x10000 + (UInt32(u - 0xD800) << 10) + UInt32(low - 0xDC00))
                step = 14
            }
            // Written behind what is still to be read: w + 4 <= i + step.
            UTF8.encode(scalar ?? "\u{FFFD}") { text[w] = $0; w += 1 }
            i += step
        }
        return w
    }
}
