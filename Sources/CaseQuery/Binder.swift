import CaseStore

/// A field of the source, stored (with its column) or derived (computed against the as-of date);
/// or a field of a related row (`unit.type`), or a value computed from a row (`month(assigned_on)`,
/// `count(event where …)`).
struct BoundField {
    let spec: FieldSpec
    let column: ColumnRef?
    let range: SourceRange
    /// Set for a related row's field: `column` and `spec` are then the related table's.
    var relation: Relation? = nil
    /// Set for a computed value (no column).
    var computed: Computed? = nil
    var name: String { spec.name }
    /// The name as a column of a result: `unit.type` for a related field.
    var qualifiedName: String { relation.map { "\($0.prefix).\(spec.name)" } ?? spec.name }
    /// The field as its own table sees it (without the relation).
    var local: BoundField { BoundField(spec: spec, column: column, range: range) }
    /// A plain field of the source's own table, stored or derived.
    var isPlain: Bool { relation == nil && computed == nil }
}

/// A literal after parameters and `today` are resolved, not yet coerced to a field's type.
enum Literal {
    case text(String)       // quoted, or a bare name that is not a field
    case number(Double, String)
    case day(Day)
    case bool(Bool)

    var asText: String {
        switch self {
        case .text(let s): return s
        case .number(_, let t): return t
        case .day(let d): return d.description
        case .bool(let b): return b ? "true" : "false"
        }
    }

    /// Whether it is a percentage: `5%`, or a parameter set to "5%".
    var isPercent: Bool {
        switch self {
        case .number(_, let t): return t.hasSuffix("%")
        case .text(let s): return s.hasSuffix("%") && Lexer.numberValue(s) != nil
        default: return false
        }
    }

    /// The literal as a real number (a percentage as its fraction: 5% is 0.05), or nil.
    var real: Double? {
        switch self {
        case .number(let d, _): return d
        case .text(let s): return Lexer.numberValue(s)
        default: return nil
        }
    }
}

/// One side of a comparison: a field (possibly shifted by a duration) or a literal.
enum Operand {
    case field(BoundField, shiftDays: Int, shiftMonths: Int)
    case literal(Literal, SourceRange)
}

/// Turns names into fields and conditions into plans, for one source.
final class Binder {
    let store: CaseStore
    let source: SourceInfo
    let table: Table
    let asOf: Day
    let params: [String: String]
    let labels: Bool
    /// Inside `exists NAME where …` or `count(NAME where …)`: the relation back to the row
    /// asking (`case` from events, `unit` from cases), through which names this table lacks
    /// resolve: `exists event where date > assigned_on + 10d` compares with the case's date.
    var outer: String?
    /// How deeply plans may nest: each level the parser allows (a parenthesis, a `not`, a call)
    /// adds at most an `and`, an `or` and a `not` here. Flat chains of `and`/`or` are one level.
    static let maxDepth = 3 * Parser.maxDepth

    init(store: CaseStore, source: SourceInfo, asOf: Day, params: [String: String], labels: Bool) {
        self.store = store; self.source = source; self.table = source.table
        self.asOf = asOf; self.params = params; self.labels = labels
    }

    var n: Int { table.count }
    var indexes: TableIndexes { table.indexes }

    // MARK: fields

    /// The field a name spells: its name exactly (a column of the groups: `rate(unit.type = district)`),
    /// else its name, label or an alias as `Schema.field` folds them.
    func lookupField(_ text: String) -> FieldSpec? {
        table.specs.first { $0.name == text } ?? Schema.field(text, in: table.specs)
    }

    /// Whether `text` names a field: one of the source's, or a related row's (`unit.type`).
    func isFieldName(_ text: String) -> Bool {
        if lookupField(text) != nil { return true }
        guard let dot = text.firstIndex(of: "."), dot != text.startIndex else {
            guard let o = outer else { return false }
            return (try? relation(o, SourceRange(.start, .start)))?.binder.lookupField(text) != nil
        }
        return (try? relation(String(text[..<dot]), SourceRange(.start, .start)))
            .map { $0.binder.lookupField(String(text[text.index(after: dot)...])) != nil } ?? false
    }

    func field(_ id: Identifier) throws -> BoundField {
        if let dot = id.text.firstIndex(of: "."), dot != id.text.startIndex, lookupField(id.text) == nil {
            let rel = try relation(String(id.text[..<dot]), id.range)
            var f = try rel.binder.field(Identifier(String(id.text[id.text.index(after: dot)...]), id.range))
            f.relation = rel
            return f
        }
        if lookupField(id.text) == nil, let o = outer, (try? relation(o, id.range))?.binder.lookupField(id.text) != nil {
            // Inside `exists event where …`: a name the events lack is the case's (correlated).
            return try field(Identifier(o + "." + id.text, id.range))
        }
        guard let spec = lookupField(id.text) else {
            let all = table.specs.flatMap { [$0.name, $0.label] } + source.otherNames
            let names = table.specs.map(\.name).joined(separator: ", ")
            let suggestion = Suggest.closest(to: id.text, in: all).map { Message(en: "did you mean `\($0)`?", zh: "是不是 `\($0)`？") }
            if source.isGroups {
                let aggregates = Aggregate.names.map(\.name).joined(separator: ", ")
                throw QueryError(Message(en: "unknown column or aggregate `\(id.text)` in having", zh: "having 中没有列或聚合 `\(id.text)`"), at: id.range,
                                 suggestion: suggestion ?? Message(en: "the groups' columns are: \(names); the aggregates: \(aggregates)",
                                                                   zh: "分组的列有：\(names)；聚合有：\(aggregates)"))
            }
            throw QueryError(Message(en: "unknown field `\(id.text)` in \(source.name)", zh: "\(source.name) 中没有字段 `\(id.text)`"), at: id.range,
                             suggestion: suggestion ?? Message(en: "the fields are: " + names, zh: "字段有：" + names))
        }
        return BoundField(spec: spec, column: table.column(spec.name), range: id.range, computed: source.computed[spec.name])
    }

