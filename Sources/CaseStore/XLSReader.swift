// Reading legacy Excel 97–2003 workbooks (.xls, BIFF8) with caseql's own reader: the compound
// file (CompoundFile.swift) and the workbook stream's records (BIFF8.swift), every cell: numbers
// as written, text in UTF-8, dates by each cell's number format (as yyyy-mm-dd), booleans as
// TRUE/FALSE, a formula's cell as its saved value, merged ranges. A sheet becomes the same
// `SheetCSV` an .xlsx sheet does, so the loader, its checks and its messages
// (`cases.xls:案件!M118`) are one path for both.

import Foundation

/// An .xls workbook: its sheets by name, read on demand.
final class XLSWorkbook: Workbook {
    let sheets: [(name: String, part: String)]
    /// The workbook stream's globals and sheets.
    let records: BIFF8Workbook
    /// The sheets hidden in Excel or WPS: not "the first sheet", not read as cases.
    var hiddenSheets: Set<String> { records.hidden }

    /// Whether the bytes begin as an OLE2 compound file (how .xls workbooks are stored).
    static func isCompoundFile(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        p.count >= 8 && Array(p[0..<8]) == [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
    }

    /// The error for a workbook encrypted with a password (an OLE2 package, .xlsx or .xls).
    static func encrypted(_ path: String) -> LoadError {
        LoadError(Message(en: "the workbook is encrypted with a password (Excel's or WPS's “encrypt with password”); save a copy without the password and load that", zh: "工作簿用密码加密了（Excel 或 WPS 的“用密码进行加密”）；请另存一份不带密码的副本再加载"), file: path)
    }

    /// Opens the workbook at `path` and reads its globals (sheets, shared strings, formats).
    /// Throws `LoadError` naming the file: it cannot be read, is encrypted, holds no workbook,
    /// or is damaged (saying what is wrong).
    init(path: String) throws {
        do {
            records = try XLSWorkbook.records(path: path)
        } catch let e as CompoundFileError {
            if XLSWorkbook.isEncryptedPackage(path: path) { throw XLSWorkbook.encrypted(path) }
            throw LoadError(XLSWorkbook.damaged(e), file: path)
        } catch is BIFFPasswordError {
            throw LoadError(Message(en: "the workbook is protected by a password; save it without one, or as .xlsx", zh: "工作簿有密码保护；请去掉密码另存，或另存为 .xlsx"), file: path)
        }
        sheets = records.sheets.enumerated().map { ($0.element.name, String($0.offset)) }
    }

    /// The workbook stream (BIFF8, or an Excel 95 one's BIFF5) of the compound file at `path`.
    /// Throws `LoadError` when the file cannot be read, `CompoundFileError` when the container
    /// or the stream is damaged or holds no workbook, `BIFFPasswordError`.
    static func records(path: String) throws -> BIFF8Workbook {
        let file = try FileBytes(path: path)
        let compound = try CompoundFile(Array(file.buffer))
        // Excel 97 and later keep the stream `Workbook`, Excel 5.0 and 95 `Book`.
        guard let stream = try compound.stream(named: "Workbook") ?? compound.stream(named: "Book") else {
            if isEncryptedPackage(path: path) { throw encrypted(path) }
            throw CompoundFileError(description: "the file holds no Workbook stream (it may be another Office document saved with an .xls name)")
        }
        return try BIFF8Workbook(stream: stream)
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

    /// Sheet `name`'s rows as the loader reads them: numbers as written (a whole number without
    /// a fraction), text as it is, a number in a date-formatted cell as its day (yyyy-mm-dd),
    /// booleans as TRUE/FALSE; a formula's cell as its saved value, an error (`#N/A`) as an
    /// empty cell named in `errorCells`; each merged range below the header given its value in
    /// every cell it covers, as an .xlsx's is (`SheetCSV.mergesBelowHeader`). Throws
    /// `WorkbookError` (a damaged sheet: what is wrong).
    func rows(of name: String, specs: [FieldSpec]) throws -> SheetCSV {
        let sheet: BIFFSheet
        do {
            guard let s = try records.sheet(named: name) else { throw WorkbookError(.noSheet(name)) }
            sheet = s
        } catch let e as CompoundFileError {
            throw WorkbookError(Message(en: "\(e.description); open it in Excel or WPS and save it again, then load that copy", zh: "\(e.description)；请用 Excel 或 WPS 打开后重新保存，再加载那个副本"))
        }
        let (rows, errorCells) = XLSWorkbook.cellTexts(sheet, date1904: records.date1904)
        func read(filling: [SheetCSV.Merge]) -> SheetCSV {
            let reader = SheetReader(sheet: name, shared: SharedStrings(), dateStyles: [], filling: filling)
            // Every row, empty ones too: a merged range fills the rows it covers.
            for (r, cells) in rows.enumerated() { reader.append(row: r + 1, cells: cells) }
            var out = reader.out
            out.merges = sheet.merges
            out.errorCells = errorCells
            return out
        }
        let plain = read(filling: [])
        let below = plain.mergesBelowHeader(specs: specs)
        return below.isEmpty ? plain : read(filling: below)
    }

    /// A sheet's cells by row (0-based; every row up to the last that holds a cell) as the
    /// loader reads them: column (0 = A) and text, each row's in the sheet's order; and the
    /// cells holding an error (`B7`, `#N/A`), left out of the rows.
    static func cellTexts(_ sheet: BIFFSheet, date1904: Bool) -> (rows: [[(Int, [UInt8])]], errorCells: [(cell: String, error: String)]) {
        let rowCount = (sheet.cells.map { $0.row }.max() ?? -1) + 1
        var rows = [[(Int, [UInt8])]](repeating: [], count: rowCount)
        var errorCells: [(cell: String, error: String)] = []
        for (r, c, v) in sheet.cells {
            switch v {
            case .error(let e): errorCells.append(("\(XLSXWorkbook.letters(c))\(r + 1)", e))
            case .number(let d, let date):
                if date, let day = XLSXWorkbook.day(fromSerial: d, date1904: date1904) {
                    var t: [UInt8] = []
                    SheetReader.append(day, to: &t)
                    rows[r].append((c, t))
                } else {
                    rows[r].append((c, XLSWorkbook.text(of: d)))
                }
            case .text(let t): rows[r].append((c, Array(t.utf8)))
            case .bool(let b): rows[r].append((c, b ? SheetReader.trueBytes : SheetReader.falseBytes))
            }
        }
        return (rows, errorCells)
    }

    /// A number as the loader reads it: a whole number without a fraction (`2020`, not `2020.0`).
    static func text(of d: Double) -> [UInt8] {
        Array((d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)).utf8)
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
