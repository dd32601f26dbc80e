import Testing
@testable import CaseQuery

/// The kinds and texts of the tokens, without the final `.end`.
private func lex(_ text: String) -> [(Token.Kind, String)] {
    Lexer.tokenize(text).dropLast().map { ($0.kind, $0.kind == .word ? $0.word : $0.text) }
}

private func kinds(_ text: String) -> [Token.Kind] { lex(text).map(\.0) }
private func texts(_ text: String) -> [String] { lex(text).map(\.1) }

@Suite struct LexerTests {
    @Test func keywordsAreCaseInsensitive() {
        #expect(texts("SELECT Cases WHERE x") == ["select", "cases", "where", "x"])
        let t = Lexer.tokenize("WHERE")[0]
        #expect(t.text == "WHERE" && t.word == "where" && t.isWord(.where))
    }

    @Test func chineseIdentifiers() {
        let tokens = Lexer.tokenize("主办单位 办理状态 逾期 教育局 unit_2")
        #expect(tokens.dropLast().allSatisfy { $0.kind == .word })
        #expect(tokens.dropLast().map(\.text) == ["主办单位", "办理状态", "逾期", "教育局", "unit_2"])
    }

    @Test func stringsInEveryQuoteStyle() {
        let source = #""a" 'b' “c” ‘d’ 「e」 『f』"#
        #expect(kinds(source) == Array(repeating: .string, count: 6))
        #expect(texts(source) == ["a", "b", "c", "d", "e", "f"])
    }

    @Test func doubledQuoteIsTheQuote() {
        #expect(texts(#""a""b""#) == [#"a"b"#])
        #expect(texts("'it''s'") == ["it's"])
        #expect(texts("“x””y”") == ["x”y"])
        #expect(texts(#""""#) == [""])
    }

    @Test func stringContentKeepsFullWidthCharacters() {
        #expect(texts("\"（测试）＝\"") == ["（测试）＝"])
    }

    @Test func numbersAndDecimals() {
        #expect(lex("42 3.14 0").map(\.0) == [.number, .number, .number])
        #expect(texts("42 3.14 0") == ["42", "3.14", "0"])
    }

    @Test func percentagesAreNumbers() throws {
        // One token, its text as written; full-width ％ is %; a lone % is still an error.
        #expect(kinds("5% 12.5% ５％") == [.number, .number, .number])
        #expect(texts("5% 12.5% ５％") == ["5%", "12.5%", "5%"])
        #expect(Lexer.tokenize("5 %").map(\.kind) == [.number, .error, .end])
        // Its value is its hundredth, the same double as the fraction written out.
        #expect(Lexer.numberValue("5%") == 0.05)
        #expect(Lexer.numberValue("12.5%") == 0.125)
        #expect(Lexer.numberValue("7.3%") == 0.073)
        #expect(Lexer.numberValue("100%") == 1)
        #expect(Lexer.numberValue("42") == 42)
        for bad in ["", "%", "5%%", "1.2.3", ".5", "5.", "nan", "inf", "1e5", "-5%", " 5"] {
            #expect(Lexer.numberValue(bad) == nil, "\(bad)")
        }
        _ = try Parser.parse("select unit, share from cases group by unit having share >= 5%")
    }

    @Test func fullWidthDigits() {
        #expect(lex("１２３")[0] == (.number, "123"))
    }

    @Test func dateLiterals() {
        #expect(lex("2020-09-30")[0] == (.date, "2020-09-30"))
        #expect(lex("2020-9-3")[0] == (.date, "2020-9-3"))
        #expect(lex("2020-02-31")[0] == (.date, "2020-02-31"))
        // not a date: year-month only
        #expect(kinds("2020-09") == [.number, .symbol, .number])
    }

    @Test func durations() {
        #expect(texts("7d 2w 1m 1y 3D") == ["7d", "2w", "1m", "1y", "3d"])
        #expect(kinds("7d 2w 1m 1y") == Array(repeating: .duration, count: 4))
        #expect(texts("7天 2周") == ["7d", "2w"])
        #expect(kinds("today-7d") == [.word, .symbol, .duration])
    }

    @Test func invalidNumberIsAnError() {
        let t = Lexer.tokenize("7dx")[0]
        #expect(t.kind == .error)
        #expect(t.text == "invalid number \"7dx\"")
    }

    @Test func parameters() {
        #expect(lex("$unit")[0] == (.parameter, "unit"))
        #expect(lex("$单位")[0] == (.parameter, "单位"))
        let bad = Lexer.tokenize("$ x")[0]
        #expect(bad.kind == .error && bad.text.contains("parameter name"))
    }

    @Test func commentsRunToEndOfLine() {
        #expect(texts("select -- a comment = (\ncases") == ["select", "cases"])
        #expect(kinds("-- only a comment") == [])
    }

