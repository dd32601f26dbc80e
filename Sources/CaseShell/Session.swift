import CaseOffice
import CaseQuery
import CaseStore
import CLibEdit
import Foundation

/// The state of one caseql session, shared by the interactive shell, scripts and -c commands:
/// the loaded store, the engine, output settings, the last result.
public final class Session {
    /// The store queries run on: the loaded one, or as it stood on an earlier as-of date.
    public private(set) var store: CaseStore
    /// The store as loaded (with current deadlines, see `CaseStore.settleDeadlines`).
    public private(set) var loadedStore: CaseStore
    public private(set) var engine: Engine
    /// Where results go (`.output`); for one result, the file `.once` named.
    public private(set) var output = Output()
    /// The file `.once` named: the next result goes there, then output goes back.
    public var oncePath: String?
    public var render = RenderOptions()
    public var export = ExportOptions()
    public var timer = false
    public var interactive = false
    /// Show a progress bar on long loads: only for a person at a terminal (never for scripts,
    /// -c commands or pipes).
    public var showProgress = false
    /// Report every error of a script and go on (else the first error stops it).
    public var keepGoing = false
    public private(set) var lastResult: ResultSet?
    /// Whether the last statement failed (then `.export` refuses rather than writing the result
    /// before it).
    public private(set) var lastFailed = false
    /// Whether a dataset was loaded (a session started without one says how to load one
    /// instead of answering from an empty store).
    public private(set) var hasDataset: Bool
    /// Set by `.quit`.
    public private(set) var quitRequested = false
    /// The folder of column snapshots (nil: off). Loads without a folder of their own use it.
    public var cacheDirectory: String?
    /// What the last load reported.
    public private(set) var lastLoadReport: LoadReport?
    /// Scripts being read, to refuse a script that reads itself.
    private var reading: [String] = []
    /// The last load's path, options and as-of date, and the as-of date `.asof` set since (nil:
    /// none): to load the files again when the snapshot the dataset was read from turns out damaged.
    private var lastLoad: (path: String, options: LoadOptions, asOf: Day?)?
    private var asOfSet: Day??

    public init(store: CaseStore = CaseStore(), asOf: Day? = nil) {
        loadedStore = store
        self.store = asOf.map { Timeline.asOf(store, $0) } ?? store
        engine = Engine(store: self.store, asOf: asOf)
        hasDataset = store.cases.count > 0 || !store.manifest.name.isEmpty
    }

    // MARK: loading

    /// Loads a dataset, replacing the current one, keeping the as-of date only if it was set by hand.
    public func load(_ path: String, options: LoadOptions = LoadOptions(), asOf: Day? = nil) throws -> LoadReport {
        let given = options
        var options = options
        let started = Date()
        var shown = false
        if showProgress && isatty(STDERR_FILENO) != 0 {
            let zh = chinese
            options.progress = { fraction in
                guard Date().timeIntervalSince(started) > 0.5 else { return }
                shown = true
                let width = 30, filled = Int(fraction * Double(width))
                let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
                let name = (path as NSString).lastPathComponent
                let loading = Message(en: "loading \(name)", zh: "正在加载 \(name)").text(chinese: zh)
                fputs("\r\u{1B}[2K\(loading) \(bar) \(Int(fraction * 100))%", cle_stderr())
            }
        }
        defer { if shown { fputs("\r\u{1B}[2K", cle_stderr()) } }
        if options.cacheDirectory == nil { options.cacheDirectory = cacheDirectory }
        options.rejectsCSV = export.csv   // a rejects file is written as every other CSV file (.csv)
        let (newStore, report) = try DatasetLoader.load(path, options: options)
        lastLoadReport = report
        lastLoad = (path, given, asOf)
        asOfSet = nil
        let params = engine.params, labels = engine.labels
        loadedStore = newStore
        store = asOf.map { Timeline.asOf(newStore, $0) } ?? newStore
        hasDataset = true
        engine = Engine(store: store, asOf: asOf)
        engine.params = params
        engine.labels = labels
        lastResult = nil
        if interactive { warmIndexes() }
        return report
    }