    // MARK: values

    func parameter(_ id: Identifier) throws -> String {
        guard let v = params[id.text] else {
            throw QueryError(Message(en: "parameter $\(id.text) is not set", zh: "参数 $\(id.text) 未设置"), at: id.range,
                             suggestion: Message(en: "set it with --set \(id.text)=… on the command line or .set \(id.text) … in the shell",
                                                 zh: "在命令行用 --set \(id.text)=… 或在交互界面用 .set \(id.text) … 设置"))
        }
        return v
    }

    /// A value that must be a literal (not a field).
    func literal(_ v: ValueExpr) throws -> Literal {
        switch v {
        case .name(let id): return .text(id.text)
        case .string(let s, _): return .text(s)
        case .number(let d, let t, _): return .number(d, t)
        case .bool(let b, _): return .bool(b)
        case .today: return .day(asOf)
        case .date(let y, let m, let d, let text, let r):
            guard let day = Day(year: y, month: m, day: d) else {
                let month = "\(y)-\(m < 10 ? "0" : "")\(m)", days = m >= 1 && m <= 12 ? Day.daysIn(year: y, month: m) : 0
                throw QueryError(Message(en: "\(text) is not a day (\(month) has \(days) days)", zh: "\(text) 不是日期（\(month) 只有 \(days) 天）"), at: r)
            }
            return .day(day)
        case .parameter(let id):
            let s = try parameter(id)
            if let d = Day(s) { return .day(d) }
            return .text(s)
        case .offset(let base, let sign, let amount, let unit, let r):
            guard case .day(let d) = try literal(base) else {
                throw QueryError(Message(en: "only a date can be shifted by a duration", zh: "只有日期能加减时长"), at: r)
            }
            guard let shifted = Binder.shift(d, sign: sign, amount: amount, unit: unit) else {
                let shift = "\(d) \(sign > 0 ? "+" : "-") \(amount)\(unit.rawValue)"
                throw QueryError(Message(en: "\(shift) is out of range (days run from \(Day.earliest) to \(Day.latest))",
                                         zh: "\(shift) 超出范围（日期从 \(Day.earliest) 到 \(Day.latest)）"), at: r)
            }
            return .day(shifted)
        case .call(let id, _, _, let r):
            throw QueryError(Message(en: "`\(id.text)(…)` is an aggregate: it belongs in the select list, having or order by, not in where", zh: "`\(id.text)(…)` 是聚合：应放在选择列表、having 或 order by 中，不能放在 where 中"), at: r)
        case .condition(_, let r), .distinct(_, let r), .related(_, _, let r):
            throw QueryError(Message(en: "expected a value here", zh: "这里应为一个值"), at: r)
        }
    }

    /// `d` shifted by a duration, or nil when the result is not a day between 0001-01-01 and
    /// 9999-12-31 (or the duration itself overflows).
    static func shift(_ d: Day, sign: Int, amount: Int, unit: DurationUnit) -> Day? {
        guard let (days, months) = durationParts(sign: sign, amount: amount, unit: unit) else { return nil }
        return d.shifted(days: days, months: months)
    }

    /// The longest shift a field may take: no two days of the calendar (0001…9999) are further
    /// apart, so a longer one is a mistake, and keeping it small keeps per-row arithmetic exact.
    static let maxShiftDays = Int(Day.latest.raw) - Int(Day.earliest.raw)

    /// A signed duration as days and months, or nil when it is longer than any two days can be apart.
    static func durationParts(sign: Int, amount: Int, unit: DurationUnit) -> (days: Int, months: Int)? {
        let factor: Int
        switch unit {
        case .day, .month: factor = 1
        case .week: factor = 7
        case .year: factor = 12
        }
        let (n, overflow) = amount.multipliedReportingOverflow(by: factor)
        guard !overflow else { return nil }
        let isMonths = unit == .month || unit == .year
        guard n <= (isMonths ? maxShiftDays / 28 : maxShiftDays) else { return nil }
        return isMonths ? (0, sign * n) : (sign * n, 0)
    }

    /// A side of a comparison: a bare name that is a field of the source is the field.
    func operand(_ v: ValueExpr, preferValueOf enumField: BoundField? = nil) throws -> Operand {
        switch v {
        case .name(let id):
            if let f = enumField, case .enumeration(let info) = f.spec.type,
               info.code(of: id.text) != nil || (f.name == .status && isOverdueSpelling(id.text)) {
                return .literal(.text(id.text), id.range)
            }
            if isFieldName(id.text) { return .field(try field(id), shiftDays: 0, shiftMonths: 0) }
            return .literal(.text(id.text), id.range)
        case .call:
            if let f = try computedField(v) { return .field(f, shiftDays: 0, shiftMonths: 0) }
            return .literal(try literal(v), v.range)
        case .offset(let base, let sign, let amount, let unit, let r):
            if case .name(let id) = base, isFieldName(id.text) {
                let f = try field(id)
                guard let (days, months) = Binder.durationParts(sign: sign, amount: amount, unit: unit) else {
                    throw QueryError(Message(en: "\(amount)\(unit.rawValue) is out of range (no two days are more than 9999 years apart)", zh: "\(amount)\(unit.rawValue) 超出范围（两个日期相差不超过 9999 年）"), at: r)
                }
                return .field(f, shiftDays: days, shiftMonths: months)
            }
            return .literal(try literal(v), r)
        default:
            return .literal(try literal(v), v.range)
        }
    }

