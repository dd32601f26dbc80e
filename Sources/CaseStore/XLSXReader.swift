// Reading .xlsx workbooks: the ZIP archive (central directory read here, members inflated with
// zlib as they stream), and each part's XML through libexpat, a real XML parser, so every
// producer's spelling is read the same: namespace prefixes (`x:c`, WPS and some .NET writers),
// shared and inline strings, rich-text runs, entities and character references, phonetic runs
// (ignored). A sheet becomes the rows of cells the loader takes (`SheetRows`), cell positions
// kept, so that an error names the sheet and the cell: `cases.xlsx:案件!M118`.

import CExpat
import CZlib
import Foundation

/// A workbook could not be read (not a ZIP, a part missing, bad XML).
struct WorkbookError: Error, CustomStringConvertible {
    var description: String
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
    private(set) var entries: [String: Entry] = [:]

    /// Reads the central directory (ZIP64 included). Throws `WorkbookError` when it is not a ZIP.
    init(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        self.bytes = bytes
        let n = bytes.count
        func u16(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        func u64(_ o: Int) -> Int { u32(o) | u32(o + 4) << 32 }
        guard n >= 22 else { throw WorkbookError(description: "not an .xlsx workbook (too short for a ZIP archive)") }
        var eocd = -1
        var i = n - 22
        while i >= max(0, n - 22 - 65_535) {
            if bytes[i] == 0x50 && bytes[i + 1] == 0x4B && bytes[i + 2] == 0x05 && bytes[i + 3] == 0x06 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else { throw WorkbookError(description: "not an .xlsx workbook (no ZIP directory; a legacy .xls or a renamed file?)") }
        var count = u16(eocd + 10)
        var dirOffset = u32(eocd + 16)
        // ZIP64: the locator just before the end record points at the ZIP64 end record.
        if (count == 0xFFFF || dirOffset == 0xFFFF_FFFF), eocd >= 20, u32(eocd - 20) == 0x0706_4B50 {
            let rec = u64(eocd - 20 + 8)
            if rec + 56 <= n, u32(rec) == 0x0606_4B50 { count = u64(rec + 32); dirOffset = u64(rec + 48) }
        }
        var p = dirOffset
        for _ in 0..<count {
            guard p + 46 <= n, u32(p) == 0x0201_4B50 else { throw WorkbookError(description: "a damaged ZIP directory") }
            let method = UInt16(u16(p + 10))
            var csize = u32(p + 20), usize = u32(p + 24)
            let nameLen = u16(p + 28), extraLen = u16(p + 30), commentLen = u16(p + 32)
            var local = u32(p + 42)
            guard p + 46 + nameLen + extraLen <= n else { throw WorkbookError(description: "a damaged ZIP directory") }
            let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[(p + 46)..<(p + 46 + nameLen)]), as: UTF8.self)
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
        guard let key = find(name), let e = entries[key] else { throw WorkbookError(description: "the workbook has no \(name)") }
        let h = e.localHeader
        guard h + 30 <= bytes.count else { throw WorkbookError(description: "\(name): damaged") }
        let nameLen = Int(bytes[h + 26]) | Int(bytes[h + 27]) << 8
        let extraLen = Int(bytes[h + 28]) | Int(bytes[h + 29]) << 8
        let start = h + 30 + nameLen + extraLen
        guard start + e.compressedSize <= bytes.count else { throw WorkbookError(description: "\(name): damaged (cut short)") }
        let data = UnsafeBufferPointer(rebasing: bytes[start..<(start + e.compressedSize)])
        switch e.method {
        case 0:
            try sink(data)
        case 8:
            var stream = z_stream()
            guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw WorkbookError(description: "\(name): cannot inflate")
            }
            defer { inflateEnd(&stream) }
            let chunk = 1 << 18
            let out = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
            defer { out.deallocate() }
            stream.next_in = UnsafeMutablePointer(mutating: data.baseAddress)
            stream.avail_in = UInt32(data.count)
            while true {
                stream.next_out = out
                stream.avail_out = UInt32(chunk)
                let r = inflate(&stream, Z_NO_FLUSH)
                let produced = chunk - Int(stream.avail_out)
                if produced > 0 { try sink(UnsafeBufferPointer(start: out, count: produced)) }
                if r == Z_STREAM_END { break }
                guard r == Z_OK else { throw WorkbookError(description: "\(name): damaged (inflate failed)") }
                if produced == 0 && stream.avail_in == 0 { throw WorkbookError(description: "\(name): damaged (cut short)") }
            }
        default:
            throw WorkbookError(description: "\(name): compressed with method \(e.method), which caseql does not read")
        }
    }

