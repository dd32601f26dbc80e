import Foundation
import Testing
@testable import CaseStore
import CaseQuery

// The current deadline is one fact of the store: the loader settles it from the events, so a
// query straight on DatasetLoader's store (no office module, no shell) sees what .check sees, and
// an export read back without its events keeps each case's first deadline.

private let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("datasets/zhengzhou-2020").path

private func answer(_ store: CaseStore, _ query: String, asOf: String = "2020-09-17") throws -> [[String]] {
    let e = Engine(store: store, asOf: Day(asOf)!)
    guard case .rows(let r) = try e.run(try Parser.parse(query)) else { return [] }
    return r.rows.map { $0.map(\.text) }
}

private func folder(_ files: [String: String]) throws -> String {
    let dir = NSTemporaryDirectory() + "caseql-deadline-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for (name, text) in files { try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8) }
    return dir
}

@Test func theLoaderGivesTheCurrentDeadline() throws {
    // SZXTA-2020-0680: first deadline 2020-08-09; 不满意 on 08-07, re-handled 08-08, so answered
    // again by 2020-09-08: 9 days overdue on 2020-09-17, not 39.
    let store = try DatasetLoader.load(shipped).0
    let rows = try answer(store, #"select deadline, original_deadline, overdue, days_open from cases where id = "SZXTA-2020-0680""#)
    #expect(rows == [["2020-09-08", "2020-08-09", "true", "131"]])
    // Every case the events move is one whose first deadline differs; no other case's moved.
    let moved = try answer(store, "select id from cases where deadline != original_deadline order by id").map { $0[0] }
    let events = try String(contentsOfFile: shipped + "/events.csv", encoding: .utf8)
    let byEvents = Set(events.split(separator: "\n").filter { $0.contains(",rehandle,") || $0.contains(",extend,") }
        .map { String($0.split(separator: ",")[0]) })
    #expect(Set(moved) == byEvents && !moved.isEmpty)
}

@Test func anExportReadBackKeepsTheFirstDeadline() throws {
    // A caseql export: deadline (current) and original_deadline (first), no events.
    let header = "id,title,unit,assigned_on,deadline,replied_on,status,original_deadline\n"
    let dir = try folder(["cases.csv": header
        + "R1,关于道路维修的建议,乙局,2020-03-10,2020-06-27,,rehandling,2020-06-10\n"
        + "R2,关于学校午餐的提案,甲局,2020-03-10,2020-06-10,2020-05-01,replied,\n"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let cache = NSTemporaryDirectory() + "caseql-deadline-cache-" + UUID().uuidString
    defer { try? FileManager.default.removeItem(atPath: cache) }
    var options = LoadOptions()
    options.cacheDirectory = cache
    for pass in ["parsed", "from the snapshot"] {
        let (store, report) = try DatasetLoader.load(dir, options: options)
        #expect(report.fromSnapshot == (pass != "parsed"), "\(pass)")
        #expect(try answer(store, "select id, deadline, original_deadline, overdue from cases order by id", asOf: "2020-06-20")
                == [["R1", "2020-06-27", "2020-06-10", "false"], ["R2", "2020-06-10", "2020-06-10", "false"]], "\(pass)")
        #expect(store.cases.hasData("original_deadline"))
    }
}

@Test func aFileWithoutDeadlinesHasNoFirstOnes() throws {
    let dir = try folder(["cases.csv": "id,title,unit\nR1,关于道路维修的建议,乙局\n"])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try DatasetLoader.load(dir).0
    #expect(!store.cases.hasData("original_deadline") && !store.cases.hasData("deadline"))
}
