import Foundation

/// Loads one CSV file into one table: its encoding found (Encoding.swift), its header bound to the
/// table's fields (ColumnBinding.swift), its rows parsed in blocks (RowBlockParser.swift, cells by
/// CellParser), in parts at once for a large file (PartedParse.swift), then checked across rows
/// with the rejected rows written out (LoadRejects.swift).
struct TableLoader {
    let path: String
    let name: String
    let table: Table
    let options: LoadOptions
    let extra: RowCheck?
    var issues: [LoadIssue] = []
    var issueTotal = 0
    var warnings: [Message] = []
    var fileReport: LoadReport.FileReport
    var file: FileBytes
    /// The header's rows (bytes), copied to the top of a rejects file.
    var headerBytes = 0..<0
    /// The manifest's kind for a list of one kind (when the file has no kind column).
    var manifestKind: Kind?
    /// The kind the name of a sheet (`政协委员提案`) or file (`提案.xlsx`) names, for a list with
    /// no kind column: after `--kind` and the manifest's, or before them when `sheetKindFirst`
    /// (one of several sheets read as one list). Section headings in the list override it.
    var sheetKind: Kind?
    var sheetKindFirst = false
    static let keptIssues = 200
    /// For a sheet of a workbook: its rows as CSV, which names the cell of each issue.
    var sheet: SheetCSV?
    /// The rejects file's name without `.rejects.csv` (default: the file's name without extension).
    var rejectsBase: String?
    /// What the load notes call the list: the file's name, with the sheet's for one of several
    /// sheets of a workbook (`book.xlsx:建议`).
    var noteName: String { sheetName.map { name + ":" + $0 } ?? name }
    var sheetName: String?

    /// Loads the rows of a workbook's sheet (made CSV by `XLSXWorkbook.csv(of:)`); issues name
    /// the file and the sheet's cell.
    init(sheet: SheetCSV, path: String, table: Table, options: LoadOptions, extra: RowCheck?, rejectsBase: String) throws {
        self.path = path
        self.name = (path as NSString).lastPathComponent
        self.table = table
        var o = options
        o.encoding = .utf8
        self.options = o
        self.extra = extra
        let sheet = sheet.trimmedToHeader(specs: table.specs)
        self.sheet = sheet
        self.rejectsBase = rejectsBase
        file = FileBytes(adopting: sheet.bytes)
        fileReport = LoadReport.FileReport(file: path, encoding: .utf8, hadBOM: false, rows: 0, rejected: 0)
        fileReport.sheet = sheet.sheet
        guard !sheet.bytes.isEmpty else { throw LoadError(Message(en: "the sheet \(sheet.sheet) is empty (expected a header row and data rows)", zh: "工作表 \(sheet.sheet) 是空的（应有表头行和数据行）"), file: path) }
    }

    /// The issue with its cell named, for a sheet.
    func named(_ issue: LoadIssue) -> LoadIssue {
        guard let sheet, issue.line > 0 else { return issue }
        var i = issue
        i.cell = sheet.cell(line: issue.line, column: issue.column)
        return i
    }

    init(path: String, table: Table, options: LoadOptions, extra: RowCheck?) throws {
        self.path = path
        self.name = (path as NSString).lastPathComponent
        self.table = table
        self.options = options
        self.extra = extra
        file = try FileBytes(path: path)
        var data = file.buffer
        guard !data.isEmpty else { throw LoadError(Message(en: "the file is empty (expected a header row and data rows)", zh: "文件是空的（应有表头行和数据行）"), file: path) }
        fileReport = LoadReport.FileReport(file: path, encoding: .utf8, hadBOM: false, rows: 0, rejected: 0)
        let kind = FileKind.sniff(data)
        if let refusal = kind.refusal { throw LoadError(refusal, file: path) }
        if kind == .html {
            // An HTML table (how some systems export "Excel" lists): its cells as CSV.
            guard let csv = HTMLTable.csv(data) else { throw LoadError(Message(en: "this is an HTML page with no table in it; expected CSV", zh: "这是不含表格的 HTML 网页；应为 CSV"), file: path) }
            file = FileBytes(owning: csv)
            data = file.buffer
            let excel = (path as NSString).pathExtension.lowercased().hasPrefix("xls")
            warnings.append(Message(en: "\(noteName): an HTML table\(excel ? " saved with an Excel name" : ""), read as one",
                                    zh: "\(name)：\(excel ? "以 Excel 文件名保存的" : "")HTML 表格，按表格读取"))
        }
        switch options.encoding {
        case .gb18030?:
            try transcodeFromGB18030()
        case .utf8?:
            if let e = TableLoader.invalidUTF8(data, file: name) { throw e }
        case nil:
            let windowValid = Transcode.isValidUTF8(UnsafeBufferPointer(rebasing: data.prefix(1 << 20)),
                                                    allowTruncatedEnd: data.count > 1 << 20)
            if !windowValid { try transcodeFromGB18030() }
        }
    }