    /// The whole member as bytes.
    func data(_ name: String) throws -> [UInt8] {
        var out: [UInt8] = []
        try read(name) { out.append(contentsOf: $0) }
        return out
    }
}

/// Streams an XML document through expat, calling back with local names (any `prefix:` cut off)
/// and attributes, and gathering character data between `capture` and the element's end.
final class XMLStream {
    typealias Attributes = [(String, String)]
    var onStart: (String, UnsafeMutablePointer<UnsafePointer<XML_Char>?>?) -> Void = { _, _ in }
    var onEnd: (String) -> Void = { _ in }
    /// Character data is gathered here while `capturing`.
    var text: [UInt8] = []
    var capturing = false
    private let parser: XML_Parser

    init() {
        parser = XML_ParserCreate("UTF-8")
        XML_SetUserData(parser, Unmanaged.passUnretained(self).toOpaque())
        XML_SetElementHandler(parser, { user, name, attrs in
            let me = Unmanaged<XMLStream>.fromOpaque(user!).takeUnretainedValue()
            me.onStart(XMLStream.localName(name!), attrs)
        }, { user, name in
            let me = Unmanaged<XMLStream>.fromOpaque(user!).takeUnretainedValue()
            me.onEnd(XMLStream.localName(name!))
        })
        XML_SetCharacterDataHandler(parser, { user, s, len in
            let me = Unmanaged<XMLStream>.fromOpaque(user!).takeUnretainedValue()
            guard me.capturing, let s else { return }
            s.withMemoryRebound(to: UInt8.self, capacity: Int(len)) { me.text.append(contentsOf: UnsafeBufferPointer(start: $0, count: Int(len))) }
        })
    }

    deinit { XML_ParserFree(parser) }

    static func localName(_ p: UnsafePointer<XML_Char>) -> String {
        var s = String(cString: p)
        if let colon = s.lastIndex(of: ":") { s = String(s[s.index(after: colon)...]) }
        return s
    }

    /// The value of attribute `name` (local name), if present.
    static func attribute(_ attrs: UnsafeMutablePointer<UnsafePointer<XML_Char>?>?, _ name: String) -> String? {
        guard let attrs else { return nil }
        var i = 0
        while let key = attrs[i] {
            if localName(key) == name, let v = attrs[i + 1] { return String(cString: v) }
            i += 2
        }
        return nil
    }

    /// Feeds a piece of the document. Throws `WorkbookError` with expat's message and line.
    func feed(_ p: UnsafeBufferPointer<UInt8>, final: Bool = false, part: String) throws {
        let ok = p.withMemoryRebound(to: CChar.self) { XML_Parse(parser, $0.baseAddress, Int32(p.count), final ? 1 : 0) }
        if ok != XML_STATUS_OK {
            let message = String(cString: XML_ErrorString(XML_GetErrorCode(parser)))
            throw WorkbookError(description: "\(part): bad XML at line \(XML_GetCurrentLineNumber(parser)): \(message)")
        }
    }
}

