import Foundation

/// One problem found while loading: where it is and what was expected.
public struct LoadIssue: Sendable, Equatable, CustomStringConvertible, Bilingual {
    public var file: String
    public var line: Int
    public var column: Int
    public var field: String?
    /// What is wrong, in both languages.
    public var text: Message
    /// In a workbook, the cell the line and column fall in (`案件!M118`), said instead of them.
    public var cell: String? = nil

    public init(file: String, line: Int, column: Int, field: String?, message: Message, cell: String? = nil) {
        self.file = file; self.line = line; self.column = column; self.field = field; text = message; self.cell = cell
    }
    /// An issue whose message reads the same in both languages (or is not yet written in Chinese).
    public init(file: String, line: Int, column: Int, field: String?, message: String, cell: String? = nil) {
        self.init(file: file, line: line, column: column, field: field, message: .same(message), cell: cell)
    }

    /// The English message.
    public var message: String {
        get { text.en }
        set { text = .same(newValue) }
    }

    public var description: String { text(chinese: false) }

    public func text(chinese: Bool) -> String {
        let pos = cell.map { ":" + $0 } ?? (line > 0 ? (column > 0 ? ":\(line):\(column)" : ":\(line)") : "")
        return "\(file)\(pos): " + (field.map { "\($0): " } ?? "") + text.text(chinese: chinese)
    }
}

/// Loading failed: the issues (every bad row, up to a limit) and how many there were in all.
public struct LoadError: Error, CustomStringConvertible, Bilingual {
    public var issues: [LoadIssue]
    public var total: Int
    /// Whether `--lenient` would load something (not for a file that cannot be read at all).
    public var lenientHelps: Bool
    public init(_ issues: [LoadIssue], total: Int? = nil, lenientHelps: Bool = true) {
        self.issues = issues; self.total = total ?? issues.count; self.lenientHelps = lenientHelps
    }
    public init(_ message: Message, file: String) {
        self.init([LoadIssue(file: file, line: 0, column: 0, field: nil, message: message)], lenientHelps: false)
    }
    public static let shown = 20

    public var description: String { text(chinese: false) }

    public func text(chinese: Bool) -> String {
        var lines = issues.prefix(LoadError.shown).map { $0.text(chinese: chinese) }
        let more = total - LoadError.shown
        if more > 0 {
            lines.append(Message(en: "… and \(more) more errors (\(total) in all)", zh: "… 另有 \(more) 个错误（共 \(total) 个）").text(chinese: chinese))
        }
        if total > 1 {
            let summary = Message(en: "\(total) errors: nothing was loaded", zh: "\(total) 个错误：什么都没有加载")
                + (lenientHelps ? Message(en: " (use --lenient to load the good rows)", zh: "（用 --lenient 加载没有问题的行）") : .same(""))
            lines.append(summary.text(chinese: chinese))
        }
        return lines.joined(separator: "\n")
    }
}

/// The encodings files are read and written in. Their names are parsed here, once, for every
/// option that takes one (`--encoding`, `.load --encoding`, `.csv encoding`).
public enum TextEncoding: String, Sendable {
    case utf8 = "utf-8"
    case gb18030 = "gb18030"

    /// An encoding by name, case-insensitive: `utf-8` or `utf8`; `gb18030`, or `gbk` and `gb2312`
    /// (subsets of GB18030, read and written as it).
    public init?(name: String) {
        switch name.lowercased() {
        case "utf-8", "utf8": self = .utf8
        case "gb18030", "gbk", "gb2312", "cp936": self = .gb18030
        default: return nil
        }
    }

    /// The names to list in help and errors.
    public static let names = "utf-8 or gb18030"
}

public struct LoadOptions {
    /// Load the good rows and write the rejected ones to a rejects file.
    public var lenient = false
    /// Force an encoding; nil detects (UTF-8 if valid, else GB18030).
    public var encoding: TextEncoding?
    /// Folder for rejects files; nil = beside each input file.
    public var rejectsDirectory: String?
    /// How rejects files are written: the file settings of every CSV caseql writes (the shell
    /// passes its `.csv` settings).
    public var rejectsCSV = CSVSettings.file
    /// The kind of every case of a list that has no kind column (`--kind`); else the manifest's.
    public var kind: Kind?
    /// Called with the fraction done (0…1) while loading large files.
    public var progress: ((Double) -> Void)?
    /// Files with at least this many bytes of rows are parsed in two halves on two threads (about
    /// 1.6× faster at a million cases). On when the machine has more than one core.
    public var parallelThreshold = ProcessInfo.processInfo.activeProcessorCount > 1 ? LoadOptions.parallelLoadThreshold : Int.max
    /// The threshold for parsing in two halves.
    public static let parallelLoadThreshold = 16 << 20
    /// The folder of column snapshots (Snapshot.swift): a load maps the dataset's snapshot when
    /// its files are unchanged, and writes one after parsing them. nil: no snapshots.
    public var cacheDirectory: String?
    public init(lenient: Bool = false, encoding: TextEncoding? = nil) {
        self.lenient = lenient; self.encoding = encoding
    }
}

/// What a load did: encodings used, rows loaded and rejected, warnings.
public struct LoadReport: Sendable {
    public struct FileReport: Sendable {
        public var file: String
        public var encoding: TextEncoding
        public var hadBOM: Bool
        public var rows: Int
        public var rejected: Int
        /// The lines of the file the rejected rows took (a row may span lines: a quoted line
        /// break, or a quote that runs on). Every line of a file is in a loaded row, a rejected
        /// one, a skipped one (`skipped`, the header and rows above it) or is blank.
        public var rejectedLines = 0
        /// Rows that are not cases (totals, notes, headings, the header again), skipped.
        public var skipped = 0
        public var rejectsFile: String?
        /// The sheet, for a list read from a workbook's sheet (a workbook's lists share its `file`).
        public var sheet: String?
    }
    public var files: [FileReport] = []
    /// Notes on how the files were read (an encoding, a header found lower down, extra columns).
    public var warnings: [Message] = []
    public var rejectedIssues: [LoadIssue] = []
    /// Problems found in the rejected rows in all (`rejectedIssues` keeps the first ones).
    public var rejectedIssueTotal = 0
    public var rejectedTotal: Int { files.reduce(0) { $0 + $1.rejected } }
    /// What the load did with the column snapshot, in words (nil: snapshots off).
    public var snapshot: Message?
    /// Read from a snapshot, not parsed.
    public var fromSnapshot = false
}

