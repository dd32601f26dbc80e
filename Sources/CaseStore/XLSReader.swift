// Reading legacy Excel 97–2003 workbooks (.xls, BIFF8) through Debian's libfreexl: its cells as
// values (integers, doubles, shared and inline text in UTF-8, and dates: libfreexl reads each
// cell's number format and hands a date cell over as yyyy-mm-dd). What libfreexl 1.0.6 leaves
// empty — a formula's saved value (numbers, text, TRUE/FALSE, errors) and merged ranges — is read
// from the workbook stream by caseql itself (CompoundFile.swift, BIFF8.swift) and fills only the
// cells libfreexl gave empty. A sheet becomes the same `SheetCSV` an .xlsx sheet does, so the
// loader, its checks and its messages (`cases.xls:案件!M118`) are one path for both.

import CFreeXL
import Foundation

/// An .xls workbook: its sheets by name, read on demand.
final class XLSWorkbook: Workbook {
    private var handle: UnsafeRawPointer?
    let sheets: [(name: String, part: String)]
    /// The BIFF8 records libfreexl does not read; nil for a workbook older than BIFF8.
    private(set) var records: BIFF8Workbook?
    /// The sheets hidden in Excel or WPS: not "the first sheet", not read as cases.
    var hiddenSheets: Set<String> { records?.hidden ?? [] }

