import Testing
@testable import CaseStore

/// The value meant by one no row has: by edit distance, then by beginning, then by containing,
/// then as the screen shows a value with control characters.
@Test func theValueMeantByOneNoRowHas() {
    let units = ["教育局", "医保局\u{1B}]0;pwned\u{07}", "市场监管局", "城市管理局", "城管局"]
    #expect(Suggest.value(for: "教育厅", in: units) == "教育局")                 // one edit
    #expect(Suggest.value(for: "市场", in: units) == "市场监管局")               // begins with it
    #expect(Suggest.value(for: "管理", in: units) == "城市管理局")               // contains it
    #expect(Suggest.value(for: "城", in: units) == "城管局")                     // the shortest that begins so
    #expect(Suggest.value(for: "医保局", in: units) == "医保局\u{1B}]0;pwned\u{07}")
    #expect(Suggest.value(for: "医保局␛]0;pwned␇", in: units) == "医保局\u{1B}]0;pwned\u{07}")
    #expect(Suggest.value(for: "公安", in: units) == nil)
    #expect(Suggest.value(for: "", in: units) == nil)
}