    /// In the interactive shell, build the common indexes on the other core while the person
    /// types, so the first question does not wait. Scripts build only what they use.
    public func warmIndexes() {
        store.cases.indexes.warmInBackground(
            postings: [FieldName.kind, .unit, .status, .keySupervised, .level, .contact].map(\.rawValue),
            sorted: [FieldName.deadline, .assignedOn].map(\.rawValue), bigramsOf: [FieldName.title.rawValue])
    }

    // MARK: running text

    /// Runs a script's text: dot-command lines, statements and `--` comments. Returns false when
    /// something failed. Errors name `origin` and the line and column in the text.
    @discardableResult
    public func runScript(_ text: String, origin: String) -> Bool {
        var ok = true
        // A byte-order mark at the start (Notepad's UTF-8) is not part of the first statement.
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        for chunk in ScriptSplitter.split(text) {
            let success: Bool
            switch chunk.kind {
            case .dot:
                success = runDotCommand(chunk.text, origin: origin, line: chunk.line)
            case .statement:
                success = runStatement(chunk.text, origin: origin, line: chunk.line, column: chunk.column)
            }
            if !success {
                ok = false
                if !keepGoing && !interactive { return false }
            }
            if quitRequested { break }
        }
        return ok
    }

    /// Runs one statement whose text starts at `line`:`column` of `origin`.
    @discardableResult
    public func runStatement(_ text: String, origin: String = "query", line: Int = 1, column: Int = 1) -> Bool {
        // Positions the parser reports are positions in the whole script.
        let started = DispatchTime.now()
        lastFailed = true
        do {
            guard hasDataset else {
                throw ShellError(en: "no dataset loaded: .load FOLDER (a folder with cases.csv, or a cases CSV file), or start caseql FOLDER",
                                 zh: "尚未加载数据：.load FOLDER（含 cases.csv 的文件夹，或一个案件 CSV 文件），或以 caseql FOLDER 启动")
            }
            let statement = try Parser.parse(text, from: SourcePosition(line: line, column: column, offset: 0))
            // A damaged section found since the last statement (by a background task): load
            // the files first. One found while this statement ran: its answer may have read
            // empty cells in place of the damaged ones, so it is dropped, unseen, and the
            // statement runs again on the files (which leave no snapshot to fault).
            _ = try reloadIfSnapshotDamaged()
            Trace.mark("statement begins")
            var outcome = settled(try engine.run(statement))
            Trace.mark("statement answered")
            while try reloadIfSnapshotDamaged() { outcome = settled(try engine.run(statement)) }
            try show(outcome)
            try output.checkWritten()
            Trace.mark("statement printed")
            // The snapshot truncated while the answer was printed: later statements answer from
            // the files. A result too large to settle read the snapshot as it was printed, so
            // some of its cells may have come out empty, which can only be said after.
            if loadedStore.snapshotFault != nil {
                let printedFromSnapshot = printingReadsSnapshot(outcome)
                _ = try reloadIfSnapshotDamaged()
                if printedFromSnapshot { throw ShellError(en: "the answer above was printed while the snapshot was truncated: some of its cells may be empty; run the statement again",
                                 zh: "上面的结果输出期间快照被截短：部分单元格可能为空；请重新运行该语句") }
            }
        } catch let e as QueryError {
            printError(e.rendered(source: text, name: origin, startColumn: column, chinese: chinese)
                       + Habits.hint(for: text, chinese: chinese))
            return false
        } catch {
            printError("\(origin):\(line): " + errorText(error, chinese: chinese))
            return false
        }
        lastFailed = false
        if timer {
            let ms = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6
            let shown = ms < 10 ? String(format: "%.2f", ms) : String(format: "%.1f", ms)
            say(Message(en: "time: \(shown) ms", zh: "用时：\(shown) ms"))
        }
        output.flush()
        publishOutput()
        return true
    }

    /// In the interactive shell, after each statement: what the `.output` file holds so far is
    /// put in place (a text file copied, a workbook rewritten), so that a closed terminal or a
    /// kill loses nothing. Scripts put it in place once, at the end.
    func publishOutput() {
        guard interactive else { return }
        do { try output.publish(options: export) } catch { printError(errorText(error, chinese: chinese)) }
    }

