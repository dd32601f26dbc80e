// .xlsx workbooks written through libxlsxwriter (Debian's libxlsxwriter-dev): real cells, not
// text in a file named .xlsx. Dates are date cells, counts numbers, rates numbers shown as
// percentages; the header row is frozen and carries an autofilter; each column is as wide as
// its widest cell (by display width: a Chinese character counts two).

import CXlsxWriter
import CaseQuery
import CaseStore
#if canImport(Glibc)
import Glibc
#endif

/// One sheet of a workbook: its name and its rows.
public struct WorkbookSheet {
    public var name: String
    public var result: ResultSet
    /// Lines written above the header, one a row in column A, the first in bold: what the sheet
    /// is and its scope (a report's title, the dataset and the day it counts to). Empty for a
    /// query's result, whose header is row 1.
    public var caption: [String]
    public init(name: String, result: ResultSet, caption: [String] = []) {
        self.name = name; self.result = result; self.caption = caption
    }
}

public enum XLSXExport {
    /// Rows in one sheet, the header row included (Excel's limit; WPS has the same).
    public static let maxRows = 1_048_576
    /// The longest text a cell holds (Excel's limit, in UTF-16 units).
    public static let maxCellText = 32_767
    /// Rows looked at to size the columns (a million-row export is not read twice).
    static let widthSampleRows = 2_000

    /// Writes the sheets as one workbook to `path` (which must be a new or temporary file: the
    /// caller renames it into place). Returns the data rows written.
    /// Throws `ExportError` when a sheet has more rows than a sheet holds (nothing is written),
    /// a cell's text is longer than a cell holds, or the file cannot be written.
    static func write(_ sheets: [WorkbookSheet], to path: String, finalPath: String, headers: Bool,
                      chineseHeaders: Bool) throws -> Int {
        func fail(_ why: Message) -> ExportError { ExportError(path: finalPath, why: why) }
        for s in sheets { try checkFits(s, headers: headers, path: finalPath) }
        var options = lxw_workbook_options()
        // Rows go to the file as they are written (a million rows in little memory); strings
        // are then written inline, which every reader handles.
        options.constant_memory = UInt8(LXW_TRUE.rawValue)
        guard let wb = workbook_new_opt(path, &options) else { throw fail(Message(en: "cannot create the workbook", zh: "无法创建工作簿")) }
        var closed = false
        defer { if !closed { _ = workbook_close(wb) } }

        let bold = workbook_add_format(wb)
        format_set_bold(bold)
        let dateFormat = workbook_add_format(wb)
        format_set_num_format(dateFormat, "yyyy-mm-dd")
        let rateFormat = workbook_add_format(wb)
        format_set_num_format(rateFormat, "0.0%")
        let numberFormat = workbook_add_format(wb)
        format_set_num_format(numberFormat, "0.00")

        var total = 0
        var used = Set<String>()
        for sheet in sheets {
            let name = sheetName(sheet.name, used: &used)
            guard let ws = workbook_add_worksheet(wb, name) else { throw fail(Message(en: "cannot add the sheet \(name)", zh: "无法添加工作表 \(name)")) }
            let r = sheet.result
            let n = r.columns.count
            // Column widths from the header and the first rows, set before any cell is written.
            var widths = r.columns.map { headers ? DisplayWidth.of(chineseHeaders ? $0.label : $0.name) : 0 }
            for row in 0..<min(r.rowCount, widthSampleRows) {
                for c in 0..<n {
                    let cell = r.cell(row, c)
                    let w: Int
                    switch cell {
                    case .day: w = 10
                    case .rate: w = 6
                    default: w = DisplayWidth.of(cell.text)
                    }
                    widths[c] = max(widths[c], w)
                }
            }
            for c in 0..<n {
                _ = worksheet_set_column(ws, lxw_col_t(c), lxw_col_t(c), Double(min(max(widths[c], 4), 80) + 2), nil)
            }
            var row: UInt32 = 0
            for (i, line) in sheet.caption.enumerated() {
                // Past the first column's width, as a title is: not the column's data.
                _ = worksheet_write_string(ws, row, 0, xstring(line), i == 0 ? bold : nil)
                row += 1
            }
            let headerRow = row
            if headers {
                for c in 0..<n {
                    let title = chineseHeaders ? r.columns[c].label : r.columns[c].name
                    _ = worksheet_write_string(ws, headerRow, lxw_col_t(c), xstring(title), bold)
                }
                _ = worksheet_freeze_panes(ws, headerRow + 1, 0)
                row += 1
            }
            for i in 0..<r.rowCount {
                for c in 0..<n {
                    let col = lxw_col_t(c)
                    var status = LXW_NO_ERROR
                    switch r.cell(i, c) {
                    case .null: continue
                    case .text(let s): status = writeText(ws, row, col, s)
                    case .list(let l): status = writeText(ws, row, col, l.joined(separator: ";"))
                    case .int(let v): status = worksheet_write_number(ws, row, col, Double(v), nil)
                    case .double(let d):
                        status = d.isFinite ? worksheet_write_number(ws, row, col, d, numberFormat) : writeText(ws, row, col, Cell.double(d).text)
                    case .rate(let d):
                        status = d.isFinite ? worksheet_write_number(ws, row, col, d, rateFormat) : writeText(ws, row, col, Cell.rate(d).text)
                    case .bool(let b): status = worksheet_write_boolean(ws, row, col, b ? 1 : 0, nil)
                    case .day(let d):
                        // Excel's serial day: days since 1899-12-30 (from 1900-03-01 on; earlier
                        // dates stay text, as Excel cannot show them as dates either).
                        let serial = Int(d.raw) + excelEpochOffset
                        status = serial >= 61 ? worksheet_write_number(ws, row, col, Double(serial), dateFormat)
                                              : writeText(ws, row, col, d.description)
                    }
                    if status == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED {
                        let column = r.columns[c]
                        throw fail(Message(en: "row \(i + 1), column \(column.name): text longer than a cell holds (\(maxCellText) characters)",
                                           zh: "第 \(i + 1) 行，\(column.label) 列：文字超出一个单元格的容量（\(maxCellText) 个字符）"))
                    }
                    if status != LXW_NO_ERROR { throw fail(.same(String(cString: lxw_strerror(status)))) }
                }
                row += 1
            }
            if n > 0 && headers {
                _ = worksheet_autofilter(ws, headerRow, 0, max(row - 1, headerRow), lxw_col_t(n - 1))
            }
            total += r.rowCount
        }
        closed = true
        let status = workbook_close(wb)
        if status != LXW_NO_ERROR { throw fail(.same(String(cString: lxw_strerror(status)))) }
        return total
    }

