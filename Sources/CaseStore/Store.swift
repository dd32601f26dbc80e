import Foundation
import Synchronization

/// A table: its fields and one column per stored field, all of the same length.
public final class Table: @unchecked Sendable {
    public let name: String
    /// The schema's fields, then the extra columns of the loaded file (`addExtraField`).
    public private(set) var specs: [FieldSpec]
    /// Stored fields the loaded file had no column for: their cells are empty, and figures made
    /// from them (a rate, a derived field) have no data rather than a value of 0.
    public internal(set) var absentFields: Set<String> = []
    var columns: [String: ColumnRef] = [:]
    let pools: Pools
    public var count: Int = 0
    /// Built on first use; the table must not change after that.
    public var indexes: TableIndexes {
        indexLock.lock(); defer { indexLock.unlock() }
        if let i = _indexes { return i }
        let i = TableIndexes(table: self)
        _indexes = i
        return i
    }
    private var _indexes: TableIndexes?
    private let indexLock = NSLock()
    /// Columns still in a snapshot (Snapshot.swift): each is copied into its arrays the first
    /// time it is asked for.
    private var deferred: [String: () -> Void] = [:]
    private let deferredLock = NSLock()
    private let hasDeferred = Atomic<Bool>(false)

    public init(name: String, specs: [FieldSpec], pools: Pools) {
        self.name = name
        self.specs = specs
        self.pools = pools
        for spec in specs where !spec.derived {
            columns[spec.name] = Table.makeColumn(spec, table: name, pools: pools)
        }
    }

    /// A table of columns already filled, `count` rows each: a query's result that a later
    /// clause asks about as a source (the groups that `having` tests). `columns` holds the
    /// column of each spec that is not derived, under its name.
    public init(name: String, specs: [FieldSpec], columns: [String: ColumnRef], count: Int) {
        self.name = name
        self.specs = specs
        self.pools = Pools()
        self.columns = columns
        self.count = count
    }

    static func makeColumn(_ spec: FieldSpec, table: String, pools: Pools) -> ColumnRef {
        switch spec.type {
        case .text: return .text(TextColumn(pool: pools.pool(for: spec.name, table: table)))
        case .textList: return .list(ListColumn(pool: pools.pool(for: spec.name, table: table)))
        case .enumeration(let info): return .code(CodeColumn(info: info))
        case .bool: return .bool(BoolColumn())
        case .date: return .day(DayColumn())
        case .int: return .int(IntColumn())
        case .real: return .real(RealColumn())
        }
    }

    /// Notes how to fill a column from a snapshot when first asked for.
    func deferFill(_ name: String, _ fill: @escaping () -> Void) {
        deferredLock.lock(); defer { deferredLock.unlock() }
        deferred[name] = fill
        hasDeferred.store(true, ordering: .releasing)
    }

    /// A column as stored, filled from the snapshot first if it is still there.
    @inline(__always)
    private func stored(_ name: String) -> ColumnRef? {
        if hasDeferred.load(ordering: .acquiring) { fillDeferred(name) }
        return columns[name]
    }

    private func fillDeferred(_ name: String) {
        deferredLock.lock(); defer { deferredLock.unlock() }
        if let fill = deferred.removeValue(forKey: name) { fill() }
        if deferred.isEmpty { hasDeferred.store(false, ordering: .releasing) }
    }

    /// A column, its deferred cells interned first (see `PendingCells`).
    public func column(_ name: String) -> ColumnRef? {
        let c = stored(name)
        switch c {
        case .text(let x)? where x.isPending.load(ordering: .acquiring): pools.materialize(x.pool)
        case .list(let x)? where x.isPending.load(ordering: .acquiring): pools.materialize(x.pool)
        default: break
        }
        return c
    }
    /// The pending cells of a deferred column, if it has them.
    func pendingCells(_ name: String) -> PendingCells? {
        switch stored(name) {
        case .text(let x)?: return x.pending
        case .list(let x)?: return x.pending
        default: return nil
        }
    }
    /// A column as loaded, deferred cells left pending (for the loader).
    func storedColumn(_ name: String) -> ColumnRef? { stored(name) }
    func storedColumn(_ key: FieldName) -> ColumnRef? { stored(key.rawValue) }
    public var storedSpecs: [FieldSpec] { specs.filter { !$0.derived } }

