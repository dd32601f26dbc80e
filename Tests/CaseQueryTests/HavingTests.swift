import Foundation
import Testing
@testable import CaseQuery
@testable import CaseStore

// `having` bound over the groups as a source, by the binder and planner `where` uses, and the
// percentage literal. Expected rows counted by hand from Tiny (EngineTests.swift): 教育局 holds
// P1, P2, S1 (3 of 7 cases, 42.857%), 城建局 S2, 工信局 P3, 交通局 S4, 水利局 S3; assigned in
// 2020-03 P1 P2 S2 S3, 2020-04 S1, 2020-05 S4, 2020-07 P3; co-units P2 财政局, S2 交通局 and 公安局;
// S1 replied after its deadline; P1 and S3 are overdue on 2020-09-17.

@Test func havingComparesSharesAndRatesWithPercentages() throws {
    let e = try Tiny.engine()
    #expect(try e.rows("select unit, share from cases group by unit having share >= 40%") == [["教育局", "42.9%"]])
    // 14.3% is above 1/7 (14.2857…%), 14.2% below it.
    #expect(try e.rows("select unit from cases group by unit having share >= 14.3%") == [["教育局"]])
    #expect(try e.rows("select unit from cases group by unit having share >= 14.2%").count == 5)
    // A percentage is the same number as its fraction.
    #expect(try e.rows("select unit from cases group by unit having share >= 40%")
            == e.rows("select unit from cases group by unit having share >= 0.4"))
    #expect(try e.rows("select unit, rate(late) from cases group by unit having rate(late) between 30% and 34%")
            == [["教育局", "33.3%"]])
    #expect(try e.rows("select kind, completion_rate from cases group by kind having completion_rate >= 50%")
            == [["suggestion", "50.0%"]])
    // A parameter set to a percentage reads as one.
    e.params["p"] = "40%"
    #expect(try e.rows("select unit from cases group by unit having share >= $p") == [["教育局"]])
}

@Test func aPercentageAgainstACountIsAnError() throws {
    let e = try Tiny.engine()
    let count = e.error("select unit, count from cases group by unit having count > 5%")
    #expect(count?.message == "`count` is a whole number (a count, a number of days), not a rate: 5% is a percentage, which compares with rates and shares (share, rate(…), completion_rate …)")
    #expect(count?.range.start.column == 60)
    #expect(e.error("select unit from cases group by unit having avg(days_open) > 5%")?.message
            == "`avg(days_open)` is a number (an average, a median, a sum), not a rate: 5% is a percentage, which compares with rates and shares (share, rate(…), completion_rate …)")
    #expect(e.error("select cases where days_open > 50%")?.message.hasPrefix("`days_open` is a whole number") == true)
    e.params["p"] = "5%"
    #expect(e.error("count cases group by unit having count >= $p")?.message.hasPrefix("`count` is a whole number") == true)
    // Not a limit or a column number.
    #expect(throws: QueryError.self) { try Parser.parse("select cases limit 5%") }
}

@Test func havingNamesAreCheckedAsWhereNamesAre() throws {
    let e = try Tiny.engine()
    let unknown = e.error("select unit, count from cases group by unit having cuont > 1")
    #expect(unknown?.message == "unknown column or aggregate `cuont` in having")
    #expect(unknown?.suggestion == "did you mean `count`?")
    // An aggregate the select list lacks is still offered.
    #expect(e.error("select unit from cases group by unit having satisfacton_rate > 0.5")?.suggestion
            == "did you mean `satisfaction_rate`?")
    #expect(e.error("select unit from cases group by unit having rat(late) > 0")?.suggestion == "did you mean `rate`?")
    #expect(e.error("select unit, count from cases group by unit having status = closed")?.message
            == "`status` is neither grouped nor aggregated: add it to group by")
    #expect(e.error("select unit, count from cases group by unit having month(assigned_on) = \"2020-03\"")?.message
            == "`month(assigned_on)` is neither grouped nor aggregated: add it to group by")
    #expect(e.error("select status, count from cases group by status having status = closd")?.suggestion == "did you mean `closed`?")
    // Overdue is no status of a group.
    #expect(e.error("select status, count from cases group by status having status = overdue")?.message.hasPrefix("unknown status `overdue`") == true)
    #expect(e.error("select unit, count from cases group by unit having count > \"many\"")?.message
            == "`count` takes a whole number, not \"many\"")
    #expect(e.error("select unit, count from cases group by unit having exists event")?.message.hasPrefix("having tests the groups' keys and aggregates") == true)
}

