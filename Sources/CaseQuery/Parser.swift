// The hand-written recursive-descent parser of caseql. One function per rule of
// grammar/caseql.ebnf; each carries, as its doc comment, the production it implements, written
// exactly as in the grammar (GrammarConsistencyTests checks this).

import CaseStore

/// Whether a REPL has a whole statement, needs another line, or has nothing at all.
public enum StatementCompleteness: Equatable, Sendable {
    case complete, incomplete, empty
}

public struct Parser {
    /// How deeply parentheses, `not` and calls may nest.
    public static let maxDepth = 256

    private let tokens: [Token]
    private var index = 0
    private var depth = 0
    /// What may follow the statement just parsed, for the "expected … but found" message.
    private var follow: [String] = []

    private init(_ text: String, from start: SourcePosition = .start) {
        tokens = Lexer.tokenize(text, from: start)
    }

    // MARK: - Public API

    /// Parses exactly one statement (an optional trailing ";" is allowed). Positions count from
    /// `start` (where the text begins in its script); offsets from the start of `text`.
    public static func parse(_ text: String, from start: SourcePosition = .start) throws(QueryError) -> Statement {
        do {
            return try parseOne(text, from: start)
        } catch let error as QueryError {
            throw error
        } catch {
            throw QueryError("\(error)", at: SourceRange(.start, .start))
        }
    }

    // Internally the parser uses untyped `throws`: a typed error is returned through a buffer
    // that each call site reserves on the stack, which makes deep nesting cost far more stack.
    private static func parseOne(_ text: String, from start: SourcePosition) throws -> Statement {
        var p = Parser(text, from: start)
        while p.current.isSymbol(";") { p.index += 1 }
        if p.current.kind == .end {
            throw QueryError(Message(en: "empty statement", zh: "空语句"), at: p.current.range)
        }
        let statement = try p.parseStatement()
        while p.current.isSymbol(";") { p.index += 1 }
        if p.current.kind != .end {
            throw p.fail(Message(en: "end of input (use a script for several statements)", zh: "输入结束（多条语句请写成脚本）"))
        }
        return statement
    }

    /// script = { ";" } [ statement { ";" [ statement ] } ] ;
    ///
    /// Every statement but the last must end with its own ";" (`parseStatement` refuses anything
    /// else after it). Each statement comes with its range, without the ";".
    public static func parseScript(_ text: String) throws -> [(Statement, SourceRange)] {
        var p = Parser(text)
        var statements: [(Statement, SourceRange)] = []
        while p.current.kind != .end {
            if p.current.isSymbol(";") { p.index += 1; continue }
            let start = p.current.range.start
            let statement = try p.parseStatement()
            statements.append((statement, SourceRange(start, p.previous.range.end)))
        }
        return statements
    }

    /// Whether `text` is a complete statement (or script), an incomplete one that needs more
    /// lines, or empty. Incomplete: an open parenthesis or string, or the text ends with an
    /// operator, a comma or a word that needs something after it. Text with an error is
    /// complete: the parser will then report the error.
    public static func completeness(of text: String) -> StatementCompleteness {
        let tokens = Lexer.tokenize(text)
        if tokens.contains(where: { $0.unterminated }) { return .incomplete }
        let lastSemicolon = tokens.lastIndex { $0.isSymbol(";") }
        let tail = tokens[(lastSemicolon.map { $0 + 1 } ?? 0)...].filter { $0.kind != .end }
        guard let last = tail.last else { return lastSemicolon == nil ? .empty : .complete }
        var open = 0
        for t in tail {
            if t.isSymbol("(") { open += 1 } else if t.isSymbol(")") { open -= 1 }
        }
        return needsMore(last: last, tokenCount: tail.count, openParentheses: open) ? .incomplete : .complete
    }

