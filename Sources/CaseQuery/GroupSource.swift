import CaseStore

/// A grouped query's columns: its keys, its aggregates (the select list's, and those only
/// `having` or `order by` name) and the columns of its result. `having` is bound over the
/// groups as a source of their own (`source`), by the same binder and planner as `where`.
struct GroupedQuery {
    enum Out { case key(Int), agg(Int) }
    /// The binder of the query's source (cases, units, events).
    let binder: Binder
    let keys: [BoundKey]
    /// The result's columns: what each is, its name (an alias, or the key's or aggregate's)
    /// and its label. The first `visible` are shown; the rest only `order by` names.
    private(set) var outs: [(what: Out, name: String, label: String)] = []
    private(set) var aggs: [Aggregate] = []
    private(set) var visible = 0

    /// The name of the groups as a source (`SourceInfo.isGroups`).
    static let sourceName = "groups"

    /// Binds the keys and the select list (or the default columns: the keys, then the count and,
    /// for cases grouped by something, the three rates). Throws for an unknown or ungrouped
    /// field, `*`, or a bad aggregate.
    init(_ q: Query, _ b: Binder) throws {
        binder = b
        keys = try q.groupBy.map { try b.groupKey($0) }
        if keys.filter({ $0.elements != nil }).count > 1 {
            throw QueryError(Message(en: "group by takes one each key", zh: "group by 只能有一个 each"), at: q.groupBy.last!.range)
        }
        if q.items.isEmpty {
            for (i, k) in keys.enumerated() { outs.append((.key(i), k.name, k.label)) }
            let defaults = q.verb == .count || !b.source.isCases || q.groupBy.isEmpty
                ? ["count"] : ["count", "completion_rate", "face_to_face_rate", "satisfaction_rate"]
            for d in defaults {
                let i = try aggIndex(.name(Identifier(d, q.source.range)))
                outs.append((.agg(i), aggs[i].name, aggs[i].label))
            }
        } else {
            for item in q.items {
                guard case .value(let v, let alias) = item else {
                    throw QueryError(Message(en: "`*` cannot be used with group by or aggregates", zh: "`*` 不能与 group by 或聚合同用"), at: q.range)
                }
                if Aggregate.isAggregate(v) {
                    let i = try aggIndex(v)
                    outs.append((.agg(i), alias?.text ?? aggs[i].name, aggs[i].label))
                } else if let k = keyIndex(v) {
                    outs.append((.key(k), alias?.text ?? keys[k].name, keys[k].label))
                } else if case .name(let id) = v, b.isFieldName(id.text) {
                    throw notGrouped(id)
                } else {
                    let i = try aggIndex(v)
                    outs.append((.agg(i), alias?.text ?? aggs[i].name, aggs[i].label))
                }
            }
        }
        visible = outs.count
    }

    /// The index of an aggregate, bound now if it is new.
    mutating func aggIndex(_ v: ValueExpr) throws -> Int {
        let a = try Aggregate.bind(v, binder: binder)
        if let i = aggs.firstIndex(where: { $0.name == a.name }) { return i }
        aggs.append(a)
        return aggs.count - 1
    }

    /// The key a value names (`unit`, 主办单位, `month(assigned_on)`), if it is one.
    func keyIndex(_ v: ValueExpr) -> Int? {
        guard let name = binder.keyName(v) else { return nil }
        return keys.firstIndex { $0.name == name }
    }

    func notGrouped(_ id: Identifier) -> QueryError {
        QueryError(Message(en: "`\(id.text)` is neither grouped nor aggregated: add it to group by",
                           zh: "`\(id.text)` 既未分组也未聚合：请把它加到 group by"), at: id.range)
    }

    /// The result column an `order by` key names: a column by name, label or number, a key, or
    /// an aggregate (added, not shown, when the select list lacks it).
    mutating func resolveColumn(_ v: ValueExpr) throws -> Int {
        if case .name(let id) = v, let i = outs.firstIndex(where: { $0.name == id.text || $0.label == id.text }) { return i }
        if let k = keyIndex(v) {
            if let i = outs.firstIndex(where: { if case .key(k) = $0.what { return true } else { return false } }) { return i }
            outs.append((.key(k), keys[k].name, keys[k].label)); return outs.count - 1
        }
        if case .number(let d, _, let r) = v {
            guard d == d.rounded(), d >= 1, d <= Double(visible) else {
                throw QueryError(Message(en: "there are \(visible) columns", zh: "只有 \(visible) 列"), at: r)
            }
            return Int(d) - 1
        }
        guard Aggregate.isAggregate(v) || { if case .call = v { return true }; return false }() else {
            throw QueryError(Message(en: "`\(v.shape)`: expected a grouped field or an aggregate", zh: "`\(v.shape)`：应为分组字段或聚合"), at: v.range)
        }
        let i = try aggIndex(v)
        if let j = outs.firstIndex(where: { if case .agg(i) = $0.what { return true } else { return false } }) { return j }
        outs.append((.agg(i), aggs[i].name, aggs[i].label)); return outs.count - 1
    }

