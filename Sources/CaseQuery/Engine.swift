import CaseStore

/// Runs statements against a store. Holds what lives between statements: the as-of date, the
/// script parameters and the previous result's row count (for `expect`).
public final class Engine {
    public let store: CaseStore
    public var asOf: Day
    public var params: [String: String] = [:]
    /// Show enum values by their Chinese labels instead of their tokens.
    public var labels = false
    /// Rows of the previous result (for `count` without groups: the count).
    public private(set) var lastRowCount: Int?

    public init(store: CaseStore, asOf: Day? = nil) {
        self.store = store
        self.asOf = asOf ?? store.defaultAsOf
    }

    public func run(_ statement: Statement) throws -> Outcome {
        switch statement {
        case .query(let q):
            let result = try select(q)
            lastRowCount = q.verb == .count && q.groupBy.isEmpty && result.rowCount == 1
                ? (result.cell(0, 0).number.map { Int($0) } ?? result.rowCount) : result.rowCount
            return .rows(result)
        case .explain(let q):
            return .plan(try explain(q))
        case .expect(let e):
            guard let got = lastRowCount else {
                throw QueryError("nothing to check yet: `expect` checks the result of the statement before it", at: e.range)
            }
            let ok: Bool
            let wanted: String
            switch e.relation {
            case .exactly: ok = got == e.count; wanted = "\(e.count)"
            case .atLeast: ok = got >= e.count; wanted = "at least \(e.count)"
            case .atMost: ok = got <= e.count; wanted = "at most \(e.count)"
            }
            guard ok else {
                throw QueryError("expectation failed: expected \(wanted) rows, got \(got)", at: e.range)
            }
            return .expectation("ok: \(got) rows")
        }
    }

    // MARK: select

    func binder(for q: Query) throws -> Binder {
        let source = try SourceInfo.resolve(q.source, store: store)
        return Binder(store: store, source: source, asOf: asOf, params: params, labels: labels)
    }

    /// The rows a query's source and where clause keep.
    func filter(_ q: Query, _ b: Binder, trace: inout [String]?) throws -> Bitmap {
        var within = Bitmap(count: b.n, filled: true)
        trace?.append("source \(b.source.name): \(b.n) rows in \(b.table.name)")
        if let kind = b.source.kind {
            let (rows, method) = b.indexes.rowsAnswered("kind", codes: [Int(kind.rawValue)], within: nil)
            within = rows
            trace?.append("\(method == .index ? "index" : "pass over") kind = \(kind.token) → \(within.cardinality) rows")
        }
        if let e = q.filter {
            let plan = try b.plan(e)
            within = plan.execute(within: within, trace: &trace)
        }
        return within
    }

    public func explain(_ q: Query) throws -> [String] {
        let b = try binder(for: q)
        var trace: [String]? = []
        let rows = try filter(q, b, trace: &trace)
        var lines = trace!
        let grouped = isGrouped(q)
        if grouped {
            lines.append("group by \(q.groupBy.isEmpty ? "(all rows)" : q.groupBy.map(\.text).joined(separator: ", ")) over \(rows.cardinality) rows")
        }
        if !q.orderBy.isEmpty { lines.append("sort by \(q.orderBy.count) key\(q.orderBy.count > 1 ? "s" : "")") }
        if let l = q.limit { lines.append("limit \(l)\(q.offset.map { " offset \($0)" } ?? "")") }
        let result = try select(q)
        lines.append("result: \(result.rowCount) row\(result.rowCount == 1 ? "" : "s")")
        return lines
    }

    func isGrouped(_ q: Query) -> Bool {
        q.verb == .count || !q.groupBy.isEmpty || q.items.contains {
            if case .value(let v, _) = $0 { return Aggregate.isAggregate(v) }
            return false
        }
    }

