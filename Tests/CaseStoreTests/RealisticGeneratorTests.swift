import Foundation
import Testing
@testable import CaseStore

// The realistic profile's distributions (datasets/zhengzhou-2020/README.md, "Generated data"), read
// back with the test-only CSV parser of GeneratorTests.swift.

@Suite(.serialized) struct RealisticGeneratorTests {
    static let n = 20_000

    @Test func titlesAreNearlyAllDistinct() throws {
        let g = try Generated(cases: RealisticGeneratorTests.n, seed: 3, profile: .realistic)
        defer { g.remove() }
        let titles = g.cases.rows.map { $0["title"]! }
        #expect(Double(Set(titles).count) >= 0.9 * Double(titles.count), "\(Set(titles).count) distinct of \(titles.count)")
        // The shipped profile's templates repeat: the two profiles differ where they should.
        let s = try Generated(cases: RealisticGeneratorTests.n, seed: 3, profile: .shipped)
        defer { s.remove() }
        #expect(Double(Set(s.cases.rows.map { $0["title"]! }).count) < 0.5 * Double(titles.count))
    }

    @Test func peopleFileAFewCasesEachAndCosignWithTheirOwn() throws {
        let g = try Generated(cases: RealisticGeneratorTests.n, seed: 3, profile: .realistic)
        defer { g.remove() }
        for (kind, type) in [("suggestion", "deputy"), ("proposal", "member")] {
            let rows = g.cases.rows.filter { $0["kind"] == kind && $0["proposer_type"] == type && $0["level"] == "city" }
            var filed: [String: Int] = [:]
            for r in rows { filed[r["proposer"]!, default: 0] += 1 }
            let mean = Double(rows.count) / Double(filed.count)
            #expect(mean >= 1.5 && mean <= 4, "\(kind): \(mean) cases a proposer")
            let few = filed.values.filter { $0 <= 6 }.count
            #expect(Double(few) >= 0.9 * Double(filed.count), "\(kind): \(few) of \(filed.count) file 6 or fewer")
            // Cosigners are people of the same body: most have filed cases of that kind themselves.
            let cosigners = rows.flatMap { r in r["cosigners"]!.split(separator: ";").map(String.init) }
            #expect(cosigners.count > rows.count / 2)
            let known = cosigners.filter { filed[$0] != nil }.count
            #expect(Double(known) >= 0.8 * Double(cosigners.count), "\(kind): \(known) of \(cosigners.count) cosigners file too")
            #expect(rows.allSatisfy { r in !r["cosigners"]!.split(separator: ";").contains { $0 == r["proposer"]! } })
            #expect(rows.allSatisfy { r in
                let c = r["cosigners"]!.split(separator: ";"); return Set(c).count == c.count
            })
        }
    }

    @Test func aFewUnitsCarryMuchOfTheLoad() throws {
        func shares(_ profile: DatasetGenerator.Profile) throws -> [Double] {
            let g = try Generated(cases: RealisticGeneratorTests.n, seed: 3, profile: profile)
            defer { g.remove() }
            var load: [String: Int] = [:]
            for r in g.cases.rows { load[r["unit"]!, default: 0] += 1 }
            #expect(load.count == DatasetGenerator.unitNames.count, "\(profile): every unit has cases")
            return load.values.sorted(by: >).map { Double($0) / Double(g.cases.rows.count) }
        }
        let realistic = try shares(.realistic), shipped = try shares(.shipped)
        let top5 = realistic.prefix(5).reduce(0, +)
        #expect(top5 >= 1.0 / 3, "top 5 units: \(top5)")
        #expect(top5 > shipped.prefix(5).reduce(0, +) + 0.05, "shipped top 5: \(shipped.prefix(5).reduce(0, +))")
        #expect(realistic.suffix(27).reduce(0, +) <= 0.25, "the smaller half of the units")
    }

    /// Cells are written by field name: a field inserted into the list moves nothing.
    @Test func rowsFollowTheFieldList() throws {
        let plain = NSTemporaryDirectory() + "caseql-fields-a-\(UUID().uuidString)"
        let wider = NSTemporaryDirectory() + "caseql-fields-b-\(UUID().uuidString)"
        defer { for d in [plain, wider] { try? FileManager.default.removeItem(atPath: d) } }
        try DatasetGenerator(cases: 300, seed: 4).write(to: plain)
        var g = DatasetGenerator(cases: 300, seed: 4)
        g.caseFields.insert(FieldSpec(FieldName("district"), "区县", .text), at: 3)
        g.caseFields.swapAt(1, 20)
        g.eventFields.insert(FieldSpec(FieldName("operator"), "经办人", .text), at: 1)
        try g.write(to: wider)
        for (file, extra) in [("cases.csv", "district"), ("events.csv", "operator")] {
            let a = try ReadTable(path: plain + "/" + file), b = try ReadTable(path: wider + "/" + file)
            #expect(b.header.contains(extra) && b.header.count == a.header.count + 1)
            #expect(b.rows.count == a.rows.count)
            for (x, y) in zip(a.rows, b.rows) {
                #expect(y[extra] == "")
                var y = y
                y[extra] = nil
                #expect(x == y)
            }
        }
    }
}
