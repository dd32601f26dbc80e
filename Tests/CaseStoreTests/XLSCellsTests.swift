import Foundation
import Testing
@testable import CaseStore

// caseql's own BIFF8 reader, record by record, on workbook streams built here byte by byte:
// the shared-string table across CONTINUE records (split at the exact boundary, with either
// flag byte after it; rich-text runs and phonetic blocks skipped), RK's four encodings, MULRK,
// LABEL, NUMBER, BOOLERR, dates by the cell style's number format (built-in and custom, the
// Chinese ones among them) in the 1900 and 1904 systems; and damage named, not read past.

enum XLSBook {
    typealias R = BIFF
    static func u16(_ v: Int) -> [UInt8] { CFB.le16(v) }
    static func u32(_ v: Int) -> [UInt8] { CFB.le32(UInt32(v)) }
    static func bof(_ dt: Int) -> [UInt8] { R.record(0x0809, u16(0x0600) + u16(dt) + [UInt8](repeating: 0, count: 12)) }
    static func xf(_ format: Int) -> [UInt8] { R.record(0x00E0, u16(0) + u16(format) + [UInt8](repeating: 0, count: 16)) }
    /// A FORMAT record: custom format `id` with code `code` (UTF-16).
    static func format(_ id: Int, _ code: String) -> [UInt8] {
        let units = Array(code.utf16)
        return R.record(0x041E, u16(id) + u16(units.count) + [1] + units.flatMap { u16(Int($0)) })
    }
    /// A workbook stream: globals (`globals` after the BOF, then the sheet's BOUNDSHEET) and one
    /// worksheet `案件` holding `sheet`.
    static func stream(globals: [UInt8], sheet: [UInt8]) -> [UInt8] {
        let name = Array("案件".utf16)
        func head(_ offset: Int) -> [UInt8] {
            bof(0x0005) + globals
                + R.record(0x0085, u32(offset) + [0, 0, UInt8(name.count), 1] + name.flatMap { u16(Int($0)) })
                + R.record(0x000A, [])
        }
        return head(head(0).count) + bof(0x0010) + sheet + R.record(0x000A, [])
    }
    static func cell(_ type: Int, _ row: Int, _ column: Int, _ xf: Int, _ rest: [UInt8]) -> [UInt8] {
        R.record(type, u16(row) + u16(column) + u16(xf) + rest)
    }
    static func labelSST(_ row: Int, _ column: Int, _ index: Int) -> [UInt8] { cell(0x00FD, row, column, 0, u32(index)) }

    static func read(_ stream: [UInt8]) throws -> (BIFF8Workbook, [String: BIFFValue]) {
        let book = try BIFF8Workbook(stream: stream)
        let sheet = try #require(try book.sheet(named: "案件"))
        return (book, Dictionary(sheet.cells.map { ("\(XLSXWorkbook.letters($0.column))\($0.row + 1)", $0.value) }, uniquingKeysWith: { $1 }))
    }
}

/// The SST split into records where `cuts` say (byte offsets into the strings' bytes), each
/// CONTINUE that falls inside a string's characters starting with `flag`.
private func sst(count: Int, pieces: [[UInt8]]) -> [UInt8] {
    var out = BIFF.record(0x00FC, XLSBook.u32(count) + XLSBook.u32(count) + pieces[0])
    for p in pieces.dropFirst() { out += BIFF.record(0x003C, p) }
    return out
}

@Test(arguments: [UInt8(0), UInt8(1)]) func sharedStringsGoOnAcrossContinueRecordsWithTheirOwnFlagByte(flag: UInt8) throws {
    // String 1: "abcdef", compressed; the record ends after "abc" (the exact boundary), and the
    // CONTINUE goes on with "def" compressed (flag 0) or as UTF-16 (flag 1).
    let rest: [UInt8] = flag == 0 ? Array("def".utf8) : Array("def".utf16).flatMap { XLSBook.u16(Int($0)) }
    // String 2: "关于午餐" in UTF-16 with one rich-text run and a phonetic block of 6 bytes;
    // the runs cross into the third record. String 3 starts that record's rest, without a flag.
    let wide = Array("关于午餐".utf16).flatMap { XLSBook.u16(Int($0)) }
    let second: [UInt8] = XLSBook.u16(4) + [0x0D] + XLSBook.u16(1) + XLSBook.u32(6) + wide + [9, 9]
    let third: [UInt8] = [9, 9] + [1, 2, 3, 4, 5, 6] + XLSBook.u16(2) + [0] + Array("ok".utf8)
    let first: [UInt8] = XLSBook.u16(6) + [0] + Array("abc".utf8)
    let globals = sst(count: 3, pieces: [first, [flag] + rest + second, third])
    let sheet = XLSBook.labelSST(0, 0, 0) + XLSBook.labelSST(0, 1, 1) + XLSBook.labelSST(0, 2, 2)
    let (book, cells) = try XLSBook.read(XLSBook.stream(globals: globals, sheet: sheet))
    #expect(book.sharedStrings == ["abcdef", "关于午餐", "ok"])
    #expect(cells == ["A1": .text("abcdef"), "B1": .text("关于午餐"), "C1": .text("ok")])
}

