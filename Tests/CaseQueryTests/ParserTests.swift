import Testing
@testable import CaseQuery
import CaseStore

// MARK: - Helpers: the tree as a compact S-expression, without ranges

func show(_ v: ValueExpr) -> String {
    switch v {
    case .name(let i): return i.text
    case .string(let s, _): return "\"\(s)\""
    case .number(let d, let text, _): return "#\(text)=\(d)"
    case .date(let y, let m, let d, _, _): return "date(\(y),\(m),\(d))"
    case .bool(let b, _): return b ? "true" : "false"
    case .today: return "today"
    case .offset(let base, let sign, let amount, let unit, _):
        return "(\(sign > 0 ? "+" : "-") \(show(base)) \(amount)\(unit.rawValue))"
    case .parameter(let i): return "$\(i.text)"
    case .call(let f, let args, let star, _):
        return "\(f.text)(\(star ? "*" : args.map(show).joined(separator: ",")))"
    case .condition(let e, _): return show(e)
    case .distinct(let v, _): return "(distinct \(show(v)))"
    case .related(let s, let e, _): return "(\(s.text) where \(e.map(show) ?? ""))"
    }
}

func show(_ e: Expr) -> String {
    switch e {
    case .and(let terms): return "(and \(terms.map(show).joined(separator: " ")))"
    case .or(let terms): return "(or \(terms.map(show).joined(separator: " ")))"
    case .not(let a, _): return "(not \(show(a)))"
    case .compare(let a, let op, let b, _): return "(\(op.rawValue) \(show(a)) \(show(b)))"
    case .inList(let a, let list, let neg, _):
        return "(\(neg ? "not-in" : "in") \(show(a)) [\(list.map(show).joined(separator: " "))])"
    case .between(let a, let lo, let hi, let neg, _):
        return "(\(neg ? "not-between" : "between") \(show(a)) \(show(lo)) \(show(hi)))"
    case .contains(let a, let b, let neg, _):
        return "(\(neg ? "not-contains" : "contains") \(show(a)) \(show(b)))"
    case .isEmpty(let a, let neg, _): return "(\(neg ? "not-empty" : "empty") \(show(a)))"
    case .truthy(let v): return "(? \(show(v)))"
    case .was(let f, let values, let neg, let on, _):
        return "(\(neg ? "was-not" : "was") \(f.text) [\(values.map(show).joined(separator: " "))]\(on.map { " on " + show($0) } ?? ""))"
    case .exists(let s, let e, _): return "(exists \(s.text)\(e.map { " " + show($0) } ?? ""))"
    case .changed(let f, let c, let neg, _):
        var parts = [neg ? "not-changed" : "changed", f.text]
        if let v = c.from { parts.append("from=\(show(v))") }
        if let v = c.to { parts.append("to=\(show(v))") }
        if let v = c.after { parts.append("after=\(show(v))") }
        if let v = c.before { parts.append("before=\(show(v))") }
        if let (a, b) = c.during { parts.append("during=\(show(a))..\(show(b))") }
        if let v = c.by { parts.append("by=\(show(v))") }
        return "(" + parts.joined(separator: " ") + ")"
    }
}

func query(_ text: String) throws -> Query {
    guard case .query(let q) = try Parser.parse(text) else {
        Issue.record("not a query: \(text)")
        return Query(verb: .select, source: Identifier("", SourceRange(.start, .start)),
                     range: SourceRange(.start, .start))
    }
    return q
}

/// The where clause of `select cases where <condition>`.
func condition(_ text: String) throws -> String {
    let q = try query("select cases where " + text)
    return q.filter.map(show) ?? "<none>"
}

/// The error parsing `text` gives, or nil.
func parseError(_ text: String) -> QueryError? {
    do {
        _ = try Parser.parse(text)
        return nil
    } catch {
        return error
    }
}