@Test func havingOverEveryKindOfKey() throws {
    let e = try Tiny.engine()
    // A time bucket, compared as where compares it (by its text).
    #expect(try e.rows("select month(assigned_on), count from cases group by month(assigned_on) having month(assigned_on) >= \"2020-04\"")
            == [["2020-04", "1"], ["2020-05", "1"], ["2020-07", "1"]])
    #expect(try e.rows("select month(assigned_on), count from cases group by month(assigned_on) having month(assigned_on) = \"2020-03\"")
            == [["2020-03", "4"]])
    // Each element of a list.
    #expect(try e.rows("select co_units, count from cases group by each co_units having co_units in (\"交通局\", \"财政局\")")
            == [["财政局", "1"], ["交通局", "1"]])
    // A text key: a value no group has keeps no group (no error: the data may have it).
    #expect(try e.rows("select unit, count from cases group by unit having unit = \"财政局\"") == [])
    #expect(try e.rows("select unit from cases group by unit having unit != \"教育局\" and unit > \"水\"") == [["水利局"]])
    // A yes/no key, bare as in where.
    #expect(try e.rows("select overdue, count from cases group by overdue having overdue") == [["true", "2"]])
    #expect(try e.rows("select overdue, count from cases group by overdue having not overdue") == [["false", "5"]])
    // A related row's field (Tiny has no units file: every unit.type is empty).
    #expect(try e.rows("select unit.type, count from cases group by unit.type having unit.type is empty") == [["", "7"]])
    // Aliases, labels and Chinese names of aggregates.
    #expect(try e.rows("select unit, count as n from cases group by unit having n > 1") == [["教育局", "3"]])
    #expect(try e.rows("select unit, count from cases group by unit having 数量 > 1 and 主办单位 = \"教育局\"") == [["教育局", "3"]])
    // Column against column, between, is empty.
    #expect(try e.rows("select unit, count, count(late) from cases group by unit having count(late) < count and count > 1")
            == [["教育局", "3", "1"]])
    #expect(try e.rows("select unit from cases group by unit having count between 2 and 3") == [["教育局"]])
    #expect(try e.rows("select unit from cases group by unit having median(days_to_reply) is empty") == [["工信局"], ["水利局"]])
    // Without groups: one row of counts.
    #expect(try e.rows("count cases having count > 5") == [["7"]])
    #expect(try e.rows("count cases having count > 7") == [])
}

@Test func explainShowsHavingWithoutRunning() throws {
    let store = try Tiny.store()
    let e = Engine(store: store)
    let q = "explain select unit, count from cases group by unit having count > 1 and share >= 5%"
    guard case .plan(let lines) = try e.run(try Parser.parse(q)) else { Issue.record("no plan"); return }
    #expect(Array(lines.suffix(4)) == [
        "having, over the groups (unit, count, share)",
        "  and",
        "    count > 1: sorted index of count, or a test of the rows left",
        "    test share >= 5% on each row left",
    ], "\(lines)")
    // Nothing ran: no index of the cases was built.
    #expect(store.cases.indexes.footprint == 0)
    guard case .plan(let analyzed) = try e.run(try Parser.parse("explain analyze select unit, count from cases group by unit having count > 1 and share >= 5%")) else {
        Issue.record("no plan"); return
    }
    #expect(analyzed.contains("having over 5 groups"), "\(analyzed)")
    #expect(analyzed.last == "result: 1 row")
}
