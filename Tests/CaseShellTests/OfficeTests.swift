import Foundation
import Testing
import CaseQuery
import CaseStore
@testable import CaseShell
@testable import CaseOffice

// .report and .check: golden outputs on the shipped dataset, the good-unit rule against the
// notice's 30 units, and each check rule on a small dataset made to break exactly that rule.

private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
private let shippedPath = packageRoot.appendingPathComponent("datasets/zhengzhou-2020").path

enum Shipped {
    static let store: CaseStore = try! DatasetLoader.load(shippedPath).0
    static var asOf: Day { store.defaultAsOf }
}

func golden(_ name: String) throws -> String {
    guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Golden") else {
        throw ShellError(.same("no golden file \(name)"))
    }
    return try String(contentsOf: url, encoding: .utf8)
}

/// Compares line by line first, so that a failure names the first differing line.
func expectSameText(_ got: String, _ want: String, _ name: String) {
    let g = got.components(separatedBy: "\n"), w = want.components(separatedBy: "\n")
    for i in 0..<min(g.count, w.count) where g[i] != w[i] {
        Issue.record("\(name): line \(i + 1) differs:\n got: \(g[i])\nwant: \(w[i])")
        return
    }
    #expect(g.count == w.count, "\(name): \(g.count) lines, expected \(w.count)")
    #expect(got == want)
}

// MARK: - The shipped dataset

@Test func reportFiguresOfTheNotice() throws {
    let r = ReportBuilder.build(Shipped.store, asOf: Shipped.asOf)
    // The notice: 共办理 1270 件，省 88 件，市人大建议 367 件（含 33 件闭会建议），市政协提案 810 件（含 5 件闭会提案）;
    // the 5 carried-over 2019 proposals on their own line (dataset README). sqlite3 on cases.csv:
    // select level, kind, year, recess, count(*) from cases group by 1,2,3,4.
    #expect(r.sources.map(\.count) == [1270, 88, 367, 810, 5])
    #expect(r.sources.map(\.label) == ["共办理省市人大建议、政协提案", "省人大建议、政协提案", "市人大建议", "市政协提案", "其他：2019 年度市政协提案"])
    #expect(r.sources[2].note.contains("含闭会建议 33 件"))
    #expect(r.sources[3].note.contains("含闭会提案 5 件"))
    #expect(r.sources[1...].reduce(0) { $0 + ($1.count ?? 0) } == r.sources[0].count)
    // 重点督办 25 件人大代表建议、8 件政协委员提案, each led by a vice-mayor role.
    #expect(r.key.map(\.count) == [33, 25, 8])
    #expect(r.key[1].note.hasPrefix("领办：分管副市长 6、副市长（分管教育） 5"))
    #expect(!r.key[1].note.contains("未填") && !r.key[2].note.contains("未填"))
    // Rates (sqlite3: sum(status='closed'), sum(contact in (meeting, visit, site)),
    // sum(satisfaction in (satisfied, basic)), sum(satisfaction != ''), sum(satisfaction = 'satisfied')).
    let o = r.overall
    #expect([o.cases, o.closed, o.faceToFace, o.answered, o.satisfied + o.basic, o.satisfied] as [Int] == [1270, 1147, 1089, 1172, 1155, 976])
    #expect(o.overdue == 78)
    // 教育局 (dataset README): 105 cases, 102 closed, 3 overdue, 面商 105, 102 answered (86 满意, 16 基本满意).
    let edu = try #require(r.units.first { $0.unit == "教育局" })
    #expect([edu.counts.cases, edu.counts.closed, edu.counts.overdue, edu.counts.faceToFace, edu.counts.answered, edu.counts.satisfied, edu.counts.basic] as [Int] == [105, 102, 3, 105, 102, 86, 16])
    #expect(edu.good && edu.notes == ["未办结 3 件（其中逾期 3 件），须于 2020-09-30 前办结"])
}