    // MARK: having

    /// The name of a key's or an aggregate's column in the groups.
    private func columnName(_ what: Out) -> String {
        switch what {
        case .key(let k): return keys[k].name
        case .agg(let i): return aggs[i].name
        }
    }

    /// The column of the groups a value names, as a name the binder finds there: a column of
    /// the result by name or label (an alias: `n` of `count as n`), a key (`unit`, 主办单位,
    /// `month(assigned_on)`) or an aggregate (`count`, 件数, `rate(late)`; computed, not shown,
    /// when only `having` names it). Nil for a value that names none (a literal, or a word the
    /// binder then reports). With `columnsOnly`, only columns the query has already.
    private mutating func column(_ v: ValueExpr, columnsOnly: Bool = false) throws -> ValueExpr? {
        switch v {
        case .name(let id):
            if let i = outs.firstIndex(where: { $0.name == id.text || $0.label == id.text }) { return named(outs[i].what, id.range) }
            if let k = keyIndex(v) { return named(.key(k), id.range) }
            if columnsOnly { return nil }
            if Aggregate.canonical(id.text) != nil {
                let i = try aggIndex(v)
                return named(.agg(i), id.range)
            }
            if binder.isFieldName(id.text) { throw notGrouped(id) }
            return nil
        case .call(let id, _, _, let r):
            if let k = keyIndex(v) { return named(.key(k), r) }
            if DateFunction.named(id.text) != nil {
                throw QueryError(Message(en: "`\(v.shape)` is neither grouped nor aggregated: add it to group by",
                                         zh: "`\(v.shape)` 既未分组也未聚合：请把它加到 group by"), at: r)
            }
            let i = try aggIndex(v)
            return named(.agg(i), r)
        default:
            return nil
        }
    }

    /// A column of the groups as a name, at the range of the value that named it.
    private func named(_ what: Out, _ r: SourceRange) -> ValueExpr { .name(Identifier(columnName(what), r)) }

    /// `having`'s condition with each value that names a column of the groups written as that
    /// column's name (see `column`), ready for the binder over `source`. A value compared with
    /// a key stays a value (`status = closed`) unless it names a column. Throws for a field
    /// neither grouped nor aggregated, an unknown aggregate, and conditions on rows (was,
    /// changed, exists: they belong in where).
    mutating func having(_ e: Expr) throws -> Expr {
        switch e {
        case .and(let terms), .or(let terms):
            var out: [Expr] = []
            out.reserveCapacity(terms.count)
            for t in terms { out.append(try having(t)) }
            if case .and = e { return .and(out) }
            return .or(out)
        case .not(let x, let r): return .not(try having(x), r)
        case .compare(let l, let op, let r, let range):
            let left = try column(l)
            var isKey = false
            if case .name(let id)? = left { isKey = keys.contains { $0.name == id.text } }
            let right = try column(r, columnsOnly: isKey && { if case .name = r { return true }; return false }())
            return .compare(left ?? l, op, right ?? r, range)
        case .inList(let v, let items, let negated, let r): return .inList(try column(v) ?? v, items, negated: negated, r)
        case .between(let v, let lo, let hi, let negated, let r): return .between(try column(v) ?? v, lo, hi, negated: negated, r)
        case .contains(let v, let needle, let negated, let r): return .contains(try column(v) ?? v, needle, negated: negated, r)
        case .isEmpty(let v, let negated, let r): return .isEmpty(try column(v) ?? v, negated: negated, r)
        case .truthy(let v): return .truthy(try column(v) ?? v)
        case .was(_, _, _, _, let r), .changed(_, _, _, let r), .exists(_, _, let r):
            throw QueryError(Message(en: "having tests the groups' keys and aggregates; a condition on each row's history or related rows belongs in where",
                                     zh: "having 只检验分组的键和聚合；对每行历史或相关记录的条件请写在 where 中"), at: r)
        }
    }

