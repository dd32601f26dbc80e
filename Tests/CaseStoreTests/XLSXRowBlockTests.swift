import Foundation
import Testing
@testable import CaseStore

// A large sheet is read in blocks of rows on every core (XLSXRowBlocks.swift). These tests read
// generated sheets both ways, with blocks cut small so that a cut falls everywhere (inside rich
// text, before rows that do not name their number, between a row and rows of other widths), and
// check the results are the same records, lines, sheet rows and merged ranges.

/// A ZIP archive of stored members: what the reader needs of one (it does not check CRCs, so
/// none is written).
private func storedZip(_ members: [(String, String)]) -> [UInt8] {
    var out: [UInt8] = [], directory: [UInt8] = []
    func u16(_ v: Int, _ a: inout [UInt8]) { a += [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
    func u32(_ v: Int, _ a: inout [UInt8]) { u16(v & 0xFFFF, &a); u16(v >> 16 & 0xFFFF, &a) }
    for (name, text) in members {
        let data = Array(text.utf8), n = Array(name.utf8), offset = out.count
        u32(0x0403_4B50, &out); u16(20, &out); for _ in 0..<4 { u16(0, &out) }
        u32(0, &out); u32(data.count, &out); u32(data.count, &out); u16(n.count, &out); u16(0, &out)
        out += n + data
        u32(0x0201_4B50, &directory); u16(20, &directory); u16(20, &directory); for _ in 0..<4 { u16(0, &directory) }
        u32(0, &directory); u32(data.count, &directory); u32(data.count, &directory); u16(n.count, &directory)
        for _ in 0..<4 { u16(0, &directory) }
        u32(0, &directory); u32(offset, &directory)
        directory += n
    }
    let at = out.count
    out += directory
    u32(0x0605_4B50, &out); u16(0, &out); u16(0, &out); u16(members.count, &out); u16(members.count, &out)
    u32(directory.count, &out); u32(at, &out); u16(0, &out)
    return out
}

/// A workbook of one sheet, 案件, written to a temporary file: its path.
private func workbook(sheet: String, shared: [String]) throws -> String {
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    let rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    let members = [
        ("xl/workbook.xml", "<workbook xmlns=\"\(main)\" xmlns:r=\"\(rels)\"><sheets><sheet name=\"案件\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"),
        ("xl/_rels/workbook.xml.rels", "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + "<Relationship Id=\"rId1\" Type=\"\(rels)/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"),
        ("xl/styles.xml", "<styleSheet xmlns=\"\(main)\"><cellXfs count=\"2\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/></cellXfs></styleSheet>"),
        ("xl/sharedStrings.xml", "<sst xmlns=\"\(main)\">" + shared.map { "<si><t>\($0)</t></si>" }.joined() + "</sst>"),
        ("xl/worksheets/sheet1.xml", sheet),
    ]
    let path = NSTemporaryDirectory() + "caseql-blocks-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).xlsx"
    try Data(storedZip(members)).write(to: URL(fileURLWithPath: path))
    return path
}

/// A sheet of `rows` data rows under a header of six columns, in the spellings producers use:
/// namespace prefix `p` (`x:` or none), rows and cells that do not name their place, empty and
/// skipped rows, short and wide rows, shared and inline strings with rich-text runs, text with
/// commas, quotes and line breaks, dates as styled serials, booleans; `<rowBreaks>` and merged
/// ranges after the data; and, when `comments`, comments and a CDATA section that hold `<row`.
private func sheetXML(rows: Int, prefix p: String, comments: Bool, seed: UInt64) -> (String, [String]) {
    var rng = SplitMix64(seed: seed)
    func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
    let shared = ["教育局", "财政局", "a,b", "say \"hi\"", "&amp;&lt;x&gt;"]
    var s = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    s += "<\(p)worksheet xmlns\(p.isEmpty ? "" : ":" + p.dropLast())=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    s += "<\(p)dimension ref=\"A1:F\(rows + 1)\"/><\(p)sheetData>"
    s += "<\(p)row r=\"1\"><\(p)c r=\"A1\" t=\"inlineStr\"><\(p)is><\(p)t>id</\(p)t></\(p)is></\(p)c>"
        + ["B", "C", "D", "E", "F"].map { "<\(p)c r=\"\($0)1\" t=\"inlineStr\"><\(p)is><\(p)t>h\($0)</\(p)t></\(p)is></\(p)c>" }.joined()
        + "</\(p)row>"
    var r = 1
    for i in 0..<rows {
        r += pick(20) == 0 ? 2 : 1   // now and then a row number skipped
        let named = pick(4) != 0
        if comments && pick(50) == 0 { s += "<!-- <\(p)row r=\"\(r)\"><\(p)c/></\(p)row> -->" }
        if pick(30) == 0 { s += named ? "<\(p)row r=\"\(r)\" spans=\"1:6\"/>" : "<\(p)row/>"; continue }
        s += named ? "<\(p)row\n r=\"\(r)\">" : "<\(p)row>"
        var cells: [String] = []
        let refs = pick(3) != 0
        func ref(_ c: String) -> String { refs ? " r=\"\(c)\(r)\"" : "" }
        cells.append("<\(p)c\(ref("A")) t=\"inlineStr\"><\(p)is><\(p)t>A-\(i)</\(p)t></\(p)is></\(p)c>")
        cells.append("<\(p)c\(ref("B"))><\(p)v>\(pick(1000))</\(p)v></\(p)c>")
        cells.append("<\(p)c\(ref("C")) s=\"1\"><\(p)v>\(43_000 + pick(1000))</\(p)v></\(p)c>")
        switch pick(4) {
        case 0: cells.append("<\(p)c\(ref("D")) t=\"s\"><\(p)v>\(pick(shared.count))</\(p)v></\(p)c>")
        case 1: cells.append("<\(p)c\(ref("D")) t=\"inlineStr\"><\(p)is><\(p)r><\(p)t>x,\"y\"</\(p)t></\(p)r><\(p)r><\(p)t xml:space=\"preserve\">\n<!-- z --> z</\(p)t></\(p)r></\(p)is></\(p)c>")
        case 2 where comments: cells.append("<\(p)c\(ref("D")) t=\"inlineStr\"><\(p)is><\(p)t><![CDATA[<\(p)row r=\"2\">]]></\(p)t></\(p)is></\(p)c>")
        default: cells.append("<\(p)c\(ref("D"))/>")
        }
        cells.append("<\(p)c\(ref("E")) t=\"b\"><\(p)v>\(pick(2))</\(p)v></\(p)c>")
        switch pick(5) {
        case 0: break   // a short row
        case 1: cells.append("<\(p)c r=\"H\(r)\" t=\"str\"><\(p)f>1+1</\(p)f><\(p)v>2</\(p)v></\(p)c>")   // a wide one
        default: cells.append("<\(p)c\(ref("F")) t=\"s\"><\(p)v>\(pick(shared.count))</\(p)v></\(p)c>")
        }
        s += (refs && pick(10) == 0 ? cells.reversed() : cells).joined() + "</\(p)row>"
    }
    s += "</\(p)sheetData><\(p)rowBreaks count=\"1\"><\(p)brk id=\"5\"/></\(p)rowBreaks>"
    s += "<\(p)mergeCells count=\"2\"><\(p)mergeCell ref=\"A2:A3\"/><\(p)mergeCell ref=\"D10:E12\"/></\(p)mergeCells></\(p)worksheet>"
    return (s, shared)
}

private func expectSame(_ a: SheetCSV, _ b: SheetCSV, _ comment: Comment) {
    #expect(a.bytes == b.bytes, comment)
    #expect(a.lines == b.lines, comment)
    #expect(a.sheetRows == b.sheetRows, comment)
    #expect(a.merges == b.merges, comment)
}

@Suite struct RowBlocks {
    @Test(arguments: ["", "x:"]) func blocksGiveTheSequentialReadersRows(prefix: String) throws {
        let (xml, shared) = sheetXML(rows: 3000, prefix: prefix, comments: false, seed: 12)
        let path = try workbook(sheet: xml, shared: shared)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let book = try XLSXWorkbook(path: path)
        let part = book.sheets[0].part
        let whole = try book.csv(of: "案件", blockSize: Int.max / 4)
        #expect(whole.lines.count > 2800 && whole.merges.count == 2)
        for size in [64, 97, 1000, 40_000] {
            for workers in [1, 2, 3] {
                let blocks = try book.csvInBlocks(of: "案件", part: part, workers: workers, blockSize: size)
                #expect(blocks != nil, "prefix \(prefix), blocks of \(size) bytes, \(workers) workers: cut")
                if let blocks { expectSame(blocks, whole, "prefix \(prefix), blocks of \(size) bytes, \(workers) workers") }
            }
        }
    }

    @Test func moreRowsThanASixteenBitCount() throws {
        let (xml, shared) = sheetXML(rows: 70_000, prefix: "", comments: false, seed: 70)
        let path = try workbook(sheet: xml, shared: shared)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let book = try XLSXWorkbook(path: path)
        let whole = try book.csv(of: "案件", blockSize: Int.max / 4)
        let blocks = try book.csv(of: "案件", blockSize: 1 << 16)
        #expect(whole.lines.count > 65_536)
        expectSame(blocks, whole, "70,000 rows in blocks of 64 KiB")
    }

    @Test(arguments: [3, 5]) func rowTagsInCommentsAndCDATAAreNotCuts(seed: UInt64) throws {
        // A cut inside a comment or CDATA section leaves a block ill-formed: the sheet is read
        // again sequentially, to the same rows.
        let (xml, shared) = sheetXML(rows: 2000, prefix: "", comments: true, seed: seed)
        let path = try workbook(sheet: xml, shared: shared)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let book = try XLSXWorkbook(path: path)
        let whole = try book.csv(of: "案件", blockSize: Int.max / 4)
        for size in [64, 500, 5000] {
            expectSame(try book.csv(of: "案件", blockSize: size), whole, "comments, blocks of \(size) bytes")
        }
    }

    @Test func badXMLInALaterBlockIsNamedAtItsLine() throws {
        var (xml, shared) = sheetXML(rows: 2000, prefix: "", comments: false, seed: 9)
        // An unclosed cell far into the sheet, before its 1,500th row.
        let before = xml.components(separatedBy: "<row").prefix(1500).joined(separator: "<row")
        let at = xml.index(xml.startIndex, offsetBy: before.count)
        xml.insert(contentsOf: "\n<c>\n", at: at)
        let path = try workbook(sheet: xml, shared: shared)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let book = try XLSXWorkbook(path: path)
        func error(_ size: Int) -> String {
            do { _ = try book.csv(of: "案件", blockSize: size); return "no error" } catch { return "\(error)" }
        }
        let sequential = error(Int.max / 4)
        #expect(sequential.hasPrefix("xl/worksheets/sheet1.xml: bad XML at line "))
        #expect(error(1000) == sequential)
    }

    @Test func aSheetWhoseRowsStartPastItsFirstMebibyteIsReadByOneParser() throws {
        // 1.5 MiB of comments before the first row: no cut is tried, the rows are the same.
        var (xml, shared) = sheetXML(rows: 500, prefix: "", comments: false, seed: 4)
        let at = xml.range(of: "<sheetData>")!.upperBound
        xml.insert(contentsOf: String(repeating: "<!-- filler filler filler filler filler filler filler -->", count: 27_000), at: at)
        let path = try workbook(sheet: xml, shared: shared)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let book = try XLSXWorkbook(path: path)
        #expect(try book.csvInBlocks(of: "案件", part: book.sheets[0].part, workers: 2, blockSize: 1000) == nil)
        expectSame(try book.csv(of: "案件", blockSize: 1000), try book.csv(of: "案件", blockSize: Int.max / 4), "a long head")
    }
}