    public func select(_ q: Query) throws -> ResultSet {
        let b = try binder(for: q)
        var noTrace: [String]? = nil
        let rows = try filter(q, b, trace: &noTrace)
        if isGrouped(q) { return try group(q, b, rows) }
        if q.having != nil { throw QueryError("having needs group by or an aggregate", at: q.having!.range) }

        // Projection.
        var fields: [BoundField] = []
        var names: [String] = []
        if q.items.isEmpty {
            fields = b.source.defaultFields.map { BoundField(spec: b.lookupField($0)!, column: b.table.column($0), range: q.source.range) }
        }
        for item in q.items {
            switch item {
            case .all(let r):
                let all = b.table.specs.map { BoundField(spec: $0, column: b.table.column($0.name), range: r) }
                fields += all
                names += Array(repeating: "", count: all.count)
            case .value(let v, let alias):
                guard case .name(let id) = v else {
                    throw QueryError("the select list takes fields and aggregates", at: v.range)
                }
                fields.append(try b.field(id))
                // One name a column (not a select item): `*` before an alias stands for many columns.
                names.append(alias?.text ?? "")
            }
        }
        let getters = fields.map { b.cellGetter($0) }
        var order = rows.rows
        if !q.orderBy.isEmpty {
            var keys: [(cell: (Int) -> Cell, desc: Bool)] = []
            // A column or field ordered by again adds nothing: each is kept once.
            var seen = Set<String>()
            for key in q.orderBy {
                if case .number(let d, let text, let r) = key.value {
                    guard d == d.rounded(), d >= 1, d <= Double(fields.count) else {
                        throw QueryError("order by \(text): there are \(fields.count) columns", at: r)
                    }
                    let k = Int(d)
                    if seen.insert("#\(k - 1)").inserted { keys.append((getters[k - 1], key.descending)) }
                    continue
                }
                guard case .name(let id) = key.value else {
                    throw QueryError("order by takes a field or a column number", at: key.value.range)
                }
                if let i = names.firstIndex(of: id.text) {
                    if seen.insert("#\(i)").inserted { keys.append((getters[i], key.descending)) }
                    continue
                }
                let f = try b.field(id)
                if seen.insert(f.name).inserted { keys.append((b.cellGetter(f), key.descending)) }
            }
            order = Engine.sortRows(order, keys: keys)
        }
        let sliced = Engine.slice(order, offset: q.offset, limit: q.limit)
        let columns = fields.enumerated().map { (k, f) in
            ResultColumn(name: k < names.count && !names[k].isEmpty ? names[k] : f.name, label: f.spec.label,
                         numeric: f.spec.type.name == "int")
        }
        return ResultSet(columns: columns, rowCount: sliced.count) { r, c in getters[c](Int(sliced[r])) }
    }

    static func slice<T>(_ a: [T], offset: Int?, limit: Int?) -> [T] {
        let start = min(offset ?? 0, a.count)
        let end = limit.map { min(a.count, start + min($0, a.count)) } ?? a.count
        return Array(a[start..<end])
    }

    static func sortRows(_ rows: [UInt32], keys: [(cell: (Int) -> Cell, desc: Bool)]) -> [UInt32] {
        // Materialize keys once; stable on row order.
        let table = rows.map { r in keys.map { $0.cell(Int(r)) } }
        let idx = (0..<rows.count).sorted { i, j in
            for (k, key) in keys.enumerated() {
                let a = table[i][k], b = table[j][k]
                if a == b { continue }
                return key.desc ? Cell.less(b, a) : Cell.less(a, b)
            }
            return i < j
        }
        return idx.map { rows[$0] }
    }

    // MARK: group

