// The records of an .xls workbook stream (BIFF8, MS-XLS 2.4), read by caseql itself: every cell
// record a worksheet holds and the workbook globals they need.
//
// - Globals: BOUNDSHEET (the worksheets, where each starts, hidden or not), SST (the shared
//   strings, with the CONTINUE records a long table goes on in), FORMAT and XF (which cell
//   styles show dates), DATEMODE (the 1904 date system), CODEPAGE, FILEPASS (a password).
// - Cells: LABELSST (a shared string), LABEL and RSTRING (text in the cell record), NUMBER, RK
//   and MULRK (numbers), BOOLERR (a boolean or an error constant), FORMULA with its saved result
//   (a number, a boolean, an error, or text in the STRING record after it); BLANK and MULBLANK
//   (formatted empty cells) hold nothing. MERGEDCELLS gives the merged ranges.
//
// Strings: BIFF8 keeps text as UTF-16; a string whose characters all fit in a byte is stored
// "compressed", one byte a character, and those bytes are the characters' code points (Latin-1)
// whatever the CODEPAGE record says (MS-XLS 2.5.293: CODEPAGE is 1200, UTF-16, in BIFF8). A
// string split across CONTINUE records starts each continuation with its own flag byte, so one
// string can change from compressed to UTF-16 halfway. Rich-text runs and phonetic (Far East)
// blocks are skipped by their counts.
//
// An Excel 95 workbook (BIFF5, the stream `Book`) has the same cell records but LABELSST and
// MERGEDCELLS, and keeps its text one or two bytes a character in the CODEPAGE record's code
// page (936, GBK, on Chinese Windows; 1252 when there is no CODEPAGE), converted with iconv.
//
// Every record length and offset is checked against the record and the stream: a damaged
// stream is a `CompoundFileError` saying what is wrong, never a crash, a hang or rows lost.

/// A cell's value.
enum BIFFValue: Equatable {
    /// A number; `date` when the cell's style shows it as a date (or a time).
    case number(Double, date: Bool)
    case text(String)
    case bool(Bool)
    /// `#N/A`, `#DIV/0!`, …
    case error(String)
}

/// An .xls worksheet's cells and merged ranges.
struct BIFFSheet {
    var name: String
    /// Cells in the order the sheet keeps them, row and column 0-based (within BIFF8's 65,536
    /// rows and 256 columns). Empty text is left out.
    var cells: [(row: Int, column: Int, value: BIFFValue)] = []
    /// Merged ranges, rows and columns 1-based.
    var merges: [SheetCSV.Merge] = []
}

/// A workbook that FILEPASS says is encrypted: its records past the globals' first cannot be read.
struct BIFFPasswordError: Error {}