    func isOverdueSpelling(_ s: String) -> Bool {
        let v = DerivedStatus.overdue
        return ([v.token, v.label] + v.aliases).contains { $0 == s.lowercased() }
    }

    // MARK: typed access

    /// Integer view of a date or number field (stored or derived); Day.none for an empty cell.
    func intGetter(_ f: BoundField) -> ((Int) -> Int32)? {
        if let c = f.computed { return c.int }
        if let rel = f.relation {
            guard let g = rel.binder.intGetter(f.local) else { return nil }
            let map = rel.map, none = Day.none
            return { r in let u = map(r); return u < 0 ? none : g(u) }
        }
        if let c = f.column {
            switch c {
            case .day(let col): let v = col.values; return { v[$0] }
            case .int(let col): let v = col.values; return { v[$0] }
            default: return nil
            }
        }
        let asOf = self.asOf.raw
        let none = Day.none
        switch f.name {
        case FieldName.daysOpen:
            let a = table.day(.assignedOn).values, c = table.day(.closedOn).values
            return { r in a[r] == none ? none : (c[r] != none ? c[r] : asOf) - a[r] }
        case FieldName.daysToSign:
            let a = table.day(.assignedOn).values, s = table.day(.signedOn).values
            return { r in a[r] == none || s[r] == none ? none : s[r] - a[r] }
        case FieldName.daysToReply:
            let a = table.day(.assignedOn).values, s = table.day(.repliedOn).values
            return { r in a[r] == none || s[r] == none ? none : s[r] - a[r] }
        default: return nil
        }
    }

    /// Bool view of a bool field (stored or derived).
    func boolGetter(_ f: BoundField) -> ((Int) -> Bool)? {
        if f.computed != nil { return nil }
        if let rel = f.relation {
            guard let g = rel.binder.boolGetter(f.local) else { return nil }
            let map = rel.map
            return { r in let u = map(r); return u < 0 ? false : g(u) }
        }
        if let c = f.column {
            if case .bool(let col) = c { let v = col.values; return { v[$0] } }
            return nil
        }
        switch f.name {
        case FieldName.overdue:
            let d = table.day(.deadline).values, s = table.code(.status).codes
            let asOf = self.asOf.raw
            return { r in DomainRules.isOverdue(deadline: d[r], status: s[r], asOf: asOf) }
        case FieldName.late:
            let d = table.day(.deadline).values, rep = table.day(.repliedOn).values
            return { r in DomainRules.isLate(replied: rep[r], deadline: d[r]) }
        case FieldName.faceToFace:
            let c = table.code(.contact).codes
            let lookup = DomainRules.table { DomainRules.isFaceToFace(contact: $0) }
            return { r in lookup[Int(c[r])] }
        default: return nil
        }
    }

    /// The cell of a field in a row, for output.
    func cellGetter(_ f: BoundField) -> (Int) -> Cell {
        if let c = f.computed { let g = c.int, show = c.cellOfInt; return { show(g($0)) } }
        if let rel = f.relation {
            let g = rel.binder.cellGetter(f.local), map = rel.map
            return { r in let u = map(r); return u < 0 ? .null : g(u) }
        }
        if let c = f.column {
            switch c {
            case .text(let col): return { .text(col[$0]) }
            case .list(let col): return { .list(col[$0]) }
            case .code(let col):
                let labels = self.labels
                return { r in
                    let v = col.codes[r]
                    return v == EnumInfo.none ? .null : .text(labels ? col.info.label(v) : col.info.token(v))
                }
            case .bool(let col): return { .bool(col.values[$0]) }
            case .day(let col): return { col.values[$0] == Day.none ? .null : .day(Day(raw: col.values[$0])) }
            case .int(let col): return { col.values[$0] == Day.none ? .null : .int(Int(col.values[$0])) }
            case .real(let col):
                let fraction: Bool
                if case .real(let isFraction) = f.spec.type { fraction = isFraction } else { fraction = false }
                return { r in
                    let v = col.values[r]
                    return v.isNaN ? .null : (fraction ? .rate(v) : .double(v))
                }
            }
        }
        if let b = boolGetter(f) { return { .bool(b($0)) } }
        let g = intGetter(f)!
        if case .date = f.spec.type { return { let v = g($0); return v == Day.none ? .null : .day(Day(raw: v)) } }
        return { let v = g($0); return v == Day.none ? .null : .int(Int(v)) }
    }

    /// The value a row sorts by: an enum by its code (its declared order, whatever `.labels`
    /// shows); a text column by its code's rank in its pool (`Collation.ranks`) when `rows`
    /// rows are to be sorted and the pool is not much larger, or its ranks are kept already;
    /// anything else by its cell (texts are then ranked by `Collation`).
    func sortGetter(_ f: BoundField, rows: Int) -> (Int) -> Cell {
        let plain: (Int) -> Cell
        switch f.column {
        case .code(let col)?:
            let codes = col.codes
            plain = { r in codes[r] == EnumInfo.none ? .null : .int(Int(codes[r])) }
        case .text(let col)? where Collation.hasRanks(of: col.pool) || rows * 4 >= col.pool.count:
            let codes = col.codes, ranks = Collation.ranks(of: col.pool)
            plain = { r in .int(Int(ranks[Int(codes[r])])) }
        default:
            return cellGetter(f)
        }
        guard let rel = f.relation else { return plain }
        let map = rel.map
        return { r in let u = map(r); return u < 0 ? .null : plain(u) }
    }

    // MARK: conditions

