import Foundation
import Testing
import CaseQuery
import CaseStore
@testable import CaseOffice

// Each rule of .check and .report on a small dataset made by hand to break exactly that rule.

// MARK: - Each rule on a small dataset made by hand

/// Two units, both good: every date, sign, opinion and form as the notice wants.
enum Mini {
    static let units = """
    name,type,reception_day_on,media_submitted
    甲局,department,2020-06-01,true
    乙局,department,2020-06-02,true
    """
    static let cases = """
    id,kind,level,year,title,category,unit,co_units,assigned_on,signed_on,deadline,replied_on,closed_on,status,contact,satisfaction,resolution,form
    C1,proposal,city,2020,关于学校午餐的提案,education,甲局,乙局,2020-03-10,2020-03-11,2020-06-10,2020-05-01,2020-05-10,closed,meeting,satisfied,A,new
    C2,suggestion,city,2020,关于道路维修的建议,urban,乙局,,2020-03-10,2020-03-12,2020-06-10,2020-05-20,2020-06-01,closed,visit,basic,B,new
    """
    static let events = """
    case_id,date,unit,action,note
    C1,2020-03-10,甲局,assign,交办会集中交办
    C1,2020-03-11,甲局,sign,
    C1,2020-03-25,乙局,reply,会办意见：已向主办单位甲局提交
    C1,2020-05-01,甲局,reply,座谈
    C1,2020-05-05,甲局,feedback,征询意见表：满意
    C1,2020-05-10,甲局,close,办结
    C2,2020-03-10,乙局,assign,交办会集中交办
    C2,2020-03-12,乙局,sign,
    C2,2020-05-20,乙局,reply,登门
    C2,2020-05-25,乙局,feedback,征询意见表：基本满意
    C2,2020-06-01,乙局,close,办结
    """
    static let manifest = #"{"name": "mini", "as_of": "2020-09-17", "cutoff": "2020-09-30", "remits": {"甲局": ["education"], "乙局": ["urban"]}}"#

