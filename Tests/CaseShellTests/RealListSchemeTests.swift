import Foundation
import Testing
import CaseQuery
import CaseStore
@testable import CaseShell
@testable import CaseOffice

// A list's own categories and resolution words (issue 18) through the query language,
// completion and the office's check: open text without a manifest list, the manifest's list
// and classes with one.

private let reallists = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("reallists").path

private func answer(_ store: CaseStore, _ query: String) throws -> [[String]] {
    guard case .rows(let r) = try Engine(store: store).run(try Parser.parse(query)) else { return [] }
    return r.rows.map { $0.map(\.text) }
}

@Test func openCategoriesAreQueriedGroupedAndCompletedFromTheData() throws {
    let store = try DatasetLoader.load(reallists + "/npc-city-system.csv").0
    #expect(try answer(store, #"select id from cases where category = "城乡建设""#) == [["JY20190001"], ["JY20190003"]])
    let groups = try answer(store, "select category, count from cases group by category order by category")
    #expect(Set(groups.map { $0[0] }) == ["城乡建设", "教科文卫", "农业农村"] && groups.map { $0[1] }.sorted() == ["1", "1", "2"])
    let c = Completer(session: Session(store: store))
    #expect(Set(c.complete("select cases where category = ").candidates.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) })
            == ["城乡建设", "教科文卫", "农业农村"])
    // The report does not depend on a category list.
    let report = ReportBuilder.build(store, asOf: Day("2019-12-31")!)
    #expect(report.overall.cases == 4)
}

@Test func aManifestsListAndClassesRuleQueriesCompletionAndTheCheck() throws {
    let store = try DatasetLoader.load(reallists + "/npc-province-scheme").0
    // The list's order groups; an alias of the list (三农) finds its category.
    #expect(try answer(store, "select category, count from cases group by category").map { $0[0] }
            == ["经济建设", "城乡建设", "社会事业", "农业农村", "政治法律"])
    #expect(try answer(store, "count cases where category = 三农") == [["2"]])
    #expect(throws: (any Error).self) { try answer(store, "count cases where category = 城建") }
    do { _ = try answer(store, "count cases where category = 城乡建") } catch let e as QueryError {
        #expect(e.message.contains("经济建设, 城乡建设, 社会事业") && !e.message.contains("城乡建设 (城乡建设)"))
        #expect(e.suggestion?.contains("城乡建设") == true)
    }
    // The province's words for its classes.
    #expect(try answer(store, #"count cases where resolution = "已列入规划计划逐步解决""#) == [["3"]])
    #expect(try answer(store, #"count cases where resolution = "逐步解决""#) == [["3"]])
    // 解决率 counts A and B of the scheme: 2 of the 5 classed.
    let rate = try answer(store, "select resolution_rate from cases")[0][0]
    #expect(rate == "40.0%")
    let c = Completer(session: Session(store: store))
    let cats = c.complete("select cases where category = ").candidates
    #expect(cats.contains("经济建设") && cats.contains("政治法律") && !cats.contains("urban"))
    let classes = c.complete("select cases where resolution = ").candidates
    #expect(classes.contains("已列入规划计划逐步解决"))
    // The check states the scheme and reads classes by it.
    let check = Checker.run(store, asOf: store.defaultAsOf)
    #expect(CheckOptions().periods(store.manifest.office).summary(asOf: store.defaultAsOf).hasSuffix("解决程度 A/B/C"))
    #expect(!check.contains { $0.rule.id == "class-mismatch" })
}

/// A case assigned to several lead units (分办) counts once, under its first lead unit, wherever
/// a case counts once (`unit =`, `group by unit`, `.report` per unit); the list field 分办单位
/// holds every case's lead units, for asking about a unit as any lead unit.
@Test func aSharedCaseCountsOnceUnderItsFirstUnitAndUnderEachIn分办单位() throws {
    let store = try DatasetLoader.load(reallists + "/cppcc-city").0
    // unit = a unit that leads only with others: an error that says where its cases are.
    do {
        _ = try answer(store, #"count cases where unit = "姑苏区人民政府""#)
        Issue.record("unit = a further lead unit answered")
    } catch let e as QueryError {
        #expect(e.suggestion == #"1 case lists it as a further lead unit (分办; unit is the first): 分办单位 = "姑苏区人民政府" finds every case it leads"#)
    }
    #expect(try answer(store, #"select id from cases where 分办单位 = "姑苏区人民政府""#) == [["0101"]])
    #expect(try answer(store, #"select id from cases where 分办单位 = "市公安局""#) == [["0102"]])
    let byUnit = try answer(store, "select unit, count from cases group by unit")
    #expect(byUnit.reduce(0) { $0 + Int($1[1])! } == 3)
    let byLead = try answer(store, "select 分办单位, count from cases group by each 分办单位")
    #expect(Set(byLead.map { $0[0] }) == ["市民政局", "姑苏区人民政府", "市公安局", "市文广旅局"])
    #expect(byLead.reduce(0) { $0 + Int($1[1])! } == 4)
    let report = ReportBuilder.build(store, asOf: Day("2020-12-31")!)
    #expect(report.units.first { $0.unit == "市民政局" }?.counts.cases == 1)
    #expect(!report.units.contains { $0.unit == "姑苏区人民政府" })
    #expect(report.units.reduce(0) { $0 + $1.counts.cases } == 3)
}