    /// Shows a statement's outcome where output goes. Throws when the result could not be
    /// written (a `.once` or `.output` file refused or failing): the statement then failed.
    func show(_ outcome: Outcome) throws {
        switch outcome {
        case .rows(let r):
            lastResult = r
            if let once = oncePath {
                // `.once FILE`: this result only, then back to where output went.
                oncePath = nil
                let saved = output
                output = Output()
                output.oneShot = true
                defer { output = saved }
                try output.redirect(to: once, options: export)
                // A failure leaves the file as it was (nothing is put in place).
                do { try show(outcome); try output.checkWritten() } catch { output.abandon(); throw error }
                try output.close(options: export)
                return
            }
            if output.sheets != nil {
                try addSheets([WorkbookSheet(name: Exporter.resultSheetName(chinese: export.chineseHeaders), result: r)])
                return
            }
            if output.fileFormat == .text, let path = output.path {
                // A .txt file (`--out x.txt`, `.output x.txt`) takes a report's or a check's text.
                _ = try FileFormat.of(path, for: .result)
            }
            if let mode = output.fileMode, let path = output.path {
                // A file named .csv (.tsv, .json …) gets what .export would write.
                var options = export
                options.bom = options.bom && output.bytesWritten == 0
                try Exporter.writeText(r, mode: mode, options: options, path: path) { output.write(bytes: $0) }
                output.noteResult()
                return
            }
            var options = render
            // One formula guard for every CSV and TSV caseql writes (`.csv guard`, --no-formula-guard).
            options.formulaGuard = export.formulaGuard
            if options.mode == .bar {
                // Bars fit the terminal; elsewhere 80 columns, never colour.
                options.width = options.width ?? (output.isTerminal ? Terminal.width() : 80)
                options.color = output.isTerminal && Terminal.colorAllowed()
                if !output.isTerminal { options.maxRows = interactive ? options.maxRows : nil }
            } else if options.mode == .table && output.isTerminal {
                options.width = options.width ?? Terminal.width()
                options.color = Terminal.colorAllowed()
            } else if options.mode == .table || options.mode == .line {
                options.maxRows = interactive ? options.maxRows : nil
            }
            // Tables and bars escape their cells themselves (and colour them); the other modes,
            // when they reach a terminal, get the data's control characters made visible.
            let escape = output.isTerminal && options.mode != .table && options.mode != .bar
            let write: (String) -> Void = { [output] in output.write(escape ? Escape.lines($0) : $0) }
            if interactive {
                // Ctrl-C while a long result prints stops the printing and returns to the prompt.
                var cancelled = false
                Renderer.render(r, options: options) { chunk in
                    if cancelled { return }
                    if LineEditor.interruptRequested { cancelled = true; return }
                    write(chunk)
                }
                if cancelled {
                    LineEditor.clearInterrupt()
                    say(Session.outputCancelled)
                }
            } else {
                Renderer.render(r, options: options) { write($0) }
            }
            output.noteResult()
        case .plan(let lines):
            output.text(lines.joined(separator: "\n") + "\n")
        case .expectation(let message):
            if interactive { output.text(message + "\n") }
        }
    }

    /// Runs a dot-command line. Returns false when it failed.
    @discardableResult
    public func runDotCommand(_ line: String, origin: String = "input", line lineNo: Int = 1) -> Bool {
        do {
            try DotCommands.run(line, session: self)
            try output.checkWritten()
            publishOutput()
            // A damaged section this command came upon (one that reads the dataset has had the
            // whole snapshot checked first, see `checkSnapshotBeforeReading`): later
            // statements answer from the files.
            _ = try reloadIfSnapshotDamaged()
            return true
        } catch let e as QueryError {
            printError(e.rendered(source: line, name: origin, chinese: chinese))
        } catch let e as LoadError {
            // In a script the message says which line of it ran the `.load`.
            let text = e.text(chinese: chinese)
            printError(interactive && origin == "input" ? text : "\(origin):\(lineNo): \(text)")
        } catch {
            printError("\(origin):\(lineNo): " + errorText(error, chinese: chinese))
        }
        return false
    }