public enum DatasetLoader {
    /// Where a table's rows come from: a CSV file, or a sheet of an .xlsx workbook.
    enum TableSource {
        case csv(String)
        case sheet(Workbook, sheet: String, path: String)
    }

    /// Whether a sheet is a list of cases, not notes (填表说明: 项目 | 填写要求), a summary (单位 |
    /// 件数) or a pivot (主办单位 | 案由 counted): its header names a title column and the lead
    /// unit's or two other case fields, and the title cells of its first rows (up to 50) are mostly words,
    /// not numbers. Reads the whole sheet (its rows are made once for this).
    /// Throws what reading the sheet throws (a damaged workbook): a sheet that cannot be read is
    /// not left out as "not cases".
    static func sheetHoldsCases(_ book: Workbook, _ sheet: String) throws -> Bool {
        let csv = try book.rows(of: sheet, specs: Schema.cases)
        guard !csv.bytes.isEmpty else { return false }
        return withExtendedLifetime(csv) {
            let buf = csv.bytes.buffer
            guard let layout = try? HeaderLayout.find(buf, specs: Schema.cases) else { return false }
            let fields = layout.names.map { HeaderText.field($0, in: Schema.cases)?.name }
            let named = Set(fields.compactMap { $0 })
            guard let title = fields.firstIndex(of: FieldName.title.rawValue),
                  named.count >= 3 || named.contains(FieldName.unit.rawValue) else { return false }
            var reader = CSVReader(buf, startingAt: layout.bodyStart, line: layout.bodyLine)
            var words = 0, numbers = 0
            while words + numbers < 50, (try? reader.nextRow()) == true {
                guard title < reader.fields.count else { continue }
                let t = HeaderText.squeezed(reader.string(title))
                if t.isEmpty { continue }
                if t.allSatisfy({ $0.isNumber || $0 == "." || $0 == "%" }) { numbers += 1 } else { words += 1 }
            }
            return words > numbers
        }
    }

    /// The file a table's rows come from.
    static func sourcePath(_ s: TableSource?) -> String? {
        switch s {
        case .csv(let p)?: return p
        case .sheet(_, _, let p)?: return p
        case nil: return nil
        }
    }

    /// The sheet names a workbook's tables may have, English and Chinese.
    static let sheetNames = Dictionary(uniqueKeysWithValues: Schema.tableLabels.map { ($0.key, [$0.key, $0.value]) })

