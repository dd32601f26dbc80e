import Foundation
import Testing
@testable import CaseQuery

// grammar/caseql.ebnf is the source of truth: every syntactic rule must be the doc comment of a
// parse function in Parser.swift, and every lexical rule (after the "(* @lexical" marker) a doc
// comment in Lexer.swift, written exactly as in the grammar (whitespace aside); and neither
// file may document a rule the grammar lacks.

private let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // CaseQueryTests
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()  // package root

private func read(_ path: String) throws -> String {
    try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
}

struct Production: Equatable, CustomStringConvertible {
    var name: String
    var body: String
    var description: String { "\(name) = \(body) ;" }
}

/// `text` with EBNF comments removed; quotes are respected outside comments.
func stripComments(_ text: String) -> String {
    let chars = Array(text)
    var out = ""
    var i = 0
    var quote: Character?
    while i < chars.count {
        let c = chars[i]
        if let q = quote {
            out.append(c)
            if c == q { quote = nil }
            i += 1
        } else if c == "(" && i + 1 < chars.count && chars[i + 1] == "*" {
            i += 2
            while i < chars.count && !(chars[i] == "*" && i + 1 < chars.count && chars[i + 1] == ")") { i += 1 }
            i += 2
            out.append(" ")
        } else {
            if c == "\"" || c == "'" { quote = c }
            out.append(c)
            i += 1
        }
    }
    return out
}

/// Splits at ";" outside quotes; returns the pieces before each ";" (a trailing rest is dropped).
func splitProductions(_ text: String) -> [String] {
    var pieces: [String] = []
    var piece = ""
    var quote: Character?
    for c in text {
        if let q = quote {
            if c == q { quote = nil }
            piece.append(c)
        } else if c == ";" {
            pieces.append(piece)
            piece = ""
        } else {
            if c == "\"" || c == "'" { quote = c }
            piece.append(c)
        }
    }
    return pieces
}

func normalizeSpace(_ s: String) -> String {
    s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
}

/// `name = body` as a production, if it has that shape.
func production(_ text: String) -> Production? {
    guard let eq = text.firstIndex(of: "=") else { return nil }
    let name = normalizeSpace(String(text[..<eq]))
    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0 == "_" }) else { return nil }
    return Production(name: name, body: normalizeSpace(String(text[text.index(after: eq)...])))
}

func ebnfProductions(_ text: String) -> [Production] {
    splitProductions(stripComments(text)).compactMap { piece in
        normalizeSpace(piece).isEmpty ? nil : production(piece) ?? Production(name: "<malformed: \(piece)>", body: "")
    }
}

/// The productions written in `///` doc comments: a doc line starting with `name =` begins one,
/// which runs to the first ";" outside quotes (over following doc lines if needed).
func documentedProductions(_ swift: String) -> [Production] {
    var result: [Production] = []
    var pending: String?
    for line in swift.split(separator: "\n", omittingEmptySubsequences: false) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("///") else { pending = nil; continue }
        let doc = String(trimmed.dropFirst(3))
        if pending == nil {
            let words = doc.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
            guard words.count >= 2, words[1] == "=",
                  words[0].allSatisfy({ $0.isLetter || $0 == "_" }) else { continue }
            pending = ""
        }
        pending! += doc + "\n"
        if let piece = splitProductions(pending!).first {
            if let p = production(piece) { result.append(p) }
            pending = nil
        }
    }
    return result
}

/// The rule names a production body refers to (outside quotes and ? special sequences ?).
func references(_ body: String) -> Set<String> {
    var names: Set<String> = []
    var word = ""
    var quote: Character?
    for c in body + " " {
        if let q = quote {
            if c == q { quote = nil }
            continue
        }
        if c.isLetter || c == "_" {
            word.append(c)
            continue
        }
        if !word.isEmpty { names.insert(word); word = "" }
        if c == "\"" || c == "'" || c == "?" { quote = c }
    }
    return names
}

@Suite struct GrammarConsistencyTests {
    let grammar: String
    let syntactic: [Production]
    let lexical: [Production]

    init() throws {
        grammar = try read("grammar/caseql.ebnf")
        let marker = grammar.range(of: "(* @lexical")
        let cut = marker?.lowerBound ?? grammar.endIndex
        syntactic = ebnfProductions(String(grammar[..<cut]))
        lexical = ebnfProductions(String(grammar[cut...]))
    }

    @Test func grammarHasBothSections() {
        #expect(grammar.contains("(* @lexical"))
        #expect(syntactic.count >= 15)
        #expect(lexical.count >= 6)
        #expect(!syntactic.contains { $0.name.hasPrefix("<malformed") })
        #expect(!lexical.contains { $0.name.hasPrefix("<malformed") })
    }

    @Test func noRuleIsDefinedTwice() {
        let names = (syntactic + lexical).map(\.name)
        #expect(Set(names).count == names.count, "duplicates in \(names)")
    }

    @Test func everyReferencedRuleIsDefined() {
        let defined = Set((syntactic + lexical).map(\.name))
        for p in syntactic + lexical {
            let missing = references(p.body).subtracting(defined)
            #expect(missing.isEmpty, "\(p.name) refers to undefined \(missing.sorted())")
        }
    }

    @Test func parserImplementsExactlyTheSyntacticRules() throws {
        let documented = documentedProductions(try read("Sources/CaseQuery/Parser.swift"))
        compare(grammar: syntactic, documented: documented, file: "Parser.swift")
    }