    /// The groups as a source: row g is group g (`groupKeys[g]`, its aggregates'
    /// `aggCells[i][g]`). Each key is a column of its field's type (an enum's codes, a text's
    /// or a list element's codes in the field's pool, dates, numbers, yes/no), a time bucket the
    /// same computed value `where` compares (`month(assigned_on) = "2020-06"`); each aggregate
    /// a column of what it gives (`Aggregate.type`), empty where it has no value (a rate of no
    /// rows). With no groups: the columns alone, for `explain`.
    func source(groupKeys: [[Int64]], aggCells: [[Cell]]) -> SourceInfo {
        var specs: [FieldSpec] = []
        var columns: [String: ColumnRef] = [:]
        var computed: [String: Computed] = [:]
        for (k, key) in keys.enumerated() {
            let numbers = groupKeys.map { $0[k] }
            if let c = key.computed {
                let values = numbers.map { Int32(truncatingIfNeeded: $0) }
                computed[key.name] = Computed(int: { values[$0] }, cellOfInt: c.cellOfInt)
                specs.append(FieldSpec(FieldName(key.name), key.label, key.type, derived: true))
                continue
            }
            specs.append(FieldSpec(FieldName(key.name), key.label, key.type))
            columns[key.name] = GroupedQuery.keyColumn(key, numbers)
        }
        for (i, a) in aggs.enumerated() where !specs.contains(where: { $0.name == a.name }) {
            specs.append(FieldSpec(FieldName(a.name), a.label, a.type))
            columns[a.name] = GroupedQuery.aggregateColumn(a.type, i < aggCells.count ? aggCells[i] : [])
        }
        let table = Table(name: GroupedQuery.sourceName, specs: specs, columns: columns, count: groupKeys.count)
        let aliases = outs.map(\.name).filter { name in !specs.contains { $0.name == name } }
        return SourceInfo(name: GroupedQuery.sourceName, table: table, kind: nil, computed: computed,
                          otherNames: aliases + Aggregate.allSpellings)
    }

    /// A key's column from the groups' key numbers (see `BoundKey.getter`).
    static func keyColumn(_ key: BoundKey, _ numbers: [Int64]) -> ColumnRef {
        switch key.type {
        case .enumeration(let info):
            let c = CodeColumn(info: info)
            c.codes = numbers.map { $0 < 0 || $0 >= Int64(EnumInfo.none) ? EnumInfo.none : UInt8($0) }
            return .code(c)
        case .bool:
            let c = BoolColumn()
            c.values = numbers.map { $0 == 1 }
            return .bool(c)
        case .date:
            let c = DayColumn()
            c.values = numbers.map { Int32(truncatingIfNeeded: $0) }
            return .day(c)
        case .int:
            let c = IntColumn()
            c.values = numbers.map { Int32(truncatingIfNeeded: $0) }
            return .int(c)
        case .text where key.pool != nil:
            let c = TextColumn(pool: key.pool!)
            c.codes = numbers.map { $0 < 0 ? 0 : UInt32(truncatingIfNeeded: $0) }
            return .text(c)
        case .text, .textList, .real:
            // A key whose numbers are no pool's codes: its texts, interned.
            let c = TextColumn(pool: StringPool())
            c.codes = numbers.map { c.pool.intern(key.cell($0).text) }
            return .text(c)
        }
    }

    /// An aggregate's column from its cells: whole numbers and days with Day.none for empty,
    /// reals with NaN.
    static func aggregateColumn(_ type: FieldType, _ cells: [Cell]) -> ColumnRef {
        switch type {
        case .date:
            let c = DayColumn()
            c.values = cells.map { if case .day(let d) = $0 { return d.raw }; return Day.none }
            return .day(c)
        case .int:
            let c = IntColumn()
            c.values = cells.map { if case .int(let v) = $0 { return Int32(clamping: v) }; return Day.none }
            return .int(c)
        default:
            return .real(RealColumn(cells.map { $0.number ?? .nan }))
        }
    }

    /// Which groups meet `having` (as rewritten by `having(_:)`): bound over `source` by the
    /// binder `where` uses, planned and run as `where` is. A line a step goes to `trace`.
    func groups(meeting having: Expr, groupKeys: [[Int64]], aggCells: [[Cell]], trace: inout [String]?) throws -> Bitmap {
        let source = self.source(groupKeys: groupKeys, aggCells: aggCells)
        let b = Binder(store: binder.store, source: source, asOf: binder.asOf, params: binder.params, labels: binder.labels)
        let plan = try b.plan(having)
        trace?.append("having over \(groupKeys.count) group\(groupKeys.count == 1 ? "" : "s")")
        let all = Bitmap(count: groupKeys.count, filled: true)
        return Planner(tableRows: groupKeys.count).plan(plan).execute(within: all, trace: &trace, depth: 1)
    }

    /// `having`'s steps for `explain`, bound over the groups' columns without any group (none is
    /// made before the query runs): the logical plan, what each step asks.
    func havingLines(_ having: Expr) throws -> [String] {
        let source = self.source(groupKeys: [], aggCells: [])
        let b = Binder(store: binder.store, source: source, asOf: binder.asOf, params: binder.params, labels: binder.labels)
        let plan = try b.plan(having)
        let names = source.table.specs.map(\.name).joined(separator: ", ")
        return ["having, over the groups (\(names))"] + plan.describe(depth: 1)
    }
}

extension Aggregate {
    /// What the aggregate gives, as a column of the groups: counts (and distinct counts) whole
    /// numbers; min and max their field's type; rates and shares fractions; sums (which may pass
    /// 2^31), averages and medians real numbers.
    var type: FieldType {
        switch kind {
        case .count, .countIf, .distinct: return .int
        case .min(_, let isDate), .max(_, let isDate): return isDate ? .date : .int
        case .rate, .codeRate, .share: return .real(fraction: true)
        case .sum, .avg, .median: return .real(fraction: false)
        }
    }
}