    /// Whether a statement whose tokens so far number `tokenCount`, end with `last` and leave
    /// `openParentheses` open must go on (the rule of `completeness(of:)`, for callers that
    /// count as they read).
    public static func needsMore(last: Token, tokenCount: Int, openParentheses: Int) -> Bool {
        if last.unterminated || openParentheses > 0 { return true }
        if last.kind == .symbol && Parser.continuingSymbols.contains(last.text) { return true }
        if last.kind == .word, let keyword = Keyword(word: last.word), keyword != .count, keyword.needsMore { return true }
        return tokenCount == 1 && last.isWord(.count)
    }

    static let continuingSymbols: Set<String> = ["=", "!=", "<", "<=", ">", ">=", "+", "-", ",", "("]

    // MARK: - Tokens

    private var current: Token { tokens[index] }
    private var previous: Token { tokens[max(index - 1, 0)] }
    private func peek(_ ahead: Int) -> Token { tokens[min(index + ahead, tokens.count - 1)] }

    @discardableResult
    private mutating func advance() -> Token {
        let t = tokens[index]
        if t.kind != .end { index += 1 }
        return t
    }

    private func atWord(_ keyword: Keyword) -> Bool { tokens[index].isWord(keyword) }
    private func atSymbol(_ symbol: String) -> Bool { tokens[index].isSymbol(symbol) }

    /// Consumes the current token and returns where it started.
    private mutating func advancePosition() -> SourcePosition {
        let start = tokens[index].range.start
        if tokens[index].kind != .end { index += 1 }
        return start
    }

    private mutating func accept(_ keyword: Keyword) -> Bool {
        guard current.isWord(keyword) else { return false }
        index += 1
        return true
    }

    private mutating func acceptSymbol(_ symbol: String) -> Bool {
        guard current.isSymbol(symbol) else { return false }
        index += 1
        return true
    }

    private mutating func expect(_ keyword: Keyword) throws {
        guard accept(keyword) else { throw fail(expecting: [keyword]) }
    }

    /// `expected <what> after <previous token> but found <current token>`, or the lexer's
    /// message when the current token is an error. Suggests the closest of `keywords`.
    private func fail(expecting keywords: [Keyword], suggesting extra: [Keyword] = []) -> QueryError {
        fail(Parser.list(keywords.map(\.quoted)), keywords: (keywords + extra).map(\.spelling))
    }

    /// `expected`: symbols or keywords as typed, the same in both languages.
    private func fail(_ expected: String, keywords: [String] = []) -> QueryError {
        fail(.same(expected), keywords: keywords)
    }

    private func fail(_ expected: Message, keywords: [String] = []) -> QueryError {
        if current.kind == .error { return QueryError(current.shown, at: current.range) }
        var suggestion: String?
        if current.kind == .word, !keywords.isEmpty {
            suggestion = Suggest.closest(to: current.text, in: keywords)
        }
        let found = current.shown
        let message = index > 0
            ? Message(en: "expected \(expected.en) after \(previous.display) but found \(found.en)",
                      zh: "\(previous.shown.zh) 之后应为 \(expected.zh)，却是\(found.zh)")
            : Message(en: "expected \(expected.en) but found \(found.en)", zh: "应为 \(expected.zh)，却是\(found.zh)")
        return QueryError(message, at: current.range, suggestion: suggestion.map(Message.same))
    }

    /// `"a", "b" or "c"` in both languages (`"a"、"b" 或 "c"`).
    private static func list(_ items: [String]) -> Message {
        guard items.count > 1 else { return .same(items.joined()) }
        return Message(en: items.dropLast().joined(separator: ", ") + " or " + items.last!,
                       zh: items.dropLast().joined(separator: "、") + " 或 " + items.last!)
    }

    private mutating func enter() throws {
        depth += 1
        if depth > Parser.maxDepth {
            throw QueryError(Message(en: "expression nested too deeply (limit \(Parser.maxDepth))", zh: "表达式嵌套太深（上限 \(Parser.maxDepth) 层）"), at: current.range)
        }
    }

    private func isName(_ t: Token) -> Bool { t.kind == .word && !(Keyword(word: t.word)?.isReserved ?? false) }

    private func canStartValue(_ t: Token) -> Bool {
        switch t.kind {
        case .string, .number, .date, .parameter: return true
        case .word: return isName(t)
        default: return false
        }
    }