    /// Whether `field` has data: a stored field the file had a column for (or that a generator
    /// filled), or a derived field whose sources all have data. False for unknown names.
    public func hasData(_ field: String) -> Bool {
        guard let spec = specs.first(where: { $0.name == field }) else { return false }
        if spec.derived { return spec.sources.allSatisfy { hasData($0.rawValue) } }
        return !absentFields.contains(field)
    }

    /// Adds a text field (or a list of text) for a column of the file that is no field of the
    /// schema, named by its header (which must not name a field already); rows already loaded
    /// have it empty.
    @discardableResult
    func addExtraField(_ header: String, type: FieldType = .text, help: String = "a column of the file, kept as text") -> FieldSpec {
        precondition(columns[header] == nil)
        let spec = FieldSpec(FieldName(header), header, type, extra: true, help: help)
        specs.append(spec)
        let column = Table.makeColumn(spec, table: name, pools: pools)
        if case .text(let c) = column { c.codes = Array(repeating: 0, count: count) }
        if case .list(let c) = column { c.starts = Array(repeating: 0, count: count + 1) }
        columns[header] = column
        return spec
    }

    public func text(_ name: String) -> TextColumn {
        guard case .text(let c)? = column(name) else { preconditionFailure("\(name) is not text") }
        return c
    }
    public func list(_ name: String) -> ListColumn {
        guard case .list(let c)? = column(name) else { preconditionFailure("\(name) is not a list") }
        return c
    }
    public func code(_ name: String) -> CodeColumn {
        guard case .code(let c)? = stored(name) else { preconditionFailure("\(name) is not an enum") }
        return c
    }
    public func bool(_ name: String) -> BoolColumn {
        guard case .bool(let c)? = stored(name) else { preconditionFailure("\(name) is not a bool") }
        return c
    }
    public func day(_ name: String) -> DayColumn {
        guard case .day(let c)? = stored(name) else { preconditionFailure("\(name) is not a date") }
        return c
    }
    public func int(_ name: String) -> IntColumn {
        guard case .int(let c)? = stored(name) else { preconditionFailure("\(name) is not an int") }
        return c
    }

    // The same, by key: what code uses (a key that names no field fails to compile).
    public func column(_ key: FieldName) -> ColumnRef? { column(key.rawValue) }
    public func hasData(_ key: FieldName) -> Bool { hasData(key.rawValue) }
    public func text(_ key: FieldName) -> TextColumn { text(key.rawValue) }
    public func list(_ key: FieldName) -> ListColumn { list(key.rawValue) }
    public func code(_ key: FieldName) -> CodeColumn { code(key.rawValue) }
    public func bool(_ key: FieldName) -> BoolColumn { bool(key.rawValue) }
    public func day(_ key: FieldName) -> DayColumn { day(key.rawValue) }
    public func int(_ key: FieldName) -> IntColumn { int(key.rawValue) }

    /// Drops rows from `count` on (used to undo a half-appended row).
    func truncate(to n: Int) {
        for (_, c) in columns {
            switch c {
            case .text(let x):
                if let p = x.pending { p.truncate(to: n) } else { x.codes.removeLast(x.codes.count - n) }
            case .list(let x):
                x.starts.removeLast(x.starts.count - 1 - n)
                if let p = x.pending { p.truncate(to: Int(x.starts[n])) } else { x.values.removeLast(x.values.count - Int(x.starts[n])) }
            case .code(let x): x.codes.removeLast(x.codes.count - n)
            case .bool(let x): x.values.removeLast(x.values.count - n)
            case .day(let x): x.values.removeLast(x.values.count - n)
            case .int(let x): x.values.removeLast(x.values.count - n)
            case .real(let x): x.values.removeLast(x.values.count - n)
            }
        }
        count = n
    }