    /// Loads a dataset: a folder (cases.csv or cases.xlsx required; units and events as .csv or
    /// .xlsx, manifest.json optional; or one .xlsx workbook whose sheets are named cases/units/
    /// events or 案件/单位/办理记录), or a single cases file (.csv, or .xlsx: its cases sheet, else
    /// its first, with units and events sheets if it has them).
    public static func load(_ path: String, options: LoadOptions = LoadOptions()) throws -> (CaseStore, LoadReport) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            // A dangling or looping link, or an unreachable path, says so; else it is missing.
            let problem = InputFile.problem(path)
            throw LoadError(problem == nil || problem == InputFile.noSuchFile
                            ? Message(en: "no such file or folder", zh: "没有这个文件或文件夹") : problem!, file: path)
        }
        var manifest = Manifest()
        var manifestPath: String?
        var report = LoadReport()
        // Cases may come from several sheets (建议 on one, 提案 on the next) or workbooks: read
        // in this order into one table.
        var cases: [TableSource] = [.csv(path)], units: TableSource?, events: TableSource?
        func workbook(_ file: String) -> Bool {
            let ext = (file as NSString).pathExtension.lowercased()
            return ext == "xlsx" || (ext == "xls" && XLSWorkbook.isWorkbook(path: file))
        }
        /// The tables of one workbook: cases from its sheet named 案件/cases, else from every
        /// visible sheet whose header names case columns (the first visible sheet counts when
        /// `firstIsCases`: a lone workbook's cases need no header words we know). Returns its
        /// case sheets; its units and events sheets are taken when it has them.
        func tables(of file: String, opened: Workbook? = nil, firstIsCases: Bool) throws -> [TableSource] {
            let book = try opened ?? openWorkbook(file)
            var sheets: [String]
            let name = (file as NSString).lastPathComponent
            if let named = book.sheet(named: sheetNames["cases"]!) {
                sheets = [named]
            } else {
                let tableNames = Set(sheetNames.values.joined().map { $0.lowercased() })
                let visible = book.visibleSheets.filter { !tableNames.contains($0.lowercased()) }
                // A lone sheet is the list whatever its header says (the load then says what it
                // lacks); among several, the lists of cases, not the notes and summaries.
                sheets = firstIsCases && visible.count == 1 ? visible : try visible.filter { s in
                    do { return try sheetHoldsCases(book, s) } catch let e as WorkbookError { throw LoadError(e.message, file: file) }
                }
                if sheets.isEmpty, firstIsCases, let first = visible.first { sheets = [first] }
                let passed = visible.filter { !sheets.contains($0) }
                if !sheets.isEmpty && !passed.isEmpty {
                    sheetNotes.append(Message(en: "\(name): sheet\(passed.count == 1 ? "" : "s") \(passed.joined(separator: ", ")) not read: not a list of cases (notes, a summary or counts)",
                                              zh: "\(name)：工作表 \(passed.joined(separator: "、")) 未读取：不是案件列表（说明、汇总或统计）"))
                }
                let hidden = book.sheets.map(\.name).filter { !book.visibleSheets.contains($0) && !tableNames.contains($0.lowercased()) && ((try? sheetHoldsCases(book, $0)) ?? false) }
                if !hidden.isEmpty {
                    sheetNotes.append(Message(en: "\(name): hidden sheet\(hidden.count == 1 ? "" : "s") \(hidden.joined(separator: ", ")) not read (unhide it in Excel or WPS to load it)",
                                              zh: "\(name)：隐藏的工作表 \(hidden.joined(separator: "、")) 未读取（如需加载，请在 Excel 或 WPS 中取消隐藏）"))
                }
            }
            guard !sheets.isEmpty else { return [] }
            for (table, slot) in [("units", \TableSourceSlots.units), ("events", \TableSourceSlots.events)] {
                guard let sheet = book.sheet(named: sheetNames[table]!) else { continue }
                if let taken = slots[keyPath: slot], case .sheet(_, let other, let otherFile) = taken {
                    throw LoadError(Message(
                        en: "two workbooks here have a \(table) sheet (\((otherFile as NSString).lastPathComponent): \(other), \((file as NSString).lastPathComponent): \(sheet)): keep one",
                        zh: "这里有两个工作簿含\(Schema.tableLabels[table] ?? table)工作表（\((otherFile as NSString).lastPathComponent)：\(other)，\((file as NSString).lastPathComponent)：\(sheet)）：请只保留一个"), file: file)
                }
                slots[keyPath: slot] = .sheet(book, sheet: sheet, path: file)
            }
            return sheets.map { .sheet(book, sheet: $0, path: file) }
        }
        var slots = TableSourceSlots()
        var sheetNotes: [Message] = []
        if isDir.boolValue {
            let dir = path.hasSuffix("/") ? String(path.dropLast()) : path
            let fm = FileManager.default
            func source(_ table: String) throws -> TableSource? {
                // Anything named so is read, so that a dangling link or a FIFO there is an error,
                // not a dataset silently loaded without it.
                if InputFile.exists(dir + "/\(table).csv") { return .csv(dir + "/\(table).csv") }
                var x = dir + "/\(table).xlsx"
                if !InputFile.exists(x) {
                    // An .xls: a workbook, or an HTML table saved with that name (read as CSV is).
                    x = dir + "/\(table).xls"
                    guard InputFile.exists(x) else { return nil }
                    if !XLSWorkbook.isWorkbook(path: x) { return .csv(x) }
                }
                let book = try openWorkbook(x)
                guard let sheet = book.sheet(named: sheetNames[table]!) ?? book.visibleSheets.first else {
                    throw LoadError(Message(en: "the workbook has no sheets", zh: "工作簿没有工作表"), file: x)
                }
                return .sheet(book, sheet: sheet, path: x)
            }
            let listing = (try? fm.contentsOfDirectory(atPath: dir).sorted()) ?? []
            // Files a folder's tables may be, by their names (cases.csv, units.xlsx …).
            let tableFiles = Set(["cases", "units", "events"].flatMap { t in ["csv", "xlsx", "xls"].map { "\(t).\($0)" } })
            let others = listing.filter { f in
                let ext = (f as NSString).pathExtension.lowercased()
                return ["csv", "xlsx", "xls"].contains(ext) && !tableFiles.contains(f.lowercased()) && !f.lowercased().hasSuffix(".rejects.csv")
            }
            if let c = try source("cases") {
                cases = [c]
                // A cases workbook without a sheet named cases: every sheet of cases in it (建议
                // on one, 提案 on the next), as a lone workbook is read — not its first alone.
                if case .sheet(let book, _, let x) = c, book.sheet(named: sheetNames["cases"]!) == nil {
                    let sheets = try tables(of: x, opened: book, firstIsCases: true)
                    if !sheets.isEmpty { cases = sheets }
                }
                units = try source("units")
                events = try source("events")
                if !others.isEmpty {
                    let shown = others.prefix(5).joined(separator: ", ") + (others.count > 5 ? ", …" : "")
                    sheetNotes.append(Message(en: "not read: \(shown) (the cases are \((sourcePath(c)! as NSString).lastPathComponent); a folder without it reads its lists 建议.*, 提案.* and workbooks of cases together)",
                                              zh: "未读取：\(shown)（案件取自 \((sourcePath(c)! as NSString).lastPathComponent)；没有它的文件夹会把其中的建议、提案列表与案件工作簿合并读取）"))
                }
            } else {
                // Lists named for a kind (建议.csv, 2020年提案.xlsx) and workbooks of cases, in
                // name order, as one list; units and events from their files, else their sheets.
                cases = []
                let books = others.filter { workbook(dir + "/" + $0) }
                let lists = others.filter { !books.contains($0) && kindNamed(by: .csv(dir + "/" + $0)) != nil }
                for f in others {
                    if books.contains(f) {
                        cases += try tables(of: dir + "/" + f, firstIsCases: books.count == 1 && lists.isEmpty)
                    } else if lists.contains(f) {
                        cases.append(.csv(dir + "/" + f))
                    }
                }
                units = try source("units")
                events = try source("events")
                for (table, file, sheet) in [("units", units, slots.units), ("events", events, slots.events)] {
                    guard let sheet else { continue }
                    if file == nil {
                        if table == "units" { units = sheet } else { events = sheet }
                    } else if case .sheet(_, let s, let p) = sheet {
                        sheetNotes.append(Message(en: "\((p as NSString).lastPathComponent): sheet \(s) not read: the \(table) are \((sourcePath(file)! as NSString).lastPathComponent)",
                                                  zh: "\((p as NSString).lastPathComponent)：工作表 \(s) 未读取：\(Schema.tableLabels[table] ?? table)取自 \((sourcePath(file)! as NSString).lastPathComponent)"))
                    }
                }
                guard !cases.isEmpty else {
                    throw LoadError(Message(en: "this folder has no cases.csv or cases.xlsx, nor a workbook with a sheet named cases or 案件 (it holds: \(listing.isEmpty ? "nothing" : listing.prefix(10).joined(separator: ", ")))",
                                             zh: "这个文件夹里没有 cases.csv 或 cases.xlsx，也没有含 cases 或 案件 工作表的工作簿（其中有：\(listing.isEmpty ? "无" : listing.prefix(10).joined(separator: "、"))）"), file: dir)
                }
            }
            for name in ["manifest.json"] where fm.fileExists(atPath: dir + "/" + name) {
                manifest = try ManifestReader.read(dir + "/" + name)
                manifestPath = dir + "/" + name
            }
            manifest.name = manifest.name.isEmpty ? (dir as NSString).lastPathComponent : manifest.name
        } else {
            if workbook(path) {
                cases = try tables(of: path, firstIsCases: true)
                (units, events) = (slots.units, slots.events)
                if cases.isEmpty { throw LoadError(Message(en: "the workbook has no sheets", zh: "工作簿没有工作表"), file: path) }
            }
            manifest.name = (path as NSString).lastPathComponent
        }
        // The manifest's schemes type the category and resolution columns.
        let store = CaseStore(manifest: manifest)
        store.origin = path
        let file = sourcePath
        let casesPath = file(cases[0])!, unitsPath = file(units), eventsPath = file(events)
        // Each file cases come from, once.
        var casesPaths: [String] = []
        for c in cases { if let f = file(c), !casesPaths.contains(f) { casesPaths.append(f) } }

        // The files' identities are taken before anything is read: a file changed while it loads
        // then leaves a snapshot that no longer matches it.
        var sources: [SourceIdentity]?
        var snapshotNote: Message?
        if let dir = options.cacheDirectory {
            // The manifest too: its schemes and periods change what is loaded.
            let roles = casesPaths.enumerated().map { ($0.offset == 0 ? "cases" : "cases.\($0.offset + 1)", Optional($0.element)) }
                + [("units", unitsPath), ("events", eventsPath), ("manifest", manifestPath)]
            let found = Trace.timed("the source files' identities") {
                roles.compactMap { r in r.1.flatMap { SourceIdentity.of(role: r.0, path: Snapshot.absolute($0)) } }
            }
            if found.count == roles.filter({ $0.1 != nil }).count {
                sources = found
                switch Snapshot.read(directory: dir, dataset: path, sources: found, options: options,
                                     manifest: store.manifest, origin: path) {
                case .restored(let s, var r):
                    r.fromSnapshot = true
                    // Settled again (the manifest's periods may have changed since); without
                    // events that only copies each deadline to an empty original deadline, done
                    // before the snapshot was written, so it is skipped (two columns not read).
                    if s.events.count > 0 { s.settleDeadlines() }
                    Trace.mark("the store read from the snapshot")
                    // Sections read while linking and settling were checked: one that failed
                    // leaves the files to parse now (the damaged snapshot is deleted already).
                    if let fault = s.snapshotFault { snapshotNote = fault; break }
                    return (s, r)
                case .none: break
                case .rejected(let why): snapshotNote = why
                }
            }
        }

        var errors: [LoadIssue] = []
        var errorTotal = 0
        func run(_ source: TableSource, _ table: Table, _ extra: RowCheck?, sheetKind: Kind? = nil, sheetKindFirst: Bool = false) throws {
            var tableLoader: TableLoader
            switch source {
            case .csv(let file):
                tableLoader = try TableLoader(path: file, table: table, options: options, extra: extra)
            case .sheet(let book, let sheet, let file):
                let csv: SheetCSV
                do { csv = try book.rows(of: sheet, specs: table.specs) } catch let e as WorkbookError { throw LoadError(e.message, file: file) }
                if !csv.errorCells.isEmpty {
                    let shown = csv.errorCells.prefix(5).map { "\($0.cell) \($0.error)" }.joined(separator: ", ")
                    let more = csv.errorCells.count > 5 ? ", …" : ""
                    report.warnings.append(Message(
                        en: "\((file as NSString).lastPathComponent): sheet \(sheet): \(csv.errorCells.count) cell\(csv.errorCells.count == 1 ? " holds" : "s hold") a spreadsheet error and \(csv.errorCells.count == 1 ? "is" : "are") read as empty (\(shown)\(more)): fix the formulas, or paste their values",
                        zh: "\((file as NSString).lastPathComponent)：工作表 \(sheet)：\(csv.errorCells.count) 个单元格是表格错误值，按空值读取（\(shown)\(more)）：请修正公式，或粘贴为数值"))
                }
                let base = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
                let single = book.sheets.count == 1 || base == table.name
                tableLoader = try TableLoader(sheet: csv, path: file, table: table, options: options, extra: extra,
                                              rejectsBase: single ? base : base + "." + sheet)
                if !single { tableLoader.sheetName = sheet }
            }
            tableLoader.manifestKind = store.manifest.kind
            tableLoader.sheetKind = sheetKind
            tableLoader.sheetKindFirst = sheetKindFirst
            try tableLoader.load()
            errors += tableLoader.issues
            errorTotal += tableLoader.issueTotal
            report.warnings += tableLoader.warnings
            report.files.append(tableLoader.fileReport)
            if options.lenient { report.rejectedIssues += tableLoader.issues; report.rejectedIssueTotal += tableLoader.issueTotal }
        }
        report.warnings += sheetNotes
        if let note = try loadCases(cases, into: store, run: run) { report.warnings.append(note) }
        if options.lenient && store.cases.count == 0 && errorTotal > 0 {
            // --lenient that keeps nothing has loaded nothing: an error, not an empty dataset.
            throw LoadError(errors + [LoadIssue(file: (casesPath as NSString).lastPathComponent, line: 0, column: 0, field: nil,
                                                message: Message(en: "every row was rejected: no case loaded", zh: "每一行都被拒收：没有加载任何案件"))],
                            total: errorTotal + 1, lenientHelps: false)
        }
        if let u = units { try run(u, store.units, UnitRowCheck()) }
        CaseRowCheck.splitLeadUnits(store.cases, listed: store.units)
        if let e = events { try run(e, store.events, EventRowCheck(store: store)) }
        if errorTotal > 0 && !options.lenient { throw LoadError(errors, total: errorTotal) }
        store.link()
        store.settleDeadlines()
        if let dir = options.cacheDirectory {
            if let sources, report.rejectedTotal == 0 {
                let saved = Snapshot.save(store, report: report, directory: dir, dataset: path, sources: sources, options: options)
                report.snapshot = snapshotNote.map { $0 + Message(en: "; ", zh: "；") + saved } ?? saved
            } else {
                report.snapshot = sources == nil ? Message(en: "no snapshot: a file could not be identified", zh: "没有快照：有文件无法识别")
                                                  : Message(en: "no snapshot: rows were rejected", zh: "没有快照：有行被拒收")
            }
        }
        return (store, report)
    }
}