    mutating func transcodeFromGB18030() throws {
        if options.encoding == nil, let e = TableLoader.mixedEncoding(file.buffer, file: name) { throw e }
        let converted = Transcode.gb18030ToUTF8(file.buffer)
        try file.checkUnchanged()
        guard let utf8 = converted else {
            throw LoadError(Message(en: "the file is neither valid UTF-8 nor valid GB18030; name its encoding with --encoding", zh: "文件既不是有效的 UTF-8，也不是有效的 GB18030；请用 --encoding 指明编码"), file: path)
        }
        file = FileBytes(owning: utf8)
        fileReport.encoding = .gb18030
    }

    mutating func load() throws {
        guard sheet != nil else { return try loadChecked() }
        do { try loadChecked() } catch var e as LoadError {
            e.issues = e.issues.map(named)
            throw e
        }
        issues = issues.map(named)
    }

    private mutating func loadChecked() throws {
        do {
            try loadBody()
        } catch {
            try file.checkUnchanged()   // a file that changed explains any other error
            throw error
        }
        try file.checkUnchanged()
    }

    private mutating func loadBody() throws {
        let startCount = table.count
        let done = try loadRows(file.buffer)
        if !done {
            // Not UTF-8 after all (found past the first window): start again from GB18030.
            table.truncate(to: startCount)
            issues = []; issueTotal = 0; warnings = []
            try transcodeFromGB18030()
            _ = try loadRows(file.buffer)
        }
        if fileReport.encoding == .gb18030 {
            warnings.append(Message(en: "\(noteName): read as GB18030 (not valid UTF-8)", zh: "\(noteName)：按 GB18030 读取（不是有效的 UTF-8）"))
        }
    }

