// The hand-written lexer of caseql. It implements the lexical section of grammar/caseql.ebnf:
// each lexing function repeats, as its doc comment, the production it implements.
// The lexer never throws: bad input becomes an `.error` token that the parser reports.

import CaseStore

public struct Lexer {
    /// The longest string literal accepted, in UTF-8 bytes.
    public static let maxStringBytes = 64 * 1024

    private let raw: [Character]
    /// `raw` with full-width forms read as ASCII, one Character for one, so positions agree.
    private let chars: [Character]
    private var index = 0
    private var line = 1
    private var column = 1
    private var tokens: [Token] = []

    private init(_ text: String) {
        raw = Array(text)
        chars = raw.map(Lexer.normalize)
    }

    /// The tokens of `text`, always ending with one `.end` token.
    ///
    /// Positions count from `start`: a statement that begins at line 40, column 9 of a script
    /// gets the script's line and column numbers (offsets still count from the start of
    /// `text`), so nothing has to be padded in front of it.
    public static func tokenize(_ text: String, from start: SourcePosition = .start) -> [Token] {
        var lexer = Lexer(text)
        lexer.line = start.line
        lexer.column = start.column
        lexer.run()
        return lexer.tokens
    }

    /// A lexer over a whole script that hands out tokens one at a time, from any place in it:
    /// the script splitter reads each statement's tokens once, so a script's cost grows with its
    /// length. Offsets are Character offsets in the script.
    public struct Stream {
        private var lexer: Lexer
        private var next = 0

        public init(_ text: String) { lexer = Lexer(text) }

        /// The script's Characters, as the offsets count them.
        public var characters: [Character] { lexer.raw }

        /// Continues from Character `offset`, which is at `line`:`column`.
        public mutating func seek(offset: Int, line: Int, column: Int) {
            lexer.index = min(max(offset, 0), lexer.raw.count)
            lexer.line = line
            lexer.column = column
            lexer.tokens.removeAll(keepingCapacity: true)
            next = 0
        }

        /// The next token; `.end` at the end of the script (again on every later call).
        public mutating func nextToken() -> Token {
            if next == lexer.tokens.count {
                lexer.tokens.removeAll(keepingCapacity: true)
                next = 0
                _ = lexer.step()
            }
            next += 1
            return lexer.tokens[next - 1]
        }
    }

    /// Full-width ASCII forms (U+FF01...U+FF5E) as ASCII, the ideographic space as a space,
    /// and the enumeration comma 、 as a comma.
    static func normalize(_ c: Character) -> Character {
        let scalars = c.unicodeScalars
        guard scalars.count == 1, let s = scalars.first else { return c }
        switch s.value {
        case 0xFF01...0xFF5E: return Character(Unicode.Scalar(s.value - 0xFEE0)!)
        case 0x3000: return " "
        case 0x3001: return ","
        default: return c
        }
    }

    // MARK: - Scanning

    private var position: SourcePosition { SourcePosition(line: line, column: column, offset: index) }

    private func char(_ ahead: Int = 0) -> Character? {
        index + ahead < chars.count ? chars[index + ahead] : nil
    }

    private mutating func advance() {
        if chars[index].isNewline { line += 1; column = 1 } else { column += 1 }
        index += 1
    }

    private mutating func emit(_ kind: Token.Kind, _ text: String, word: String = "",
                               from start: SourcePosition, unterminated: Bool = false) {
        tokens.append(Token(kind, text, word: word, range: SourceRange(start, position),
                            unterminated: unterminated))
    }

    /// An `.error` token saying `message` (its `text` is the English).
    private mutating func emitError(_ message: Message, from start: SourcePosition) {
        emit(.error, message.en, from: start)
        tokens[tokens.count - 1].message = message
    }

    private mutating func run() {
        while step() {}
    }

    /// Lexes until at least one token is added; at the end of the text adds `.end` and returns false.
    private mutating func step() -> Bool {
        let before = tokens.count
        while tokens.count == before {
            guard let c = char() else {
                emit(.end, "", from: position)
                return false
            }
            if c.isWhitespace {
                advance()
            } else if c == "-" && char(1) == "-" {
                lexComment()
            } else if Lexer.isNameStart(c) {
                lexWord()
            } else if Lexer.isDigit(c) {
                lexNumber()
            } else if Lexer.closingQuote[raw[index]] != nil {
                lexString()
            } else if c == "$" {
                lexParameter()
            } else {
                lexSymbol()
            }
        }
        return true
    }

