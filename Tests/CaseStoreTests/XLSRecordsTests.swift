import Foundation
import Testing
@testable import CaseStore

// caseql's own reader of an .xls's container (MS-CFB) and of a sheet's BIFF8 records (formula
// results, error constants, merged ranges; XLSCellsTests.swift has the other cells), on compound files built here
// byte by byte and on the LibreOffice workbook Tests/e2e/fixtures/xls-formulas/formulas.xls;
// damaged ones (cut short at every length, bytes overwritten all along, chains that loop,
// counts the file cannot hold) must be a `CompoundFileError` or a reading, never a crash or a
// hang. Loading whole .xls files is Tests/e2e/test_xls_formulas.py's.

enum CFB {
    static let sector = 512
    static let end: UInt32 = 0xFFFF_FFFE, free: UInt32 = 0xFFFF_FFFF, fatSector: UInt32 = 0xFFFF_FFFD

    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    static func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }

    /// A version-3 compound file with one stream under the root: in regular sectors, or in the
    /// mini stream (`mini`, for streams under 4,096 bytes).
    static func file(stream name: String, _ data: [UInt8], mini: Bool = false) -> [UInt8] {
        var sectors: [[UInt8]] = [[]]   // sector 0: the FAT, written last
        var fat: [UInt32] = [fatSector]
        func add(_ bytes: [UInt8]) -> UInt32 {
            let n = max(1, (bytes.count + sector - 1) / sector)
            let start = sectors.count
            for k in 0..<n {
                var s = Array(bytes[min(k * sector, bytes.count)..<min((k + 1) * sector, bytes.count)])
                s += [UInt8](repeating: 0, count: sector - s.count)
                sectors.append(s)
                fat.append(k == n - 1 ? end : UInt32(start + k + 1))
            }
            return UInt32(start)
        }
        var streamStart: UInt32, rootStart = end, rootSize = 0, miniFATStart = end, miniFATCount = 0
        if mini {
            let n = (data.count + 63) / 64
            let miniStream = data + [UInt8](repeating: 0, count: n * 64 - data.count)
            rootStart = add(miniStream)
            rootSize = miniStream.count
            miniFATStart = add((0..<n).flatMap { le32($0 == n - 1 ? end : UInt32($0 + 1)) })
            miniFATCount = 1
            streamStart = 0
        } else {
            streamStart = add(data)
        }
        func entry(_ name: String, type: UInt8, child: UInt32, start: UInt32, size: Int) -> [UInt8] {
            var e = [UInt8](repeating: 0, count: 128)
            let units = Array(name.utf16)
            for (k, u) in units.enumerated() { e[2 * k] = UInt8(u & 0xFF); e[2 * k + 1] = UInt8(u >> 8) }
            e[64] = UInt8(units.count * 2 + 2)
            e[66] = type
            e[67] = 1
            e.replaceSubrange(68..<80, with: le32(free) + le32(free) + le32(child))
            e.replaceSubrange(116..<124, with: le32(start) + le32(UInt32(size)))
            return e
        }
        let directory = entry("Root Entry", type: 5, child: 1, start: rootStart, size: rootSize)
            + entry(name, type: 2, child: free, start: streamStart, size: data.count)
            + [UInt8](repeating: 0, count: 256)
        let dirStart = add(directory)
        precondition(fat.count <= sector / 4)
        sectors[0] = (fat + [UInt32](repeating: free, count: sector / 4 - fat.count)).flatMap(le32)
        var header = [UInt8](repeating: 0, count: sector)
        header.replaceSubrange(0..<8, with: CompoundFile.signature)
        header.replaceSubrange(24..<34, with: le16(0x3E) + le16(3) + le16(0xFFFE) + le16(9) + le16(6))
        header.replaceSubrange(44..<52, with: le32(1) + le32(dirStart))
        header.replaceSubrange(56..<76, with: le32(4096) + le32(miniFATStart) + le32(UInt32(miniFATCount)) + le32(end) + le32(0))
        header.replaceSubrange(76..<80, with: le32(0))
        for k in 1..<109 { header.replaceSubrange((76 + 4 * k)..<(80 + 4 * k), with: le32(free)) }
        return header + sectors.flatMap { $0 }
    }
}

