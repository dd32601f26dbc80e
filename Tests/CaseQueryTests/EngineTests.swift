import Foundation
import Testing
@testable import CaseQuery
@testable import CaseStore

/// A small dataset written by hand, so that every expected answer can be counted by eye.
enum Tiny {
    static let cases = """
    id,kind,level,recess,title,proposer,cosigners,category,unit,co_units,key_supervised,leader,assigned_on,signed_on,deadline,replied_on,closed_on,status,contact,satisfaction,resolution,form
    P1,proposal,city,false,关于中小学午餐供餐的提案,张三,李四;王五,education,教育局,,true,分管副市长,2020-03-10,2020-03-12,2020-06-10,,,in_progress,,,,
    P2,proposal,city,false,关于课后延时服务的提案,李四,,education,教育局,财政局,false,,2020-03-10,2020-03-11,2020-06-10,2020-06-01,2020-06-20,closed,meeting,satisfied,A,new
    P3,proposal,city,true,"关于""数字经济""发展的提案",市政协科技界,,industry,工信局,,true,常务副市长,2020-07-01,,2020-10-01,,,assigned,,,,
    S1,suggestion,city,false,关于改善学校午餐质量的建议,王五,张三,education,教育局,,false,,2020-04-01,2020-04-03,2020-07-01,2020-07-05,,replied,phone,basic,B,old
    S2,suggestion,city,false,关于城市道路维修的建议,赵六,,urban,城建局,交通局;公安局,false,,2020-03-15,2020-03-16,2020-06-15,2020-06-10,2020-06-30,closed,site,unsatisfied,A,new
    S3,suggestion,province,false,关于黄河生态保护的建议,钱七,,ecology,水利局,,false,,2020-03-20,,2020-06-20,,,return_requested,,,,
    S4,suggestion,city,false,关于公交线路优化的建议,孙八,,industry,交通局,,false,,2020-05-01,2020-05-02,2020-08-01,2020-07-20,2020-08-05,closed,visit,satisfied,A,new
    """
    static let events = """
    case_id,date,unit,action,note
    P1,2020-03-10,办公厅,assign,
    P1,2020-03-12,教育局,sign,
    P2,2020-03-10,办公厅,assign,
    P2,2020-03-11,教育局,sign,
    P2,2020-06-01,教育局,reply,
    P2,2020-06-20,教育局,close,
    S3,2020-03-20,办公厅,assign,
    S3,2020-03-25,水利局,return_request,不属于本单位职责
    S4,2020-05-01,水利局,assign,
    S4,2020-05-03,水利局,return,
    S4,2020-05-04,交通局,reassign,改办交通局
    S4,2020-05-02,交通局,sign,
    S4,2020-07-20,交通局,reply,
    S4,2020-08-05,交通局,close,
    """
    static let manifest = #"{"name": "tiny", "as_of": "2020-09-17", "cutoff": "2020-09-30", "rules": {"categories": "caseql"}}"#

    static func store() throws -> CaseStore {
        let dir = NSTemporaryDirectory() + "caseql-tiny-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try cases.replacingOccurrences(of: "\n    ", with: "\n").write(toFile: dir + "/cases.csv", atomically: true, encoding: .utf8)
        try events.replacingOccurrences(of: "\n    ", with: "\n").write(toFile: dir + "/events.csv", atomically: true, encoding: .utf8)
        try manifest.write(toFile: dir + "/manifest.json", atomically: true, encoding: .utf8)
        return try DatasetLoader.load(dir).0
    }

    static func engine() throws -> Engine { Engine(store: try store()) }
}

extension Engine {
    /// Runs one statement; the rows as text cells.
    func rows(_ text: String) throws -> [[String]] {
        guard case .rows(let r) = try run(try Parser.parse(text)) else { return [] }
        return r.rows.map { $0.map(\.text) }
    }
    func ids(_ text: String) throws -> [String] { try rows(text).map { $0[0] } }
    func error(_ text: String) -> QueryError? {
        do { _ = try run(try Parser.parse(text)); return nil } catch let e as QueryError { return e } catch { return nil }
    }
}

