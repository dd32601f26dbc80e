import Foundation
import Testing
@testable import CaseQuery
@testable import CaseStore

// The language's newer parts on the tiny dataset, counted by hand from Tiny's rows.

/// `count(event)` without `where` is every related row: per case, and summed over a group.
@Test func countOfRelatedRowsWithoutWhere() throws {
    let e = try Tiny.engine()
    // Events per case, by hand: P1 2, P2 4, P3 0, S1 0, S2 0, S3 2, S4 6.
    #expect(try e.rows("select id, count(event) from cases order by id")
            == [["P1", "2"], ["P2", "4"], ["P3", "0"], ["S1", "0"], ["S2", "0"], ["S3", "2"], ["S4", "6"]])
    #expect(try e.ids("select cases where count(event) >= 4") == ["P2", "S4"])
    #expect(try e.ids("select cases where count(events) = 0 order by id") == ["P3", "S1", "S2"])
    // Over a group, the events of all its cases (kinds in declared order: suggestions 0+0+2+6, proposals 2+4+0).
    #expect(try e.rows("select kind, sum(count(event)), count(event) from cases group by kind")
            == [["suggestion", "8", "8"], ["proposal", "6", "6"]])
    #expect(try e.rows("select unit, count(event) from cases group by unit having count(event) > 5 order by unit")
            == [["交通局", "6"], ["教育局", "6"]])
    // The same as a filter that always holds.
    #expect(try e.rows("select id, count(event) from cases order by id")
            == e.rows("select id, count(event where date is not empty) from cases order by id"))
    // Cases have no related cases; a field named like no source is still a field.
    #expect(e.error("select id, count(case) from cases")?.message == "cases have no related cases: cases have events, units have cases")
    #expect(try e.rows("select count(unit) from cases") == [["7"]])
}

/// Texts sort by pinyin through ICU sort keys; the keys order Chinese texts as Foundation's
/// one-at-a-time comparison does (an independent route into ICU), here over the titles and
/// unit names of a generated dataset, shuffled, with numbers and empty texts mixed in.
@Test func collationKeysOrderAsFoundationCompares() throws {
    let dir = NSTemporaryDirectory() + "caseql-collation-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try DatasetGenerator(cases: 400, seed: 23).write(to: dir)
    let store = try DatasetLoader.load(dir).0
    guard case .rows(let all) = try Engine(store: store).run(try Parser.parse("select title, unit from cases")) else {
        Issue.record("no rows"); return
    }
    var rng = SplitMix64(seed: 5)
    var texts = Array(Set(all.rows.flatMap { [$0[0].text, $0[1].text] }))
    texts += ["", "1", "10", "2", "重庆", "长安", "银行", "行动", "教育局", "城建局", "工信局", "交通局", "关于", "关于 ", "关于a"]
    texts = Array(Set(texts))
    for i in stride(from: texts.count - 1, to: 0, by: -1) { texts.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
    let byKeys = Collation.order(texts).map { texts[$0] }
    let byFoundation = texts.sorted(by: Collation.less)
    #expect(byKeys == byFoundation)
    #expect(byKeys.count > 400)
    // Pinyin: 城(cheng) 工(gong) 交(jiao) 教(jiao, later by its second syllable) …
    let units = ["教育局", "交通局", "工信局", "城建局"]
    #expect(Collation.order(units).map { units[$0] } == ["城建局", "工信局", "交通局", "教育局"])
    // Ranks per pool: distinct, ordered as the keys order the pool's texts, kept for reuse.
    let pool = store.cases.text("title").pool
    let ranks = Collation.ranks(of: pool)
    #expect(Set(ranks).count == pool.count)
    #expect(Collation.hasRanks(of: pool))
    let sorted = (0..<pool.count).sorted { ranks[$0] < ranks[$1] }.map { pool[UInt32($0)] }
    #expect(sorted == Collation.order((0..<pool.count).map { pool[UInt32($0)] }).map { pool[UInt32($0)] })
}

/// `order by title` (pool ranks, when many rows are sorted) and the same order over a few rows
/// (their texts ranked alone) agree, and every adjacent pair is in Foundation's order.
@Test func orderByTextAgreesAcrossPaths() throws {
    let e = try Tiny.engine()
    // 关于"数字经济"… (the quote sorts before letters), 城市 cheng, 改善 gai, 公交 gong,
    // 黄河 huang, 课后 ke, 中小学 zhong.
    #expect(try e.ids("select id from cases order by title") == ["P3", "S2", "S1", "S4", "S3", "P2", "P1"])
    #expect(try e.ids("select id from cases order by title desc") == ["P1", "P2", "S3", "S4", "S1", "S2", "P3"])
    #expect(try e.ids("select id from cases where unit = \"教育局\" order by title") == ["S1", "P2", "P1"])
    #expect(try e.rows("select unit, count from cases group by unit")
            == [["城建局", "1"], ["工信局", "1"], ["交通局", "1"], ["教育局", "3"], ["水利局", "1"]])
}

