import Foundation
import Testing
import CaseStore
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
