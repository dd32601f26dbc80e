import Foundation
import Testing
import CaseQuery
import CaseStore
@testable import CaseOffice

// .asof as time travel: every case as it stood on the date, rebuilt from its events.

private let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("datasets/zhengzhou-2020").path

@Test func monthEndReportRemade() throws {
    let store = try DatasetLoader.load(shipped).0
    let day = Day("2020-06-30")!
    // python csv on cases.csv: 27 cases assigned after 2020-06-30, 1,243 before; 830 closed by then
    // (317 closed later).
    let then = Timeline.asOf(store, day)
    #expect(then.cases.count == 1243)
    let closed = then.cases.code("status").codes.filter { $0 == Status.closed.rawValue }.count
    #expect(closed == 830)
    #expect(then.cases.day("closed_on").values.allSatisfy { $0 == Day.none || $0 <= day.raw })
    #expect(then.cases.day("replied_on").values.allSatisfy { $0 == Day.none || $0 <= day.raw })
    #expect(then.events.day("date").values.allSatisfy { $0 <= day.raw })
    // The report of that day counts what stood then, and the same report made again is the same.
    let r = ReportBuilder.build(store, asOf: day)
    #expect(r.sources.first?.count == 1243 && r.overall.closed == 830)
    let again = ReportBuilder.build(try DatasetLoader.load(shipped).0, asOf: day)
    #expect(again.overall == r.overall && again.goodUnits == r.goodUnits)
    // The loaded store is untouched; a date after everything is the store itself.
    #expect(store.cases.count == 1270)
    #expect(Timeline.asOf(store, Day("2020-12-31")!) === store)
}

@Test func rebuiltCaseFromItsEvents() throws {
    // C2 replied 05-20, feedback 05-25, closed 06-01: as of 05-22 it is replied, no feedback,
    // not closed; as of 05-09 it is signed, with no reply, class or contact.
    let s = try Mini.store()
    let may22 = Timeline.asOf(s, Day("2020-05-22")!)
    let row = try #require(may22.row(ofID: "C2"))
    #expect(may22.cases.code("status").codes[row] == Status.replied.rawValue)
    #expect(may22.cases.code("satisfaction").codes[row] == EnumInfo.none)
    #expect(may22.cases.day("closed_on").values[row] == Day.none)
    let may9 = Timeline.asOf(s, Day("2020-05-09")!)
    let r2 = try #require(may9.row(ofID: "C2"))
    // Signed 03-12 and replied 05-20: in handling (办理中) in between.
    #expect(may9.cases.code("status").codes[r2] == Status.inProgress.rawValue)
    #expect(may9.cases.day("replied_on").values[r2] == Day.none)
    #expect(may9.cases.code("resolution").codes[r2] == EnumInfo.none)
    // Before the reception days (06-01, 06-02) no unit had held one.
    #expect(may9.units.day("reception_day_on").values.allSatisfy { $0 == Day.none })
    // Not yet assigned: absent.
    #expect(Timeline.asOf(s, Day("2020-03-09")!).cases.count == 0)
}

/// The status, unit, satisfaction and deadline of `id` as of each date.
private func history(_ s: CaseStore, _ id: String, _ dates: [String]) -> [String] {
    dates.map { d in
        let then = Timeline.asOf(s, Day(d)!)
        guard let r = then.row(ofID: id) else { return "\(d) absent" }
        let c = then.cases
        let sat = c.code("satisfaction").codes[r]
        return "\(d) \(Status.info.token(c.code("status").codes[r])) \(c.text("unit")[r])"
            + (sat == EnumInfo.none ? "" : " \(Satisfaction.info.token(sat))") + " \(Day(raw: c.day("deadline").values[r]))"
    }
}