    /// Throws `ExportError` (naming `path`) when `sheet` has more rows than a worksheet holds
    /// (`maxRows`, less the header and caption rows).
    public static func checkFits(_ sheet: WorkbookSheet, headers: Bool, path: String) throws {
        let most = maxRows - (headers ? 1 : 0) - sheet.caption.count
        guard sheet.result.rowCount > most else { return }
        throw ExportError(path: path, why: Message(
            en: "\(sheet.result.rowCount) rows do not fit in a worksheet (at most \(most) rows below the header); narrow the query, or export to .csv",
            zh: "\(sheet.result.rowCount) 行放不进一张工作表（表头下最多 \(most) 行）；请缩小查询范围，或导出为 .csv"))
    }

    /// Days from 1899-12-30 (Excel's day 0, counting its phantom 1900-02-29) to 1970-01-01.
    public static let excelEpochOffset = 25_569

    /// Every string cell goes through here (headers through `xstring` too).
    private static func writeText(_ ws: UnsafeMutablePointer<lxw_worksheet>, _ row: UInt32, _ col: lxw_col_t, _ s: String) -> lxw_error {
        if s.isEmpty { return LXW_NO_ERROR }
        if s.utf16.count > maxCellText { return LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED }
        return worksheet_write_string(ws, row, col, xstring(s), nil)
    }

    /// `s` as an ECMA-376 ST_Xstring (Part 1, 22.9.2.19): a literal `_xHHHH_` in the text would
    /// be read back as the character U+HHHH (Excel, WPS, caseql's `XString.decode`), so its
    /// underscore is written `_x005F_`: `_x0041_` becomes `_x005F_x0041_`. libxlsxwriter
    /// escapes control characters this way but leaves literal `_xHHHH_` as it is.
    static func xstring(_ s: String) -> String {
        let u = Array(s.utf8)
        guard u.count >= 7, u.contains(0x5F) else { return s }
        func isHex(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) || (0x41...0x46).contains(b) || (0x61...0x66).contains(b) }
        var out: [UInt8] = []
        var copied = 0
        for i in 0...(u.count - 7) where u[i] == 0x5F && u[i + 1] == 0x78 && u[i + 6] == 0x5F
            && isHex(u[i + 2]) && isHex(u[i + 3]) && isHex(u[i + 4]) && isHex(u[i + 5]) {
            out.append(contentsOf: u[copied...i])
            out.append(contentsOf: Array("x005F_".utf8))
            copied = i + 1
        }
        guard copied > 0 else { return s }
        out.append(contentsOf: u[copied...])
        return String(decoding: out, as: UTF8.self)
    }

    /// A sheet name Excel accepts: without \ / ? * [ ] :, not starting or ending with ', at
    /// most 31 characters, not used before in the workbook.
    static func sheetName(_ wanted: String, used: inout Set<String>) -> String {
        var base = String(wanted.map { "\\/?*[]:".contains($0) ? "_" : $0 })
        while base.hasPrefix("'") { base.removeFirst() }
        while base.hasSuffix("'") { base.removeLast() }
        if base.isEmpty { base = "Sheet" }
        func cut(_ s: String, _ units: Int) -> String {
            var out = ""
            for ch in s where out.utf16.count + ch.utf16.count <= units { out.append(ch) }
            return out
        }
        var name = cut(base, 31)
        var k = 2
        while used.contains(name.lowercased()) {
            let suffix = " (\(k))"
            name = cut(base, 31 - suffix.utf16.count) + suffix
            k += 1
        }
        used.insert(name.lowercased())
        return name
    }
}