@Test func designCardExample() throws {
    let e = try Tiny.engine()
    #expect(e.asOf.description == "2020-09-17")
    #expect(try e.ids(#"select proposals where unit="教育局" and status=overdue"#) == ["P1"])
    #expect(try e.ids(#"select proposals where 主办单位＝“教育局” and 办理状态=逾期"#) == ["P1"])
    #expect(try e.ids("select cases where overdue") == ["P1", "S3"])
    #expect(try e.ids("select cases where status != overdue") == ["P2", "P3", "S1", "S2", "S4"])
}

@Test func comparisonsAndLists() throws {
    let e = try Tiny.engine()
    #expect(try e.ids("select cases where status in (closed, replied)") == ["P2", "S1", "S2", "S4"])
    #expect(try e.ids("select cases where status not in (closed, replied)") == ["P1", "P3", "S3"])
    #expect(try e.ids("select cases where assigned_on between 2020-03-10 and 2020-03-15") == ["P1", "P2", "S2"])
    #expect(try e.ids("select cases where assigned_on > 2020-04-01") == ["P3", "S4"])
    #expect(try e.ids("select cases where 2020-04-01 < assigned_on") == ["P3", "S4"])
    #expect(try e.ids("select cases where deadline <= today - 90d") == ["P1", "P2", "S2"])
    #expect(try e.ids("select cases where title contains \"午餐\"") == ["P1", "S1"])
    #expect(try e.ids("select cases where title not contains \"午餐\" and kind = proposal") == ["P2", "P3"])
    #expect(try e.ids("select cases where title contains '\"数字'") == ["P3"])
    #expect(try e.ids("select cases where co_units = \"公安局\"") == ["S2"])
    #expect(try e.ids("select cases where co_units contains \"交通\"") == ["S2"])
    #expect(try e.ids("select cases where cosigners = 张三") == ["S1"])
    #expect(try e.ids("select cases where co_units is not empty") == ["P2", "S2"])
    #expect(try e.ids("select cases where signed_on is empty") == ["P3", "S3"])
    #expect(try e.ids("select cases where satisfaction is empty and not recess") == ["P1", "S3"])
    #expect(try e.ids("select cases where key_supervised") == ["P1", "P3"])
    #expect(try e.ids("select cases where late") == ["S1"])
    #expect(try e.ids("select cases where replied_on > deadline") == ["S1"])
    #expect(try e.ids("select cases where face_to_face") == ["P2", "S2", "S4"])
    #expect(try e.ids("select cases where not face_to_face") == ["P1", "P3", "S1", "S3"])
    #expect(try e.ids("select cases where level = 省级 or unit = 工信局") == ["P3", "S3"])
    #expect(try e.ids("select cases where (unit = 教育局 or unit = 城建局) and not kind = proposal") == ["S1", "S2"])
    #expect(try e.ids("select cases where days_open > 150") == ["P1", "S1", "S3"])
    #expect(try e.ids("select cases where days_to_sign >= 2") == ["P1", "S1"])
}

@Test func projectionOrderLimit() throws {
    let e = try Tiny.engine()
    #expect(try e.rows("select id, unit from suggestions order by unit desc, id limit 2") == [["S3", "水利局"], ["S1", "教育局"]])
    #expect(try e.rows("select id from cases order by deadline desc, id limit 2 offset 1") == [["S4"], ["S1"]])
    #expect(try e.rows("select id, days_open from cases where id = P2") == [["P2", "102"]])
    let all = try e.rows("select * from cases where id = S1")
    #expect(all[0].count == Schema.cases.count)
}