@Test func everyStepOfACaseAsOfItsDates() throws {
    // C3: assigned to 甲局, signed, a return requested and granted, reassigned to 乙局, signed,
    // replied, 不满意, re-handled (deadline one month on), replied again, 满意, closed.
    let c3 = "C3,suggestion,city,2020,关于公交线路的建议,urban,乙局,,2020-03-10,2020-03-20,2020-06-10,2020-06-15,2020-06-20,closed,visit,satisfied,B,new"
    let steps = [
        "C3,2020-03-10,甲局,assign,交办", "C3,2020-03-12,甲局,sign,", "C3,2020-03-16,甲局,return_request,不属本单位职责",
        "C3,2020-03-18,甲局,return,同意退办", "C3,2020-03-18,乙局,reassign,改办", "C3,2020-03-20,乙局,sign,",
        "C3,2020-05-20,乙局,reply,登门", "C3,2020-05-25,乙局,feedback,征询意见表：不满意", "C3,2020-05-27,乙局,rehandle,重新办理",
        "C3,2020-06-15,乙局,reply,再次答复", "C3,2020-06-18,乙局,feedback,征询意见表：满意", "C3,2020-06-20,乙局,close,办结",
    ]
    let s = try Mini.store([Mini.c2: Mini.c2 + "\n" + c3, "C2,2020-06-01,乙局,close,办结": "C2,2020-06-01,乙局,close,办结\n" + steps.joined(separator: "\n")])
    #expect(history(s, "C3", ["2020-03-09", "2020-03-10", "2020-03-12", "2020-03-16", "2020-03-18", "2020-03-20", "2020-05-19",
                              "2020-05-20", "2020-05-25", "2020-05-27", "2020-06-12", "2020-06-15", "2020-06-18", "2020-06-20"]) == [
        "2020-03-09 absent",
        "2020-03-10 assigned 甲局 2020-06-10",
        "2020-03-12 signed 甲局 2020-06-10",          // next step: the return request, not handling
        "2020-03-16 return_requested 甲局 2020-06-10",
        "2020-03-18 assigned 乙局 2020-06-10",
        "2020-03-20 in_progress 乙局 2020-06-10",     // next step: 乙局's reply
        "2020-05-19 in_progress 乙局 2020-06-10",
        "2020-05-20 replied 乙局 2020-06-10",
        "2020-05-25 replied 乙局 unsatisfied 2020-06-10",
        "2020-05-27 rehandling 乙局 unsatisfied 2020-06-27",
        "2020-06-12 rehandling 乙局 unsatisfied 2020-06-27",
        "2020-06-15 replied 乙局 unsatisfied 2020-06-27",
        "2020-06-18 replied 乙局 satisfied 2020-06-27",
        "2020-06-20 closed 乙局 satisfied 2020-06-27",
    ])
    // Not overdue on 06-12 (past the first deadline, before the current one); replied on time.
    let june12 = Timeline.asOf(s, Day("2020-06-12")!)
    let overdue = Checker.run(s, asOf: Day("2020-06-12")!).filter { $0.rule.id == "overdue" }
    #expect(overdue.isEmpty && june12.cases.count == 3)
}

@Test func signedStaysSignedUntilHandlingShows() throws {
    // C4 and C5 signed 03-12, a co-unit's opinion on 04-01 (not a step of their own), nothing
    // else: C4 stands in_progress now, C5 signed. As of 03-20 each stands as it does now.
    let c4 = "C4,suggestion,city,2020,关于停车的建议,urban,乙局,甲局,2020-03-10,2020-03-12,2020-06-10,,,in_progress,,,,"
    let c5 = "C5,suggestion,city,2020,关于路灯的建议,urban,乙局,甲局,2020-03-10,2020-03-12,2020-06-10,,,signed,,,,"
    var lines: [String] = []
    for id in ["C4", "C5"] {
        lines += ["\(id),2020-03-10,乙局,assign,交办", "\(id),2020-03-12,乙局,sign,", "\(id),2020-04-01,甲局,reply,会办意见：已提交"]
    }
    let s = try Mini.store([Mini.c2: [Mini.c2, c4, c5].joined(separator: "\n"),
                            "C2,2020-06-01,乙局,close,办结": (["C2,2020-06-01,乙局,close,办结"] + lines).joined(separator: "\n")])
    #expect(history(s, "C4", ["2020-03-11", "2020-03-20"]) == ["2020-03-11 assigned 乙局 2020-06-10", "2020-03-20 in_progress 乙局 2020-06-10"])
    #expect(history(s, "C5", ["2020-03-11", "2020-03-20"]) == ["2020-03-11 assigned 乙局 2020-06-10", "2020-03-20 signed 乙局 2020-06-10"])
}

@Test func aListWithoutEventsTravelsByItsDates() throws {
    // No events: C2 (signed 03-12, replied 05-20, closed 06-01) stands by its own dates.
    var drop: [String: String] = [:]
    for line in Mini.events.split(separator: "\n").dropFirst() { drop[line.trimmingCharacters(in: .whitespaces)] = "" }
    let s = try Mini.store(drop)
    #expect(s.events.count == 0)
    #expect(history(s, "C2", ["2020-03-11", "2020-04-01", "2020-05-22", "2020-06-01"]) == [
        "2020-03-11 assigned 乙局 2020-06-10", "2020-04-01 in_progress 乙局 2020-06-10",
        "2020-05-22 replied 乙局 2020-06-10", "2020-06-01 closed 乙局 basic 2020-06-10",
    ])
}
