import CaseStore

/// How a row reaches one row of another table: a case its unit's row (by the unit's name), an
/// event its case (by case_id). A row without one (a unit missing from units, an event of an
/// unknown case) has every field of the related row empty.
final class Relation {
    /// As the user wrote it before the dot: `unit`, `case`, `主办单位`.
    let prefix: String
    /// Binds names over the related table.
    let binder: Binder
    /// The related row of a row, or -1.
    let map: (Int) -> Int
    init(prefix: String, binder: Binder, map: @escaping (Int) -> Int) {
        self.prefix = prefix; self.binder = binder; self.map = map
    }
}

/// The rows of another table that point at a row: a case's events, a unit's cases.
struct Children {
    let name: String
    let binder: Binder
    /// The row each child row belongs to, or -1.
    let parent: (Int) -> Int
    /// The child rows to consider (a source's kind: suggestions only, say).
    let within: Bitmap
}

extension Binder {
    func subBinder(_ table: String, kind: Kind? = nil) -> Binder {
        let name = SourceInfo.spellings.first { $0.table == table && $0.kind == kind }!.names[0]
        return Binder(store: store, source: SourceInfo(name: name, table: store.table(table)!, kind: kind),
                      asOf: asOf, params: params, labels: labels)
    }

    /// The unit row of each unit-name code (units and cases share the pool of unit names).
    func unitRowOfCode() -> [Int32] {
        let units = store.units
        var rowOf = [Int32](repeating: -1, count: store.pools.units.count)
        let codes = units.text(.name).codes
        for r in 0..<units.count where Int(codes[r]) < rowOf.count && codes[r] != 0 { rowOf[Int(codes[r])] = Int32(r) }
        return rowOf
    }

    /// The relation named before a dot: `unit.` from cases, `case.` from events.
    func relation(_ prefix: String, _ range: SourceRange) throws -> Relation {
        let key = prefix.lowercased()
        let target = SourceInfo.spellings.first { $0.names.contains(key) }?.table
        switch (table.name, target) {
        case ("cases", "units"?):
            let rowOf = unitRowOfCode()
            let unit = table.text(.unit).codes
            return Relation(prefix: prefix, binder: subBinder("units")) { r in Int(rowOf[Int(unit[r])]) }
        case ("events", "cases"?):
            let caseOf = store.eventCase
            return Relation(prefix: prefix, binder: subBinder("cases")) { e in caseOf[e] == UInt32.max ? -1 : Int(caseOf[e]) }
        case ("cases", "events"?):
            throw QueryError(Message(en: "a case has many events: ask `exists event where …` or `count(event where …)`", zh: "一件案件有多条办理记录：用 `exists event where …` 或 `count(event where …)`"), at: range)
        case ("units", "cases"?):
            throw QueryError(Message(en: "a unit has many cases: ask `exists case where …` or `count(case where …)`", zh: "一个单位有多件案件：用 `exists case where …` 或 `count(case where …)`"), at: range)
        default:
            throw QueryError(Message(en: "`\(prefix).` names no related row of \(source.name): cases reach their unit (unit.type), events their case (case.kind)",
                                     zh: "`\(prefix).` 不是 \(source.name) 的关联行：案件关联其单位（unit.type），办理记录关联其案件（case.kind）"),
                             at: range)
        }
    }

    /// The related rows named in `exists NAME` or `count(NAME where …)`.
    func children(_ id: Identifier) throws -> Children {
        let key = id.text.lowercased()
        guard let s = SourceInfo.spellings.first(where: { $0.names.contains(key) }) else {
            throw QueryError(Message(en: "unknown related rows `\(id.text)`", zh: "没有关联行 `\(id.text)`"), at: id.range,
                             suggestion: Suggest.closest(to: id.text, in: SourceInfo.allNames).map { Message(en: "did you mean `\($0)`?", zh: "是不是 `\($0)`？") })
        }
        switch (table.name, s.table) {
        case ("cases", "events"):
            let caseOf = store.eventCase
            let events = subBinder("events")
            events.outer = "case"
            return Children(name: s.names[0], binder: events, parent: { e in caseOf[e] == UInt32.max ? -1 : Int(caseOf[e]) },
                            within: Bitmap(count: events.n, filled: true))
        case ("units", "cases"):
            let rowOf = unitRowOfCode()
            let cases = subBinder("cases", kind: s.kind)
            cases.outer = FieldName.unit.rawValue
            let unit = cases.table.text(.unit).codes
            var within = Bitmap(count: cases.n, filled: true)
            if let k = s.kind { within = cases.indexes.rows(.kind, codes: [Int(k.rawValue)]) }
            return Children(name: s.names[0], binder: cases, parent: { r in Int(rowOf[Int(unit[r])]) }, within: within)
        default:
            throw QueryError(Message(en: "\(source.name) have no related \(s.names[0]): cases have events, units have cases", zh: "\(source.name) 没有关联的 \(s.names[0])：案件有办理记录，单位有案件"), at: id.range)
        }
    }

    /// The child rows meeting the filter, per parent row: counts (one pass over the children).
    func childCounts(_ c: Children, _ filter: Expr?) throws -> () -> [Int32] {
        let plan = try filter.map { try c.binder.plan($0) }
        let n = self.n
        return {
            let rows = plan?.run(within: c.within) ?? c.within
            var counts = [Int32](repeating: 0, count: n)
            rows.forEach { e in let p = c.parent(e); if p >= 0 { counts[p] += 1 } }
            return counts
        }
    }