    func group(_ q: Query, _ b: Binder, _ rows: Bitmap) throws -> ResultSet {
        let keyFields = try q.groupBy.map { try b.field($0) }
        for f in keyFields where f.spec.type.name == "list of text" {
            throw QueryError("cannot group by `\(f.name)`: it is a list (a case can have several)", at: f.range)
        }
        // Output columns: the select list, or the group fields then default aggregates.
        enum Out { case key(Int), agg(Int) }
        var outs: [(Out, String, String)] = []
        var aggs: [Aggregate] = []
        func aggIndex(_ v: ValueExpr) throws -> Int {
            let a = try Aggregate.bind(v, binder: b)
            if let i = aggs.firstIndex(where: { $0.name == a.name }) { return i }
            aggs.append(a); return aggs.count - 1
        }
        if q.items.isEmpty || q.verb == .count && q.items.isEmpty {
            for (i, f) in keyFields.enumerated() { outs.append((.key(i), f.name, f.spec.label)) }
            let defaults = q.verb == .count || !b.source.isCases || q.groupBy.isEmpty
                ? ["count"] : ["count", "completion_rate", "face_to_face_rate", "satisfaction_rate"]
            for d in defaults {
                let i = try aggIndex(.name(Identifier(d, q.source.range)))
                outs.append((.agg(i), aggs[i].name, aggs[i].label))
            }
        } else {
            for item in q.items {
                guard case .value(let v, let alias) = item else {
                    throw QueryError("`*` cannot be used with group by or aggregates", at: q.range)
                }
                if Aggregate.isAggregate(v) {
                    let i = try aggIndex(v)
                    outs.append((.agg(i), alias?.text ?? aggs[i].name, aggs[i].label))
                } else if case .name(let id) = v, let k = try keyIndex(id, keyFields, b) {
                    outs.append((.key(k), alias?.text ?? keyFields[k].name, keyFields[k].spec.label))
                } else if case .name(let id) = v, b.lookupField(id.text) != nil {
                    throw QueryError("`\(id.text)` is neither grouped nor aggregated: add it to group by", at: id.range)
                } else {
                    let i = try aggIndex(v)
                    outs.append((.agg(i), alias?.text ?? aggs[i].name, aggs[i].label))
                }
            }
        }
        let visible = outs.count
        // Aggregates that having and order by name but the select list does not.
        func resolveColumn(_ v: ValueExpr) throws -> Int {
            if case .name(let id) = v {
                if let i = outs.firstIndex(where: { $0.1 == id.text || $0.2 == id.text }) { return i }
                if let k = try keyIndex(id, keyFields, b) {
                    if let i = outs.firstIndex(where: { if case .key(k) = $0.0 { return true } else { return false } }) { return i }
                    outs.append((.key(k), keyFields[k].name, keyFields[k].spec.label)); return outs.count - 1
                }
            }
            if case .number(let d, _, let r) = v {
                guard d == d.rounded(), d >= 1, d <= Double(visible) else {
                    throw QueryError("there are \(visible) columns", at: r)
                }
                return Int(d) - 1
            }
            guard Aggregate.isAggregate(v) || { if case .call = v { return true }; return false }() else {
                throw QueryError("`\(v.range)`: expected a grouped field or an aggregate", at: v.range)
            }
            let i = try aggIndex(v)
            if let j = outs.firstIndex(where: { if case .agg(i) = $0.0 { return true } else { return false } }) { return j }
            outs.append((.agg(i), aggs[i].name, aggs[i].label)); return outs.count - 1
        }
        let havingPlan = try q.having.map { try HavingBinder(resolve: resolveColumn).bind($0) }
        // A column ordered by again adds nothing (its ties are already broken by what follows
        // its first use), so each column is kept once: 50,000 keys cost what a few do.
        var orderSeen = Set<Int>()
        let orderCols = try q.orderBy.map { (try resolveColumn($0.value), $0.descending) }
            .filter { orderSeen.insert($0.0).inserted }

        // Counting alone, without groups, needs no pass over the rows.
        if keyFields.isEmpty && !aggs.isEmpty && aggs.allSatisfy({ if case .count = $0.kind { return true }; return false }) {
            let n = rows.cardinality
            var table = [outs.map { out -> Cell in if case .agg = out.0 { return .int(n) }; return .null }]
            if let h = havingPlan { table = table.filter { h($0) } }
            table = Engine.slice(table, offset: q.offset, limit: q.limit).map { Array($0.prefix(visible)) }
            let columns = outs.prefix(visible).map { ResultColumn(name: $0.1, label: $0.2, numeric: true) }
            return ResultSet(columns: Array(columns), rows: table)
        }
        // One pass over the rows: find each row's group, feed every aggregate.
        let keyGetters: [(Int) -> Int64] = keyFields.map { Engine.keyGetter($0, b) }
        var groupKeys: [[Int64]] = []
        var states: [Aggregate.State]
        if let dense = Engine.denseGroups(keyFields, aggs, rows) {
            (groupKeys, states) = dense
        } else {
        states = []
        let assign: (Int) -> Int
        if keyGetters.isEmpty {
            groupKeys = [[]]
            assign = { _ in 0 }
        } else if keyGetters.count == 1, let domain = Engine.smallDomain(keyFields[0]) {
            let g0 = keyGetters[0]
            var slot = [Int32](repeating: -1, count: domain + 1)
            assign = { r in
                let k = Int(g0(r)) + 1   // -1 (empty) → 0
                if slot[k] < 0 { slot[k] = Int32(groupKeys.count); groupKeys.append([Int64(k - 1)]) }
                return Int(slot[k])
            }
        } else {
            var groupOf: [[Int64]: Int] = [:]
            assign = { r in
                let key = keyGetters.map { $0(r) }
                if let g = groupOf[key] { return g }
                groupOf[key] = groupKeys.count
                groupKeys.append(key)
                return groupKeys.count - 1
            }
        }
        // Accumulators grow as groups appear.
        var capacity = keyGetters.isEmpty ? 1 : 64
        states = aggs.map { Aggregate.State(groups: capacity, kind: $0.kind) }
        func step(_ r: Int, _ g: Int) {
            if g >= capacity {
                capacity = max(capacity * 4, g + 1)
                for st in states { st.grow(to: capacity) }
            }
        }
        if states.count == 1 {
            let only = states[0]
            rows.forEach { r in let g = assign(r); step(r, g); only.add(r, g) }
        } else {
            rows.forEach { r in
                let g = assign(r)
                step(r, g)
                for st in states { st.add(r, g) }
            }
        }
        }
        let groups = groupKeys.count
        let keyCells = keyFields.map { Engine.keyCell($0, b) }
        // Default group order: enums, dates, numbers and yes/no by value (workflow order for
        // status), texts by their text.
        var groupOrder = Array(0..<groups)
        if q.orderBy.isEmpty && !keyFields.isEmpty {
            let byText = keyFields.map { f -> Bool in if case .text = f.spec.type { return true }; return false }
            let texts = keyFields.indices.map { k in byText[k] ? groupKeys.map { keyCells[k]($0[k]) } : [] }
            groupOrder.sort { x, y in
                for k in 0..<keyFields.count {
                    if byText[k] {
                        if texts[k][x] != texts[k][y] { return Cell.less(texts[k][x], texts[k][y]) }
                    } else if groupKeys[x][k] != groupKeys[y][k] {
                        return groupKeys[x][k] < groupKeys[y][k]
                    }
                }
                return false
            }
        }
        var table: [[Cell]] = groupOrder.map { g in
            outs.map { out -> Cell in
                switch out.0 {
                case .key(let k): return keyCells[k](groupKeys[g][k])
                case .agg(let i): return aggs[i].result(states[i], group: g)
                }
            }
        }
        if let h = havingPlan { table = table.filter { h($0) } }
        if !orderCols.isEmpty {
            table = table.enumerated().sorted { x, y in
                for (c, desc) in orderCols where x.element[c] != y.element[c] {
                    return desc ? Cell.less(y.element[c], x.element[c]) : Cell.less(x.element[c], y.element[c])
                }
                return x.offset < y.offset
            }.map(\.element)
        }
        table = Engine.slice(table, offset: q.offset, limit: q.limit).map { Array($0.prefix(visible)) }
        let columns = outs.prefix(visible).map { out -> ResultColumn in
            if case .agg(let i) = out.0 { return ResultColumn(name: out.1, label: out.2, numeric: aggs[i].isNumeric) }
            return ResultColumn(name: out.1, label: out.2)
        }
        return ResultSet(columns: Array(columns), rows: table)
    }