/// Where a folder's workbooks put their units and events sheets (one of each at most).
struct TableSourceSlots {
    var units: DatasetLoader.TableSource?
    var events: DatasetLoader.TableSource?
}

extension DatasetLoader {
    /// The kind a list's name names, for a list without a kind column: its sheet's name (`政协委员
    /// 提案`), else its file's (`提案.xlsx`, `2020年建议.csv`); nil when it names none or both.
    static func kindNamed(by source: TableSource) -> Kind? {
        func base(_ path: String) -> String { HeaderText.squeezed(((path as NSString).lastPathComponent as NSString).deletingPathExtension) }
        switch source {
        case .sheet(_, let sheet, let path): return RowFilter.kind(inWords: HeaderText.squeezed(sheet)) ?? RowFilter.kind(inWords: base(path))
        case .csv(let path): return RowFilter.kind(inWords: base(path))
        }
    }

    /// Loads the cases of each source into the store's cases table, in order. A list with no
    /// kind column takes the kind its name names (`kindNamed`): before `--kind` when it is one
    /// of several, after it when alone; section headings in it say more. An id a sheet before
    /// has is a duplicate, found, rejected and reported at its cell as one within a sheet is;
    /// sheets without ids are numbered by their place in the whole list. Returns the note for
    /// several sources (each sheet and its cases).
    static func loadCases(_ sources: [TableSource], into store: CaseStore,
                          run: (TableSource, Table, RowCheck?, Kind?, Bool) throws -> Void) throws -> Message? {
        var parts: [(what: String, count: Int, kind: Kind?)] = []
        var earlier: [String: String] = [:]
        let several = sources.count > 1
        for (i, source) in sources.enumerated() {
            let kind = kindNamed(by: source)
            var what: String
            switch source {
            case .sheet(_, let sheet, let path):
                let books = Set(sources.map { if case .sheet(_, _, let p) = $0 { return p }; if case .csv(let p) = $0 { return p }; return "" })
                what = books.count > 1 ? (path as NSString).lastPathComponent + ":" + sheet : sheet
            case .csv(let path): what = (path as NSString).lastPathComponent
            }
            let table = i == 0 ? store.cases : Table(name: store.cases.name, specs: Schemes.caseFields(store.manifest.office), pools: store.pools)
            let check = CaseRowCheck(store: store, earlier: earlier, rowsBefore: store.cases.count)
            check.wantsPlaces = several && i < sources.count - 1
            try run(source, table, check, kind, several)
            if i > 0 { store.cases.append(contentsOf: table) }
            if check.wantsPlaces {
                // Each id's place, as a later list's duplicate names it: the cell (`建议!B7`),
                // after its file's name when the list comes from several files or is a CSV file.
                let prefix: String
                switch source {
                case .sheet(_, _, let path): prefix = what.contains(":") ? (path as NSString).lastPathComponent + ":" : ""
                case .csv(let path): prefix = (path as NSString).lastPathComponent + ":"
                }
                let ids = table.text(.id)
                for row in 0..<table.count where earlier[ids[row]] == nil && !ids[row].isEmpty {
                    earlier[ids[row]] = row < check.places.count ? prefix + check.places[row] : what
                }
            }
            // The name's kind is said where it was used: the list had no kind column.
            parts.append((what, table.count, table.absentFields.contains(FieldName.kind.rawValue) ? kind : nil))
        }
        guard several else { return nil }
        let listed = parts.map { p in
            let label = p.kind.map { Kind.info.label($0.rawValue) }
            return Message(en: "\(p.what): \(p.count)" + (label.map { " (\($0) by its name)" } ?? ""),
                           zh: "\(p.what)：\(p.count) 件" + (label.map { "（按名称为\($0)）" } ?? ""))
        }
        return Message(en: "cases read as one list from \(parts.count) sheets or files: " + listed.map(\.en).joined(separator: ", "),
                       zh: "案件由 \(parts.count) 个工作表或文件合为一个列表：" + listed.map(\.zh).joined(separator: "；"))
    }
}