@Test func aStringThatEndsAtARecordsEndLeavesTheNextToStartWithoutAFlag() throws {
    // "ab" fills the SST record; "cd" begins the CONTINUE with its own header (no flag byte first).
    let globals = sst(count: 2, pieces: [XLSBook.u16(2) + [0] + Array("ab".utf8), XLSBook.u16(2) + [1] + [0x63, 0, 0x64, 0]])
    let (book, _) = try XLSBook.read(XLSBook.stream(globals: globals, sheet: []))
    #expect(book.sharedStrings == ["ab", "cd"])
}

@Test func aSharedStringCutShortOrOutOfRangeIsDamageNamed() throws {
    // The table says 5 characters and holds 3, with no CONTINUE after it.
    let cut = sst(count: 1, pieces: [XLSBook.u16(5) + [0] + Array("abc".utf8)])
    #expect(throws: CompoundFileError.self) { try BIFF8Workbook(stream: XLSBook.stream(globals: cut, sheet: [])) }
    do { _ = try BIFF8Workbook(stream: XLSBook.stream(globals: cut, sheet: [])) } catch let e as CompoundFileError {
        #expect(e.description.contains("shared-string table") && e.description.contains("string 1 of 1"))
    }
    // A cell that refers to string 7 of 1.
    let one = sst(count: 1, pieces: [XLSBook.u16(1) + [0] + Array("a".utf8)])
    let book = try BIFF8Workbook(stream: XLSBook.stream(globals: one, sheet: XLSBook.labelSST(4, 2, 7)))
    do { _ = try book.sheet(named: "案件"); Issue.record("no error") } catch let e as CompoundFileError {
        #expect(e.description.contains("cell C5") && e.description.contains("shared string 7"))
    }
    // A damaged count (4 billion strings) reserves nothing it cannot fill.
    let huge = sst(count: 0xFFFF_FFFF, pieces: [XLSBook.u16(1) + [0] + Array("a".utf8)])
    #expect(try BIFF8Workbook(stream: XLSBook.stream(globals: huge, sheet: [])).sharedStrings == ["a"])
}

@Test func rkNumbersInTheirFourEncodings() {
    // Integer, integer ÷ 100, the high 30 bits of a double, and that ÷ 100.
    #expect(BIFF8Workbook.rk(UInt32(bitPattern: Int32(2020) << 2) | 0x02) == 2020)
    #expect(BIFF8Workbook.rk(UInt32(bitPattern: Int32(-1234) << 2) | 0x03) == -12.34)
    let high = UInt32(truncatingIfNeeded: (1.5).bitPattern >> 32)
    #expect(BIFF8Workbook.rk(high) == 1.5)
    let d = UInt32(truncatingIfNeeded: (123450.0).bitPattern >> 32)
    #expect(BIFF8Workbook.rk(d | 0x01) == 1234.5)
}

