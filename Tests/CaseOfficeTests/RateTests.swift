import Foundation
import Testing
import CaseQuery
import CaseStore
@testable import CaseOffice

// Each rate on the two-case dataset, with C2 changed to break exactly that rate; the query
// language's aggregate gives the same figure as the definition.

private func rate(_ name: String, _ edits: [String: String]) throws -> (Int, Int, Cell) {
    let s = try Mini.store(edits)
    let r = DomainRules.rate(name)!
    let (n, d) = r.count(0..<s.cases.count, s, asOf: s.defaultAsOf)
    guard case .rows(let rows) = try Engine(store: s).run(try Parser.parse("select \(name) from cases")) else { return (n, d, .null) }
    return (n, d, rows.rows[0][0])
}

@Test func ratesEachOnTheirOwnBreak() throws {
    // 办复率: C2 still in progress.
    let reply = try rate("reply_rate", [Mini.c2: "C2,suggestion,city,2020,关于道路维修的建议,urban,乙局,,2020-03-10,2020-03-12,2020-06-10,,,in_progress,visit,,,",
        "C2,2020-05-20,乙局,reply,登门": "", "C2,2020-05-25,乙局,feedback,征询意见表：基本满意": "", "C2,2020-06-01,乙局,close,办结": ""])
    #expect(reply.0 == 1 && reply.1 == 2 && reply.2 == .rate(0.5))
    // 按期办复率: C2 replied 06-15, after its deadline 06-10.
    let onTime = try rate("on_time_reply_rate", [Mini.c2: Mini.c2.replacingOccurrences(of: "2020-05-20,2020-06-01", with: "2020-06-15,2020-06-20")])
    #expect(onTime.0 == 1 && onTime.1 == 2 && onTime.2 == .rate(0.5))
    // 解决率: C2 class C; classed cases only in the denominator.
    let resolved = try rate("resolution_rate", [Mini.c2: Mini.c2.replacingOccurrences(of: ",basic,B,", with: ",basic,C,")])
    #expect(resolved.0 == 1 && resolved.1 == 2)
    // 初次满意率: C2 re-handled after 不满意, then 基本满意: 满意（含基本满意）率 is 2/2, 初次 1/2.
    let again = [Mini.c2: Mini.c2,
                 "C2,2020-05-25,乙局,feedback,征询意见表：基本满意": "C2,2020-05-21,乙局,feedback,征询意见表：不满意\nC2,2020-05-22,乙局,rehandle,重新办理\nC2,2020-05-25,乙局,feedback,征询意见表：基本满意"]
    let first = try rate("first_satisfaction_rate", again)
    #expect(first.0 == 1 && first.1 == 2 && first.2 == .rate(0.5))
    let all = try rate("satisfaction_rate", again)
    #expect(all.0 == 2 && all.1 == 2)
    // 基本满意率 beside it: C2's 基本满意 over the two answers.
    let basic = try rate("basic_satisfaction_rate", [:])
    #expect(basic.0 == 1 && basic.1 == 2)
    #expect(DomainRules.rate("满意率")?.label == "满意（含基本满意）率")
}