@Test func goodUnitsAreTheNotices30() throws {
    // manifest.json's good_units is the expected answer only; the computation never reads it.
    let data = try Data(contentsOf: URL(fileURLWithPath: shippedPath + "/manifest.json"))
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let expected = try #require(json["good_units"] as? [String])
    #expect(expected.count == 30)
    let r = ReportBuilder.build(Shipped.store, asOf: Shipped.asOf)
    #expect(r.goodUnits == expected)
    #expect(r.units.count == 54)
    #expect(r.units.filter { !$0.good }.allSatisfy { !$0.reasons.isEmpty })
    // After the cutoff the completion target counts: 教育局's 3 open proposals make it fall short.
    let late = ReportBuilder.build(Shipped.store, asOf: Day("2020-10-01")!)
    #expect(late.goodUnits == expected.filter { $0 != "教育局" })
    #expect(late.units.first { $0.unit == "教育局" }?.reasons.last?.hasPrefix("办结率 97.1%（102/105），低于目标 100.0% 2.9 个百分点") == true)
}

@Test func checkCountsPerRule() {
    // Counted independently with sqlite3 on the CSVs (see the dataset README's problem table):
    // no reception day 6 units; photos not sent 5; 推诿扯皮 18 + 11 + 6 + 4 requests within remit;
    // form=old 16 + 6 + 9 + 10 + 8; class contradicting status 3 + 4 + 7 + 2 + 3; co-unit
    // opinions later than a month 7 + 4 + 1 + 1; signs later than 7 days after the unit's own
    // (re)assignment or still unsigned 10 + 3 + 2 + 16 + 11 + 1 + 11 + 1 + 1; replied_on >
    // deadline 2 + 5 + 3 + 7 + 3 + 5; overdue 78 cases in 22 units (the current deadline: SZXTA-2020-0680,
    // re-handled on 2020-08-08, is due 2020-09-08 and 9 days overdue, not 39).
    let f = Checker.run(Shipped.store, asOf: Shipped.asOf)
    func count(_ id: String) -> [Int] {
        let l = f.filter { $0.rule.id == id }
        return [l.count, l.reduce(0) { $0 + $1.cases.count }]
    }
    #expect(count("no-reception-day") == [6, 0])
    #expect(count("no-media") == [5, 0])
    #expect(count("shirking") == [4, 39])
    #expect(f.filter { $0.rule.id == "shirking" }.map(\.unit) == ["自然资源和规划局", "住房保障局", "园林局", "管城回族区政府"])
    #expect(count("old-form") == [5, 49])
    // A class on a case with no reply (the 11 class-A cases replied but not closed are normal);
    // closed on 不满意 without a rehandle event; satisfaction without a class (python csv on the
    // CSVs); return requests after 5 working days on the 2020 official calendar (python datetime
    // with the notice's holidays).
    #expect(count("class-mismatch") == [5, 8])
    #expect(count("closed-unsatisfied") == [8, 9])
    #expect(count("incomplete-form") == [16, 25])
    #expect(count("late-return-request") == [5, 32])
    #expect(count("co-unit-late") == [4, 13])
    #expect(count("late-sign") == [9, 56])
    #expect(count("late-reply") == [6, 25])
    #expect(count("overdue") == [22, 78])
    #expect(f.first { $0.rule.id == "overdue" && $0.unit == "科技局" }?.cases.first?.reason == "期限 2020-09-08（原期限 2020-08-09），已逾期 9 天（状态 重新办理）")
    // The rightful returns (outside the remit) of 工信局, 林业局, 统计局 are not 推诿扯皮.
    #expect(!f.contains { $0.rule.id == "shirking" && ["工信局", "林业局", "统计局"].contains($0.unit) })
}

@Test func goldenReportAndCheck() throws {
    let r = ReportBuilder.build(Shipped.store, asOf: Shipped.asOf)
    expectSameText(r.render(.text), try golden("report.txt"), "report.txt")
    let f = Checker.run(Shipped.store, asOf: Shipped.asOf)
    expectSameText(Checker.format(f, rules: Checker.rules, format: .text, asOf: Shipped.asOf, periods: CheckOptions().periods(Shipped.store.manifest.office)),
                   try golden("check.txt"), "check.txt")
}

