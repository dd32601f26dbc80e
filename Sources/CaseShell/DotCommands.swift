import CaseOffice
import CaseQuery
import CaseStore
import Foundation

/// What a dot-command's arguments complete to.
public enum ArgumentKind: Sendable {
    case none, path, mode, onOff, source, date, parameter, text
    /// A dot-command's name (.help CMD).
    case command
    /// .report's options; .check's options and rule ids.
    case office, check
}

/// One dot-command, declared once: dispatch, `.help` and completion all read this table
/// (the way DuckDB's shell_metadata_command.cpp does).
public struct DotCommand {
    public let name: String
    public let usage: String
    public let help: String
    public let minArgs: Int
    public let maxArgs: Int
    public let argument: ArgumentKind
    /// After this many words, the rest of the line is one argument, as typed (a query keeps its
    /// quotes and spaces).
    var textAfter: Int? = nil
    let run: (Session, [String]) throws -> Void
}

public enum DotCommands {
    public static let all: [DotCommand] = [
        DotCommand(name: "help", usage: ".help [COMMAND]", help: "show the dot-commands, or one in full", minArgs: 0, maxArgs: 1, argument: .none) { s, a in
            s.output.write(helpText(a.first))
        },
        DotCommand(name: "load", usage: ".load PATH [--lenient] [--no-parallel] [--encoding utf-8|gb18030]", help: "load a dataset folder or a cases CSV file", minArgs: 1, maxArgs: 5, argument: .path) { s, a in
            var options = LoadOptions()
            var path: String?
            var i = 0
            while i < a.count {
                switch a[i] {
                case "--lenient": options.lenient = true
                case "--parallel": options.parallelThreshold = LoadOptions.parallelLoadThreshold
                case "--no-parallel": options.parallelThreshold = Int.max
                case "--encoding":
                    i += 1
                    guard i < a.count, let e = TextEncoding(name: a[i]) else {
                        throw ShellError("--encoding takes \(TextEncoding.names)")
                    }
                    options.encoding = e
                default: path = a[i]
                }
                i += 1
            }
            guard let path else { throw ShellError("usage: .load PATH [--lenient] [--no-parallel] [--encoding utf-8|gb18030]") }
            let report = try s.load(path, options: options)
            s.output.write(Escape.lines(loadSummary(report, store: s.store)) + "\n")
        },
        DotCommand(name: "schema", usage: ".schema [SOURCE]", help: "the fields of cases, units and events: type, Chinese label", minArgs: 0, maxArgs: 1, argument: .source) { s, a in
            s.output.write(schemaText(a.first))
        },
        DotCommand(name: "units", usage: ".units", help: "the handling units with their case counts", minArgs: 0, maxArgs: 0, argument: .none) { s, _ in
            s.runStatement("select unit, count, completion_rate, face_to_face_rate, satisfaction_rate from cases group by unit order by count desc")
        },
        DotCommand(name: "mode", usage: ".mode table|csv|tsv|json|jsonl|markdown|bar", help: "how results are shown", minArgs: 1, maxArgs: 1, argument: .mode) { s, a in
            guard let m = OutputMode(rawValue: a[0].lowercased()) else {
                throw ShellError("unknown mode \(a[0]) (the modes are \(OutputMode.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            s.render.mode = m
        },
        DotCommand(name: "report", usage: ".report [--format text|markdown|csv] [--unit NAME]", help: "the notice's figures from the data: cases by source, key cases, the three rates against the targets, overall and per unit, the good units and why the others fall short", minArgs: 0, maxArgs: 4, argument: .office) { s, a in
            let o = try officeOptions(a, session: s, allowRule: false)
            let report = ReportBuilder.build(s.store, asOf: s.engine.asOf, unit: o.unit, options: o.check)
            s.output.write(o.format == .csv ? report.render(o.format) : Escape.lines(report.render(o.format)))
        },
        DotCommand(name: "check", usage: ".check [RULE] [--unit NAME] [--format text|markdown|csv] [--days N]", help: "the problems the notice names (no reception day, shirking, old form, late signing, late replies, late co-unit opinions …), by rule, unit and case", minArgs: 0, maxArgs: 7, argument: .check) { s, a in
            let o = try officeOptions(a, session: s, allowRule: true)
            let rules = o.rule.map { [$0] } ?? Checker.rules
            var findings = Checker.run(s.store, asOf: s.engine.asOf, options: o.check)
            findings = findings.filter { f in rules.contains(f.rule) && (o.unit == nil || f.unit == o.unit) }
            let text = Checker.format(findings, rules: rules, format: o.format, asOf: s.engine.asOf, options: o.check)
            s.output.write(o.format == .csv ? text : Escape.lines(text))
        },
        DotCommand(name: "headers", usage: ".headers on|off", help: "show column headers", minArgs: 1, maxArgs: 1, argument: .onOff) { s, a in
            s.render.headers = try onOff(a[0]); s.export.headers = s.render.headers
        },
        DotCommand(name: "labels", usage: ".labels on|off", help: "Chinese headers and values (已办结) instead of tokens (closed)", minArgs: 1, maxArgs: 1, argument: .onOff) { s, a in
            let on = try onOff(a[0])
            s.render.chineseHeaders = on; s.export.chineseHeaders = on; s.engine.labels = on
        },
        DotCommand(name: "maxrows", usage: ".maxrows N|all", help: "rows a table shows before it says how many more", minArgs: 1, maxArgs: 1, argument: .none) { s, a in
            if a[0].lowercased() == "all" { s.render.maxRows = nil; return }
            guard let n = Int(a[0]), n > 0 else { throw ShellError(".maxrows takes a positive number or all") }
            s.render.maxRows = n
        },
        DotCommand(name: "timer", usage: ".timer on|off", help: "show how long each statement took", minArgs: 1, maxArgs: 1, argument: .onOff) { s, a in
            s.timer = try onOff(a[0])
        },
        DotCommand(name: "asof", usage: ".asof [DATE|today|reset]", help: "the date overdue and days_open are computed against", minArgs: 0, maxArgs: 1, argument: .date) { s, a in
            if let arg = a.first {
                switch arg.lowercased() {
                case "reset": s.setAsOf(nil)
                case "today": s.setAsOf(Day.today())
                default:
                    guard let d = Day(arg) else { throw ShellError("\(arg) is not a date (expected yyyy-mm-dd, today or reset)") }
                    s.setAsOf(d)
                }
            }
            // Setting it in a script prints nothing, so machine-readable output stays clean.
            guard a.isEmpty || s.interactive else { return }
            let source = s.engine.asOf == s.store.manifest.asOf ? " (the dataset's own)" : ""
            s.output.write("as of \(s.engine.asOf)\(source)\n")
        },
        DotCommand(name: "set", usage: ".set NAME VALUE", help: "set a script parameter, used as $NAME", minArgs: 1, maxArgs: 99, argument: .parameter) { s, a in
            guard a.count >= 2 else {
                if let v = s.engine.params[a[0]] { s.output.write("\(a[0]) = \(v)\n"); return }
                throw ShellError("usage: .set NAME VALUE")
            }
            s.engine.params[a[0]] = a.dropFirst().joined(separator: " ")
        },
        DotCommand(name: "unset", usage: ".unset NAME", help: "forget a parameter", minArgs: 1, maxArgs: 1, argument: .parameter) { s, a in
            s.engine.params[a[0]] = nil
        },
        DotCommand(name: "params", usage: ".params", help: "list the parameters", minArgs: 0, maxArgs: 0, argument: .none) { s, _ in
            for (k, v) in s.engine.params.sorted(by: { $0.key < $1.key }) { s.output.write("$\(k) = \(v)\n") }
        },
        DotCommand(name: "export", usage: ".export FILE [QUERY]", help: "write the last result (or QUERY's) to FILE: CSV for Excel/WPS, or by extension .tsv .json .jsonl .md", minArgs: 1, maxArgs: 2, argument: .path, textAfter: 1) { s, a in
            var result = s.lastResult
            if a.count > 1 {
                let text = a[1]
                let statement = try Parser.parse(text)
                guard case .rows(let r) = try s.engine.run(statement) else { throw ShellError(".export takes a query") }
                result = r
            }
            guard let result else { throw ShellError("nothing to export yet: run a query first, or give one: .export FILE QUERY") }
            let n = try Exporter.write(result, to: a[0], options: s.export)
            s.output.write("wrote \(n) row\(n == 1 ? "" : "s") to \(a[0])\n")
        },
        DotCommand(name: "csv", usage: ".csv bom on|off | crlf on|off | guard on|off | encoding utf-8|gb18030", help: "how .export writes CSV (default: UTF-8 with BOM, CRLF, formula guard on: opens cleanly in Excel and WPS)", minArgs: 2, maxArgs: 2, argument: .text) { s, a in
            switch a[0].lowercased() {
            case "bom": s.export.bom = try onOff(a[1])
            case "crlf": s.export.crlf = try onOff(a[1])
            case "guard": s.export.formulaGuard = try onOff(a[1]); s.render.formulaGuard = s.export.formulaGuard
            case "encoding":
                guard let e = TextEncoding(name: a[1]) else {
                    throw ShellError("encoding is \(TextEncoding.names)")
                }
                s.export.encoding = e
            default: throw ShellError("usage: .csv bom|crlf|guard on|off, or .csv encoding utf-8|gb18030")
            }
        },
        DotCommand(name: "output", usage: ".output FILE|stdout", help: "send results to a file, or back to the screen", minArgs: 0, maxArgs: 1, argument: .path) { s, a in
            let target = a.first
            try s.output.redirect(to: target == nil || target == "stdout" || target == "-" ? nil : target)
        },
        DotCommand(name: "read", usage: ".read SCRIPT", help: "run the statements of a script file", minArgs: 1, maxArgs: 1, argument: .path) { s, a in
            if !(try s.readScript(a[0])) { throw ShellError("\(a[0]) stopped at its first error") }
        },
        DotCommand(name: "memory", usage: ".memory", help: "how much memory the store, its string pools and its indexes hold", minArgs: 0, maxArgs: 0, argument: .none) { s, _ in
            let st = s.store
            func mib(_ b: Int) -> String { String(format: "%8.1f MiB", Double(b) / 1_048_576) }
            var lines: [String] = []
            lines.append("cases columns   \(mib(st.cases.footprint))  (\(st.cases.count) rows)")
            let pending = st.pools.pendingFootprint
            if pending > 0 {
                // Ids and people kept as bytes at load: counted in the cases columns.
                lines.append("  of which kept as bytes, interned on first use: \(mib(pending).trimmingCharacters(in: .whitespaces))")
            }
            lines.append("units columns   \(mib(st.units.footprint))")
            lines.append("events columns  \(mib(st.events.footprint))  (\(st.events.count) rows)")
            for (name, pool) in [("ids", st.pools.ids), ("units", st.pools.units), ("people", st.pools.people), ("titles", st.pools.titles), ("other", st.pools.other)] {
                lines.append("pool \(name.padding(toLength: 10, withPad: " ", startingAt: 0))\(mib(pool.footprint))  (\(pool.count) strings)")
            }
            lines.append("indexes         \(mib(st.cases.indexes.footprint + st.events.indexes.footprint))")
            lines.append("total           \(mib(st.footprint + st.cases.indexes.footprint + st.events.indexes.footprint))")
            s.output.write(lines.joined(separator: "\n") + "\n")
        },
        DotCommand(name: "quit", usage: ".quit", help: "leave caseql (also .exit, or Ctrl-D)", minArgs: 0, maxArgs: 0, argument: .none) { s, _ in
            s.requestQuit()
        },
        DotCommand(name: "exit", usage: ".exit", help: "leave caseql", minArgs: 0, maxArgs: 0, argument: .none) { s, _ in
            s.requestQuit()
        },
    ]

    struct OfficeOptions {
        var format = OfficeFormat.text
        var unit: String?
        var rule: CheckRule?
        var check = CheckOptions()
    }

    /// The arguments of .report and .check: --format F, --unit NAME, --days N, and a rule id.
    static func officeOptions(_ a: [String], session s: Session, allowRule: Bool) throws -> OfficeOptions {
        var o = OfficeOptions()
        var i = 0
        func value() throws -> String {
            i += 1
            guard i < a.count else { throw ShellError("\(a[i - 1]) needs a value") }
            return a[i]
        }
        while i < a.count {
            switch a[i] {
            case "--format", "-f":
                let f = try value()
                guard let fmt = OfficeFormat(rawValue: f.lowercased() == "md" ? "markdown" : f.lowercased()) else {
                    throw ShellError("--format takes text, markdown or csv, not \(f)")
                }
                o.format = fmt
            case "--unit":
                let u = try value()
                let known = OfficeView(s.store).unitOrder
                guard known.contains(u) else {
                    let hint = Suggest.closest(to: u, in: known).map { " (did you mean \($0)?)" } ?? ""
                    throw ShellError("no unit \(u)\(hint)")
                }
                o.unit = u
            case "--days" where allowRule:
                let d = try value()
                guard let n = Int(d), n >= 0 else { throw ShellError("--days takes a number of days, not \(d)") }
                o.check.signDays = n
            default:
                guard allowRule, o.rule == nil, !a[i].hasPrefix("--") else { throw ShellError("unexpected argument \(a[i])") }
                guard let r = Checker.rule(a[i]) else {
                    let ids = Checker.rules.map(\.id)
                    let hint = Suggest.closest(to: a[i], in: ids).map { " (did you mean \($0)?)" } ?? ""
                    throw ShellError("no rule \(a[i])\(hint); the rules are \(ids.joined(separator: ", "))")
                }
                o.rule = r
            }
            i += 1
        }
        return o
    }

    static func onOff(_ s: String) throws -> Bool {
        switch s.lowercased() {
        case "on", "yes", "true", "1", "开": return true
        case "off", "no", "false", "0", "关": return false
        default: throw ShellError("expected on or off, not \(s)")
        }
    }

    static func command(named name: String) -> DotCommand? {
        all.first { $0.name == name } ?? {
            let matches = all.filter { $0.name.hasPrefix(name) }
            return matches.count == 1 ? matches[0] : nil
        }()
    }

    public static func run(_ line: String, session: Session) throws {
        var words = try splitArguments(String(line.drop { $0 == " " || $0 == "\t" }.dropFirst()))
        guard !words.isEmpty else { throw ShellError("a dot-command needs a name: try .help") }
        let name = words.removeFirst().lowercased()
        guard let command = command(named: name) else {
            let hint = Suggest.closest(to: name, in: all.map(\.name)).map { " (did you mean .\($0)?)" } ?? ""
            throw ShellError("unknown command .\(name)\(hint); .help lists them")
        }
        if let k = command.textAfter {
            let (head, tail) = try splitPrefix(String(line.drop { $0 == " " || $0 == "\t" }.dropFirst()), words: k + 1)
            words = Array(head.dropFirst()) + (tail.isEmpty ? [] : [tail])
        }
        guard words.count >= command.minArgs, words.count <= command.maxArgs else {
            throw ShellError("usage: \(command.usage)")
        }
        try command.run(session, words)
    }

    /// The first `k` words (quotes as in splitArguments) and the rest of the text as it stands.
    static func splitPrefix(_ s: String, words k: Int) throws -> ([String], String) {
        var rest = Substring(s)
        var words: [String] = []
        while words.count < k {
            rest = rest.drop { $0 == " " || $0 == "\t" }
            guard let first = rest.first else { break }
            if first == "\"" || first == "'" {
                guard let close = rest.dropFirst().firstIndex(of: first) else { throw ShellError("unterminated quote in the arguments") }
                words.append(String(rest[rest.index(after: rest.startIndex)..<close]))
                rest = rest[rest.index(after: close)...]
            } else {
                let end = rest.firstIndex { $0 == " " || $0 == "\t" } ?? rest.endIndex
                words.append(String(rest[..<end]))
                rest = rest[end...]
            }
        }
        return (words, String(rest.drop { $0 == " " || $0 == "\t" }))
    }

    /// Splits on spaces, keeping "quoted words" and 'quoted words' together.
    static func splitArguments(_ s: String) throws -> [String] {
        var out: [String] = []
        var current = ""
        var quote: Character?
        var has = false
        for c in s {
            if let q = quote {
                if c == q { quote = nil } else { current.append(c) }
            } else if c == "\"" || c == "'" {
                quote = c; has = true
            } else if c == " " || c == "\t" {
                if has || !current.isEmpty { out.append(current); current = ""; has = false }
            } else {
                current.append(c)
            }
        }
        if quote != nil { throw ShellError("unterminated quote in the arguments") }
        if has || !current.isEmpty { out.append(current) }
        return out
    }

    public static func helpText(_ name: String?) -> String {
        if let n = name {
            let key = n.hasPrefix(".") ? String(n.dropFirst()) : n
            guard let c = command(named: key.lowercased()) else { return "no command .\(key)\n" }
            return "\(c.usage)\n  \(c.help)\n"
        }
        let width = all.map { $0.usage.count }.max() ?? 0
        var s = all.map { $0.usage.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.help }.joined(separator: "\n")
        s += "\n\nStatements (end with ; or Enter when complete):\n"
        s += "  select proposals where unit = \"教育局\" and status = overdue\n"
        s += "  select id, title from cases where title contains \"午餐\" order by assigned_on desc limit 10\n"
        s += "  count cases group by unit\n"
        s += "  select unit, count, completion_rate from cases group by unit having completion_rate < 1\n"
        s += "  explain select cases where overdue\n"
        s += "See README.md for the whole language.\n"
        return s
    }

    public static func schemaText(_ source: String?) -> String {
        let tables: [(String, [FieldSpec])] = [("cases (suggestions, proposals)", Schema.cases), ("units", Schema.units), ("events", Schema.events)]
        var out = ""
        for (name, specs) in tables {
            if let s = source, !name.contains(s.lowercased()) { continue }
            out += "\(name):\n"
            let w = specs.map { $0.name.count }.max() ?? 0
            let tw = specs.map { $0.type.name.count }.max() ?? 0
            for f in specs {
                var line = "  " + f.name.padding(toLength: w, withPad: " ", startingAt: 0) + "  "
                line += f.type.name.padding(toLength: tw, withPad: " ", startingAt: 0) + "  " + f.label
                if f.derived { line += "  (derived: \(f.help))" }
                if case .enumeration(let info) = f.type {
                    line += "  [" + info.values.map { "\($0.token) \($0.label)" }.joined(separator: ", ") + "]"
                }
                out += line + "\n"
            }
        }
        return out.isEmpty ? "no source \(source ?? "")\n" : out
    }

    public static func loadSummary(_ report: LoadReport, store: CaseStore) -> String {
        var lines: [String] = []
        let asOf = store.manifest.asOf.map { ", as of \($0)" } ?? ""
        lines.append("loaded \(store.manifest.name): \(store.cases.count) cases, \(store.units.count) units, \(store.events.count) events\(asOf)")
        for f in report.files {
            var notes: [String] = []
            if f.encoding != .utf8 { notes.append("read as \(f.encoding.rawValue)") }
            if f.rejected > 0 { notes.append("\(f.rejected) rejected row\(f.rejected == 1 ? "" : "s")\(f.rejectsFile.map { " written to \($0)" } ?? "")") }
            if !notes.isEmpty { lines.append("  \((f.file as NSString).lastPathComponent): " + notes.joined(separator: "; ")) }
        }
        for i in report.rejectedIssues.prefix(LoadError.shown) { lines.append("  rejected: \(i)") }
        // The encoding is already said per file above.
        for w in report.warnings where !w.contains(": read as ") { lines.append("  note: \(w)") }
        return lines.joined(separator: "\n")
    }
}
