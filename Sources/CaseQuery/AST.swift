// The syntax tree of a caseql statement. Every node carries the source range it was parsed from,
// so that the binder and the evaluator can point at the exact token when they report an error.
// The parser (Parser.swift) builds it; grammar/caseql.ebnf is the source of truth for its shape.

import CaseStore

/// A position in a statement's text: 1-based line and column, counted in Characters,
/// and the 0-based Character offset from the start of the text.
public struct SourcePosition: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var offset: Int
    public init(line: Int, column: Int, offset: Int) {
        self.line = line; self.column = column; self.offset = offset
    }
    public static let start = SourcePosition(line: 1, column: 1, offset: 0)
    public var description: String { "\(line):\(column)" }
}

/// A half-open range of characters [start, end) in a statement's text.
public struct SourceRange: Equatable, Hashable, Sendable {
    public var start: SourcePosition
    public var end: SourcePosition
    public init(_ start: SourcePosition, _ end: SourcePosition) { self.start = start; self.end = end }
    /// The smallest range covering both.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(start.offset <= other.start.offset ? start : other.start,
                    end.offset >= other.end.offset ? end : other.end)
    }
}

/// A name as the user wrote it (English or Chinese), not yet resolved to a field, value or aggregate.
public struct Identifier: Equatable, Hashable, Sendable {
    public var text: String
    public var range: SourceRange
    public init(_ text: String, _ range: SourceRange) { self.text = text; self.range = range }
}

public enum Statement: Equatable, Sendable {
    case query(Query)
    /// `explain <query>`: the plan, without running the query.
    case explain(Query)
    /// `explain analyze <query>`: runs the query once and gives the plan with each step's row count.
    case explainAnalyze(Query)
    /// `expect N rows`, `expect at least N rows`, `expect at most N rows`: checks the previous result.
    case expect(Expectation)
}

public struct Expectation: Equatable, Sendable {
    public enum Relation: Equatable, Sendable { case exactly, atLeast, atMost }
    public var relation: Relation
    public var count: Int
    public var range: SourceRange
    public init(relation: Relation, count: Int, range: SourceRange) {
        self.relation = relation; self.count = count; self.range = range
    }
}

public enum Verb: Equatable, Sendable {
    /// `select …`: rows, or groups when there is a group by or an aggregate.
    case select
    /// `count …`: the number of rows the query keeps (or per group with group by).
    case count
    /// `pivot count by unit, status from cases`: one row a value of the first key, one column a
    /// value of the second, totals on both sides.
    case pivot
}

/// A key of `group by`: a field (`unit`), a related row's field (`unit.type`), a time bucket
/// (`month(assigned_on)`), or each element of a list field (`each co_units`).
public struct GroupKey: Equatable, Sendable {
    public var value: ValueExpr
    /// `each co_units`: a case is in the group of each distinct element of its list.
    public var each: Bool
    public var range: SourceRange
    public init(value: ValueExpr, each: Bool = false, range: SourceRange) {
        self.value = value; self.each = each; self.range = range
    }
    /// The key as written for a bare name (`unit`, `类别`), else its source text's shape.
    public var text: String {
        if case .name(let id) = value { return (each ? "each " : "") + id.text }
        return (each ? "each " : "") + value.shape
    }
}

public struct Query: Equatable, Sendable {
    public var verb: Verb
    /// The projection. Empty means the source's default columns.
    public var items: [SelectItem]
    /// The source as written: cases, suggestions, proposals, units, events (or a Chinese name).
    public var source: Identifier
    public var filter: Expr?
    public var groupBy: [GroupKey]
    public var having: Expr?
    public var orderBy: [OrderKey]
    public var limit: Int?
    public var offset: Int?
    public var range: SourceRange

    public init(verb: Verb, items: [SelectItem] = [], source: Identifier, filter: Expr? = nil,
                groupBy: [GroupKey] = [], having: Expr? = nil, orderBy: [OrderKey] = [],
                limit: Int? = nil, offset: Int? = nil, range: SourceRange) {
        self.verb = verb; self.items = items; self.source = source; self.filter = filter
        self.groupBy = groupBy; self.having = having; self.orderBy = orderBy
        self.limit = limit; self.offset = offset; self.range = range
    }
}

public enum SelectItem: Equatable, Sendable {
    /// `*`: every field of the source.
    case all(SourceRange)
    /// A field, an aggregate, or any value expression, with an optional `as` alias.
    case value(ValueExpr, alias: Identifier?)
}

public struct OrderKey: Equatable, Sendable {
    public var value: ValueExpr
    public var descending: Bool
    public init(value: ValueExpr, descending: Bool) { self.value = value; self.descending = descending }
}

public enum DurationUnit: String, Equatable, Sendable {
    case day = "d", week = "w", month = "m", year = "y"
}