    /// Whether the bytes begin as an OLE2 compound file (how .xls workbooks are stored).
    static func isCompoundFile(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        p.count >= 8 && Array(p[0..<8]) == [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
    }

    /// The error for a workbook encrypted with a password (an OLE2 package, .xlsx or .xls).
    static func encrypted(_ path: String) -> LoadError {
        LoadError(Message(en: "the workbook is encrypted with a password (Excel's or WPS's “encrypt with password”); save a copy without the password and load that", zh: "工作簿用密码加密了（Excel 或 WPS 的“用密码进行加密”）；请另存一份不带密码的副本再加载"), file: path)
    }

    /// Opens the workbook at `path`. Throws `LoadError` naming the file.
    init(path: String) throws {
        // caseql's own reader walks the workbook's globals first: a damaged record there is
        // refused before libfreexl, which trusts record lengths, reads it.
        let ours: BIFF8Workbook?
        do { ours = try XLSWorkbook.records(path: path) } catch let e as CompoundFileError {
            if XLSWorkbook.isEncryptedPackage(path: path) { throw XLSWorkbook.encrypted(path) }
            throw LoadError(XLSWorkbook.damaged(e), file: path)
        } catch { ours = nil }
        var h: UnsafeRawPointer?
        let r = freexl_open(path, &h)
        guard r == FREEXL_OK, let h else {
            if let h { freexl_close(h) }
            if XLSWorkbook.isEncryptedPackage(path: path) { throw XLSWorkbook.encrypted(path) }
            // caseql's own reader of the container says what is wrong, where it can.
            if r != FREEXL_FILE_NOT_FOUND, r != FREEXL_INSUFFICIENT_MEMORY, let damage = XLSWorkbook.damage(path: path) {
                throw LoadError(XLSWorkbook.damaged(damage), file: path)
            }
            throw LoadError(Message(en: "cannot be read as an Excel 97–2003 workbook (", zh: "无法作为 Excel 97–2003 工作簿读取（") + XLSWorkbook.reason(r) + Message(en: ")", zh: "）"), file: path)
        }
        handle = h
        // The formulas' values and merged ranges, from the Workbook stream (BIFF8 only: an Excel
        // 95 workbook, BIFF5, keeps them as libfreexl gives them, and a load note says so).
        records = ours
        var count: UInt32 = 0
        var password: UInt32 = 0
        _ = freexl_get_info(h, UInt16(FREEXL_BIFF_PASSWORD), &password)
        if password == UInt32(FREEXL_BIFF_OBFUSCATED) {
            freexl_close(h)
            handle = nil
            throw LoadError(Message(en: "the workbook is protected by a password; save it without one, or as .xlsx", zh: "工作簿有密码保护；请去掉密码另存，或另存为 .xlsx"), file: path)
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

    /// The BIFF8 records of the workbook at `path`: nil when it keeps no BIFF8 `Workbook`
    /// stream (an Excel 95 one). Throws `LoadError` when the file cannot be read,
    /// `CompoundFileError` when the container or the stream is damaged.
    static func records(path: String) throws -> BIFF8Workbook? {
        let file = try FileBytes(path: path)
        let compound = try CompoundFile(Array(file.buffer))
        guard let stream = try compound.stream(named: "Workbook"), BIFF8Workbook.isBIFF8(stream) else { return nil }
        return try BIFF8Workbook(stream: stream)
    }

    /// What caseql's own reader finds wrong with a file libfreexl refused, nil when it finds nothing.
    static func damage(path: String) -> CompoundFileError? {
        do { _ = try records(path: path); return nil } catch let e as CompoundFileError { return e } catch { return nil }
    }

    /// A damaged workbook's message: what is wrong, and how to get a good copy.
    static func damaged(_ e: CompoundFileError) -> Message {
        Message(en: "cannot be read as an Excel 97–2003 workbook: \(e.description); open it in Excel or WPS and save it again (or ask for the file again), then load that copy",
                zh: "无法作为 Excel 97–2003 工作簿读取：\(e.description)；请用 Excel 或 WPS 打开后重新保存（或重新索取该文件），再加载那个副本")
    }

    /// Whether the compound file at `path` holds an `EncryptedPackage` stream: an .xlsx that
    /// Excel or WPS encrypted with a password is stored so (MS-OFFCRYPTO 2.3.4.4), not as a ZIP.
    static func isEncryptedPackage(path: String) -> Bool {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else { return false }
        let name = Data("EncryptedPackage".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        return data.range(of: name) != nil
    }

    static func reason(_ code: Int32) -> Message {
        switch code {
        case FREEXL_FILE_NOT_FOUND: return Message(en: "no such file", zh: "没有这个文件")
        case FREEXL_INSUFFICIENT_MEMORY: return Message(en: "not enough memory", zh: "内存不足")
        default: return Message(en: "damaged or not a workbook, libfreexl error \(code)", zh: "已损坏或不是工作簿，libfreexl 错误 \(code)")
        }
    }

    /// Sheet `name`'s rows as the loader reads them: numbers as written (a whole number without
    /// a fraction), text as it is, date cells as yyyy-mm-dd (a date-time's day), booleans as
    /// TRUE/FALSE; a formula's cell as its saved value (read from the workbook stream: libfreexl
    /// leaves it empty), an error (`#N/A`) as an empty cell named in `errorCells`; each merged
    /// range below the header given its value in every cell it covers, as an .xlsx's is
    /// (`SheetCSV.mergesBelowHeader`). Throws `WorkbookError`.
    func rows(of name: String, specs: [FieldSpec]) throws -> SheetCSV {
        guard let handle, let index = sheets.first(where: { $0.name == name }).flatMap({ UInt16($0.part) }) else {
            throw WorkbookError(.noSheet(name))
        }
        guard freexl_select_active_worksheet(handle, index) == FREEXL_OK else { throw WorkbookError(Message(en: "the sheet \(name) cannot be read", zh: "无法读取工作表 \(name)")) }
        var rowCount: UInt32 = 0
        var columnCount: UInt16 = 0
        guard freexl_worksheet_dimensions(handle, &rowCount, &columnCount) == FREEXL_OK else {
            throw WorkbookError(Message(en: "the sheet \(name) cannot be read", zh: "无法读取工作表 \(name)"))
        }
        let extra: BIFFSheet?
        do { extra = try records?.sheet(named: name) } catch let e as CompoundFileError {
            throw WorkbookError(Message(en: "\(e.description); open it in Excel or WPS and save it again, then load that copy", zh: "\(e.description)；请用 Excel 或 WPS 打开后重新保存，再加载那个副本"))
        }
        // What libfreexl left out, by row: formulas' values to fill in, errors to leave empty.
        var overlay: [Int: [(column: Int, value: BIFFValue)]] = [:]
        for cell in extra?.cells ?? [] { overlay[cell.row, default: []].append((cell.column, cell.value)) }
        var errorCells: [(cell: String, error: String)] = []
        let lastRow = max(Int(rowCount), (overlay.keys.max() ?? -1) + 1)
        var rows: [(number: Int, cells: [(Int, [UInt8])])] = []
        var value = FreeXL_CellValue()
        for r in 0..<lastRow {
            var cells: [(Int, [UInt8])] = []
            let extras = overlay[r] ?? []
            if r < Int(rowCount) {
                for c in 0..<columnCount {
                    guard freexl_get_cell_value(handle, UInt32(r), c, &value) == FREEXL_OK else {
                        throw WorkbookError(Message(en: ": cannot be read", zh: "：无法读取").prefixed("\(XLSXWorkbook.quotedSheet(name))!\(XLSXWorkbook.letters(Int(c)))\(r + 1)"))
                    }
                    // An error constant (BOOLERR) libfreexl gives as its code: not data.
                    if extras.contains(where: { $0.column == Int(c) && $0.value.isError }) { continue }
                    let text = XLSWorkbook.text(of: value)
                    if !text.isEmpty { cells.append((Int(c), text)) }
                }
            }
            for (c, v) in extras where !cells.contains(where: { $0.0 == c }) {
                switch v {
                case .error(let e): errorCells.append(("\(XLSXWorkbook.letters(c))\(r + 1)", e))
                case .number(let d, let date):
                    if date, let day = XLSXWorkbook.day(fromSerial: d, date1904: records?.date1904 ?? false) {
                        var t: [UInt8] = []
                        SheetReader.append(day, to: &t)
                        cells.append((c, t))
                    } else {
                        cells.append((c, XLSWorkbook.text(of: d)))
                    }
                case .text(let t): cells.append((c, Array(t.utf8)))
                case .bool(let b): cells.append((c, b ? SheetReader.trueBytes : SheetReader.falseBytes))
                }
            }
            // Every row, empty ones too: a merged range fills the rows it covers.
            rows.append((r + 1, cells.sorted { $0.0 < $1.0 }))
        }
        func read(filling: [SheetCSV.Merge]) -> SheetCSV {
            let reader = SheetReader(sheet: name, shared: SharedStrings(), dateStyles: [], filling: filling)
            for row in rows { reader.append(row: row.number, cells: row.cells) }
            var out = reader.out
            out.merges = extra?.merges ?? []
            out.errorCells = errorCells
            return out
        }
        let plain = read(filling: [])
        let below = plain.mergesBelowHeader(specs: specs)
        return below.isEmpty ? plain : read(filling: below)
    }

    /// A libfreexl cell's text: integers and doubles as `text(of:)`, text as it is, a date or
    /// date-time as its day (yyyy-mm-dd), a time as libfreexl writes it; empty for an empty cell.
    static func text(of value: FreeXL_CellValue) -> [UInt8] {
        switch Int32(value.type) {
        case FREEXL_CELL_INT: return Array(String(value.value.int_value).utf8)
        case FREEXL_CELL_DOUBLE: return text(of: value.value.double_value)
        case FREEXL_CELL_TEXT, FREEXL_CELL_SST_TEXT, FREEXL_CELL_TIME:
            return value.value.text_value.map { Array(String(cString: $0).utf8) } ?? []
        case FREEXL_CELL_DATE, FREEXL_CELL_DATETIME:
            return value.value.text_value.map { Array(String(cString: $0).utf8.prefix(10)) } ?? []
        default: return []
        }
    }

    /// A number as the loader reads it: a whole number without a fraction (`2020`, not `2020.0`).
    static func text(of d: Double) -> [UInt8] {
        Array((d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)).utf8)
    }
}

extension BIFFValue {
    var isError: Bool { if case .error = self { return true } else { return false } }
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
