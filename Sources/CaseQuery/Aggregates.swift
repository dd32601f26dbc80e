import CaseStore

/// An aggregate over the rows of a group: counts, the domain's rates, min/max/avg/sum, distinct
/// counts, medians, the rate of any condition, and a group's share of the rows kept.
struct Aggregate {
    enum Kind {
        case count
        /// Rows where the test holds (count(bool field)) or the field is not empty (count(field)).
        case countIf((Int) -> Bool)
        /// numerator / denominator over the group's rows; null when the denominator is 0.
        case rate(num: (Int) -> Bool, den: (Int) -> Bool)
        /// A rate decided by an enum column's code: tables of 256 say which codes count.
        case codeRate(codes: [UInt8], num: [Bool], den: [Bool])
        case min((Int) -> Int32, isDate: Bool)
        case max((Int) -> Int32, isDate: Bool)
        case sum((Int) -> Int32)
        case avg((Int) -> Int32)
        /// The number of distinct non-empty keys (a list field gives each element).
        case distinct((Int, inout [Int64]) -> Void)
        /// The middle value (the mean of the two middle ones for an even count), empty cells skipped.
        case median((Int) -> Int32)
        /// The group's rows over all rows the query kept (shown as a percentage).
        case share
    }
    let name: String
    let label: String
    let kind: Kind

    /// The aggregate names a query may use, with their Chinese spellings.
    static let names: [(name: String, label: String, spellings: [String])] = [
        ("count", "数量", ["count", "数量", "件数", "总数", "count(*)"]),
        ("min", "最小", ["min", "最小"]),
        ("max", "最大", ["max", "最大"]),
        ("avg", "平均", ["avg", "average", "mean", "平均"]),
        ("sum", "合计", ["sum", "合计", "总和"]),
        ("median", "中位数", ["median", "中位数"]),
        ("rate", "比率", ["rate", "比率"]),
        ("share", "占比", ["share", "占比", "比重"]),
    ] + DomainRules.rates.map { ($0.name, $0.label, $0.spellings) }

    static func canonical(_ spelling: String) -> String? {
        let s = spelling.lowercased()
        return names.first { $0.spellings.contains(s) }?.name
    }

    static var allSpellings: [String] { names.flatMap(\.spellings) }

    /// Whether a select item or order key is an aggregate.
    static func isAggregate(_ v: ValueExpr) -> Bool {
        switch v {
        case .name(let id): return canonical(id.text).map { !["min", "max", "avg", "sum", "median", "rate"].contains($0) } ?? false
        case .call(let id, let args, _, _):
            // count(event where …) or count(event) of one row is a value of the row, not an aggregate.
            if args.count == 1, args[0].relatedRows != nil { return false }
            return canonical(id.text) != nil
        default: return false
        }
    }