func items(_ q: Query) -> [String] {
    q.items.map {
        switch $0 {
        case .all: return "*"
        case .value(let v, let alias): return show(v) + (alias.map { " as \($0.text)" } ?? "")
        }
    }
}

// MARK: - Tests

@Suite struct ParserTests {
    @Test func designCardExampleVerbatim() throws {
        let q = try query(#"select proposals where unit="教育局" and status=overdue"#)
        #expect(q.verb == .select)
        #expect(q.source.text == "proposals")
        #expect(q.items.isEmpty)
        #expect(q.filter.map(show) == #"(and (= unit "教育局") (= status overdue))"#)
        #expect(q.range == SourceRange(SourcePosition(line: 1, column: 1, offset: 0),
                                       SourcePosition(line: 1, column: 53, offset: 52)))
    }

    @Test func chineseFieldsWithFullWidthPunctuation() throws {
        #expect(try condition(#"主办单位＝“教育局” and 办理状态＝逾期"#)
                == #"(and (= 主办单位 "教育局") (= 办理状态 逾期))"#)
        #expect(try condition("（主办单位＝“教育局” 或 主办单位＝「卫健委」） 且 办理状态！＝已办结")
                == #"(and (or (= 主办单位 "教育局") (= 主办单位 "卫健委")) (!= 办理状态 已办结))"#)
        #expect(try condition("主办单位 in （“教育局”，“卫健委”）") == #"(in 主办单位 ["教育局" "卫健委"])"#)
        #expect(try condition("件数 ≥ １０ and 件数 ≤ ２０") == "(and (>= 件数 #10=10.0) (<= 件数 #20=20.0))")
        #expect(try condition("备注 为空") == "(empty 备注)")
        #expect(try condition("备注 不为空") == "(not-empty 备注)")
        #expect(try condition("标题 包含 “午餐” 且 非 重点督办") == #"(and (contains 标题 "午餐") (not (? 重点督办)))"#)
        #expect(try condition("标题 不包含 '午餐'") == #"(not-contains 标题 "午餐")"#)
        #expect(try condition("重点督办 = 是") == "(= 重点督办 true)")
        #expect(try condition("截止日期 < 今天") == "(< 截止日期 today)")
    }

    @Test func precedenceNotAndOr() throws {
        #expect(try condition("a or b and not c") == "(or (? a) (and (? b) (not (? c))))")
        #expect(try condition("a and b or c") == "(or (and (? a) (? b)) (? c))")
        #expect(try condition("not a and b") == "(and (not (? a)) (? b))")
        #expect(try condition("not not a") == "(not (not (? a)))")
        #expect(try condition("(a or b) and c") == "(and (or (? a) (? b)) (? c))")
        #expect(try condition("a or b or c") == "(or (? a) (? b) (? c))")
        #expect(try condition("a or (b or c)") == "(or (? a) (or (? b) (? c)))")
        #expect(try condition("a AND b OR NOT c") == "(or (and (? a) (? b)) (not (? c)))")
    }

    @Test func comparisons() throws {
        #expect(try condition("a = 1") == "(= a #1=1.0)")
        #expect(try condition("a == 1") == "(= a #1=1.0)")
        #expect(try condition("a != 'x'") == #"(!= a "x")"#)
        #expect(try condition("a <> 'x'") == #"(!= a "x")"#)
        #expect(try condition("a < 2.5") == "(< a #2.5=2.5)")
        #expect(try condition("a <= b") == "(<= a b)")
        #expect(try condition("a > b") == "(> a b)")
        #expect(try condition("a >= b") == "(>= a b)")
    }

    @Test func inBetweenContainsEmpty() throws {
        #expect(try condition("status in (overdue, returned)") == "(in status [overdue returned])")
        #expect(try condition("status not in ('a')") == #"(not-in status ["a"])"#)
        #expect(try condition("deadline between 2020-01-01 and 2020-12-31")
                == "(between deadline date(2020,1,1) date(2020,12,31))")
        #expect(try condition("days_open not between 1 and 30 and x")
                == "(and (not-between days_open #1=1.0 #30=30.0) (? x))")
        #expect(try condition("title contains \"午餐\"") == #"(contains title "午餐")"#)
        #expect(try condition("title not contains \"午餐\"") == #"(not-contains title "午餐")"#)
        #expect(try condition("reply is empty") == "(empty reply)")
        #expect(try condition("reply is not empty") == "(not-empty reply)")
    }

    @Test func bareValuesAreTruthy() throws {
        #expect(try condition("key_supervised") == "(? key_supervised)")
        #expect(try condition("overdue and not closed") == "(and (? overdue) (not (? closed)))")
        #expect(try condition("true") == "(? true)")
        #expect(try condition("$flag") == "(? $flag)")
    }

    @Test func dateLiteralsAreNotValidated() throws {
        let q = try query("select cases where deadline < 2020-02-31")
        guard case .compare(_, .lt, .date(let y, let m, let d, let text, let r), _) = q.filter else {
            Issue.record("not a date comparison"); return
        }
        #expect((y, m, d, text) == (2020, 2, 31, "2020-02-31"))
        #expect(r.start.column == 31 && r.end.column == 41)
    }

    @Test func todayMinusDuration() throws {
        #expect(try condition("created > today - 7d") == "(> created (- today 7d))")
        #expect(try condition("deadline + 1m < today") == "(< (+ deadline 1m) today)")
        #expect(try condition("d >= 2020-09-30 + 2w - 1y") == "(>= d (- (+ date(2020,9,30) 2w) 1y))")
        let q = try query("select cases where created > today - 7d")
        guard case .compare(_, _, .offset(.today, -1, 7, .day, let r), _) = q.filter else {
            Issue.record("not an offset"); return
        }
        #expect(r.start.column == 30 && r.end.column == 40)
    }

    @Test func parameters() throws {
        #expect(try condition("unit = $unit") == "(= unit $unit)")
        #expect(try condition("主办单位 = ＄单位") == "(= 主办单位 $单位)")
        let q = try query("select cases where unit = $unit")
        guard case .compare(_, _, .parameter(let p), _) = q.filter else { Issue.record("no parameter"); return }
        #expect(p.text == "unit")
        #expect(p.range.start.column == 27 && p.range.end.column == 32)
    }

    @Test func selectListsAndAliases() throws {
        let q = try query("select id, title as 标题, unit from proposals where x")
        #expect(items(q) == ["id", "title as 标题", "unit"])
        #expect(q.source.text == "proposals")
        #expect(try items(query("select * from cases")) == ["*"])
        #expect(try items(query("select *, count(*) as n, min(deadline), completion_rate() from cases"))
                == ["*", "count(*) as n", "min(deadline)", "completion_rate()"])
        #expect(try items(query("select days_open + 1d from cases")) == ["(+ days_open 1d)"])
        #expect(try items(query("select max(a, b) from cases")) == ["max(a,b)"])
    }

    @Test func shortFormHasNoItems() throws {
        let q = try query("select proposals")
        #expect(q.items.isEmpty && q.source.text == "proposals" && q.filter == nil)
        #expect(try query("SELECT 建议").source.text == "建议")
    }

    @Test func groupByHavingOrderByLimitOffset() throws {
        let q = try query("select unit, count, completion_rate from cases group by unit having count > 10 order by completion_rate desc limit 5 offset 10")
        #expect(items(q) == ["unit", "count", "completion_rate"])
        #expect(q.groupBy.map(\.text) == ["unit"])
        #expect(q.having.map(show) == "(> count #10=10.0)")
        #expect(q.orderBy.map { show($0.value) } == ["completion_rate"])
        #expect(q.orderBy.map(\.descending) == [true])
        #expect(q.limit == 5 && q.offset == 10)
    }

    @Test func orderByMultipleKeys() throws {
        let q = try query("select cases order by unit, deadline + 1d desc, count(*)")
        #expect(q.orderBy.map { show($0.value) } == ["unit", "(+ deadline 1d)", "count(*)"])
        #expect(q.orderBy.map(\.descending) == [false, true, false])
        let r = try query("select cases order by unit, deadline desc, days_open asc")
        #expect(r.orderBy.map { show($0.value) } == ["unit", "deadline", "days_open"])
        #expect(r.orderBy.map(\.descending) == [false, true, false])
        #expect(r.limit == nil && r.offset == nil)
        let g = try query("select unit, 类别, count from cases group by unit, 类别")
        #expect(g.groupBy.map(\.text) == ["unit", "类别"])
    }

    @Test func countVerb() throws {
        let q = try query("count cases where status = overdue")
        #expect(q.verb == .count && q.source.text == "cases")
        #expect(q.filter.map(show) == "(= status overdue)")
        let g = try query("count cases group by unit")
        #expect(g.verb == .count && g.groupBy.map(\.text) == ["unit"])
        // count is a name anywhere but at the start
        let s = try query("select count from cases where count > 1")
        #expect(s.verb == .select && items(s) == ["count"])
        #expect(try query("count count").source.text == "count")
        #expect(try query("COUNT cases").verb == .count)
    }

    @Test func namesThatLookLikeKeywords() throws {
        #expect(try condition("status = unit and count > 0 and empty and rows and to")
                == "(and (= status unit) (> count #0=0.0) (? empty) (? rows) (? to))")
    }

    @Test func explain() throws {
        guard case .explain(let q) = try Parser.parse("explain select cases where overdue") else {
            Issue.record("not explain"); return
        }
        #expect(q.source.text == "cases" && q.filter.map(show) == "(? overdue)")
        guard case .explain(let c) = try Parser.parse("EXPLAIN count units;") else {
            Issue.record("not explain"); return
        }
        #expect(c.verb == .count)
    }

    @Test func expectations() throws {
        #expect(try Parser.parse("expect 3 rows") == .expect(Expectation(
            relation: .exactly, count: 3,
            range: SourceRange(.start, SourcePosition(line: 1, column: 14, offset: 13)))))
        guard case .expect(let a) = try Parser.parse("expect at least 1 row;"),
              case .expect(let b) = try Parser.parse("EXPECT AT MOST 10 ROWS") else {
            Issue.record("not expect"); return
        }
        #expect(a.relation == .atLeast && a.count == 1)
        #expect(b.relation == .atMost && b.count == 10)
        #expect(parseError("expect 3")?.message == #"expected "rows" after number 3 but found end of input"#)
        #expect(parseError("expect at 3 rows")?.message == #"expected "least" or "most" after "at" but found number 3"#)
    }

    @Test func wasWithAllForms() throws {
        #expect(try condition("unit was \"教育局\"") == #"(was unit ["教育局"])"#)
        #expect(try condition("status was not returned") == "(was-not status [returned])")
        #expect(try condition("unit was in (\"a\", \"b\")") == #"(was unit ["a" "b"])"#)
        #expect(try condition("unit was not in (a)") == "(was-not unit [a])")
        #expect(try condition("主办单位 was “教育局” and x") == #"(and (was 主办单位 ["教育局"]) (? x))"#)
    }

    @Test func changedWithAllClauses() throws {
        #expect(try condition("status changed") == "(changed status)")
        #expect(try condition("status not changed") == "(not-changed status)")
        #expect(try condition("status changed to closed after 2020-08-01")
                == "(changed status to=closed after=date(2020,8,1))")
        #expect(try condition("unit changed from \"a\" to \"b\" before today - 7d by \"a\"")
                == #"(changed unit from="a" to="b" before=(- today 7d) by="a")"#)
        #expect(try condition("status changed during (2020-01-01, 2020-06-30) and overdue")
                == "(and (changed status during=date(2020,1,1)..date(2020,6,30)) (? overdue))")
        #expect(try condition("status changed by $unit or x") == "(or (changed status by=$unit) (? x))")
        let e = parseError("select cases where status changed to a to b")
        #expect(e?.message == #""to" given twice in "changed""#)
        #expect(e?.range.start.column == 40)
    }

    @Test func rangesOfNodes() throws {
        let q = try query("select cases\nwhere unit = \"教育局\"\n  and status in (a, b)")
        guard case .and(let terms) = q.filter, terms.count == 2, let l = terms.first, let r = terms.last else { Issue.record("not and"); return }
        #expect(l.range == SourceRange(SourcePosition(line: 2, column: 7, offset: 19),
                                       SourcePosition(line: 2, column: 19, offset: 31)))
        #expect(r.range == SourceRange(SourcePosition(line: 3, column: 7, offset: 38),
                                       SourcePosition(line: 3, column: 23, offset: 54)))
        #expect(q.source.range.start == SourcePosition(line: 1, column: 8, offset: 7))
        #expect(q.range.end == SourcePosition(line: 3, column: 23, offset: 54))
    }

    @Test func trailingSemicolonAndComments() throws {
        #expect(try query("select cases; -- done").source.text == "cases")
        #expect(try query("-- list\nselect cases -- all of them\n").source.text == "cases")
        #expect(try query("select cases;;  ; ").source.text == "cases")
        #expect(parseError("select cases where and = 1")?.message
                == #"expected a condition after "where" but found "and""#)
        #expect(parseError("select where from cases")?.message
                == #"expected a source or a select list after "select" but found "where""#)
    }

    @Test func scripts() throws {
        let text = "select cases where x;\n;count units;\nexpect 1 row"
        let script = try Parser.parseScript(text)
        #expect(script.count == 3)
        #expect(script[0].1 == SourceRange(.start, SourcePosition(line: 1, column: 21, offset: 20)))
        #expect(script[1].1.start == SourcePosition(line: 2, column: 2, offset: 23))
        #expect(script[1].1.end == SourcePosition(line: 2, column: 13, offset: 34))
        guard case .expect(let e) = script[2].0 else { Issue.record("not expect"); return }
        #expect(e.count == 1)
        #expect(try Parser.parseScript("  -- nothing\n").isEmpty)
        #expect(throws: QueryError.self) { try Parser.parseScript("select a select b") }
        #expect(throws: QueryError.self) { try Parser.parseScript("select a; select") }
    }

    // MARK: - Errors

    @Test func emptyStatement() {
        let e = parseError("")
        #expect(e?.message == "empty statement")
        #expect(e?.range.start == .start)
        #expect(parseError("   \n\t ")?.message == "empty statement")
        #expect(parseError("-- just a comment")?.message == "empty statement")
        #expect(parseError(" ; ")?.message == "empty statement")
    }

    @Test func unterminatedString() {
        let e = parseError("select cases where unit = \"教育局")
        #expect(e?.message == "unterminated string")
        #expect(e?.range.start == SourcePosition(line: 1, column: 27, offset: 26))
        let f = parseError("select cases\nwhere unit = “教育局 and x")
        #expect(f?.message == "unterminated string")
        #expect(f?.range.start == SourcePosition(line: 2, column: 14, offset: 26))
    }

    @Test func strayCharacters() {
        let e = parseError("select cases where a = 1 # b")
        #expect(e?.message == "unexpected character \"#\"")
        #expect(e?.range.start.column == 26)
        let f = parseError("select cases where @a = 1")
        #expect(f?.message == "unexpected character \"@\"")
        #expect(f?.range.start.column == 20)
        #expect(parseError("select cases where a ! b")?.message == "unexpected character \"!\"")
    }

    @Test func tenThousandNestedParentheses() {
        let deep = "select cases where " + String(repeating: "(", count: 10_000) + "a"
            + String(repeating: ")", count: 10_000)
        let e = parseError(deep)
        #expect(e?.message == "expression nested too deeply (limit 256)")
        #expect(e?.range.start.column == 19 + 256 + 1)
        let nots = "select cases where " + String(repeating: "not ", count: 10_000) + "a"
        #expect(parseError(nots)?.message == "expression nested too deeply (limit 256)")
        let calls = "select cases where " + String(repeating: "f(", count: 10_000) + "a"
            + String(repeating: ")", count: 10_000)
        #expect(parseError(calls)?.message == "expression nested too deeply (limit 256)")
    }

    @Test func nestingJustUnderTheLimitParses() throws {
        let n = Parser.maxDepth - 1
        let text = String(repeating: "(", count: n) + "a = 1" + String(repeating: ")", count: n)
        #expect(try condition(text) == "(= a #1=1.0)")
    }

    @Test func megabyteStringLiteral() {
        let text = "select cases where title = \"" + String(repeating: "长", count: 1 << 20) + "\""
        let e = parseError(text)
        #expect(e?.message.hasPrefix("string literal too long") == true)
        #expect(e?.range.start.column == 28)
    }

    @Test func trailingGarbage() {
        let e = parseError("select cases where a = 1 b")
        #expect(e?.message == #"expected "and", "or", "group by", "having", "order by", "limit", ";" or end of input after number 1 but found "b""#)
        #expect(e?.range.start.column == 26)
        let f = parseError("select cases unit = 1")
        #expect(f?.message == #"expected "from", "where", "group by", "having", "order by", "limit", ";" or end of input after "cases" but found "unit""#)
        let g = parseError("select cases limit 5 offset 1 x")
        #expect(g?.message == #"expected ";" or end of input after number 1 but found "x""#)
        #expect(parseError("select cases; select units")?.message.hasPrefix(#"expected end of input (use a script"#) == true)
        #expect(parseError("select cases )")?.range.start.column == 14)
    }

    @Test func missingValueAfterOperator() {
        let e = parseError("select cases where unit =")
        #expect(e?.message == #"expected a value after "=" but found end of input"#)
        #expect(e?.range.start == SourcePosition(line: 1, column: 26, offset: 25))
        #expect(parseError("select cases where unit ＝ and x")?.message
                == #"expected a value after "=" but found "and""#)
        #expect(parseError("select cases where a in (1,")?.message
                == #"expected a value after "," but found end of input"#)
        #expect(parseError("select cases where a between 1")?.message
                == #"expected "and" after number 1 but found end of input"#)
        #expect(parseError("select cases where d > today -")?.message
                == #"expected a duration such as 7d, 2w, 1m or 1y after "-" but found end of input"#)
        #expect(parseError("select cases where d > today - 3")?.message
                == #"expected a duration such as 7d, 2w, 1m or 1y after "-" but found number 3"#)
    }

    @Test func otherErrorsSayWhatWasExpected() {
        #expect(parseError("select cases where")?.message == #"expected a condition after "where" but found end of input"#)
        #expect(parseError("select")?.message == #"expected a source or a select list after "select" but found end of input"#)
        #expect(parseError("select id, title where x")?.message
                == #"expected "from" after "title" but found "where""#)
        #expect(parseError("select id from")?.message
                == #"expected a source (cases, suggestions, proposals, units or events) after "from" but found end of input"#)
        #expect(parseError("selct cases")?.suggestion == "select")
        #expect(parseError("select cases where (a")?.message
                == #"expected ")" to close the "(" at 1:20 after "a" but found end of input"#)
        #expect(parseError("select cases where a not b")?.message
                == #"expected "in", "between" or "contains" after "not" but found "b""#)
        #expect(parseError("select cases where a is b")?.message == #"expected "empty" after "is" but found "b""#)
        #expect(parseError("select cases group unit")?.message == #"expected "by" after "group" but found "unit""#)
        #expect(parseError("select cases limit 1.5")?.message == #"expected an integer after "limit" but found number 1.5"#)
        #expect(parseError("select cases limit 99999999999999999999")?.message == "number 99999999999999999999 is too large")
        #expect(parseError("select cases where a in b")?.message
                == #"expected "(" and a list of values after "in" but found "b""#)
        #expect(parseError("explain expect 1 row")?.message
                == #"expected "select", "count" or "pivot" after "explain" but found "expect""#)
        #expect(parseError("select cases where x = \"a\" 7dx")?.message == #"invalid number "7dx""#)
    }

    // MARK: - Completeness

    @Test func completeness() {
        func c(_ s: String) -> StatementCompleteness { Parser.completeness(of: s) }
        #expect(c("") == .empty)
        #expect(c("   \n") == .empty)
        #expect(c("-- note") == .empty)
        #expect(c("select cases") == .complete)
        #expect(c("select cases where a = 1;") == .complete)
        #expect(c("select cases where (a = 1") == .incomplete)
        #expect(c("select cases where a in (1,\n2") == .incomplete)
        #expect(c("select cases where a = \"教育") == .incomplete)
        #expect(c("select cases where a =") == .incomplete)
        #expect(c("select cases where a ＝") == .incomplete)
        #expect(c("select id,") == .incomplete)
        #expect(c("select cases where a and") == .incomplete)
        #expect(c("select cases where a 且") == .incomplete)
        #expect(c("select cases where a or") == .incomplete)
        #expect(c("select cases where not") == .incomplete)
        #expect(c("select cases where") == .incomplete)
        #expect(c("select cases order by") == .incomplete)
        #expect(c("select cases where a in") == .incomplete)
        #expect(c("select cases where a between") == .incomplete)
        #expect(c("select cases where d > today -") == .incomplete)
        #expect(c("select") == .incomplete)
        #expect(c("count") == .incomplete)
        // complete even with an error: the parser reports it
        #expect(c("select cases where a = 1 #") == .complete)
        #expect(c("select cases where a)") == .complete)
        #expect(c("select a; select b") == .complete)
        #expect(c("select a; select b where") == .incomplete)
        #expect(c("select a;") == .complete)
    }
}