    private func range(from start: SourcePosition) -> SourceRange { SourceRange(start, previous.range.end) }

    // MARK: - Statements

    /// statement = query | pivot | "explain" [ "analyze" ] ( query | pivot ) | expectation ;
    ///
    /// Leaves the ";" that ends it to the caller, and refuses any other token after it.
    private mutating func parseStatement() throws -> Statement {
        let statement: Statement
        follow = ["\";\"", "end of input"]
        if accept(.explain) {
            let analyze = current.isWord(.analyze) && !peek(1).isSymbol(",") && peek(1).kind == .word && accept(.analyze)
            let q: Query
            if current.isWord(.pivot) {
                q = try parsePivot()
            } else {
                guard current.isWord(.select) || current.isWord(.count) else {
                    throw fail(expecting: [.select, .count, .pivot], suggesting: [.analyze])
                }
                q = try parseQuery()
            }
            statement = analyze ? .explainAnalyze(q) : .explain(q)
        } else if current.isWord(.pivot) && canStartValue(peek(1)) {
            statement = .query(try parsePivot())
        } else if current.isWord(.expect) {
            statement = .expect(try parseExpectation())
        } else if current.isWord(.select) || current.isWord(.count) {
            statement = .query(try parseQuery())
        } else {
            throw fail(expecting: Keyword.statementStarts)
        }
        if !current.isSymbol(";") && current.kind != .end {
            throw fail(Parser.list(follow))
        }
        return statement
    }

    /// query = ( "select" | "count" ) [ select_list "from" ] source [ where ] [ group_by ] [ having ] [ order_by ] [ limit ] ;
    private mutating func parseQuery() throws -> Query {
        let verbToken = advance()
        let verb: Verb = verbToken.isWord(.count) ? .count : .select
        guard current.isSymbol("*") || canStartValue(current) else {
            throw fail(Message(en: "a source or a select list", zh: "数据源或选择列表"))
        }
        let list = try parseSelectList()
        var items: [SelectItem] = []
        let source: Identifier
        var last: QueryClause? = .from
        if accept(.from) {
            items = list
            source = try parseSource()
        } else if list.count == 1, case .value(.name(let name), alias: nil) = list[0] {
            source = name
            last = nil
        } else {
            throw fail(expecting: [.from])
        }
        var query = Query(verb: verb, items: items, source: source, range: verbToken.range)
        if current.isWord(.where) {
            query.filter = try parseWhere()
            last = .where
        }
        if current.isWord(.group) {
            query.groupBy = try parseGroupBy()
            last = .groupBy
        }
        if current.isWord(.having) {
            query.having = try parseHaving()
            last = .having
        }
        if current.isWord(.order) {
            query.orderBy = try parseOrderBy()
            last = .orderBy
        }
        if current.isWord(.limit) {
            (query.limit, query.offset) = try parseLimit()
            last = query.offset == nil ? .limit : .offset
        }
        query.range = range(from: verbToken.range.start)
        var next = QueryClause.followers(after: last)
        if last == .orderBy, previous.isWord(.desc) || previous.isWord(.asc) {
            next.removeAll { $0 == Keyword.desc.spelling || $0 == Keyword.asc.spelling }
        }
        follow = next.map { "\"\($0)\"" } + ["\";\"", "end of input"]
        return query
    }

    /// select_list = select_item { "," select_item } ;
    private mutating func parseSelectList() throws -> [SelectItem] {
        var items = [try parseSelectItem()]
        while acceptSymbol(",") { items.append(try parseSelectItem()) }
        return items
    }

    /// select_item = "*" | value [ "as" name ] ;
    private mutating func parseSelectItem() throws -> SelectItem {
        if current.isSymbol("*") { return .all(advance().range) }
        guard canStartValue(current) else { throw fail(Message(en: "a value or \"*\"", zh: "值或 \"*\"")) }
        let value = try parseValue()
        guard accept(.as) else { return .value(value, alias: nil) }
        guard isName(current) else { throw fail(Message(en: "a name", zh: "名称")) }
        let alias = advance()
        return .value(value, alias: Identifier(alias.text, alias.range))
    }