    /// Binds an aggregate expression (`count`, `count(*)`, `completion_rate`, `avg(days_open)`…).
    static func bind(_ v: ValueExpr, binder: Binder) throws -> Aggregate {
        let id: Identifier, args: [ValueExpr], star: Bool, range: SourceRange
        switch v {
        case .name(let i): id = i; args = []; star = false; range = i.range
        case .call(let i, let a, let s, let r): id = i; args = a; star = s; range = r
        default: throw QueryError(Message(en: "expected an aggregate", zh: "应为聚合"), at: v.range)
        }
        guard let name = canonical(id.text) else {
            throw QueryError(Message(en: "unknown aggregate `\(id.text)`", zh: "没有聚合 `\(id.text)`"), at: id.range,
                             suggestion: Suggest.closest(to: id.text, in: allSpellings).map { Message(en: "did you mean `\($0)`?", zh: "是不是 `\($0)`？") })
        }
        let label = names.first { $0.name == name }!.label
        func needCases() throws {
            guard binder.source.isCases else {
                throw QueryError(Message(en: "`\(name)` is a rate over cases; \(binder.source.name) has none", zh: "`\(name)` 是按案件算的比率；\(binder.source.name) 没有这个比率"), at: range)
            }
        }
        switch name {
        case "count":
            if star || args.isEmpty { return Aggregate(name: "count", label: label, kind: .count) }
            if args.count == 1, args[0].relatedRows != nil, let f = try binder.computedField(v) {
                // Over a group: the related rows of all its rows.
                return Aggregate(name: f.name, label: f.name, kind: .sum(f.computed!.int))
            }
            if args.count == 1, case .condition(let e, _) = args[0] {
                return Aggregate(name: "count(\(e.shape))", label: "count(\(e.shape))", kind: .countIf(try conditionTest(args[0], binder)))
            }
            if args.count == 1, case .distinct(let inner, let r) = args[0] {
                guard case .name(let fid) = inner else { throw QueryError(Message(en: "count(distinct …) takes a field", zh: "count(distinct …) 取一个字段"), at: r) }
                let f = try binder.field(fid)
                let name = "count(distinct \(f.qualifiedName))"
                if case .list(let col)? = f.column, f.relation == nil {
                    return Aggregate(name: name, label: "\(f.spec.label)数", kind: .distinct { r, out in
                        out.removeAll(keepingCapacity: true)
                        for i in col.range(r) where col.values[i] != 0 { out.append(Int64(col.values[i])) }
                    })
                }
                let key = try binder.groupKey(GroupKey(value: inner, range: r))
                let empty: Int64? = {
                    switch f.column {
                    case .text?: return 0
                    case .code?: return -1
                    case .day?, .int?: return Int64(Day.none)
                    default: return f.spec.type.name == "bool" ? nil : Int64(Day.none)
                    }
                }()
                let g = key.getter
                return Aggregate(name: name, label: "\(f.spec.label)数", kind: .distinct { r, out in
                    out.removeAll(keepingCapacity: true)
                    let k = g(r)
                    if k != empty { out.append(k) }
                })
            }
            guard args.count == 1, case .name(let fid) = args[0] else {
                throw QueryError(Message(en: "count takes *, or one field", zh: "count 取 * 或一个字段"), at: range)
            }
            let f = try binder.field(fid)
            if let b = binder.boolGetter(f) {
                return Aggregate(name: "count(\(f.name))", label: "\(f.spec.label)数", kind: .countIf(b))
            }
            let cell = binder.cellGetter(f)
            return Aggregate(name: "count(\(f.name))", label: "\(f.spec.label)数", kind: .countIf { cell($0) != .null && cell($0) != .text("") && cell($0) != .list([]) })
        case "share":
            guard args.isEmpty else { throw QueryError(Message(en: "share takes no argument: it is a group's rows over all rows kept", zh: "share 不取参数：它是一组的行数占保留的全部行数之比"), at: range) }
            return Aggregate(name: "share", label: label, kind: .share)
        case "rate":
            guard args.count == 1 || args.count == 2 else {
                throw QueryError(Message(en: "rate takes a condition, and optionally the condition of the rows it is out of: rate(late), rate(not late, replied_on is not empty)", zh: "rate 取一个条件，可再加分母各行的条件：rate(late)、rate(not late, replied_on is not empty)"), at: range)
            }
            let num = try conditionTest(args[0], binder)
            let den = try args.count == 2 ? conditionTest(args[1], binder) : { _ in true }
            let name = "rate(\(args.map { condition($0).shape }.joined(separator: ", ")))"
            return Aggregate(name: name, label: name, kind: .rate(num: num, den: den))
        case _ where DomainRules.rate(name) != nil:
            try needCases()
            let rate = DomainRules.rate(name)!
            if let t = rate.codeTables {
                return Aggregate(name: name, label: label, kind: .codeRate(
                    codes: binder.table.code(t.field).codes, num: t.numerator, den: t.denominator))
            }
            let tests = rate.tests(binder.store, asOf: binder.asOf)
            return Aggregate(name: name, label: label, kind: .rate(num: tests.numerator, den: tests.denominator))
        default:
            guard args.count == 1, case .name(let fid) = args[0] else {
                if args.count == 1, let f = try binder.computedField(args[0]), let g = binder.intGetter(f), name != "median" || f.spec.type.name == "int" {
                    let n = "\(name)(\(f.name))"
                    switch name {
                    case "min": return Aggregate(name: n, label: n, kind: .min(g, isDate: f.spec.type.name == "date"))
                    case "max": return Aggregate(name: n, label: n, kind: .max(g, isDate: f.spec.type.name == "date"))
                    case "sum": return Aggregate(name: n, label: n, kind: .sum(g))
                    case "median": return Aggregate(name: n, label: n, kind: .median(g))
                    default: return Aggregate(name: n, label: n, kind: .avg(g))
                    }
                }
                throw QueryError(Message(en: "\(name) takes one field, e.g. \(name)(days_open)", zh: "\(name) 取一个字段，如 \(name)(days_open)"), at: range)
            }
            let f = try binder.field(fid)
            guard let g = binder.intGetter(f) else {
                throw QueryError(Message(en: "\(name) works on dates and numbers; `\(f.name)` is \(f.spec.type.name)", zh: "\(name) 只用于日期和数字；`\(f.name)` 是\(f.spec.type.described.zh)"), at: fid.range)
            }
            let isDate: Bool
            if case .date = f.spec.type { isDate = true } else { isDate = false }
            if isDate && (name == "sum" || name == "avg" || name == "median") {
                throw QueryError(Message(en: "\(name) of a date makes no sense; try min or max", zh: "日期不能求 \(name)；试试 min 或 max"), at: range)
            }
            let n = "\(name)(\(f.qualifiedName))", l = "\(f.spec.label)\(label)"
            switch name {
            case "median": return Aggregate(name: n, label: l, kind: .median(g))
            case "min": return Aggregate(name: n, label: l, kind: .min(g, isDate: isDate))
            case "max": return Aggregate(name: n, label: l, kind: .max(g, isDate: isDate))
            case "sum": return Aggregate(name: n, label: l, kind: .sum(g))
            default: return Aggregate(name: n, label: l, kind: .avg(g))
            }
        }
    }