/// A sheet as the loader takes it: its rows written as CSV (RFC 4180, LF, UTF-8, one record a
/// non-empty row, every record as wide as the header row or wider), with where each record
/// came from, so that a position in the CSV names the sheet's cell.
struct SheetCSV {
    var sheet: String
    var bytes: [UInt8] = []
    /// For each record: the CSV line it starts on (1-based) and the sheet row it is (1-based).
    var lines: [Int32] = []
    var sheetRows: [Int32] = []

    /// The cell (`案件!M118`) at a line and column of the CSV, the record re-read to find
    /// which field begins there.
    func cell(line: Int, column: Int) -> String? {
        guard !lines.isEmpty, line > 0 else { return nil }
        // The last record starting on or before the line.
        var lo = 0, hi = lines.count - 1
        while lo < hi { let mid = (lo + hi + 1) / 2; if Int(lines[mid]) <= line { lo = mid } else { hi = mid - 1 } }
        let row = Int(sheetRows[lo])
        guard column > 0 else { return "\(XLSXWorkbook.quotedSheet(sheet))!\(row):\(row)" }
        return bytes.withUnsafeBufferPointer { buf -> String? in
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
            for k in 0..<r.fields.count {
                let (fl, fc) = r.location(of: r.fields[k].start)
                if (fl, fc) <= (line, column) { field = k } else { break }
            }
            return "\(XLSXWorkbook.quotedSheet(sheet))!\(XLSXWorkbook.letters(field))\(row)"
        }
    }
}

/// An .xlsx workbook: its sheets by name, read on demand.
final class XLSXWorkbook {
    let archive: ZipArchive
    private let file: FileBytes
    /// The sheets in workbook order: name and the part that holds it.
    private(set) var sheets: [(name: String, part: String)] = []
    private var sharedStrings: [String] = []
    /// For each cell style (`s`): whether its number format shows a date.
    private var dateStyles: [Bool] = []

    /// Opens the workbook at `path`. Throws `LoadError` naming the file.
    init(path: String) throws {
        file = try FileBytes(path: path)
        do {
            archive = try ZipArchive(file.buffer)
            try readWorkbook()
            try readSharedStrings()
            try readStyles()
        } catch let e as WorkbookError {
            throw LoadError(e.description, file: path)
        }
    }

    /// Parses a whole part with `setup` wiring the callbacks.
    private func parse(_ part: String, _ setup: (XMLStream) -> Void) throws {
        let x = XMLStream()
        setup(x)
        try archive.read(part) { try x.feed($0, part: part) }
        try x.feed(UnsafeBufferPointer(start: nil, count: 0), final: true, part: part)
    }

    private func readWorkbook() throws {
        var relTargets: [String: String] = [:]
        if archive.find("xl/_rels/workbook.xml.rels") != nil {
            try parse("xl/_rels/workbook.xml.rels") { x in
                x.onStart = { name, attrs in
                    guard name == "Relationship", let id = XMLStream.attribute(attrs, "Id"),
                          let target = XMLStream.attribute(attrs, "Target") else { return }
                    relTargets[id] = target
                }
            }
        }
        var found: [(String, String)] = []
        try parse("xl/workbook.xml") { x in
            x.onStart = { name, attrs in
                guard name == "sheet", let sheetName = XMLStream.attribute(attrs, "name") else { return }
                let rid = XMLStream.attribute(attrs, "id") ?? ""
                var target = relTargets[rid] ?? "worksheets/sheet\(found.count + 1).xml"
                if target.hasPrefix("/") { target.removeFirst() } else if !target.hasPrefix("xl/") { target = "xl/" + target }
                found.append((sheetName, target))
            }
        }
        sheets = found
    }

    private func readSharedStrings() throws {
        guard archive.find("xl/sharedStrings.xml") != nil else { return }
        var strings: [String] = []
        var inPhonetic = false
        try parse("xl/sharedStrings.xml") { x in
            x.onStart = { name, _ in
                switch name {
                case "si": x.text.removeAll(keepingCapacity: true)
                case "rPh": inPhonetic = true
                case "t": x.capturing = !inPhonetic
                default: break
                }
            }
            x.onEnd = { name in
                switch name {
                case "t": x.capturing = false
                case "rPh": inPhonetic = false
                case "si": strings.append(String(decoding: x.text, as: UTF8.self))
                default: break
                }
            }
        }
        sharedStrings = strings
    }

