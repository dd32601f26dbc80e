import Testing
@testable import CaseQuery
@testable import CaseStore

/// Query errors say the same position, carets and quoted values in English and in Chinese.
@Suite struct QueryMessageTests {
    func error(_ text: String) throws -> QueryError {
        let e = try Tiny.engine()
        return try #require(e.error(text))
    }

    @Test func expectedButFound() throws {
        let e = try error("select cases where")
        let en = e.rendered(source: "select cases where"), zh = e.rendered(source: "select cases where", chinese: true)
        #expect(en.hasPrefix("query:1:19: error: expected "))
        #expect(en.contains("after \"where\" but found end of input"))
        #expect(zh.hasPrefix("query:1:19: 错误：\"where\" 之后应为 "))
        #expect(zh.contains("却是输入结束"))
        // The caret line is the same in both.
        #expect(en.split(separator: "\n")[1...2] == zh.split(separator: "\n")[1...2])
    }

    @Test func unknownFieldWithDidYouMean() throws {
        let text = "select cases where unti = \"教育局\""
        let e = try error(text)
        #expect(e.message == "unknown field `unti` in cases")
        #expect(e.rendered(source: text).hasSuffix("\n  did you mean `unit`?"))
        let zh = e.rendered(source: text, chinese: true)
        #expect(zh.hasPrefix("query:1:20: 错误：cases 中没有字段 `unti`\n"))
        #expect(zh.hasSuffix("\n  是不是 `unit`？"))
    }

    @Test func unknownEnumValueListsTheChoices() throws {
        let e = try error("select cases where status = clsoed")
        #expect(e.message.hasPrefix("unknown status `clsoed`; the status values are: "))
        #expect(e.text.zh.hasPrefix("status 没有 `clsoed` 这个值；status 的取值有："))
        #expect(e.text.zh.contains("closed (已办结)"))
        #expect(e.hint?.zh == "是不是 `closed`？")
    }

    @Test func unknownSourceAndTypeMismatch() throws {
        let s = try error("select casez")
        #expect(s.message == "unknown source `casez` (the sources are cases, suggestions, proposals, units, events)")
        #expect(s.text.zh == "没有数据源 `casez`（可用：cases, suggestions, proposals, units, events）")
        let t = try error("select cases where deadline = 5")
        #expect(t.message.hasPrefix("`deadline` takes a date like 2020-09-30"))
        #expect(t.text.zh.hasPrefix("`deadline` 取日期，如 2020-09-30"))
    }

    @Test func aMessageNotYetInChineseReadsTheSame() {
        let e = QueryError("something", at: SourceRange(.start, .start), suggestion: "unit")
        #expect(e.text.zh == "something")
        #expect(e.rendered(source: "x", chinese: true).hasSuffix("\n  是不是 `unit`？"))
        #expect(e.rendered(source: "x").hasSuffix("\n  did you mean `unit`?"))
    }
}
