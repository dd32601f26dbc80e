import CFreeXL
import Foundation
import Testing
@testable import CaseStore

// caseql's own BIFF8 reader against libfreexl 1.0.6 (the reader it replaces), cell by cell, on
// every .xls the repository's tests hold: each cell libfreexl reads is read by caseql to the
// same text, but where libfreexl is wrong (a boolean given as 1/0; an error constant given as
// its code). Cells caseql reads and libfreexl leaves empty (formulas' saved values) are counted.

private let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

private func workbooks() -> [String] {
    let e = FileManager.default.enumerator(atPath: testsFolder.path)
    var out: [String] = []
    while let f = e?.nextObject() as? String {
        if f.hasSuffix(".xls"), !f.contains("libfreexl-crashes") { out.append(testsFolder.appendingPathComponent(f).path) }
    }
    return out.sorted()
}

/// libfreexl's text of a cell, as caseql's loader read it before.
private func freexlText(_ value: FreeXL_CellValue) -> String {
    switch Int32(value.type) {
    case FREEXL_CELL_INT: return String(value.value.int_value)
    case FREEXL_CELL_DOUBLE: return String(decoding: XLSWorkbook.text(of: value.value.double_value), as: UTF8.self)
    case FREEXL_CELL_TEXT, FREEXL_CELL_SST_TEXT, FREEXL_CELL_TIME:
        return value.value.text_value.map { String(cString: $0) } ?? ""
    case FREEXL_CELL_DATE, FREEXL_CELL_DATETIME:
        return value.value.text_value.map { String(String(cString: $0).prefix(10)) } ?? ""
    default: return ""
    }
}

@Test func everyCellLibfreexlReadsIsReadTheSame() throws {
    let files = workbooks().filter { XLSWorkbook.isCompoundFile(path: $0) }
    #expect(files.count >= 5)
    var compared = 0, extra = 0
    for path in files {
        let ours = try XLSWorkbook(path: path)
        var handle: UnsafeRawPointer?
        guard freexl_open(path, &handle) == FREEXL_OK, let handle else { Issue.record("libfreexl refuses \(path)"); continue }
        defer { freexl_close(handle) }
        for (index, sheet) in ours.records.sheets.enumerated() {
            guard freexl_select_active_worksheet(handle, UInt16(index)) == FREEXL_OK else { Issue.record("\(path): sheet \(index)"); continue }
            var rows: UInt32 = 0
            var columns: UInt16 = 0
            _ = freexl_worksheet_dimensions(handle, &rows, &columns)
            let cells = try #require(try ours.records.sheet(named: sheet.name))
            var mine: [Int: BIFFValue] = [:]
            for c in cells.cells { mine[c.row << 8 | c.column] = c.value }
            let texts = XLSWorkbook.cellTexts(cells, date1904: ours.records.date1904).rows
            var text: [Int: String] = [:]
            for (r, row) in texts.enumerated() { for (c, t) in row { text[r << 8 | c] = String(decoding: t, as: UTF8.self) } }
            var value = FreeXL_CellValue()
            for r in 0..<Int(rows) {
                for c in 0..<Int(columns) {
                    guard freexl_get_cell_value(handle, UInt32(r), UInt16(c), &value) == FREEXL_OK else { continue }
                    let theirs = freexlText(value)
                    let key = r << 8 | c
                    if theirs.isEmpty { if text[key] != nil { extra += 1 }; continue }
                    switch mine[key] {
                    case .bool?, .error?: continue   // libfreexl: 1/0, and the error's code
                    default: break
                    }
                    #expect(text[key] == theirs, "\(path): \(sheet.name)!\(XLSXWorkbook.letters(c))\(r + 1)")
                    compared += 1
                }
            }
        }
    }
    #expect(compared > 800)
    print("xls differential: \(compared) cells the same as libfreexl's; \(extra) more read by caseql (formulas' values)")
}