    func plan(_ e: Expr, depth: Int = 0) throws -> Plan {
        if depth > Binder.maxDepth {
            throw QueryError(Message(en: "condition nested too deeply (limit \(Binder.maxDepth))", zh: "条件嵌套太深（上限 \(Binder.maxDepth) 层）"), at: e.range)
        }
        if let p = try relatedPlan(e) { return p }
        switch e {
        case .and(let terms):
            return .and(try terms.flatMap { flatten(try plan($0, depth: depth + 1), and: true) })
        case .or(let terms):
            return .or(try terms.flatMap { flatten(try plan($0, depth: depth + 1), and: false) })
        case .not(let x, _):
            return .not(try plan(x, depth: depth + 1))
        case .compare(let l, let op, let r, let range):
            return try compare(l, op, r, range)
        case .inList(let v, let items, let negated, let range):
            let f = try requireField(v, range, what: "in (…)")
            let p = try equalsAny(f, items.map { try operandLiteral($0, for: f) })
            return negated ? .not(p) : p
        case .between(let v, let lo, let hi, let negated, let range):
            let f = try requireField(v, range, what: "between")
            let a = try operandLiteral(lo, for: f), b = try operandLiteral(hi, for: f)
            let p = Plan.and([try compareLiteral(f, .ge, a.0, a.1), try compareLiteral(f, .le, b.0, b.1)])
            return negated ? .not(p) : p
        case .contains(let v, let needle, let negated, let range):
            let f = try requireField(v, range, what: "contains")
            let (lit, _) = try operandLiteral(needle, for: f)
            let p = try contains(f, lit.asText, range)
            return negated ? .not(p) : p
        case .isEmpty(let v, let negated, let range):
            let f = try requireField(v, range, what: "is empty")
            let p = try isEmpty(f)
            return negated ? .not(p) : p
        case .truthy(let v):
            return try truthy(v)
        case .was(let id, let values, let negated, let on, let range):
            let p = try on.map { try History(binder: self).was(id, values, on: $0, range) }
                ?? History(binder: self).was(id, values, range)
            return negated ? .not(p) : p
        case .exists(let id, let filter, _):
            return try existsPlan(id, filter)
        case .changed(let id, let filter, let negated, let range):
            let p = try History(binder: self).changed(id, filter, range)
            return negated ? .not(p) : p
        }
    }

    private func flatten(_ p: Plan, and: Bool) -> [Plan] {
        switch (p, and) {
        case (.and(let ps), true): return ps
        case (.or(let ps), false): return ps
        default: return [p]
        }
    }

    func requireField(_ v: ValueExpr, _ range: SourceRange, what: String) throws -> BoundField {
        if let f = try computedField(v) { return f }
        guard case .name(let id) = v else {
            throw QueryError(Message(en: "`\(what)` needs a field on its left", zh: "`\(what)` 左边要有一个字段"), at: v.range)
        }
        return try field(id)
    }

    /// A right-hand side that must be a literal (for in, between, contains).
    func operandLiteral(_ v: ValueExpr, for f: BoundField) throws -> (Literal, SourceRange) {
        switch try operand(v, preferValueOf: f) {
        case .literal(let l, let r): return (l, r)
        case .field(let g, _, _):
            if case .text = f.spec.type { return (.text(g.spec.name), g.range) }
            throw QueryError(Message(en: "expected a value here, but `\(g.spec.name)` is a field", zh: "这里应为一个值，`\(g.spec.name)` 却是字段"), at: g.range)
        }
    }

    func truthy(_ v: ValueExpr) throws -> Plan {
        guard case .name(let id) = v else {
            if case .bool(let b, _) = v { return .constant(b, b ? "true" : "false") }
            throw QueryError(Message(en: "a condition is needed here (e.g. unit = \"教育局\")", zh: "这里需要一个条件（如 unit = \"教育局\"）"), at: v.range)
        }
        let f = try field(id)
        guard case .bool = f.spec.type else {
            throw QueryError(Message(en: "`\(f.name)` is \(f.spec.type.name), not yes/no: compare it, e.g. \(example(f))",
                                     zh: "`\(f.name)` 是 \(f.spec.type.name)，不是是/否：请比较，如 \(example(f))"), at: id.range)
        }
        return try compareLiteral(f, .eq, .bool(true), id.range)
    }

    func example(_ f: BoundField) -> String {
        switch f.spec.type {
        case .text, .textList: return "\(f.name) = \"…\""
        case .enumeration(let info): return "\(f.name) = \(info.values[0].token)"
        case .date: return "\(f.name) < today"
        case .int: return "\(f.name) > 30"
        case .bool: return f.name
        case .real(let fraction): return fraction ? "\(f.name) >= 80%" : "\(f.name) > 30"
        }
    }

    func compare(_ l: ValueExpr, _ op: CompareOp, _ r: ValueExpr, _ range: SourceRange) throws -> Plan {
        var left = try operand(l)
        var op = op
        var rightExpr = r
        if case .literal = left {
            // `2020-09-30 > deadline`: put the field on the left.
            let right = try operand(r)
            guard case .field = right else {
                // `unti = "x"`: the left name was meant as a field; say which names there are.
                if case .name(let id) = l { _ = try field(id) }
                if case .name(let id) = r { _ = try field(id) }
                throw QueryError(Message(en: "a comparison needs a field on one side", zh: "比较的一边要有字段"), at: range)
            }
            left = right
            rightExpr = l
            op = CompareOp.flipped(op)
        }
        guard case .field(let f, let sd, let sm) = left else { fatalError() }
        if sd != 0 || sm != 0 {
            throw QueryError(Message(en: "shift the value, not the field (write `\(f.name) < today - 7d`)", zh: "加减值，不要加减字段（写作 `\(f.name) < today - 7d`）"), at: f.range)
        }
        switch try operand(rightExpr, preferValueOf: f) {
        case .literal(let lit, let lr):
            return try compareLiteral(f, op, lit, lr)
        case .field(let g, let shiftDays, let shiftMonths):
            return try compareFields(f, op, g, shiftDays, shiftMonths, range)
        }
    }

