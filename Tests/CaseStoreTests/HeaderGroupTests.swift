import Foundation
import Testing
@testable import CaseStore

// A two-row header (Layout.swift) whose merged group is anywhere: first, in the middle, last,
// two of them; the group's covered cells left off the header's first row (as a sheet's CSV
// has them: a merged range's covered cells are not written).

private func layout(_ csv: String) throws -> HeaderLayout {
    let specs = Schema.cases
    return try #require(Array(csv.utf8).withUnsafeBufferPointer { try HeaderLayout.find($0, specs: specs) })
}

@Test func aGroupOverTheLastColumnsWidensTheHeader() throws {
    let l = try layout("序号,建议号,案由,主办单位,办理情况\n,,,,答复日期,办结日期\n1,J-1,关于甲,教育局,2020-06-01,2020-06-10\n")
    #expect(l.twoRows)
    #expect(l.names == ["序号", "建议号", "案由", "主办单位", "办理情况答复日期", "办理情况办结日期"])
    #expect(l.columns.count == 6)
    #expect(l.columns[5] == 10)   // the sub-header's own character column (`,,,,答复日期,` before it)
}

@Test func groupsAnywhere() throws {
    let first = try layout("办理情况,,建议号,案由\n答复日期,办结日期,,\nx,y,J-1,关于甲\n")
    #expect(first.names == ["办理情况答复日期", "办理情况办结日期", "建议号", "案由"])
    let two = try layout("建议号,基本情况,,办理情况\n,案由,主办单位,答复日期,办结日期\nJ-1,关于甲,教育局,2020-06-01,2020-06-10\n")
    #expect(two.names == ["建议号", "基本情况案由", "基本情况主办单位", "办理情况答复日期", "办理情况办结日期"])
    // A header row of full width (the covered cells written as empty fields) reads the same.
    let full = try layout("序号,建议号,案由,主办单位,办理情况,\n,,,,答复日期,办结日期\n1,J-1,关于甲,教育局,2020-06-01,2020-06-10\n")
    #expect(full.names == ["序号", "建议号", "案由", "主办单位", "办理情况答复日期", "办理情况办结日期"])
}

@Test func aGroupInAGroupIsAHeaderOfThreeRows() throws {
    // 办理情况 over 答复 (over 答复日期 | 答复文号) and 办结日期; the body under it.
    let l = try layout("建议号,案由,主办单位,办理情况\n,,,答复,,办结日期\n,,,答复日期,答复文号,\nJ-1,关于甲,教育局,2020-06-01,文1,2020-06-10\n")
    #expect(l.depth == 3)
    #expect(l.names == ["建议号", "案由", "主办单位", "办理情况答复答复日期", "办理情况答复答复文号", "办理情况办结日期"])
    #expect(l.bodyLine == 4)
    // A two-row header's data is not a third row.
    let two = try layout("建议号,案由,办理情况,\n,,答复日期,办结日期\nJ-1,关于甲,2020-06-01,2020-06-10\nJ-2,关于乙,2020-06-02,2020-06-12\n")
    #expect(two.depth == 2)
}

@Test func theSubHeadersNamingMoreFieldsStillHaveTheirGroupsAbove() throws {
    // The second row names more fields (案由, 主办单位, 答复日期, 办结日期) than the first (建议号):
    // the header begins on the first all the same; a title above a header is not a group.
    let l = try layout("建议号,基本情况,,办理情况,\n,案由,主办单位,答复日期,办结日期\nJ-1,关于甲,教育局,2020-06-01,2020-06-10\n")
    #expect(l.depth == 2 && l.skippedAbove == 0)
    #expect(l.names == ["建议号", "基本情况案由", "基本情况主办单位", "办理情况答复日期", "办理情况办结日期"])
    let titled = try layout("2020年建议办理情况一览表,,,\n编号,案由,主办单位,答复日期\nJ-1,关于甲,教育局,2020-06-01\n")
    #expect(titled.depth == 1 && titled.skippedAbove == 1)
    let filler = try layout("填报单位：教育局,,,填报日期：2020年6月\n编号,案由,主办单位,答复日期\nJ-1,关于甲,教育局,2020-06-01\n")
    #expect(filler.depth == 1 && filler.skippedAbove == 1)
}

@Test func aGroupWithOneSubHeaderUnderItsLastColumn() throws {
    // 办理情况 over D:E with only E's sub-header written: E is 办结日期, and the header is five wide.
    let l = try layout("建议号,案由,主办单位,办理情况\n,,,,办结日期\nJ-1,关于甲,教育局,已办结,2020-06-10\n")
    #expect(l.depth == 2)
    #expect(l.names == ["建议号", "案由", "主办单位", "办理情况", "办结日期"])
    // A row of one cell that names no field is not a sub-header row.
    let one = try layout("建议号,案由,主办单位,,\n,,,,x\nJ-1,关于甲,教育局,,\n")
    #expect(one.depth == 1)
}