@Test func countingAndGrouping() throws {
    let e = try Tiny.engine()
    #expect(try e.rows("count cases") == [["7"]])
    #expect(try e.rows("count proposals where unit = 教育局") == [["2"]])
    #expect(try e.rows("count cases group by kind") == [["suggestion", "4"], ["proposal", "3"]])
    let rates = try e.rows("select unit, count, completion_rate, face_to_face_rate, satisfaction_rate, strict_satisfaction_rate from cases where unit in (教育局, 城建局) group by unit order by unit")
    // 城建局: 1 case closed, site, unsatisfied. 教育局: 3 cases, 1 closed, 1 face to face, 2 answered (satisfied, basic).
    #expect(rates == [["城建局", "1", "100.0%", "100.0%", "0.0%", "0.0%"], ["教育局", "3", "33.3%", "33.3%", "100.0%", "50.0%"]])
    #expect(try e.rows("select unit, count from cases group by unit having count > 1") == [["教育局", "3"]])
    #expect(try e.rows("select unit, completion_rate as r from cases group by unit order by r, unit limit 2") == [["工信局", "0.0%"], ["水利局", "0.0%"]])
    #expect(try e.rows("select count, min(assigned_on), max(deadline), avg(days_to_sign) from cases") == [["7", "2020-03-10", "2020-10-01", "1.40"]])
    #expect(try e.rows("select kind, count(overdue) from cases group by kind") == [["suggestion", "1"], ["proposal", "1"]])
}

@Test func historyOperators() throws {
    let e = try Tiny.engine()
    #expect(try e.ids("select cases where unit was 水利局") == ["S3", "S4"])
    #expect(try e.ids("select cases where status was return_requested") == ["S3"])
    #expect(try e.ids("select cases where status changed to closed after 2020-06-25") == ["S4"])
    #expect(try e.ids("select cases where status changed from assigned to signed by 教育局") == ["P1", "P2"])
    #expect(try e.ids("select cases where status changed to signed during (2020-03-11, 2020-03-11)") == ["P2"])
    #expect(try e.ids("select cases where unit changed from 水利局 to 交通局") == ["S4"])
    #expect(try e.ids("select cases where unit changed") == ["S4"])
    #expect(try e.ids("select cases where status not changed") == ["P3", "S1", "S2"])
}

@Test func parametersAndAsOf() throws {
    let e = try Tiny.engine()
    e.params["unit"] = "教育局"
    #expect(try e.ids("select cases where unit = $unit and overdue") == ["P1"])
    #expect(e.error("select cases where unit = $nope")?.message == "parameter $nope is not set")
    e.asOf = Day("2020-06-12")!
    #expect(try e.ids("select cases where overdue") == ["P1"])
    #expect(try e.ids("select cases where deadline < today") == ["P1", "P2"])
}

@Test func errorsSuggest() throws {
    let e = try Tiny.engine()
    let unti = e.error("select cases where unti = \"x\"")
    #expect(unti?.message == "unknown field `unti` in cases")
    #expect(unti?.suggestion == "did you mean `unit`?")
    #expect(unti?.range.start.column == 20)
    let ting = e.error("select cases where unit = \"教育厅\"")
    #expect(ting?.message == "no row has unit \"教育厅\"")
    #expect(ting?.suggestion == "did you mean 教育局?")
    let status = e.error("select cases where status = finished")
    #expect(status?.message.hasPrefix("unknown status `finished`; the status values are: assigned (已交办)") == true)
    let mismatch = e.error("select cases where deadline > \"abc\"")
    #expect(mismatch?.message == "`deadline` takes a date like 2020-09-30, today, or today - 7d, not \"abc\"")
    #expect(e.error("select cases where deadline > 2020-02-30")?.message.hasPrefix("2020-02-30 is not a day") == true)
    #expect(e.error("select nothing")?.message.hasPrefix("unknown source `nothing`") == true)
    #expect(e.error("select unit, count from cases group by co_units")?.message.hasPrefix("cannot group by `co_units`") == true)
    #expect(e.error("select title, count from cases group by unit")?.message.hasPrefix("`title` is neither grouped nor aggregated") == true)
    #expect(e.error("select cases where unit")?.message.hasPrefix("`unit` is text, not yes/no") == true)
    #expect(e.error("select units where completion_rate > 1") != nil)
}