    func typeError(_ f: BoundField, _ lit: Literal, _ r: SourceRange) -> QueryError {
        let expected: Message
        switch f.spec.type {
        case .date: expected = Message(en: "a date like 2020-09-30, today, or today - 7d", zh: "日期，如 2020-09-30、today 或 today - 7d")
        case .int: expected = Message(en: "a whole number", zh: "整数")
        case .bool: expected = Message(en: "true or false (是/否)", zh: "true 或 false（是/否）")
        case .enumeration(let info):
            let values = info.values.map(\.described).joined(separator: ", ")
            expected = Message(en: "one of " + values, zh: "以下之一：" + values)
        case .text, .textList: expected = Message(en: "text", zh: "文本")
        case .real(let fraction):
            expected = fraction ? Message(en: "a rate: a fraction like 0.8 or a percentage like 80%", zh: "比率：如 0.8 或 80%")
                : Message(en: "a number", zh: "数字")
        }
        return QueryError(Message(en: "`\(f.name)` takes \(expected.en), not \(Binder.describe(lit))",
                                  zh: "`\(f.name)` 取\(expected.zh)，不能是 \(Binder.describe(lit))"), at: r)
    }

    static func describe(_ lit: Literal) -> String {
        switch lit {
        case .text(let s): return "\"\(s)\""
        case .number(_, let t): return t
        case .day(let d): return d.description
        case .bool(let b): return b ? "true" : "false"
        }
    }

    func bitmap(_ rows: ArraySlice<UInt32>) -> Bitmap { Bitmap(count: n, rows: rows) }

    /// The union of the postings of several codes.
    func bitmap(_ post: TableIndexes.Postings, codes: some Sequence<Int>) -> Bitmap {
        var b = Bitmap(count: n)
        for c in codes { b.insert(contentsOf: post.rows(of: c)) }
        return b
    }

    /// field op literal.
    func compareLiteral(_ f: BoundField, _ op: CompareOp, _ lit: Literal, _ r: SourceRange) throws -> Plan {
        try checkPercent(f, lit, r)
        if let c = f.computed { return try compareComputed(f, c, op, lit, r) }
        switch f.spec.type {
        case .real:
            guard let v = lit.real else { throw typeError(f, lit, r) }
            return realPlan(f, op, v, shown: Binder.describe(lit))
        case .enumeration(let info):
            guard op == .eq || op == .ne else {
                throw QueryError(Message(en: "`\(f.name)` takes = != or in, not \(op.rawValue)", zh: "`\(f.name)` 只能用 = != 或 in，不能用 \(op.rawValue)"), at: r)
            }
            let p = try equalsAny(f, [(lit, r)])
            _ = info
            return op == .ne ? .not(p) : p
        case .text, .textList:
            if op == .eq || op == .ne {
                let p = try equalsAny(f, [(lit, r)])
                return op == .ne ? .not(p) : p
            }
            guard case .text(let col)? = f.column else {
                throw QueryError(Message(en: "`\(f.name)` is a list: use =, in, contains or is empty", zh: "`\(f.name)` 是列表：用 =、in、contains 或 is empty"), at: r)
            }
            let s = lit.asText
            let codes = col.codes
            let pool = col.pool
            var memo = [UInt8](repeating: 2, count: pool.count)
            let test: (String) -> Bool = { v in
                let c = v.unicodeScalars.lexicographicallyPrecedes(s.unicodeScalars) ? -1 : (v == s ? 0 : 1)
                return op.holds(c)
            }
            return .scan("\(f.name) \(op.rawValue) \"\(s)\"") { row in
                let code = Int(codes[row])
                if memo[code] == 2 { memo[code] = test(pool[UInt32(code)]) ? 1 : 0 }
                return memo[code] == 1
            }
        case .bool:
            let value: Bool
            switch lit {
            case .bool(let b): value = b
            case .number(let d, _) where d == 0 || d == 1: value = d == 1
            case .text(let s):
                guard let v = YesNo.value(of: s) else { throw typeError(f, lit, r) }
                value = v
            default: throw typeError(f, lit, r)
            }
            guard op == .eq || op == .ne else { throw QueryError(Message(en: "`\(f.name)` is yes/no: use = or !=", zh: "`\(f.name)` 取是/否：用 = 或 !="), at: r) }
            let want = (op == .eq) == value
            return boolPlan(f, want)
        case .date, .int:
            let v: Int32
            switch (f.spec.type, lit) {
            case (.date, .day(let d)): v = d.raw
            case (.date, .text(let s)):
                guard let d = Day(s) else { throw typeError(f, lit, r) }
                v = d.raw
            case (.int, .number(let d, _)) where d == d.rounded() && abs(d) < 1e9: v = Int32(d)
            case (.int, .text(let s)):
                guard let i = Int32(s) else { throw typeError(f, lit, r) }
                v = i
            default: throw typeError(f, lit, r)
            }
            return rangePlan(f, op, v)
        }
    }

