import Foundation
import Testing
@testable import CaseStore

// Reads the generated files back with a test-only RFC 4180 parser and checks every figure of
// 郑政文〔2020〕102号 that datasets/zhengzhou-2020 must reproduce.

/// RFC 4180: fields separated by commas, quoted fields may hold commas, CR, LF and doubled quotes.
func parseCSV(_ text: String) -> [[String]] {
    var rows: [[String]] = []
    var row: [String] = []
    var field = ""
    var quoted = false
    var afterQuote = false
    var it = Array(text.unicodeScalars)[...]
    while let ch = it.popFirst() {
        if quoted {
            if ch == "\"" {
                if it.first == "\"" { field.unicodeScalars.append("\""); it.removeFirst() } else { quoted = false; afterQuote = true }
            } else {
                field.unicodeScalars.append(ch)
            }
            continue
        }
        switch ch {
        case "\"" where field.isEmpty && !afterQuote: quoted = true
        case ",": row.append(field); field = ""; afterQuote = false
        case "\r": continue
        case "\n": row.append(field); rows.append(row); row = []; field = ""; afterQuote = false
        default: field.unicodeScalars.append(ch)
        }
    }
    if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
    return rows
}

/// A table read back: header and rows as dictionaries.
struct ReadTable {
    let header: [String]
    let rows: [[String: String]]
    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let all = parseCSV(text)
        header = all[0]
        rows = all.dropFirst().map { cells in
            Dictionary(uniqueKeysWithValues: zip(all[0], cells).map { ($0, $1) })
        }
    }
}

struct Generated {
    let dir: String
    let cases: ReadTable
    let units: ReadTable
    let events: ReadTable
    let manifest: [String: Any]
    var remits: [String: Set<String>] {
        (manifest["remits"] as? [String: [String]] ?? [:]).mapValues(Set.init)
    }