    /// `exists event where …`: the rows with at least one related row that meets the filter.
    func existsPlan(_ id: Identifier, _ filter: Expr?) throws -> Plan {
        let c = try children(id)
        let counts = try childCounts(c, filter)
        let n = self.n
        let text = "exists \(c.name)" + (filter.map { " where " + $0.shape } ?? "")
        return .index("\(text) (one pass over \(c.binder.n) \(c.name))") {
            let k = counts()
            var b = Bitmap(count: n)
            for r in 0..<n where k[r] > 0 { b.insert(r) }
            return b
        }
    }

    /// `count(event where …)` as a whole number of each row.
    func relatedCount(_ id: Identifier, _ filter: Expr?, _ range: SourceRange) throws -> BoundField {
        let c = try children(id)
        let counts = try childCounts(c, filter)
        let box = LazyBox(counts)
        let name = "count(\(c.name)" + (filter.map { " where " + $0.shape } ?? "") + ")"
        let spec = FieldSpec(FieldName(name), name, .int, derived: true)
        return BoundField(spec: spec, column: nil, range: range,
                          computed: Computed(int: { box.value[$0] }, cellOfInt: { .int(Int($0)) }))
    }

    /// A condition on a related row's field (`unit.type = district`): planned over the related
    /// table, then each row keeps whether its related row was kept. Nil when the condition's
    /// subject is not a related field, or its other side is a field of this table.
    func relatedPlan(_ e: Expr) throws -> Plan? {
        func subject(_ v: ValueExpr) -> Identifier? {
            // A field of this table whose name has a dot (a column of the groups, `unit.type`) is its own.
            if case .name(let id) = v, let dot = id.text.firstIndex(of: "."), dot != id.text.startIndex,
               lookupField(id.text) == nil { return id }
            return nil
        }
        let value: ValueExpr
        var e = e
        switch e {
        case .compare(let l, let op, let r, let range):
            if subject(l) == nil, subject(r) != nil, !{ if case .name(let lid) = l { return isFieldName(lid.text) }; return false }() {
                // `district = unit.type`: the related field on the left.
                e = .compare(r, CompareOp.flipped(op), l, range)
                value = r
                break
            }
            if case .name(let rid) = r, isFieldName(rid.text) { return nil }
            value = l
        case .inList(let v, _, _, _), .between(let v, _, _, _, _), .contains(let v, _, _, _), .isEmpty(let v, _, _), .truthy(let v):
            value = v
        default: return nil
        }
        guard let id = subject(value) else { return nil }
        let dot = id.text.firstIndex(of: ".")!
        let prefix = String(id.text[..<dot]), rest = String(id.text[id.text.index(after: dot)...])
        let rel = try relation(prefix, id.range)
        let local = Binder.replacing(value, with: .name(Identifier(rest, id.range)), in: e)
        let inner = try rel.binder.plan(local)
        let onEmpty = Binder.holdsOnEmptyRow(local)
        let m = rel.n, n = self.n, map = rel.map
        return .index("\(e.shape) (through \(rel.binder.source.name): \(m) rows)") {
            let kept = inner.run(within: Bitmap(count: m, filled: true))
            var b = Bitmap(count: n)
            for r in 0..<n {
                let u = map(r)
                if u < 0 ? onEmpty : kept.contains(u) { b.insert(r) }
            }
            return b
        }
    }

    /// The condition with its subject value replaced (the left side of each form).
    static func replacing(_ old: ValueExpr, with new: ValueExpr, in e: Expr) -> Expr {
        switch e {
        case .compare(let l, let op, let r, let range): return .compare(l == old ? new : l, op, r, range)
        case .inList(let v, let vs, let n, let r): return .inList(v == old ? new : v, vs, negated: n, r)
        case .between(let v, let a, let b, let n, let r): return .between(v == old ? new : v, a, b, negated: n, r)
        case .contains(let v, let x, let n, let r): return .contains(v == old ? new : v, x, negated: n, r)
        case .isEmpty(let v, let n, let r): return .isEmpty(v == old ? new : v, negated: n, r)
        case .truthy(let v): return .truthy(v == old ? new : v)
        default: return e
        }
    }

    /// Whether a condition on one field holds for a row where that field is empty: = < > between
    /// in contains and truth tests do not, their negations and `is empty` do.
    static func holdsOnEmptyRow(_ e: Expr) -> Bool {
        switch e {
        case .compare(_, let op, _, _): return op == .ne
        case .inList(_, _, let n, _), .between(_, _, _, let n, _), .contains(_, _, let n, _): return n
        case .isEmpty(_, let n, _): return !n
        default: return false
        }
    }
}

extension Relation {
    var n: Int { binder.n }
}

extension ValueExpr {
    /// The related rows a `count(…)` argument names, with their filter: `event where …`, or a
    /// bare source spelling of events or cases (`count(event)`, `count(proposals)`), which is
    /// all of them. Nil otherwise (`count(unit)` counts a field: units are never a row's
    /// related rows).
    var relatedRows: (id: Identifier, filter: Expr?)? {
        switch self {
        case .related(let id, let filter, _): return (id, filter)
        case .name(let id):
            let key = id.text.lowercased()
            guard SourceInfo.spellings.contains(where: { $0.names.contains(key) && $0.table != "units" }) else { return nil }
            return (id, nil)
        default: return nil
        }
    }
}

/// A value made on first use and kept.
final class LazyBox<T> {
    private let make: () -> T
    private var made: T?
    init(_ make: @escaping () -> T) { self.make = make }
    var value: T {
        if let v = made { return v }
        let v = make(); made = v; return v
    }
}
