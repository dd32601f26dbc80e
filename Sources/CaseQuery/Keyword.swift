// The keywords of caseql's language, once. The lexer's Chinese aliases, the parser's
// "expected …" messages and reserved names, the REPL's rule for a statement that needs another
// line, the script splitter's statement starts and tab completion all read this file;
// grammar/caseql.ebnf names the same words in its header (GrammarConsistencyTests checks it).

/// A keyword of the language. Its raw value is its ASCII spelling, lowercase (keywords are ASCII
/// case-insensitive: `WHERE` is `where`).
public enum Keyword: String, CaseIterable, Sendable {
    case select, count, explain, expect, pivot, analyze
    case from, `where`, group, by, having, order, asc, desc, limit, offset, `as`
    case and, or, not, `in`, between, contains, `is`, empty, was, changed, to, after, before, during
    case today, `true`, `false`, at, least, most, row, rows, each, exists, distinct, on

    /// The ASCII spelling, lowercase.
    public var spelling: String { rawValue }

    /// Reserved words can never be a bare name in a value (`where unit = order` is an error);
    /// the others are names wherever the grammar does not expect the keyword.
    public var isReserved: Bool {
        switch self {
        case .select, .explain, .expect, .from, .where, .group, .order, .by, .having, .limit,
             .offset, .as, .asc, .desc, .and, .or, .not, .in, .between, .contains, .is, .was,
             .changed:
            return true
        default:
            return false
        }
    }

    /// Whether a statement that ends with this word needs another line (`where unit =` and
    /// `count cases where` go on; `order by deadline desc` is complete).
    public var needsMore: Bool {
        switch self {
        case .count, .asc, .desc, .empty, .today, .true, .false, .row, .rows:
            return false
        default:
            return true
        }
    }

    /// The words a statement starts with, in the order completion offers them.
    public static let statementStarts: [Keyword] = [.select, .count, .pivot, .explain, .expect]

    /// Chinese keyword aliases (whole words), and the keyword tokens each one stands for.
    public static let chineseAliases: [String: [Keyword]] = [
        "且": [.and], "或": [.or], "非": [.not], "不": [.not], "今天": [.today],
        "包含": [.contains], "是": [.true], "否": [.false],
        "为空": [.is, .empty], "不为空": [.is, .not, .empty], "非空": [.is, .not, .empty],
        "不包含": [.not, .contains],
    ]

    /// The keyword a word token spells (its lowercased ASCII text), if any.
    public init?(word: String) { self.init(rawValue: word) }

    /// `"where"`, as an error message quotes a keyword.
    public var quoted: String { "\"\(rawValue)\"" }
}

/// The clauses of a query after its source, in the order they must come. What may follow a
/// complete clause (the parser's "expected … but found" message and completion's first
/// offers) is derived from this order.
public enum QueryClause: Int, CaseIterable, Comparable, Sendable {
    case from, `where`, groupBy, having, orderBy, limit, offset

    /// The keywords that open the clause: `group by` is two.
    public var keywords: [Keyword] {
        switch self {
        case .from: return [.from]
        case .where: return [.where]
        case .groupBy: return [.group, .by]
        case .having: return [.having]
        case .orderBy: return [.order, .by]
        case .limit: return [.limit]
        case .offset: return [.offset]
        }
    }

    /// `group by`, as written.
    public var spelling: String { keywords.map(\.spelling).joined(separator: " ") }

    /// What continues the clause itself: `and`/`or` after a condition, `,` or a direction
    /// after a key (symbols in their ASCII spelling).
    public var continuations: [String] {
        switch self {
        case .where, .having: return [Keyword.and.spelling, Keyword.or.spelling]
        case .groupBy: return [","]
        case .orderBy: return [Keyword.desc.spelling, Keyword.asc.spelling, ","]
        case .from, .limit, .offset: return []
        }
    }

    /// The clauses that may come after `clause` (nil: after a bare source, where `from` may
    /// still come). `offset` follows only `limit`; `having` only a query that groups, when
    /// `grouped` is known to be false it is left out.
    public static func next(after clause: QueryClause?, grouped: Bool = true) -> [QueryClause] {
        allCases.filter { c in
            if let clause, c <= clause { return false }
            if c == .offset { return clause == .limit }
            if clause == .limit { return false }
            if c == .from { return clause == nil }
            if c == .having { return grouped || clause == .groupBy }
            return true
        }
    }

    /// Everything that may follow a complete `clause`: its continuations, then the later clauses.
    public static func followers(after clause: QueryClause?, grouped: Bool = true) -> [String] {
        (clause?.continuations ?? []) + next(after: clause, grouped: grouped).map(\.spelling)
    }

    public static func < (a: QueryClause, b: QueryClause) -> Bool { a.rawValue < b.rawValue }
}
