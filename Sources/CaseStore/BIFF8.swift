// The BIFF8 records of an .xls workbook stream that libfreexl 1.0.6 does not hand over
// (MS-XLS 2.4): a formula's saved result (FORMULA 0x0006: a number, a boolean, an error, or
// text in the STRING record 0x0207 after it), error constants (BOOLERR 0x0205 with fError),
// and merged ranges (MERGEDCELLS 0x00E5). Measured on a workbook LibreOffice wrote
// (Tests/e2e/fixtures/xls-formulas): through libfreexl every formula cell, TRUE/FALSE saved as
// formulas and every merged cell but the top-left came back empty. The sheets are found by
// their BOUNDSHEET offsets; dates by the cell's XF and its number format (FORMAT, and the
// DATEMODE record's 1904 system), as libfreexl does for plain cells. Every record length and
// offset is checked: a damaged stream is a `CompoundFileError`, never a crash or a hang.

/// A formula's saved value, or an error constant.
enum BIFFValue: Equatable {
    case number(Double, date: Bool)
    case text(String)
    case bool(Bool)
    /// `#N/A`, `#DIV/0!`, …
    case error(String)
}

/// What an .xls sheet holds beyond what libfreexl reads.
struct BIFFSheet {
    var name: String
    /// Cells by row and column (0-based, within BIFF8's 65,536 rows and 256 columns: a record
    /// outside them is damage, left out): formulas' saved results and error constants.
    var cells: [(row: Int, column: Int, value: BIFFValue)] = []
    /// Merged ranges, rows and columns 1-based.
    var merges: [SheetCSV.Merge] = []
}

/// A BIFF8 workbook stream's worksheets, as far as `BIFFSheet` goes.
struct BIFF8Workbook {
    private let stream: [UInt8]
    /// The worksheets in workbook order: name and where its substream starts in the stream.
    private(set) var sheets: [(name: String, offset: Int)] = []
    /// The worksheets hidden in Excel or WPS (BOUNDSHEET8's hsState).
    private(set) var hidden: Set<String> = []
    /// For each cell style (XF): whether its number format shows a date.
    private var dateXF: [Bool] = []
    /// Whether serial days count from 1904-01-01.
    private(set) var date1904 = false

    /// Whether the stream is BIFF8 (Excel 97 and later; BIFF5 workbooks of Excel 95 are not read here).
    static func isBIFF8(_ stream: [UInt8]) -> Bool {
        stream.count >= 8 && stream[0] == 0x09 && stream[1] == 0x08 && stream[4] == 0x00 && stream[5] == 0x06
    }

    /// Reads the workbook globals (sheets, formats, cell styles, date system). Throws
    /// `CompoundFileError` when a record runs past the stream.
    init(stream: [UInt8]) throws {
        self.stream = stream
        guard BIFF8Workbook.isBIFF8(stream) else { throw CompoundFileError(description: "the Workbook stream is not BIFF8 (Excel 97–2003)") }
        var records = BIFFRecords(stream, at: 0)
        var bounds: [(offset: Int, name: String)] = []
        var formats: [Int: String] = [:]
        var xfFormats: [Int] = []
        while let r = try records.next() {
            switch r.type {
            case 0x0085 where r.count >= 8:   // BOUNDSHEET8: a worksheet (dt 0), where it starts, whether hidden
                let offset = r.u32(0)
                if r[5] == 0 {
                    let name = BIFFRecords.shortString(r.body, at: 6)
                    bounds.append((offset, name))
                    if r[4] & 0x03 != 0 { hidden.insert(name) }   // hsState: 1 hidden, 2 very hidden
                }
            case 0x041E where r.count >= 5:   // FORMAT
                formats[r.u16(0)] = BIFFRecords.string(r.body, at: 2).0
            case 0x00E0 where r.count >= 4:   // XF: its number format
                xfFormats.append(r.u16(2))
            case 0x0022 where r.count >= 2:   // DATEMODE
                date1904 = r.u16(0) == 1
            case 0x000A:
                records.stop()
            default: break
            }
        }
        dateXF = xfFormats.map { f in formats[f].map(XLSXWorkbook.isDateFormat) ?? XLSXWorkbook.builtinDateFormats.contains(f) }
        sheets = bounds.map { ($0.name, $0.offset) }
    }

    /// Worksheet `name`'s formulas' results, error constants and merged ranges; nil when the
    /// workbook has no worksheet so named. Throws `CompoundFileError` when its offset is outside
    /// the stream or a record runs past it.
    func sheet(named name: String) throws -> BIFFSheet? {
        guard let offset = sheets.first(where: { $0.name == name })?.offset else { return nil }
        guard offset + 4 <= stream.count else {
            throw CompoundFileError(description: "the workbook is damaged: sheet \(name) starts at byte \(offset), past the stream's \(stream.count)")
        }
        return try BIFF8Workbook.sheet(stream, at: offset, name: name, dateXF: dateXF)
    }