@Test func reportFormatsAndUnit() throws {
    let r = ReportBuilder.build(Shipped.store, asOf: Shipped.asOf, unit: "教育局")
    #expect(r.sources[0].count == 105 && r.sources[1...].reduce(0) { $0 + ($1.count ?? 0) } == 105)
    #expect(r.units.map(\.unit) == ["教育局"])
    let md = r.render(.markdown)
    #expect(md.hasPrefix("# 2020 年度人大建议政协提案办理情况：教育局\n"))
    #expect(md.contains("| 教育局 | 105 | 102 | 3 | 97.1% | 100.0% | 100.0% | 84.3% | 好 |"))
    let csv = ReportBuilder.build(Shipped.store, asOf: Shipped.asOf).render(.csv)
    let lines = csv.components(separatedBy: "\n")
    #expect(lines[0] == "section,unit,item,value,target,note")
    #expect(lines.contains("sources,,共办理省市人大建议、政协提案,1270,,"))
    #expect(lines.contains("rates,,completion_rate,0.90315,1,1147/1270；差 9.7 个百分点（须于 2020-09-30 前办结）"))
    #expect(lines.contains("rates,,basic_satisfaction_rate,0.15273,,179/1172"))
    #expect(lines.contains("topic,教育局,中小学午餐供餐和课后延时服务,14,14,案由含 午餐、课后；通报所说承办单位 教育局，数据中由其主办 14 件"))
    #expect(lines.contains("unit,教育局,good,true,,未办结 3 件（其中逾期 3 件），须于 2020-09-30 前办结"))
}

/// Text, CSV and the workbook list the same rates, from the one list (`rateLines`): the
/// notice's three, 严格满意率 and the five other rates real reports use.
@Test func everyFormatCarriesEveryRate() throws {
    let r = ReportBuilder.build(Shipped.store, asOf: Shipped.asOf)
    let names = r.rateLines.map(\.name)
    #expect(names == ["completion_rate", "face_to_face_rate", "satisfaction_rate", "strict_satisfaction_rate", "reply_rate",
                      "on_time_reply_rate", "resolution_rate", "first_satisfaction_rate", "basic_satisfaction_rate"])
    let text = r.render(.text)
    for l in r.rateLines { #expect(text.contains("  " + l.label), "text lists \(l.label)") }
    let csvRates = r.render(.csv).components(separatedBy: "\n").filter { $0.hasPrefix("rates,") }
        .map { $0.split(separator: ",", omittingEmptySubsequences: false)[2] }.map(String.init)
    #expect(csvRates == names)
    let sheets = r.sheets(chinese: false)
    let rates = try #require(sheets.first { $0.name == "rates" }).result
    #expect((0..<rates.rowCount).map { rates.cell($0, 0).text } == names)
    #expect((0..<rates.rowCount).map { rates.cell($0, 2) } == r.rateLines.map { $0.value.map(Cell.rate) ?? .null })
    // The topic line of the text (通报 14 件，数据 14 件 …) has its own sheet.
    let topics = try #require(sheets.first { $0.name == "topics" }).result
    #expect(topics.rowCount == r.topics.count && topics.rowCount > 0)
    #expect(text.contains("\(r.topics[0].name)：通报 \(r.topics[0].noticeCount!) 件，数据 \(r.topics[0].cases.count) 件"))
    #expect(topics.cell(0, 1) == .int(r.topics[0].noticeCount!) && topics.cell(0, 2) == .int(r.topics[0].cases.count))
}