    /// Removes the given rows (ascending), keeping the order of the others.
    func remove(rows: [Int]) {
        guard !rows.isEmpty else { return }
        var keep = [Bool](repeating: true, count: count)
        for r in rows { keep[r] = false }
        func filter<T>(_ a: [T]) -> [T] { a.enumerated().compactMap { keep[$0.offset] ? $0.element : nil } }
        for (_, c) in columns {
            switch c {
            case .text(let x):
                if let p = x.pending { x.pending = p.filtered { keep[$0] } } else { x.codes = filter(x.codes) }
            case .code(let x): x.codes = filter(x.codes)
            case .bool(let x): x.values = filter(x.values)
            case .day(let x): x.values = filter(x.values)
            case .int(let x): x.values = filter(x.values)
            case .real(let x): x.values = filter(x.values)
            case .list(let x):
                var starts: [UInt32] = [0], values: [UInt32] = []
                if let p = x.pending {
                    var keepItem = [Bool](repeating: false, count: p.count)
                    for r in 0..<count where keep[r] {
                        for i in x.range(r) { keepItem[i] = true }
                        starts.append(starts.last! + UInt32(x.range(r).count))
                    }
                    x.pending = p.filtered { keepItem[$0] }
                } else {
                    for r in 0..<count where keep[r] {
                        values.append(contentsOf: x.values[x.range(r)])
                        starts.append(UInt32(values.count))
                    }
                    x.values = values
                }
                x.starts = starts
            }
        }
        count -= rows.count
    }

    public var footprint: Int { columns.values.reduce(0) { $0 + $1.footprint } }
}

/// The string pools, shared where values are of one family: unit names in cases, co-units, units
/// and events share one pool, so a unit is one code everywhere.
public final class Pools: @unchecked Sendable {
    public let ids = StringPool()
    public let units = StringPool()
    public let people = StringPool()
    public let titles = StringPool()
    public let other = StringPool()

    /// Columns whose cells wait to be interned, and the lock under which they are.
    private var pending: [ColumnRef] = []
    private let lock = NSLock()

    public init() {}

    /// Fields kept as bytes at load and interned on first use: nearly one distinct value per row.
    static func defers(field: String, table: String) -> Bool {
        table == "cases" && [FieldName.id, .proposer, .cosigners].contains { $0 == field }
    }

    /// Free text that holds nearly one distinct value per row and is interned at load (titles):
    /// a later part of a large file, parsed apart (PartedParse.swift), keeps its cells as bytes,
    /// and they are interned once, into the table's pool, when the parts are joined. (Interned
    /// into a pool of the part's own, they would be interned a second time at the join, with the
    /// part's pool, as large as its share of the texts, alive until then.)
    static func internsAtJoin(field: String, table: String) -> Bool {
        table == "cases" && field == FieldName.title.rawValue
    }

    /// Notes a column that holds pending cells.
    func register(_ column: ColumnRef) {
        lock.lock(); defer { lock.unlock() }
        pending.append(column)
    }

    /// Interns the pending cells of every column of this pool (all at once: a pool is changed by
    /// one thread only, and once its columns are interned it is only read). No column of the pool
    /// is marked interned (which lets readers skip this lock) before all of them are: a reader of
    /// proposers must not read the people's pool while cosigners are still being added to it.
    func materialize(_ pool: StringPool) {
        lock.lock(); defer { lock.unlock() }
        var done: [ColumnRef] = []
        pending.removeAll { c in
            switch c {
            case .text(let x) where x.pool === pool: x.intern(); done.append(c); return true
            case .list(let x) where x.pool === pool: x.intern(); done.append(c); return true
            case .text(let x): return x.pending == nil
            case .list(let x): return x.pending == nil
            default: return true
            }
        }
        for c in done {
            switch c {
            case .text(let x): x.pending = nil
            case .list(let x): x.pending = nil
            default: break
            }
        }
    }

    /// Interns every pending column (the shell does this in the background after a load).
    public func materializeAll() {
        for pool in [ids, people, units, titles, other] { materialize(pool) }
    }

    /// Bytes of cells still pending.
    public var pendingFootprint: Int {
        lock.lock(); defer { lock.unlock() }
        return pending.reduce(0) { $0 + $1.footprint }
    }

    func pool(for field: String, table: String) -> StringPool {
        let key = FieldName(field)
        switch (table, key) {
        case ("cases", .id), ("events", .caseID): return ids
        case ("cases", .unit), ("cases", .coUnits), ("units", .name), ("events", .unit): return units
        case ("cases", .proposer), ("cases", .cosigners): return people
        case ("cases", .title): return titles
        default: return other
        }
    }

