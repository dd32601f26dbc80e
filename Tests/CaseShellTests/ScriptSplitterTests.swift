import Testing
@testable import CaseQuery
@testable import CaseShell

// Issue 17 (CRLF scripts, long scripts) and issue 16 (positions without padding).

@Suite struct ScriptSplitterTests {
    typealias Chunk = ScriptSplitter.Chunk
    private func dot(_ t: String, _ l: Int) -> Chunk { Chunk(kind: .dot, text: t, line: l, column: 1) }
    private func stmt(_ t: String, _ l: Int, _ c: Int = 1) -> Chunk { Chunk(kind: .statement, text: t, line: l, column: c) }

    @Test func crlfAndCrLinesSplitAsLfLinesDo() {
        let lf = ".set u 教育局\ncount cases where unit = $u\n.mode csv\nselect id from cases\n  where unit = $u\n\n-- done\ncount units; count events\n"
        let expected = [dot(".set u 教育局", 1), stmt("count cases where unit = $u", 2), dot(".mode csv", 3),
                        stmt("select id from cases\n  where unit = $u", 4), stmt("count units", 8),
                        stmt("count events", 8, 14)]
        #expect(ScriptSplitter.split(lf) == expected)
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let got = ScriptSplitter.split(crlf).map { c -> Chunk in
            var c = c; c.text = c.text.replacingOccurrences(of: "\r\n", with: "\n"); return c
        }
        #expect(got == expected)
        #expect(ScriptSplitter.split(crlf)[0].text == ".set u 教育局")   // no \r in the value
        let cr = lf.replacingOccurrences(of: "\n", with: "\r")
        #expect(ScriptSplitter.split(cr).map(\.line) == expected.map(\.line))
    }

    @Test func manyStatementsOnOneLine() {
        let script = String(repeating: "count cases;", count: 20_000)
        let chunks = ScriptSplitter.split(script)
        #expect(chunks.count == 20_000)
        #expect(chunks.allSatisfy { $0.text == "count cases" && $0.line == 1 })
        #expect(chunks.last?.column == 19_999 * 12 + 1)
    }

    @Test func oneStatementOverManyLines() {
        let script = "select id from cases where\n" + Array(repeating: "unit = \"教育局\" or", count: 20_000)
            .joined(separator: "\n") + "\nunit = \"财政局\"\ncount units"
        let chunks = ScriptSplitter.split(script)
        #expect(chunks.count == 2)
        #expect(chunks[0].text.split(separator: "\n").count == 20_002)
        #expect(chunks[1] == stmt("count units", 20_003))
    }

    @Test func statementRulesKept() {
        // a complete line followed by a continuing line; a trailing `and` continues; an open
        // parenthesis continues; a runaway string runs to the end
        #expect(ScriptSplitter.split("select cases\n  order by deadline\ncount units")
                    == [stmt("select cases\n  order by deadline", 1), stmt("count units", 3)])
        #expect(ScriptSplitter.split("select cases where a and\nselect") == [stmt("select cases where a and\nselect", 1)])
        #expect(ScriptSplitter.split("count cases where (a\n.mode csv\n)") == [stmt("count cases where (a\n.mode csv\n)", 1)])
        #expect(ScriptSplitter.split("count cases where t = \"x\n.mode csv\ncount units")
                    == [stmt("count cases where t = \"x\n.mode csv\ncount units", 1)])
        #expect(ScriptSplitter.split(";;\n  ;  -- nothing\n") == [])
        #expect(ScriptSplitter.split("count cases; -- c\n  count units ;count events")
                    == [stmt("count cases", 1), stmt("count units ", 2, 3), stmt("count events", 2, 16)])
    }

    /// Every statement start of the keyword table begins a new statement after a complete line
    /// (pivot was once missing from the splitter's own copy of the list).
    @Test func everyStatementStartBeginsAStatement() {
        for k in Keyword.statementStarts {
            let next = k == .pivot ? "pivot count by unit, status from cases" : k.spelling.uppercased() + " count units"
            #expect(ScriptSplitter.split("count cases\n" + next).count == 2, "\(k)")
        }
        #expect(ScriptSplitter.split("count cases\nwhere unit = x").count == 1)
    }

    @Test func positionsCountFromWhereTheStatementStarts() {
        let start = SourcePosition(line: 20_001, column: 9, offset: 0)
        do {
            _ = try Parser.parse("select cases\nwhere @", from: start)
        } catch {
            #expect(error.range.start.line == 20_002)
            #expect(error.range.start.column == 7)
            #expect(error.rendered(source: "select cases\nwhere @", name: "s.cql", startColumn: 9)
                        .hasPrefix("s.cql:20002:7: error: unexpected character \"@\"\n  where @\n        ^"))
        }
        do {
            _ = try Parser.parse("select cases where @", from: start)
        } catch {
            #expect(error.range.start.column == 9 + 19)
            #expect(error.rendered(source: "select cases where @", name: "s.cql", startColumn: 9)
                        == "s.cql:20001:28: error: unexpected character \"@\"\n          select cases where @\n                             ^")
        }
    }
}