@Test func dotCommandsRun() throws {
    let s = Session(store: Shipped.store)
    let out = NSTemporaryDirectory() + "caseql-office-\(UUID().uuidString).csv"
    defer { try? FileManager.default.removeItem(atPath: out) }
    #expect(s.runDotCommand(".output \(out)"))
    #expect(s.runDotCommand(".check shirking --unit 园林局 --format csv"))
    // Under .output FILE.csv the report is written as CSV (the file's format), and a --format
    // that names another is refused.
    #expect(!s.runDotCommand(".report --unit 教育局 --format text"))
    #expect(s.runDotCommand(".report --unit 教育局"))
    #expect(!s.runDotCommand(".check nosuchrule"))
    #expect(!s.runDotCommand(".report --unit 教育厅"))
    #expect(s.runDotCommand(".output stdout"))
    let text = try String(contentsOfFile: out, encoding: .utf8)
    // CSV into a file is written with the file's CSV settings: a BOM at its start, CRLF.
    let raw = [UInt8](FileManager.default.contents(atPath: out) ?? Data())
    #expect(raw.starts(with: [0xEF, 0xBB, 0xBF] + Array("rule,title,unit,case_id,reason\r\n".utf8)))
    let csvLines = text.components(separatedBy: "\r\n").prefix(6)
    #expect(csvLines.first == "rule,title,unit,case_id,reason")
    #expect(csvLines.dropFirst().prefix(4).allSatisfy { $0.hasPrefix("shirking,推诿扯皮,园林局,") })
    #expect(text.contains("\r\nunit,教育局,cases,105,,\r\n"))
    #expect(!text.contains("办理情况：教育局"))
    #expect(DotCommands.helpText(nil).contains(".report [--format text|markdown|csv|xlsx] [--unit NAME] [--out FILE]"))
    #expect(DotCommands.helpText(nil).contains(".check [RULE]"))
}

@Test func checkFormatWithoutFindings() {
    let text = Checker.format([], rules: Checker.rules, format: .text, asOf: Day("2020-09-17")!, periods: CheckOptions().periods(OfficeSettings()))
    #expect(text.hasPrefix("截至 2020-09-17；签收期限 7 天，会办意见期限 1 个月，退办申请期限 5 个工作日，解决程度 A/B/C/D\n"))
    #expect(text.hasSuffix("合计：\(Checker.rules.count) 条规则，0 条有发现；涉及 0 个单位，0 件次\n"))
}

// MARK: - Bars

@Test func barChartExactOutput() {
    let result = ResultSet(columns: [ResultColumn(name: "unit", label: "主办单位"), ResultColumn(name: "completion_rate", label: "办结率")],
                           rows: [[.text("教育局"), .rate(1)], [.text("管城回族区政府"), .rate(0.5)], [.text("X局"), .rate(0.0625)], [.text("空"), .null]])
    var o = RenderOptions()
    o.mode = .bar
    o.width = 44
    // Labels 14 columns (管城回族区政府), values 6 ("100.0%"), bars 44 - 14 - 6 - 4 = 20 columns
    // = 160 eighths; rates scale to 100%: 0.5 → 10 █, 0.0625 → 10 eighths = █▎, null → no bar.
    func sp(_ n: Int) -> String { String(repeating: " ", count: n) }
    func full(_ n: Int) -> String { String(repeating: "█", count: n) }
    let want = "unit" + sp(10) + sp(2) + "completion_rate\n"
        + "教育局" + sp(8) + sp(2) + full(20) + sp(2) + "100.0%\n"
        + "管城回族区政府" + sp(2) + full(10) + sp(10) + sp(2) + " 50.0%\n"
        + "X局" + sp(11) + sp(2) + "█▎" + sp(18) + sp(2) + "  6.3%\n"
        + "空\n"
    #expect(Renderer.string(result, options: o) == want)
    o.chineseHeaders = true
    #expect(Renderer.string(result, options: o).hasPrefix("主办单位" + sp(6) + sp(2) + "办结率\n"))

    let counts = ResultSet(columns: [ResultColumn(name: "status"), ResultColumn(name: "count", numeric: true)],
                           rows: [[.text("closed"), .int(80)], [.text("已签收"), .int(7)], [.text("逾期"), .int(0)]])
    o.chineseHeaders = false
    o.headers = false
    o.width = 30
    // Counts scale to the largest: labels 6, values 2, bars 30 - 6 - 2 - 4 = 18 columns = 144
    // eighths; 7/80 of 144 = 12.6 → 13 eighths = █▋.
    #expect(Renderer.string(counts, options: o) ==
            "closed" + sp(2) + full(18) + sp(2) + "80\n"
            + "已签收" + sp(2) + "█▋" + sp(16) + sp(2) + " 7\n"
            + "逾期" + sp(2) + sp(2) + sp(18) + sp(2) + " 0\n")
    #expect(BarChart.bar(0.5, width: 2) == "█")
    #expect(BarChart.bar(3.0 / 16, width: 2) == "▍")
}

