import Foundation
import Testing
@testable import CaseStore

// The pieces of the .xlsx reader that need no workbook; whole workbooks from openpyxl,
// libxlsxwriter, WPS-style and x:-prefixed XML are loaded in Tests/e2e/test_xlsx_read.py.

@Test func cellReferencesAndColumnLetters() {
    #expect(XLSXWorkbook.column(ofReference: "A1") == 0)
    #expect(XLSXWorkbook.column(ofReference: "M118") == 12)
    #expect(XLSXWorkbook.column(ofReference: "AA3") == 26)
    #expect(XLSXWorkbook.column(ofReference: "xfd1") == 16_383)
    #expect(XLSXWorkbook.column(ofReference: "12") == nil)
    for c in [0, 12, 25, 26, 51, 52, 701, 702, 16_383] {
        #expect(XLSXWorkbook.column(ofReference: XLSXWorkbook.letters(c) + "1") == c)
    }
}

@Test func dateFormatsAndSerials() {
    #expect(XLSXWorkbook.isDateFormat("yyyy/m/d;@"))
    #expect(XLSXWorkbook.isDateFormat("yyyy\"年\"m\"月\"d\"日\""))
    #expect(XLSXWorkbook.isDateFormat("[$-F800]dddd, mmmm dd, yyyy"))
    #expect(!XLSXWorkbook.isDateFormat("0.00%"))
    #expect(!XLSXWorkbook.isDateFormat("#,##0;[Red]-#,##0"))
    #expect(!XLSXWorkbook.isDateFormat("\"days\" 0"))
    // LibreOffice writes General as custom format 164; an exponent's E is not an era's year.
    #expect(!XLSXWorkbook.isDateFormat("General"))
    #expect(!XLSXWorkbook.isDateFormat("0.00E+00"))
    #expect(!XLSXWorkbook.isDateFormat("##0.0e-0"))
    #expect(XLSXWorkbook.isDateFormat("[$-411]ge.m.d"))
    #expect(XLSXWorkbook.builtinDateFormats.contains(14) && XLSXWorkbook.builtinDateFormats.contains(57))
    #expect(XLSXWorkbook.day(fromSerial: 43891)?.description == "2020-03-01")
    #expect(XLSXWorkbook.day(fromSerial: 43891.75)?.description == "2020-03-01")
    #expect(XLSXWorkbook.day(fromSerial: 61)?.description == "1900-03-01")
    #expect(XLSXWorkbook.day(fromSerial: 60) == nil)
    // The 1904 date system: serial 0 is 1904-01-01; 42429 (1904) is 43891 (1900).
    #expect(XLSXWorkbook.day(fromSerial: 0, date1904: true)?.description == "1904-01-01")
    #expect(XLSXWorkbook.day(fromSerial: 42429, date1904: true)?.description == "2020-03-01")
    // A serial in a CSV date column (a date saved without its format) reads as the same day.
    let serial = Array("43891".utf8)
    #expect(serial.withUnsafeBufferPointer { CellParser.serialDay($0) }?.description == "2020-03-01")
    #expect(Array("4389".utf8).withUnsafeBufferPointer { CellParser.serialDay($0) } == nil)
    #expect(Array("43891.5".utf8).withUnsafeBufferPointer { CellParser.serialDay($0) }?.description == "2020-03-01")
}

@Test func notAZipIsRefused() throws {
    let bytes = Array("id,kind\nA,proposal\n".utf8)
    #expect(throws: WorkbookError.self) { try bytes.withUnsafeBufferPointer { _ = try ZipArchive($0) } }
}

@Test func namesAsKeys() {
    func key(_ s: String) -> UInt64 { s.withCString { XMLName.key($0) } }
    #expect(key("row") == XMLName.key("row" as String))
    #expect(key("x:row") == XMLName.key("row" as String))
    #expect(key("a:b:c") == XMLName.key("c" as String))
    #expect(key("numFmtId") == XMLName.key("numFmtId" as String))
    #expect(key("mergeCell") == 0 && key("x:mergeCells") == 0)
    #expect("x:mergeCell".withCString { XMLName.equals($0, "mergeCell") })
    #expect(!"mergeCells".withCString { XMLName.equals($0, "mergeCell") })
    #expect("123".withCString { XMLName.int($0) } == 123)
    #expect("12a".withCString { XMLName.int($0) } == nil && "".withCString { XMLName.int($0) } == nil)
}

@Test func mergedRangeReferences() {
    func merge(_ s: String) -> SheetCSV.Merge? { s.withCString { SheetCSV.Merge(reference: $0) } }
    #expect(merge("C4:C6") == SheetCSV.Merge(firstRow: 4, lastRow: 6, firstColumn: 3, lastColumn: 3))
    #expect(merge("$A$1:$G$1") == SheetCSV.Merge(firstRow: 1, lastRow: 1, firstColumn: 1, lastColumn: 7))
    #expect(merge("B3:A2") == SheetCSV.Merge(firstRow: 2, lastRow: 3, firstColumn: 1, lastColumn: 2))
    #expect(merge("AA10") == SheetCSV.Merge(firstRow: 10, lastRow: 10, firstColumn: 27, lastColumn: 27))
    #expect(merge("A1:") == nil && merge("1:3") == nil && merge("A0:B2") == nil && merge("A1:B2x") == nil)
}

@Test func serialsAndDaysAsBytes() {
    #expect(SheetReader.serial(Array("43891".utf8)) == 43891)
    #expect(SheetReader.serial(Array("43891.25".utf8)) == 43891)
    #expect(SheetReader.serial(Array("4.3891E4".utf8)) == 43891)
    #expect(SheetReader.serial(Array("x".utf8)) == nil)
    var bytes: [UInt8] = []
    SheetReader.append(Day(year: 2020, month: 3, day: 1)!, to: &bytes)
    SheetReader.append(Day(year: 999, month: 12, day: 31)!, to: &bytes)
    #expect(String(decoding: bytes, as: UTF8.self) == "2020-03-010999-12-31")
    #expect(SheetReader.decimal(Array("0".utf8)) == 0 && SheetReader.decimal(Array("17".utf8)) == 17)
    #expect(SheetReader.decimal(Array("-1".utf8)) == nil && SheetReader.decimal([]) == nil)
}

@Test func escapedCharactersInCellText() {
    func decoded(_ s: String) -> String {
        var b = Array(s.utf8)
        XString.decode(&b)
        return String(decoding: b, as: UTF8.self)
    }
    #expect(decoded("第一行_x000D_\n第二行") == "第一行\r\n第二行")
    #expect(decoded("_x0009_") == "\t")
    #expect(decoded("a_x005F_x000D_b") == "a_x000D_b")      // an escaped underscore keeps the rest literal
    #expect(decoded("_xD83D__xDE00_") == "\u{1F600}")       // a surrogate pair
    #expect(decoded("_xD83D_") == "\u{FFFD}")               // a lone surrogate
    #expect(decoded("_x00e9_t_x00C9_") == "étÉ")
    #expect(decoded("_x12G4_ _x123_ x000D_ _X000D_") == "_x12G4_ _x123_ x000D_ _X000D_")
    #expect(decoded("关于_午餐_") == "关于_午餐_")
}
