import Foundation
import Testing
import CaseQuery
import CaseStore
@testable import CaseOffice

// The report's statements about the notice (manifest "notice"): the gap between its total and
// its parts stated as the data's, its topic and named cases found in the data, and every key
// case's 领办 leader and progress — on the shipped data with its rows shuffled, on a generated
// dataset that is not the shipped one, and on small hand-made data built to break each.

private let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("datasets/zhengzhou-2020").path

private func temporaryFolder() throws -> String {
    let dir = NSTemporaryDirectory() + "caseql-notice-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// `folder`'s CSV files with their rows (not headers) in a seeded random order.
private func shuffledCopy(of folder: String, seed: UInt64) throws -> String {
    let dir = try temporaryFolder()
    var state = seed
    func next() -> UInt64 { state &+= 0x9E37_79B9_7F4A_7C15; var z = state; z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; return z ^ (z >> 27) }
    for name in ["cases.csv", "units.csv", "events.csv"] {
        let text = try String(contentsOfFile: folder + "/" + name, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let header = lines.removeFirst()
        for i in stride(from: lines.count - 1, to: 0, by: -1) { lines.swapAt(i, Int(next() % UInt64(i + 1))) }
        try ([header] + lines).joined(separator: "\n").appending("\n").write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
    }
    try FileManager.default.copyItem(atPath: folder + "/manifest.json", toPath: dir + "/manifest.json")
    return dir
}

/// One column of a query's rows, as text.
private func column(_ store: CaseStore, _ query: String) throws -> [[String]] {
    guard case .rows(let r) = try Engine(store: store).run(try Parser.parse(query)) else { return [] }
    return r.rows.map { $0.map(\.text) }
}

@Test func shuffledRowsGiveTheSameStatements() throws {
    let store = try DatasetLoader.load(shipped).0
    let dir = try shuffledCopy(of: shipped, seed: 14)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let shuffled = try DatasetLoader.load(dir).0
    #expect(shuffled.cases.text("id")[0] != store.cases.text("id")[0])
    let a = ReportBuilder.build(store, asOf: store.defaultAsOf), b = ReportBuilder.build(shuffled, asOf: shuffled.defaultAsOf)
    #expect(a.noticeText == b.noticeText && a.keyCases == b.keyCases)
    #expect(a.named.map(\.found) == b.named.map(\.found) && a.topics.map(\.cases) == b.topics.map(\.cases))
    // The notice's 1,270 and its parts' 1,265, and the 5 cases of 2019 the data holds for the gap.
    #expect(b.noticeText.first?.contains("共 1270 件") == true && b.noticeText.first?.contains("合计 1265 件，比总数少 5 件，通报未说明原因") == true)
    let carried = try column(shuffled, "select id from cases where year = 2019 order by id").map { $0[0] }
    #expect(carried.count == 5 && b.noticeText.last?.contains(carried.joined(separator: "、")) == true)
    #expect(b.noticeText.last?.contains("这是数据的做法，不是通报给出的原因") == true)
    // 14 lunch cases, both named proposals found with their leaders, 33 key cases.
    #expect(b.topics.first?.cases.count == 14 && b.topics.first?.noticeCount == 14)
    #expect(b.named.map { $0.found.map(\.id) } == [["SZXTA-2020-0403"], ["SZXTA-2020-0404"]])
    #expect(b.named.map { $0.found.first?.leader } == ["副市长（分管生态环境）", "常务副市长"])
    #expect(b.keyCases.count == 33)
}

@Test func aGeneratedDatasetIsReportedFromItsOwnRows() throws {
    let dir = try temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try DatasetGenerator(cases: 300, seed: 7, profile: .realistic).write(to: dir)
    let store = try DatasetLoader.load(dir).0
    let r = ReportBuilder.build(store, asOf: store.defaultAsOf)
    // Every key case, with the leader the data gives it and a progress made from its status.
    let key = try column(store, "select id, leader, status from cases where key_supervised order by kind, id")
    #expect(r.keyCases.map(\.id) == key.map { $0[0] } && !key.isEmpty)
    #expect(r.keyCases.map(\.leader) == key.map { $0[1] })
    for (line, row) in zip(r.keyCases, key) where row[2] == "closed" { #expect(line.progress.hasPrefix("已办结"), "\(line)") }
    for (line, row) in zip(r.keyCases, key) where row[2] == "in_progress" { #expect(line.progress.hasPrefix("办理中，期限"), "\(line)") }
    // The lunch topic: the cases whose title has 午餐 or 课后, against the notice's 14.
    let lunch = try column(store, #"select id from cases where title contains "午餐" or title contains "课后" order by kind, id"#).map { $0[0] }
    #expect(Set(r.topics.first?.cases.map(\.id) ?? []) == Set(lunch))
    #expect(r.topics.first?.noticeCount == 14 && lunch.count != 14)
    // 300 cases: the data's parts are set beside the notice's.
    #expect(r.noticeText.last?.hasPrefix("数据：共 300 件（通报 1270 件）") == true)
    let sug = try column(store, "select id from suggestions where level = city and year = 2020").count
    #expect(r.noticeText.last?.contains("市人大建议 \(sug) 件（通报 367 件）") == true)
}

@Test func noticeStatementsOnHandMadeData() throws {
    // A notice of 3 cases whose parts add to 2; the data has the 2 and a third of 2019. One named
    // proposal is in the data under another proposer, one is not there at all.
    let notice = #""notice": {"total": 3, "parts": [{"label": "市政协提案", "of": "proposal/city", "count": 1}, {"label": "市人大建议", "of": "suggestion/city", "count": 1}], "topics": [{"name": "学校午餐", "count": 2, "title_words": ["午餐"], "unit": "乙局"}], "named": [{"title": "《关于学校午餐的提案》", "proposer": "某委员"}, {"title": "关于不存在的提案", "proposer": ""}]}, "remits""#
    let dir = try temporaryFolder()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try (Mini.cases.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")
         + "\nC9,proposal,city,2019,关于公园绿化的提案,urban,乙局,,2019-12-10,2019-12-12,2020-03-10,,,in_progress,,,,\n")
        .write(toFile: dir + "/cases.csv", atomically: true, encoding: .utf8)
    try Mini.manifest.replacingOccurrences(of: #""remits""#, with: notice).write(toFile: dir + "/manifest.json", atomically: true, encoding: .utf8)
    let s = try DatasetLoader.load(dir).0
    let r = ReportBuilder.build(s, asOf: s.defaultAsOf)
    #expect(r.noticeText.first == "通报：共 3 件，所列各项（市政协提案 1 件、市人大建议 1 件）合计 2 件，比总数少 1 件，通报未说明原因。")
    #expect(r.noticeText.last == "数据：共 3 件；2020 年度各项 市政协提案 1 件、市人大建议 1 件；各项之外另有 1 件（2019 年度市政协提案 1 件）：C9，2 + 1 = 3。通报总数与各项之和的差额，数据以这 1 件补足；这是数据的做法，不是通报给出的原因。")
    #expect(r.named.map { $0.found.map(\.id) } == [["C1"], []])
    #expect(r.topics.first?.cases.map(\.id) == ["C1"] && r.topics.first?.cases.first?.unit == "甲局")
    // C9 was due 2020-03-10 and is still open: its progress says how long overdue.
    let c9 = ReportBuilder.progress(try #require(s.row(ofID: "C9")), OfficeView(s), asOf: Day("2020-09-17")!)
    #expect(c9 == "办理中，期限 2020-03-10，已逾期 191 天")
    // Without a notice in the manifest, nothing is said about one.
    let plain = try Mini.store()
    let p = ReportBuilder.build(plain, asOf: plain.defaultAsOf)
    #expect(p.noticeText.isEmpty && p.named.isEmpty && p.topics.isEmpty && p.keyCases.isEmpty)
}

@Test func badNoticeSettingsAreClearErrors() throws {
    for bad in [#"{"total": "many"}"#, #"{"parts": [{"label": "x", "of": "npc", "count": 1}]}"#,
                #"{"topics": [{"name": "午餐"}]}"#, #"{"named": [{"proposer": "某"}]}"#, #"{"totl": 1}"#] {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "id,title\nC1,关于午餐的提案\n".write(toFile: dir + "/cases.csv", atomically: true, encoding: .utf8)
        try #"{"notice": \#(bad)}"#.write(toFile: dir + "/manifest.json", atomically: true, encoding: .utf8)
        #expect(throws: LoadError.self, "\(bad)") { try DatasetLoader.load(dir) }
    }
}
