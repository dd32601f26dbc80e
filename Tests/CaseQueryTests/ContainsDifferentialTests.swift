import Foundation
import Testing
@testable import CaseQuery
@testable import CaseStore

/// `contains` against sqlite3's `LIKE '%…%'` (ASCII letters in either case, every other character
/// as stored) on titles nearly all distinct (more than 65,536 of them) that mix Chinese, ASCII,
/// full-width letters, combining accents, emoji and LIKE's own wildcards: by the pass over the
/// titles' bytes, then by the bigram index.
@Test func containsAgreesWithSqliteLikeOnManyDistinctMixedTitles() throws {
    guard let sqlite = Sqlite.path() else {
        Issue.record("sqlite3 is not installed: run scripts/setup.sh --test")
        return
    }
    let pieces = ["午", "餐", "学", "校", "关于", "的", "建议", "食", "堂", "a", "B", "c", "e", "Q",
                  "Ａ", "ａ", "é", "e\u{301}", "\u{301}", "🍱", "1", "%", "_", " ", "“", "·"]
    var state: UInt64 = 2020
    func int(_ n: Int) -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int((state >> 33) % UInt64(n)) }
    let rows = 70_000
    var titles: [String] = []
    var csv = "id,kind,level,recess,title,proposer,cosigners,category,unit,co_units,key_supervised,leader,assigned_on,signed_on,deadline,replied_on,closed_on,status,contact,satisfaction,resolution,form\n"
    for i in 0..<rows {
        // Brackets keep spaces off the ends (the loader trims a cell's outer spaces).
        let t = "「" + (0..<(3 + int(9))).map { _ in pieces[int(pieces.count)] }.joined() + "」"
        titles.append(t)
        csv += "P\(i),proposal,city,false,\"\(t)\",张三,,education,教育局,,false,,2020-03-10,,2020-06-10,,,assigned,,,,\n"
    }
    #expect(Set(titles).count > 65_536)
    let dir = NSTemporaryDirectory() + "caseql-contains-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try csv.write(toFile: dir + "/cases.csv", atomically: true, encoding: .utf8)
    try "case_id,date,unit,action,note\n".write(toFile: dir + "/events.csv", atomically: true, encoding: .utf8)
    try #"{"name": "mixed", "as_of": "2020-09-17"}"#.write(toFile: dir + "/manifest.json", atomically: true, encoding: .utf8)

    var needles = ["午餐", "a", "A", "Ａ", "ａ", "é", "e\u{301}", "e", "🍱", "%", "_", "1 ", "的建议", "餐a", "cB", "不在", "e\u{301}🍱"]
    while needles.count < 60 {
        let s = Array(titles[int(rows)].unicodeScalars)
        let len = 1 + int(min(4, s.count)), start = int(s.count - len + 1)
        // A needle starting with a combining accent would join the opening quote (the lexer reads
        // characters): the CaseStore tests cover those.
        if s[start].properties.generalCategory == .nonspacingMark { continue }
        needles.append(String(String.UnicodeScalarView(s[start..<(start + len)].map { u in
            (97...122).contains(u.value) && int(2) == 0 ? Unicode.Scalar(u.value - 32)! : u
        })))
    }
    let sql = needles.map { n -> String in
        // Scalar by scalar: "_" followed by a combining accent is one Character to String's methods.
        var escaped = ""
        for u in n.unicodeScalars {
            if u == "\\" || u == "%" || u == "_" { escaped += "\\" }
            escaped.unicodeScalars.append(u)
            if u == "'" { escaped += "'" }
        }
        return "SELECT count(*) FROM cases WHERE title LIKE '%\(escaped)%' ESCAPE '\\';"
    }.joined(separator: "\n")
    let expected = try Sqlite.run(sqlite: sqlite, csv: dir + "/cases.csv", events: dir + "/events.csv", script: sql, dir: dir)
        .split(separator: "\n").map { Int($0)! }
    #expect(expected.count == needles.count)

    let store = try DatasetLoader.load(dir).0
    let engine = Engine(store: store)
    func count(_ n: String) throws -> Int {
        let cell = try engine.rows("count cases where title contains \"\(n.replacingOccurrences(of: "\"", with: "\"\""))\"")[0][0]
        return Int(cell.filter(\.isNumber))!
    }
    for (n, e) in zip(needles, expected) {
        #expect(try count(n) == e, "scan: \(n.unicodeScalars.map { String($0.value, radix: 16) })")
    }
    _ = store.cases.indexes.bigrams(store.cases.text("title").pool)
    for (n, e) in zip(needles, expected) {
        #expect(try count(n) == e, "index: \(n.unicodeScalars.map { String($0.value, radix: 16) })")
    }
}
