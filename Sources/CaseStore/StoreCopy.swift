// A copy of a store with some rows left out, sharing its string pools: what CaseOffice's time
// travel starts from before it rewrites the columns a date changes.

extension Table {
    /// A copy of the table keeping the rows where `keep` is true (all when nil), in order.
    /// Deferred cells are interned first.
    func copy(keeping keep: [Bool]?) -> Table {
        let t = Table(name: name, specs: specs, pools: pools)
        func filter<T>(_ a: [T]) -> [T] {
            guard let keep else { return a }
            var out: [T] = []
            out.reserveCapacity(a.count)
            for i in a.indices where keep[i] { out.append(a[i]) }
            return out
        }
        for spec in specs where !spec.derived {
            switch (column(spec.name), t.columns[spec.name]) {
            case (.text(let a)?, .text(let b)?): b.codes = filter(a.codes)
            case (.code(let a)?, .code(let b)?): b.codes = filter(a.codes)
            case (.bool(let a)?, .bool(let b)?): b.values = filter(a.values)
            case (.day(let a)?, .day(let b)?): b.values = filter(a.values)
            case (.int(let a)?, .int(let b)?): b.values = filter(a.values)
            case (.list(let a)?, .list(let b)?):
                for r in 0..<count where keep?[r] ?? true { b.append(a.range(r).map { a.values[$0] }) }
            default: break
            }
        }
        t.absentFields = absentFields
        t.count = keep.map { $0.reduce(0) { $0 + ($1 ? 1 : 0) } } ?? count
        return t
    }
}

extension CaseStore {
    /// A copy keeping the cases and events where `cases` and `events` say so (all when nil), with
    /// the same manifest, origin and pools, linked. Columns are new: changing them leaves this
    /// store as it is.
    public func copy(keepingCases cases: [Bool]? = nil, events: [Bool]? = nil) -> CaseStore {
        pools.materializeAll()
        let s = CaseStore(pools: pools, cases: self.cases.copy(keeping: cases),
                          units: units.copy(keeping: nil), events: self.events.copy(keeping: events))
        s.manifest = manifest
        s.origin = origin
        s.link()
        return s
    }
}

extension Table {
    /// Appends `other`'s rows (a table of the same name made with the same pools: the cases of
    /// another sheet) after these. A column only one of them has is empty in the other's rows; a
    /// field stays absent only when both lacked it. Deferred cells are interned first.
    func append(contentsOf other: Table) {
        precondition(other.name == name && other.pools === pools)
        pools.materializeAll()
        for spec in other.storedSpecs where columns[spec.name] == nil {
            addExtraField(spec.name, type: spec.type, help: spec.help)
        }
        let n = other.count
        for spec in storedSpecs {
            let theirs = other.columns[spec.name]
            switch (columns[spec.name], theirs) {
            case (.text(let a)?, .text(let b)?): a.codes += b.codes
            case (.text(let a)?, _): a.codes += repeatElement(0, count: n)
            case (.list(let a)?, .list(let b)?):
                for r in 0..<n { a.append(b.range(r).map { b.values[$0] }) }
            case (.list(let a)?, _): for _ in 0..<n { a.append([]) }
            case (.code(let a)?, .code(let b)?): a.codes += b.codes
            case (.code(let a)?, _): a.codes += repeatElement(EnumInfo.none, count: n)
            case (.bool(let a)?, .bool(let b)?): a.values += b.values
            case (.bool(let a)?, _): a.values += repeatElement(false, count: n)
            case (.day(let a)?, .day(let b)?): a.values += b.values
            case (.day(let a)?, _): a.values += repeatElement(Day.none, count: n)
            case (.int(let a)?, .int(let b)?): a.values += b.values
            case (.int(let a)?, _): a.values += repeatElement(Day.none, count: n)
            case (.real(let a)?, .real(let b)?): a.values += b.values
            case (.real(let a)?, _): a.values += repeatElement(.nan, count: n)
            case (nil, _): break
            }
        }
        absentFields.formIntersection(other.absentFields)
        count += n
    }
}