    /// An argument as a condition: `late` is `late = true`, `satisfaction = satisfied` as written.
    static func condition(_ a: ValueExpr) -> Expr {
        if case .condition(let e, _) = a { return e }
        return .truthy(a)
    }

    /// Whether a row meets a condition argument: its plan is run over the whole table once, on
    /// first use.
    static func conditionTest(_ a: ValueExpr, _ binder: Binder) throws -> (Int) -> Bool {
        let plan = try binder.plan(condition(a))
        let table = binder.n
        let box = LazyBox { plan.run(within: Bitmap(count: table, filled: true)) }
        return { box.value.contains($0) }
    }

    /// A 256-entry table of which codes count.
    static func table(_ holds: (Int) -> Bool) -> [Bool] { (0..<256).map(holds) }

    var isNumeric: Bool {
        switch kind {
        case .min(_, let d), .max(_, let d): return !d
        default: return true
        }
    }

    /// Per-group accumulators, with the aggregate's inputs taken out of the enum once, so the
    /// per-row step costs no reference counting.
    final class State {
        enum Op { case count, countIf, rate, codeRate, min, max, sum, distinct, median }
        var a: [Int64]
        var b: [Int64]
        let op: Op
        let codes: [UInt8]
        let numTable: [Bool]
        let denTable: [Bool]
        let test: (Int) -> Bool
        let test2: (Int) -> Bool
        let value: (Int) -> Int32
        let keys: (Int, inout [Int64]) -> Void
        /// For distinct: the keys seen in each group; for median: the values.
        var seen: [Set<Int64>] = []
        var values: [[Int32]] = []
        private var scratch: [Int64] = []