    private static let errors: [UInt8: String] = [0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!",
                                                   0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"]

    private static func error(_ code: UInt8) -> String { errors[code] ?? "#ERR" + String(code, radix: 16, uppercase: true) }

    /// One worksheet's substream, from its BOF to its EOF (charts embedded in it skipped).
    private static func sheet(_ stream: [UInt8], at offset: Int, name: String, dateXF: [Bool]) throws -> BIFFSheet {
        var out = BIFFSheet(name: name)
        var records = BIFFRecords(stream, at: offset)
        var depth = 0
        // A formula whose text is in the STRING record that follows it.
        var pendingText: (row: Int, column: Int)?
        while let r = try records.next() {
            switch r.type {
            case 0x0809: depth += 1
            case 0x000A:
                depth -= 1
                if depth <= 0 { records.stop() }
            case 0x0006 where depth == 1 && r.count >= 20 && r.u16(2) < 256:
                let row = r.u16(0), column = r.u16(2), xf = r.u16(4)
                pendingText = nil
                if r[12] == 0xFF && r[13] == 0xFF {
                    switch r[6] {
                    case 0: pendingText = (row, column)
                    case 1: out.cells.append((row, column, .bool(r[8] != 0)))
                    case 2: out.cells.append((row, column, .error(error(r[8]))))
                    default: break   // 3: an empty text
                    }
                } else {
                    let bits = (0..<8).reduce(UInt64(0)) { $0 | UInt64(r[6 + $1]) << UInt64(8 * $1) }
                    let d = Double(bitPattern: bits)
                    if d.isFinite { out.cells.append((row, column, .number(d, date: xf < dateXF.count && dateXF[xf]))) }
                }
            case 0x0207 where depth == 1:
                if let p = pendingText {
                    let text = records.continuedString(r.body)
                    if !text.isEmpty { out.cells.append((p.row, p.column, .text(text))) }
                }
                pendingText = nil
            case 0x0205 where depth == 1 && r.count >= 8 && r[7] != 0 && r.u16(2) < 256:   // BOOLERR: an error constant
                out.cells.append((r.u16(0), r.u16(2), .error(error(r[6]))))
            case 0x00E5 where depth == 1 && r.count >= 2:
                let n = r.u16(0)
                for k in 0..<n where 2 + 8 * k + 8 <= r.count {
                    let o = 2 + 8 * k
                    let r0 = r.u16(o), r1 = r.u16(o + 2)
                    let c0 = r.u16(o + 4), c1 = r.u16(o + 6)
                    guard max(c0, c1) < 256 else { continue }
                    out.merges.append(SheetCSV.Merge(firstRow: min(r0, r1) + 1, lastRow: max(r0, r1) + 1,
                                                     firstColumn: min(c0, c1) + 1, lastColumn: max(c0, c1) + 1))
                }
            case 0x04BC, 0x0221, 0x0236, 0x003C: break   // SHRFMLA, ARRAY, TABLE, CONTINUE: between a formula and its STRING
            default:
                if depth == 1 { pendingText = nil }
            }
        }
        out.merges = disjoint(out.merges)
        return out
    }

    /// The ranges that overlap none kept before them (in order of first row): Excel and WPS
    /// write merged ranges that never overlap, and filling overlapping ones (as a damaged or
    /// hostile file may hold a thousand ranges over one sheet) would be work without end.
    static func disjoint(_ merges: [SheetCSV.Merge]) -> [SheetCSV.Merge] {
        var kept: [SheetCSV.Merge] = []
        var open: [SheetCSV.Merge] = []   // kept ranges not yet ended at the current first row
        for m in merges.sorted(by: { ($0.firstRow, $0.firstColumn) < ($1.firstRow, $1.firstColumn) }) {
            open.removeAll { $0.lastRow < m.firstRow }
            guard !open.contains(where: { $0.firstColumn <= m.lastColumn && m.firstColumn <= $0.lastColumn }) else { continue }
            kept.append(m)
            open.append(m)
        }
        return kept
    }
}

/// A record: its type and body, read by offsets from the body's start.
struct BIFFRecord {
    var type: Int
    var body: ArraySlice<UInt8>
    var count: Int { body.count }
    subscript(_ o: Int) -> UInt8 { body[body.startIndex + o] }
    func u16(_ o: Int) -> Int { Int(BIFFRecords.u16(body, o)) }
    func u32(_ o: Int) -> Int { Int(BIFFRecords.u32(body, o)) }
}

/// The records of a BIFF stream from an offset: type, and body (at most 8,224 bytes in BIFF8;
/// any length that stays inside the stream is taken).
struct BIFFRecords {
    private let stream: [UInt8]
    private var offset: Int
    private var stopped = false