    /// A computed value (`month(assigned_on) = "2020-06"`, `count(event where …) >= 2`) against a
    /// literal, tested row by row. A bucket is compared by its text (`2020-06`, `2020-Q2`).
    func compareComputed(_ f: BoundField, _ c: Computed, _ op: CompareOp, _ lit: Literal, _ r: SourceRange) throws -> Plan {
        let text = "\(f.name) \(op.rawValue) \(Binder.describe(lit))"
        let g = c.int, none = Day.none
        let want: Int32
        switch (f.spec.type, lit) {
        case (.text, _):
            let s = lit.asText, show = c.cellOfInt
            var memo: [Int32: Bool] = [:]
            return .scan(text) { row in
                let k = g(row)
                if k == none { return op == .ne }
                if let v = memo[k] { return v }
                let t = show(k).text
                let v = op.holds(t.unicodeScalars.lexicographicallyPrecedes(s.unicodeScalars) ? -1 : (t == s ? 0 : 1))
                memo[k] = v
                return v
            }
        case (.date, .day(let d)): want = d.raw
        case (.date, .text(let s)):
            guard let d = Day(s) else { throw typeError(f, lit, r) }
            want = d.raw
        case (.int, .number(let d, _)) where d == d.rounded() && abs(d) < 1e9: want = Int32(d)
        case (.int, .text(let s)):
            guard let i = Int32(s) else { throw typeError(f, lit, r) }
            want = i
        default: throw typeError(f, lit, r)
        }
        return .scan(text) { row in
            let x = g(row)
            if x == none { return op == .ne }
            return op.holds(x < want ? -1 : (x == want ? 0 : 1))
        }
    }

    /// A percentage compares with rates and shares only: against a whole number (a count, a
    /// number of days) or an average it is a mistake, said as one (counts are not rates).
    func checkPercent(_ f: BoundField, _ lit: Literal, _ r: SourceRange) throws {
        guard lit.isPercent else { return }
        let what: Message
        switch f.spec.type {
        case .int: what = Message(en: "a whole number (a count, a number of days)", zh: "整数（件数、天数）")
        case .real(fraction: false): what = Message(en: "a number (an average, a median, a sum)", zh: "数值（平均数、中位数、合计）")
        default: return
        }
        throw QueryError(Message(en: "`\(f.name)` is \(what.en), not a rate: \(lit.asText) is a percentage, which compares with rates and shares (share, rate(…), completion_rate …)",
                                 zh: "`\(f.name)` 是\(what.zh)，不是比率：\(lit.asText) 是百分比，只能与比率和占比比较（share、rate(…)、completion_rate …）"), at: r)
    }

    /// A real column (a rate, a share, an average of the groups) against a number, tested on
    /// each row: an empty value meets no comparison but !=, as dates and numbers do.
    func realPlan(_ f: BoundField, _ op: CompareOp, _ v: Double, shown: String) -> Plan {
        let text = "\(f.name) \(op.rawValue) \(shown)"
        guard case .real(let col)? = f.column else { return .constant(false, text) }
        let values = col.values
        return .scan(text) { r in
            let x = values[r]
            if x.isNaN { return op == .ne }
            return op.holds(x < v ? -1 : (x == v ? 0 : 1))
        }
    }

    func boolPlan(_ f: BoundField, _ want: Bool) -> Plan {
        let text = "\(f.name) = \(want)"
        if f.column != nil {
            let field = f.name
            return .codes(text, indexes, field: field, codes: [want ? 1 : 0])
        }
        switch f.name {
        case FieldName.overdue:
            let p = overduePlan()
            return want ? p : .not(p)
        case FieldName.faceToFace:
            let codes = Contact.allCases.filter { DomainRules.isFaceToFace(contact: $0.rawValue) == want }.map { Int($0.rawValue) } + (want ? [] : [Contact.info.values.count])
            return .codes("contact in (\(want ? "meeting, visit, site" : "phone, letter, empty"))", indexes, field: FieldName.contact.rawValue, codes: codes)
        default:
            let g = boolGetter(f)!
            return .scan(text) { g($0) == want }
        }
    }

    /// Overdue: status not replied or closed, and deadline before the as-of date.
    func overduePlan() -> Plan {
        let open = Status.allCases.filter { !DomainRules.isAnswered(status: $0.rawValue) }.map { Int($0.rawValue) }
        let asOf = self.asOf
        return .and([
            .codes("status in (\(Status.allCases.filter { !DomainRules.isAnswered(status: $0.rawValue) }.map(\.token).joined(separator: ", ")))", indexes, field: FieldName.status.rawValue, codes: open),
            .range("deadline < \(asOf) (the as-of date)", indexes, field: FieldName.deadline.rawValue, lo: Int32.min + 1, hi: asOf.raw - 1,
                   test: { [deadline = table.day(.deadline).values, none = Day.none] r in
                deadline[r] != none && deadline[r] < asOf.raw
            }),
        ])
    }

    func rangePlan(_ f: BoundField, _ op: CompareOp, _ v: Int32) -> Plan {
        let shown = f.spec.type.name == .date ? Day(raw: v).description : String(v)
        let text = "\(f.name) \(op.rawValue) \(shown)"
        guard f.column != nil else {
            let g = intGetter(f)!
            let none = Day.none
            // As for stored dates: < <= > >= never match an empty value, and != treats empty as
            // its own value (so `x != v` is `not x = v`).
            return .scan(text) { r in
                let x = g(r)
                if x == none { return op == .ne }
                return op.holds(x < v ? -1 : (x == v ? 0 : 1))
            }
        }
        let field = f.name
        let lo = Int32.min + 1, hi = Int32.max
        let column = intGetter(f)!
        let none = Day.none
        func idx(_ a: Int32, _ b: Int32) -> Plan {
            .range(text, indexes, field: field, lo: a, hi: b, test: { r in let v = column(r); return v != none && v >= a && v <= b })
        }
        switch op {
        case .eq: return idx(v, v)
        case .ne: return .not(idx(v, v))
        case .lt: return idx(lo, v - 1)
        case .le: return idx(lo, v)
        case .gt: return idx(v + 1, hi)
        case .ge: return idx(v, hi)
        }
    }