    /// The store, after replacing whole lines (old → new; new "" drops the line).
    static func store(_ edits: [String: String] = [:], rules: String? = nil) throws -> CaseStore {
        let dir = NSTemporaryDirectory() + "caseql-mini-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var used = Set<String>()
        for (name, text) in [("units.csv", units), ("cases.csv", cases), ("events.csv", events)] {
            let lines = text.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            let edited = lines.compactMap { line -> String? in
                guard let new = edits[line] else { return line }
                used.insert(line)
                return new.isEmpty ? nil : new
            }
            try (edited.joined(separator: "\n") + "\n").write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        }
        #expect(used.count == edits.count, "an edit matched no line: \(Set(edits.keys).subtracting(used))")
        // caseql's own category list (the rows use its tokens), with the rules a test adds.
        let more = rules.map { $0.trimmingCharacters(in: .whitespaces).dropFirst().trimmingCharacters(in: .whitespaces) } ?? "}"
        let all = #"{"categories": "caseql""# + (more.hasPrefix("}") ? more : ", " + more)
        let m = manifest.replacingOccurrences(of: #""remits""#, with: #""rules": \#(all), "remits""#)
        try m.write(toFile: dir + "/manifest.json", atomically: true, encoding: .utf8)
        return try DatasetLoader.load(dir).0
    }

    static func findings(_ edits: [String: String], days: Int? = nil, rules: String? = nil) throws -> [CheckFinding] {
        let s = try store(edits, rules: rules)
        var o = CheckOptions(); o.signDays = days
        return Checker.run(s, asOf: s.defaultAsOf, options: o)
    }

    static let c1 = "C1,proposal,city,2020,关于学校午餐的提案,education,甲局,乙局,2020-03-10,2020-03-11,2020-06-10,2020-05-01,2020-05-10,closed,meeting,satisfied,A,new"
    static let c2 = "C2,suggestion,city,2020,关于道路维修的建议,urban,乙局,,2020-03-10,2020-03-12,2020-06-10,2020-05-20,2020-06-01,closed,visit,basic,B,new"
}

/// (rule, unit, case ids) of each finding.
private func summary(_ f: [CheckFinding]) -> [String] {
    f.map { "\($0.rule.id) \($0.unit)" + ($0.cases.isEmpty ? "" : " " + $0.cases.map(\.id).joined(separator: ",")) }
}

@Test func cleanDatasetHasNoFindings() throws {
    let s = try Mini.store()
    #expect(Checker.run(s, asOf: s.defaultAsOf).isEmpty)
    let r = ReportBuilder.build(s, asOf: s.defaultAsOf)
    #expect(r.goodUnits == ["甲局", "乙局"])
}

@Test func ruleNoReceptionDay() throws {
    let f = try Mini.findings(["乙局,department,2020-06-02,true": "乙局,department,,false"])
    #expect(summary(f) == ["no-reception-day 乙局"])
    #expect(f[0].reason == "未举办代表委员接待日，影像资料未报送")
}

@Test func ruleNoMedia() throws {
    let f = try Mini.findings(["乙局,department,2020-06-02,true": "乙局,department,2020-06-02,false"])
    #expect(summary(f) == ["no-media 乙局"])
    #expect(f[0].reason == "接待日 2020-06-02 已举办，影像资料未报送")
}

@Test func ruleShirking() throws {
    // 乙局 asks to return an urban case although urban is its remit; 甲局's request for the same
    // case is rightful (education only).
    let f = try Mini.findings(["C2,2020-03-12,乙局,sign,": "C2,2020-03-12,乙局,sign,\nC2,2020-03-14,乙局,return_request,涉及资金较多，建议由其他单位主办\nC2,2020-03-15,甲局,return_request,不属于本单位职责范围，申请退办"])
    #expect(summary(f) == ["shirking 乙局 C2"])
    #expect(f[0].cases[0].reason == "2020-03-14 申请退办：涉及资金较多，建议由其他单位主办；分类 城市建设 在本单位职责范围内")
}

@Test func ruleOldForm() throws {
    let f = try Mini.findings([Mini.c2: Mini.c2.replacingOccurrences(of: ",B,new", with: ",B,old")])
    #expect(summary(f) == ["old-form 乙局 C2"])
}

@Test func ruleClassMismatch() throws {
    // Class A on a replied (not closed) case is normal: the class is written with the reply.
    let normal = try Mini.findings([
        Mini.c2: "C2,suggestion,city,2020,关于道路维修的建议,urban,乙局,,2020-03-10,2020-03-12,2020-06-10,2020-05-20,,replied,visit,,A,",
        "C2,2020-05-25,乙局,feedback,征询意见表：基本满意": "", "C2,2020-06-01,乙局,close,办结": "",
    ])
    #expect(normal.isEmpty)
    // Class B while the feedback says 不满意 (the problem stands), re-handled so that only this
    // rule breaks.
    let f = try Mini.findings([
        Mini.c2: "C2,suggestion,city,2020,关于道路维修的建议,urban,乙局,,2020-03-10,2020-03-12,2020-06-10,2020-05-20,,rehandling,visit,unsatisfied,B,new",
        "C2,2020-05-25,乙局,feedback,征询意见表：基本满意": "C2,2020-05-25,乙局,feedback,征询意见表：不满意\nC2,2020-09-01,乙局,rehandle,代表委员不满意，重新办理",
        "C2,2020-06-01,乙局,close,办结": "",
    ])
    #expect(summary(f) == ["class-mismatch 乙局 C2"])
    #expect(f[0].cases[0].reason == "解决程度 B（正在解决或列入计划）但征询意见为不满意")
    // Class D where the manifest's scheme is A–C.
    let d = try Mini.findings([Mini.c2: Mini.c2.replacingOccurrences(of: ",basic,B,", with: ",basic,D,")],
                              rules: #"{"classes": ["A", "B", "C"]}"#)
    #expect(summary(d) == ["class-mismatch 乙局 C2"])
    #expect(d[0].cases[0].reason == "解决程度 D 不在本地分类 A/B/C 之内")
    #expect(try Mini.findings([Mini.c2: Mini.c2.replacingOccurrences(of: ",basic,B,", with: ",basic,D,")]).isEmpty)
    // Any class on a case with no reply (deadline not yet passed, so not overdue either).
    let g = try Mini.findings([
        Mini.c2: "C2,suggestion,city,2020,关于道路维修的建议,urban,乙局,,2020-07-10,2020-07-12,2020-10-10,,,in_progress,visit,,C,",
        "C2,2020-03-10,乙局,assign,交办会集中交办": "C2,2020-07-10,乙局,assign,闭会期间交办",
        "C2,2020-03-12,乙局,sign,": "C2,2020-07-12,乙局,sign,",
        "C2,2020-05-20,乙局,reply,登门": "", "C2,2020-05-25,乙局,feedback,征询意见表：基本满意": "", "C2,2020-06-01,乙局,close,办结": "",
    ])
    #expect(summary(g) == ["class-mismatch 乙局 C2"])
    #expect(g[0].cases[0].reason == "未答复却已填解决程度 C（状态 办理中）")
}

@Test func ruleCoUnitLate() throws {
    let f = try Mini.findings(["C1,2020-03-25,乙局,reply,会办意见：已向主办单位甲局提交": "C1,2020-04-20,乙局,reply,会办意见：已向主办单位甲局提交"])
    #expect(summary(f) == ["co-unit-late 乙局 C1"])
    #expect(f[0].cases[0].reason == "交办 2020-03-10，会办意见 2020-04-20 才报送，超过一个月 10 天")
    let none = try Mini.findings(["C1,2020-03-25,乙局,reply,会办意见：已向主办单位甲局提交": ""])
    #expect(summary(none) == ["co-unit-late 乙局 C1"])
    #expect(none[0].cases[0].reason == "交办 2020-03-10，已过一个月（2020-04-10）仍未报送会办意见")
}

@Test func ruleLateSign() throws {
    let edits = [
        Mini.c2: Mini.c2.replacingOccurrences(of: "2020-03-12", with: "2020-03-20"),
        "C2,2020-03-12,乙局,sign,": "C2,2020-03-20,乙局,sign,",
    ]
    let f = try Mini.findings(edits)
    #expect(summary(f) == ["late-sign 乙局 C2"])
    #expect(f[0].cases[0].reason == "交办 2020-03-10，2020-03-20 才签收，用时 10 天")
    #expect(try Mini.findings(edits, days: 10).isEmpty)
    // Measured from the unit's own assignment: a case reassigned to 甲局 on 2020-03-18 and signed
    // by it on 2020-03-20 is on time, although 12 days after the case's assigned_on.
    let re = try Mini.findings([
        "C1,2020-03-10,甲局,assign,交办会集中交办": "C1,2020-03-10,乙局,assign,交办会集中交办\nC1,2020-03-11,乙局,sign,\nC1,2020-03-18,乙局,return,建议提案处同意退办\nC1,2020-03-18,甲局,reassign,改由甲局办理",
        "C1,2020-03-11,甲局,sign,": "C1,2020-03-20,甲局,sign,",
    ])
    #expect(re.isEmpty)
}

@Test func ruleLateReply() throws {
    let f = try Mini.findings([
        Mini.c2: "C2,suggestion,city,2020,关于道路维修的建议,urban,乙局,,2020-03-10,2020-03-12,2020-06-10,2020-06-15,2020-06-20,closed,visit,basic,B,new",
        "C2,2020-05-20,乙局,reply,登门": "C2,2020-06-15,乙局,reply,逾期上传办理结果",
        "C2,2020-05-25,乙局,feedback,征询意见表：基本满意": "C2,2020-06-18,乙局,feedback,征询意见表：基本满意",
        "C2,2020-06-01,乙局,close,办结": "C2,2020-06-20,乙局,close,办结",
    ])
    #expect(summary(f) == ["late-reply 乙局 C2"])
    #expect(f[0].cases[0].reason == "期限 2020-06-10，2020-06-15 才答复，迟 5 天")
}

@Test func ruleOverdueAndTheCutoff() throws {
    let edits = [
        Mini.c2: "C2,suggestion,city,2020,关于道路维修的建议,urban,乙局,,2020-03-10,2020-03-12,2020-06-10,,,in_progress,visit,,,",
        "C2,2020-05-20,乙局,reply,登门": "", "C2,2020-05-25,乙局,feedback,征询意见表：基本满意": "", "C2,2020-06-01,乙局,close,办结": "",
    ]
    let f = try Mini.findings(edits)
    #expect(summary(f) == ["overdue 乙局 C2"])
    #expect(f[0].cases[0].reason == "期限 2020-06-10，已逾期 99 天（状态 办理中）")
    // Before the cutoff an open case does not cost a good unit its place; after it, it does.
    let s = try Mini.store(edits)
    let before = ReportBuilder.build(s, asOf: s.defaultAsOf)
    #expect(before.goodUnits == ["甲局", "乙局"])
    #expect(before.units[1].notes == ["未办结 1 件（其中逾期 1 件），须于 2020-09-30 前办结"])
    let after = ReportBuilder.build(s, asOf: Day("2020-10-08")!)
    #expect(after.goodUnits == ["甲局"])
    #expect(after.units[1].reasons == ["办结率 0.0%（0/1），低于目标 100.0% 100.0 个百分点"])
}

@Test func reportReasonsForRates() throws {
    // Phone contact and an unsatisfied answer: 面商率 and 满意率 below target, by how much.
    // Re-handled after the 不满意 answer and closed, class C: only the rates fall short.
    let s = try Mini.store([Mini.c2: Mini.c2.replacingOccurrences(of: ",visit,basic,B,", with: ",phone,unsatisfied,C,"),
                            "C2,2020-05-25,乙局,feedback,征询意见表：基本满意": "C2,2020-05-25,乙局,feedback,征询意见表：不满意\nC2,2020-05-26,乙局,rehandle,代表委员不满意，重新办理"])
    let r = ReportBuilder.build(s, asOf: s.defaultAsOf)
    #expect(r.goodUnits == ["甲局"])
    #expect(r.units[1].reasons == ["面商率 0.0%（0/1），低于目标 100.0% 100.0 个百分点",
                                   "满意率 0.0%（0/1），低于目标 98.5% 98.5 个百分点"])
}