    /// source = name ;
    private mutating func parseSource() throws -> Identifier {
        guard isName(current) else {
            throw fail(Message(en: "a source (cases, suggestions, proposals, units or events)", zh: "数据源（cases、suggestions、proposals、units 或 events）"))
        }
        let t = advance()
        return Identifier(t.text, t.range)
    }

    /// where = "where" expr ;
    private mutating func parseWhere() throws -> Expr {
        try expect(.where)
        return try parseExpr()
    }

    /// group_by = "group" "by" group_key { "," group_key } ;
    private mutating func parseGroupBy() throws -> [GroupKey] {
        try expect(.group)
        try expect(.by)
        var keys: [GroupKey] = []
        repeat {
            keys.append(try parseGroupKey())
        } while acceptSymbol(",")
        return keys
    }

    /// group_key = [ "each" ] value ;
    private mutating func parseGroupKey() throws -> GroupKey {
        let start = current.range.start
        let each = current.isWord(.each) && isName(peek(1)) && accept(.each)
        guard isName(current) else { throw fail(each ? Message(en: "a list field", zh: "列表字段") : Message(en: "a field name", zh: "字段名")) }
        let value = try parseValue()
        return GroupKey(value: value, each: each, range: range(from: start))
    }

    /// pivot = "pivot" value "by" group_key "," group_key "from" source [ where ] ;
    private mutating func parsePivot() throws -> Query {
        let verbToken = advance()
        guard canStartValue(current) else { throw fail(Message(en: "an aggregate such as count", zh: "聚合，如 count")) }
        let value = try parseValue()
        try expect(.by)
        let rows = try parseGroupKey()
        guard acceptSymbol(",") else { throw fail(Message(en: "\",\" and the key of the columns", zh: "\",\" 和列的键")) }
        let columns = try parseGroupKey()
        try expect(.from)
        var query = Query(verb: .pivot, items: [.value(value, alias: nil)], source: try parseSource(),
                          groupBy: [rows, columns], range: verbToken.range)
        follow = [Keyword.where.quoted]
        if current.isWord(.where) {
            query.filter = try parseWhere()
            follow = QueryClause.where.continuations.map { "\"\($0)\"" }
        }
        query.range = range(from: verbToken.range.start)
        follow += ["\";\"", "end of input"]
        return query
    }

    /// having = "having" expr ;
    private mutating func parseHaving() throws -> Expr {
        try expect(.having)
        return try parseExpr()
    }

    /// order_by = "order" "by" value [ "asc" | "desc" ] { "," value [ "asc" | "desc" ] } ;
    private mutating func parseOrderBy() throws -> [OrderKey] {
        try expect(.order)
        try expect(.by)
        var keys: [OrderKey] = []
        repeat {
            guard canStartValue(current) else { throw fail(Message(en: "a value to order by", zh: "排序依据的值")) }
            let value = try parseValue()
            let descending = accept(.desc)
            if !descending { _ = accept(.asc) }
            keys.append(OrderKey(value: value, descending: descending))
        } while acceptSymbol(",")
        return keys
    }

    /// limit = "limit" integer [ "offset" integer ] ;
    private mutating func parseLimit() throws -> (Int, Int?) {
        try expect(.limit)
        let limit = try parseInteger()
        guard accept(.offset) else { return (limit, nil) }
        return (limit, try parseInteger())
    }

    /// An `integer` token as an Int.
    private mutating func parseInteger() throws -> Int {
        guard current.kind == .number, current.text.allSatisfy(\.isNumber) else { throw fail(Message(en: "an integer", zh: "整数")) }
        guard let n = Int(current.text) else {
            throw QueryError(Message(en: "number \(current.text) is too large", zh: "数字 \(current.text) 太大"), at: current.range)
        }
        advance()
        return n
    }