    init(cases n: Int, seed: UInt64 = 2020, profile: DatasetGenerator.Profile = .shipped) throws {
        dir = NSTemporaryDirectory() + "caseql-gen-\(n)-\(seed)-\(UUID().uuidString)"
        try DatasetGenerator(cases: n, seed: seed, profile: profile).write(to: dir)
        cases = try ReadTable(path: dir + "/cases.csv")
        units = try ReadTable(path: dir + "/units.csv")
        events = try ReadTable(path: dir + "/events.csv")
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/manifest.json"))
        manifest = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    func remove() { try? FileManager.default.removeItem(atPath: dir) }
}

let asOf = "2020-09-17"
let goodUnits = ["民政局", "教育局", "市场发展中心", "财政局", "水利局", "商务局", "民族宗教局", "应急局", "金融局",
                 "卫健委", "发展改革委", "文物局", "文化广电旅游局", "交通局", "司法局", "医保局", "市场监管局", "审计局",
                 "城建局", "城管局", "公安局", "郑州地铁集团", "郑州航空港区管委会", "郑东新区管委会", "中原区政府",
                 "金水区政府", "中牟县政府", "二七区政府", "新郑市政府", "登封市政府"]
let faceToFace: Set<String> = ["meeting", "visit", "site"]

func isOverdue(_ c: [String: String]) -> Bool {
    c["deadline"]! < asOf && c["status"] != "replied" && c["status"] != "closed"
}

func oneMonthAfter(_ d: String) -> String { Day(d)!.adding(months: 1).description }

@Suite(.serialized) struct GeneratorTests {
    @Test(arguments: DatasetGenerator.Profile.allCases)
    func noticeFigures(profile: DatasetGenerator.Profile) throws {
        let g = try Generated(cases: 1270, profile: profile)
        defer { g.remove() }
        let cases = g.cases.rows
        #expect(g.cases.header == Schema.cases.filter { !$0.derived && !$0.filled }.map(\.name))
        #expect(g.units.header == ["name", "type", "reception_day_on", "media_submitted"])
        #expect(g.events.header == ["case_id", "date", "unit", "action", "note"])

        #expect(cases.count == 1270)
        #expect(Set(cases.map { $0["id"]! }).count == 1270)
        #expect(cases.filter { $0["level"] == "province" }.count == 88)
        let y2020 = cases.filter { $0["year"] == "2020" }
        let suggestions = y2020.filter { $0["level"] == "city" && $0["kind"] == "suggestion" }
        let proposals = y2020.filter { $0["level"] == "city" && $0["kind"] == "proposal" }
        #expect(suggestions.count == 367)
        #expect(suggestions.filter { $0["recess"] == "true" }.count == 33)
        #expect(proposals.count == 810)
        #expect(proposals.filter { $0["recess"] == "true" }.count == 5)
        // 88 + 367 + 810 = 1265: the other 5 are 2019 city proposals carried over.
        #expect(cases.filter { $0["year"] == "2019" }.count == 5)

        let key = cases.filter { $0["key_supervised"] == "true" }
        #expect(key.filter { $0["kind"] == "suggestion" && $0["level"] == "city" }.count == 25)
        #expect(key.filter { $0["kind"] == "proposal" && $0["level"] == "city" }.count == 8)
        #expect(key.count == 33)
        #expect(key.allSatisfy { $0["leader"]!.contains("副市长") })
        #expect(cases.filter { $0["key_supervised"] == "false" }.allSatisfy { $0["leader"]!.isEmpty })
        let green = key.filter { $0["proposer"] == "市政协民进委" }
        #expect(green.count == 1 && green.first?["title"] == "进一步牢固树立绿色理念 加强郑州市黄河流域生态保护")
        #expect(green.first?["proposer_type"] == "party" && green.first?["kind"] == "proposal")
        let digital = key.filter { $0["proposer"] == "市政协科技界" }
        #expect(digital.count == 1 && digital.first?["title"] == "关于抓牢数字经济发展机遇 实现郑州超越式发展")
        #expect(digital.first?["proposer_type"] == "sector" && digital.first?["kind"] == "proposal")

        let lunch = cases.filter { $0["title"]!.contains("午餐") || $0["title"]!.contains("课后") }
        #expect(lunch.count == 14)
        #expect(lunch.allSatisfy { $0["unit"] == "教育局" })
        #expect(Set(lunch.map { $0["kind"]! }).count == 2)

        let eduOverdue = cases.filter { $0["unit"] == "教育局" && $0["kind"] == "proposal" && isOverdue($0) }
        #expect(eduOverdue.count >= 1)

        // CSV quoting is exercised by the titles.
        #expect(cases.contains { $0["title"]!.contains(",") })
        #expect(cases.contains { $0["title"]!.contains("\"") })
        #expect(cases.contains { $0["title"]!.contains("“") })
        #expect(cases.contains { $0["title"]!.contains("《") })
        #expect(cases.contains { $0["title"]!.contains("（") })
    }