@Test func ruleClosedUnsatisfied() throws {
    // Closed on 不满意 without re-handling (class C, so no class rule breaks).
    let closed = Mini.c2.replacingOccurrences(of: ",basic,B,", with: ",unsatisfied,C,")
    let f = try Mini.findings([Mini.c2: closed])
    #expect(summary(f) == ["closed-unsatisfied 乙局 C2"])
    #expect(f[0].cases[0].reason == "征询意见不满意，未重新办理即于 2020-06-01 办结")
    // Re-handled first: nothing.
    let again = try Mini.findings([Mini.c2: closed,
        "C2,2020-05-25,乙局,feedback,征询意见表：基本满意": "C2,2020-05-25,乙局,feedback,征询意见表：不满意\nC2,2020-05-26,乙局,rehandle,重新办理"])
    #expect(again.isEmpty)
}

@Test func ruleIncompleteForm() throws {
    // Satisfaction without a class.
    let f = try Mini.findings([Mini.c2: Mini.c2.replacingOccurrences(of: ",basic,B,", with: ",basic,,")])
    #expect(summary(f) == ["incomplete-form 乙局 C2"])
    #expect(f[0].cases[0].reason == "征询意见表有满意度（基本满意），未填解决程度")
    // A returned form (its feedback event) with a class but no satisfaction.
    let g = try Mini.findings([Mini.c2: Mini.c2.replacingOccurrences(of: ",basic,B,", with: ",,B,")])
    #expect(summary(g) == ["incomplete-form 乙局 C2"])
    #expect(g[0].cases[0].reason == "征询意见表已交回，有解决程度 B，未填满意度")
    // A form on a case with no reply (not yet due, so not overdue).
    let h = try Mini.findings([
        Mini.c2: "C2,suggestion,city,2020,关于道路维修的建议,urban,乙局,,2020-08-10,2020-08-12,2020-11-10,,,in_progress,,satisfied,,new",
        "C2,2020-03-10,乙局,assign,交办会集中交办": "C2,2020-08-10,乙局,assign,闭会期间交办",
        "C2,2020-03-12,乙局,sign,": "C2,2020-08-12,乙局,sign,",
        "C2,2020-05-20,乙局,reply,登门": "", "C2,2020-05-25,乙局,feedback,征询意见表：基本满意": "", "C2,2020-06-01,乙局,close,办结": "",
    ])
    #expect(summary(h) == ["incomplete-form 乙局 C2"])
    #expect(h[0].cases[0].reason == "未答复却已有征询意见表（状态 办理中）")
    // A replied case waiting for its form, class written with the reply: normal.
    let waiting = try Mini.findings([
        Mini.c2: "C2,suggestion,city,2020,关于道路维修的建议,urban,乙局,,2020-03-10,2020-03-12,2020-06-10,2020-05-20,,replied,visit,,B,",
        "C2,2020-05-25,乙局,feedback,征询意见表：基本满意": "", "C2,2020-06-01,乙局,close,办结": "",
    ])
    #expect(waiting.isEmpty)
}

