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

    /// The rarer errors (a lexer's bad token, a day that is not one, a list grouped by, a field
    /// neither grouped nor aggregated, an aggregate in where) are written in Chinese too, with the
    /// same position.
    @Test func rarerErrorsReadInChinese() throws {
        let cases: [(String, String, String)] = [
            ("select cases where unit = \"教育局", "unterminated string", "字符串没有闭合"),
            ("select cases where deadline > 2020-02-30", "2020-02-30 is not a day (2020-02 has 29 days)", "2020-02-30 不是日期（2020-02 只有 29 天）"),
            ("select unit, count from cases group by co_units", "cannot group by `co_units`", "不能按 `co_units` 分组"),
            ("select title, count from cases group by unit", "`title` is neither grouped nor aggregated", "`title` 既未分组也未聚合"),
            ("select cases where count(*) > 1", "`count(…)` is an aggregate", "`count(…)` 是聚合"),
            ("select cases where unit = 1x", "invalid number \"1x\"", "无效的数字 \"1x\""),
            ("select cases where unit = $", "expected a parameter name after \"$\"", "\"$\" 之后应为参数名"),
            ("select avg(deadline) from cases group by unit", "avg of a date makes no sense", "日期不能求 avg"),
            ("select month(unit) from cases group by month(unit)", "month takes a date; `unit` is text", "month 取日期；`unit` 是文本"),
        ]
        for (text, en, zh) in cases {
            let e = try error(text)
            #expect(e.text.en.hasPrefix(en), "\(text): \(e.text.en)")
            #expect(e.text.zh.hasPrefix(zh), "\(text): \(e.text.zh)")
            let a = e.rendered(source: text).split(separator: "\n"), b = e.rendered(source: text, chinese: true).split(separator: "\n")
            #expect(a[0].prefix { $0 != " " } == b[0].prefix { $0 != " " }, "the same position")
            #expect(a[1...2] == b[1...2], "the same carets")
        }
    }
}