    /// Sends results to a file (its extension picks the format), or back to standard output
    /// with nil; a workbook waiting for the previous file is written first.
    public func redirectOutput(to path: String?) throws {
        if let closing = try output.redirect(to: path, options: export), closing.sheets == 0 {
            printError(Session.notWritten(closing.path).text(chinese: chinese))
        }
    }

    /// Said when a file output target got no result: no file was made (an old one is as it was).
    static func notWritten(_ path: String) -> Message {
        Message(en: "caseql: no result was sent to \(path); it was not written", zh: "caseql：没有结果写入 \(path)，未生成该文件")
    }

    /// Writes what is still waiting for the output file (an .xlsx workbook); called on every way
    /// out of a session (end of script, an error that stops it, Ctrl-D, .quit). Says on standard
    /// error when a workbook got no result (no file is written), and after `failed` (a script
    /// stopped by an error) which workbook holds the results before the error.
    public func closeOutput(failed: Bool = false) throws {
        if let once = oncePath {
            oncePath = nil
            printError(Session.onceUnused(once).text(chinese: chinese))
        }
        guard let closing = try output.close(options: export) else { return }
        if closing.sheets == 0 {
            printError(Session.notWritten(closing.path).text(chinese: chinese))
        } else if failed {
            printError(Message(en: "caseql: \(closing.path) holds the \(Message.count(closing.sheets, "result", zh: "").en) before the error",
                               zh: "caseql：\(closing.path) 保存了出错前的 \(closing.sheets) 个结果").text(chinese: chinese))
        }
    }

    /// Said when the file a `.once` named got no result (the session ended, or another `.once`
    /// came first): nothing was written to it.
    static func onceUnused(_ path: String) -> Message {
        Message(en: "caseql: .once \(path) got no result; nothing was written to it",
                zh: "caseql：.once \(path) 没有得到结果，未写入任何内容")
    }

    /// Adds sheets to the workbook `.output` is collecting. In the interactive shell the file
    /// is written after the statement with every sheet so far (`publishOutput`: a closed
    /// terminal or a kill loses nothing); a script's workbook is written when output goes
    /// elsewhere or the script ends.
    /// Throws `ExportError` for a sheet with more rows than a worksheet holds: that statement
    /// fails, the sheets before it are kept.
    func addSheets(_ sheets: [WorkbookSheet]) throws {
        for sheet in sheets { try XLSXExport.checkFits(sheet, headers: export.headers, path: output.path ?? "") }
        for sheet in sheets { try output.addSheet(sheet, headers: export.headers) }
    }

    // MARK: used by dot-commands

    /// What Ctrl-C during a long output says.
    static let outputCancelled = Message(en: "\n^C: output cancelled", zh: "\n^C：已停止输出")

    /// Whether messages are in Chinese: `.labels on`.
    public var chinese: Bool { render.chineseHeaders }

    /// Writes a status line (a confirmation, a note) to the output in the shell's language.
    func say(_ message: Message) {
        output.note(message.text(chinese: chinese) + "\n")
    }

    func requestQuit() { quitRequested = true }

    /// A path a dot-command names: relative to the script being read (so `.read part2.cql` and
    /// `.once out.csv` in a script find and write files beside it), else to the working folder.
    func path(_ p: String) -> String {
        let expanded = (p as NSString).expandingTildeInPath
        guard !expanded.hasPrefix("/"), let script = reading.last else { return expanded }
        return ((script as NSString).deletingLastPathComponent as NSString).appendingPathComponent(expanded)
    }

    /// Runs a script file (`-f`, `.read`, the start-up file). Returns false when something
    /// failed; throws when it cannot be read or is already being read.
    public func readScript(_ path: String) throws -> Bool {
        let full = ((path as NSString).standardizingPath as NSString).expandingTildeInPath
        guard !reading.contains(full) else { throw ShellError(en: "\(path) is already being read (a script cannot read itself)", zh: "\(path) 正在读取中（脚本不能读取自身）") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ShellError(en: "cannot read \(path): no such file", zh: "无法读取 \(path)：文件不存在")
        }
        reading.append(full)
        defer { reading.removeLast() }
        let text = String(decoding: data, as: UTF8.self)
        return runScript(text, origin: path)
    }