    /// Returns false when invalid UTF-8 turned up and the file should be read as GB18030.
    mutating func loadRows(_ buf: UnsafeBufferPointer<UInt8>) throws -> Bool {
        var reader = CSVReader(buf)
        fileReport.hadBOM = reader.hasBOM
        // Header: maybe under title rows, maybe two rows deep.
        let layout: HeaderLayout
        do {
            guard let l = try HeaderLayout.find(buf, specs: table.specs) else {
                throw LoadError(Message(en: "the file is empty (expected a header row)", zh: "文件是空的（应有表头行）"), file: path)
            }
            layout = l
        } catch let f as CSVReader.Failure {
            let (l, c) = reader.location(of: f.offset)
            throw LoadError([LoadIssue(file: name, line: l, column: c, field: nil, message: f.message)])
        }
        headerBytes = layout.headerBytes
        reader = CSVReader(buf, startingAt: layout.bodyStart, line: layout.bodyLine)
        if layout.skippedAbove > 0 {
            let line = layout.line, above = layout.skippedAbove
            let title = layout.titleAbove.map { " (\"\(Escape.visible($0))\")" } ?? ""
            warnings.append(Message(en: "\(noteName): the header is on \(at(line: line).en); \(Message.count(above, "row", zh: "").en) above it skipped" + title,
                                    zh: "\(noteName)：表头在\(at(line: line).zh)；跳过其上 \(above) 行" + title))
        }
        if layout.twoRows {
            let rows = layout.depth == 2 ? ("two", "两") : ("\(layout.depth)", "\(layout.depth) ")
            warnings.append(Message(en: "\(noteName): a header of \(rows.0) rows (groups over sub-headers) read as one", zh: "\(noteName)：\(rows.1)行表头（分组加子表头）合为一行读取"))
        }
        // Reserve room for the rows, guessed from the first rows' length.
        var expectedRows = 0
        do {
            var probe = CSVReader(buf, startingAt: reader.position, line: reader.line)
            var n = 0
            let from = probe.position
            while n < 200, (try? probe.nextRow()) == true { n += 1 }
            if n > 0, probe.position > from {
                expectedRows = Int(Double(buf.count - from) / (Double(probe.position - from) / Double(n)) * 1.05) + 16
            }
        }
        // A large body is parsed in two halves (see below): each half reserves room for its own.
        if buf.count - reader.position >= options.parallelThreshold { expectedRows = expectedRows / 2 + expectedRows / 20 }
        let headerLine = layout.line
        let binding = try bindColumns(layout, buf: buf, headerLine: headerLine, expectedRows: expectedRows)
        let filter = TableLoader.rowFilter(table: table, seenFields: binding.seenFields, layout: layout)
        // The kind the list gives rows without a kind column, before section headings change it.
        let kindFill = binding.absent.first { $0.spec.name == .kind }
        let initialKind = kindFill?.fill
        let parsed = parseBody(buf, reader: &reader, binding: binding, filter: filter, expectedRows: expectedRows)
        let ranges = parsed.ranges
        TableLoader.carrySectionKinds(ranges, table: table)
        var rejects: [RejectedRow] = []
        var rejected = 0
        gatherIssues(ranges, initialKind: initialKind, rejects: &rejects, rejected: &rejected)
        checkAcrossRows(ranges, buf: buf, seenFields: binding.seenFields, rejects: &rejects, rejected: &rejected)
        // The ranges free their own positions when they go (RangeParser.deinit).
        issues.sort { ($0.line, $0.column) < ($1.line, $1.column) }
        rejects.sort { $0.offset < $1.offset }
        if fileReport.encoding == .utf8 && options.encoding == nil && parsed.sawInvalidUTF8 {
            return false
        }
        fileReport.rows = table.count
        fileReport.rejected = rejected
        fileReport.rejectedLines = rejects.reduce(0) { n, r in
            n + r.bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } + (r.bytes.last == 0x0A ? 0 : 1)
        }
        if rejected > 0 && options.lenient {
            let header = UnsafeBufferPointer(rebasing: buf[max(headerBytes.lowerBound, reader.hasBOM ? 3 : 0)..<headerBytes.upperBound])
            // The kind the load gave the rows from outside them (the sheet's or file's name,
            // --kind, the manifest, a section heading) goes in a column of its own, so that the
            // file loads again to the rows it holds.
            var added: RejectsFileWriter.AddedColumn?
            if let kindFill, rejects.contains(where: { ($0.kind ?? EnumInfo.none) != EnumInfo.none }) {
                let spec = kindFill.spec
                let taken = Set(layout.names)
                added = RejectsFileWriter.AddedColumn(
                    header: [spec.label, spec.name].first { !taken.contains($0) } ?? spec.name,
                    values: rejects.map { Kind.info.label($0.kind ?? EnumInfo.none) })
            }
            guard let out = RejectsFileWriter.bytes(header: header, rows: rejects.map(\.bytes), width: layout.names.count,
                                                    added: added, settings: options.rejectsCSV) else {
                throw LoadError([LoadIssue(file: name, line: 0, column: 0, field: nil,
                                           message: "\(rejected) rejected row\(rejected == 1 ? "" : "s") could not be written as GB18030 (.csv encoding); nothing was loaded, so that no row is lost unseen")],
                                lenientHelps: false)
            }
            try writeRejects(out)
        }
        return true
    }

    /// A section heading's kind across the ranges of a file parsed in parts (files of
    /// `LoadOptions.parallelLoadThreshold` bytes or more): the rows a range kept before its first
    /// heading take the kind of the last heading of the ranges before it. `ranges` are joined in
    /// the table in order.
    static func carrySectionKinds(_ ranges: [RangeParser], table: Table) {
        guard ranges.count > 1, ranges.contains(where: { $0.lastHeadingKind != nil }),
              case .code(let kinds)? = table.storedColumn(.kind) else { return }
        var carried: UInt8?
        for (i, r) in ranges.enumerated() {
            if i > 0, let k = carried {
                for row in r.firstRow..<(r.firstRow + r.rowsBeforeHeading) { kinds.codes[row] = k }
            }
            if let k = r.lastHeadingKind { carried = k }
        }
    }

    /// Which rows are cases: the title's column is looked at (else the id's).
    static func rowFilter(table: Table, seenFields: [String: Int], layout: HeaderLayout) -> RowFilter? {
        guard let anchor = seenFields[FieldName.title.rawValue] ?? seenFields[FieldName.id.rawValue] ?? seenFields[FieldName.caseID.rawValue] ?? seenFields[FieldName.name.rawValue] else { return nil }
        let id = seenFields[FieldName.title.rawValue] != nil ? seenFields[FieldName.id.rawValue] : nil
        return RowFilter(anchor: anchor, idColumn: id, anchorHeader: layout.names[anchor],
                         headerLengths: [layout.names[anchor].utf8.count] + layout.raw[anchor].map(\.utf8.count))
    }
}