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
