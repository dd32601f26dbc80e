import Foundation
import Testing
@testable import CaseStore
import CaseQuery
@testable import CaseShell

// Workbooks: the row limit and sheet names. Cells, types and formats are read back with openpyxl
// in Tests/e2e/test_xlsx.py.

@Test func workbookOverTheRowLimitIsRefusedAndLeavesNothing() throws {
    let dir = NSTemporaryDirectory() + "caseql-xlsx-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    // One row more than fits below the header; the cells are never asked for.
    let big = ResultSet(columns: [ResultColumn(name: "n", numeric: true)], rowCount: XLSXExport.maxRows) { r, _ in .int(r) }
    let path = dir + "/big.xlsx"
    #expect(throws: ExportError.self) { try Exporter.write(big, to: path) }
    do { try Exporter.write(big, to: path) } catch let e as ExportError {
        #expect(e.description.contains("1048576 rows do not fit in a worksheet (at most 1048575 rows below the header)"))
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    // The same path writes a set that fits.
    var options = ExportOptions()
    options.headers = false
    let small = ResultSet(columns: [ResultColumn(name: "n", numeric: true)], rowCount: 3) { r, _ in .int(r) }
    #expect(try Exporter.write(small, to: path, options: options) == 3)
}

@Test func sheetNamesExcelAccepts() {
    var used = Set<String>()
    #expect(XLSXExport.sheetName("a/b:c[d]*?", used: &used) == "a_b_c_d___")
    #expect(XLSXExport.sheetName("'quoted'", used: &used) == "quoted")
    #expect(XLSXExport.sheetName("result", used: &used) == "result")
    #expect(XLSXExport.sheetName("Result", used: &used) == "Result (2)")
    let long = String(repeating: "办", count: 40)
    let name = XLSXExport.sheetName(long, used: &used)
    #expect(name.utf16.count == 31)
    #expect(XLSXExport.sheetName(long, used: &used) == String(repeating: "办", count: 27) + " (2)")
}

/// A literal `_xHHHH_` is written `_x005F_xHHHH_` (ECMA-376 ST_Xstring), so a reader that decodes
/// the escapes gets the text back; everything else is left as it is.
@Test func literalEscapesAreEscapedOnce() {
    #expect(XLSXExport.xstring("关于_x0041_的建议") == "关于_x005F_x0041_的建议")
    #expect(XLSXExport.xstring("_x005F_x0041_") == "_x005F_x005F_x005F_x0041_")
    #expect(XLSXExport.xstring("_x00zz_ _X0041_ _x004_ a_b") == "_x00zz_ _X0041_ _x004_ a_b")
    #expect(XLSXExport.xstring("_x0041__x0042_") == "_x005F_x0041__x005F_x0042_")
    // Decoding what was written (caseql's reader) gives the text back, for every overlap.
    for text in ["_x0041_", "_x005F_x0041_", "__x0041__", "_x0041__x0042_", "x_x00e9_y", "_x_x0041_"] {
        var bytes = Array(XLSXExport.xstring(text).utf8)
        XString.decode(&bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == text)
    }
}

/// Days before year 1000 keep four-digit years in every writer (Day.description and the fast
/// export path), so they read back.
@Test func oldYearsWriteFourDigits() throws {
    for text in ["0220-03-05", "0001-01-01", "0099-12-31", "0999-07-04", "2020-03-05"] {
        let d = try #require(Day(text))
        #expect(d.description == text)
        var b: [UInt8] = []
        Renderer.appendExport(.day(d), into: &b)
        #expect(String(decoding: b, as: UTF8.self) == text)
    }
}