@Test func cellRecordsOfEveryKind() throws {
    let rk = { (v: Int) in UInt32(bitPattern: Int32(v) << 2) | 0x02 }
    let label = Array("教育局".utf16).flatMap { XLSBook.u16(Int($0)) }
    let sheet = XLSBook.cell(0x0203, 1, 0, 0, BIFF.double(12.25))                                       // A2 NUMBER
        + XLSBook.cell(0x027E, 1, 1, 0, CFB.le32(rk(7)))                                               // B2 RK
        // C2:E2 MULRK: 1, 2.5 (a double), 3; then the last column.
        + BIFF.record(0x00BD, XLSBook.u16(1) + XLSBook.u16(2)
            + XLSBook.u16(0) + CFB.le32(rk(1)) + XLSBook.u16(0) + CFB.le32(UInt32(truncatingIfNeeded: (2.5).bitPattern >> 32))
            + XLSBook.u16(0) + CFB.le32(rk(3)) + XLSBook.u16(4))
        + XLSBook.cell(0x0204, 2, 0, 0, XLSBook.u16(3) + [1] + label)                                  // A3 LABEL
        + XLSBook.cell(0x0204, 2, 1, 0, XLSBook.u16(4) + [0] + [0x63, 0x61, 0x66, 0xE9])                // B3 café (Latin-1)
        + XLSBook.cell(0x0205, 2, 2, 0, [1, 0])                                                        // C3 TRUE
        + XLSBook.cell(0x0205, 2, 3, 0, [0, 0])                                                        // D3 FALSE
        + XLSBook.cell(0x0205, 2, 4, 0, [0x2A, 1])                                                     // E3 #N/A
        + XLSBook.cell(0x0201, 2, 5, 0, [])                                                            // F3 BLANK
        + BIFF.record(0x00BE, XLSBook.u16(3) + XLSBook.u16(0) + XLSBook.u16(0) + XLSBook.u16(0) + XLSBook.u16(1))   // MULBLANK
    let (_, cells) = try XLSBook.read(XLSBook.stream(globals: [], sheet: sheet))
    #expect(cells == ["A2": .number(12.25, date: false), "B2": .number(7, date: false),
                      "C2": .number(1, date: false), "D2": .number(2.5, date: false), "E2": .number(3, date: false),
                      "A3": .text("教育局"), "B3": .text("café"), "C3": .bool(true), "D3": .bool(false), "E3": .error("#N/A")])
    // A MULRK whose last column does not match its count is damage.
    let bad = BIFF.record(0x00BD, XLSBook.u16(1) + XLSBook.u16(2) + XLSBook.u16(0) + CFB.le32(rk(1)) + XLSBook.u16(9))
    let book = try BIFF8Workbook(stream: XLSBook.stream(globals: [], sheet: bad))
    #expect(throws: CompoundFileError.self) { try book.sheet(named: "案件") }
    // A cell record shorter than its kind: damage named, not skipped.
    let short = BIFF.record(0x0203, XLSBook.u16(1) + XLSBook.u16(0) + XLSBook.u16(0) + [0, 0])
    do { _ = try BIFF8Workbook(stream: XLSBook.stream(globals: [], sheet: short)).sheet(named: "案件"); Issue.record("no error") }
    catch let e as CompoundFileError { #expect(e.description.contains("NUMBER record") && e.description.contains("shorter than the 14")) }
}

@Test func aRecordLengthChangedSoThatLaterRecordsAreMisreadIsDamageNotRowsLost() throws {
    // The tester's one_181574.xls: one byte of a ROW record's length changed (16 → 528), so the
    // records after it were read from the wrong bytes until some read as an EOF: 477 of 1,270
    // rows were left out with exit 0. A ROW of another length than 16 is damage named.
    let row = [UInt8](repeating: 0, count: 16)
    let number = XLSBook.cell(0x0203, 10, 3, 0, BIFF.double(1))
    let after = XLSBook.cell(0x0203, 11, 0, 0, BIFF.double(2))
    func error(_ sheet: [UInt8]) throws -> String {
        let book = try BIFF8Workbook(stream: XLSBook.stream(globals: [], sheet: sheet))
        do { _ = try book.sheet(named: "案件"); return "no error" } catch let e as CompoundFileError { return e.description }
    }
    #expect(try error(CFB.le16(0x0208) + CFB.le16(16 + 4) + row + number + after).contains("ROW record"))
    // A LABEL (of any length) grown by 4 swallows the NUMBER's header, whose body (row 10,
    // column 3) then reads as an EOF 3 bytes long: damage, not the sheet's end.
    let label = XLSBook.u16(0) + XLSBook.u16(0) + XLSBook.u16(0) + XLSBook.u16(1) + [0] + Array("a".utf8)
    let grown = CFB.le16(0x0204) + CFB.le16(label.count + 4) + label + number + after
    let message = try error(grown)
    #expect(message.contains("EOF record") && message.contains("3 bytes long"), "\(message)")
}