    public var footprint: Int {
        lock.lock(); defer { lock.unlock() }
        return [ids, units, people, titles, other].reduce(0) { $0 + $1.footprint }
    }
}

/// The dataset's own settings (manifest.json or manifest.txt).
public struct Manifest: Sendable, Equatable {
    public var name: String = ""
    public var asOf: Day?
    public var cutoff: Day?
    public var completionTarget: Double = 1.0
    public var faceToFaceTarget: Double = 1.0
    public var satisfactionTarget: Double = 0.985
    public var description: String = ""
    /// Each unit's remit (职责范围): the categories it is expected to handle, as the manifest
    /// writes them (compare with `CaseStore.categoryKey`). A return request for a case in the
    /// unit's own remit is 推诿扯皮.
    public var remits: [String: [String]] = [:]
    /// The kind of every case, for a list of one kind without a kind column (manifest `kind`).
    public var kind: Kind?
    /// Periods, class scheme and calendar days of the office's rules (manifest.json "rules").
    public var office = OfficeSettings()
    /// What the source notice states (manifest.json "notice"), for the report to set beside the data.
    public var notice: NoticeFigures?
    public init() {}
}

/// Everything loaded: cases, units, events, with the row of each case id and each case's events.
public final class CaseStore: @unchecked Sendable {
    public let pools: Pools
    public let cases: Table
    public let units: Table
    public let events: Table
    public var manifest = Manifest()
    /// Where the data came from, for messages.
    public var origin: String = ""
    /// The snapshot this store was read from, whose sections are checked as they are first used.
    var snapshot: SnapshotSections?
    /// Set once a section of the snapshot this store was read from failed its check (what
    /// failed, in words): the store's answers are then not to be trusted (the damaged cells read as
    /// empty) and the dataset must be loaded again from its files; the snapshot file is deleted
    /// already, so that load parses them and writes it anew. Nil for a store parsed from files.
    public var snapshotFault: Message? { snapshot?.fault }

    /// The latest date anywhere in the store, as a raw day (Int32.min when there is none): the
    /// cases' assignment, signing, reply and closing dates, the events' dates and the units'
    /// reception days. Whether an as-of date changes anything (`Timeline.asOf`) turns on it. A
    /// store read from a snapshot has it from there: reading four date columns to know it was
    /// most of what a reopened 10M dataset read before its first answer.
    public var latestDate: Int32 {
        if let d = snapshotLatestDate { return d }
        var m = Int32.min
        for f in [FieldName.assignedOn, .signedOn, .repliedOn, .closedOn] {
            for v in cases.day(f).values where v > m { m = v }
        }
        if events.count > 0 { for v in events.day(.date).values where v > m { m = v } }
        if units.count > 0 { for v in units.day(.receptionDayOn).values where v > m { m = v } }
        return m
    }
    /// `latestDate` as the snapshot this store was read from saved it.
    var snapshotLatestDate: Int32?

    /// Checks every section of the snapshot this store was read from that no question has used
    /// yet (reading all of it); returns `snapshotFault`. For commands that read most of the
    /// dataset and write as they go.
    public func checkSnapshot() -> Message? {
        snapshot?.checkAll()
        return snapshotFault
    }

    /// id pool code → case row (UInt32.max when the code is not a case id, e.g. only in events);
    /// made on first use when there are no events.
    private var rowOfID: [UInt32]?
    private let rowOfIDLock = NSLock()
    /// Events of each case, in date order: eventOrder[eventStarts[row]..<eventStarts[row+1]].
    /// Empty when there are no events (not a row of zeros per case: 40 MB to fill at 10M cases,
    /// a tenth of a reopened dataset's first answer).
    public private(set) var eventStarts: [UInt32] = []
    public private(set) var eventOrder: [UInt32] = []
    /// events row → case row (UInt32.max when the case is unknown).
    public private(set) var eventCase: [UInt32] = []