enum BIFF {
    static func record(_ type: Int, _ body: [UInt8]) -> [UInt8] { CFB.le16(type) + CFB.le16(body.count) + body }
    static func double(_ d: Double) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: d.bitPattern >> UInt64(8 * $0)) } }
    static func formula(row: Int, column: Int, xf: Int, result: [UInt8]) -> [UInt8] {
        record(0x0006, CFB.le16(row) + CFB.le16(column) + CFB.le16(xf) + result + [0, 0] + [0, 0, 0, 0] + [0, 0])
    }
    static func special(_ kind: UInt8, _ value: UInt8) -> [UInt8] { [kind, 0, value, 0, 0, 0, 0xFF, 0xFF] }

    /// A workbook stream with one sheet `案件`: two cell styles (General, and built-in format 14,
    /// a date), and the sheet's `records`.
    static func workbook(_ sheetRecords: [UInt8], date1904: Bool = false) -> [UInt8] {
        let bof = { (dt: Int) in record(0x0809, CFB.le16(0x0600) + CFB.le16(dt) + [UInt8](repeating: 0, count: 12)) }
        let name = Array("案件".utf16)
        func globals(_ offset: Int) -> [UInt8] {
            bof(0x0005)
                + record(0x0022, CFB.le16(date1904 ? 1 : 0))
                + record(0x00E0, CFB.le16(0) + CFB.le16(0) + [UInt8](repeating: 0, count: 16))
                + record(0x00E0, CFB.le16(0) + CFB.le16(14) + [UInt8](repeating: 0, count: 16))
                + record(0x0085, CFB.le32(UInt32(offset)) + [0, 0, UInt8(name.count), 1] + name.flatMap { CFB.le16(Int($0)) })
                + record(0x000A, [])
        }
        let head = globals(0)
        return globals(head.count) + bof(0x0010) + sheetRecords + record(0x000A, [])
    }
}

/// A long text for a STRING record that goes on in a CONTINUE record, its second part in UTF-16.
private let longTitle = String(repeating: "a", count: 10) + "关于课后服务"

private func sheetRecords() -> [UInt8] {
    let ascii = Array(longTitle.utf8.prefix(10)), wide = Array("关于课后服务".utf16)
    return BIFF.formula(row: 2, column: 3, xf: 1, result: BIFF.double(43891))       // D3: a date, 2020-03-01
        + BIFF.formula(row: 2, column: 4, xf: 0, result: BIFF.double(12.5))         // E3: a number
        + BIFF.formula(row: 2, column: 5, xf: 0, result: BIFF.special(0, 0))        // F3: text, in STRING
        + BIFF.record(0x04BC, [1, 2, 3])                                            // SHRFMLA in between
        + BIFF.record(0x0207, CFB.le16(ascii.count + wide.count) + [0] + ascii)
        + BIFF.record(0x003C, [1] + wide.flatMap { CFB.le16(Int($0)) })
        + BIFF.formula(row: 2, column: 6, xf: 0, result: BIFF.special(1, 1))        // G3: TRUE
        + BIFF.formula(row: 3, column: 6, xf: 0, result: BIFF.special(1, 0))        // G4: FALSE
        + BIFF.formula(row: 3, column: 7, xf: 0, result: BIFF.special(2, 0x2A))     // H4: #N/A
        + BIFF.formula(row: 3, column: 8, xf: 0, result: BIFF.special(3, 0))        // I4: an empty text
        + BIFF.record(0x0205, CFB.le16(4) + CFB.le16(0) + CFB.le16(0) + [0x07, 1])  // A5: #DIV/0! constant
        + BIFF.record(0x0205, CFB.le16(4) + CFB.le16(1) + CFB.le16(0) + [1, 0])     // B5: a boolean
        + BIFF.record(0x00E5, CFB.le16(2) + [2, 0, 5, 0, 2, 0, 2, 0] + [0, 0, 0, 0, 0, 0, 9, 0])
}

private func readSheet(_ file: [UInt8]) throws -> BIFFSheet? {
    guard let stream = try CompoundFile(file).stream(named: "Workbook") else { return nil }
    let book = try BIFF8Workbook(stream: stream)
    return try book.sheets.first.flatMap { try book.sheet(named: $0.name) }
}

@Test(arguments: [false, true]) func formulaResultsAndMergedRangesAreRead(mini: Bool) throws {
    let stream = BIFF.workbook(sheetRecords())
    #expect(stream.count < 4096)   // padded past the mini stream cutoff for the regular sectors
    let padded = mini ? stream : stream + [UInt8](repeating: 0, count: max(0, 4096 - stream.count))
    let file = CFB.file(stream: "Workbook", padded, mini: mini)
    let sheet = try #require(try readSheet(file))
    #expect(sheet.name == "案件")
    let cells = Dictionary(uniqueKeysWithValues: sheet.cells.map { ("\(XLSXWorkbook.letters($0.column))\($0.row + 1)", $0.value) })
    #expect(cells == ["D3": .number(43891, date: true), "E3": .number(12.5, date: false), "F3": .text(longTitle),
                      "G3": .bool(true), "G4": .bool(false), "H4": .error("#N/A"), "A5": .error("#DIV/0!"), "B5": .bool(true)])
    #expect(sheet.merges == [SheetCSV.Merge(firstRow: 1, lastRow: 1, firstColumn: 1, lastColumn: 10),
                             SheetCSV.Merge(firstRow: 3, lastRow: 6, firstColumn: 3, lastColumn: 3)])
}