    private func readStyles() throws {
        guard archive.find("xl/styles.xml") != nil else { return }
        var custom: [Int: String] = [:]
        var formats: [Int] = []
        var inCellXfs = false
        try parse("xl/styles.xml") { x in
            x.onStart = { name, attrs in
                switch name {
                case "numFmt":
                    if let id = XMLStream.attribute(attrs, "numFmtId").flatMap(Int.init), let code = XMLStream.attribute(attrs, "formatCode") {
                        custom[id] = code
                    }
                case "cellXfs": inCellXfs = true
                case "xf" where inCellXfs: formats.append(XMLStream.attribute(attrs, "numFmtId").flatMap(Int.init) ?? 0)
                default: break
                }
            }
            x.onEnd = { name in if name == "cellXfs" { inCellXfs = false } }
        }
        dateStyles = formats.map { id in custom[id].map(XLSXWorkbook.isDateFormat) ?? XLSXWorkbook.builtinDateFormats.contains(id) }
    }

    /// Built-in number formats that show dates (ECMA-376 18.8.30, with the CJK ones Excel and
    /// WPS use on Chinese systems: 27–36, 50–58).
    static let builtinDateFormats: Set<Int> = Set([14, 15, 16, 17, 22, 45, 46, 47] + Array(27...36) + Array(50...58))

    /// A custom format code shows a date when it has y, m or d outside quotes and brackets.
    static func isDateFormat(_ code: String) -> Bool {
        var quoted = false, bracket = false, previousBackslash = false
        for ch in code.lowercased() {
            defer { previousBackslash = ch == "\\" && !previousBackslash }
            if previousBackslash { continue }
            if ch == "\"" { quoted.toggle(); continue }
            if quoted { continue }
            if ch == "[" { bracket = true; continue }
            if ch == "]" { bracket = false; continue }
            if bracket { continue }
            if ch == "y" || ch == "d" || ch == "e" || ch == "年" || ch == "日" { return true }
        }
        return false
    }

    /// The sheet whose name is one of `names` (compared without case), if any.
    func sheet(named names: [String]) -> String? {
        sheets.first { s in names.contains { $0.lowercased() == s.name.lowercased() } }?.name
    }

