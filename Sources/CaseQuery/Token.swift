// The tokens the Lexer produces and the Parser reads. See grammar/caseql.ebnf, lexical section.

import CaseStore

/// One lexical token. The lexer never throws: bad input becomes an `.error` token whose `text`
/// is the message, and the parser reports it when it reaches it.
public struct Token: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// A name or a keyword: keywords are reserved only where the grammar needs them,
        /// so the parser decides by looking at `word`.
        case word
        /// A quoted string; `text` is its content with doubled quotes undone.
        case string
        /// An integer or decimal; `text` is the digits (full-width digits already read as ASCII).
        case number
        /// yyyy-mm-dd; `text` as written (ASCII digits).
        case date
        /// 7d, 2w, 1m, 1y (7天, 2周, 1月, 1年); `text` is amount and unit letter, e.g. "7d".
        case duration
        /// `$name`; `text` is the name without `$`.
        case parameter
        /// Punctuation and operators, in their ASCII spelling: = != < <= > >= ( ) , ; * + -
        case symbol
        /// Bad input; `text` is the message.
        case error
        /// End of input.
        case end
    }

    public var kind: Kind
    /// See `Kind` for what it holds.
    public var text: String
    /// For `.word`: the keyword it stands for, lowercased (`WHERE` → "where", `且` → "and"),
    /// or the lowercased name for ASCII words. Compare keywords against this.
    public var word: String
    public var range: SourceRange
    /// For `.error`: true when the error is an unterminated string (the REPL keeps reading).
    public var unterminated: Bool
    /// For `.error`: the message in both languages (`text` is its English).
    public var message: Message?

    public init(_ kind: Kind, _ text: String, word: String = "", range: SourceRange,
                unterminated: Bool = false) {
        self.kind = kind; self.text = text; self.word = word; self.range = range
        self.unterminated = unterminated
    }

    /// True for a word token that spells `keyword` (or a Chinese alias that stands for it).
    public func isWord(_ keyword: Keyword) -> Bool { kind == .word && word == keyword.rawValue }

    /// True for the symbol `symbol` (ASCII spelling).
    public func isSymbol(_ symbol: String) -> Bool { kind == .symbol && text == symbol }

    /// How an error message names this token: `"where"`, `string "教育局"`, `end of input`.
    public var display: String { shown.en }

    /// How an error message names this token, in both languages.
    public var shown: Message {
        switch kind {
        case .word, .symbol: return .same("\"\(text)\"")
        case .string:
            let cut = text.count > 20 ? String(text.prefix(20)) + "…" : text
            return Message(en: "string \"\(cut)\"", zh: "字符串 \"\(cut)\"")
        case .number: return Message(en: "number \(text)", zh: "数字 \(text)")
        case .date: return Message(en: "date \(text)", zh: "日期 \(text)")
        case .duration: return Message(en: "duration \(text)", zh: "时长 \(text)")
        case .parameter: return Message(en: "parameter $\(text)", zh: "参数 $\(text)")
        case .error: return message ?? .same(text)
        case .end: return Message(en: "end of input", zh: "输入结束")
        }
    }
}
