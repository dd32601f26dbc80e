import Foundation
import Testing
@testable import CaseStore
import CaseQuery

// A field compared with a related row's field (`unit = case.unit` over events): read through the
// relation, never the related table's column at this table's row (which crashed past its end).
// The counts are those of sqlite3 on the same files:
//   select count(*) from events e join cases c on c.id = e.case_id where e.unit = c.unit;  -- 6079
//   … where e.action = 'reply' and e.unit != c.unit;                                      -- 165

private let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("datasets/zhengzhou-2020").path

@Test func aFieldComparedWithItsCasesField() throws {
    let store = try DatasetLoader.load(shipped).0
    let e = Engine(store: store, asOf: Day("2020-09-17")!)
    func count(_ q: String) throws -> String {
        guard case .rows(let r) = try e.run(try Parser.parse(q)) else { return "" }
        return r.rows.first?.first?.text ?? ""
    }
    let events = store.events.count
    #expect(try count("count events where unit = case.unit") == "6079")
    #expect(try count("count events where case.unit = unit") == "6079")
    #expect(try count("count events where unit != case.unit") == String(events - 6079))
    #expect(try count("count events where action = reply and unit != case.unit") == "165")
    #expect(try count("count events where case.kind = case.kind") == String(events))
}