/// A row a check found bad: the field to point at and why; `firstRow` names an earlier row the
/// message refers to ("first at 7:1", "first at 建议!A7").
struct RowProblem {
    var row: Int
    var field: String
    var message: Message
    var firstRow: Int?

    static func duplicateID(_ id: String) -> Message { Message(en: "duplicate id \"\(id)\"", zh: "编号 \"\(id)\" 重复") }
    /// Where a duplicate's first occurrence is, after the duplicate's message: its cell
    /// (`建议!A7`, `book.xlsx:建议!A7`) or line and column (`7:1`, `建议.csv:7:1`).
    static func firstAt(_ place: String) -> Message { Message(en: " (first at \(place))", zh: "（首次出现在 \(place)）") }
}

/// Checks across rows, and defaults that depend on other fields, run once every row is in.
protocol RowCheck: AnyObject {
    /// A field kept as bytes whose values must be distinct: each range of the file sorts the
    /// hashes of its own cells on its own thread (`KeyHashes.sorted`) for `check` to merge.
    var uniqueField: String? { get }
    /// Fills defaults and returns the bad rows, ascending. `keyParts`: the sorted hashes of the
    /// unique field, one list per range with the table row its first row became.
    func check(_ table: Table, keyParts: [(keys: [UInt64], firstRow: Int)]) -> [RowProblem]
}