@Test(arguments: [false, true]) func datesByTheCellStylesNumberFormat(date1904: Bool) throws {
    // XF 0 General (the serial as a number); 1 built-in 14; 2 built-in 31 (yyyy年m月d日, Chinese Windows); 3 a custom
    // Chinese format with a locale and DBNum; 4 custom 0.00 (a number); 5 custom yyyy/m/d h:mm.
    let globals = (date1904 ? BIFF.record(0x0022, XLSBook.u16(1)) : [])
        + XLSBook.format(164, "[DBNum1][$-804]yyyy\"年\"m\"月\"d\"日\";@") + XLSBook.format(165, "0.00_ ;[Red]\\-0.00\\ ")
        + XLSBook.format(166, "yyyy/m/d h:mm")
        + XLSBook.xf(0) + XLSBook.xf(14) + XLSBook.xf(31) + XLSBook.xf(164) + XLSBook.xf(165) + XLSBook.xf(166)
    let serial = date1904 ? 43891.0 - 1462 : 43891.0   // 2020-03-01 in either system
    let sheet = (0..<6).map { XLSBook.cell(0x0203, 1, $0, $0, BIFF.double($0 == 5 ? serial + 0.75 : serial)) }.reduce([], +)
    let stream = XLSBook.stream(globals: globals, sheet: sheet)
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("dates-\(date1904)-\(getpid()).xls")
    try Data(CFB.file(stream: "Workbook", stream + [UInt8](repeating: 0, count: 4096))).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let book = try XLSWorkbook(path: file.path)
    #expect(book.records.date1904 == date1904)
    let csv = try book.rows(of: "案件", specs: [])
    let text = String(decoding: csv.bytes.array, as: UTF8.self)
    let plain = date1904 ? "42429" : "43891"
    #expect(text == "\(plain),2020-03-01,2020-03-01,2020-03-01,\(plain),2020-03-01\n")
}

@Test func anEncryptedWorkbookIsSaidSo() throws {
    let filepass = BIFF.record(0x002F, XLSBook.u16(1) + [UInt8](repeating: 0, count: 52))
    #expect(throws: BIFFPasswordError.self) { try BIFF8Workbook(stream: XLSBook.stream(globals: filepass, sheet: [])) }
}

@Test func anExcel95WorkbookIsReadInItsCodePage() throws {
    // BIFF5 in the stream `Book`: CODEPAGE 936 (GBK), the sheet's name and a LABEL in GBK, a number.
    func gbk(_ s: String) -> [UInt8] { Array(s.utf8).withUnsafeBufferPointer { Transcode.utf8ToGB18030($0)! } }
    let bof = { (dt: Int) in BIFF.record(0x0809, XLSBook.u16(0x0500) + XLSBook.u16(dt) + [0, 0, 0, 0]) }
    let name = gbk("案件"), unit = gbk("教育局")
    func globals(_ offset: Int) -> [UInt8] {
        bof(0x0005) + BIFF.record(0x0042, XLSBook.u16(936)) + XLSBook.xf(0)
            + BIFF.record(0x0085, XLSBook.u32(offset) + [0, 0, UInt8(name.count)] + name) + BIFF.record(0x000A, [])
    }
    let stream = globals(globals(0).count) + bof(0x0010)
        + XLSBook.cell(0x0204, 0, 0, 0, XLSBook.u16(unit.count) + unit) + XLSBook.cell(0x0203, 0, 1, 0, BIFF.double(2020))
        + BIFF.record(0x000A, [])
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("biff5-\(getpid()).xls")
    try Data(CFB.file(stream: "Book", stream, mini: true)).write(to: file)
    defer { try? FileManager.default.removeItem(at: file) }
    let book = try XLSWorkbook(path: file.path)
    #expect(book.records.isBIFF5)
    #expect(book.sheets.map({ $0.name }) == ["案件"])
    #expect(String(decoding: try book.rows(of: "案件", specs: []).bytes.array, as: UTF8.self) == "教育局,2020\n")
}

@Test func aSheetWithoutItsEOFOrAnOffsetIntoNothingIsDamage() throws {
    var stream = XLSBook.stream(globals: [], sheet: XLSBook.cell(0x0203, 1, 0, 0, BIFF.double(1)))
    stream.removeLast(4)   // the sheet's EOF
    let book = try BIFF8Workbook(stream: stream)
    do { _ = try book.sheet(named: "案件"); Issue.record("no error") } catch let e as CompoundFileError {
        #expect(e.description.contains("ends before its EOF"))
    }
}