    /// The start-up file the interactive shell reads before its first prompt (like sqlite3's
    /// ~/.sqliterc): `$XDG_CONFIG_HOME/caseql/rc` (XDG's default `~/.config`), else
    /// `~/.caseqlrc`; nil when neither exists.
    public static func startupFile(environment env: [String: String]) -> String? {
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let config = env["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        return [config + "/caseql/rc", home + "/.caseqlrc"].first { FileManager.default.fileExists(atPath: $0) }
    }

    // MARK: a damaged snapshot

    /// Results of at most this many cells read from a snapshot are made before the check that
    /// follows a statement (`settled`).
    static let settledCells = 200_000

    /// A statement's result, its cells made now when the dataset was read from a snapshot and it
    /// is small (`settledCells`): they then hold strings of their own, so the check after the
    /// statement covers what is printed, even if the snapshot's file is truncated meanwhile.
    func settled(_ outcome: Outcome) -> Outcome {
        guard case .rows(let r) = outcome, lastLoadReport?.fromSnapshot == true,
              r.rowCount <= Session.settledCells / max(1, r.columns.count) else { return outcome }
        return .rows(ResultSet(columns: r.columns, rows: r.rows))
    }

    /// Whether printing `outcome` reads the snapshot: a result read from one, too large to settle.
    func printingReadsSnapshot(_ outcome: Outcome) -> Bool {
        guard case .rows(let r) = outcome, lastLoadReport?.fromSnapshot == true else { return false }
        return r.rowCount > Session.settledCells / max(1, r.columns.count)
    }

    /// When a section of the snapshot the dataset was read from has failed its check
    /// (`CaseStore.snapshotFault`): says so on standard error, loads the files again (the damaged
    /// snapshot is deleted already, so they are parsed and a new one is written), travels to the
    /// as-of date `.asof` had set, and returns true. Throws what that load throws.
    func reloadIfSnapshotDamaged() throws -> Bool {
        guard let fault = loadedStore.snapshotFault, let last = lastLoad else { return false }
        printError((Message.same("caseql: ") + fault + Message(en: "; loading the files again", zh: "；重新加载文件")).text(chinese: chinese))
        let travelled = asOfSet
        var report = try load(last.path, options: last.options, asOf: last.asOf)
        if let note = report.snapshot { report.snapshot = fault + .same("; ") + note }
        lastLoadReport = report
        if let day = travelled { setAsOf(day) }
        return true
    }

    /// Before a command that reads most of the dataset and writes as it goes (`.report`,
    /// `.case` …): every section of the snapshot not checked yet is checked now, and a damaged one
    /// makes the files load first, so nothing it writes comes from a damaged section.
    func checkSnapshotBeforeReading() throws {
        if loadedStore.checkSnapshot() != nil { _ = try reloadIfSnapshotDamaged() }
    }

    /// Sets the as-of date (nil: the dataset's own) and travels there: every case as it stood on
    /// that date, rebuilt from its events (`Timeline.asOf`).
    public func setAsOf(_ day: Day?) {
        asOfSet = .some(day)
        let d = day ?? loadedStore.defaultAsOf
        let params = engine.params, labels = engine.labels
        store = Timeline.asOf(loadedStore, d)
        engine = Engine(store: store, asOf: d)
        engine.params = params
        engine.labels = labels
        lastResult = nil
        if interactive && store !== loadedStore { warmIndexes() }
    }
}

/// Terminal facts: width, and whether colour is wanted.
enum Terminal {
    static func width() -> Int {
        var w = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &w) == 0 && w.ws_col > 0 { return Int(w.ws_col) }
        if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c > 0 { return c }
        return 80
    }
    static func colorAllowed() -> Bool {
        let env = ProcessInfo.processInfo.environment
        if env["NO_COLOR"] != nil { return false }
        if env["TERM"] == "dumb" { return false }
        return isatty(STDOUT_FILENO) != 0
    }
}