// MARK: - Suggestions and rendered diagnostics

@Suite struct SuggestAndDiagnosticsTests {
    @Test func suggestClosest() {
        let fields = ["unit", "status", "deadline", "title"]
        #expect(Suggest.closest(to: "unti", in: fields) == "unit")
        #expect(Suggest.closest(to: "UNTI", in: fields) == "unit")
        #expect(Suggest.closest(to: "statsu", in: fields) == "status")
        #expect(Suggest.closest(to: "dedline", in: fields) == "deadline")
        #expect(Suggest.closest(to: "教育厅", in: ["卫健委", "教育局", "财政局"]) == "教育局")
        #expect(Suggest.closest(to: "xyz", in: fields) == nil)
        #expect(Suggest.closest(to: "unit", in: []) == nil)
        #expect(Suggest.closest(to: "", in: fields) == nil)
        #expect(Suggest.closest(to: "tilte", in: fields, maxDistance: 0) == nil)
        #expect(Suggest.closest(to: "ab", in: ["ax", "ay"]) == "ax")
        #expect(Suggest.closest(to: "unit", in: ["units", "unit"]) == "unit")
        #expect(Suggest.distance(Array("kitten"), Array("sitting")) == 3)
        #expect(Suggest.distance(Array("ab"), Array("ba")) == 1)
    }