    /// field = any of the values (enum, text, list, bool, date or number).
    func equalsAny(_ f: BoundField, _ values: [(Literal, SourceRange)]) throws -> Plan {
        if let c = f.computed {
            let plans = try values.map { try compareComputed(f, c, .eq, $0.0, $0.1) }
            return plans.count == 1 ? plans[0] : .or(plans)
        }
        switch f.spec.type {
        case .enumeration(let info):
            var codes: [Int] = []
            var names: [String] = []
            var extra: [Plan] = []
            // Overdue is a status of cases (a test of their deadline), not of the groups.
            let offersOverdue = f.name == .status && !source.isGroups
            for (lit, r) in values {
                let s = lit.asText
                if offersOverdue && isOverdueSpelling(s) { extra.append(overduePlan()); names.append(FieldName.overdue.rawValue); continue }
                guard let c = info.code(of: s) else {
                    var choices = info.values.map(\.described)
                    if offersOverdue { choices.append("overdue (逾期)") }
                    let list = choices.joined(separator: ", ")
                    throw QueryError(Message(en: "unknown \(f.name) `\(s)`; the \(f.name) values are: \(list)",
                                             zh: "\(f.name) 没有 `\(s)` 这个值；\(f.name) 的取值有：\(list)"), at: r,
                                     suggestion: Suggest.closest(to: s, in: info.allSpellings + (offersOverdue ? ["overdue", "逾期"] : []))
                                        .map { Message(en: "did you mean `\($0)`?", zh: "是不是 `\($0)`？") })
                }
                codes.append(Int(c)); names.append(info.token(c))
            }
            let field = f.name
            let p = Plan.codes(codes.count == 1 ? "\(field) = \(names[0])" : "\(field) in (\(names.joined(separator: ", ")))", indexes, field: field, codes: codes)
            if extra.isEmpty { return p }
            return .or((codes.isEmpty ? [] : [p]) + extra)
        case .text, .textList:
            let pool: StringPool
            switch f.column! {
            case .text(let c): pool = c.pool
            case .list(let c): pool = c.pool
            default: fatalError()
            }
            var codes: [Int] = []
            let field = f.name
            for (lit, r) in values {
                let s = lit.asText
                if source.isGroups {
                    // Over the groups a value no group has keeps none (the data may have it:
                    // where filtered it out, or no group is left).
                    if let c = pool.lookup(s) { codes.append(Int(c)) }
                    continue
                }
                if let c = pool.lookup(s), s.isEmpty || indexes.holds(field, code: c) {
                    codes.append(Int(c)); continue
                }
                // A value no row has: say so, and offer the nearest value that rows do have.
                let post = indexes.postings(field)
                let present = (0..<post.valueCount).filter { post.count(of: $0) > 0 }.map { pool[UInt32($0)] }
                var suggestion = Suggest.value(for: s, in: present).map { Binder.didYouMean($0, for: s, field: field) }
                // A unit that leads cases only with others (分办): where to find them.
                if field == FieldName.unit.rawValue, case .list(let shared)? = table.column(Schema.sharedLeadField),
                   let c = shared.pool.lookup(s) {
                    let n = (0..<table.count).filter { row in shared.range(row).contains { shared.values[$0] == c } }.count
                    suggestion = Message(en: "\(n) case\(n == 1 ? "" : "s") list\(n == 1 ? "s" : "") it as a further lead unit (分办; unit is the first): "
                                            + "\(Schema.sharedLeadField) = \"\(s)\" finds every case it leads",
                                         zh: "有 \(n) 件把它列为另一个主办单位（分办；unit 是第一个）：\(Schema.sharedLeadField) = \"\(s)\" 可找到它主办的每一件")
                }
                throw QueryError(Message(en: "no \(source.name == "units" ? "unit" : "row") has \(field) \"\(s)\"",
                                         zh: "没有\(source.name == "units" ? Schema.tableLabels["units"]! : "记录")的 \(field) 是 \"\(s)\""), at: r,
                                 suggestion: suggestion)
            }
            if codes.isEmpty {
                return .constant(false, "\(field) in (\(values.map { Binder.describe($0.0) }.joined(separator: ", "))): no group has it")
            }
            let shown = codes.map { "\"\(pool[UInt32($0)])\"" }.joined(separator: ", ")
            return .codes(codes.count == 1 ? "\(field) = \(shown)" : "\(field) in (\(shown))", indexes, field: field, codes: codes)
        default:
            let plans = try values.map { try compareLiteral(f, .eq, $0.0, $0.1) }
            return plans.count == 1 ? plans[0] : .or(plans)
        }
    }

    /// "did you mean …?" for a value of the data; for one that holds control characters and was
    /// typed as the screen shows it (␛ for ESC), how to find it instead, since it cannot be typed.
    static func didYouMean(_ value: String, for typed: String, field: String) -> Message {
        guard Escape.visible(value) == typed, value != typed else {
            return Message(en: "did you mean \(value)?", zh: "是不是 \(value)？")
        }
        let printable = String(value.prefix { !Escape.needsEscape(String($0)) })
        let how = printable.isEmpty ? Message(en: "", zh: "")
            : Message(en: ": \(field) contains \"\(printable)\" finds it", zh: "：\(field) contains \"\(printable)\" 可找到它")
        return Message(en: "the data's value holds control characters, shown as ␛ ␇ …, which cannot be typed", zh: "数据中的这个值含有控制字符（显示为 ␛ ␇ …），无法直接输入") + how
    }

