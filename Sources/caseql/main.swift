import ArgumentParser
import CaseQuery
import CaseShell
import CaseStore
import CSupport
import Foundation

/// The command: `caseql [DATASET] [options]` opens a dataset (the shell, scripts, -c commands);
/// `caseql generate` makes a dataset. One declaration gives the help, the man page and the
/// completion scripts (scripts/gen-docs.sh).
struct CaseQL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caseql",
        abstract: "An interactive query shell over deputies' suggestions (人大代表建议) and members' proposals (政协委员提案).",
        usage: """
        caseql [<dataset>] [<options>]
        caseql generate --out <folder> [--cases <n>] [--seed <n>] [--profile realistic|shipped]
        """,
        discussion: """
        Opens a dataset: runs -c commands or -f scripts, reads statements from a pipe, or starts the interactive shell.

        Examples:
          caseql datasets/zhengzhou-2020
          caseql DATASET -c 'select proposals where unit="教育局" and status=overdue'
          caseql DATASET --csv -c 'count cases group by unit' > units.csv
          caseql DATASET -f weekly.cql --set unit=教育局
          caseql generate --cases 1000000 --out /tmp/big

        Exit status: 0 when everything ran, 1 on any error, 2 on bad usage.
        """,
        version: "caseql 0.1.0",
        subcommands: [Generate.self]
    )

    @Argument(help: "A dataset folder (cases.csv, units.csv, events.csv, manifest.json) or a cases CSV file.")
    var dataset: String?

    @Option(name: [.short, .customLong("command")], help: "Run a statement or dot-command and exit (repeatable).")
    var command: [String] = []

    @Option(name: [.short, .customLong("file")], help: "Run a script file and exit (repeatable).")
    var file: [String] = []

    @Option(name: .customLong("set"), help: "Set a script parameter, NAME=VALUE (used as $NAME; repeatable).")
    var set: [String] = []

    @Option(help: "Output mode: table, line, csv, tsv, json, jsonl, markdown or bar (horizontal bars of a grouped result).")
    var mode: String?

    @Flag(help: "CSV output (same as --mode csv).") var csv = false
    @Flag(help: "TSV output.") var tsv = false
    @Flag(help: "JSON output.") var json = false
    @Flag(help: "JSON lines output.") var jsonl = false
    @Flag(help: "Markdown table output.") var markdown = false
    @Flag(help: "Table output (the default).") var table = false

    @Flag(help: "Report every error of a script and go on; the exit status is still 1.")
    var keepGoing = false

    @Option(help: "The as-of date for overdue and days_open (default: the dataset's own, else today).")
    var asof: String?

    @Flag(help: "Load the good rows of a dataset with errors; write the rejected ones to NAME.rejects.csv.")
    var lenient = false

    // Optional, so that --help states the default once (it depends on the machine).
    @Flag(inversion: .prefixedNo, help: "Parse large files (16 MB and more) on two cores (default: on when there are two).")
    var parallelLoad: Bool?

    @Option(name: [.customLong("init", withSingleDash: true), .customLong("init")],
            help: ArgumentHelp("Read this start-up file instead of the usual one (before -c, -f, a pipe or the first prompt).", valueName: "file"))
    var initFile: String?

    @Flag(help: "Do not read the start-up file ($XDG_CONFIG_HOME/caseql/rc, else ~/.caseqlrc).")
    var noRc = false

    @Flag(help: "Parse the dataset's files even when a column snapshot of them is in the cache folder ($XDG_CACHE_HOME/caseql or ~/.cache/caseql), and write none.")
    var noCache = false

    @Option(help: "The encoding of the dataset's files: utf-8 or gb18030 (default: detected).")
    var encoding: String?

    @Option(help: "The kind of every case of a list without a kind column: suggestion (建议), proposal (提案), motion (议案), inquiry (质询), public_opinion (群众意见), social_opinion (社情民意).")
    var kind: String?

    @Flag(help: "Leave out the header row.")
    var noHeaders = false

    @Flag(help: "Chinese headers and values (办理状态, 已办结) instead of field names and tokens.")
    var labels = false

    @Flag(help: "Do not neutralise cells that start with = + - @ in CSV output.")
    var noFormulaGuard = false

    @Option(help: "Write results to this file instead of standard output.")
    var out: String?

    /// Errors of the options, in Chinese under `--labels` (as the shell's messages under `.labels on`).
    func validate() throws {
        func invalid(_ m: Message) -> ValidationError { ValidationError(m.text(chinese: labels)) }
        if let m = mode, OutputMode(rawValue: m.lowercased()) == nil {
            let modes = OutputMode.allCases.map(\.rawValue).joined(separator: ", ")
            throw invalid(Message(en: "unknown mode \(m) (the modes are \(modes))", zh: "没有 \(m) 这种模式（可用：\(modes)）"))
        }
        if let e = encoding, TextEncoding(name: e) == nil {
            throw invalid(Message(en: "--encoding takes \(TextEncoding.names)", zh: "--encoding 取 \(TextEncoding.names)"))
        }
        if let k = kind, Kind(spelling: k) == nil {
            let kinds = Kind.info.tokens.joined(separator: ", ")
            throw invalid(Message(en: "--kind takes one of \(kinds)", zh: "--kind 取以下之一：\(kinds)"))
        }
        if let a = asof, a != "today", Day(a) == nil {
            throw invalid(Message(en: "--asof: \(a) is not a date (yyyy-mm-dd)", zh: "--asof：\(a) 不是日期（应为 yyyy-mm-dd）"))
        }
        for s in set where !s.contains("=") {
            throw invalid(Message(en: "--set takes NAME=VALUE, not \(s)", zh: "--set 取 NAME=VALUE，不能是 \(s)"))
        }
        if let o = out {
            // The file's extension picks its format (FileFormat); a mode given beside it must agree.
            let named: FileFormat?
            do { named = try FileFormat.ofAny(o) } catch { throw ValidationError("--out: " + ((error as? Bilingual)?.text(chinese: labels) ?? "\(error)")) }
            var given = mode.flatMap { OutputMode(rawValue: $0.lowercased()) }
            for (flag, m) in [(csv, OutputMode.csv), (tsv, .tsv), (json, .json), (jsonl, .jsonl), (markdown, .markdown), (table, .table)] where flag {
                given = m
            }
            if let named, let given, FileFormat(mode: given) != named {
                throw invalid(Message(en: "--out \(o) is written as \(named.rawValue) (its extension), not \(given.rawValue): drop the mode, or name the file by the format you want",
                                      zh: "--out \(o) 按扩展名写为 \(named.rawValue)，不是 \(given.rawValue)：去掉该模式，或按所要的格式命名文件"))
            }
        }
    }

    /// An error's text for standard error: in Chinese under `--labels` (or `.labels on` in the
    /// start-up file) when it knows both languages.
    func errorText(_ error: Error, _ session: Session) -> String {
        Escape.lines((error as? Bilingual)?.text(chinese: session.chinese) ?? "\(error)")
    }

    func run() throws {
        Trace.mark("main")
        // Large blocks (columns, buffers) straight from mmap and back to the system when freed:
        // glibc's moving threshold would otherwise keep freed blocks in the heaps of the two
        // loading threads and raise peak memory by a fifth.
        caseql_malloc_policy()
        // A signal that kills the process removes the temporary files being written and gives
        // the terminal back its mode (SignalCleanup; the line editor's Ctrl-C handling comes after).
        SignalCleanup.install()
        SignalCleanup.saveTerminal()
        let session = Session()
        session.keepGoing = keepGoing
        session.cacheDirectory = noCache ? nil : Snapshot.defaultDirectory()
        var chosen = mode.flatMap { OutputMode(rawValue: $0.lowercased()) }
        for (flag, m) in [(csv, OutputMode.csv), (tsv, .tsv), (json, .json), (jsonl, .jsonl), (markdown, .markdown), (table, .table)] where flag {
            chosen = m
        }
        if let m = chosen { session.render.mode = m }
        session.render.headers = !noHeaders
        session.export.headers = !noHeaders
        session.export.formulaGuard = !noFormulaGuard
        if labels {
            session.render.chineseHeaders = true; session.export.chineseHeaders = true
        }
        for s in set {
            let parts = s.split(separator: "=", maxSplits: 1)
            session.engine.params[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        // A person at a terminal, about to get the interactive shell, sees progress on long loads.
        session.showProgress = command.isEmpty && file.isEmpty && isatty(STDIN_FILENO) != 0
        let asOfDay: Day? = asof.map { $0 == "today" ? Day.today() : Day($0)! }
        if let path = dataset {
            var options = LoadOptions(lenient: lenient)
            options.parallelThreshold = parallelLoad ?? (ProcessInfo.processInfo.activeProcessorCount > 1) ? LoadOptions.parallelLoadThreshold : Int.max
            options.kind = kind.flatMap { Kind(spelling: $0) }
            options.encoding = encoding.flatMap { TextEncoding(name: $0) }
            do {
                let report = try session.load(path, options: options, asOf: asOfDay)
                if report.rejectedTotal > 0 || !report.warnings.isEmpty {
                    FileHandle.standardError.write((Escape.lines(DotCommands.loadSummary(report, store: session.store, chinese: labels)) + "\n").data(using: .utf8)!)
                }
            } catch {
                FileHandle.standardError.write("caseql: \(errorText(error, session))\n".data(using: .utf8)!)
                throw ExitCode(1)
            }
        } else if let d = asOfDay {
            session.setAsOf(d)
        }
        if labels { session.engine.labels = true }
        if let o = out {
            do { try session.redirectOutput(to: o) } catch {
                FileHandle.standardError.write("caseql: \(errorText(error, session))\n".data(using: .utf8)!)
                throw ExitCode(1)
            }
        }

        // The start-up file: -init FILE always; the usual one for the interactive shell only
        // (so scripts and pipes mean the same on every machine), unless --no-rc.
        let interactive = command.isEmpty && file.isEmpty && isatty(STDIN_FILENO) != 0
        if let rc = initFile ?? (interactive && !noRc ? Session.startupFile(environment: ProcessInfo.processInfo.environment) : nil) {
            do { _ = try session.readScript(rc) } catch {
                FileHandle.standardError.write("caseql: \(errorText(error, session))\n".data(using: .utf8)!)
                if initFile != nil { throw ExitCode(1) }
            }
        }

        if !command.isEmpty || !file.isEmpty {
            var ok = true
            for (i, c) in command.enumerated() {
                let name = command.count > 1 ? "-c#\(i + 1)" : "-c"
                ok = session.runScript(c, origin: name) && ok
                if !ok && !keepGoing { try finish(session, failed: true); throw ExitCode(1) }
            }
            for f in file {
                do { ok = try session.readScript(f) && ok } catch {
                    FileHandle.standardError.write("caseql: \(errorText(error, session))\n".data(using: .utf8)!)
                    try finish(session, failed: true)
                    throw ExitCode(1)
                }
                if !ok && !keepGoing { try finish(session, failed: true); throw ExitCode(1) }
            }
            session.output.flush()
            try finish(session, failed: !ok)
            if !ok { throw ExitCode(1) }
            return
        }
        if isatty(STDIN_FILENO) == 0 {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            let ok = session.runScript(String(decoding: data, as: UTF8.self), origin: "stdin")
            session.output.flush()
            try finish(session, failed: !ok)
            if !ok { throw ExitCode(1) }
            return
        }
        session.interactive = true
        Repl(session: session).run()
        try finish(session)
    }

    /// Writes what waits for the output file (an .xlsx workbook collects its sheets until the
    /// end), on every way out: `failed`, a script stopped by an error.
    func finish(_ session: Session, failed: Bool = false) throws {
        session.output.flush()
        do { try session.closeOutput(failed: failed) } catch {
            FileHandle.standardError.write("caseql: \(errorText(error, session))\n".data(using: .utf8)!)
            throw ExitCode(1)
        }
    }
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a synthetic dataset of the shipped dataset's shape (deterministic for a seed).",
        usage: "caseql generate --out <folder> [--cases <n>] [--seed <n>] [--profile realistic|shipped]"
    )
    @Option(help: "How many cases.") var cases: Int = 1270
    @Option(help: "The random seed.") var seed: UInt64 = 2020
    @Option(help: "realistic (titles nearly all distinct, people filing a few cases each, skewed unit caseloads) or shipped (the distributions of datasets/zhengzhou-2020, which --cases 1270 --seed 2020 --profile shipped rewrites).")
    var profile: String = DatasetGenerator.Profile.realistic.rawValue
    @Option(help: "The folder to write (created if missing).") var out: String
    @Flag(help: "Messages in Chinese.") var labels = false

    func validate() throws {
        func invalid(_ m: Message) -> ValidationError { ValidationError(m.text(chinese: labels)) }
        guard cases > 0 else { throw invalid(Message(en: "--cases must be positive", zh: "--cases 必须是正数")) }
        guard DatasetGenerator.Profile(rawValue: profile) != nil else {
            let profiles = DatasetGenerator.Profile.allCases.map(\.rawValue).joined(separator: ", ")
            throw invalid(Message(en: "--profile must be one of: " + profiles, zh: "--profile 取以下之一：" + profiles))
        }
    }

    func run() throws {
        let started = Date()
        do {
            try DatasetGenerator(cases: cases, seed: seed, profile: DatasetGenerator.Profile(rawValue: profile)!).write(to: out)
        } catch {
            let why = (error as? Bilingual)?.text(chinese: labels) ?? "\(error)"
            FileHandle.standardError.write("caseql generate: \(why)\n".data(using: .utf8)!)
            throw ExitCode(1)
        }
        let seconds = String(format: "%.2f", Date().timeIntervalSince(started))
        let wrote = Message(en: "wrote \(cases) cases to \(out) in \(seconds) s", zh: "已写出 \(cases) 件案件到 \(out)，用时 \(seconds) 秒")
        FileHandle.standardError.write((wrote.text(chinese: labels) + "\n").data(using: .utf8)!)
    }
}