@Test func explainPlansWithoutRunning() throws {
    let e = try Tiny.engine()
    let q = #"explain select proposals where unit="教育局" and status=overdue"#
    guard case .plan(let lines) = try e.run(try Parser.parse(q)) else { Issue.record("no plan"); return }
    // The physical plan: each step's access path, and the rows the planner expects from the
    // columns' value counts (proposals 3 of 7; 教育局 3 of 7, so ~1 of the 3; open statuses 3 of
    // 7, so ~0 of that one; a range without its index built is guessed).
    #expect(lines == [
        "source proposals: 7 rows",
        "kind = proposal: index of kind (built now), ~3 rows",
        "and, ~0 rows (guessed)",
        "  unit = \"教育局\": index of unit (built now), ~1 rows",
        "  or, ~0 rows (guessed)",
        "    and, ~0 rows (guessed)",
        "      status in (assigned, signed, return_requested, in_progress, rehandling): index of status (built now), ~0 rows",
        "      deadline < 2020-09-17 (the as-of date): sorted index of deadline (built now), ~0 rows (guessed)",
    ])
    // The logical plan says what may answer each step, without choosing.
    guard case .explain(let asked) = try Parser.parse(q) else { Issue.record("not explain"); return }
    #expect(try e.logicalPlan(asked).lines == [
        "source proposals: 7 rows",
        "kind = proposal (index, or a pass over kind)",
        "and",
        "  unit = \"教育局\": index of unit, or a pass over it, or a test of the rows left",
        "  or",
        "    and",
        "      status in (assigned, signed, return_requested, in_progress, rehandling): index of status, or a pass over it, or a test of the rows left",
        "      deadline < 2020-09-17 (the as-of date): sorted index of deadline, or a test of the rows left",
    ])
    // Nothing ran: no index was built, and the previous result's row count is untouched.
    #expect(e.store.cases.indexes.footprint == 0)
    #expect(e.lastRowCount == nil)
    // The logical plan is a value: the same query gives the same plan.
    guard case .explain(let parsed) = try Parser.parse(q) else { Issue.record("not explain"); return }
    #expect(try e.logicalPlan(parsed) == e.logicalPlan(parsed))
}

@Test func explainNamesIndexes() throws {
    let e = try Tiny.engine()
    guard case .plan(let lines) = try e.run(try Parser.parse(#"explain analyze select proposals where unit="教育局" and status=overdue"#)) else {
        Issue.record("no plan"); return
    }
    #expect(lines.contains("index kind = proposal → 3 rows"))
    #expect(lines.contains { $0.contains("index unit = \"教育局\" → 2 rows") })
    #expect(lines.contains { $0.contains("index deadline < 2020-09-17 (the as-of date)") })
    #expect(lines.last == "result: 1 row")
}

@Test func expectations() throws {
    let e = try Tiny.engine()
    _ = try e.rows("select cases where title contains 午餐")
    #expect(e.error("expect 2 rows") == nil)
    #expect(e.error("expect at least 3 rows")?.message == "expectation failed: expected at least 3 rows, got 2")
    _ = try e.rows("count cases")
    #expect(e.error("expect 7 rows") == nil)
}

@Test func timelinessFields() throws {
    let e = try Tiny.engine()
    // days_to_sign = signed_on - assigned_on, days_to_reply = replied_on - assigned_on (by hand:
    // P2 03-10 → 06-01 = 83, S1 04-01 → 07-05 = 95, S2 03-15 → 06-10 = 87, S4 05-01 → 07-20 = 80).
    #expect(try e.rows("select id, days_to_sign, days_to_reply from cases where replied_on is not empty order by id")
            == [["P2", "1", "83"], ["S1", "2", "95"], ["S2", "1", "87"], ["S4", "1", "80"]])
    #expect(try e.ids("select cases where days_to_reply > 90") == ["S1"])
    #expect(try e.ids("select cases where days_to_sign <= 1") == ["P2", "S2", "S4"])
    #expect(try e.rows("select kind, max(days_to_reply), min(days_to_sign) from cases group by kind") == [["suggestion", "95", "1"], ["proposal", "83", "1"]])
}

@Test func returnsPerUnit() throws {
    let e = try Tiny.engine()
    #expect(try e.rows("select unit, count from events where action = return group by unit order by count desc") == [["水利局", "1"]])
    #expect(try e.rows("select unit, count from events where action in (return_request, return) group by unit order by count desc") == [["水利局", "2"]])
    #expect(try e.rows("count events where action = 申请退办 group by unit") == [["水利局", "1"]])
}