/// Hashes of a field's cells with their rows: the hash's high 32 bits above the row's 32 bits,
/// sorted by hash and then row.
enum KeyHashes {
    static func sorted(_ cells: PendingCells, from start: Int) -> [UInt64] {
        let n = cells.count - start
        guard n > 0 else { return [] }
        var keys = [UInt64](repeating: 0, count: n)
        for i in 0..<n { keys[i] = (StringPool.hash(cells.item(start + i)) & 0xFFFF_FFFF_0000_0000) | UInt64(i) }
        // The rows are already ascending: a stable sort on the high bytes keeps them so.
        RadixSort.sort(&keys, fromByte: 4)
        return keys
    }
}

final class CaseRowCheck: RowCheck {
    let store: CaseStore
    /// For one of several sheets read as one list: the ids of the sheets before it, each with
    /// where it is (`建议!B7`, `建议.csv:7:1`), and the rows before it (a list without ids is
    /// numbered from `rowsBefore + 1`).
    let earlier: [String: String]
    let rowsBefore: Int
    /// Set for a list read before others as one list: the loader then fills `places`, where each
    /// kept row's id is (its title, in a list without ids), in table order.
    var wantsPlaces = false
    var places: [String] = []
    init(store: CaseStore, earlier: [String: String] = [:], rowsBefore: Int = 0) {
        self.store = store; self.earlier = earlier; self.rowsBefore = rowsBefore
    }
    var uniqueField: String? { FieldName.id.rawValue }

    func check(_ table: Table, keyParts: [(keys: [UInt64], firstRow: Int)]) -> [RowProblem] {
        let n = table.count
        // An empty year is the year of assignment; the deadline defaults to the manifest's period
        // for the case's kind and level (three months unless it says otherwise).
        let office = store.manifest.office
        let calendar = WorkingCalendar(settings: office)
        let kinds = table.code(.kind).codes, levels = table.code(.level).codes
        guard case .day(let assigned)? = table.storedColumn(.assignedOn),
              case .int(let year)? = table.storedColumn(.year),
              case .day(let deadline)? = table.storedColumn(.deadline) else { return [] }
        assigned.values.withUnsafeBufferPointer { assigned in
            year.values.withUnsafeMutableBufferPointer { year in
                deadline.values.withUnsafeMutableBufferPointer { deadline in
                    for row in 0..<n where year[row] == Day.none || deadline[row] == Day.none {
                        let a = assigned[row]
                        guard a != Day.none else { continue }
                        if year[row] == Day.none { year[row] = Int32(Day(raw: a).components.year) }
                        if deadline[row] == Day.none {
                            deadline[row] = office.firstDeadline(kind: kinds[row], level: levels[row], assigned: Day(raw: a), calendar: calendar).raw
                        }
                    }
                }
            }
        }
        // A list without ids: each case is known by its place in the list (1, 2, …), in the
        // whole list when its sheets are read as one.
        if table.absentFields.contains(FieldName.id.rawValue), case .text(let ids)? = table.storedColumn(.id), ids.pending == nil {
            ids.codes = (0..<n).map { ids.pool.intern("\(rowsBefore + $0 + 1)") }
            return earlierIDs(table, numbered: true)
        }
        var problems: [RowProblem]
        if case .text(let ids)? = table.storedColumn(.id), let pending = ids.pending,
           keyParts.reduce(0, { $0 + $1.keys.count }) == n {
            problems = duplicates(pending, keyParts)
        } else {
            problems = duplicateIDs(table)
        }
        let before = earlierIDs(table, numbered: false)
        if !before.isEmpty {
            let rows = Set(problems.map(\.row))
            problems = (problems + before.filter { !rows.contains($0.row) }).sorted { $0.row < $1.row }
        }
        return problems
    }

    /// The rows whose id a sheet before this one has. `numbered`: the ids are caseql's numbers
    /// of a list without an id column.
    func earlierIDs(_ table: Table, numbered: Bool) -> [RowProblem] {
        guard !earlier.isEmpty, case .text(let ids)? = table.storedColumn(.id) else { return [] }
        var out: [RowProblem] = []
        for row in 0..<table.count {
            let id: String
            if let p = ids.pending { id = String(decoding: p.item(row), as: UTF8.self) } else { id = ids.pool[ids.codes[row]] }
            guard !id.isEmpty, let first = earlier[id] else { continue }
            let message = numbered
                ? Message(en: "this sheet has no id column, and the number caseql gives this case by its place in the list, \(id), is the id at \(first): add an id column",
                          zh: "本表没有编号列，caseql 按其在列表中的位置给出的编号 \(id) 已是 \(first) 的编号：请加一列编号")
                : RowProblem.duplicateID(id) + RowProblem.firstAt(first)
            out.append(RowProblem(row: row, field: FieldName.id.rawValue, message: message, firstRow: nil))
        }
        return out
    }

