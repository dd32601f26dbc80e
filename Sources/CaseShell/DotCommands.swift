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
public struct DotCommand: Sendable {
    public let name: String
    /// How many letters of the name are enough (DuckDB's shell keeps such a minimum per
    /// command): `.exp` is .export, `.e` and `.ex` are ambiguous. Declared, never computed, so
    /// adding a command never changes what an existing script's abbreviation means.
    public let shortest: Int
    public let usage: String
    public let help: String
    /// `help` in Chinese (`.help` under `.labels on`).
    public let zh: String
    public let minArgs: Int
    public let maxArgs: Int
    public let argument: ArgumentKind
    /// After this many words, the rest of the line is one argument, as typed (a query keeps its
    /// quotes and spaces).
    var textAfter: Int? = nil
    let run: @Sendable (Session, [String]) throws -> Void
}

public enum DotCommands {
    public static let all: [DotCommand] = [
        DotCommand(name: "help", shortest: 1, usage: ".help [COMMAND]", help: "show the dot-commands, or one in full", zh: "列出点命令，或显示一个命令的全部说明", minArgs: 0, maxArgs: 1, argument: .command) { s, a in
            // On a terminal narrower than 80 columns the lines wrap at its width, between words.
            s.output.write(helpText(a.first, width: s.output.isTerminal ? max(40, min(Terminal.width(), 80)) : 80, chinese: s.chinese))
        },
        DotCommand(name: "show", shortest: 2, usage: ".show", help: "the current settings: mode, headers, labels, maxrows, timer, asof, output, csv; the dataset and the parameters", zh: "当前设置：mode、headers、labels、maxrows、timer、asof、output、csv；数据集和参数", minArgs: 0, maxArgs: 0, argument: .none) { s, _ in
            var lines = settings.map { settingLine($0.name, s) }
            let w = settings.map(\.name.count).max() ?? 0
            func line(_ n: String, _ v: String) -> String { n.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + v }
            let name = s.store.manifest.name, cases = s.store.cases.count
            let dataset = s.hasDataset ? Message(en: "\(name) (\(cases) cases)", zh: "\(name)（\(Schema.tableLabels["cases"]!) \(cases) 件）")
                                       : Message(en: "none (.load FOLDER)", zh: "无（.load FOLDER）")
            lines.append(line("dataset", dataset.text(chinese: s.chinese)))
            let params = s.engine.params.sorted { $0.key < $1.key }.map { "$\($0.key) = \($0.value)" }.joined(separator: ", ")
            lines.append(line("params", s.engine.params.isEmpty ? Message(en: "none", zh: "无").text(chinese: s.chinese) : params))
            s.output.text(lines.joined(separator: "\n") + "\n")
        },
        DotCommand(name: "load", shortest: 2, usage: ".load PATH [--lenient] [--no-parallel] [--encoding utf-8|gb18030] [--kind KIND]", help: "load a dataset folder or a cases CSV file", zh: "加载数据集文件夹或案件清单文件", minArgs: 1, maxArgs: 7, argument: .path) { s, a in
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
                        throw ShellError(en: "--encoding takes \(TextEncoding.names)", zh: "--encoding 取 \(TextEncoding.names)")
                    }
                    options.encoding = e
                case "--kind":
                    i += 1
                    guard i < a.count, let k = Kind(spelling: a[i]) else {
                        let kinds = Kind.info.values.map(\.described).joined(separator: ", ")
                        throw ShellError(en: "--kind takes one of " + kinds, zh: "--kind 取以下之一：" + kinds)
                    }
                    options.kind = k
                default: path = a[i]
                }
                i += 1
            }
            guard let path else { throw usage(".load PATH [--lenient] [--no-parallel] [--encoding utf-8|gb18030] [--kind KIND]") }
            let report = try s.load(path, options: options)
            s.output.text(loadSummary(report, store: s.store, chinese: s.chinese) + "\n")
        },
        DotCommand(name: "schema", shortest: 2, usage: ".schema [SOURCE]", help: "the fields of cases, units and events: type, Chinese label", zh: "cases、units、events 的字段：类型、中文名称", minArgs: 0, maxArgs: 1, argument: .source) { s, a in
            s.output.text(schemaText(a.first, store: s.store))
        },
        DotCommand(name: "units", shortest: 3, usage: ".units", help: "the handling units with their case counts", zh: "承办单位及其案件数", minArgs: 0, maxArgs: 0, argument: .none) { s, _ in
            s.runStatement("select unit, count, completion_rate, face_to_face_rate, satisfaction_rate from cases group by unit order by count desc")
        },
        DotCommand(name: "mode", shortest: 2, usage: ".mode [table|line|csv|tsv|json|jsonl|markdown|bar]", help: "how results are shown (line: one field a line, for reading a record)", zh: "结果的显示方式（line：每行一个字段，便于阅读一条记录）", minArgs: 0, maxArgs: 1, argument: .mode) { s, a in
            guard let arg = a.first else { return show("mode", s) }
            guard let m = OutputMode(rawValue: arg.lowercased()) else {
                let modes = OutputMode.allCases.map(\.rawValue).joined(separator: ", ")
                throw ShellError(en: "unknown mode \(arg) (the modes are \(modes))", zh: "没有 \(arg) 这种模式（可用：\(modes)）")
            }
            s.render.mode = m
        },
        DotCommand(name: "report", shortest: 3, usage: ".report [--format text|markdown|csv|xlsx] [--unit NAME] [--out FILE]", help: "the notice's figures from the data: cases by source, key cases, the three rates against the targets, overall and per unit, the good units and why the others fall short", zh: "用数据算出通知所列的数字：按来源的案件数、重点案件、三项比率与目标的对比（总体和分单位）、表现好的单位以及其余单位差在哪里", minArgs: 0, maxArgs: 6, argument: .office) { s, a in
            let o = try officeOptions(a, session: s, allowRule: false)
            let report = ReportBuilder.build(s.store, asOf: s.engine.asOf, unit: o.unit, options: o.check)
            try writeOffice(o, session: s, what: Message(en: "the report", zh: "通报数据"), text: { report.render($0, csv: $1) },
                            sheets: { report.sheets(chinese: s.export.chineseHeaders) })
        },
        DotCommand(name: "check", shortest: 2, usage: ".check [RULE] [--unit NAME] [--format text|markdown|csv|xlsx] [--days N] [--out FILE]", help: "the problems the notice names (no reception day, shirking, old form, late signing, late replies, late co-unit opinions …), by rule, unit and case", zh: "通知指出的问题（未设接待日、推诿扯皮、旧表、签收超期、答复超期、会办意见超期……），按规则、单位和案件列出", minArgs: 0, maxArgs: 9, argument: .check) { s, a in
            let o = try officeOptions(a, session: s, allowRule: true)
            let rules = o.rule.map { [$0] } ?? Checker.rules
            var findings = Checker.run(s.store, asOf: s.engine.asOf, options: o.check)
            findings = findings.filter { f in rules.contains(f.rule) && (o.unit == nil || f.unit == o.unit) }
            let noData = Checker.noData(s.store, rules: rules)
            try writeOffice(o, session: s, what: Message(en: "the check", zh: "检查结果"), text: {
                Checker.format(findings, rules: rules, noData: noData, format: $0, asOf: s.engine.asOf,
                               periods: o.check.periods(s.store.manifest.office), csv: $1)
            }, sheets: {
                let name = s.store.manifest.name
                let title = "建议提案办理问题检查" + (o.unit.map { "：\($0)" } ?? "")
                let scope = (name.isEmpty ? "" : "数据 \(name)，") + o.check.periods(s.store.manifest.office).summary(asOf: s.engine.asOf)
                return Checker.sheets(findings, rules: rules, noData: noData, chinese: s.export.chineseHeaders, caption: [title, scope])
            })
        },
        DotCommand(name: "headers", shortest: 3, usage: ".headers [on|off]", help: "show column headers", zh: "显示列标题", minArgs: 0, maxArgs: 1, argument: .onOff) { s, a in
            guard !a.isEmpty else { return show("headers", s) }
            s.render.headers = try onOff(a[0]); s.export.headers = s.render.headers
        },
        DotCommand(name: "labels", shortest: 2, usage: ".labels [on|off]", help: "Chinese headers, values (已办结) and footers instead of tokens (closed)", zh: "列标题、取值（已办结）和表尾用中文，而不是英文标记（closed）", minArgs: 0, maxArgs: 1, argument: .onOff) { s, a in
            guard !a.isEmpty else { return show("labels", s) }
            let on = try onOff(a[0])
            s.render.chineseHeaders = on; s.export.chineseHeaders = on; s.engine.labels = on
        },
        DotCommand(name: "maxrows", shortest: 2, usage: ".maxrows [N|all]", help: "rows a table shows before it says how many more", zh: "表格显示多少行后提示还有多少行", minArgs: 0, maxArgs: 1, argument: .none) { s, a in
            guard !a.isEmpty else { return show("maxrows", s) }
            if a[0].lowercased() == "all" { s.render.maxRows = nil; return }
            guard let n = Int(a[0]), n > 0 else { throw ShellError(en: ".maxrows takes a positive number or all", zh: ".maxrows 取正整数或 all") }
            s.render.maxRows = n
        },
        DotCommand(name: "timer", shortest: 1, usage: ".timer [on|off]", help: "show how long each statement took", zh: "显示每条语句的耗时", minArgs: 0, maxArgs: 1, argument: .onOff) { s, a in
            guard !a.isEmpty else { return show("timer", s) }
            s.timer = try onOff(a[0])
        },
        DotCommand(name: "asof", shortest: 1, usage: ".asof [DATE|today|reset]", help: "travel to a date: every case as it stood then, rebuilt from its events (later replies, closes and cases unseen)", zh: "回到某一天：每件案件按办理记录还原为当天的状态（之后的答复、办结和案件看不到）", minArgs: 0, maxArgs: 1, argument: .date) { s, a in
            if let arg = a.first {
                switch arg.lowercased() {
                case "reset": s.setAsOf(nil)
                case "today": s.setAsOf(Day.today())
                default:
                    guard let d = Day(arg) else { throw ShellError(en: "\(arg) is not a date (expected yyyy-mm-dd, today or reset)", zh: "\(arg) 不是日期（应为 yyyy-mm-dd、today 或 reset）") }
                    s.setAsOf(d)
                }
            }
            // Setting it in a script prints nothing, so machine-readable output stays clean.
            guard a.isEmpty || s.interactive else { return }
            show("asof", s)
        },
        DotCommand(name: "set", shortest: 2, usage: ".set NAME VALUE", help: "set a script parameter, used as $NAME", zh: "设置脚本参数，以 $NAME 引用", minArgs: 1, maxArgs: 99, argument: .parameter) { s, a in
            guard a.count >= 2 else {
                if let v = s.engine.params[a[0]] { s.output.text("\(a[0]) = \(v)\n"); return }
                throw usage(".set NAME VALUE")
            }
            s.engine.params[a[0]] = a.dropFirst().joined(separator: " ")
        },
        DotCommand(name: "unset", shortest: 3, usage: ".unset NAME", help: "forget a parameter", zh: "删除一个参数", minArgs: 1, maxArgs: 1, argument: .parameter) { s, a in
            s.engine.params[a[0]] = nil
        },
        DotCommand(name: "params", shortest: 1, usage: ".params", help: "list the parameters", zh: "列出参数", minArgs: 0, maxArgs: 0, argument: .none) { s, _ in
            for (k, v) in s.engine.params.sorted(by: { $0.key < $1.key }) { s.output.text("$\(k) = \(v)\n") }
        },
        DotCommand(name: "export", shortest: 3, usage: ".export FILE [QUERY]", help: "write the last result (or QUERY's) to FILE: CSV for Excel/WPS, or by extension .xlsx .tsv .json .jsonl .md", zh: "把上一个结果（或 QUERY 的结果）写入 FILE：默认是 Excel/WPS 可直接打开的 CSV，按扩展名也可写 .xlsx .tsv .json .jsonl .md", minArgs: 1, maxArgs: 2, argument: .path, textAfter: 1) { s, a in
            // The file's name is checked before the query runs.
            _ = try FileFormat.of(a[0], for: .result)
            var result = s.lastResult
            if a.count > 1 {
                let text = a[1]
                let statement = try Parser.parse(text)
                guard case .rows(let r) = try s.engine.run(statement) else { throw ShellError(en: ".export takes a query", zh: ".export 只接查询语句") }
                result = r
            }
            guard a.count > 1 || !s.lastFailed else { throw ShellError(en: "the last statement failed; nothing to export", zh: "上一条语句出错，没有可导出的结果") }
            guard let result else { throw ShellError(en: "nothing to export yet: run a query first, or give one: .export FILE QUERY", zh: "还没有可导出的结果：先运行一条查询，或直接给出：.export FILE QUERY") }
            let n = try Exporter.write(result, to: a[0], options: s.export)
            // (Into a stream, /dev/stdout, the rows are the answer: no line is added to them.)
            if !FileFormat.isStream(a[0]) { s.say(Message(en: "wrote \(Message.count(n, "row", zh: "行").en) to \(a[0])", zh: "已写入 \(n) 行：\(a[0])")) }
        },
        DotCommand(name: "csv", shortest: 2, usage: ".csv [bom|crlf|guard on|off] [encoding utf-8|gb18030]", help: "how every CSV file caseql writes is made (.export, --out, .output, .once, reports, rejects; default: UTF-8 with BOM, CRLF, formula guard on: opens cleanly in Excel and WPS; the guard also applies to standard output)", zh: "caseql 写出的每个 CSV 文件的格式（.export、--out、.output、.once、通报、拒收文件；默认：带 BOM 的 UTF-8、CRLF、公式防护开启，Excel 和 WPS 可直接打开；公式防护也用于标准输出）", minArgs: 0, maxArgs: 2, argument: .text) { s, a in
            guard a.count == 2 else {
                guard a.isEmpty else { throw csvUsage }
                return show("csv", s)
            }
            switch a[0].lowercased() {
            case "bom": s.export.bom = try onOff(a[1])
            case "crlf": s.export.crlf = try onOff(a[1])
            case "guard": s.export.formulaGuard = try onOff(a[1])
            case "encoding":
                guard let e = TextEncoding(name: a[1]) else {
                    throw ShellError(en: "encoding is \(TextEncoding.names)", zh: "编码取 \(TextEncoding.names)")
                }
                s.export.encoding = e
            default: throw csvUsage
            }
        },
        DotCommand(name: "output", shortest: 2, usage: ".output [FILE|stdout]", help: "send results to a file (.csv .tsv .json .jsonl .md as .export writes them; .xlsx: one sheet per result, written when output goes back), or back to the screen", zh: "把结果写入文件（.csv .tsv .json .jsonl .md 与 .export 写法相同；.xlsx：每个结果一个工作表，在输出改回屏幕时写入），或改回屏幕", minArgs: 0, maxArgs: 1, argument: .path) { s, a in
            guard let target = a.first else { return show("output", s) }
            try s.redirectOutput(to: target == "stdout" || target == "-" ? nil : target)
        },
        DotCommand(name: "read", shortest: 3, usage: ".read SCRIPT", help: "run the statements of a script file", zh: "运行脚本文件中的语句", minArgs: 1, maxArgs: 1, argument: .path) { s, a in
            if !(try s.readScript(s.path(a[0]))) { throw ShellError(en: "\(a[0]) stopped at its first error", zh: "\(a[0]) 在第一个错误处停止") }
        },
        DotCommand(name: "once", shortest: 2, usage: ".once FILE", help: "send the next result only to FILE (a query's rows, a .report or a .check; relative to the script that names it), then back to the screen", zh: "只把下一个结果写入 FILE（查询结果、.report 或 .check；路径相对于引用它的脚本），之后改回屏幕", minArgs: 1, maxArgs: 1, argument: .path) { s, a in
            // A name a result takes, or one a report or check takes (.txt): refused later, by
            // what comes next, if that cannot be written so.
            _ = try FileFormat.ofAny(s.path(a[0]))
            if let before = s.oncePath { printError(Session.onceUnused(before).text(chinese: s.chinese)) }
            s.oncePath = s.path(a[0])
        },
        DotCommand(name: "case", shortest: 2, usage: ".case ID", help: "one case in full: every field with its Chinese label, then its events as a dated timeline", zh: "一件案件的全部信息：每个字段及其中文名称，然后按日期列出办理经过", minArgs: 1, maxArgs: 1, argument: .none) { s, a in
            s.output.text(try caseText(a[0], session: s))
        },
        DotCommand(name: "cache", shortest: 3, usage: ".cache [clear]", help: "the column snapshots that open an unchanged dataset without parsing it: their folder, their sizes, whether this dataset came from one; clear deletes them", zh: "列快照（不解析即可打开未改动的数据集）：所在文件夹、大小、本数据集是否由快照打开；clear 删除它们", minArgs: 0, maxArgs: 1, argument: .none) { s, a in
            guard let dir = s.cacheDirectory else {
                s.say(Message(en: "snapshots are off (--no-cache, or neither XDG_CACHE_HOME nor HOME is set)", zh: "快照已关闭（--no-cache，或 XDG_CACHE_HOME 与 HOME 都未设置）")); return
            }
            if let word = a.first {
                guard word == "clear" else { throw usage(".cache [clear]") }
                let n = Snapshot.clear(directory: dir)
                s.say(Message(en: "deleted \(Message.count(n, "snapshot", zh: "").en) in \(dir)", zh: "已删除 \(dir) 中的 \(n) 个快照"))
                return
            }
            let all = Snapshot.list(directory: dir)
            let total = all.reduce(Int64(0)) { $0 + $1.bytes }
            let mib = String(format: "%.1f", Double(total) / 1_048_576), kept = Snapshot.keepCount, most = Snapshot.keepBytes >> 30
            s.say(Message(en: "folder: \(dir)", zh: "文件夹：\(dir)"))
            s.say(Message(en: "\(Message.count(all.count, "snapshot", zh: "").en), \(mib) MiB (the \(kept) most recently used are kept, \(most) GiB at most)",
                          zh: "\(all.count) 个快照，\(mib) MiB（保留最近用过的 \(kept) 个，至多 \(most) GiB）"))
            if let note = s.lastLoadReport?.snapshot { s.say(Message(en: "this dataset: ", zh: "本数据集：") + note) }
        },
        DotCommand(name: "memory", shortest: 2, usage: ".memory", help: "how much memory the store, its string pools and its indexes hold", zh: "存储、字符串池和索引占用的内存", minArgs: 0, maxArgs: 0, argument: .none) { s, _ in
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
            s.output.text(lines.joined(separator: "\n") + "\n")
        },
        DotCommand(name: "quit", shortest: 1, usage: ".quit", help: "leave caseql (also .exit, or Ctrl-D)", zh: "退出 caseql（也可用 .exit 或 Ctrl-D）", minArgs: 0, maxArgs: 0, argument: .none) { s, _ in
            s.requestQuit()
        },
        DotCommand(name: "exit", shortest: 3, usage: ".exit", help: "leave caseql", zh: "退出 caseql", minArgs: 0, maxArgs: 0, argument: .none) { s, _ in
            s.requestQuit()
        },
    ]

    struct OfficeOptions {
        var format = OfficeFormat.text
        /// `--format xlsx`: a workbook, one sheet per section.
        var workbook = false
        var formatGiven = false
        /// `--out FILE`: written to this file (its extension picks the format; a --format that
        /// names another is refused).
        var out: String?
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
            guard i < a.count else { throw ShellError(en: "\(a[i - 1]) needs a value", zh: "\(a[i - 1]) 后面要跟一个值") }
            return a[i]
        }
        while i < a.count {
            switch a[i] {
            case "--format", "-f":
                let f = try value()
                o.formatGiven = true
                if f.lowercased() == "xlsx" { o.workbook = true; break }
                guard let fmt = OfficeFormat(rawValue: f.lowercased() == "md" ? "markdown" : f.lowercased()) else {
                    throw ShellError(en: "--format takes text, markdown, csv or xlsx, not \(f)", zh: "--format 取 text、markdown、csv 或 xlsx，不能是 \(f)")
                }
                o.format = fmt
            case "--out", "-o":
                o.out = try value()
            case "--unit":
                let u = try value()
                let known = OfficeView(s.store).unitOrder
                guard known.contains(u) else {
                    let near = Suggest.value(for: u, in: known)
                    throw ShellError(en: "no unit \(u)" + (near.map { " (did you mean \($0)?)" } ?? ""),
                                     zh: "没有单位 \(u)" + (near.map { "（是不是 \($0)？）" } ?? ""))
                }
                o.unit = u
            case "--days" where allowRule:
                let d = try value()
                guard let n = Int(d), n >= 0 else { throw ShellError(en: "--days takes a number of days, not \(d)", zh: "--days 取天数，不能是 \(d)") }
                o.check.signDays = n
            default:
                guard allowRule, o.rule == nil, !a[i].hasPrefix("--") else { throw ShellError(en: "unexpected argument \(a[i])", zh: "多余的参数 \(a[i])") }
                guard let r = Checker.rule(a[i]) else {
                    let ids = Checker.rules.map(\.id)
                    let near = Suggest.closest(to: a[i], in: ids), list = ids.joined(separator: ", ")
                    throw ShellError(en: "no rule \(a[i])" + (near.map { " (did you mean \($0)?)" } ?? "") + "; the rules are \(list)",
                                     zh: "没有规则 \(a[i])" + (near.map { "（是不是 \($0)？）" } ?? "") + "；可用的规则：\(list)")
                }
                o.rule = r
            }
            i += 1
        }
        return o
    }

    /// The settings `.show` prints, each as its own dot-command prints it without an argument.
    static let settings: [(name: String, value: @Sendable (Session) -> String)] = [
        ("mode", { $0.render.mode.rawValue }),
        ("headers", { onOffText($0.render.headers) }),
        ("labels", { onOffText($0.render.chineseHeaders) }),
        ("maxrows", { $0.render.maxRows.map(String.init) ?? "all" }),
        ("timer", { onOffText($0.timer) }),
        ("asof", { s in "\(s.engine.asOf)" + (s.engine.asOf == s.store.manifest.asOf ? Message(en: " (the dataset's own)", zh: "（数据集自带）").text(chinese: s.chinese) : "") }),
        ("output", { $0.output.path ?? "stdout" }),
        ("csv", { s in
            "bom \(onOffText(s.export.bom)), crlf \(onOffText(s.export.crlf)), guard \(onOffText(s.export.formulaGuard)), encoding \(s.export.encoding.rawValue)"
        }),
    ]

    static func onOffText(_ b: Bool) -> String { b ? "on" : "off" }

    /// `name` and its value, the name padded to the longest setting's.
    static func settingLine(_ name: String, _ s: Session) -> String {
        let w = settings.map(\.name.count).max() ?? 0
        let value = settings.first { $0.name == name }?.value(s) ?? ""
        return name.padding(toLength: w, withPad: " ", startingAt: 0) + "  " + value
    }

    static func show(_ name: String, _ s: Session) {
        s.output.text(settingLine(name, s).replacingOccurrences(of: "  +", with: " ", options: .regularExpression, range: nil) + "\n")
    }

    /// Writes a report or a check where its options say, in one rule with every file caseql
    /// writes: a file's extension picks its format (`FileFormat`: .txt, .md, .csv, .xlsx), and a
    /// `--format` that names another is refused.
    /// - `--out FILE`: that file.
    /// - no `--out`, under `.output FILE`: into that file in its format — a workbook's sheets, CSV
    ///   sections (with the file's CSV settings), Markdown; a .tsv, .json or .jsonl output is
    ///   refused with a pointer to `--out` (the report has no such form).
    /// - else standard output (escaped for a terminal, CSV with LF and the formula guard);
    ///   `--format xlsx` there is refused (a workbook is a file).
    static func writeOffice(_ o: OfficeOptions, session s: Session, what: Message, text: (OfficeFormat, CSVSettings) -> String,
                            sheets: () -> [WorkbookSheet]) throws {
        let given: FileFormat? = !o.formatGiven ? nil : o.workbook ? .xlsx : FileFormat.office(o.format)
        func mismatch(_ path: String, _ named: FileFormat, _ via: String) -> ShellError {
            let g = given!.rawValue, ext = "." + FileFormat.fileExtension(path), want = "." + given!.mainExtension
            return ShellError(en: "--format \(g) does not match \(path)\(via) (a \(ext) file is written as \(named.rawValue)): drop --format, or name the file \(want)",
                              zh: "--format \(g) 与 \(path)\(via) 不符（\(ext) 文件写为 \(named.rawValue)）：去掉 --format，或把文件名改为 \(want)")
        }
        // `.once FILE` takes the next result: a report or a check is one.
        if let out = o.out ?? s.oncePath.map({ p in s.oncePath = nil; return p }) {
            let named = try FileFormat.of(out, for: .office)
            if let given, let named, given != named { throw mismatch(out, named, "") }
            let format = named ?? given ?? .text
            if format == .xlsx {
                try Exporter.writeWorkbook(sheets(), to: out, options: s.export)
            } else {
                let office = format.officeFormat!
                // A stream (/dev/stdout) gets CSV as standard output does.
                let settings = FileFormat.isStream(out) ? s.export.streamCSV : s.export.csv
                try Exporter.writeDocument(text(office, settings), to: out, csv: office == .csv, options: s.export)
            }
            // (Into a stream the text itself is the answer: no line is added to it.)
            if !FileFormat.isStream(out) { s.say(Message(en: "wrote \(what.en) to \(out)", zh: "已写入\(what.zh)：\(out)")) }
            return
        }
        if let path = s.output.path {
            let target: FileFormat? = s.output.fileFormat
            if let target, let given, given != target { throw mismatch(path, target, " (.output)") }
            switch target {
            case .xlsx?:
                try s.addSheets(sheets())
                return
            case .csv?, .markdown?, .text?, nil:
                // nil: a device or FIFO, written as --format says.
                let office = target?.officeFormat ?? given?.officeFormat ?? .text
                if given == .xlsx { break }
                let settings = office == .csv && !s.output.isStream ? s.export.csv : s.export.streamCSV
                var bytes = try Exporter.encode(Array(text(office, settings).utf8), s.output.isStream ? s.export.forStream : s.export, path: path)
                if office == .csv && settings.bom && settings.encoding == .utf8 && s.output.bytesWritten == 0 {
                    bytes.insert(contentsOf: [0xEF, 0xBB, 0xBF], at: 0)
                }
                s.output.write(bytes: bytes)
                s.output.noteResult()
                return
            case let other?:
                let ext = "." + FileFormat.fileExtension(path)
                throw ShellError(en: ".output is writing \(path), and \(what.en) has no \(ext) form: write it to its own file with --out FILE (.txt, .md, .csv or .xlsx), or .output stdout first",
                                 zh: ".output 正在写入 \(path)，\(what.zh)没有 \(ext)（\(other.rawValue)）形式：用 --out FILE（.txt、.md、.csv 或 .xlsx）写入单独的文件，或先 .output stdout")
            }
        }
        if given == .xlsx {
            throw ShellError(en: "--format xlsx writes a file: add --out FILE.xlsx (or send output to one with .output FILE.xlsx)", zh: "--format xlsx 要写入文件：加上 --out FILE.xlsx（或先用 .output FILE.xlsx）")
        }
        let format = given?.officeFormat ?? .text
        let t = text(format, s.export.streamCSV)
        s.writeInterruptibly(format == .csv && !s.output.isTerminal ? t : Escape.lines(t))
    }

    static func onOff(_ s: String) throws -> Bool {
        switch s.lowercased() {
        case "on", "yes", "true", "1", "开": return true
        case "off", "no", "false", "0", "关": return false
        default: throw ShellError(en: "expected on or off, not \(s)", zh: "应为 on 或 off，不能是 \(s)")
        }
    }

    static func command(named name: String) -> DotCommand? {
        if case .found(let c) = resolve(name) { return c }
        return nil
    }

    enum Resolution {
        case found(DotCommand)
        /// Too short: these commands start so.
        case ambiguous([DotCommand])
        case unknown
    }

    /// The command a typed name means: the whole name, or a prefix at least as long as the
    /// command's declared shortest form.
    static func resolve(_ name: String) -> Resolution {
        if let c = all.first(where: { $0.name == name }) { return .found(c) }
        let starting = all.filter { $0.name.hasPrefix(name) && !name.isEmpty }
        let accepted = starting.filter { name.count >= $0.shortest }
        if accepted.count == 1 { return .found(accepted[0]) }
        return starting.isEmpty ? .unknown : .ambiguous(starting)
    }

    /// Commands of other shells and what caseql calls them.
    static let habits: [String: Message] = [
        "tables": Message(en: ".schema lists the sources (cases, units, events) and their fields", zh: ".schema 列出数据源（cases、units、events）及其字段"),
        "databases": Message(en: ".show names the dataset; .load FOLDER opens another", zh: ".show 显示当前数据集；.load FOLDER 打开另一个"),
        "open": Message(en: ".load FOLDER opens a dataset", zh: ".load FOLDER 打开数据集"),
        "import": Message(en: ".load FOLDER opens a dataset", zh: ".load FOLDER 打开数据集"),
        "q": Message(en: ".quit leaves", zh: ".quit 退出"),
    ]

    static let unterminatedQuote = ShellError(en: "unterminated quote in the arguments", zh: "参数中的引号没有闭合")
    static let csvUsage = usage(".csv bom|crlf|guard on|off, or .csv encoding utf-8|gb18030")

    /// "usage: …" for a command's usage line (its words are what the user types: the same in
    /// both languages).
    static func usage(_ line: String) -> ShellError { ShellError(en: "usage: \(line)", zh: "用法：\(line)") }

    /// Commands that read the dataset other than through one statement and write as they go: a
    /// snapshot's unchecked sections are all checked before they run. (Statements, `.units`
    /// among them, are checked as they run; `.export` writes a result whose columns and pools
    /// were checked when its statement ran; `.asof` writes nothing from the data.)
    static let readingDataset: Set<String> = ["report", "check", "case"]

    public static func run(_ line: String, session: Session) throws {
        var words = try splitArguments(String(line.drop { $0 == " " || $0 == "\t" }.dropFirst()))
        guard !words.isEmpty else { throw ShellError(en: "a dot-command needs a name: try .help", zh: "点命令要有名字：试试 .help") }
        let name = words.removeFirst().lowercased()
        let command: DotCommand
        switch resolve(name) {
        case .found(let c): command = c
        case .ambiguous(let cs):
            let names = cs.map { "." + $0.name }
            let list = names.count == 2 ? "\(names[0]) or \(names[1])" : names.dropLast().joined(separator: ", ") + " or " + names.last!
            throw ShellError(en: ".\(name) is ambiguous: \(list)?", zh: ".\(name) 有歧义：\(list)？")
        case .unknown:
            if let habit = habits[name] {
                throw ShellError(Message(en: "no command .\(name) in caseql: ", zh: "caseql 没有 .\(name) 命令：") + habit)
            }
            let near = Suggest.closest(to: name, in: all.map(\.name))
            throw ShellError(en: "unknown command .\(name)" + (near.map { " (did you mean .\($0)?)" } ?? "") + "; .help lists them",
                             zh: "未知命令 .\(name)" + (near.map { "（是不是 .\($0)？）" } ?? "") + "；.help 列出全部命令")
        }
        if let k = command.textAfter {
            let (head, tail) = try splitPrefix(String(line.drop { $0 == " " || $0 == "\t" }.dropFirst()), words: k + 1)
            words = Array(head.dropFirst()) + (tail.isEmpty ? [] : [tail])
        }
        guard words.count >= command.minArgs, words.count <= command.maxArgs else {
            throw usage(command.usage)
        }
        if readingDataset.contains(command.name) { try session.checkSnapshotBeforeReading() }
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
                guard let close = rest.dropFirst().firstIndex(of: first) else { throw unterminatedQuote }
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
        if quote != nil { throw unterminatedQuote }
        if has || !current.isEmpty { out.append(current) }
        return out
    }

    /// `.help`: each command's usage on a line, its description under it wrapped to `width` display
    /// columns (at spaces, and between Chinese characters). `.help CMD`: that command in full.
    /// `chinese`: the descriptions and the words around them in Chinese (`.labels on`).
    public static func helpText(_ name: String?, width: Int = 80, chinese: Bool = false) -> String {
        func say(_ en: String, _ zh: String) -> String { chinese ? zh : en }
        func help(_ c: DotCommand) -> String { chinese ? c.zh : c.help }
        if let n = name {
            let key = (n.hasPrefix(".") ? String(n.dropFirst()) : n).lowercased()
            switch resolve(key) {
            case .found(let c):
                let text = chinese ? c.zh + "。" : c.help.prefix(1).uppercased() + c.help.dropFirst() + "."
                var out = usageLines(c.usage, width: width) + wrap(text, width: width, indent: 4)
                var more = say("Shortest form: .", "最短写法：.") + c.name.prefix(c.shortest)
                if settings.map(\.name).contains(c.name) {
                    more += say("; without an argument it prints the current setting", "；不带参数时显示当前设置")
                }
                return out + wrap(more + say(".", "。"), width: width, indent: 4)
            case .ambiguous(let cs):
                return say(".\(key) is ambiguous: ", ".\(key) 有歧义：") + cs.map { "." + $0.name }.joined(separator: chinese ? "、" : ", ") + "\n"
            case .unknown: return say("no command .\(key)", "没有命令 .\(key)") + "\n"
            }
        }
        var s = all.map { usageLines($0.usage, width: width) + wrap(help($0), width: width, indent: 4) }.joined()
        s += "\n" + wrap(say("Statements (end with ; or Enter when complete):", "语句（以 ; 结束，或在语句完整时按回车）："), width: width, indent: 0)
        for example in statementExamples {
            for (k, clause) in example.enumerated() {
                // The first clause at 2, the next ones at 4, a clause too long for the line
                // going on at 6: never cut inside a word.
                s += wrap(clause, width: width, indent: k == 0 ? 2 : 4, hanging: k == 0 ? 4 : 6)
            }
        }
        s += wrap(say(".help CMD shows one command in full. See README.md for the whole language.",
                      ".help 命令：显示一个命令的全部说明。完整的语言见 README.md。"), width: width, indent: 0)
        return s
    }

    /// A usage on one line; one longer than `width` goes on at its option boundaries, indented 2
    /// (inside a group after a |, when the group alone is wider than the line).
    static func usageLines(_ usage: String, width: Int) -> String {
        guard DisplayWidth.of(usage) > width else { return usage + "\n" }
        // Break only before an option group ([…) or an alternative (|), never inside a bracket.
        var parts: [String] = []
        var depth = 0
        var current = ""
        for ch in usage {
            if ch == " " && depth == 0 { parts.append(current); current = ""; continue }
            if ch == "[" { depth += 1 } else if ch == "]" { depth -= 1 }
            current.append(ch)
        }
        parts.append(current)
        // A group wider than a line on its own (.mode's eight modes at 40 columns) goes on
        // after one of its |.
        // (text, what joins it to the part before: a space, or nothing inside a group)
        let glued = parts.flatMap { p -> [(String, String)] in
            guard DisplayWidth.of(p) > width - 2 else { return [(p, " ")] }
            var pieces: [(String, String)] = [], piece = ""
            for ch in p {
                piece.append(ch)
                if ch == "|" { pieces.append((piece, pieces.isEmpty ? " " : "")); piece = "" }
            }
            return pieces + [(piece, "")]
        }
        var lines: [String] = []
        var line = ""
        for (p, glue) in glued {
            let candidate = line.isEmpty ? p : line + glue + p
            if !line.isEmpty && (lines.isEmpty ? 0 : 2) + DisplayWidth.of(candidate) > width {
                lines.append(line); line = p
            } else { line = candidate }
        }
        lines.append(line)
        return lines.enumerated().map { ($0.offset == 0 ? "" : "  ") + $0.element + "\n" }.joined()
    }

    /// `text` cut into lines of at most `width` display columns, at spaces and between wide
    /// (Chinese) characters — never before closing punctuation (，。、；：）) nor after opening
    /// punctuation (（《「): the first line indented `indent`, the others `hanging` (default: the same).
    static func wrap(_ text: String, width: Int, indent: Int, hanging: Int? = nil) -> String {
        // Pieces that cannot be cut, each with what joins it to the one before (a space or nothing).
        var pieces: [(text: String, glue: String)] = []
        let closing = Set("，。、；：）》」』！？…"), opening = Set("（《「『")
        var current = "", glue = "", previous: Character?
        for c in text {
            if c == " " {
                if !current.isEmpty { pieces.append((current, glue)); current = "" }
                glue = " "; previous = nil
                continue
            }
            if let p = previous, !current.isEmpty, DisplayWidth.of(p) == 2 || DisplayWidth.of(c) == 2,
               !closing.contains(c), !opening.contains(p) {
                pieces.append((current, glue)); current = ""; glue = ""
            }
            current.append(c); previous = c
        }
        if !current.isEmpty { pieces.append((current, glue)) }
        var lines: [String] = []
        var line = ""
        func margin() -> Int { lines.isEmpty ? indent : hanging ?? indent }
        for (piece, glue) in pieces {
            let candidate = line.isEmpty ? piece : line + glue + piece
            if !line.isEmpty && margin() + DisplayWidth.of(candidate) > width {
                lines.append(String(repeating: " ", count: margin()) + line)
                line = piece
            } else {
                line = candidate
            }
        }
        if !line.isEmpty { lines.append(String(repeating: " ", count: margin()) + line) }
        return lines.map { $0 + "\n" }.joined()
    }

    /// `.help`'s statement examples, each as its clauses (a clause after the first goes on a
    /// line of its own).
    static let statementExamples: [[String]] = [
        ["select proposals where unit = \"教育局\" and status = overdue"],
        ["select id, title from cases where title contains \"午餐\"", "order by assigned_on desc limit 10"],
        ["count cases group by unit"],
        ["select unit, count, completion_rate from cases group by unit", "having completion_rate < 1"],
        ["explain select cases where overdue"],
    ]

    /// `.case ID`: the case's fields, `label  value` (labels and values in Chinese), then its
    /// events in date order, `date  action  unit  note`. Throws when no case has that id.
    static func caseText(_ id: String, session s: Session) throws -> String {
        guard s.hasDataset else { throw ShellError(en: "no dataset loaded: .load FOLDER, or start caseql FOLDER", zh: "尚未加载数据：.load FOLDER，或以 caseql FOLDER 启动") }
        let quoted = "\"" + id.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        let labels = s.engine.labels
        s.engine.labels = true
        defer { s.engine.labels = labels }
        // The engine refuses an id no row has ("no row has id …"): that is "no case".
        let found = try? s.engine.run(try Parser.parse("select * from cases where id = \(quoted)"))
        guard case .rows(let c)? = found, c.rowCount > 0 else { throw ShellError(en: "no case \(id)", zh: "没有案件 \(id)") }
        func text(_ cell: Cell) -> String { TableRenderer.clean(Renderer.displayText(cell, labels: true)) }
        let w = c.columns.map { DisplayWidth.of($0.label) }.max() ?? 0
        var out = ""
        for (k, col) in c.columns.enumerated() {
            let v = text(c.cell(0, k))
            out += col.label + String(repeating: " ", count: w - DisplayWidth.of(col.label)) + "  " + (v.isEmpty ? "—" : v) + "\n"
        }
        guard case .rows(let e) = try s.engine.run(try Parser.parse("select date, action, unit, note from events where case_id = \(quoted) order by date")) else { return out }
        out += "\n办理经过（\(e.rowCount) 项）：\n"
        // A co-unit's reply is its opinion to the lead unit (会办意见), not the case's answer.
        func field(_ name: FieldName) -> String {
            c.columns.firstIndex { $0.name == name.rawValue }.map { text(c.cell(0, $0)) } ?? ""
        }
        let lead = field(.unit), coUnits = Set(field(.coUnits).split(separator: ";").map(String.init))
        let actions: [String] = (0..<e.rowCount).map { r in
            let action = text(e.cell(r, 1)), unit = text(e.cell(r, 2)), note = text(e.cell(r, 3))
            guard let code = EventAction.info.loadedCode(of: action),
                  DomainRules.isCoUnitOpinion(action: code, note: note, unit: unit, lead: lead, coUnits: coUnits) else { return action }
            return DomainRules.coUnitOpinionNote
        }
        let actionWidth = actions.map { DisplayWidth.of($0) }.max() ?? 0
        let unitWidth = (0..<e.rowCount).map { DisplayWidth.of(text(e.cell($0, 2))) }.max() ?? 0
        for r in 0..<e.rowCount {
            let action = actions[r], unit = text(e.cell(r, 2)), note = text(e.cell(r, 3))
            var line = "  " + text(e.cell(r, 0)) + "  " + DisplayWidth.pad(action, toWidth: actionWidth)
            line += "  " + DisplayWidth.pad(unit, toWidth: unitWidth) + (note.isEmpty ? "" : "  " + note)
            while line.last == " " { line.removeLast() }
            out += line + "\n"
        }
        return out
    }

    /// The fields of each table with type, label, values and the other headers a file may use;
    /// with a store, its tables' own fields (the extra columns of its files) and which fields its
    /// files lacked.
    public static func schemaText(_ source: String?, store: CaseStore? = nil) -> String {
        let tables: [(String, Table?, [FieldSpec])] = [("cases (suggestions, proposals)", store?.cases, Schema.cases),
                                                      ("units", store?.units, Schema.units), ("events", store?.events, Schema.events)]
        var out = ""
        for (name, table, schemaSpecs) in tables {
            if let s = source, !name.contains(s.lowercased()) { continue }
            let specs = table?.specs ?? schemaSpecs
            out += "\(name):\n"
            let w = specs.map { $0.name.count }.max() ?? 0
            let tw = specs.map { $0.type.name.count }.max() ?? 0
            for f in specs {
                var line = "  " + f.name.padding(toLength: w, withPad: " ", startingAt: 0) + "  "
                line += f.type.name.padding(toLength: tw, withPad: " ", startingAt: 0) + "  " + f.label
                if f.derived { line += "  (derived: \(f.help))" } else if f.filled { line += "  (\(f.help); from \(f.sources.map(\.rawValue).joined(separator: ", ")) when the file has no column)" }
                if case .enumeration(let info) = f.type {
                    line += "  [" + info.values.map { $0.token == $0.label ? $0.token : "\($0.token) \($0.label)" }.joined(separator: ", ") + "]"
                }
                if f.extra { line += "  (a column of the file, kept as text)" }
                if let t = table, t.count > 0, !f.extra, !t.hasData(f.name) { line += "  (no data: not in the file)" }
                if !f.aliases.isEmpty { line += "  headers also: " + f.aliases.joined(separator: ", ") }
                out += line + "\n"
            }
        }
        return out.isEmpty ? "no source \(source ?? "")\n" : out
    }

    /// What a load did, in the shell's language (Chinese when `chinese`): the counts, then each
    /// file's encoding and rejected rows, the first problems of the rejected rows, and the notes.
    public static func loadSummary(_ report: LoadReport, store: CaseStore, chinese: Bool = false) -> String {
        var lines: [Message] = []
        func zh(_ table: String) -> String { Schema.tableLabels[table] ?? table }
        let name = store.manifest.name, cases = store.cases.count, units = store.units.count, events = store.events.count
        var loaded = Message(en: "loaded \(name): \(cases) cases, \(units) units, \(events) events",
                             zh: "已加载 \(name)：\(zh("cases")) \(cases) 件，\(zh("units")) \(units) 个，\(zh("events")) \(events) 条")
        if let asOf = store.manifest.asOf { loaded = loaded + Message(en: ", as of \(asOf)", zh: "，截至 \(asOf)") }
        lines.append(loaded)
        for f in report.files {
            var notes: [Message] = []
            if f.encoding != .utf8 { notes.append(Message(en: "read as \(f.encoding.rawValue)", zh: "按 \(f.encoding.rawValue) 读取")) }
            if f.rejected > 0 {
                var note = Message(en: "\(Message.count(f.rows, "row", zh: "").en) loaded, \(f.rejected) rejected (\(Message.count(f.rejectedLines, "line", zh: "").en) of the file)",
                                   zh: "已加载 \(f.rows) 行，拒收 \(f.rejected) 行（占文件 \(f.rejectedLines) 行）")
                if let rejects = f.rejectsFile { note = note + Message(en: ", written to \(rejects)", zh: "，已写入 \(rejects)") }
                notes.append(note)
            }
            if !notes.isEmpty {
                // The sheet too when the workbook gave more than one list (`book.xlsx:建议`).
                let shared = report.files.filter { $0.file == f.file }.count > 1
                let file = (f.file as NSString).lastPathComponent + (shared ? f.sheet.map { ":" + $0 } ?? "" : "")
                lines.append(Message(en: "  \(file): " + notes.map(\.en).joined(separator: "; "), zh: "  \(file)：" + notes.map(\.zh).joined(separator: "；")))
            }
        }
        let rejected = Message(en: "  rejected: ", zh: "  拒收：")
        for i in report.rejectedIssues.prefix(LoadError.shown) { lines.append(rejected + Message(en: i.text(chinese: false), zh: i.text(chinese: true))) }
        let unshown = max(report.rejectedIssueTotal, report.rejectedIssues.count) - min(report.rejectedIssues.count, LoadError.shown)
        if unshown > 0 {
            lines.append(rejected + Message(en: "… and \(Message.count(unshown, "more problem", zh: "").en) (every rejected row is in its rejects file)",
                                            zh: "… 另有 \(unshown) 个问题（每个被拒收的行都在拒收文件中）"))
        }
        // The encoding is already said per file above. Each file's notes are capped by kind;
        // many files' notes together are capped too.
        let notes = report.warnings.filter { !$0.en.contains(": read as ") }
        let note = Message(en: "  note: ", zh: "  注：")
        for w in Notes.capped(notes, shown: LoadError.shown, more: { Message(en: "… and \($0) more notes", zh: "… 另有 \($0) 条注") }) {
            lines.append(note + w)
        }
        return lines.map { $0.text(chinese: chinese) }.joined(separator: "\n")
    }
}