    @Test func lexerImplementsExactlyTheLexicalRules() throws {
        let documented = documentedProductions(try read("Sources/CaseQuery/Lexer.swift"))
        compare(grammar: lexical, documented: documented, file: "Lexer.swift")
    }

    /// The `script` rule says statements need a ";" between them; the parser must agree on the
    /// cases where a grammar and a parser most often part: two statements with no separator,
    /// empty statements, and a trailing ";".
    @Test func scriptRuleAndParserAgreeOnSeparators() throws {
        let script = try #require(syntactic.first { $0.name == "script" })
        #expect(script.body == "{ \";\" } [ statement { \";\" [ statement ] } ]")
        #expect(throws: (any Error).self) { try Parser.parseScript("count cases count units") }
        #expect(try Parser.parseScript("count cases;;count units;").count == 2)
        #expect(try Parser.parseScript(";; count cases").count == 1)
        #expect(try Parser.parseScript(";").isEmpty)
        #expect(try Parser.parseScript("").isEmpty)
        let ranges = try Parser.parseScript("count cases ;\ncount units").map(\.1)
        #expect(ranges.map { $0.end.column } == [12, 12], "a statement's range ends before its \";\"")
    }

    /// The words the syntactic rules quote are exactly the keyword table's (Keyword.swift), and
    /// the grammar's header lists the reserved ones and the Chinese aliases as the table has them.
    @Test func grammarAndKeywordTableNameTheSameWords() throws {
        var quoted: Set<String> = []
        for p in syntactic {
            var rest = Substring(p.body)
            while let open = rest.firstIndex(of: "\"") {
                let after = rest[rest.index(after: open)...]
                guard let close = after.firstIndex(of: "\"") else { break }
                let word = String(after[..<close])
                if word.count > 1, word.allSatisfy({ $0.isLetter }) { quoted.insert(word) }
                rest = after[after.index(after: close)...]
            }
        }
        #expect(quoted == Set(Keyword.allCases.map(\.spelling)),
                "grammar only: \(quoted.subtracting(Keyword.allCases.map(\.spelling)).sorted()); table only: \(Set(Keyword.allCases.map(\.spelling)).subtracting(quoted).sorted())")

        let header = try #require(grammar.components(separatedBy: "(* ---").first)
        let reservedLine = try #require(header.components(separatedBy: "bare names in a value:\n").last?
            .components(separatedBy: "Other words").first)
        let reserved = Set(reservedLine.split(whereSeparator: { $0.isWhitespace }).map(String.init))
        #expect(reserved == Set(Keyword.allCases.filter(\.isReserved).map(\.spelling)))

        let aliasText = try #require(header.components(separatedBy: "(whole words only):").last?
            .components(separatedBy: "Full-width").first)
        var aliases: [String: [Keyword]] = [:]
        // `且 = and    为空 = is empty`: a Chinese word, "=", then ASCII keywords up to the next Chinese word.
        var current: String?
        for word in aliasText.split(whereSeparator: { $0.isWhitespace }).map(String.init) where word != "=" {
            if let k = Keyword(word: word), let c = current { aliases[c, default: []].append(k) } else { current = word }
        }
        #expect(aliases == Keyword.chineseAliases)
    }

    /// Every keyword lexes as itself, in any ASCII case, and every alias as the tokens it stands for.
    @Test func keywordTableDrivesTheLexer() {
        for k in Keyword.allCases {
            #expect(Lexer.tokenize(k.spelling.uppercased()).first?.isWord(k) == true, "\(k)")
        }
        for (alias, keywords) in Keyword.chineseAliases {
            let tokens = Lexer.tokenize(alias).filter { $0.kind != .end }
            #expect(tokens.count == keywords.count && zip(tokens, keywords).allSatisfy { $0.isWord($1) }, "\(alias)")
        }
    }

    @Test func theCheckerSeesAMismatch() {
        // The extraction itself: a doc comment differing from the grammar must be noticed.
        let doc = "/// expr = and_expr { \"or\" and_expr }\n///      | other ;\nfunc f() {}\n"
        let found = documentedProductions(doc)
        #expect(found == [Production(name: "expr", body: "and_expr { \"or\" and_expr } | other")])
        #expect(found.first?.body != syntactic.first { $0.name == "expr" }?.body)
        #expect(references("a { \"b\" c } ? d e ? 'f'") == ["a", "c"])
        #expect(ebnfProductions("(* x = y ; *) a = \";\" b ; (* c *)") == [Production(name: "a", body: "\";\" b")])
    }

    private func compare(grammar: [Production], documented: [Production], file: String) {
        let documentedNames = Set(documented.map(\.name))
        let grammarNames = Set(grammar.map(\.name))
        for rule in grammar where !documentedNames.contains(rule.name) {
            Issue.record("grammar rule `\(rule.name)` has no doc comment in \(file)")
        }
        for rule in documented where !grammarNames.contains(rule.name) {
            Issue.record("\(file) documents `\(rule.name)`, which grammar/caseql.ebnf lacks")
        }
        let names = documented.map(\.name)
        #expect(Set(names).count == names.count, "\(file) documents a rule twice: \(names)")
        for rule in grammar {
            guard let doc = documented.first(where: { $0.name == rule.name }) else { continue }
            #expect(doc.body == rule.body, "\(file) documents `\(rule.name)` differently:\n  grammar: \(rule)\n  \(file): \(doc)")
        }
    }
}