    /// expectation = "expect" [ "at" ( "least" | "most" ) ] integer ( "row" | "rows" ) ;
    private mutating func parseExpectation() throws -> Expectation {
        let start = advance().range.start
        var relation = Expectation.Relation.exactly
        if accept(.at) {
            if accept(.least) {
                relation = .atLeast
            } else if accept(.most) {
                relation = .atMost
            } else {
                throw fail(expecting: [.least, .most])
            }
        }
        let count = try parseInteger()
        guard accept(.rows) || accept(.row) else { throw fail(expecting: [.rows], suggesting: [.row]) }
        return Expectation(relation: relation, count: count, range: range(from: start))
    }

    // MARK: - Conditions

    /// expr = and_expr { "or" and_expr } ;
    ///
    /// A chain of `or`s is gathered in a loop into one flat node: it is not nesting, and costs
    /// no depth however long it is.
    private mutating func parseExpr() throws -> Expr {
        try enter()
        defer { depth -= 1 }
        var terms = [try parseAndExpr()]
        while accept(.or) { terms.append(try parseAndExpr()) }
        return terms.count == 1 ? terms[0] : .or(terms)
    }

    /// and_expr = not_expr { "and" not_expr } ;
    private mutating func parseAndExpr() throws -> Expr {
        var terms = [try parseNotExpr()]
        while accept(.and) { terms.append(try parseNotExpr()) }
        return terms.count == 1 ? terms[0] : .and(terms)
    }

    /// not_expr = "not" not_expr | predicate ;
    ///
    /// The `not`s are gathered in a loop rather than by recursion; each still counts as a level.
    private mutating func parseNotExpr() throws -> Expr {
        atWord(.not) ? try parseNegation() : try parsePredicate()
    }

    /// The `"not" not_expr` alternative of not_expr.
    private mutating func parseNegation() throws -> Expr {
        var starts: [SourcePosition] = []
        while atWord(.not) {
            starts.append(advance().range.start)
            try enter()
        }
        defer { depth -= starts.count }
        var expr = try parsePredicate()
        for start in starts.reversed() { expr = .not(expr, range(from: start)) }
        return expr
    }

    // The functions on the path of nesting (parentheses, calls) are kept small, and the
    // alternatives that do not nest live in their own functions, so that each level of nesting
    // takes little stack even in a debug build.

    /// predicate = "(" expr ")"
    ///           | "exists" name [ "where" expr ]
    ///           | name "was" [ "not" ] ( value | "in" value_list ) [ "on" value ]
    ///           | name [ "not" ] "changed" { change_clause }
    ///           | value [ comparison | [ "not" ] "in" value_list | [ "not" ] "between" value "and" value | [ "not" ] "contains" value | "is" [ "not" ] "empty" ] ;
    private mutating func parsePredicate() throws -> Expr {
        switch predicateForm() {
        case .parenthesized: return try parseParenthesized()
        case .exists: return try parseExists()
        case .was: return try parseWas()
        case .changed: return try parseChanged()
        case .value: return try parseValuePredicate()
        }
    }

    private enum PredicateForm { case parenthesized, exists, was, changed, value }

    private func predicateForm() -> PredicateForm {
        if current.isSymbol("(") { return .parenthesized }
        guard isName(current) else { return .value }
        if current.isWord(.exists) && isName(peek(1)) && !peek(2).isSymbol("(") { return .exists }
        if peek(1).isWord(.was) { return .was }
        if peek(1).isWord(.changed) || (peek(1).isWord(.not) && peek(2).isWord(.changed)) { return .changed }
        return .value
    }

    /// The `"(" expr ")"` alternative of predicate.
    private mutating func parseParenthesized() throws -> Expr {
        let open = advancePosition()
        let inner = try parseExpr()
        guard acceptSymbol(")") else { throw failUnclosed(open) }
        return inner
    }

    private func failUnclosed(_ open: SourcePosition) -> QueryError {
        fail(Message(en: "\")\" to close the \"(\" at \(open)", zh: "\")\" 以闭合 \(open) 处的 \"(\""))
    }

    /// The `value [ comparison | … ]` alternative of predicate.
    private mutating func parseValuePredicate() throws -> Expr {
        guard canStartValue(current) else { throw fail(Message(en: "a condition", zh: "条件")) }
        return try parsePredicateRest(try parseValue())
    }