    func keyIndex(_ id: Identifier, _ keys: [BoundField], _ b: Binder) throws -> Int? {
        guard let spec = b.lookupField(id.text) else { return nil }
        return keys.firstIndex { $0.name == spec.name }
    }

    /// A group key per row: codes for enums, texts and bools; values for dates and numbers.
    /// Groups and aggregates in one tight pass, for the common shape: at most one key that is an
    /// enum or interned text column, and aggregates that are counts or enum-code rates. Counters
    /// are indexed by the key's code directly; groups come out in order of first appearance, as
    /// the general path makes them. Nil for any other shape.
    static func denseGroups(_ keys: [BoundField], _ aggs: [Aggregate], _ rows: Bitmap) -> ([[Int64]], [Aggregate.State])? {
        guard keys.count <= 1 else { return nil }
        var rates: [(codes: [UInt8], num: [Bool], den: [Bool])] = []
        for a in aggs {
            switch a.kind {
            case .count: break
            case .codeRate(let c, let n, let d): rates.append((c, n, d))
            default: return nil
            }
        }
        // Key code per row (enum "none" is the last slot), and the number of slots.
        var textKey: [UInt32]? = nil, enumKey: [UInt8]? = nil
        var slots = 1
        if let k = keys.first {
            switch k.column {
            case .text(let c)?: textKey = c.codes; slots = c.pool.count
            case .code(let c)?: enumKey = c.codes; slots = 256
            default: return nil
            }
        }
        var count = [Int64](repeating: 0, count: slots)
        var first = [Int](repeating: Int.max, count: slots)
        var num = [[Int64]](repeating: [Int64](repeating: 0, count: slots), count: rates.count)
        var den = num
        // The key of a row: a text code, an enum code, or 0 (one group); rows straight from the
        // bitmap's words, no closure per row.
        func accumulate<K: FixedWidthInteger>(_ keys: UnsafeBufferPointer<K>?) {
            count.withUnsafeMutableBufferPointer { count in
                first.withUnsafeMutableBufferPointer { first in
                    @inline(__always) func key(_ r: Int) -> Int { keys.map { Int($0[r]) } ?? 0 }
                    @inline(__always) func eachRow(_ body: (Int) -> Void) {
                        rows.words.withUnsafeBufferPointer { words in
                            for wi in 0..<words.count {
                                var w = words[wi]
                                while w != 0 { body(wi << 6 | w.trailingZeroBitCount); w &= w - 1 }
                            }
                        }
                    }
                    @inline(__always) func tally(_ r: Int, _ k: Int) {
                        if count[k] == 0 { first[k] = r }
                        count[k] += 1
                    }
                    if rates.isEmpty { eachRow { tally($0, key($0)) } }
                    // Rows are counted in the first rate's pass.
                    for (i, rate) in rates.enumerated() {
                        rate.codes.withUnsafeBufferPointer { codes in
                            rate.num.withUnsafeBufferPointer { numT in
                                rate.den.withUnsafeBufferPointer { denT in
                                    num[i].withUnsafeMutableBufferPointer { nums in
                                        den[i].withUnsafeMutableBufferPointer { dens in
                                            eachRow { r in
                                                let k = key(r)
                                                if i == 0 { tally(r, k) }
                                                let c = Int(codes[r])
                                                if denT[c] { dens[k] += 1; if numT[c] { nums[k] += 1 } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if let t = textKey {
            t.withUnsafeBufferPointer { accumulate($0) }
        } else if let e = enumKey {
            e.withUnsafeBufferPointer { accumulate($0) }
        } else {
            accumulate(nil as UnsafeBufferPointer<UInt8>?)
        }
        // Groups in order of first appearance (no rows: one empty group when there is no key).
        var used = (0..<slots).filter { count[$0] > 0 }
        used.sort { first[$0] < first[$1] }
        if keys.isEmpty && used.isEmpty { used = [0] }
        let groupKeys: [[Int64]] = used.map { k in
            guard enumKey != nil else { return keys.isEmpty ? [] : [Int64(k)] }
            return [k == Int(EnumInfo.none) ? -1 : Int64(k)]
        }
        var r = 0
        let states = aggs.map { a -> Aggregate.State in
            let st = Aggregate.State(groups: used.count, kind: a.kind)
            if case .codeRate = a.kind {
                for (g, k) in used.enumerated() { st.a[g] = num[r][k]; st.b[g] = den[r][k] }
                r += 1
            } else {
                for (g, k) in used.enumerated() { st.a[g] = count[k] }
            }
            return st
        }
        return (groupKeys, states)
    }

    static func keyGetter(_ f: BoundField, _ b: Binder) -> (Int) -> Int64 {
        switch f.column {
        case .text(let c)?: let v = c.codes; return { Int64(v[$0]) }
        case .code(let c)?: let v = c.codes; return { v[$0] == EnumInfo.none ? -1 : Int64(v[$0]) }
        case .bool(let c)?: let v = c.values; return { v[$0] ? 1 : 0 }
        case .day(let c)?: let v = c.values; return { Int64(v[$0]) }
        case .int(let c)?: let v = c.values; return { Int64(v[$0]) }
        case .list?: return { _ in 0 }
        case nil:
            if let g = b.boolGetter(f) { return { g($0) ? 1 : 0 } }
            let g = b.intGetter(f)!
            return { Int64(g($0)) }
        }
    }

    static func keyCell(_ f: BoundField, _ b: Binder) -> (Int64) -> Cell {
        switch f.column {
        case .text(let c)?: return { .text(c.pool[UInt32($0)]) }
        case .code(let c)?:
            let labels = b.labels
            return { $0 < 0 ? .null : .text(labels ? c.info.label(UInt8($0)) : c.info.token(UInt8($0))) }
        case .day?: return { Int32($0) == Day.none ? .null : .day(Day(raw: Int32($0))) }
        case .int?: return { .int(Int($0)) }
        default:
            if case .bool = f.spec.type { return { .bool($0 == 1) } }
            return { Int32($0) == Day.none ? .null : .int(Int($0)) }
        }
    }

    /// The number of distinct keys when small enough for a direct table.
    static func smallDomain(_ f: BoundField) -> Int? {
        switch f.column {
        case .text(let c)?: return c.pool.count <= 1 << 22 ? c.pool.count : nil
        case .code?: return 256
        case .bool?: return 2
        case nil: if case .bool = f.spec.type { return 2 }; return nil
        default: return nil
        }
    }
}

/// Conditions of a having clause, over the cells of a grouped row.
struct HavingBinder {
    let resolve: (ValueExpr) throws -> Int

    func bind(_ e: Expr) throws -> ([Cell]) -> Bool {
        switch e {
        case .and(let terms): let xs = try terms.map(bind); return { row in xs.allSatisfy { $0(row) } }
        case .or(let terms): let xs = try terms.map(bind); return { row in xs.contains { $0(row) } }
        case .not(let a, _): let x = try bind(a); return { !x($0) }
        case .compare(let l, let op, let r, _):
            let c = try resolve(l)
            let v = try value(r)
            return { row in
                let cell = row[c]
                if cell == .null { return false }
                if let x = cell.number, let y = v.number { return op.holds(x < y ? -1 : (x == y ? 0 : 1)) }
                return op.holds(Cell.less(cell, v) ? -1 : (cell == v ? 0 : 1))
            }
        case .between(let x, let lo, let hi, let negated, _):
            let c = try resolve(x)
            let a = try value(lo), b = try value(hi)
            return { row in
                guard let v = row[c].number, let p = a.number, let q = b.number else { return false }
                return (v >= p && v <= q) != negated
            }
        case .isEmpty(let x, let negated, _):
            let c = try resolve(x)
            return { ($0[c] == .null) != negated }
        case .inList(let x, let items, let negated, _):
            let c = try resolve(x)
            let vs = try items.map(value)
            return { row in vs.contains { $0.text == row[c].text } != negated }
        default:
            throw QueryError("having takes comparisons of grouped fields and aggregates", at: e.range)
        }
    }

    func value(_ v: ValueExpr) throws -> Cell {
        switch v {
        case .number(let d, _, _): return .double(d)
        case .string(let s, _): return .text(s)
        case .name(let id): return .text(id.text)
        case .date(let y, let m, let d, let t, let r):
            guard let day = Day(year: y, month: m, day: d) else { throw QueryError("\(t) is not a day", at: r) }
            return .day(day)
        case .bool(let b, _): return .bool(b)
        default: throw QueryError("expected a number or a value", at: v.range)
        }
    }
}