    @Test(arguments: DatasetGenerator.Profile.allCases)
    func goodUnitsMeetTheTargets(profile: DatasetGenerator.Profile) throws {
        let g = try Generated(cases: 1270, profile: profile)
        defer { g.remove() }
        let unitRows = Dictionary(uniqueKeysWithValues: g.units.rows.map { ($0["name"]!, $0) })
        #expect(unitRows.count >= 50)
        for name in goodUnits {
            let u = try #require(unitRows[name], "\(name) missing from units.csv")
            #expect(!u["reception_day_on"]!.isEmpty, "\(name) reception day")
            #expect(u["media_submitted"] == "true", "\(name) media")
            let cs = g.cases.rows.filter { $0["unit"] == name }
            #expect(!cs.isEmpty, "\(name) has cases")
            #expect(cs.allSatisfy { faceToFace.contains($0["contact"]!) }, "\(name) 面商率")
            let answered = cs.filter { !$0["satisfaction"]!.isEmpty }
            let ok = answered.filter { $0["satisfaction"] == "satisfied" || $0["satisfaction"] == "basic" }
            #expect(answered.isEmpty || Double(ok.count) / Double(answered.count) >= 0.985, "\(name) 满意率")
            #expect(cs.allSatisfy { $0["form"] != "old" }, "\(name) form")
            #expect(cs.allSatisfy { $0["resolution"]!.isEmpty || $0["status"] == "closed" }, "\(name) resolution")
            #expect(cs.allSatisfy { $0["replied_on"]!.isEmpty || $0["replied_on"]! <= $0["deadline"]! }, "\(name) on time")
            let notClosed = cs.filter { $0["status"] != "closed" }
            if name == "教育局" {
                // Documented exception: its only open cases are the overdue city proposals.
                #expect(!notClosed.isEmpty)
                #expect(notClosed.allSatisfy { $0["kind"] == "proposal" && $0["level"] == "city" && isOverdue($0)
                    && $0["status"] == "in_progress" })
            } else {
                #expect(notClosed.isEmpty, "\(name) 办结率")
            }
        }
        let returnsByGood = g.events.rows.filter { $0["action"] == "return_request" && goodUnits.contains($0["unit"]!) }
        #expect(returnsByGood.isEmpty)
    }

    @Test(arguments: DatasetGenerator.Profile.allCases)
    func problemsShowInOtherUnits(profile: DatasetGenerator.Profile) throws {
        let g = try Generated(cases: 1270, profile: profile)
        defer { g.remove() }
        let good = Set(goodUnits)
        let others = g.cases.rows.filter { !good.contains($0["unit"]!) }
        let byID = Dictionary(uniqueKeysWithValues: g.cases.rows.map { ($0["id"]!, $0) })
        func units(_ rows: [[String: String]]) -> Set<String> { Set(rows.map { $0["unit"]! }) }

        let noReception = g.units.rows.filter { $0["reception_day_on"]!.isEmpty }
        #expect(noReception.count >= 3)
        #expect(noReception.allSatisfy { !good.contains($0["name"]!) })
        let noMedia = g.units.rows.filter { !$0["reception_day_on"]!.isEmpty && $0["media_submitted"] == "false" }
        #expect(noMedia.count >= 3)
        #expect(noMedia.allSatisfy { !good.contains($0["name"]!) })

        let remits = g.remits
        #expect(remits.count == g.units.rows.count)
        #expect(remits["教育局"] == ["education"])
        let shirks = g.events.rows.filter { e in
            e["action"] == "return_request" && remits[e["unit"]!]?.contains(byID[e["case_id"]!]!["category"]!) == true
        }
        #expect(units(shirks).count >= 3)
        #expect(units(shirks).isDisjoint(with: good))
        // A granted return ends with the case reassigned to its current unit.
        for e in g.events.rows where e["action"] == "reassign" {
            #expect(byID[e["case_id"]!]!["unit"] == e["unit"])
        }

        #expect(units(others.filter { $0["form"] == "old" }).count >= 3)
        #expect(units(others.filter { !$0["resolution"]!.isEmpty && $0["status"] != "closed" }).count >= 3)
        #expect(others.contains { $0["resolution"] == "A" && $0["status"] == "replied" })
        #expect(others.contains { !$0["resolution"]!.isEmpty && $0["replied_on"]!.isEmpty })
        #expect(units(others.filter { $0["status"] == "assigned" && $0["signed_on"]!.isEmpty }).count >= 3)
        #expect(units(others.filter { !$0["replied_on"]!.isEmpty && $0["replied_on"]! > $0["deadline"]! }).count >= 3)
        #expect(units(others.filter(isOverdue)).count >= 3)
        #expect(units(others.filter { !faceToFace.contains($0["contact"]!) && !$0["contact"]!.isEmpty }).count >= 3)

        let lateOpinions = g.events.rows.filter { e in
            let c = byID[e["case_id"]!]!
            return e["action"] == "reply" && e["note"]!.hasPrefix("会办意见") && e["unit"] != c["unit"]
                && e["date"]! > oneMonthAfter(c["assigned_on"]!)
        }
        #expect(units(lateOpinions).count >= 3)
        #expect(units(lateOpinions).isDisjoint(with: good))
        #expect(g.cases.rows.filter { !$0["co_units"]!.isEmpty }.count >= 50)
    }

    @Test(arguments: DatasetGenerator.Profile.allCases)
    func eventsAgreeWithStatus(profile: DatasetGenerator.Profile) throws {
        let g = try Generated(cases: 1270, profile: profile)
        defer { g.remove() }
        var byCase: [String: [[String: String]]] = [:]
        for e in g.events.rows { byCase[e["case_id"]!, default: []].append(e) }
        #expect(Set(byCase.keys) == Set(g.cases.rows.map { $0["id"]! }))
        for c in g.cases.rows {
            let id = c["id"]!, status = c["status"]!
            let evs = byCase[id] ?? []
            func acts(_ a: String) -> [[String: String]] { evs.filter { $0["action"] == a } }
            let leadReplies = acts("reply").filter { $0["unit"] == c["unit"] && !$0["note"]!.hasPrefix("会办意见") }
            #expect(evs.first?["action"] == "assign" && evs.first?["date"] == c["assigned_on"], "\(id) assign")
            #expect(acts("assign").count == 1, "\(id)")
            #expect(evs.map { $0["date"]! } == evs.map { $0["date"]! }.sorted(), "\(id) event order")
            #expect(evs.allSatisfy { $0["date"]! <= asOf && $0["date"]! >= c["assigned_on"]! }, "\(id) dates")
            #expect(c["deadline"] == Day(c["assigned_on"]!)!.adding(months: 3).description, "\(id) deadline")
            // sign iff signed_on; the last sign is signed_on.
            #expect(acts("sign").isEmpty == c["signed_on"]!.isEmpty, "\(id) sign")
            if let s = acts("sign").last { #expect(s["date"] == c["signed_on"], "\(id) signed_on") }
            // reply iff replied_on; the last reply of the lead unit is replied_on.
            #expect(leadReplies.isEmpty == c["replied_on"]!.isEmpty, "\(id) reply")
            if let r = leadReplies.last { #expect(r["date"] == c["replied_on"], "\(id) replied_on") }
            #expect((acts("close").count == 1) == (status == "closed"), "\(id) close")
            #expect(acts("close").first?["date"] == (c["closed_on"]!.isEmpty ? nil : c["closed_on"]), "\(id) closed_on")
            #expect(acts("feedback").isEmpty == c["satisfaction"]!.isEmpty, "\(id) feedback")
            #expect(c["form"]!.isEmpty == c["satisfaction"]!.isEmpty, "\(id) form")
            switch status {
            case "assigned":
                #expect(c["signed_on"]!.isEmpty && c["replied_on"]!.isEmpty && evs.count == 1, "\(id)")
                #expect(c["contact"]!.isEmpty)
            case "signed", "in_progress", "return_requested":
                #expect(!c["signed_on"]!.isEmpty && c["replied_on"]!.isEmpty && c["closed_on"]!.isEmpty, "\(id)")
                if status == "return_requested" { #expect(evs.last?["action"] == "return_request", "\(id)") }
                if status != "in_progress" { #expect(c["contact"]!.isEmpty, "\(id)") }
            case "replied":
                #expect(!c["replied_on"]!.isEmpty && c["closed_on"]!.isEmpty, "\(id)")
            case "closed":
                #expect(!c["replied_on"]!.isEmpty && c["replied_on"]! < c["closed_on"]! && !c["satisfaction"]!.isEmpty
                        && !c["resolution"]!.isEmpty, "\(id)")
            case "rehandling":
                #expect(!c["replied_on"]!.isEmpty && c["satisfaction"] == "unsatisfied" && !acts("rehandle").isEmpty, "\(id)")
            default:
                Issue.record("\(id): unknown status \(status)")
            }
            if !c["replied_on"]!.isEmpty { #expect(!c["contact"]!.isEmpty, "\(id) contact") }
        }
    }

    @Test func deterministic() throws {
        let a = NSTemporaryDirectory() + "caseql-det-a-\(UUID().uuidString)"
        let b = NSTemporaryDirectory() + "caseql-det-b-\(UUID().uuidString)"
        let c = NSTemporaryDirectory() + "caseql-det-c-\(UUID().uuidString)"
        defer { for d in [a, b, c] { try? FileManager.default.removeItem(atPath: d) } }
        try DatasetGenerator(cases: 1270, profile: .realistic).write(to: a)
        try DatasetGenerator(cases: 1270, profile: .realistic).write(to: b)
        try DatasetGenerator(cases: 1270, seed: 7, profile: .realistic).write(to: c)
        for f in ["cases.csv", "units.csv", "events.csv", "manifest.json"] {
            let x = try Data(contentsOf: URL(fileURLWithPath: a + "/" + f))
            let y = try Data(contentsOf: URL(fileURLWithPath: b + "/" + f))
            #expect(x == y, "\(f) differs between two runs")
            #expect(!x.starts(with: [0xEF, 0xBB, 0xBF]), "\(f) has a BOM")
            #expect(!x.contains(0x0D), "\(f) has CR")
        }
        let x = try Data(contentsOf: URL(fileURLWithPath: a + "/cases.csv"))
        let z = try Data(contentsOf: URL(fileURLWithPath: c + "/cases.csv"))
        #expect(x != z)
    }

    @Test(arguments: DatasetGenerator.Profile.allCases)
    func largerNKeepsProportions(profile: DatasetGenerator.Profile) throws {
        let n = 5000
        let g = try Generated(cases: n, profile: profile)
        defer { g.remove() }
        let cases = g.cases.rows
        func near(_ count: Int, _ share: Double, _ slack: Int = 1) -> Bool {
            abs(Double(count) - share) <= Double(slack)
        }
        #expect(cases.count == n)
        #expect(Set(cases.map { $0["id"]! }).count == n)
        let y2020 = cases.filter { $0["year"] == "2020" }
        let prov = cases.filter { $0["level"] == "province" }.count
        let sugg = y2020.filter { $0["level"] == "city" && $0["kind"] == "suggestion" }
        let prop = y2020.filter { $0["level"] == "city" && $0["kind"] == "proposal" }
        #expect(near(prov, Double(n) * 88 / 1270))
        #expect(near(sugg.count, Double(n) * 367 / 1270))
        #expect(near(prop.count, Double(n) * 810 / 1270))
        #expect(near(sugg.filter { $0["recess"] == "true" }.count, Double(sugg.count) * 33 / 367))
        #expect(near(prop.filter { $0["recess"] == "true" }.count, Double(prop.count) * 5 / 810))
        let key = cases.filter { $0["key_supervised"] == "true" }
        #expect(near(key.filter { $0["kind"] == "suggestion" }.count, Double(sugg.count) * 25 / 367))
        #expect(near(key.filter { $0["kind"] == "proposal" }.count, Double(prop.count) * 8 / 810))
        let lunch = cases.filter { $0["title"]!.contains("午餐") || $0["title"]!.contains("课后") }
        #expect(near(lunch.count, Double(n) * 14 / 1270))
        #expect(lunch.allSatisfy { $0["unit"] == "教育局" })
        #expect(Set(g.units.rows.map { $0["name"]! }) == Set(DatasetGenerator.unitNames))
        for name in goodUnits where name != "教育局" {
            let cs = cases.filter { $0["unit"] == name }
            #expect(!cs.isEmpty && cs.allSatisfy { $0["status"] == "closed" && faceToFace.contains($0["contact"]!) }, "\(name)")
        }
        #expect(cases.contains { $0["unit"] == "教育局" && $0["kind"] == "proposal" && isOverdue($0) })
    }

    @Test func idsWidenForLargeGroups() {
        let p = DatasetGenerator.plan(for: 1_000_000)
        #expect(p.provincial + p.suggestions + p.proposals + p.carriedOver == 1_000_000)
        #expect(p.keySuggestions > 25 && p.educationOverdue > 3)
        #expect(DatasetGenerator.plan(for: 1270).lunchTotal == 14)
        #expect(DatasetGenerator.plan(for: 1).provincial + DatasetGenerator.plan(for: 1).suggestions
                + DatasetGenerator.plan(for: 1).proposals + DatasetGenerator.plan(for: 1).carriedOver == 1)
    }

    @Test func tinyDatasetsDoNotCrash() throws {
        for n in [1, 2, 7, 40] {
            let g = try Generated(cases: n, profile: .realistic)
            #expect(g.cases.rows.count == n)
            g.remove()
        }
        #expect(throws: DatasetGeneratorError.self) { try DatasetGenerator(cases: 0).write(to: NSTemporaryDirectory() + "x") }
    }

    /// The shipped files are exactly what the generator writes for (1270, 2020).
    @Test func shippedDatasetIsCurrent() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("datasets/zhengzhou-2020").path
        guard FileManager.default.fileExists(atPath: root + "/cases.csv") else { return }
        let dir = NSTemporaryDirectory() + "caseql-shipped-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try DatasetGenerator(cases: 1270, seed: 2020, profile: .shipped).write(to: dir)
        for f in ["cases.csv", "units.csv", "events.csv", "manifest.json"] {
            let shipped = try Data(contentsOf: URL(fileURLWithPath: root + "/" + f))
            let fresh = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + f))
            #expect(shipped == fresh, "datasets/zhengzhou-2020/\(f) is stale: regenerate it with `caseql generate --cases 1270 --seed 2020 --profile shipped --out datasets/zhengzhou-2020`")
        }
    }
}