    /// What follows the value of a `value [ comparison | … ]` predicate.
    private mutating func parsePredicateRest(_ lhs: ValueExpr) throws -> Expr {
        let start = lhs.range.start
        if current.kind == .symbol, CompareOp(rawValue: current.text) != nil {
            return try parseComparison(lhs)
        }
        let negated = accept(.not)
        if accept(.in) {
            return .inList(lhs, try parseValueList(), negated: negated, range(from: start))
        }
        if accept(.between) {
            let low = try parseOperand()
            try expect(.and)
            let high = try parseOperand()
            return .between(lhs, low, high, negated: negated, range(from: start))
        }
        if accept(.contains) {
            return .contains(lhs, try parseOperand(), negated: negated, range(from: start))
        }
        if negated {
            throw fail(expecting: [.in, .between, .contains])
        }
        if accept(.is) {
            let isNegated = accept(.not)
            try expect(.empty)
            return .isEmpty(lhs, negated: isNegated, range(from: start))
        }
        return .truthy(lhs)
    }

    /// The `"exists" name [ "where" expr ]` alternative of predicate.
    private mutating func parseExists() throws -> Expr {
        let start = advance().range.start
        let source = advance()
        let filter = accept(.where) ? try parseExpr() : nil
        return .exists(Identifier(source.text, source.range), filter, range(from: start))
    }

    /// The `name "was" [ "not" ] ( value | "in" value_list ) [ "on" value ]` alternative of predicate.
    private mutating func parseWas() throws -> Expr {
        let name = advance()
        advance()
        let negated = accept(.not)
        let values = accept(.in) ? try parseValueList() : [try parseOperand()]
        let on = accept(.on) ? try parseOperand() : nil
        return .was(Identifier(name.text, name.range), values, negated: negated, on: on,
                    range(from: name.range.start))
    }

    /// The `name [ "not" ] "changed" { change_clause }` alternative of predicate.
    private mutating func parseChanged() throws -> Expr {
        let name = advance()
        let negated = accept(.not)
        advance()
        var filter = ChangeFilter()
        while Parser.changeClauses.contains(current.word) && current.kind == .word {
            try parseChangeClause(&filter)
        }
        return .changed(Identifier(name.text, name.range), filter, negated: negated,
                        range(from: name.range.start))
    }

    static let changeClauses: Set<String> = ["from", "to", "after", "before", "during", "by"]

    /// change_clause = "from" value | "to" value | "after" value | "before" value | "during" "(" value "," value ")" | "by" value ;
    private mutating func parseChangeClause(_ filter: inout ChangeFilter) throws {
        let clause = advance()
        let duplicate: Bool
        switch clause.word {
        case "from": duplicate = filter.from != nil; filter.from = try parseOperand()
        case "to": duplicate = filter.to != nil; filter.to = try parseOperand()
        case "after": duplicate = filter.after != nil; filter.after = try parseOperand()
        case "before": duplicate = filter.before != nil; filter.before = try parseOperand()
        case "by": duplicate = filter.by != nil; filter.by = try parseOperand()
        default:
            duplicate = filter.during != nil
            guard acceptSymbol("(") else { throw fail("\"(\"") }
            let first = try parseOperand()
            guard acceptSymbol(",") else { throw fail("\",\"") }
            let second = try parseOperand()
            guard acceptSymbol(")") else { throw fail("\")\"") }
            filter.during = (first, second)
        }
        if duplicate {
            throw QueryError(Message(en: "\"\(clause.text)\" given twice in \"changed\"", zh: "\"changed\" 中 \"\(clause.text)\" 出现了两次"), at: clause.range)
        }
    }

    /// comparison = ( "=" | "!=" | "<" | "<=" | ">" | ">=" ) value ;
    private mutating func parseComparison(_ lhs: ValueExpr) throws -> Expr {
        let op = CompareOp(rawValue: advance().text)!
        let rhs = try parseOperand()
        return .compare(lhs, op, rhs, lhs.range.union(rhs.range))
    }