    /// Sheet `name` as CSV for the loader: cell text as the loader reads it. Shared and inline
    /// strings and rich-text runs as their text; booleans as TRUE/FALSE; numbers as written,
    /// except in a date-formatted cell, where the serial day becomes yyyy-mm-dd; `t="d"` cells
    /// as their date. Empty rows, and empty columns after the header's last, are left out.
    /// Throws `WorkbookError`.
    func csv(of name: String) throws -> SheetCSV {
        guard let part = sheets.first(where: { $0.name == name })?.part else { throw WorkbookError(description: "no sheet \(name)") }
        var out = SheetCSV(sheet: name)
        var rowNumber = 0
        var cells: [(column: Int, text: [UInt8])] = []
        var column = -1
        var type = ""
        var style = 0
        var inPhonetic = false
        var hasValue = false
        var width = -1
        var line = 1
        let shared = sharedStrings.map { Array($0.utf8) }, dates = dateStyles
        func emit() {
            if width < 0 { width = (cells.last?.column ?? -1) + 1 }
            let last = max(width, (cells.map(\.column).max() ?? -1) + 1)
            out.lines.append(Int32(truncatingIfNeeded: line)); out.sheetRows.append(Int32(truncatingIfNeeded: rowNumber))
            var k = 0
            for c in 0..<last {
                if c > 0 { out.bytes.append(0x2C) }
                while k < cells.count && cells[k].column < c { k += 1 }
                guard k < cells.count, cells[k].column == c else { continue }
                let t = cells[k].text
                if t.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
                    out.bytes.append(0x22)
                    for b in t {
                        if b == 0x22 { out.bytes.append(0x22) }
                        if b == 0x0A { line += 1 }
                        out.bytes.append(b)
                    }
                    out.bytes.append(0x22)
                } else {
                    out.bytes.append(contentsOf: t)
                }
            }
            out.bytes.append(0x0A)
            line += 1
        }
        try parse(part) { x in
            x.onStart = { name, attrs in
                switch name {
                case "row":
                    rowNumber = XMLStream.attribute(attrs, "r").flatMap(Int.init) ?? rowNumber + 1
                    cells.removeAll(keepingCapacity: true)
                    column = -1
                case "c":
                    column = XMLStream.attribute(attrs, "r").flatMap(XLSXWorkbook.column(ofReference:)) ?? column + 1
                    type = XMLStream.attribute(attrs, "t") ?? ""
                    style = XMLStream.attribute(attrs, "s").flatMap(Int.init) ?? 0
                    x.text.removeAll(keepingCapacity: true)
                    hasValue = false
                case "v":
                    x.text.removeAll(keepingCapacity: true); x.capturing = true
                case "is":
                    x.text.removeAll(keepingCapacity: true)
                case "rPh": inPhonetic = true
                case "t": x.capturing = !inPhonetic
                default: break
                }
            }
            x.onEnd = { name in
                switch name {
                case "v": x.capturing = false; hasValue = true
                case "t": x.capturing = false
                case "rPh": inPhonetic = false
                case "is": hasValue = true
                case "c":
                    guard hasValue, !x.text.isEmpty else { return }
                    var text = x.text
                    switch type {
                    case "s":
                        if let i = Int(String(decoding: text, as: UTF8.self)), i >= 0, i < shared.count { text = shared[i] }
                    case "b": if text == [0x31] { text = Array("TRUE".utf8) } else if text == [0x30] { text = Array("FALSE".utf8) }
                    case "d": text = Array(text.prefix(10))
                    case "inlineStr", "str", "e": break
                    default:
                        if style < dates.count, dates[style], let serial = Double(String(decoding: text, as: UTF8.self)),
                           let day = XLSXWorkbook.day(fromSerial: serial) {
                            text = Array(day.description.utf8)
                        }
                    }
                    if !text.isEmpty { cells.append((column, text)) }
                case "row":
                    if !cells.isEmpty { emit() }
                default: break
                }
            }
        }
        return out
    }

    /// A sheet name as a reference writes it: quoted when it has spaces or punctuation.
    static func quotedSheet(_ name: String) -> String {
        name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } ? name : "'" + name.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// The column of a reference such as `M118` (0 = A), nil when it has no letters.
    static func column(ofReference r: String) -> Int? {
        var c = 0, letters = 0
        for u in r.utf8 {
            if u >= 65 && u <= 90 { c = c * 26 + Int(u - 64); letters += 1 }
            else if u >= 97 && u <= 122 { c = c * 26 + Int(u - 96); letters += 1 }
            else { break }
        }
        return letters > 0 ? c - 1 : nil
    }

    /// The letters of column `c` (0 = A).
    static func letters(_ c: Int) -> String {
        var n = c + 1, s = ""
        while n > 0 { let r = (n - 1) % 26; s = String(UnicodeScalar(UInt8(65 + r))) + s; n = (n - 1) / 26 }
        return s
    }

    /// The day of an Excel serial (1900 date system: day 61 is 1900-03-01); nil outside
    /// 1900-03-01 … 9999-12-31.
    static func day(fromSerial serial: Double) -> Day? {
        guard serial.isFinite, serial >= 61, serial < 2_958_466 else { return nil }
        return Day(raw: Int32(Int(serial.rounded(.down)) - 25_569))
    }
}