    init(_ stream: [UInt8], at offset: Int) {
        self.stream = stream
        self.offset = offset
    }

    mutating func stop() { stopped = true }

    /// The next record, nil at the stream's end (or after `stop`). Throws when a record's
    /// length runs past the stream: the file is cut short.
    mutating func next() throws -> BIFFRecord? {
        guard !stopped, offset + 4 <= stream.count else { return nil }
        let type = Int(stream[offset]) | Int(stream[offset + 1]) << 8
        let length = Int(stream[offset + 2]) | Int(stream[offset + 3]) << 8
        let start = offset + 4
        // MS-XLS 2.1.4: a record's data is at most 8,224 bytes; a longer one is damage that
        // would make every record after it unreadable (rows lost without a word).
        guard length <= 8224 else {
            throw CompoundFileError(description: "the workbook is damaged: record 0x\(String(type, radix: 16)) at byte \(offset) says it is \(length) bytes long, more than a record holds (8,224)")
        }
        guard start + length <= stream.count else {
            throw CompoundFileError(description: "the workbook is truncated: record 0x\(String(type, radix: 16)) at byte \(offset) runs past the stream's end")
        }
        offset = start + length
        return BIFFRecord(type: type, body: stream[start..<(start + length)])
    }

    /// The text of a STRING record, with the CONTINUE records that carry the rest of a long one
    /// (each begins with its own byte of flags: MS-XLS 2.5.293).
    mutating func continuedString(_ body: ArraySlice<UInt8>) -> String {
        guard body.count >= 3 else { return "" }
        let count = Int(BIFFRecords.u16(body, 0))
        var units: [UInt16] = []
        units.reserveCapacity(min(count, 1 << 16))
        func take(_ b: ArraySlice<UInt8>, from: Int, wide: Bool) {
            var i = from
            while units.count < count {
                if wide {
                    guard i + 1 < b.count else { break }
                    units.append(UInt16(b[b.startIndex + i]) | UInt16(b[b.startIndex + i + 1]) << 8); i += 2
                } else {
                    guard i < b.count else { break }
                    units.append(UInt16(b[b.startIndex + i])); i += 1
                }
            }
        }
        take(body, from: 3, wide: body[body.startIndex + 2] & 1 != 0)
        while units.count < count, offset + 4 <= stream.count,
              Int(stream[offset]) | Int(stream[offset + 1]) << 8 == 0x003C {
            guard let more = try? next()?.body, !more.isEmpty else { break }
            take(more, from: 1, wide: more[more.startIndex] & 1 != 0)
        }
        return String(decoding: units, as: UTF16.self)
    }

    static func u16(_ b: ArraySlice<UInt8>, _ o: Int) -> UInt16 {
        UInt16(b[b.startIndex + o]) | UInt16(b[b.startIndex + o + 1]) << 8
    }

    static func u32(_ b: ArraySlice<UInt8>, _ o: Int) -> UInt32 {
        UInt32(u16(b, o)) | UInt32(u16(b, o + 2)) << 16
    }

    /// An XLUnicodeString (2-byte count, a byte of flags, then the characters) at `o`: its text
    /// (cut at the body's end) and the offset after it.
    static func string(_ b: ArraySlice<UInt8>, at o: Int) -> (String, Int) {
        guard o + 3 <= b.count else { return ("", b.count) }
        return characters(b, at: o + 3, count: Int(u16(b, o)), wide: b[b.startIndex + o + 2] & 1 != 0)
    }

    /// A ShortXLUnicodeString (1-byte count, a byte of flags, the characters) at `o`.
    static func shortString(_ b: ArraySlice<UInt8>, at o: Int) -> String {
        guard o + 2 <= b.count else { return "" }
        return characters(b, at: o + 2, count: Int(b[b.startIndex + o]), wide: b[b.startIndex + o + 1] & 1 != 0).0
    }

    private static func characters(_ b: ArraySlice<UInt8>, at o: Int, count: Int, wide: Bool) -> (String, Int) {
        let width = wide ? 2 : 1
        let n = max(0, min(count, (b.count - o) / width))
        var units: [UInt16] = []
        units.reserveCapacity(n)
        for k in 0..<n {
            let p = b.startIndex + o + k * width
            units.append(wide ? UInt16(b[p]) | UInt16(b[p + 1]) << 8 : UInt16(b[p]))
        }
        return (String(decoding: units, as: UTF16.self), o + n * width)
    }
}