    /// The extra list field holding every lead unit of each case, in a list where some case is
    /// assigned to several (分办).
    static let sharedLeadField = Schema.sharedLeadField

    /// A unit cell naming several lead units (`市民政局;姑苏区人民政府`: 分办): the first becomes
    /// the case's `unit`, which `unit =`, `group by unit` and `.report` count it under (one
    /// case, one row of every figure). Every case's lead units — all of them for a 分办 case, its
    /// one unit for the others — make the list field `分办单位`, added when some cell names
    /// several: `分办单位 = "姑苏区人民政府"` finds every case that unit leads, alone or with
    /// others, and `group by each 分办单位` counts a case under each of its lead units. A name
    /// that units.csv lists as one unit is one unit, whatever it contains, so this runs once the
    /// units are in. Looks at each distinct unit name once.
    static func splitLeadUnits(_ table: Table, listed unitsTable: Table) {
        guard table.name == "cases", case .text(let units)? = table.storedColumn(.unit), units.pending == nil else { return }
        var listed = Set<String>()
        if case .text(let names)? = unitsTable.storedColumn(.name), names.pending == nil {
            for code in Set(names.codes) { listed.insert(names.pool[code]) }
        }
        var split: [UInt32: (first: UInt32, all: [String])] = [:]
        for code in 0..<UInt32(units.pool.count) {
            let name = units.pool[code]
            guard !listed.contains(name) else { continue }
            guard name.contains(where: { ";；、，,".contains($0) }) else { continue }
            let parts = CellWords.units(in: name)
            guard parts.count > 1 else { continue }
            split[code] = (units.pool.intern(parts[0]), parts)
        }
        guard !split.isEmpty else { return }
        var name = sharedLeadField, i = 2
        while Schema.field(name, in: table.specs) != nil { name = "\(sharedLeadField)\(i)"; i += 1 }
        table.addExtraField(name, type: .textList, help: "every lead unit of the case: several when it is assigned to several (分办), of which unit is the first")
        guard case .list(let shared)? = table.storedColumn(name) else { return }
        var starts: [UInt32] = [0], values: [UInt32] = []
        starts.reserveCapacity(table.count + 1)
        var alone: [UInt32: UInt32?] = [:]   // a unit code → its code in the list's pool (nil: empty)
        for row in 0..<table.count {
            let code = units.codes[row]
            if let s = split[code] {
                units.codes[row] = s.first
                for unit in s.all { values.append(shared.pool.intern(unit)) }
            } else {
                if alone[code] == nil {
                    let unit = units.pool[code]
                    alone[code] = .some(unit.isEmpty ? nil : shared.pool.intern(unit))
                }
                if let c = alone[code]! { values.append(c) }
            }
            starts.append(UInt32(values.count))
        }
        shared.starts = starts
        shared.values = values
    }

    /// Duplicates from the ranges' sorted hashes: merged in (hash, row) order, and the bytes
    /// compared only where hashes are equal.
    func duplicates(_ ids: PendingCells, _ parts: [(keys: [UInt64], firstRow: Int)]) -> [RowProblem] {
        var out: [RowProblem] = []
        // Merged two at a time into one list of (hash, table row), then runs of equal hashes.
        var merged: [UInt64] = []
        for part in parts {
            let shifted = part.firstRow == 0 ? part.keys : part.keys.map { ($0 & 0xFFFF_FFFF_0000_0000) | (($0 & 0xFFFF_FFFF) + UInt64(part.firstRow)) }
            if merged.isEmpty { merged = shifted; continue }
            var m = [UInt64]()
            m.reserveCapacity(merged.count + shifted.count)
            merged.withUnsafeBufferPointer { x in
                shifted.withUnsafeBufferPointer { y in
                    var i = 0, j = 0
                    // Equal hashes: the earlier part's rows first (they are the smaller rows).
                    while i < x.count && j < y.count {
                        if y[j] >> 32 < x[i] >> 32 { m.append(y[j]); j += 1 } else { m.append(x[i]); i += 1 }
                    }
                    m.append(contentsOf: x[i...]); m.append(contentsOf: y[j...])
                }
            }
            merged = m
        }
        merged.withUnsafeBufferPointer { k in
            var i = 0
            while i < k.count {
                var j = i + 1
                while j < k.count && k[j] >> 32 == k[i] >> 32 { j += 1 }
                if j - i > 1 {
                    // Equal hashes: compare the bytes.
                    let run = (i..<j).map { Int(k[$0] & 0xFFFF_FFFF) }.sorted()
                    var firsts: [Int] = []
                    for row in run {
                        let bytes = ids.item(row)
                        if let f = firsts.first(where: { ids.item($0).elementsEqual(bytes) }) {
                            out.append(RowProblem(row: row, field: FieldName.id.rawValue, message: RowProblem.duplicateID(String(decoding: bytes, as: UTF8.self)), firstRow: f))
                        } else {
                            firsts.append(row)
                        }
                    }
                }
                i = j
            }
        }
        return out.sorted { $0.row < $1.row }
    }

    /// Rows whose id an earlier row has, when the ranges did not sort the ids' hashes.
    func duplicateIDs(_ table: Table) -> [RowProblem] {
        guard case .text(let ids)? = table.storedColumn(.id) else { return [] }
        let n = table.count
        func problem(_ row: Int, _ first: Int, _ id: String) -> RowProblem {
            RowProblem(row: row, field: FieldName.id.rawValue, message: RowProblem.duplicateID(id), firstRow: first)
        }
        var out: [RowProblem] = []
        guard let pending = ids.pending else {
            var firstRow = [Int32](repeating: -1, count: ids.pool.count)
            for row in 0..<n {
                let code = Int(ids.codes[row])
                if firstRow[code] >= 0 { out.append(problem(row, Int(firstRow[code]), ids.pool[UInt32(code)])) } else { firstRow[code] = Int32(row) }
            }
            return out
        }
        return duplicates(pending, [(KeyHashes.sorted(pending, from: 0), 0)])
    }
}