public indirect enum ValueExpr: Equatable, Sendable {
    /// A bare name: a field, an enum value (`overdue`, `已办结`) or an aggregate without
    /// parentheses (`count`, `completion_rate`); the binder decides which.
    case name(Identifier)
    /// A quoted string: "教育局", '教育局', “教育局”.
    case string(String, SourceRange)
    /// An integer or decimal literal, with its text as written.
    case number(Double, text: String, SourceRange)
    /// A date literal yyyy-mm-dd, not yet checked for being a real day (the binder does that).
    case date(year: Int, month: Int, day: Int, text: String, SourceRange)
    /// `true` / `false` / `是` / `否`.
    case bool(Bool, SourceRange)
    /// `today`: the as-of date.
    case today(SourceRange)
    /// `<date value> + 7d`, `today - 2w`, `deadline + 1m`.
    case offset(ValueExpr, sign: Int, amount: Int, unit: DurationUnit, SourceRange)
    /// `$unit`: a script parameter.
    case parameter(Identifier)
    /// `count(*)`, `min(deadline)`, `avg(days_open)`, `completion_rate()`, `month(assigned_on)`.
    /// A bare name as an argument is a `.name`; a condition (`rate(satisfaction = satisfied)`) is
    /// a `.condition`.
    case call(Identifier, args: [ValueExpr], star: Bool, SourceRange)
    /// A condition as the argument of a call: `rate(satisfaction = satisfied)`.
    case condition(Expr, SourceRange)
    /// `distinct unit` as the argument of `count(distinct unit)`.
    case distinct(ValueExpr, SourceRange)
    /// `event where action = return_request` as the argument of `count(…)`: a case's related
    /// rows that meet the condition.
    case related(Identifier, Expr?, SourceRange)

    public var range: SourceRange {
        switch self {
        case .name(let i), .parameter(let i): return i.range
        case .string(_, let r), .number(_, _, let r), .date(_, _, _, _, let r), .bool(_, let r),
             .today(let r), .offset(_, _, _, _, let r), .call(_, _, _, let r),
             .condition(_, let r), .distinct(_, let r), .related(_, _, let r):
            return r
        }
    }

    /// The value written back in a canonical form without ranges: `month(assigned_on)`,
    /// `unit.type`, `count(distinct unit)`. Names of columns and of group keys come from it.
    public var shape: String {
        switch self {
        case .name(let i): return i.text
        case .string(let s, _): return "\"" + s + "\""
        case .number(_, let t, _): return t
        case .date(_, _, _, let t, _): return t
        case .bool(let b, _): return b ? "true" : "false"
        case .today: return "today"
        case .offset(let v, let sign, let amount, let unit, _): return "\(v.shape) \(sign > 0 ? "+" : "-") \(amount)\(unit.rawValue)"
        case .parameter(let i): return "$" + i.text
        case .call(let f, let args, let star, _): return "\(f.text)(\(star ? "*" : args.map(\.shape).joined(separator: ", ")))"
        case .condition(let e, _): return e.shape
        case .distinct(let v, _): return "distinct " + v.shape
        case .related(let s, let e, _): return s.text + (e.map { " where " + $0.shape } ?? "")
        }
    }
}

public enum CompareOp: String, Equatable, Sendable {
    case eq = "=", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
}

/// The history operators over a case's events, in the manner of JQL's WAS and CHANGED.
public struct ChangeFilter: Equatable, Sendable {
    public var from: ValueExpr?
    public var to: ValueExpr?
    public var after: ValueExpr?
    public var before: ValueExpr?
    /// `during (d1, d2)`: both ends included.
    public var during: (ValueExpr, ValueExpr)?
    /// `by "unit"`: the unit that acted.
    public var by: ValueExpr?
    public init(from: ValueExpr? = nil, to: ValueExpr? = nil, after: ValueExpr? = nil,
                before: ValueExpr? = nil, during: (ValueExpr, ValueExpr)? = nil, by: ValueExpr? = nil) {
        self.from = from; self.to = to; self.after = after; self.before = before
        self.during = during; self.by = by
    }
    public static func == (a: ChangeFilter, b: ChangeFilter) -> Bool {
        a.from == b.from && a.to == b.to && a.after == b.after && a.before == b.before
            && a.during?.0 == b.during?.0 && a.during?.1 == b.during?.1 && a.by == b.by
    }
}