@Test func streamNamesCompareWithoutCaseAndAMissingOneIsNil() throws {
    let file = CFB.file(stream: "WORKBOOK", BIFF.workbook(sheetRecords()), mini: true)
    #expect(try CompoundFile(file).stream(named: "Workbook") != nil)
    #expect(try CompoundFile(file).stream(named: "Book") == nil)
}

@Test func damagedContainersAreErrorsThatSayWhat() throws {
    let stream = BIFF.workbook(sheetRecords())
    let good = CFB.file(stream: "Workbook", stream + [UInt8](repeating: 0, count: 4096))
    func error(_ bytes: [UInt8]) -> String {
        do { _ = try readSheet(bytes); return "no error" } catch let e as CompoundFileError { return e.description } catch { return "\(error)" }
    }
    // The stream's chain loops: its second sector points back at its first.
    var loop = good
    let fatBase = 512
    let first = 1   // the stream starts at sector 1 (sector 0 is the FAT)
    loop.replaceSubrange((fatBase + 4 * (first + 1))..<(fatBase + 4 * (first + 2)), with: CFB.le32(UInt32(first)))
    #expect(error(loop).contains("loops at sector 1"))
    // A chain that leaves the file.
    var outside = good
    outside.replaceSubrange((fatBase + 4 * first)..<(fatBase + 4 * (first + 1)), with: CFB.le32(0x00FF_FFFF))
    #expect(error(outside).contains("outside the file"))
    // A FAT count, a stream size, a sheet offset the file cannot hold.
    var fats = good
    fats.replaceSubrange(44..<48, with: CFB.le32(0xFFFF_FFF0))
    #expect(error(fats).contains("FAT sectors"))
    let directory = good.count - 512   // the directory is the last sector; the stream's entry is its second
    var size = good
    size.replaceSubrange((directory + 128 + 120)..<(directory + 128 + 124), with: CFB.le32(0x7FFF_FFFF))
    #expect(error(size).contains("more than the file's"))
    var offset = BIFF.workbook(sheetRecords())
    let boundsheet = offset.indices.first { offset[$0] == 0x85 && offset[$0 + 1] == 0 }!
    offset.replaceSubrange((boundsheet + 4)..<(boundsheet + 8), with: CFB.le32(0x0FFF_FFFF))
    #expect(error(CFB.file(stream: "Workbook", offset, mini: true)).contains("past the stream"))
    // Cut short: a record that runs past the stream's end.
    let cut = Array(stream.dropLast(10))
    #expect(error(CFB.file(stream: "Workbook", cut, mini: true)).contains("truncated"))
}

/// Every length the file may be cut to, and every byte overwritten, gives a reading or an error.
@Test func hostileBytesNeverCrash() throws {
    let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("e2e/fixtures/xls-formulas/formulas.xls")
    let real = try [UInt8](Data(contentsOf: fixture))
    #expect(try readSheet(real)?.cells.isEmpty == false)
    let built = CFB.file(stream: "Workbook", BIFF.workbook(sheetRecords()), mini: true)
    var tried = 0
    for file in [real, built] {
        for n in stride(from: 0, to: file.count, by: 13) {
            _ = try? readSheet(Array(file.prefix(n)))
            tried += 1
        }
        var rng = SystemRandomNumberGenerator()
        for i in stride(from: 0, to: file.count, by: 3) {
            for v: UInt8 in [0x00, 0xFF, 0x7F, UInt8.random(in: 0...255, using: &rng)] {
                var f = file
                f[i] = v
                _ = try? readSheet(f)
                tried += 1
            }
        }
    }
    #expect(tried > 10_000)
}

@Test func overlappingMergedRangesAreLeftOut() {
    let m = { (r0: Int, r1: Int, c0: Int, c1: Int) in SheetCSV.Merge(firstRow: r0, lastRow: r1, firstColumn: c0, lastColumn: c1) }
    // A unit merged down C3:C6 and a title across A1:J1 are kept; ranges over them are not.
    let ranges = [m(3, 6, 3, 3), m(1, 1, 1, 10), m(1, 65_536, 1, 256), m(5, 5, 2, 4), m(7, 9, 3, 3)]
    #expect(BIFF8Workbook.disjoint(ranges) == [m(1, 1, 1, 10), m(3, 6, 3, 3), m(7, 9, 3, 3)])
    // A thousand ranges over one sheet: one kept.
    #expect(BIFF8Workbook.disjoint(Array(repeating: m(1, 65_536, 1, 256), count: 1000)).count == 1)
}