    @Test func operatorsAndTheirSpellings() {
        #expect(texts("= == != <> < <= > >= ( ) , ; * + -") ==
                ["=", "=", "!=", "!=", "<", "<=", ">", ">=", "(", ")", ",", ";", "*", "+", "-"])
    }

    @Test func fullWidthPunctuationIsASCII() {
        #expect(texts("＝ （ ） ， ！＝ ＜ ＞ ≤ ≥ ； ＊ 、") ==
                ["=", "(", ")", ",", "!=", "<", ">", "<=", ">=", ";", "*", ","])
        #expect(lex("＄单位")[0] == (.parameter, "单位"))
        #expect(texts("a\u{3000}b") == ["a", "b"])
    }

    @Test func chineseKeywordAliases() {
        #expect(texts("且 或 非 不 今天 包含 是 否") ==
                ["and", "or", "not", "not", "today", "contains", "true", "false"])
        #expect(texts("为空") == ["is", "empty"])
        #expect(texts("不为空") == ["is", "not", "empty"])
        #expect(texts("不包含") == ["not", "contains"])
        // only whole words: 不予采纳 is a name
        #expect(texts("不予采纳") == ["不予采纳"])
    }

    @Test func strayCharactersAreErrorTokens() {
        let tokens = Lexer.tokenize("a # b @")
        #expect(tokens.map(\.kind) == [.word, .error, .word, .error, .end])
        #expect(tokens[1].text == "unexpected character \"#\"")
        #expect(tokens[1].range.start == SourcePosition(line: 1, column: 3, offset: 2))
        #expect(tokens[3].text == "unexpected character \"@\"")
        #expect(Lexer.tokenize("!")[0].kind == .error)
    }

    @Test func unterminatedStringPointsAtOpeningQuote() {
        let tokens = Lexer.tokenize("x = \"教育局")
        let t = tokens[2]
        #expect(t.kind == .error && t.unterminated)
        #expect(t.text == "unterminated string")
        #expect(t.range.start == SourcePosition(line: 1, column: 5, offset: 4))
        #expect(t.range.end.offset == 5)
    }

    @Test func positionsOnMultiLineInputCountCharacters() {
        let tokens = Lexer.tokenize("select 案件\n  where 主办单位 = \"教育局\"\r\n and x")
        func at(_ i: Int) -> SourcePosition { tokens[i].range.start }
        #expect(at(0) == SourcePosition(line: 1, column: 1, offset: 0))
        #expect(at(1) == SourcePosition(line: 1, column: 8, offset: 7))
        #expect(tokens[1].range.end == SourcePosition(line: 1, column: 10, offset: 9))
        #expect(at(2) == SourcePosition(line: 2, column: 3, offset: 12))
        #expect(at(3) == SourcePosition(line: 2, column: 9, offset: 18))
        #expect(at(4) == SourcePosition(line: 2, column: 14, offset: 23))
        #expect(at(5) == SourcePosition(line: 2, column: 16, offset: 25))
        #expect(tokens[5].range.end.column == 21)
        // "\r\n" is one Character
        #expect(at(6) == SourcePosition(line: 3, column: 2, offset: 32))
        #expect(tokens.last!.kind == .end)
        #expect(tokens.last!.range.start == SourcePosition(line: 3, column: 7, offset: 37))
    }

    @Test func megabyteStringIsOneErrorToken() {
        let source = "x = \"" + String(repeating: "a", count: 1 << 20) + "\" and y"
        let tokens = Lexer.tokenize(source)
        #expect(tokens.map(\.kind) == [.word, .symbol, .error, .word, .word, .end])
        #expect(tokens[2].text.hasPrefix("string literal too long"))
        #expect(tokens[2].range.start.column == 5)
    }

    @Test func stringAtTheLimitIsAccepted() {
        let body = String(repeating: "教", count: Lexer.maxStringBytes / 3)
        let tokens = Lexer.tokenize("'" + body + "'")
        #expect(tokens[0].kind == .string)
        #expect(tokens[0].text.count == body.count)
    }

    /// A statement ending in a keyword goes on exactly when the table says the keyword needs more.
    @Test func keywordsThatNeedMoreKeepTheStatementOpen() {
        for k in Keyword.allCases where k != .count {
            let text = "count cases where x = 1 and y " + k.spelling
            #expect((Parser.completeness(of: text) == .incomplete) == k.needsMore, "\(k)")
        }
        #expect(Parser.completeness(of: "count") == .incomplete)
        #expect(Parser.completeness(of: "select cases group by count") == .complete)
    }

    @Test func alwaysEndsWithEnd() {
        #expect(Lexer.tokenize("").map(\.kind) == [.end])
        #expect(Lexer.tokenize("   \n ").map(\.kind) == [.end])
    }
}
