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
        case .explainAnalyze(let q):
            return .plan(try explainAnalyze(q))
        case .expect(let e):
            guard let got = lastRowCount else {
                throw QueryError(Message(en: "nothing to check yet: `expect` checks the result of the statement before it", zh: "还没有可检查的结果：`expect` 检查它前一条语句的结果"), at: e.range)
            }
            let ok: Bool
            let wanted: String
            switch e.relation {
            case .exactly: ok = got == e.count; wanted = "\(e.count)"
            case .atLeast: ok = got >= e.count; wanted = "at least \(e.count)"
            case .atMost: ok = got <= e.count; wanted = "at most \(e.count)"
            }
            guard ok else {
                throw QueryError(Message(en: "expectation failed: expected \(wanted) rows, got \(got)", zh: "检查未通过：应为 \(wanted) 行，实为 \(got) 行"), at: e.range)
            }
            return .expectation("ok: \(got) rows")
        }
    }

    // MARK: select

    func binder(for q: Query) throws -> Binder {
        let source = try SourceInfo.resolve(q.source, store: store)
        return Binder(store: store, source: source, asOf: asOf, params: params, labels: labels)
    }

    /// The physical plan of a query's source and where clause, made by the `Planner` without
    /// reading a row: the kind step (suggestions or proposals only) and the condition's.
    func physicalPlan(_ q: Query, _ b: Binder) throws -> (kind: PhysicalPlan?, filter: PhysicalPlan?) {
        let planner = Planner(tableRows: b.n)
        let kind = b.source.kind.map { k in
            planner.plan(.codes("kind = \(k.token)", b.indexes, field: FieldName.kind.rawValue, codes: [Int(k.rawValue)]))
        }
        let filter = try q.filter.map { planner.plan(try b.plan($0), rows: kind?.estimate ?? b.n) }
        return (kind, filter)
    }

    /// The rows a query's source and where clause keep: its physical plan, run.
    func filter(_ q: Query, _ b: Binder, trace: inout [String]?) throws -> Bitmap {
        var within = Bitmap(count: b.n, filled: true)
        trace?.append("source \(b.source.name): \(b.n) rows in \(b.table.name)")
        let (kind, filter) = try physicalPlan(q, b)
        if let kind { within = kind.execute(within: within, trace: &trace) }
        if let filter { within = filter.execute(within: within, trace: &trace) }
        return within
    }

    /// The physical plan of a query, one line a step, without running it: the source, each
    /// step of the condition with the access path the planner chose (an index, a pass over a
    /// column, a test of the rows left) and the rows it expects, then grouping, having,
    /// sorting and limit. Nothing is read or built.
    public func explain(_ q: Query) throws -> [String] {
        let logical = try logicalPlan(q)
        let (kind, filter) = try physicalPlan(q, try binder(for: q))
        return logical.lines(filter: (kind?.lines() ?? []) + (filter?.lines() ?? []))
    }

    /// Runs the query once and gives each step with the rows it kept, and how each was answered
    /// (an index, a pass over a column, a test of the rows left).
    public func explainAnalyze(_ q: Query) throws -> [String] {
        var trace: [String]? = []
        let result = try select(q, trace: &trace)
        var lines = trace!
        lines.append("result: \(result.rowCount) row\(result.rowCount == 1 ? "" : "s")")
        return lines
    }

    /// What a query does, as a value: printable (`lines`) and testable, made without reading
    /// any row.
    public struct LogicalPlan: Equatable, Sendable {
        public var source: String
        public var rows: Int
        public var kind: String?
        /// The condition's steps, indented by depth.
        public var filter: [String]
        public var grouping: String?
        /// `having`'s steps, bound over the groups' columns (none without having).
        public var having: [String]
        public var order: [String]
        public var limit: String?

        public var lines: [String] {
            lines(filter: (kind.map { ["kind = \($0) (index, or a pass over kind)"] } ?? []) + filter)
        }

        /// The plan's lines with the condition's steps given (the physical plan's, for explain).
        func lines(filter: [String]) -> [String] {
            var out = ["source \(source): \(rows) rows"]
            out += filter
            if let g = grouping { out.append(g) }
            out += having
            if !order.isEmpty { out.append("sort by " + order.joined(separator: ", ")) }
            if let l = limit { out.append(l) }
            return out
        }
    }

    public func logicalPlan(_ q: Query) throws -> LogicalPlan {
        let b = try binder(for: q)
        let filter = try q.filter.map { try b.plan($0).describe() } ?? []
        var grouping: String?
        if q.verb == .pivot {
            let keys = try q.groupBy.map { try b.groupKey($0) }
            grouping = "pivot \(q.items.first.map { if case .value(let v, _) = $0 { return v.shape }; return "" } ?? "") by \(keys.map(\.name).joined(separator: ", ")) (rows, columns, totals)"
        } else if isGrouped(q) {
            let keys = try q.groupBy.map { try b.groupKey($0) }
            grouping = "group by " + (keys.isEmpty ? "(all rows)" : q.groupBy.map { $0.each ? "each " : "" }.enumerated()
                .map { $0.element + keys[$0.offset].name }.joined(separator: ", "))
        }
        var having: [String] = []
        if let h = q.having {
            guard q.verb != .pivot, isGrouped(q) else { throw QueryError(Message(en: "having needs group by or an aggregate", zh: "having 要有 group by 或聚合"), at: h.range) }
            var grouped = try GroupedQuery(q, b)
            let condition = try grouped.having(h)
            having = try grouped.havingLines(condition)
        }
        return LogicalPlan(source: b.source.name, rows: b.n, kind: b.source.kind?.token, filter: filter,
                           grouping: grouping, having: having,
                           order: q.orderBy.map { $0.value.shape + ($0.descending ? " desc" : "") },
                           limit: q.limit.map { "limit \($0)\(q.offset.map { " offset \($0)" } ?? "")" })
    }

    func isGrouped(_ q: Query) -> Bool {
        q.verb != .select || !q.groupBy.isEmpty || q.items.contains {
            if case .value(let v, _) = $0 { return Aggregate.isAggregate(v) }
            return false
        }
    }

    public func select(_ q: Query) throws -> ResultSet {
        var noTrace: [String]? = nil
        return try select(q, trace: &noTrace)
    }

    /// Runs a query, adding a line a step to `trace` when given (for explain analyze).
    func select(_ q: Query, trace: inout [String]?) throws -> ResultSet {
        let b = try binder(for: q)
        let rows = try filter(q, b, trace: &trace)
        if q.verb == .pivot {
            trace?.append("pivot by \(q.groupBy.map(\.text).joined(separator: ", ")) over \(rows.cardinality) rows")
            return try pivot(q, b, rows)
        }
        if isGrouped(q) {
            trace?.append("group by \(q.groupBy.isEmpty ? "(all rows)" : q.groupBy.map(\.text).joined(separator: ", ")) over \(rows.cardinality) rows")
            let result = try group(q, b, rows, trace: &trace)
            if !q.orderBy.isEmpty { trace?.append("sort by \(q.orderBy.count) key\(q.orderBy.count > 1 ? "s" : "")") }
            if let l = q.limit { trace?.append("limit \(l)\(q.offset.map { " offset \($0)" } ?? "")") }
            return result
        }
        if !q.orderBy.isEmpty { trace?.append("sort by \(q.orderBy.count) key\(q.orderBy.count > 1 ? "s" : "")") }
        if let l = q.limit { trace?.append("limit \(l)\(q.offset.map { " offset \($0)" } ?? "")") }
        if q.having != nil { throw QueryError(Message(en: "having needs group by or an aggregate", zh: "having 要有 group by 或聚合"), at: q.having!.range) }

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
                if let f = try b.computedField(v) {
                    fields.append(f)
                } else {
                    guard case .name(let id) = v else {
                        throw QueryError(Message(en: "the select list takes fields, related fields (unit.type), functions of a date (month(assigned_on)) and aggregates", zh: "选择列表取字段、关联字段（unit.type）、日期函数（month(assigned_on)）和聚合"), at: v.range)
                    }
                    fields.append(try b.field(id))
                }
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
                        throw QueryError(Message(en: "order by \(text): there are \(fields.count) columns", zh: "order by \(text)：只有 \(fields.count) 列"), at: r)
                    }
                    let k = Int(d)
                    if seen.insert("#\(k - 1)").inserted { keys.append((b.sortGetter(fields[k - 1], rows: order.count), key.descending)) }
                    continue
                }
                if let f = try b.computedField(key.value) { keys.append((b.sortGetter(f, rows: order.count), key.descending)); continue }
                guard case .name(let id) = key.value else {
                    throw QueryError(Message(en: "order by takes a field or a column number", zh: "order by 取字段或列号"), at: key.value.range)
                }
                if let i = names.firstIndex(of: id.text) {
                    if seen.insert("#\(i)").inserted { keys.append((b.sortGetter(fields[i], rows: order.count), key.descending)) }
                    continue
                }
                let f = try b.field(id)
                if seen.insert(f.qualifiedName).inserted { keys.append((b.sortGetter(f, rows: order.count), key.descending)) }
            }
            order = Engine.sortRows(order, keys: keys)
        }
        let sliced = Engine.slice(order, offset: q.offset, limit: q.limit)
        let columns = fields.enumerated().map { (k, f) -> ResultColumn in
            var enumerated = false
            if case .enumeration = f.spec.type { enumerated = true }
            return ResultColumn(name: k < names.count && !names[k].isEmpty ? names[k] : f.qualifiedName, label: f.spec.label,
                                numeric: f.spec.type.name == "int", enumerated: enumerated)
        }
        return ResultSet(columns: columns, rowCount: sliced.count) { r, c in getters[c](Int(sliced[r])) }
    }

    static func slice<T>(_ a: [T], offset: Int?, limit: Int?) -> [T] {
        let start = min(offset ?? 0, a.count)
        let end = limit.map { min(a.count, start + min($0, a.count)) } ?? a.count
        return Array(a[start..<end])
    }

    static func sortRows(_ rows: [UInt32], keys: [(cell: (Int) -> Cell, desc: Bool)]) -> [UInt32] {
        // Materialize keys once (texts as their collation ranks); stable on row order.
        var columns = keys.map { key in rows.map { key.cell(Int($0)) } }
        for k in columns.indices where columns[k].contains(where: { if case .text = $0 { return true }; return false }) {
            columns[k] = Collation.rankCells(columns[k])
        }
        // Whole numbers (ranks, codes, days, numbers, yes/no; empty first) compare as integers.
        func integer(_ c: Cell) -> Int? {
            switch c {
            case .null: return Int.min
            case .int(let v): return v
            case .day(let d): return Int(d.raw)
            case .bool(let b): return b ? 1 : 0
            default: return nil
            }
        }
        let ints = columns.map { $0.map(integer) }
        if ints.allSatisfy({ $0.allSatisfy { $0 != nil } }) {
            let width = keys.count, desc = keys.map(\.desc)
            var flat = [Int](repeating: 0, count: rows.count * width)
            for k in 0..<width { for i in 0..<rows.count { flat[i * width + k] = ints[k][i]! } }
            let idx = flat.withUnsafeBufferPointer { f in
                (0..<rows.count).sorted { i, j in
                    for k in 0..<width {
                        let a = f[i * width + k], b = f[j * width + k]
                        if a != b { return desc[k] ? b < a : a < b }
                    }
                    return i < j
                }
            }
            return idx.map { rows[$0] }
        }
        let table = rows.indices.map { i in columns.map { $0[i] } }
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

    func group(_ q: Query, _ b: Binder, _ rows: Bitmap, trace: inout [String]?) throws -> ResultSet {
        var grouped = try GroupedQuery(q, b)
        // Having's values as the groups' columns (aggregates only it names are computed too).
        let having = try q.having.map { try grouped.having($0) }
        // A column ordered by again adds nothing (its ties are already broken by what follows
        // its first use), so each column is kept once: 50,000 keys cost what a few do.
        var orderSeen = Set<Int>()
        let orderCols = try q.orderBy.map { (try grouped.resolveColumn($0.value), $0.descending) }
            .filter { orderSeen.insert($0.0).inserted }
        let keys = grouped.keys, aggs = grouped.aggs, outs = grouped.outs, visible = grouped.visible
        let total = rows.cardinality

        // Each group's key numbers, and each aggregate's cell of each group. Counting alone,
        // without groups, needs no pass over the rows.
        let groupKeys: [[Int64]]
        let aggCells: [[Cell]]
        if keys.isEmpty && !aggs.isEmpty && aggs.allSatisfy({ if case .count = $0.kind { return true }; return false }) {
            groupKeys = [[]]
            aggCells = aggs.map { _ in [.int(total)] }
        } else {
            let (found, states) = Engine.computeGroups(keys, aggs, rows)
            groupKeys = found
            aggCells = aggs.indices.map { i in found.indices.map { aggs[i].result(states[i], group: $0, total: total) } }
        }
        let keyCells = keys.indices.map { k in groupKeys.map { keys[k].cell($0[k]) } }
        // Each key's sort value: its number, or its text's rank (Chinese by pinyin).
        let keySort: [[Cell]] = keys.indices.map { k in keys[k].sortCells(groupKeys.map { $0[k] }) }
        // Groups in key order; an order by then sorts stably, so its ties stay in key order.
        var groupOrder = Array(0..<groupKeys.count)
        if !keys.isEmpty {
            groupOrder.sort { x, y in
                for k in 0..<keys.count where keySort[k][x] != keySort[k][y] {
                    return Cell.less(keySort[k][x], keySort[k][y])
                }
                return false
            }
        }
        if let having {
            let kept = try grouped.groups(meeting: having, groupKeys: groupKeys, aggCells: aggCells, trace: &trace)
            groupOrder = groupOrder.filter { kept.contains($0) }
        }
        var table: [(g: Int, cells: [Cell])] = groupOrder.map { g in
            (g, outs.map { out -> Cell in
                switch out.what {
                case .key(let k): return keyCells[k][g]
                case .agg(let i): return aggCells[i][g]
                }
            })
        }
        if !orderCols.isEmpty {
            // Key columns sort by their key (enums in declared order), aggregates by value.
            func sortCell(_ row: (g: Int, cells: [Cell]), _ c: Int) -> Cell {
                if case .key(let k) = outs[c].what { return keySort[k][row.g] }
                return row.cells[c]
            }
            table = table.enumerated().sorted { x, y in
                for (c, desc) in orderCols {
                    let a = sortCell(x.element, c), b = sortCell(y.element, c)
                    if a == b { continue }
                    return desc ? Cell.less(b, a) : Cell.less(a, b)
                }
                return x.offset < y.offset
            }.map(\.element)
        }
        let rowsOut = Engine.slice(table, offset: q.offset, limit: q.limit).map { Array($0.cells.prefix(visible)) }
        let columns = outs.prefix(visible).map { out -> ResultColumn in
            if case .agg(let i) = out.what { return ResultColumn(name: out.name, label: out.label, numeric: aggs[i].isNumeric) }
            return ResultColumn(name: out.name, label: out.label)
        }
        return ResultSet(columns: Array(columns), rows: rowsOut)
    }

    /// Each group's key numbers and its aggregates' states, in order of first appearance. With
    /// an `each` key a row is in the group of each distinct element of its list (none if empty).
    static func computeGroups(_ keys: [BoundKey], _ aggs: [Aggregate], _ rows: Bitmap) -> ([[Int64]], [Aggregate.State]) {
        let fields = keys.compactMap(\.field)
        if fields.count == keys.count, let dense = Engine.denseGroups(fields, aggs, rows) { return dense }
        var groupKeys: [[Int64]] = []
        let keyGetters = keys.map(\.getter)
        let assign: (Int) -> Int
        let eachKey = keys.firstIndex { $0.elements != nil }
        if keyGetters.isEmpty {
            groupKeys = [[]]
            assign = { _ in 0 }
        } else if keys.count == 1, eachKey == nil, let f = keys[0].field, let domain = Engine.smallDomain(f) {
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
        let states = aggs.map { Aggregate.State(groups: capacity, kind: $0.kind) }
        func step(_ g: Int) {
            if g >= capacity {
                capacity = max(capacity * 4, g + 1)
                for st in states { st.grow(to: capacity) }
            }
        }
        if let e = eachKey {
            var groupOf: [[Int64]: Int] = [:]
            var elements: [Int64] = []
            let each = keys[e].elements!
            rows.forEach { r in
                var key = keyGetters.map { $0(r) }
                each(r, &elements)
                for x in elements {
                    key[e] = x
                    let g: Int
                    if let found = groupOf[key] { g = found } else {
                        g = groupKeys.count; groupOf[key] = g; groupKeys.append(key)
                    }
                    step(g)
                    for st in states { st.add(r, g) }
                }
            }
        } else if states.count == 1 {
            let only = states[0]
            rows.forEach { r in let g = assign(r); step(g); only.add(r, g) }
        } else {
            rows.forEach { r in
                let g = assign(r)
                step(g)
                for st in states { st.add(r, g) }
            }
        }
        return (groupKeys, states)
    }

    // MARK: pivot

    /// `pivot AGG by ROWS, COLUMNS from SOURCE [where …]`: one row a value of the first key (in
    /// group order), one column a value of the second (an enum's in declared order), then a
    /// total column and a total row, each the aggregate over all of its rows. With `share` each
    /// cell is its part of its row.
    func pivot(_ q: Query, _ b: Binder, _ rows: Bitmap) throws -> ResultSet {
        guard q.groupBy.count == 2, case .value(let v, _)? = q.items.first else {
            throw QueryError(Message(en: "pivot takes an aggregate and two keys: pivot count by unit, status from cases", zh: "pivot 取一个聚合和两个键：pivot count by unit, status from cases"), at: q.range)
        }
        let keys = try q.groupBy.map { try b.groupKey($0) }
        guard Aggregate.isAggregate(v) || { if case .call = v { return true }; return false }() else {
            throw QueryError(Message(en: "pivot takes an aggregate (count, share, completion_rate, avg(days_open), …), not `\(v.shape)`", zh: "pivot 取一个聚合（count、share、completion_rate、avg(days_open) …），不能是 `\(v.shape)`"), at: v.range)
        }
        let agg = try Aggregate.bind(v, binder: b)
        var isShare = false
        if case .share = agg.kind { isShare = true }
        // Share is a cell's count over its row's count.
        let counted = isShare ? Aggregate(name: "count", label: "数量", kind: .count) : agg
        let (cellKeys, cellStates) = Engine.computeGroups(keys, [counted], rows)
        let (rowKeys, rowStates) = Engine.computeGroups([keys[0]], [counted], rows)
        let (colKeys, colStates) = Engine.computeGroups([keys[1]], [counted], rows)
        let (_, allStates) = Engine.computeGroups([], [counted], rows)
        let total = rows.cardinality
        func ordered(_ key: BoundKey, _ groups: [[Int64]]) -> [Int] {
            let sort = key.sortCells(groups.map { $0[0] })
            return groups.indices.sorted { Cell.less(sort[$0], sort[$1]) }
        }
        let rowOrder = ordered(keys[0], rowKeys), colOrder = ordered(keys[1], colKeys)
        var cellOf: [[Int64]: Int] = [:]
        for (g, k) in cellKeys.enumerated() { cellOf[k] = g }
        let rowCount = rowStates[0]
        func value(_ state: Aggregate.State, _ g: Int, rowTotal: Int64) -> Cell {
            if isShare { return rowTotal == 0 ? .null : .rate(Double(state.a[g]) / Double(rowTotal)) }
            return counted.result(state, group: g, total: total)
        }
        let grand = Int64(total)
        var table: [[Cell]] = []
        for r in rowOrder {
            var line: [Cell] = [keys[0].cell(rowKeys[r][0])]
            let rowTotal = rowCount.a[r]
            for c in colOrder {
                if let g = cellOf[[rowKeys[r][0], colKeys[c][0]]] {
                    line.append(value(cellStates[0], g, rowTotal: rowTotal))
                } else {
                    line.append(isShare || { if case .count = counted.kind { return true }; return false }() ? (isShare ? .rate(0) : .int(0)) : .null)
                }
            }
            line.append(value(rowStates[0], r, rowTotal: rowTotal))
            table.append(line)
        }
        var last: [Cell] = [.text("total")]
        for c in colOrder { last.append(value(colStates[0], c, rowTotal: grand)) }
        last.append(value(allStates[0], 0, rowTotal: grand))
        table.append(last)
        let columns = [ResultColumn(name: keys[0].name, label: keys[0].label)]
            + colOrder.map { c -> ResultColumn in
                let t = keys[1].cell(colKeys[c][0]).text
                return ResultColumn(name: t.isEmpty ? "(empty)" : t, numeric: true)
            }
            + [ResultColumn(name: "total", label: "合计", numeric: true)]
        return ResultSet(columns: columns, rows: table)
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
        case .real(let c)?: let v = c.values; return { Int64(bitPattern: v[$0].bitPattern) }
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
        case .int?: return { Int32($0) == Day.none ? .null : .int(Int($0)) }
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
