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
    #expect(XLSXWorkbook.builtinDateFormats.contains(14) && XLSXWorkbook.builtinDateFormats.contains(57))
    #expect(XLSXWorkbook.day(fromSerial: 43891)?.description == "2020-03-01")
    #expect(XLSXWorkbook.day(fromSerial: 43891.75)?.description == "2020-03-01")
    #expect(XLSXWorkbook.day(fromSerial: 61)?.description == "1900-03-01")
    #expect(XLSXWorkbook.day(fromSerial: 60) == nil)
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