@Test func barModeWithoutNumbersIsATable() {
    let r = ResultSet(columns: [ResultColumn(name: "id")], rows: [[.text("P1")]])
    var o = RenderOptions(); o.mode = .bar
    var t = RenderOptions(); t.mode = .table
    #expect(Renderer.string(r, options: o) == Renderer.string(r, options: t))
    #expect(OutputMode(rawValue: "bar") == .bar)
}

@Test func officeCompletion() {
    let c = Completer(session: Session(store: Shipped.store))
    #expect(c.complete(".check sh") == (2, ["shirking"]))
    #expect(c.complete(".check --format m").candidates == ["markdown"])
    #expect(c.complete(".report --unit 教育").candidates == ["教育局"])
    #expect(c.complete(".report --").candidates == ["--format", "--unit"])
    #expect(c.complete(".mode b").candidates == ["bar"])
}

/// `.report` and `.check` follow the one rule for files: under `.output FILE` they are written in
/// the file's format (Markdown here; a JSON file has no report form and is refused, pointing to
/// --out), `--out` takes its format from the extension, and a --format or an extension that
/// disagrees or names no format is refused before anything is written.
@Test func reportFollowsTheFilesFormat() throws {
    let dir = NSTemporaryDirectory() + "caseql-office-out-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let s = Session(store: Shipped.store)
    func error(_ line: String) -> String {
        do { try DotCommands.run(line, session: s); return "" } catch { return "\(error)" }
    }
    #expect(s.runDotCommand(".output \(dir)/r.md"))
    #expect(s.runDotCommand(".report --unit 教育局"))
    #expect(s.runDotCommand(".output \(dir)/r.json"))
    #expect(error(".report").contains(".output is writing \(dir)/r.json, and the report has no .json form: write it to its own file with --out FILE"))
    #expect(error(".check").contains("the check has no .json form"))
    #expect(s.runDotCommand(".output stdout"))
    let md = try String(contentsOfFile: dir + "/r.md", encoding: .utf8)
    #expect(md.hasPrefix("# 2020 年度人大建议政协提案办理情况：教育局\n"))
    // A .txt file takes a report's or a check's text; a query's result there is refused at its
    // own statement, and a file that got nothing is not made.
    #expect(s.runDotCommand(".output \(dir)/q.txt"))
    #expect(!s.runStatement("count cases"))
    #expect(s.runDotCommand(".output stdout"))
    #expect(error(".output \(dir)/r.xls").contains("caseql writes .xlsx, not the old .xls"))
    #expect(s.runDotCommand(".report --unit 教育局 --out \(dir)/r.txt"))
    let txt = try String(contentsOfFile: dir + "/r.txt", encoding: .utf8)
    #expect(txt.hasPrefix("2020 年度人大建议政协提案办理情况：教育局\n"))
    #expect(error(".check --format csv --out \(dir)/c.xlsx").contains("--format csv does not match \(dir)/c.xlsx (a .xlsx file is written as xlsx)"))
    #expect(error(".report --format xlsx --out \(dir)/c.csv").contains("--format xlsx does not match"))
    #expect(error(".report --out \(dir)/u.xls").contains("caseql writes .xlsx, not the old .xls"))
    #expect(error(".report --out \(dir)/r.json").contains("a report or check is not written as .json"))
    #expect(error(".export \(dir)/u.xls count cases").contains("caseql writes .xlsx, not the old .xls"))
    #expect(error(".once \(dir)/u.xls").contains("caseql writes .xlsx, not the old .xls"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["r.md", "r.txt"])
}
