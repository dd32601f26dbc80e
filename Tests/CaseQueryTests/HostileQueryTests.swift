import Foundation
import Testing
@testable import CaseQuery
@testable import CaseStore

// Issue 17: statements that once crashed the process. Each must now answer, or fail with a
// positioned error; none may trap or overflow the stack.

@Suite struct FlatChainTests {
    /// `unit = "教育局" or unit = "教育局" or …`, n terms joined by `op`.
    private func chain(_ n: Int, _ op: String, _ term: String) -> String {
        "select cases where " + Array(repeating: term, count: n).joined(separator: " \(op) ")
    }

    @Test func fiftyThousandOrsParseFlatAndEvaluate() throws {
        let e = try Tiny.engine()
        let text = chain(50_000, "or", #"unit = "教育局""#)
        guard case .query(let q) = try Parser.parse(text), case .or(let terms)? = q.filter else {
            Issue.record("not one flat or"); return
        }
        #expect(terms.count == 50_000)
        #expect(try e.ids(text) == ["P1", "P2", "S1"])
    }

    @Test func fiftyThousandAndsEvaluate() throws {
        let e = try Tiny.engine()
        #expect(try e.ids(chain(50_000, "and", "key_supervised")) == ["P1", "P3"])
        // mixed: and binds tighter, each `or` term an and-chain
        let mixed = "select cases where " + Array(repeating: #"unit = "水利局" and not key_supervised"#,
                                                     count: 20_000).joined(separator: " or ")
        #expect(try e.ids(mixed) == ["S3"])
    }

    @Test func fiftyThousandCommasInListsAndHaving() throws {
        let e = try Tiny.engine()
        let values = (0..<50_000).map { "\"u\($0)\"" }.joined(separator: ", ")
        // every value but one unknown: the error names the first, it does not crash
        let inList = #"select cases where unit in ("教育局", "# + values + ")"
        #expect(e.error(inList) != nil)
        let items = Array(repeating: "id", count: 50_000).joined(separator: ", ")
        #expect(try e.rows("select \(items) from cases where id = \"P1\"").first?.count == 50_000)
        let having = "select unit, count from cases group by unit having "
            + Array(repeating: "count > 0", count: 50_000).joined(separator: " and ")
        #expect(try e.rows(having).count == 5)
        let orderBy = "select cases order by " + Array(repeating: "id", count: 50_000).joined(separator: ", ")
        #expect(try e.ids(orderBy).first == "P1")
    }

    @Test func depthCountsRealNestingOnly() {
        // 300 terms were once "nested too deeply"; 255 parentheses still parse, 257 do not
        #expect((try? Parser.parse(chain(300, "or", "a"))) != nil)
        let deep = "select cases where " + String(repeating: "(", count: 300) + "a" + String(repeating: ")", count: 300)
        #expect((try? Parser.parse(deep)) == nil)
    }
}

@Suite struct CheckedArithmeticTests {
    private func message(_ e: Engine, _ text: String) -> (String, Int)? {
        e.error(text).map { ($0.message, $0.range.start.column) }
    }

    @Test func dateShiftsOutOfRangeArePositionedErrors() throws {
        let e = try Tiny.engine()
        for shift in ["99999y", "99999m", "2147483647d", "9223372036854775807d", "9223372036854775807w",
                      "7980y", "1317624576693539401w", "768614336404564651y"] {
            let text = "select cases where deadline < today + \(shift)"
            let m = message(e, text)
            #expect(m?.0.contains("out of range") == true, "\(shift): \(String(describing: m))")
            #expect(m?.1 == 31, "\(shift)")
            let minus = message(e, "select cases where deadline > today - \(shift)")
            #expect(minus?.0.contains("out of range") == true, "- \(shift)")
        }
        // field shifts: too long is an error; long but in range compares without trapping
        #expect(message(e, "select cases where replied_on > deadline + 9223372036854775807d")?.0
                    .contains("out of range") == true)
        #expect(message(e, "select cases where replied_on > deadline + 99999y")?.0.contains("out of range") == true)
        #expect(try e.ids("select cases where replied_on < deadline + 9000y").count == 4)
        #expect(try e.ids("select cases where replied_on > deadline - 9000y").count == 4)
        // the last representable day is fine
        #expect(try e.ids("select cases where deadline < 9999-12-01 + 30d").count == 7)
        #expect(message(e, "select cases where deadline < 9999-12-01 + 31d")?.0.contains("out of range") == true)
    }

    @Test func hugeIntegersInOrderByLimitOffset() throws {
        let e = try Tiny.engine()
        for n in ["9223372036854775807", "9223372036854775808", "1e300", "18446744073709551616", "0", "-1"] {
            let text = "select id, unit from cases order by \(n)"
            let err = e.error(text)
            #expect(err != nil, "\(n)")
            #expect(err?.range.start.column == 37 || n == "-1", "\(n): \(String(describing: err))")
        }
        #expect(e.error("select unit, count from cases group by unit order by 9223372036854775807") != nil)
        #expect(try e.ids("select cases limit 9223372036854775807").count == 7)
        #expect(try e.ids("select cases limit 9223372036854775807 offset 9223372036854775807").isEmpty)
        #expect(try e.ids("select cases limit 2 offset 9223372036854775807").isEmpty)
        let tooLarge = e.error("select cases limit 99999999999999999999")
        #expect(tooLarge?.message == "number 99999999999999999999 is too large")
    }

    @Test func dayArithmeticNeverTraps() {
        let last = Day.latest, first = Day.earliest
        #expect(last.adding(days: 1) == last)
        #expect(first.adding(days: -1) == first)
        #expect(last.adding(months: 3) == last)
        #expect(first.adding(months: -3) == first)
        #expect(Day(year: 9999, month: 11, day: 1)!.adding(months: 3) == last)
        #expect(last.shifted(days: Int.max) == nil)
        #expect(first.shifted(days: Int.min) == nil)
        #expect(last.shifted(months: Int.max) == nil)
        #expect(Day.shiftedRaw(0, days: 0, months: Int.min) == nil)
        #expect(Day(year: 2020, month: 11, day: 30)!.shifted(months: 3)?.description == "2021-02-28")
        #expect(Day(year: 2020, month: 1, day: 31)!.shifted(months: -13)?.description == "2018-12-31")
    }
}