/// The planner at a table of 65,536 rows or more, where it chooses between paths (called by the
/// differential test with its 70,000-case dataset, on a store of its own so no index is built).
/// The plan is printed without running (no index built, no use counted); running follows it;
/// an index is built on the third question and its counts then make the estimate exact.
func checkPlannerAtScale(dir: String) throws {
    let store = try DatasetLoader.load(dir).0
    let e = Engine(store: store)
    #expect(store.cases.count >= 65_536)
    let top = try e.rows("select unit, count from cases group by unit order by count desc limit 1")[0]
    let unit = top[0], unitRows = Int(top[1])!
    let q = "select id from cases where unit = \"\(unit)\" and deadline < 2020-03-01"
    func plan() throws -> [String] {
        guard case .plan(let lines) = try e.run(try Parser.parse("explain " + q)) else { Issue.record("no plan"); return [] }
        return lines
    }
    func analyze() throws -> [String] {
        guard case .plan(let lines) = try e.run(try Parser.parse("explain analyze " + q)) else { Issue.record("no plan"); return [] }
        return lines
    }
    // First question: no index of unit yet, and most rows are left, so one pass over unit;
    // then few rows of a large table are left, so the range is tested on them.
    let first = try plan()
    #expect(first.contains { $0.hasPrefix("  unit = \"\(unit)\": a pass over unit (its index is built from the third use), ~\(unitRows) rows") },
            "\(first)")
    #expect(first.contains { $0.hasPrefix("  deadline < 2020-03-01: a test of the rows left (under 1/32") || $0.hasPrefix("  deadline < 2020-03-01: a test of the rows left (its index") },
            "\(first)")
    // Planning again changes nothing (explain counts no use and builds nothing).
    #expect(try plan() == first)
    #expect(store.cases.indexes.footprint == 0)
    // Running follows the plan: the same path for each step.
    let ran = try analyze()
    #expect(ran.contains { $0.hasPrefix("  pass over unit for unit = \"\(unit)\"") && $0.hasSuffix("→ \(unitRows) rows") }, "\(ran)")
    _ = try analyze()
    // The third question: the index is worth building now.
    #expect(try plan().contains("  unit = \"\(unit)\": index of unit (built now), ~\(unitRows) rows"))
    let third = try analyze()
    #expect(third.contains("  index unit = \"\(unit)\" → \(unitRows) rows"), "\(third)")
    #expect(try plan().contains("  unit = \"\(unit)\": index of unit, ~\(unitRows) rows"))
    #expect(store.cases.indexes.footprint > 0)
    // The answer is the same whichever path ran.
    let fresh = Engine(store: try DatasetLoader.load(dir).0)
    #expect(try fresh.ids(q) == e.ids(q))
}

/// `having` over group rows, on the newer aggregates (by hand from Tiny: 教育局 holds P1, P2, S1;
/// S1 replied after its deadline; days to reply P2 83, S1 95, S2 87, S4 80; co-units P2 财政局,
/// S2 交通局 and 公安局).
@Test func havingOnRatesSharesMediansAndDistinctCounts() throws {
    let e = try Tiny.engine()
    #expect(try e.rows("select unit, rate(late) from cases group by unit having rate(late) > 0.3")
            == [["教育局", "33.3%"]])
    // An aggregate only having names is computed and not shown.
    #expect(try e.rows("select unit from cases group by unit having rate(late) = 0 and count = 1")
            == [["城建局"], ["工信局"], ["交通局"], ["水利局"]])
    #expect(try e.rows("select unit, share from cases group by unit having share > 0.2") == [["教育局", "42.9%"]])
    // A group without a reply has no median: it meets no comparison, not even <.
    #expect(try e.rows("select unit, median(days_to_reply) from cases group by unit having median(days_to_reply) >= 85")
            == [["城建局", "87.00"], ["教育局", "89.00"]])
    #expect(try e.rows("select unit from cases group by unit having median(days_to_reply) < 1000")
            == [["城建局"], ["交通局"], ["教育局"]])
    #expect(try e.rows("select unit, count(distinct co_units) from cases group by unit having count(distinct co_units) >= 1")
            == [["城建局", "2"], ["教育局", "1"]])
    #expect(try e.rows("select unit, count from cases group by unit having count(distinct co_units) = 0 and not count > 1")
            == [["工信局", "1"], ["交通局", "1"], ["水利局", "1"]])
    // An enum key by its value, in either spelling, whatever .labels shows.
    #expect(try e.rows("select status, count from cases group by status having status = closed") == [["closed", "3"]])
    e.labels = true
    #expect(try e.rows("select status, count from cases group by status having status = closed") == [["已办结", "3"]])
    #expect(try e.rows("select status, count from cases group by status having status in (已办结, assigned)")
            == [["已交办", "1"], ["已办结", "3"]])
}