public indirect enum Expr: Equatable, Sendable {
    /// `a and b and c`: two or more terms, kept flat (a chain of 50,000 terms is one node, not
    /// 50,000 levels), in the order written.
    case and([Expr])
    /// `a or b or c`: two or more terms, kept flat like `and`.
    case or([Expr])
    case not(Expr, SourceRange)
    /// `a = b`, `deadline < today`, `status != closed`.
    case compare(ValueExpr, CompareOp, ValueExpr, SourceRange)
    /// `x in (a, b)` / `x not in (a, b)`.
    case inList(ValueExpr, [ValueExpr], negated: Bool, SourceRange)
    /// `x between a and b` (both ends included) / `x not between a and b`.
    case between(ValueExpr, ValueExpr, ValueExpr, negated: Bool, SourceRange)
    /// `title contains "午餐"` / `title not contains "午餐"`.
    case contains(ValueExpr, ValueExpr, negated: Bool, SourceRange)
    /// `x is empty` / `x is not empty`.
    case isEmpty(ValueExpr, negated: Bool, SourceRange)
    /// A bare value used as a condition: `where key_supervised`, `where overdue`.
    case truthy(ValueExpr)
    /// `unit was "教育局"`, `status was not returned`, `unit was in ("a", "b")`: the field held
    /// the value at some point in the case's history.
    /// With `on DATE` (`status was replied on 2020-06-30`): the field held the value on that day.
    case was(Identifier, [ValueExpr], negated: Bool, on: ValueExpr?, SourceRange)
    /// `exists event where action = return_request`: the case has a related row that meets the
    /// condition (any related row without one).
    case exists(Identifier, Expr?, SourceRange)
    /// `status changed`, `status changed to closed after 2020-08-01`, `unit changed from "a" by "a"`.
    case changed(Identifier, ChangeFilter, negated: Bool, SourceRange)

    public var range: SourceRange {
        switch self {
        case .and(let terms), .or(let terms): return terms[0].range.union(terms[terms.count - 1].range)
        case .not(_, let r), .compare(_, _, _, let r), .inList(_, _, _, let r),
             .between(_, _, _, _, let r), .contains(_, _, _, let r), .isEmpty(_, _, let r),
             .was(_, _, _, _, let r), .changed(_, _, _, let r), .exists(_, _, let r):
            return r
        case .truthy(let v): return v.range
        }
    }

    /// The condition written back in a canonical form without ranges (for names and plans).
    public var shape: String {
        func list(_ vs: [ValueExpr]) -> String { "(" + vs.map(\.shape).joined(separator: ", ") + ")" }
        switch self {
        case .and(let terms): return terms.map(\.shape).joined(separator: " and ")
        case .or(let terms): return "(" + terms.map(\.shape).joined(separator: " or ") + ")"
        case .not(let a, _): return "not \(a.shape)"
        case .compare(let a, let op, let b, _): return "\(a.shape) \(op.rawValue) \(b.shape)"
        case .inList(let a, let vs, let n, _): return "\(a.shape) \(n ? "not in" : "in") \(list(vs))"
        case .between(let a, let lo, let hi, let n, _): return "\(a.shape) \(n ? "not between" : "between") \(lo.shape) and \(hi.shape)"
        case .contains(let a, let b, let n, _): return "\(a.shape) \(n ? "not contains" : "contains") \(b.shape)"
        case .isEmpty(let a, let n, _): return "\(a.shape) is \(n ? "not " : "")empty"
        case .truthy(let v): return v.shape
        case .was(let f, let vs, let n, let on, _):
            return "\(f.text) was \(n ? "not " : "")\(vs.count == 1 ? vs[0].shape : "in " + list(vs))\(on.map { " on " + $0.shape } ?? "")"
        case .changed(let f, _, let n, _): return "\(f.text) \(n ? "not " : "")changed …"
        case .exists(let s, let e, _): return "exists \(s.text)" + (e.map { " where " + $0.shape } ?? "")
        }
    }
}

/// An error in a statement, with the range of the offending token and, where one can be found,
/// a suggestion (`did you mean \`unit\`?`).
/// The message and the hint are written in both languages (`Message`): `rendered(chinese:)`
/// shows the Chinese ones under `.labels on`.
public struct QueryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, in both languages.
    public var text: Message
    public var range: SourceRange
    /// A field or word it may have meant (`unit`), or a whole hint (`set it with .set NAME VALUE`).
    public var hint: Message?
    public init(_ message: Message, at range: SourceRange, suggestion: Message? = nil) {
        text = message; self.range = range; hint = suggestion
    }
    /// An error whose text reads the same in both languages (or is not yet written in Chinese).
    public init(_ message: String, at range: SourceRange, suggestion: String? = nil) {
        self.init(.same(message), at: range, suggestion: suggestion.map(Message.same))
    }
    /// The English message.
    public var message: String {
        get { text.en }
        set { text = .same(newValue) }
    }
    /// The English hint.
    public var suggestion: String? {
        get { hint?.en }
        set { hint = newValue.map(Message.same) }
    }
    public var description: String { "\(range.start): \(message)" }
}