    /// value_list = "(" value { "," value } ")" ;
    private mutating func parseValueList() throws -> [ValueExpr] {
        guard acceptSymbol("(") else { throw fail(Message(en: "\"(\" and a list of values", zh: "\"(\" 和值列表")) }
        var values = [try parseOperand()]
        while acceptSymbol(",") { values.append(try parseOperand()) }
        guard acceptSymbol(")") else { throw fail(Parser.list(["\",\"", "\")\""])) }
        return values
    }

    // MARK: - Values

    /// A value where one is required: `expected a value after "=" but found end of input`.
    private mutating func parseOperand() throws -> ValueExpr {
        try requireValue()
        return try parseValue()
    }

    private func requireValue() throws {
        if !canStartValue(tokens[index]) { throw fail(Message(en: "a value", zh: "值")) }
    }

    /// value = primary { ( "+" | "-" ) duration } ;
    private mutating func parseValue() throws -> ValueExpr {
        let value = try parsePrimary()
        return atOffset() ? try parseOffsets(value) : value
    }

    private func atOffset() -> Bool { tokens[index].isSymbol("+") || tokens[index].isSymbol("-") }

    /// The `{ ( "+" | "-" ) duration }` part of value.
    private mutating func parseOffsets(_ base: ValueExpr) throws -> ValueExpr {
        var value = base
        while current.isSymbol("+") || current.isSymbol("-") {
            let sign = advance().text == "+" ? 1 : -1
            guard current.kind == .duration else {
                throw fail(Message(en: "a duration such as 7d, 2w, 1m or 1y", zh: "时长，如 7d、2w、1m 或 1y"))
            }
            let d = advance()
            let unit = DurationUnit(rawValue: String(d.text.last!))!
            let amount = Int(d.text.dropLast())!
            value = .offset(value, sign: sign, amount: amount, unit: unit, value.range.union(d.range))
        }
        return value
    }

    /// primary = field | name "(" [ "*" | "distinct" value | name "where" expr | expr { "," expr } ] ")" | string | number | date | "today" | "true" | "false" | parameter ;
    private mutating func parsePrimary() throws -> ValueExpr {
        try requireValue()
        if atCall() { return try parseCall() }
        if atField() { return try parseField() }
        return literal(advance())
    }

    /// A name directly followed by ".": a related row's field.
    @inline(never)
    private func atField() -> Bool {
        isName(tokens[index]) && !isKeywordLiteral(tokens[index]) && peek(1).isSymbol(".")
    }

    /// field = name [ "." name ] ;
    ///
    /// The two names and the dot become one name, `unit.type`, ranging over all three tokens.
    @inline(never)
    private mutating func parseField() throws -> ValueExpr {
        let first = advance()
        guard acceptSymbol(".") else { return .name(Identifier(first.text, first.range)) }
        guard isName(current) else { throw fail(Message(en: "a field of \(first.text)", zh: "\(first.text) 的字段")) }
        let second = advance()
        return .name(Identifier(first.text + "." + second.text, SourceRange(first.range.start, second.range.end)))
    }

    /// A name (not today/true/false) directly followed by "(".
    private func atCall() -> Bool {
        let t = tokens[index]
        return t.kind == .word && !isKeywordLiteral(t) && peek(1).isSymbol("(")
    }

    private func isKeywordLiteral(_ t: Token) -> Bool {
        t.isWord(.today) || t.isWord(.true) || t.isWord(.false)
    }

    /// The value of a one-token primary.
    private func literal(_ t: Token) -> ValueExpr {
        switch t.kind {
        case .string: return .string(t.text, t.range)
        case .number: return .number(Lexer.numberValue(t.text) ?? 0, text: t.text, t.range)
        case .date:
            let parts = t.text.split(separator: "-").map { Int($0) ?? 0 }
            return .date(year: parts[0], month: parts[1], day: parts[2], text: t.text, t.range)
        case .parameter: return .parameter(Identifier(t.text, t.range))
        default: break
        }
        switch t.word {
        case "today": return .today(t.range)
        case "true": return .bool(true, t.range)
        case "false": return .bool(false, t.range)
        default: return .name(Identifier(t.text, t.range))
        }
    }