        init(groups: Int, kind: Kind) {
            var keys: (Int, inout [Int64]) -> Void = { _, _ in }
            var codes: [UInt8] = [], num: [Bool] = [], den: [Bool] = []
            var test: (Int) -> Bool = { _ in false }, test2: (Int) -> Bool = { _ in false }
            var value: (Int) -> Int32 = { _ in 0 }
            switch kind {
            case .count: op = .count
            case .countIf(let t): op = .countIf; test = t
            case .rate(let n, let d): op = .rate; test = n; test2 = d
            case .codeRate(let c, let n, let d): op = .codeRate; codes = c; num = n; den = d
            case .min(let v, _): op = .min; value = v
            case .max(let v, _): op = .max; value = v
            case .sum(let v), .avg(let v): op = .sum; value = v
            case .share: op = .count
            case .distinct(let k): op = .distinct; keys = k
            case .median(let v): op = .median; value = v
            }
            self.keys = keys
            self.codes = codes; numTable = num; denTable = den
            self.test = test; self.test2 = test2; self.value = value
            a = Array(repeating: op == .min ? Int64.max : (op == .max ? Int64.min : 0), count: groups)
            b = Array(repeating: 0, count: groups)
            if op == .distinct { seen = Array(repeating: [], count: groups) }
            if op == .median { values = Array(repeating: [], count: groups) }
        }

        func grow(to n: Int) {
            if op == .distinct { seen += Array(repeating: [], count: n - seen.count) }
            if op == .median { values += Array(repeating: [], count: n - values.count) }
            a += Array(repeating: op == .min ? Int64.max : (op == .max ? Int64.min : 0), count: n - a.count)
            b += Array(repeating: 0, count: n - b.count)
        }

        @inline(__always)
        func add(_ row: Int, _ g: Int) {
            switch op {
            case .count: a[g] += 1
            case .countIf: if test(row) { a[g] += 1 }
            case .rate: if test2(row) { b[g] += 1; if test(row) { a[g] += 1 } }
            case .codeRate:
                let c = Int(codes[row])
                if denTable[c] { b[g] += 1; if numTable[c] { a[g] += 1 } }
            case .min: let x = value(row); if x != Day.none { a[g] = Swift.min(a[g], Int64(x)); b[g] += 1 }
            case .max: let x = value(row); if x != Day.none { a[g] = Swift.max(a[g], Int64(x)); b[g] += 1 }
            case .sum: let x = value(row); if x != Day.none { a[g] += Int64(x); b[g] += 1 }
            case .distinct:
                keys(row, &scratch)
                for k in scratch { seen[g].insert(k) }
            case .median: let x = value(row); if x != Day.none { values[g].append(x) }
            }
        }
    }

    /// The aggregate's cell for group `g`; `total` is the number of rows the query kept (for share).
    func result(_ state: State, group g: Int, total: Int) -> Cell {
        switch kind {
        case .share: return total == 0 ? .null : .rate(Double(state.a[g]) / Double(total))
        case .distinct: return .int(state.seen[g].count)
        case .median:
            let v = state.values[g].sorted()
            if v.isEmpty { return .null }
            let mid = v.count / 2
            return v.count % 2 == 1 ? .double(Double(v[mid])) : .double((Double(v[mid - 1]) + Double(v[mid])) / 2)
        case .count, .countIf: return .int(Int(state.a[g]))
        case .rate, .codeRate: return state.b[g] == 0 ? .null : .rate(Double(state.a[g]) / Double(state.b[g]))
        case .min(_, let isDate), .max(_, let isDate):
            if state.b[g] == 0 { return .null }
            return isDate ? .day(Day(raw: Int32(state.a[g]))) : .int(Int(state.a[g]))
        case .sum: return .int(Int(state.a[g]))
        case .avg: return state.b[g] == 0 ? .null : .double(Double(state.a[g]) / Double(state.b[g]))
        }
    }
}