    static func isDigit(_ c: Character) -> Bool { c >= "0" && c <= "9" && c.isASCII }
    static func isNameStart(_ c: Character) -> Bool { c == "_" || c.isLetter }
    static func isNameContinue(_ c: Character) -> Bool { c == "_" || c.isLetter || c.isNumber }

    /// comment = "--" { ? any character except a line break ? } ;
    private mutating func lexComment() {
        while let c = char(), !c.isNewline { advance() }
    }

    /// name = ( ? a letter ? | "_" ) { ? a letter ? | ? a digit ? | "_" } ;
    ///
    /// Keywords are names too: `word` holds the lowercased keyword, and a Chinese alias
    /// becomes the keyword tokens it stands for (为空 → `is` `empty`), all with its range.
    private mutating func lexWord() {
        let start = position
        let first = index
        while let c = char(), Lexer.isNameContinue(c) { advance() }
        let text = String(chars[first..<index])
        if let expansion = Keyword.chineseAliases[text] {
            for keyword in expansion { emit(.word, text, word: keyword.spelling, from: start) }
        } else {
            let isASCII = text.unicodeScalars.allSatisfy { $0.isASCII }
            emit(.word, text, word: isASCII ? text.lowercased() : text, from: start)
        }
    }

    /// parameter = "$" name ;
    private mutating func lexParameter() {
        let start = position
        advance()
        guard let c = char(), Lexer.isNameStart(c) else {
            emitError(Message(en: "expected a parameter name after \"$\"", zh: "\"$\" 之后应为参数名"), from: start)
            return
        }
        let first = index
        while let c = char(), Lexer.isNameContinue(c) { advance() }
        emit(.parameter, String(chars[first..<index]), from: start)
    }

    private mutating func digits() -> String {
        var s = ""
        while let c = char(), Lexer.isDigit(c) { s.append(c); advance() }
        return s
    }

    static let durationUnits: [Character: String] = [
        "d": "d", "w": "w", "m": "m", "y": "y", "D": "d", "W": "w", "M": "m", "Y": "y",
        "天": "d", "周": "w", "月": "m", "年": "y",
    ]

    /// integer = ? a digit ? { ? a digit ? } ;
    ///
    /// number = integer [ "." integer ] [ "%" ] ;
    ///
    /// date = ? four digits ? "-" ? one or two digits ? "-" ? one or two digits ? ;
    ///
    /// duration = integer ( "d" | "w" | "m" | "y" | "天" | "周" | "月" | "年" ) ;
    private mutating func lexNumber() {
        let start = position
        var text = digits()
        if text.count == 4, char() == "-", let m = dateTail() {
            emit(.date, text + m, from: start)
            return
        }
        if char() == ".", let d = char(1), Lexer.isDigit(d) {
            advance()
            text += "." + digits()
        } else if let u = char(), let unit = Lexer.durationUnits[u],
                  !(char(1).map(Lexer.isNameContinue) ?? false) {
            advance()
            if Int(text) == nil {
                emitError(Message(en: "duration \(text)\(unit) is too large", zh: "时长 \(text)\(unit) 太大"), from: start)
            } else {
                emit(.duration, text + unit, from: start)
            }
            return
        }
        if char() == "%" {
            advance()
            emit(.number, text + "%", from: start)
            return
        }
        if let c = char(), Lexer.isNameContinue(c) {
            while let c = char(), Lexer.isNameContinue(c) { advance() }
            let written = String(chars[start.offset..<index])
            emitError(Message(en: "invalid number \"\(written)\"", zh: "无效的数字 \"\(written)\""), from: start)
            return
        }
        emit(.number, text, from: start)
    }

