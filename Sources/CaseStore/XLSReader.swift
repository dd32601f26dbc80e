// Reading legacy Excel 97–2003 workbooks (.xls, BIFF8) through Debian's libfreexl: its cells as
// values (integers, doubles, shared and inline text in UTF-8, and dates: libfreexl reads each
// cell's number format and hands a date cell over as yyyy-mm-dd). A sheet becomes the same
// `SheetCSV` an .xlsx sheet does, so the loader, its checks and its messages (`cases.xls:案件!M118`)
// are one path for both. libfreexl does not report merged ranges: they are not filled.

import CFreeXL
import Foundation

/// An .xls workbook: its sheets by name, read on demand.
final class XLSWorkbook: Workbook {
    private var handle: UnsafeRawPointer?
    let sheets: [(name: String, part: String)]

    /// Whether the bytes begin as an OLE2 compound file (how .xls workbooks are stored).
    static func isCompoundFile(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        p.count >= 8 && Array(p[0..<8]) == [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
    }

    /// Opens the workbook at `path`. Throws `LoadError` naming the file.
    init(path: String) throws {
        var h: UnsafeRawPointer?
        let r = freexl_open(path, &h)
        guard r == FREEXL_OK, let h else {
            if let h { freexl_close(h) }
            if XLSWorkbook.isEncryptedPackage(path: path) {
                throw LoadError("the workbook is encrypted with a password (Excel's or WPS's “encrypt with password”); save a copy without the password and load that", file: path)
            }
            throw LoadError("cannot be read as an Excel 97–2003 workbook (\(XLSWorkbook.reason(r)))", file: path)
        }
        handle = h
        var count: UInt32 = 0
        var password: UInt32 = 0
        _ = freexl_get_info(h, UInt16(FREEXL_BIFF_PASSWORD), &password)
        if password == UInt32(FREEXL_BIFF_OBFUSCATED) {
            freexl_close(h)
            handle = nil
            throw LoadError("the workbook is protected by a password; save it without one, or as .xlsx", file: path)
        }
        _ = freexl_get_info(h, UInt16(FREEXL_BIFF_SHEET_COUNT), &count)
        var found: [(String, String)] = []
        for i in 0..<count {
            var name: UnsafePointer<CChar>?
            if freexl_get_worksheet_name(h, UInt16(i), &name) == FREEXL_OK, let name {
                found.append((String(cString: name), String(i)))
            }
        }
        sheets = found
    }

    deinit { if let handle { freexl_close(handle) } }

    /// Whether the compound file at `path` holds an `EncryptedPackage` stream: an .xlsx that
    /// Excel or WPS encrypted with a password is stored so (MS-OFFCRYPTO 2.3.4.4), not as a ZIP.
    static func isEncryptedPackage(path: String) -> Bool {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else { return false }
        let name = Data("EncryptedPackage".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        return data.range(of: name) != nil
    }

    static func reason(_ code: Int32) -> String {
        switch code {
        case FREEXL_FILE_NOT_FOUND: return "no such file"
        case FREEXL_INSUFFICIENT_MEMORY: return "not enough memory"
        default: return "damaged or not a workbook, libfreexl error \(code)"
        }
    }

    /// Sheet `name`'s rows as the loader reads them: numbers as written (a whole number without
    /// a fraction), text as it is, date cells as yyyy-mm-dd (a date-time's day). Throws
    /// `WorkbookError`.
    func rows(of name: String, specs: [FieldSpec]) throws -> SheetCSV {
        guard let handle, let index = sheets.first(where: { $0.name == name }).flatMap({ UInt16($0.part) }) else {
            throw WorkbookError(description: "no sheet \(name)")
        }
        guard freexl_select_active_worksheet(handle, index) == FREEXL_OK else { throw WorkbookError(description: "the sheet \(name) cannot be read") }
        var rowCount: UInt32 = 0
        var columnCount: UInt16 = 0
        guard freexl_worksheet_dimensions(handle, &rowCount, &columnCount) == FREEXL_OK else {
            throw WorkbookError(description: "the sheet \(name) cannot be read")
        }
        let reader = SheetReader(sheet: name, shared: SharedStrings(), dateStyles: [], filling: [])
        var cells: [(Int, [UInt8])] = []
        var value = FreeXL_CellValue()
        for r in 0..<rowCount {
            cells.removeAll(keepingCapacity: true)
            for c in 0..<columnCount {
                guard freexl_get_cell_value(handle, r, c, &value) == FREEXL_OK else {
                    throw WorkbookError(description: "\(XLSXWorkbook.quotedSheet(name))!\(XLSXWorkbook.letters(Int(c)))\(r + 1): cannot be read")
                }
                var text: [UInt8]
                switch Int32(value.type) {
                case FREEXL_CELL_INT: text = Array(String(value.value.int_value).utf8)
                case FREEXL_CELL_DOUBLE:
                    let d = value.value.double_value
                    text = Array((d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)).utf8)
                case FREEXL_CELL_TEXT, FREEXL_CELL_SST_TEXT, FREEXL_CELL_TIME:
                    text = value.value.text_value.map { Array(String(cString: $0).utf8) } ?? []
                case FREEXL_CELL_DATE, FREEXL_CELL_DATETIME:
                    text = value.value.text_value.map { Array(String(cString: $0).utf8.prefix(10)) } ?? []
                default: continue
                }
                if !text.isEmpty { cells.append((Int(c), text)) }
            }
            reader.append(row: Int(r) + 1, cells: cells)
        }
        return reader.out
    }
}

extension XLSWorkbook {
    /// Whether the file begins as an OLE2 compound file (false when it cannot be read).
    static func isCompoundFile(path: String) -> Bool {
        guard let f = fopen(path, "rb") else { return false }
        defer { fclose(f) }
        var head = [UInt8](repeating: 0, count: 8)
        guard fread(&head, 1, 8, f) == 8 else { return false }
        return head.withUnsafeBufferPointer { isCompoundFile($0) }
    }

    /// Whether a file named .xls is a workbook by its bytes: an Excel 97–2003 one, or an .xlsx
    /// saved under the old name (a ZIP archive: `PK\3\4`), as some systems and users do. An
    /// HTML table saved as .xls is neither (it is read as a table).
    static func isWorkbook(path: String) -> Bool {
        if isCompoundFile(path: path) { return true }
        guard let f = fopen(path, "rb") else { return false }
        defer { fclose(f) }
        var head = [UInt8](repeating: 0, count: 4)
        return fread(&head, 1, 4, f) == 4 && head == [0x50, 0x4B, 0x03, 0x04]
    }
}
