import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A large file's body parsed in parts at once: the first part on the loading thread, straight
/// into the table; each later part on a thread of its own, into a table of its own that the
/// thread builds itself from a `PartPlan` (plain values only). Nothing is shared between the
/// threads but the file's read-only bytes and a byte counter: each part's parser and its end
/// come back to the loading thread through `PartSlots`, which appends them to the table in order.
extension TableLoader {
    /// Parts a large file is cut into. Two, one a core: six were measured slower at 1M cases
    /// (0.8 s against 0.6 s, 212 MiB against 155), because the parts after the first wait whole in
    /// their buffers until all are read, then are appended one after another.
    static let parts = 2

    /// Parses the rows of the body (from `reader`'s position) into the table, in parts when it has
    /// `options.parallelThreshold` bytes or more, reporting progress (on this thread only) and
    /// giving back the file's pages behind the rows read. Returns the ranges in table order and
    /// whether any cell was not valid UTF-8; `reader` ends where the first part ended.
    func parseBody(_ buf: UnsafeBufferPointer<UInt8>, reader: inout CSVReader, binding: ColumnBinding, filter: RowFilter?,
                   expectedRows: Int) -> (ranges: [RangeParser], sawInvalidUTF8: Bool) {
        let bodyStart = reader.position
        let headerCount = binding.mapping.count
        // The body is cut at row boundaries; each reader stops at the first row boundary at or
        // past its part's end.
        let cuts = buf.count - bodyStart >= options.parallelThreshold
            ? RangeParser.findSplits(buf, from: bodyStart, parts: TableLoader.parts) : []
        let bounds = [bodyStart] + cuts + [buf.count]
        let partCount = bounds.count - 1
        let perPart = partCount > 1 ? expectedRows / partCount + expectedRows / 20 : expectedRows
        let first = RangeParser(name: name, table: table, mapping: binding.mapping, absent: binding.absent,
                                headerCount: headerCount, expectedRows: perPart, filter: filter)
        first.uniqueField = extra?.uniqueField

        let plan = PartPlan(fileName: name, table: table, binding: binding, filter: filter, uniqueField: extra?.uniqueField)
        let bytes = SharedBytes(buf, mapped: file.isMapped)
        let parts = PartSlots<ParsedPart>(count: partCount)
        let bytesApart = ByteCount()
        let group = DispatchGroup()
        for k in 1..<max(partCount, 1) {
            DispatchQueue.global().async(group: group) {
                let base = bounds[k]
                let part = bytes.suffix(from: base)
                var reader = CSVReader(part, startingAt: 0, line: 1)
                let range = plan.makeRange(expectedRows: perPart)
                var last = 0, released = base
                range.run(&reader, buf: part, end: bounds[k + 1] - base, flush: false) { position in
                    // Pages behind the current row are not needed again: give them back.
                    released = bytes.releasePages(from: released, upTo: base + position)
                    bytesApart.add(position - last)
                    last = position
                }
                parts.put(ParsedPart(range: range, reader: reader), at: k)
            }
        }
        let total = max(buf.count - bodyStart, 1)
        var done = 0, last = bodyStart
        first.run(&reader, buf: buf, end: bounds[1], flush: true, roomForMore: partCount - 1) { position in
            file.release(upTo: position)
            done += position - last
            last = position
            options.progress?(Double(done + bytesApart.value) / Double(total))
        }
        while group.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
            options.progress?(Double(done + bytesApart.value) / Double(total))
        }
        var apart: [ParsedPart] = []
        for k in 1..<max(partCount, 1) { apart.append(parts.take(at: k)!) }
        let sawInvalidUTF8 = ([first] + apart.map(\.range)).contains { $0.sawInvalidUTF8 }

        // Parts in order: each must have ended where the next began (a stray quote can make a
        // cut fall inside a quoted field). From the first that did not, the rest is read again
        // in one piece after it.
        var ranges = [first]
        var ended = reader.position, lineAtEnd = reader.line
        for (i, part) in apart.enumerated() {
            let k = i + 1
            guard ended == bounds[k] else {
                var rest = CSVReader(buf, startingAt: ended, line: lineAtEnd)
                let r = RangeParser(name: name, table: table, mapping: binding.mapping, absent: binding.absent,
                                    headerCount: headerCount, expectedRows: perPart, filter: filter)
                r.uniqueField = extra?.uniqueField
                r.run(&rest, buf: buf, end: buf.count) { _ in }
                ranges.append(r)
                break
            }
            let prev = ranges[ranges.count - 1]
            part.range.shift(offset: bounds[k], lines: lineAtEnd - 1)
            part.range.firstRow = prev.firstRow + prev.kept
            first.append(part.range)
            ranges.append(part.range)
            ended = bounds[k] + part.reader.position
            lineAtEnd = lineAtEnd - 1 + part.reader.line
        }
        return (ranges, sawInvalidUTF8)
    }
}

extension RangeParser {
    /// Appends the rows of `other` (a later part, parsed apart and not flushed) to the table,
    /// after this range's (flushed): its texts re-interned into this table's pools, its other
    /// cells copied.
    func append(_ other: RangeParser) {
        for (a, b) in zip(mapping, other.mapping) { if let a, let b { a.flush(appending: b) } }
        for (a, b) in zip(absent, other.absent) { a.flush(appending: b) }
        table.count += other.kept
    }
}

/// A part parsed on a thread of its own: its rows (not yet in any table but its own) and its
/// reader where it stopped.
struct ParsedPart {
    let range: RangeParser
    let reader: CSVReader
}