    /// The value of a `number` as written: `12.5` is 12.5, and a percentage its hundredth (`5%`
    /// is 0.05, the same double as `0.05`). Nil for text that is not a number (a parameter's
    /// value is read with it too).
    public static func numberValue(_ text: String) -> Double? {
        let percent = text.hasSuffix("%")
        let body = percent ? text.dropLast() : Substring(text)
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            return nil
        }
        guard percent else { return Double(body) }
        // The decimal point moved two places left, in the text: 12.5% is 125e-3.
        let fraction = parts.count == 2 ? parts[1] : ""
        return Double("\(parts[0])\(fraction)e-\(fraction.count + 2)")
    }

    /// After the four digits of a year: "-mm-dd" if it is there (consumed), nil otherwise.
    private mutating func dateTail() -> String? {
        var k = 1
        func run(_ from: Int) -> Int {
            var n = 0
            while let c = char(from + n), Lexer.isDigit(c) { n += 1 }
            return n
        }
        let monthDigits = run(k)
        guard (1...2).contains(monthDigits) else { return nil }
        k += monthDigits
        guard char(k) == "-" else { return nil }
        k += 1
        let dayDigits = run(k)
        guard (1...2).contains(dayDigits) else { return nil }
        k += dayDigits
        if let c = char(k), Lexer.isNameContinue(c) || c == "." { return nil }
        var s = ""
        for _ in 0..<k { s.append(chars[index]); advance() }
        return s
    }

    /// Each opening quote and its closing one (ASCII, curly and corner quotes).
    public static let closingQuote: [Character: Character] = [
        "\"": "\"", "'": "'", "＂": "＂", "＇": "＇", "“": "”", "‘": "’", "「": "」", "『": "』",
    ]

    /// string = '"' { ? any character but '"' ? | '""' } '"'
    ///        | "'" { ? any character but "'" ? | "''" } "'"
    ///        | "“" { ? any character but "”" ? | "””" } "”"
    ///        | "‘" { ? any character but "’" ? | "’’" } "’"
    ///        | "「" { ? any character but "」" ? | "」」" } "」"
    ///        | "『" { ? any character but "』" ? | "』』" } "』" ;
    ///
    /// The content keeps the characters as written (no full-width folding). An unterminated
    /// string is an error token at its opening quote; so is one over `maxStringBytes`, which is
    /// still scanned to its end in one pass.
    private mutating func lexString() {
        let start = position
        let close = Lexer.closingQuote[raw[index]]!
        advance()
        let afterQuote = position
        var content = ""
        var bytes = 0
        while index < raw.count {
            let c = raw[index]
            if c == close {
                advance()
                guard index < raw.count, raw[index] == close else {
                    if bytes > Lexer.maxStringBytes {
                        emitError(Message(en: "string literal too long (limit 64 KiB)", zh: "字符串太长（上限 64 KiB）"), from: start)
                        tokens[tokens.count - 1].range = SourceRange(start, afterQuote)
                    } else {
                        emit(.string, content, from: start)
                    }
                    return
                }
            }
            bytes += c.utf8.count
            if bytes <= Lexer.maxStringBytes { content.append(c) }
            advance()
        }
        tokens.append(Token(.error, "unterminated string", range: SourceRange(start, afterQuote),
                            unterminated: true))
        tokens[tokens.count - 1].message = Message(en: "unterminated string", zh: "字符串没有闭合")
    }

    /// symbol = "=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">=" | "(" | ")" | "," | ";" | "*" | "+" | "-" | "." ;
    ///
    /// Also ≤ ≥ ≠ (and the full-width forms, already folded to ASCII).
    private mutating func lexSymbol() {
        let start = position
        let c = chars[index]
        let next = char(1)
        advance()
        func two(_ s: String) -> String { advance(); return s }
        let symbol: String?
        switch c {
        case "=": symbol = next == "=" ? two("=") : "="
        case "!": symbol = next == "=" ? two("!=") : nil
        case "<": symbol = next == "=" ? two("<=") : next == ">" ? two("!=") : "<"
        case ">": symbol = next == "=" ? two(">=") : ">"
        case "≤": symbol = "<="
        case "≥": symbol = ">="
        case "≠": symbol = "!="
        case "(", ")", ",", ";", "*", "+", "-", ".": symbol = String(c)
        default: symbol = nil
        }
        if let symbol {
            emit(.symbol, symbol, from: start)
        } else {
            emitError(Message(en: "unexpected character \"\(raw[start.offset])\"", zh: "意外的字符 \"\(raw[start.offset])\""), from: start)
        }
    }
}