@Test func ruleLateReturnRequest() throws {
    // 乙局 asks to return C2 (made an education case, outside its remit, so that shirking stays
    // out), assigned Friday 2020-04-24. Five working days on the 2020
    // calendar: 4-26 (Sunday, a make-up working day), 4-27, 4-28, 4-29, 4-30; then 5-1…5-5 are
    // the Labour Day holiday. A request on 5-6 is late, one on 4-30 is not.
    func edits(_ on: String) -> [String: String] {
        [Mini.c2: "C2,suggestion,city,2020,关于道路维修的建议,education,乙局,,2020-04-24,2020-04-24,2020-07-24,2020-05-20,2020-06-01,closed,visit,basic,B,new",
         "C2,2020-03-10,乙局,assign,交办会集中交办": "C2,2020-04-24,乙局,assign,交办",
         "C2,2020-03-12,乙局,sign,": "C2,2020-04-24,乙局,sign,\nC2,\(on),乙局,return_request,不属于本单位职责"]
    }
    let f = try Mini.findings(edits("2020-05-06"))
    #expect(summary(f) == ["late-return-request 乙局 C2"])
    #expect(f[0].cases[0].reason == "交办 2020-04-24，2020-05-06 才申请退办（第 6 个工作日），期限 5 个工作日（至 2020-04-30）")
    #expect(try Mini.findings(edits("2020-04-30")).isEmpty)
    // Three working days (manifest rules.return_request): 4-30 is then late.
    let three = try Mini.findings(edits("2020-04-30"), rules: #"{"return_request": "3wd"}"#)
    #expect(three.first?.cases.first?.reason == "交办 2020-04-24，2020-04-30 才申请退办（第 5 个工作日），期限 3 个工作日（至 2020-04-28）")
}

@Test func signingPeriodInWorkingDays() throws {
    // Assigned Tuesday 2020-09-29; signed 2020-10-09 (Friday): 10 calendar days, but 10-1…10-8 is
    // the National Day holiday, so it is the 2nd working day (9-30, 10-9).
    let edits = [
        Mini.c2: "C2,suggestion,city,2020,关于道路维修的建议,urban,乙局,,2020-09-29,2020-10-09,2020-12-29,,,signed,,,,",
        "C2,2020-03-10,乙局,assign,交办会集中交办": "C2,2020-09-29,乙局,assign,交办",
        "C2,2020-03-12,乙局,sign,": "C2,2020-10-09,乙局,sign,",
        "C2,2020-05-20,乙局,reply,登门": "", "C2,2020-05-25,乙局,feedback,征询意见表：基本满意": "", "C2,2020-06-01,乙局,close,办结": "",
    ]
    let s = try Mini.store(edits, rules: #"{"signing": "3wd"}"#)
    #expect(Checker.run(s, asOf: Day("2020-10-20")!).filter { $0.rule.id == "late-sign" }.isEmpty)
    let days = try Mini.store(edits)
    #expect(summary(Checker.run(days, asOf: Day("2020-10-20")!).filter { $0.rule.id == "late-sign" }) == ["late-sign 乙局 C2"])
    // One working day is too few: the 2nd working day is late, and the reason says so.
    let one = try Mini.store(edits, rules: #"{"signing": "1wd"}"#)
    #expect(Checker.run(one, asOf: Day("2020-10-20")!).filter { $0.rule.id == "late-sign" }.first?.cases.first?.reason
            == "交办 2020-09-29，2020-10-09 才签收，用时 10 天（第 2 个工作日，期限 1 个工作日）")
}

@Test func coUnitPeriodInWorkingDays() throws {
    // C1 assigned Tuesday 2020-03-10; 乙局's opinion on 2020-04-09. Within a month (to 04-10), but
    // 20 working days end on 04-08: Qingming (Monday 04-06) is off.
    let edits = ["C1,2020-03-25,乙局,reply,会办意见：已向主办单位甲局提交": "C1,2020-04-09,乙局,reply,会办意见：已向主办单位甲局提交"]
    #expect(try Mini.findings(edits).filter { $0.rule.id == "co-unit-late" }.isEmpty)
    let f = try Mini.findings(edits, rules: #"{"co_unit": "20wd"}"#).filter { $0.rule.id == "co-unit-late" }
    #expect(f.first?.cases.first?.reason == "交办 2020-03-10，会办意见 2020-04-09 才报送（第 21 个工作日），期限 20 个工作日（至 2020-04-08）")
}

@Test func everyRuleSaysWhatItNeeds() throws {
    // The mini dataset has every column, units.csv, events and remits: every rule is judged.
    #expect(Checker.rules.allSatisfy { !$0.needs.isEmpty })
    #expect(Checker.noData(try Mini.store()).isEmpty)
}