/// What a part parsed apart needs to build its own table and parsers, as plain values: the
/// fields of the file's columns (and which keep their cells as bytes), the absent fields with
/// what fills them, the row filter.
struct PartPlan: Sendable {
    let fileName: String
    let tableName: String
    let specs: [FieldSpec]
    /// Per column of the file: its field and whether its cells are kept as bytes (a deferred
    /// field, appended to the first part's pending cells; or a text column of nearly distinct
    /// values, `Pools.internsAtJoin`, interned at the join); nil for a column not loaded.
    let columns: [(spec: FieldSpec, pending: Bool)?]
    /// The stored fields the file has no column for, with the code each is filled with.
    let absent: [(spec: FieldSpec, fill: UInt8, headingsSetFill: Bool)]
    let filter: RowFilter?
    let uniqueField: String?

    init(fileName: String, table: Table, binding: ColumnBinding, filter: RowFilter?, uniqueField: String?) {
        self.fileName = fileName
        tableName = table.name
        specs = table.specs
        columns = binding.mapping.map { $0.map { c in
            var atJoin = false
            if case .text = c.spec.type { atJoin = Pools.internsAtJoin(field: c.spec.name, table: table.name) }
            return (c.spec, table.pendingCells(c.spec.name) != nil || atJoin)
        } }
        absent = binding.absent.map { ($0.spec, $0.fill, $0.headingsSetFill) }
        self.filter = filter
        self.uniqueField = uniqueField
    }

    /// A range parser over a new table of the plan's fields, with pools of its own.
    func makeRange(expectedRows: Int) -> RangeParser {
        let own = Table(name: tableName, specs: specs, pools: Pools())
        let mapping = columns.map { c in c.map { c -> CellParser in
            let column = own.storedColumn(c.spec.name)!
            if c.pending {
                switch column {
                case .text(let x): x.pending = PendingCells()
                case .list(let x): x.pending = PendingCells()
                default: break
                }
            }
            return CellParser(spec: c.spec, column: column, expectedRows: expectedRows)
        } }
        let absent = self.absent.map { a -> CellParser in
            let p = CellParser(spec: a.spec, column: own.storedColumn(a.spec.name)!, expectedRows: expectedRows)
            p.fill = a.fill
            p.headingsSetFill = a.headingsSetFill
            return p
        }
        let range = RangeParser(name: fileName, table: own, mapping: mapping, absent: absent, headerCount: columns.count,
                                expectedRows: expectedRows, filter: filter)
        range.uniqueField = uniqueField
        return range
    }
}

/// One slot per part of a parse in parts: the thread that parsed part k puts what it made in
/// slot k, and the loading thread takes it out once that thread has finished. Each slot is
/// written once (a second write traps) and read once it is full: its state goes empty → being
/// written → full (stored with release ordering) → taken (read with acquire ordering), so what
/// the parsing thread made is visible whole to the loading thread, and no slot is ever touched by
/// two threads at once. (A Mutex cannot hold these values: Swift 6.3 does not let a `sending`
/// value be stored through `withLock`'s closure.)
final class PartSlots<Value>: @unchecked Sendable {
    private let values: UnsafeMutablePointer<Value?>
    private let states: UnsafeMutablePointer<Atomic<Int>>
    private let count: Int
    private static var empty: Int { 0 }
    private static var writing: Int { 1 }
    private static var full: Int { 2 }
    private static var taken: Int { 3 }

    init(count: Int) {
        self.count = count
        values = .allocate(capacity: count)
        values.initialize(repeating: nil, count: count)
        states = .allocate(capacity: count)
        for k in 0..<count { (states + k).initialize(to: Atomic(PartSlots.empty)) }
    }

    deinit {
        values.deinitialize(count: count); values.deallocate()
        states.deinitialize(count: count); states.deallocate()
    }

    /// Puts the value made for part k (once).
    func put(_ value: consuming sending Value, at k: Int) {
        precondition(states[k].compareExchange(expected: PartSlots.empty, desired: PartSlots.writing, ordering: .acquiring).exchanged,
                     "part \(k) handed back twice")
        values[k] = consume value
        states[k].store(PartSlots.full, ordering: .releasing)
    }

    /// Takes the value of part k out; nil when none was put (or it was taken already).
    func take(at k: Int) -> sending Value? {
        guard states[k].compareExchange(expected: PartSlots.full, desired: PartSlots.taken, ordering: .acquiring).exchanged else { return nil }
        return values[k].take()
    }
}

/// Bytes parsed so far by the threads of the later parts, for the progress the loading thread
/// reports.
final class ByteCount: Sendable {
    private let count = Atomic<Int>(0)
    func add(_ n: Int) { count.wrappingAdd(n, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// A file's bytes as the parsing threads share them: read only (the `FileBytes` that owns them
/// outlives the parse and never writes them), and their mapped pages given back by range
/// (madvise, safe from any thread).
struct SharedBytes: @unchecked Sendable {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let mapped: Bool

    init(_ bytes: UnsafeBufferPointer<UInt8>, mapped: Bool) { self.bytes = bytes; self.mapped = mapped }

    /// The bytes from `offset` to the end.
    func suffix(from offset: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[offset...]) }

    /// Lets the kernel drop the whole pages between the two offsets (a mapped file's only: they
    /// are read again from the file if touched later). Returns the offset released up to: where
    /// the next release of the same range goes on from.
    func releasePages(from start: Int, upTo end: Int) -> Int {
        guard mapped, let b = bytes.baseAddress else { return start }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let lo = (start + page - 1) / page * page, hi = end / page * page
        guard hi > lo else { return start }
        madvise(UnsafeMutableRawPointer(mutating: b + lo), hi - lo, Int32(MADV_DONTNEED))
        return hi
    }
}
