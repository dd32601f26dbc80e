import CaseQuery

/// Cuts a script into dot-command lines and statements, each with the line and column where it
/// starts. A statement ends at `;`, or at the end of a line when it is complete and the next
/// line that has something on it starts a new statement (select, count, explain, expect, a
/// dot-command) or the script ends. So a `where` on its own line continues the statement above.
public enum ScriptSplitter {
    public struct Chunk: Equatable {
        public enum Kind: Equatable { case dot, statement }
        public var kind: Kind
        public var text: String
        public var line: Int
        public var column: Int
    }

    static let statementStarts: Set<String> = ["select", "count", "explain", "expect"]

    /// The rule that ends a complete statement without `;` (scripts and the interactive shell
    /// alike): whether `line`, the next line with something on it, starts a new statement or
    /// a dot-command. Otherwise it continues the statement above (`  order by deadline;`).
    public static func startsStatement(_ line: String) -> Bool {
        let t = line.trimmingCharacters(in: " \t\u{3000}\r")
        if t.hasPrefix(".") { return true }
        return statementStarts.contains(t.prefix { $0.isLetter }.lowercased())
    }

    /// Whether `line` has nothing on it for the statement rule: empty, or a `--` comment.
    public static func isBlank(_ line: String) -> Bool {
        let t = line.trimmingCharacters(in: " \t\u{3000}\r")
        return t.isEmpty || t.hasPrefix("--")
    }

    public static func split(_ script: String) -> [Chunk] {
        let lines = script.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        var chunks: [Chunk] = []
        var buffer = ""
        var start = (line: 0, column: 0)

        func startsStatement(_ k: Int) -> Bool {
            var j = k
            while j < lines.count {
                if isBlank(lines[j]) { j += 1; continue }
                return ScriptSplitter.startsStatement(lines[j])
            }
            return true   // end of script
        }

        func emit(_ text: String, line: Int, column: Int) {
            if Lexer.tokenize(text).allSatisfy({ $0.kind == .end || $0.isSymbol(";") }) { return }
            chunks.append(Chunk(kind: .statement, text: text, line: line, column: column))
        }

        for (i, line) in lines.enumerated() {
            let lineNo = i + 1
            let trimmed = line.trimmingCharacters(in: " \t\u{3000}")
            if buffer.isEmpty {
                if trimmed.isEmpty || trimmed.hasPrefix("--") { continue }
                if trimmed.hasPrefix(".") {
                    chunks.append(Chunk(kind: .dot, text: trimmed, line: lineNo, column: 1))
                    continue
                }
                let lead = line.prefix { $0 == " " || $0 == "\t" || $0 == "\u{3000}" }.count
                start = (lineNo, lead + 1)
                buffer = String(line.dropFirst(lead))
            } else {
                buffer += "\n" + line
            }
            // Split at each `;` outside strings and comments.
            while true {
                let tokens = Lexer.tokenize(buffer)
                if tokens.contains(where: { $0.unterminated }) { break }
                guard let semi = tokens.first(where: { $0.isSymbol(";") }) else { break }
                let chars = Array(buffer)
                let text = String(chars[0..<semi.range.start.offset])
                emit(text, line: start.line, column: start.column)
                let rest = chars[semi.range.end.offset...]
                // Where the rest starts, for positions.
                let restLine = start.line + semi.range.end.line - 1
                let restColumn = (semi.range.end.line == 1 ? start.column - 1 : 0) + semi.range.end.column
                let lead = rest.prefix { $0 == " " || $0 == "\t" || $0 == "\u{3000}" }.count
                buffer = String(rest.dropFirst(lead))
                start = (restLine, restColumn + lead)
                if buffer.hasPrefix("--") { buffer = "" }
                if buffer.isEmpty { break }
            }
            if buffer.isEmpty { continue }
            if Parser.completeness(of: buffer) == .complete && startsStatement(i + 1) {
                emit(buffer, line: start.line, column: start.column)
                buffer = ""
            }
        }
        if !buffer.isEmpty { emit(buffer, line: start.line, column: start.column) }
        return chunks
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
