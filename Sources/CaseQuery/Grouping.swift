import CaseStore

/// A bound key of `group by`: each row's key as a number (a code, a day, a bucket), and how a
/// key is shown. Groups sort by that number (enums in their declared order, dates and buckets in
/// time order), or by their text for text keys (Chinese by pinyin: see `Collation`).
struct BoundKey {
    /// The result column's name: `unit`, `unit.type`, `month(assigned_on)`, `co_units`.
    let name: String
    let label: String
    /// The field when it is a plain field of the source's table (the fast paths want its column).
    let field: BoundField?
    let getter: (Int) -> Int64
    let cell: (Int64) -> Cell
    /// Order groups by the key's text rather than its number.
    let byText: Bool
    /// For `each`: the distinct elements of a row's list, as codes (none for an empty list).
    let elements: ((Int, inout [Int64]) -> Void)?
    /// The key's type as its field's: an enum's (numbers are codes, -1 empty), text (codes of
    /// `pool`, or a bucket's number shown by `computed`), a date's or number's value, yes/no 1/0.
    var type: FieldType = .int
    /// For a computed key (`month(assigned_on)`): how its number is shown and compared.
    var computed: Computed? = nil
    /// For a key whose number is a code of a string pool (a text field, a related row's text
    /// field, a list's elements): the pool, whose kept collation ranks order the groups.
    var pool: StringPool? = nil

    /// Each group's sort value, given the groups' key numbers: the number itself, or for a
    /// text key its rank in collation order (from the pool's kept ranks when there are many
    /// groups for its size, else ranking only the groups' texts).
    func sortCells(_ numbers: [Int64]) -> [Cell] {
        guard byText else { return numbers.map { .int(Int($0)) } }
        if let pool, numbers.count * 4 >= pool.count || Collation.hasRanks(of: pool) {
            let ranks = Collation.ranks(of: pool)
            return numbers.map { $0 >= 0 && Int($0) < ranks.count ? .int(Int(ranks[Int($0)])) : .null }
        }
        return Collation.rankCells(numbers.map(cell))
    }
}

extension Binder {
    /// Binds a key of `group by`. Throws for a list without `each`, `each` on a non-list, or an
    /// unknown field or function.
    func groupKey(_ k: GroupKey) throws -> BoundKey {
        if k.each {
            guard case .name(let id) = k.value else {
                throw QueryError(Message(en: "each takes a list field, e.g. each co_units", zh: "each 取列表字段，如 each co_units"), at: k.range)
            }
            let f = try field(id)
            guard f.relation == nil, case .list(let col)? = f.column else {
                throw QueryError(Message(en: "each takes a list field (co_units, cosigners); `\(f.qualifiedName)` is \(f.spec.type.name)", zh: "each 取列表字段（co_units、cosigners）；`\(f.qualifiedName)` 是\(f.spec.type.described.zh)"), at: id.range)
            }
            let pool = col.pool
            return BoundKey(name: f.name, label: f.spec.label, field: nil, getter: { _ in 0 },
                            cell: { .text(pool[UInt32($0)]) }, byText: true,
                            elements: { r, out in
                                out.removeAll(keepingCapacity: true)
                                for i in col.range(r) {
                                    let c = Int64(col.values[i])
                                    if c != 0 && !out.contains(c) { out.append(c) }
                                }
                            }, type: .text, pool: pool)
        }
        let f: BoundField
        if let c = try computedField(k.value) {
            f = c
        } else if case .name(let id) = k.value {
            f = try field(id)
        } else {
            throw QueryError(Message(en: "group by takes a field (unit, unit.type), a time bucket (month(assigned_on)) or each and a list field", zh: "group by 取字段（unit、unit.type）、时间段（month(assigned_on)）或 each 加列表字段"), at: k.range)
        }
        if case .textList = f.spec.type {
            throw QueryError(Message(en: "cannot group by `\(f.qualifiedName)`: it is a list (a case can have several); group by each \(f.qualifiedName) counts a case once in each of its elements", zh: "不能按 `\(f.qualifiedName)` 分组：它是列表（一件案件可有多个）；group by each \(f.qualifiedName) 把案件在其每个元素下各计一次"), at: f.range)
        }
        var byText = false
        if case .text = f.spec.type, f.computed == nil { byText = true }
        if let c = f.computed {
            let g = c.int, show = c.cellOfInt
            return BoundKey(name: f.qualifiedName, label: f.spec.label, field: nil, getter: { Int64(g($0)) },
                            cell: { show(Int32(truncatingIfNeeded: $0)) }, byText: false, elements: nil,
                            type: f.spec.type, computed: c)
        }
        if let rel = f.relation {
            let inner = Engine.keyGetter(f.local, rel.binder), map = rel.map
            let noRow: Int64
            switch f.column {
            case .code?: noRow = -1
            case .text?, .bool?: noRow = 0
            default: noRow = f.spec.type.name == "bool" ? 0 : Int64(Day.none)
            }
            return BoundKey(name: f.qualifiedName, label: f.spec.label, field: nil,
                            getter: { r in let u = map(r); return u < 0 ? noRow : inner(u) },
                            cell: Engine.keyCell(f.local, rel.binder), byText: byText, elements: nil,
                            type: f.spec.type, pool: textPool(f))
        }
        return BoundKey(name: f.name, label: f.spec.label, field: f, getter: Engine.keyGetter(f, self),
                        cell: Engine.keyCell(f, self), byText: byText, elements: nil, type: f.spec.type, pool: textPool(f))
    }

    /// The pool of a text column's codes, which are its group key numbers.
    private func textPool(_ f: BoundField) -> StringPool? {
        if case .text(let c)? = f.column { return c.pool }
        return nil
    }

    /// The name a select item or order key has when it is a group key (`unit` for 主办单位,
    /// `month(assigned_on)` for 月份(交办日期)); nil when it names no field.
    func keyName(_ v: ValueExpr) -> String? {
        if let f = try? computedField(v) { return f.qualifiedName }
        if case .name(let id) = v, isFieldName(id.text), let f = try? field(id) { return f.qualifiedName }
        return nil
    }
}