    /// The `name "(" [ "*" | value { "," value } ] ")"` alternative of primary.
    private mutating func parseCall() throws -> ValueExpr {
        let name = Identifier(tokens[index].text, tokens[index].range)
        index += 2
        try enter()
        defer { depth -= 1 }
        return makeCall(name, try parseArguments())
    }

    /// The `[ "*" | "distinct" value | name "where" expr | expr { "," expr } ] ")"` of a call:
    /// the arguments, or nil for `*`.
    private mutating func parseArguments() throws -> [ValueExpr]? {
        if acceptSymbol("*") {
            if !acceptSymbol(")") { throw failCallEnd(empty: false) }
            return nil
        }
        var args: [ValueExpr] = []
        if atSpecialArgument() {
            args.append(try parseSpecialArgument())
        } else if !atSymbol(")") {
            args.append(try parseArgument())
            while acceptSymbol(",") { args.append(try parseArgument()) }
        }
        if !acceptSymbol(")") { throw failCallEnd(empty: args.isEmpty) }
        return args
    }

    /// `distinct value` or `name where expr`.
    @inline(never)
    private func atSpecialArgument() -> Bool {
        (tokens[index].isWord(.distinct) && canStartValue(peek(1))) || (isName(tokens[index]) && peek(1).isWord(.where))
    }

    /// The `"distinct" value` and `name "where" expr` arguments.
    @inline(never)
    private mutating func parseSpecialArgument() throws -> ValueExpr {
        if current.isWord(.distinct) {
            let start = advance().range.start
            let v = try parseValue()
            return .distinct(v, range(from: start))
        }
        let source = advance()
        advance()
        let filter = try parseExpr()
        return .related(Identifier(source.text, source.range), filter, range(from: source.range.start))
    }

    /// An `expr` argument: a bare value stays a value; any other condition is a `.condition`.
    /// A value followed by "," or ")" is taken as it is, on the short path calls nest on.
    private mutating func parseArgument() throws -> ValueExpr {
        if canStartValue(tokens[index]) && !atHistoryPredicate() {
            let v = try parseValue()
            if atArgumentEnd() { return v }
            return try parseConditionArgument(after: v)
        }
        return try parseConditionArgument()
    }

    /// `name was …` or `name [ not ] changed …`.
    @inline(never)
    private func atHistoryPredicate() -> Bool {
        switch predicateForm() {
        case .was, .changed, .exists: return true
        default: return false
        }
    }

    /// A condition argument whose first value is already parsed: the rest of its predicate,
    /// then the `and` and `or` that follow (as expr would have parsed them).
    @inline(never)
    private mutating func parseConditionArgument(after lhs: ValueExpr) throws -> ValueExpr {
        var e = try parsePredicateRest(lhs)
        var terms = [e]
        while accept(.and) { terms.append(try parseNotExpr()) }
        if terms.count > 1 { e = .and(terms) }
        terms = [e]
        while accept(.or) { terms.append(try parseAndExpr()) }
        if terms.count > 1 { e = .or(terms) }
        if case .truthy(let v) = e { return v }
        return .condition(e, e.range)
    }

    @inline(never)
    private func atArgumentEnd() -> Bool { tokens[index].isSymbol(",") || tokens[index].isSymbol(")") }

    @inline(never)
    private mutating func parseConditionArgument() throws -> ValueExpr {
        if !canStartValue(current) && !atSymbol("(") && !atWord(.not) { throw fail(Message(en: "a value", zh: "值")) }
        let e = try parseExpr()
        if case .truthy(let v) = e { return v }
        return .condition(e, e.range)
    }

    private func makeCall(_ name: Identifier, _ args: [ValueExpr]?) -> ValueExpr {
        .call(name, args: args ?? [], star: args == nil, range(from: name.range.start))
    }

    private func failCallEnd(empty: Bool) -> QueryError {
        fail(empty ? Message(en: "a value, \"*\" or \")\"", zh: "值、\"*\" 或 \")\"") : .same("\")\""))
    }
}