/// A unit is listed once: a second row of the same name (after trimming) would make its type,
/// reception day and media flag depend on which row won, and so `.report`'s verdict on it. The
/// second row is an error naming the first's line.
final class UnitRowCheck: RowCheck {
    var uniqueField: String? { nil }
    func check(_ table: Table, keyParts: [(keys: [UInt64], firstRow: Int)]) -> [RowProblem] {
        guard case .text(let names)? = table.storedColumn(.name), names.pending == nil else { return [] }
        var firstRow = [Int32](repeating: -1, count: names.pool.count)
        var out: [RowProblem] = []
        for row in 0..<table.count {
            let code = Int(names.codes[row])
            if firstRow[code] >= 0 {
                out.append(RowProblem(row: row, field: FieldName.name.rawValue, message: Message(en: "duplicate unit \"\(names.pool[UInt32(code)])\"", zh: "单位 \"\(names.pool[UInt32(code)])\" 重复"), firstRow: Int(firstRow[code])))
            } else {
                firstRow[code] = Int32(row)
            }
        }
        return out
    }
}

final class EventRowCheck: RowCheck {
    let store: CaseStore
    init(store: CaseStore) { self.store = store }
    var uniqueField: String? { nil }
    func check(_ table: Table, keyParts: [(keys: [UInt64], firstRow: Int)]) -> [RowProblem] {
        let caseIDs = store.cases.text(.id).codes
        var known = [Bool](repeating: false, count: store.pools.ids.count)
        for code in caseIDs { known[Int(code)] = true }
        guard case .text(let ids)? = table.storedColumn(.caseID) else { return [] }
        var out: [RowProblem] = []
        for row in 0..<table.count {
            let code = Int(ids.codes[row])
            if code >= known.count || !known[code] {
                out.append(RowProblem(row: row, field: FieldName.caseID.rawValue, message: Message(en: "no case has id \"\(store.pools.ids[UInt32(code)])\"", zh: "没有编号为 \"\(store.pools.ids[UInt32(code)])\" 的案件")))
            }
        }
        return out
    }
}

/// Sorts 64-bit keys, least significant byte first (from byte `fromByte` up: the bytes below
/// it are left in the order they come, the sort being stable).
enum RadixSort {
    static func sort(_ keys: inout [UInt64], fromByte: Int = 0) {
        let n = keys.count
        guard n > 1 else { return }
        var scratch = [UInt64](repeating: 0, count: n)
        keys.withUnsafeMutableBufferPointer { a in
            scratch.withUnsafeMutableBufferPointer { b in
                var src = a, dst = b
                var counts = [Int](repeating: 0, count: 256)
                for shift in stride(from: fromByte * 8, to: 64, by: 8) {
                    for i in 0..<256 { counts[i] = 0 }
                    for k in src { counts[Int((k >> UInt64(shift)) & 0xFF)] += 1 }
                    if counts.contains(n) { continue }   // every key has the same byte here
                    var sum = 0
                    for i in 0..<256 { let c = counts[i]; counts[i] = sum; sum += c }
                    for k in src {
                        let d = Int((k >> UInt64(shift)) & 0xFF)
                        dst[counts[d]] = k; counts[d] += 1
                    }
                    swap(&src, &dst)
                }
                if src.baseAddress != a.baseAddress { a.baseAddress!.update(from: src.baseAddress!, count: n) }
            }
        }
    }
}

enum ManifestReader {
    static func read(_ path: String) throws -> Manifest {
        guard let data = FileManager.default.contents(atPath: path) else { throw LoadError(Message(en: "cannot read", zh: "无法读取"), file: path) }
        guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw LoadError(Message(en: "not a JSON object", zh: "不是 JSON 对象"), file: path)
        }
        var m = Manifest()
        m.name = obj["name"] as? String ?? ""
        m.description = obj["description"] as? String ?? ""
        func day(_ key: String) throws -> Day? {
            guard let s = obj[key] as? String else { return nil }
            guard let d = Day(s) else { throw LoadError(Message(en: "\(key): \"\(s)\" is not a date (expected yyyy-mm-dd)", zh: "\(key)：\"\(s)\" 不是日期（应为 yyyy-mm-dd）"), file: path) }
            return d
        }
        m.asOf = try day("as_of")
        if let k = obj["kind"] as? String {
            guard let kind = Kind(spelling: k) else {
                throw LoadError(Message(en: "kind: \"\(k)\" is not a kind (expected one of \(Kind.info.tokens.joined(separator: ", ")))", zh: "kind：\"\(k)\" 不是类别（应为 \(Kind.info.tokens.joined(separator: ", ")) 之一）"), file: path)
            }
            m.kind = kind
        }
        m.cutoff = try day("cutoff")
        if let t = obj["targets"] as? [String: Any] {
            if let v = t["completion_rate"] as? Double { m.completionTarget = v }
            if let v = t["face_to_face_rate"] as? Double { m.faceToFaceTarget = v }
            if let v = t["satisfaction_rate"] as? Double { m.satisfactionTarget = v }
        }
        m.office = try OfficeSettings(json: obj["rules"], file: path)
        m.notice = try NoticeFigures(json: obj["notice"], source: obj["source"] as? String ?? "", file: path)
        if let r = obj["remits"] as? [String: [String]] {
            for (unit, cats) in r {
                m.remits[unit] = cats.map { w in m.office.categories.flatMap { i in i.code(of: w).map(i.token) } ?? w.trimmingSpaces() }
            }
        }
        return m
    }
}
