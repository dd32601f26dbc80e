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
    #expect(may9.cases.code("status").codes[r2] == Status.signed.rawValue)
    #expect(may9.cases.day("replied_on").values[r2] == Day.none)
    #expect(may9.cases.code("resolution").codes[r2] == EnumInfo.none)
    // Before the reception days (06-01, 06-02) no unit had held one.
    #expect(may9.units.day("reception_day_on").values.allSatisfy { $0 == Day.none })
    // Not yet assigned: absent.
    #expect(Timeline.asOf(s, Day("2020-03-09")!).cases.count == 0)
}
