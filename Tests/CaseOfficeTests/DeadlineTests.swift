import Foundation
import Testing
import CaseQuery
import CaseStore
@testable import CaseOffice

// The current deadline follows the events; the first one stays queryable; the first deadline
// comes from the manifest by kind and level.

/// A case of 甲局 assigned 2020-03-10 (first deadline 2020-06-10), with extra events.
private func store(events extra: String, status: String = "in_progress", replied: String = "", rules: String? = nil) throws -> CaseStore {
    try Mini.store([
        Mini.c2: "C2,suggestion,city,2020,关于道路维修的建议,urban,乙局,,2020-03-10,2020-03-12,,\(replied),,\(status),visit,,,",
        "C2,2020-05-20,乙局,reply,登门": extra, "C2,2020-05-25,乙局,feedback,征询意见表：基本满意": "", "C2,2020-06-01,乙局,close,办结": "",
    ], rules: rules)
}

private func deadline(_ s: CaseStore, _ field: String = "deadline", id: String = "C2") throws -> String {
    let e = Engine(store: s)
    guard case .rows(let r) = try e.run(try Parser.parse("select \(field) from cases where id = \"\(id)\"")) else { return "" }
    return r.rows[0][0].text
}

@Test func rehandlingMovesTheDeadline() throws {
    let s = try store(events: "C2,2020-05-20,乙局,reply,登门\nC2,2020-05-25,乙局,feedback,征询意见表：不满意\nC2,2020-05-27,乙局,rehandle,重新办理",
                      status: "rehandling", replied: "2020-05-20")
    #expect(try deadline(s) == "2020-06-27")
    #expect(try deadline(s, "original_deadline") == "2020-06-10")
    // Overdue against the current deadline: as of 2020-07-07 ten days, not 27.
    let f = Checker.run(s, asOf: Day("2020-07-07")!).filter { $0.rule.id == "overdue" }
    #expect(f.first?.cases.first?.reason == "期限 2020-06-27（原期限 2020-06-10），已逾期 10 天（状态 重新办理）")
    // Before the rehandle event the first deadline holds.
    let before = Timeline.asOf(s, Day("2020-05-26")!)
    #expect(try deadline(before) == "2020-06-10")
}

@Test func extensionsMoveTheDeadline() throws {
    // One extension by the manifest's period (two months here), then one to a named date.
    let s = try store(events: "C2,2020-06-01,乙局,extend,申请延期", rules: #"{"extension": "2m"}"#)
    #expect(try deadline(s) == "2020-08-10")
    let named = try store(events: "C2,2020-06-01,乙局,extend,经批准延期至2020年7月15日")
    #expect(try deadline(named) == "2020-07-15")
    #expect(try deadline(named, "original_deadline") == "2020-06-10")
    // The query language sees the current one too: overdue as of 2020-07-01 is false.
    let e = Engine(store: named, asOf: Day("2020-07-01")!)
    guard case .rows(let r) = try e.run(try Parser.parse("select id from cases where overdue")) else { return }
    #expect(r.rows.isEmpty)
}

@Test func firstDeadlineByKindAndLevel() throws {
    // No deadline in the file: the manifest's period for suggestion/city (2 months), a fixed
    // date for proposals.
    let s = try Mini.store([
        Mini.c2: Mini.c2.replacingOccurrences(of: "2020-03-12,2020-06-10,", with: "2020-03-12,,"),
        Mini.c1: Mini.c1.replacingOccurrences(of: "2020-03-11,2020-06-10,", with: "2020-03-11,,"),
    ], rules: #"{"deadline_by": {"suggestion/city": "2m"}, "fixed_deadline": {"proposal": "2020-08-31"}}"#)
    #expect(s.cases.day("deadline").values.map { Day(raw: $0).description } == ["2020-08-31", "2020-05-10"])
}

@Test func badRulesAreClearErrors() throws {
    #expect(throws: LoadError.self) { try Mini.store([:], rules: #"{"rehandle": "one month"}"#) }
    #expect(throws: LoadError.self) { try Mini.store([:], rules: #"{"deadline": "three months"}"#) }
    #expect(throws: LoadError.self) { try Mini.store([:], rules: #"{"deadline_by": {"npc": "2m"}}"#) }
    #expect(throws: LoadError.self) { try Mini.store([:], rules: #"{"classes": ["A", "X"]}"#) }
    #expect(throws: LoadError.self) { try Mini.store([:], rules: #"{"signin": "7d"}"#) }
    #expect(Period("5个工作日") == Period(5, .workingDays))
    #expect(Period("3m") == Period(3, .months) && Period("7 天") == Period(7, .days))
}

@Test func deadlinesInWorkingDays() throws {
    // C1 (a proposal) assigned Tuesday 2020-03-10 with no deadline in the file, 20 working days:
    // Qingming (4-4 to 4-6, Monday 4-6 off) pushes the 20th working day from 4-7 to 4-8.
    let s = try Mini.store([Mini.c1: Mini.c1.replacingOccurrences(of: "2020-03-11,2020-06-10,", with: "2020-03-11,,")],
                           rules: #"{"deadline_by": {"proposal": "20wd"}}"#)
    #expect(try deadline(s, id: "C1") == "2020-04-08")
    #expect(WorkingCalendar.weekendsOnly.adding(workingDays: 20, to: Day("2020-03-10")!) == Day("2020-04-07")!)
    // Re-handled on Wednesday 2020-06-24 with 10 working days: the Dragon Boat days off (6-25 to
    // 6-27) and the make-up Sunday 6-28 give 2020-07-09 (weekends only: 07-08).
    let r = try store(events: "C2,2020-05-20,乙局,reply,登门\nC2,2020-06-20,乙局,feedback,征询意见表：不满意\nC2,2020-06-24,乙局,rehandle,重新办理",
                      status: "rehandling", replied: "2020-05-20", rules: #"{"rehandle": "10wd"}"#)
    #expect(try deadline(r) == "2020-07-09")
    #expect(try deadline(r, "original_deadline") == "2020-06-10")
}