    func contains(_ f: BoundField, _ needle: String, _ range: SourceRange) throws -> Plan {
        let field = f.name
        switch f.column {
        case .text(let col)?:
            // The bigram index (or a pass over the distinct texts) finds those holding the needle;
            // one pass over the column's codes then marks their rows (no per-value row lists needed).
            return .index("\(field) contains \"\(needle)\" (bigram index)") { [self] in
                let match = matchTable(indexes.codes(containing: needle, in: col.pool), poolSize: col.pool.count)
                var b = Bitmap(count: n)
                col.codes.withUnsafeBufferPointer { codes in
                    for r in 0..<codes.count where match[Int(codes[r])] { b.insert(r) }
                }
                return b
            }
        case .list(let col)?:
            return .index("\(field) contains \"\(needle)\" (bigram index)") { [self] in
                let match = matchTable(indexes.codes(containing: needle, in: col.pool), poolSize: col.pool.count)
                var b = Bitmap(count: n)
                for r in 0..<n where col.range(r).contains(where: { match[Int(col.values[$0])] }) { b.insert(r) }
                return b
            }
        default:
            throw QueryError(Message(en: "`contains` works on text fields; `\(field)` is \(f.spec.type.name)",
                                     zh: "`contains` 只用于文本字段；`\(field)` 是 \(f.spec.type.name)"), at: range)
        }
    }

    func matchTable(_ codes: [UInt32], poolSize: Int) -> [Bool] {
        var t = [Bool](repeating: false, count: poolSize)
        for c in codes { t[Int(c)] = true }
        return t
    }

    func isEmpty(_ f: BoundField) throws -> Plan {
        let field = f.name
        switch f.column {
        case .text?: return .codes("\(field) is empty", indexes, field: field, codes: [0])
        case .code(let c)?:
            let none = c.info.values.count
            return .codes("\(field) is empty", indexes, field: field, codes: [none])
        case .list(let c)?:
            let starts = c.starts
            return .scan("\(field) is empty") { starts[$0] == starts[$0 + 1] }
        case .day?:
            return .not(.index("\(field) is not empty") { [self] in
                bitmap(indexes.sorted(field).rows(from: Int32.min + 1, through: Int32.max))
            })
        case .bool?: return .constant(false, "\(field) is never empty")
        case .int(let c)?:
            let values = c.values, none = Day.none
            return .scan("\(field) is empty") { values[$0] == none }
        case .real(let c)?:
            let values = c.values
            return .scan("\(field) is empty") { values[$0].isNaN }
        case nil:
            if let g = intGetter(f) { let none = Day.none; return .scan("\(field) is empty") { g($0) == none } }
            return .constant(false, "\(field) is never empty")
        }
    }

    func compareFields(_ f: BoundField, _ op: CompareOp, _ g: BoundField, _ shiftDays: Int, _ shiftMonths: Int,
                       _ range: SourceRange) throws -> Plan {
        let text = "\(f.name) \(op.rawValue) \(g.name)\(shiftDays != 0 ? " \(shiftDays > 0 ? "+" : "-") \(abs(shiftDays))d" : "")\(shiftMonths != 0 ? " \(shiftMonths > 0 ? "+" : "-") \(abs(shiftMonths))m" : "")"
        if let a = intGetter(f), let b = intGetter(g) {
            let none = Day.none
            return .scan(text) { r in
                let x = a(r)
                let b0 = b(r)
                if x == none || b0 == none { return false }
                // Shifts are bounded (maxShiftDays), so this stays exact and never traps; a day
                // shifted past 9999-12-31 still compares as later than every day.
                let y = Day.shiftedRaw(Int(b0), days: shiftDays, months: shiftMonths) ?? Int(b0)
                let xi = Int(x)
                return op.holds(xi < y ? -1 : (xi == y ? 0 : 1))
            }
        }
        guard shiftDays == 0 && shiftMonths == 0 else {
            throw QueryError(Message(en: "only dates and numbers can be shifted", zh: "只有日期和数字能加减"), at: range)
        }
        // Codes compared row by row only when both fields are this source's own columns: a related
        // row's field (`case.unit` from an event) is read through its relation by cellGetter.
        let sameRows = f.relation == nil && g.relation == nil
        if sameRows, case .text(let a)? = f.column, case .text(let b)? = g.column, a.pool === b.pool, op == .eq || op == .ne {
            let x = a.codes, y = b.codes
            return .scan(text) { r in (x[r] == y[r]) == (op == .eq) }
        }
        if sameRows, case .code(let a)? = f.column, case .code(let b)? = g.column, a.info === b.info, op == .eq || op == .ne {
            let x = a.codes, y = b.codes
            return .scan(text) { r in (x[r] == y[r]) == (op == .eq) }
        }
        let fa = cellGetter(f), fb = cellGetter(g)
        return .scan(text) { r in
            let x = fa(r), y = fb(r)
            if x == .null || y == .null { return false }
            return op.holds(Cell.less(x, y) ? -1 : (x == y ? 0 : 1))
        }
    }
}

extension CompareOp {
    static func flipped(_ op: CompareOp) -> CompareOp {
        switch op {
        case .lt: return .gt
        case .le: return .ge
        case .gt: return .lt
        case .ge: return .le
        default: return op
        }
    }
    /// Whether a three-way comparison result (-1, 0, 1) satisfies the operator.
    func holds(_ c: Int) -> Bool {
        switch self {
        case .eq: return c == 0
        case .ne: return c != 0
        case .lt: return c < 0
        case .le: return c <= 0
        case .gt: return c > 0
        case .ge: return c >= 0
        }
    }
}