    @Test func displayWidths() {
        #expect(DisplayWidth.of(Character("a")) == 1)
        #expect(DisplayWidth.of(Character("教")) == 2)
        #expect(DisplayWidth.of(Character("＝")) == 2)
        #expect(DisplayWidth.of(Character("\u{3000}")) == 2)
        #expect(DisplayWidth.of(Character("e\u{301}")) == 1)
        #expect(DisplayWidth.of(Character("\u{301}")) == 0)
    }

    @Test func renderedAsInTheDesign() {
        let source = #"select cases where unti = "x""#
        let start = SourcePosition(line: 1, column: 20, offset: 19)
        let error = QueryError("unknown field `unti`",
                               at: SourceRange(start, SourcePosition(line: 1, column: 24, offset: 23)),
                               suggestion: Suggest.closest(to: "unti", in: ["unit", "status"]))
        #expect(error.rendered(source: source) == """
            query:1:20: error: unknown field `unti`
              select cases where unti = "x"
                                 ^^^^
              did you mean `unit`?
            """)
    }

    @Test func caretsAlignUnderChineseText() {
        let source = "select 案件 where 主办单位 = 教育厅"
        let error = QueryError("unknown unit `教育厅`",
                               at: SourceRange(SourcePosition(line: 1, column: 24, offset: 23),
                                               SourcePosition(line: 1, column: 27, offset: 26)),
                               suggestion: "教育局")
        // "select " 7 + "案件" 4 + " where " 7 + "主办单位" 8 + " = " 3 = 29 columns before it.
        let lines = error.rendered(source: source, name: "script.cql").split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0] == "script.cql:1:24: error: unknown unit `教育厅`")
        #expect(lines[1] == "  select 案件 where 主办单位 = 教育厅")
        #expect(lines[2] == "  " + String(repeating: " ", count: 29) + "^^^^^^")
        #expect(lines[3] == "  did you mean `教育局`?")
    }

    @Test func multiLineShowsTheLineOfTheError() {
        let source = "select cases\nwhere unit = 1\n  and 状态 ＝ #\norder by x"
        let e = parseError(source)!
        #expect(e.range.start == SourcePosition(line: 3, column: 12, offset: 39))
        #expect(e.rendered(source: source) == """
            query:3:12: error: unexpected character "#"
                and 状态 ＝ #
                            ^
            """)
    }

    @Test func endOfInputGetsOneCaretAfterTheText() {
        let source = "select cases where unit ="
        let e = parseError(source)!
        #expect(e.rendered(source: source) == """
            query:1:26: error: expected a value after "=" but found end of input
              select cases where unit =
                                       ^
            """)
    }

    @Test func parserSuggestsKeywords() {
        let source = "selct cases"
        let e = parseError(source)!
        #expect(e.rendered(source: source) == """
            query:1:1: error: expected "select", "count", "pivot", "explain" or "expect" but found "selct"
              selct cases
              ^^^^^
              did you mean `select`?
            """)
    }
}

import Foundation

@Suite struct StackTests {
    /// Parses `text` on a thread with a 512 KiB stack (a secondary thread's size on macOS).
    private func parsesOnSmallStack(_ text: String) async -> Bool {
        await withCheckedContinuation { (done: CheckedContinuation<Bool, Never>) in
            let thread = Thread {
                done.resume(returning: (try? Parser.parse(text)) != nil)
            }
            thread.stackSize = 512 * 1024
            thread.start()
        }
    }

    private func nested(_ open: String, _ inner: String, _ close: String, _ n: Int) -> String {
        "select cases where " + String(repeating: open, count: n) + inner + String(repeating: close, count: n)
    }

    @Test func deepestNestingFitsInASmallStack() async {
        let n = Parser.maxDepth - 1
        #expect(await parsesOnSmallStack(nested("(", "a = 1", ")", n)))
        #expect(await parsesOnSmallStack(nested("not ", "a", "", n)))
        #expect(await parsesOnSmallStack(nested("not (", "a = f(g(1))", ")", (Parser.maxDepth - 3) / 2)))
        // a call level costs about twice a parenthesis level in a debug build (~2 KiB)
        #expect(await parsesOnSmallStack(nested("f(", "1", ")", n / 2)))
        // and one level more is the nesting error, not a crash
        #expect(await !parsesOnSmallStack(nested("(", "a = 1", ")", n + 1)))
    }
}