// `generate` is CaseQL's subcommand in the help, the man page and the completion scripts, but it
// is routed here by hand: ArgumentParser gives a command's own positional argument (the dataset)
// the first word before it looks for a subcommand, so `caseql generate` would open a dataset
// named "generate" (write ./generate for that). Bad usage exits 2 (ArgumentParser's own is 64).
let arguments = Array(CommandLine.arguments.dropFirst())
let root: ParsableCommand.Type = arguments.first == "generate"
    || (arguments.first == "help" && arguments.dropFirst().first == "generate") ? Generate.self : CaseQL.self
if let asked = CompletionScripts.requested(arguments), let shell = asked {
    print(CompletionScripts.script(for: shell))
    exit(0)
}
do {
    if arguments.first == "help" {
        print(root.helpMessage())
        exit(0)
    }
    var command = try root.parseAsRoot(root == Generate.self ? Array(arguments.dropFirst()) : arguments)
    try command.run()
} catch {
    if root.exitCode(for: error) == .validationFailure {
        // Parsed on its own, generate's messages would name it without the program.
        let message = root.fullMessage(for: error).replacingOccurrences(of: "'generate --help'", with: "'caseql generate --help'")
        FileHandle.standardError.write((UsageErrors.text(message, chinese: UsageErrors.wantsChinese(arguments)) + "\n").data(using: .utf8)!)
        exit(2)
    }
    root.exit(withError: error)
}
