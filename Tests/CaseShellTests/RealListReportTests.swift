import Foundation
import Testing
@testable import CaseOffice
@testable import CaseShell
@testable import CaseStore

/// `.report` on a published list that lacks columns: the rates made from them have no data.
@Test func reportOnAListWithoutContactSaysNoData() throws {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("reallists").path
    var options = LoadOptions()
    options.kind = .suggestion
    let (store, _) = try DatasetLoader.load(folder + "/best-suggestions.csv", options: options)
    let r = ReportBuilder.build(store, asOf: Day("2021-12-31")!)
    #expect(r.overall.cases == 3)
    #expect(r.overall.faceToFaceRate == nil && r.overall.completionRate == nil && r.overall.satisfactionRate == nil)
    #expect(r.units.allSatisfy { $0.counts.faceToFaceRate == nil })
    let text = r.render(.text)
    #expect(!text.contains("差 100"))
    #expect(text.contains("面商率无数据：案件名单无「沟通方式」（contact）列"))
    #expect(text.contains("无数据"))

    // Kinds of their own have a line of their own among the sources, so the parts add up.
    let (open, _) = try DatasetLoader.load(folder + "/npc-open-source.csv")
    let o = ReportBuilder.build(open, asOf: Day("2022-12-31")!)
    #expect(o.sources.first?.count == 4)
    #expect(o.sources.dropFirst().reduce(0) { $0 + ($1.count ?? 0) } == 4)
    #expect(o.sources.contains { $0.label.contains("议案") })
}

/// `.check` on a list without 签收日期 and events cannot judge signing: no finding, not every case.
@Test func checkOnAListWithoutSigningFindsNoLateSigns() throws {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("reallists").path
    let (store, _) = try DatasetLoader.load(folder + "/npc-city-system.csv")
    let findings = Checker.run(store, asOf: Day("2019-12-31")!)
    #expect(!findings.contains { $0.rule.id == "late-sign" })
    // The list has 办理结果分类 and 答复时间: class-mismatch is judged, and a class written with the
    // reply (A on a replied case not closed) is normal (issue 14), so nothing is found.
    #expect(!findings.contains { $0.rule.id == "class-mismatch" })
}