/// A BIFF8 workbook stream: its worksheets and what reading their cells needs.
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
    /// The shared strings (SST), in order.
    private(set) var sharedStrings: [String] = []
    /// The CODEPAGE record's code page (1200, UTF-16, in BIFF8); nil when there is none.
    private(set) var codePage: Int?
    /// Whether the stream is an Excel 95 one (BIFF5): text in `codePage`, one or two bytes a character.
    let isBIFF5: Bool

    /// Whether the stream is BIFF8 (Excel 97 and later).
    static func isBIFF8(_ stream: [UInt8]) -> Bool {
        stream.count >= 8 && stream[0] == 0x09 && stream[1] == 0x08 && stream[4] == 0x00 && stream[5] == 0x06
    }

    /// Whether the stream is BIFF5 (Excel 5.0 and 95).
    static func isBIFF5(_ stream: [UInt8]) -> Bool {
        stream.count >= 8 && stream[0] == 0x09 && stream[1] == 0x08 && stream[4] == 0x00 && stream[5] == 0x05
    }

    /// Reads the workbook globals (sheets, shared strings, formats, cell styles, date system).
    /// Throws `BIFFPasswordError` for an encrypted workbook, `CompoundFileError` when a record
    /// is damaged or runs past the stream.
    init(stream: [UInt8]) throws {
        self.stream = stream
        isBIFF5 = BIFF8Workbook.isBIFF5(stream)
        guard isBIFF5 || BIFF8Workbook.isBIFF8(stream) else { throw CompoundFileError(description: "the Workbook stream is neither BIFF8 (Excel 97–2003) nor BIFF5 (Excel 95)") }
        var records = BIFFRecords(stream, at: 0)
        var bounds: [(offset: Int, name: String)] = []
        var formats: [Int: String] = [:]
        var xfFormats: [Int] = []
        var sawEOF = false
        while let r = try records.next() {
            switch r.type {
            case 0x002F:   // FILEPASS: the rest is encrypted
                throw BIFFPasswordError()
            case 0x0085:   // BOUNDSHEET8: a sheet (dt 0: a worksheet), where it starts, whether hidden
                guard r.count >= 8 else { throw r.short(8, "BOUNDSHEET") }
                let offset = r.u32(0)
                if r[5] == 0 {
                    let name = isBIFF5 ? text8(r.body.dropFirst(7).prefix(Int(r[6]))) : BIFFRecords.shortString(r.body, at: 6)
                    bounds.append((offset, name))
                    if r[4] & 0x03 != 0 { hidden.insert(name) }   // hsState: 1 hidden, 2 very hidden
                }
            case 0x041E where r.count >= 3:   // FORMAT
                formats[r.u16(0)] = isBIFF5 ? text8(r.body.dropFirst(3).prefix(Int(r[2]))) : BIFFRecords.string(r.body, at: 2).0
            case 0x00E0 where r.count >= 4:   // XF: its number format
                xfFormats.append(r.u16(2))
            case 0x0022 where r.count >= 2:   // DATEMODE
                date1904 = r.u16(0) == 1
            case 0x0042 where r.count >= 2:   // CODEPAGE
                codePage = r.u16(0)
            case 0x00FC:   // SST, and the CONTINUE records it goes on in
                guard r.count >= 8 else { throw r.short(8, "SST") }
                var segments = [r.body.dropFirst(8)]
                while let more = try records.nextContinue() { segments.append(more) }
                sharedStrings = try BIFF8Workbook.sharedStrings(segments, count: r.u32(4), at: r.offset)
            case 0x000A:
                guard r.count == 0 else { throw r.wrongSize(0, "EOF", exact: true) }
                sawEOF = true
                records.stop()
            default: break
            }
        }
        guard sawEOF else { throw CompoundFileError(description: "the workbook is truncated: its globals end before their EOF record") }
        dateXF = xfFormats.map { f in formats[f].map(XLSXWorkbook.isDateFormat) ?? XLSXWorkbook.builtinDateFormats.contains(f) }
        sheets = bounds.map { ($0.name, $0.offset) }
    }

    /// BIFF5 text in the workbook's code page (1252 when it names none), as iconv converts it;
    /// byte by byte as Latin-1 where iconv cannot.
    func text8(_ bytes: ArraySlice<UInt8>) -> String {
        if bytes.allSatisfy({ $0 < 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        let page = codePage ?? 1252
        let name = page == 936 ? "GBK" : page == 950 ? "BIG5" : page == 949 ? "CP949" : page == 932 ? "CP932"
            : page == 10000 ? "MACINTOSH" : page == 32769 ? "WINDOWS-1252" : page < 1000 ? "CP\(page)" : "WINDOWS-\(page)"
        let converted = Array(bytes).withUnsafeBufferPointer { Transcode.convert($0, from: name, to: "UTF-8") }
        return converted.map { String(decoding: $0, as: UTF8.self) } ?? String(decoding: bytes.map { UInt16($0) }, as: UTF16.self)
    }

    /// The text at `o` of a LABEL, RSTRING or STRING record: BIFF8's XLUnicodeString (with the
    /// CONTINUE records after it), BIFF5's two-byte length and bytes in the code page.
    private func cellText(_ r: BIFFRecord, at o: Int, _ records: inout BIFFRecords) throws -> String {
        guard isBIFF5 else { return try records.continuedString(r, at: o) }
        guard r.count >= o + 2 else { throw r.short(o + 2, "text") }
        let n = r.u16(o)
        guard r.count >= o + 2 + n else {
            throw CompoundFileError(description: "the workbook is damaged: the text of record 0x\(String(r.type, radix: 16)) at byte \(r.offset) is \(n) bytes long and runs past its record")
        }
        return text8(r.body.dropFirst(o + 2).prefix(n))
    }

    /// The shared-string table (SST) from its bytes after the counts, split as the records were:
    /// at most `count` strings. Throws `CompoundFileError` when a string runs past the table.
    static func sharedStrings(_ segments: [ArraySlice<UInt8>], count: Int, at offset: Int) throws -> [String] {
        var bytes = ContinuedBytes(segments)
        var out: [String] = []
        // No more strings than the bytes could hold (three bytes the least): a damaged count
        // must not reserve gigabytes.
        out.reserveCapacity(min(count, bytes.total / 3))
        while out.count < count && !bytes.atEnd {
            do {
                let characters = Int(try bytes.u16())
                let flags = try bytes.byte()
                let runs = flags & 0x08 != 0 ? Int(try bytes.u16()) : 0
                let phonetic = flags & 0x04 != 0 ? Int(try bytes.u32()) : 0
                out.append(try bytes.characters(characters, wide: flags & 0x01 != 0))
                try bytes.skip(4 * runs)
                try bytes.skip(phonetic)
            } catch is ContinuedBytes.End {
                throw CompoundFileError(description: "the workbook is damaged: its shared-string table (SST at byte \(offset)) ends inside string \(out.count + 1) of \(count)")
            }
        }
        return out
    }

    /// Worksheet `name`'s cells and merged ranges; nil when the workbook has no worksheet so
    /// named. Throws `CompoundFileError` when its offset is not a sheet's start in the stream,
    /// a record is damaged or runs past it, or the sheet ends before its EOF record.
    func sheet(named name: String) throws -> BIFFSheet? {
        guard let offset = sheets.first(where: { $0.name == name })?.offset else { return nil }
        guard offset + 4 <= stream.count else {
            throw CompoundFileError(description: "the workbook is damaged: sheet \(name) starts at byte \(offset), past the stream's \(stream.count)")
        }
        guard stream[offset] == 0x09, stream[offset + 1] == 0x08 else {
            throw CompoundFileError(description: "the workbook is damaged: sheet \(name) is said to start at byte \(offset), where no sheet begins")
        }
        return try sheet(at: offset, name: name)
    }

    private static let errors: [UInt8: String] = [0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!",
                                                   0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A", 0x2B: "#GETTING_DATA"]

    private static func error(_ code: UInt8) -> String { errors[code] ?? "#ERR" + String(code, radix: 16, uppercase: true) }

    /// An RK number (MS-XLS 2.5.217): bit 1 says a 30-bit signed integer, else the high 30 bits
    /// of a double; bit 0 says divided by 100.
    static func rk(_ v: UInt32) -> Double {
        let d = v & 0x02 != 0 ? Double(Int32(bitPattern: v) >> 2) : Double(bitPattern: UInt64(v & 0xFFFF_FFFC) << 32)
        return v & 0x01 != 0 ? d / 100 : d
    }

    /// One worksheet's substream, from its BOF to its EOF (charts embedded in it skipped).
    private func sheet(at offset: Int, name: String) throws -> BIFFSheet {
        var out = BIFFSheet(name: name)
        var records = BIFFRecords(stream, at: offset)
        var depth = 0
        // A formula whose text is in the STRING record that follows it.
        var pendingText: (row: Int, column: Int)?
        func isDate(_ xf: Int) -> Bool { xf < dateXF.count && dateXF[xf] }
        // A cell record shorter than its kind is damage (LibreOffice writes some longer: a
        // BOOLERR of 9 bytes).
        func cell(_ r: BIFFRecord, _ size: Int, _ kind: String, exact: Bool = false) throws -> (row: Int, column: Int, xf: Int) {
            guard exact ? r.count == size : r.count >= size else { throw r.wrongSize(size, kind, exact: exact) }
            let column = r.u16(2)
            guard column < 256 else {
                throw CompoundFileError(description: "the workbook is damaged: sheet \(name) has a cell (\(kind) at byte \(r.offset)) in column \(column + 1), past the 256 columns of an .xls sheet")
            }
            return (r.u16(0), column, r.u16(4))
        }
        while let r = try records.next() {
            if r.type == 0x0809 { try r.checkBOF(); depth += 1; continue }
            if r.type == 0x000A {
                guard r.count == 0 else { throw r.wrongSize(0, "EOF", exact: true) }
                depth -= 1
                if depth <= 0 { records.stop() }
                continue
            }
            guard depth == 1 else { continue }
            switch r.type {
            case 0x0208:   // ROW: 16 bytes in every writer; another length is damage, and the
                // records after it would be read from the wrong bytes
                guard r.count == 16 else { throw r.wrongSize(16, "ROW", exact: true) }
            case 0x00FD where !isBIFF5:   // LABELSST
                let c = try cell(r, 10, "LABELSST")
                let i = r.u32(6)
                guard i < sharedStrings.count else {
                    throw CompoundFileError(description: "the workbook is damaged: cell \(XLSXWorkbook.letters(c.column))\(c.row + 1) of sheet \(name) refers to shared string \(i), and the workbook has \(sharedStrings.count)")
                }
                if !sharedStrings[i].isEmpty { out.cells.append((c.row, c.column, .text(sharedStrings[i]))) }
            case 0x0204, 0x00D6:   // LABEL, RSTRING: text in the record (runs after it left out)
                let c = try cell(r, isBIFF5 ? 8 : 9, r.type == 0x0204 ? "LABEL" : "RSTRING", exact: false)
                let text = try cellText(r, at: 6, &records)
                if !text.isEmpty { out.cells.append((c.row, c.column, .text(text))) }
            case 0x0203:   // NUMBER
                let c = try cell(r, 14, "NUMBER")
                let d = Double(bitPattern: r.u64(6))
                if d.isFinite { out.cells.append((c.row, c.column, .number(d, date: isDate(c.xf)))) }
            case 0x027E:   // RK
                let c = try cell(r, 10, "RK")
                out.cells.append((c.row, c.column, .number(BIFF8Workbook.rk(UInt32(r.u32(6))), date: isDate(c.xf))))
            case 0x00BD:   // MULRK: a run of RK cells along a row
                guard r.count >= 12 else { throw r.wrongSize(12, "MULRK", exact: false) }
                guard (r.count - 6) % 6 == 0 else {
                    throw CompoundFileError(description: "the workbook is damaged: sheet \(name)'s MULRK record at byte \(r.offset) is \(r.count) bytes long, not a whole number of cells")
                }
                let row = r.u16(0), first = r.u16(2), n = (r.count - 6) / 6
                let last = r.u16(r.count - 2)
                guard last == first + n - 1, last < 256 else {
                    throw CompoundFileError(description: "the workbook is damaged: sheet \(name)'s MULRK record at byte \(r.offset) holds \(n) cells for columns \(first + 1)–\(last + 1)")
                }
                for k in 0..<n {
                    let o = 4 + 6 * k
                    out.cells.append((row, first + k, .number(BIFF8Workbook.rk(UInt32(r.u32(o + 2))), date: isDate(r.u16(o)))))
                }
            case 0x0201:   // BLANK: a formatted empty cell
                _ = try cell(r, 6, "BLANK")
            case 0x0205:   // BOOLERR
                let c = try cell(r, 8, "BOOLERR")
                out.cells.append((c.row, c.column, r[7] != 0 ? .error(BIFF8Workbook.error(r[6])) : .bool(r[6] != 0)))
            case 0x0006:   // FORMULA: its saved result
                let c = try cell(r, 20, "FORMULA", exact: false)
                pendingText = nil
                if r[12] == 0xFF && r[13] == 0xFF {
                    switch r[6] {
                    case 0: pendingText = (c.row, c.column)
                    case 1: out.cells.append((c.row, c.column, .bool(r[8] != 0)))
                    case 2: out.cells.append((c.row, c.column, .error(BIFF8Workbook.error(r[8]))))
                    default: break   // 3: an empty text
                    }
                } else {
                    let d = Double(bitPattern: r.u64(6))
                    if d.isFinite { out.cells.append((c.row, c.column, .number(d, date: isDate(c.xf)))) }
                }
            case 0x0207:   // STRING: the text result of the formula before it
                if let p = pendingText {
                    let text = try cellText(r, at: 0, &records)
                    if !text.isEmpty { out.cells.append((p.row, p.column, .text(text))) }
                }
                pendingText = nil
            case 0x00E5 where r.count >= 2:   // MERGEDCELLS
                let n = r.u16(0)
                guard 2 + 8 * n <= r.count else { throw r.short(2 + 8 * n, "MERGEDCELLS") }
                for k in 0..<n {
                    let o = 2 + 8 * k
                    let r0 = r.u16(o), r1 = r.u16(o + 2)
                    let c0 = r.u16(o + 4), c1 = r.u16(o + 6)
                    guard max(c0, c1) < 256 else { continue }
                    out.merges.append(SheetCSV.Merge(firstRow: min(r0, r1) + 1, lastRow: max(r0, r1) + 1,
                                                     firstColumn: min(c0, c1) + 1, lastColumn: max(c0, c1) + 1))
                }
            case 0x04BC, 0x0221, 0x0236, 0x003C: break   // SHRFMLA, ARRAY, TABLE, CONTINUE: between a formula and its STRING
            default:
                pendingText = nil
            }
        }
        guard records.stopped else {
            throw CompoundFileError(description: "the workbook is truncated: sheet \(name) ends before its EOF record")
        }
        out.merges = BIFF8Workbook.disjoint(out.merges)
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

/// A record: its type, where it starts in the stream, and its body, read by offsets from the
/// body's start.
struct BIFFRecord {
    var type: Int
    var offset: Int
    var body: ArraySlice<UInt8>
    var count: Int { body.count }
    subscript(_ o: Int) -> UInt8 { body[body.startIndex + o] }
    func u16(_ o: Int) -> Int { Int(BIFFRecords.u16(body, o)) }
    func u32(_ o: Int) -> Int { Int(BIFFRecords.u32(body, o)) }
    func u64(_ o: Int) -> UInt64 { UInt64(BIFFRecords.u32(body, o)) | UInt64(BIFFRecords.u32(body, o + 4)) << 32 }

    /// The error for a record shorter than its kind holds.
    func short(_ size: Int, _ kind: String) -> CompoundFileError { wrongSize(size, kind, exact: false) }

    /// The error for a record of another size than its kind has (`exact`), or shorter.
    func wrongSize(_ size: Int, _ kind: String, exact: Bool) -> CompoundFileError {
        CompoundFileError(description: "the workbook is damaged: its \(kind) record at byte \(offset) is \(count) bytes long, "
            + (exact ? "where a record of its kind is \(size)" : "shorter than the \(size) it holds")
            + " (its length, or that of a record before it, is damaged)")
    }

    /// Throws unless a BOF record is one of BIFF8's (16 bytes, version 0x0600) or BIFF5's (8
    /// or more, 0x0500): one read from the wrong bytes is damage.
    func checkBOF() throws {
        guard count >= 8, u16(0) == 0x0600 && count == 16 || u16(0) == 0x0500 else {
            throw CompoundFileError(description: "the workbook is damaged: the record at byte \(offset) reads as the start of a sheet (BOF) and is not one (the length of a record before it is damaged)")
        }
    }
}

/// Bytes that go on across records (an SST and its CONTINUE records), read in order; a string's
/// characters that go on in the next record are preceded there by a fresh flag byte.
struct ContinuedBytes {
    /// Reading went past the last record.
    struct End: Error {}
    private let segments: [ArraySlice<UInt8>]
    private var segment = 0
    private var position: Int
    /// The bytes in all the records.
    let total: Int

    init(_ segments: [ArraySlice<UInt8>]) {
        self.segments = segments
        position = segments.first?.startIndex ?? 0
        total = segments.reduce(0) { $0 + $1.count }
    }

    /// Whether every byte has been read.
    var atEnd: Bool {
        var s = segment, p = position
        while s < segments.count {
            if p < segments[s].endIndex { return false }
            s += 1
            if s < segments.count { p = segments[s].startIndex }
        }
        return true
    }

    /// Moves past the ends of records to the next byte. Throws `End` after the last.
    private mutating func settle() throws {
        while segment < segments.count && position >= segments[segment].endIndex {
            segment += 1
            if segment < segments.count { position = segments[segment].startIndex }
        }
        if segment >= segments.count { throw End() }
    }

    mutating func byte() throws -> UInt8 {
        try settle()
        defer { position += 1 }
        return segments[segment][position]
    }

    mutating func u16() throws -> UInt16 { UInt16(try byte()) | UInt16(try byte()) << 8 }
    mutating func u32() throws -> UInt32 { UInt32(try u16()) | UInt32(try u16()) << 16 }

    /// Skips `n` bytes, across records.
    mutating func skip(_ n: Int) throws {
        var left = n
        while left > 0 {
            try settle()
            let step = min(left, segments[segment].endIndex - position)
            position += step
            left -= step
        }
    }

    /// `count` characters, one byte each (`wide` false: Latin-1) or two (UTF-16LE); where they
    /// go on in the next record, its first byte says anew which.
    mutating func characters(_ count: Int, wide: Bool) throws -> String {
        var units: [UInt16] = []
        units.reserveCapacity(count)
        var wide = wide
        while units.count < count {
            if segment >= segments.count || position >= segments[segment].endIndex {
                // The characters go on in the next record, after its own flag byte.
                segment += 1
                guard segment < segments.count, !segments[segment].isEmpty else { throw End() }
                position = segments[segment].startIndex
                wide = segments[segment][position] & 0x01 != 0
                position += 1
            }
            let s = segments[segment]
            let width = wide ? 2 : 1
            let n = min(count - units.count, (s.endIndex - position) / width)
            guard n > 0 else { throw End() }   // half a UTF-16 character left in the record
            if wide {
                for k in 0..<n { units.append(UInt16(s[position + 2 * k]) | UInt16(s[position + 2 * k + 1]) << 8) }
            } else {
                for k in 0..<n { units.append(UInt16(s[position + k])) }
            }
            position += n * width
        }
        return String(decoding: units, as: UTF16.self)
    }
}

/// The records of a BIFF stream from an offset: type, and body (at most 8,224 bytes in BIFF8).
struct BIFFRecords {
    private let stream: [UInt8]
    private var offset: Int
    /// Whether `stop` was called (a substream's EOF was met).
    private(set) var stopped = false

    init(_ stream: [UInt8], at offset: Int) {
        self.stream = stream
        self.offset = offset
    }

    mutating func stop() { stopped = true }

    /// The next record, nil at the stream's end (or after `stop`). Throws when a record's
    /// length runs past the stream (the file is cut short) or past what a record holds.
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
        let record = BIFFRecord(type: type, offset: offset, body: stream[start..<(start + length)])
        offset = start + length
        return record
    }

    /// The next record's body when it is a CONTINUE record (0x003C), nil (nothing read) when not.
    mutating func nextContinue() throws -> ArraySlice<UInt8>? {
        guard !stopped, offset + 4 <= stream.count, Int(stream[offset]) | Int(stream[offset + 1]) << 8 == 0x003C else { return nil }
        return try next()?.body
    }

    /// The XLUnicodeString at `o` of `record` (a LABEL's, a STRING's), with the CONTINUE
    /// records that carry the rest of a long one (each begins with its own flag byte: MS-XLS
    /// 2.5.293). Throws `CompoundFileError` when its characters run past them.
    mutating func continuedString(_ record: BIFFRecord, at o: Int) throws -> String {
        guard record.count >= o + 3 else { throw record.short(o + 3, "text") }
        let count = record.u16(o)
        var segments = [record.body.dropFirst(o + 3)]
        var copy = self
        var more: [ArraySlice<UInt8>] = []
        while let m = try copy.nextContinue() { more.append(m) }
        segments += more
        var bytes = ContinuedBytes(segments)
        do {
            let text = try bytes.characters(count, wide: record[o + 2] & 0x01 != 0)
            self = copy
            return text
        } catch {
            throw CompoundFileError(description: "the workbook is damaged: the text of record 0x\(String(record.type, radix: 16)) at byte \(record.offset) is \(count) characters long and runs past its record")
        }
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