    /// An empty store for a dataset with these settings: its category and resolution columns
    /// are typed by the manifest's schemes (`Schemes.caseFields`), which cannot change after.
    public init(pools: Pools = Pools(), manifest: Manifest = Manifest()) {
        self.pools = pools
        self.manifest = manifest
        cases = Table(name: "cases", specs: Schemes.caseFields(manifest.office), pools: pools)
        units = Table(name: "units", specs: Schema.units, pools: pools)
        events = Table(name: "events", specs: Schema.events, pools: pools)
    }

    init(pools: Pools, cases: Table, units: Table, events: Table) {
        self.pools = pools; self.cases = cases; self.units = units; self.events = events
    }

    /// The as-of date: the dataset's own, else today.
    public var defaultAsOf: Day { manifest.asOf ?? Day.today() }

    public func row(ofID id: String) -> Int? {
        let rows = rowsOfIDs()
        guard let code = pools.ids.lookup(id), Int(code) < rows.count else { return nil }
        let r = rows[Int(code)]
        return r == UInt32.max ? nil : Int(r)
    }

    /// id pool code → case row, made on first use (the ids are interned then).
    func rowsOfIDs() -> [UInt32] {
        let ids = cases.text(.id).codes
        rowOfIDLock.lock(); defer { rowOfIDLock.unlock() }
        if let r = rowOfID { return r }
        var r = Array(repeating: UInt32.max, count: pools.ids.count)
        for (row, code) in ids.enumerated() { r[Int(code)] = UInt32(row) }
        rowOfID = r
        return r
    }

    public func events(ofCase row: Int) -> ArraySlice<UInt32> {
        guard !eventStarts.isEmpty else { return eventOrder[0..<0] }
        return eventOrder[Int(eventStarts[row])..<Int(eventStarts[row + 1])]
    }

    /// Rebuilds the id → row map and the per-case event lists. Call after loading or generating.
    public func link() {
        for pool in [pools.ids, pools.units, pools.people, pools.titles, pools.other] { pool.shrinkToFit() }
        rowOfIDLock.lock(); rowOfID = nil; rowOfIDLock.unlock()
        guard events.count > 0 else {
            eventCase = []; eventOrder = []; eventStarts = []
            return
        }
        let rowOfID = rowsOfIDs()
        let evCase = events.text(.caseID).codes
        let evDate = events.day(.date).values
        eventCase = evCase.map { Int($0) < rowOfID.count ? rowOfID[Int($0)] : UInt32.max }
        var counts = Array(repeating: UInt32(0), count: cases.count + 1)
        for c in eventCase where c != UInt32.max { counts[Int(c) + 1] += 1 }
        for i in 1..<counts.count { counts[i] += counts[i - 1] }
        eventStarts = counts
        var fill = counts
        var order = Array(repeating: UInt32(0), count: Int(counts[cases.count]))
        for (e, c) in eventCase.enumerated() where c != UInt32.max {
            order[Int(fill[Int(c)])] = UInt32(e); fill[Int(c)] += 1
        }
        // Events of a case in date order, stable (the file's order breaks ties).
        for row in 0..<cases.count {
            let lo = Int(counts[row]), hi = Int(counts[row + 1])
            if hi - lo > 1 {
                var isSorted = true
                for k in (lo + 1)..<hi where evDate[Int(order[k])] < evDate[Int(order[k - 1])] { isSorted = false; break }
                if !isSorted {
                    let sorted = order[lo..<hi].enumerated().sorted {
                        let a = evDate[Int($0.element)], b = evDate[Int($1.element)]
                        return a != b ? a < b : $0.offset < $1.offset
                    }.map(\.element)
                    order.replaceSubrange(lo..<hi, with: sorted)
                }
            }
        }
        eventOrder = order
    }

    /// Approximate bytes held by the store's arrays and pools.
    public var footprint: Int {
        pools.footprint + cases.footprint + units.footprint + events.footprint
            + (rowOfID?.capacity ?? 0) * 4 + eventStarts.capacity * 4 + eventOrder.capacity * 4 + eventCase.capacity * 4
    }

    /// The table called `name` (cases, units, events).
    public func table(_ name: String) -> Table? {
        switch name { case "cases": return cases; case "units": return units; case "events": return events; default: return nil }
    }
}
