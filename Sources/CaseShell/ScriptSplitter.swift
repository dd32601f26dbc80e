import CaseQuery

/// Cuts a script into dot-command lines and statements, each with the line and column where it
/// starts. A statement ends at `;`, or at the end of a line when it is complete and the next
/// line that has something on it starts a new statement (a word of `Keyword.statementStarts`, or a
/// dot-command) or the script ends. So a `where` on its own line continues the statement above.
public enum ScriptSplitter {
    public struct Chunk: Equatable {
        public enum Kind: Equatable { case dot, statement }
        public var kind: Kind
        public var text: String
        public var line: Int
        public var column: Int
    }

    /// The rule that ends a complete statement without `;` (scripts and the interactive shell
    /// alike): whether `line`, the next line with something on it, starts a new statement or
    /// a dot-command. Otherwise it continues the statement above (`  order by deadline;`).
    public static func startsStatement(_ line: String) -> Bool {
        let t = line.trimmingCharacters(in: " \t\u{3000}\r")
        if t.hasPrefix(".") { return true }
        return Keyword(word: t.prefix { $0.isLetter }.lowercased()).map(Keyword.statementStarts.contains) ?? false
    }

    /// Whether `line` has nothing on it for the statement rule: empty, or a `--` comment.
    public static func isBlank(_ line: String) -> Bool {
        let t = line.trimmingCharacters(in: " \t\u{3000}\r")
        return t.isEmpty || t.hasPrefix("--")
    }

    /// The script's dot-command lines and statements, in order.
    ///
    /// Lines end at any line break the lexer counts (LF, CRLF, CR), so a CRLF script splits as
    /// an LF one does. The script is read once: each statement's tokens come from one lexer over
    /// the whole text, and what decides where a statement ends is counted as they come (open
    /// parentheses, the last token), so the cost grows with the script's length, not with the
    /// number of its statements or lines times its length.
    public static func split(_ script: String) -> [Chunk] {
        var lexer = Lexer.Stream(script)
        let chars = lexer.characters
        let n = chars.count
        var chunks: [Chunk] = []

        func isSpace(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\u{3000}" }
        /// The offset of the line break ending the line that holds `offset` (or n).
        func lineEnd(_ offset: Int) -> Int {
            var k = offset
            while k < n && !chars[k].isNewline { k += 1 }
            return k
        }

        var offset = 0, line = 1   // always at the start of `line`
        while offset < n {
            let end = lineEnd(offset)
            var lead = 0
            while offset + lead < end && isSpace(chars[offset + lead]) { lead += 1 }
            let body = String(chars[(offset + lead)..<end])
            if isBlank(body) {
                offset = end + 1; line += 1
                continue
            }
            if body.hasPrefix(".") {
                chunks.append(Chunk(kind: .dot, text: body.trimmingCharacters(in: " \t\u{3000}"),
                                    line: line, column: 1))
                offset = end + 1; line += 1
                continue
            }
            // A statement from here: read its tokens until it ends.
            var start = (offset: offset + lead, line: line, column: lead + 1)
            lexer.seek(offset: start.offset, line: start.line, column: start.column)
            var count = 0, open = 0
            var last: Token?
            func emit(upTo stop: Int) {
                if count > 0 {
                    chunks.append(Chunk(kind: .statement, text: String(chars[start.offset..<stop]),
                                        line: start.line, column: start.column))
                }
            }
            statement: while true {
                let t = lexer.nextToken()
                if t.kind == .end || t.unterminated {
                    // The end of the script (an unterminated string runs to it): the rest is
                    // one statement, and the parser reports what is wrong with it.
                    if t.unterminated { count += 1 }
                    emit(upTo: t.unterminated ? n : last.map { lineEnd($0.range.end.offset) } ?? n)
                    offset = n
                    break statement
                }
                if t.isSymbol(";") {
                    emit(upTo: t.range.start.offset)
                    // What follows on the same line starts the next statement, unless it is
                    // empty or a comment; then the next line is looked at afresh.
                    var k = t.range.end.offset, column = t.range.end.column
                    while k < n && isSpace(chars[k]) { k += 1; column += 1 }
                    if k >= n || chars[k].isNewline || (chars[k] == "-" && k + 1 < n && chars[k + 1] == "-") {
                        let stop = lineEnd(k)
                        offset = stop + 1; line = t.range.end.line + 1
                        break statement
                    }
                    start = (k, t.range.end.line, column)
                    lexer.seek(offset: k, line: start.line, column: column)
                    count = 0; open = 0; last = nil
                    continue
                }
                if let previous = last, t.range.start.line > previous.range.end.line,
                   !Parser.needsMore(last: previous, tokenCount: count, openParentheses: open) {
                    // A complete statement, and `t` begins a later line: that line (the next
                    // with something on it) decides whether the statement ends here.
                    let lineStart = t.range.start.offset - (t.range.start.column - 1)
                    if startsStatement(String(chars[lineStart..<lineEnd(lineStart)])) {
                        emit(upTo: lineEnd(previous.range.end.offset))
                        offset = lineStart; line = t.range.start.line
                        break statement
                    }
                }
                count += 1
                if t.isSymbol("(") { open += 1 } else if t.isSymbol(")") { open -= 1 }
                last = t
            }
        }
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
