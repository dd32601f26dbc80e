// Column storage: one array per field, small integer codes for repeated values.

import Foundation
import Synchronization

/// Cells kept as their bytes, not yet interned: the fields that hold nearly one distinct value per
/// row (case ids, proposers, cosigners). Interning them at load costs a hash-table miss per cell;
/// kept like this they cost a copy, and are interned the first time a question needs them.
final class PendingCells {
    var bytes = RawBuffer<UInt8>(capacity: 1 << 16)
    /// ends[i] is where item i's bytes end (items are cells of a text column, entries of a list).
    var ends = RawBuffer<UInt32>(capacity: 1 << 10)
    /// What owns borrowed memory (a snapshot's mapping), kept alive as long as these cells.
    private var keepAlive: AnyObject?
    deinit { bytes.free(); ends.free() }

    init() {}

    /// Called once before the borrowed cells are first read (`ensureChecked`); nil once done.
    private var check: (() -> Bool)?
    private let checked = Atomic<Bool>(true)
    private let checkLock = NSLock()

    /// Cells in a snapshot's mapping, used in place (`owner` keeps it alive). `check` is called
    /// once, before they are first read: false means they are damaged, and they are then
    /// `count` empty cells (the snapshot has noted its fault).
    init(bytes b: UnsafeMutablePointer<UInt8>, byteCount: Int, ends e: UnsafeMutablePointer<UInt32>, count: Int, owner: AnyObject,
         check: (() -> Bool)? = nil) {
        bytes.free(); ends.free()
        bytes = RawBuffer(borrowing: b, count: byteCount)
        ends = RawBuffer(borrowing: e, count: count)
        keepAlive = owner
        self.check = check
        checked.store(check == nil, ordering: .releasing)
    }

    /// Checks borrowed cells before they are first read (materializing calls it).
    func ensureChecked() {
        guard !checked.load(ordering: .acquiring) else { return }
        checkLock.lock(); defer { checkLock.unlock() }
        guard !checked.load(ordering: .acquiring), let check else { return }
        if !check() {
            let n = count
            bytes.free(); ends.free()
            bytes = RawBuffer(capacity: 16)
            ends = RawBuffer(capacity: n)
            for _ in 0..<n { ends.append(0) }
        }
        self.check = nil
        checked.store(true, ordering: .releasing)
    }

    var count: Int { ends.count }

    @inline(__always)
    func append(_ p: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: p)
        ends.append(UInt32(truncatingIfNeeded: bytes.count))
    }

    @inline(__always)
    func item(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        // Never before its start, even in a snapshot's mapping read while its file was
        // truncated (zeros from then on: see SnapshotMapping).
        let start = i == 0 ? 0 : Int(ends[i - 1]), end = max(start, Int(ends[i]))
        return UnsafeBufferPointer(start: bytes.base + start, count: end - start)
    }

    /// Keeps the first n items.
    func truncate(to n: Int) {
        guard n < ends.count else { return }
        let keepBytes = n == 0 ? 0 : Int(ends[n - 1])
        bytes.removeLast(bytes.count - keepBytes)
        ends.removeLast(ends.count - n)
    }

    /// Appends another's items after these.
    func append(contentsOf other: PendingCells) {
        let shift = UInt32(truncatingIfNeeded: bytes.count)
        bytes.append(contentsOf: UnsafeBufferPointer(start: other.bytes.base, count: other.bytes.count))
        let base = ends.count
        ends.append(contentsOf: UnsafeBufferPointer(start: other.ends.base, count: other.ends.count))
        for i in base..<ends.count { ends[i] &+= shift }
    }

    /// Interns every item into `pool`, in order, calling `body` with each one's code; the pages
    /// of these cells' bytes are given back behind the item being read, so the pool grows as
    /// they shrink. The cells are spent: drop them after.
    func internAll(into pool: StringPool, _ body: (UInt32) -> Void) {
        var released = 0, next = 1 << 20
        for i in 0..<count {
            body(pool.intern(item(i)))
            if Int(ends[i]) >= next {
                released = bytes.discardPages(from: released, upTo: Int(ends[i]))
                next = Int(ends[i]) + (1 << 20)
            }
        }
    }

    /// The items whose index `keep` says, in order.
    func filtered(_ keep: (Int) -> Bool) -> PendingCells {
        let out = PendingCells()
        for i in 0..<count where keep(i) { out.append(item(i)) }
        return out
    }

    /// Whether the bytes would overflow 32-bit ends after `more` bytes.
    func fits(_ more: Int) -> Bool { bytes.count + more < Int(UInt32.max) }

    var footprint: Int { bytes.footprint + ends.footprint }
}

/// Interned text: one pool code per row (0 = empty). A deferred column holds its cells in
/// `pending` until first asked for through its table (see `Table.text`), then interns them all.
public final class TextColumn: @unchecked Sendable {
    public var codes: [UInt32] = []
    public let pool: StringPool
    var pending: PendingCells? {
        didSet { isPending.store(pending != nil, ordering: .releasing) }
    }
    let isPending = Atomic<Bool>(false)
    public init(pool: StringPool) { self.pool = pool }
    public subscript(row: Int) -> String { pool[codes[row]] }
    var count: Int { pending?.count ?? codes.count }

    /// Interns the pending cells into `codes`, the cells kept pending until the caller clears
    /// them (it holds the pools' lock: `Pools.materialize`).
    func intern() {
        guard let p = pending else { return }
        p.ensureChecked()
        var out = [UInt32]()
        out.reserveCapacity(p.count)
        pool.reserve(more: p.count, byteCount: p.bytes.count)
        for i in 0..<p.count { out.append(pool.intern(p.item(i))) }
        codes = out
    }
}

/// A list of interned texts per row: values[starts[row]..<starts[row+1]]. A deferred column holds
/// its entries in `pending` (starts are kept as usual) until first asked for.
public final class ListColumn: @unchecked Sendable {
    public var starts: [UInt32] = [0]
    public var values: [UInt32] = []
    public let pool: StringPool
    var pending: PendingCells? {
        didSet { isPending.store(pending != nil, ordering: .releasing) }
    }
    let isPending = Atomic<Bool>(false)
    public init(pool: StringPool) { self.pool = pool }
    @inline(__always) public func range(_ row: Int) -> Range<Int> { Int(starts[row])..<Int(starts[row + 1]) }
    public subscript(row: Int) -> [String] { range(row).map { pool[values[$0]] } }
    public func append(_ codes: some Sequence<UInt32>) {
        values.append(contentsOf: codes)
        starts.append(UInt32(values.count))
    }
    /// Entries held, interned or pending.
    var entryCount: Int { pending?.count ?? values.count }

    /// As `TextColumn.intern`.
    func intern() {
        guard let p = pending else { return }
        p.ensureChecked()
        var out = [UInt32]()
        out.reserveCapacity(p.count)
        for i in 0..<p.count { out.append(pool.intern(p.item(i))) }
        values = out
    }
}

/// An enumerated value per row (EnumInfo.none = empty).
public final class CodeColumn: @unchecked Sendable {
    public var codes: [UInt8] = []
    public let info: EnumInfo
    public init(info: EnumInfo) { self.info = info }
}

public final class BoolColumn: @unchecked Sendable {
    public var values: [Bool] = []
    public init() {}
}

/// Days since 1970-01-01; Day.none = empty.
public final class DayColumn: @unchecked Sendable {
    public var values: [Int32] = []
    public init() {}
}

/// A whole number per row (`Day.none`, Int32.min, = empty: a year a list does not give, as
/// derived day counts are empty when a date is missing).
public final class IntColumn: @unchecked Sendable {
    public var values: [Int32] = []
    public init() {}
}

/// A real number per row (NaN = empty): a rate, a share, an average or a median of a grouped
/// result, which `having` compares. No file column is of this type.
public final class RealColumn: @unchecked Sendable {
    public var values: [Double] = []
    public init(_ values: [Double] = []) { self.values = values }
}

public enum ColumnRef: @unchecked Sendable {
    case text(TextColumn)
    case list(ListColumn)
    case code(CodeColumn)
    case bool(BoolColumn)
    case day(DayColumn)
    case int(IntColumn)
    case real(RealColumn)

    /// The cell as text for display and export: tokens for enums, ISO dates, lists joined with ;.
    public func display(_ row: Int, labels: Bool = false) -> String {
        switch self {
        case .text(let c): return c[row]
        case .list(let c): return c[row].joined(separator: ";")
        case .code(let c): return labels ? c.info.label(c.codes[row]) : c.info.token(c.codes[row])
        case .bool(let c): return c.values[row] ? "true" : "false"
        case .day(let c): let v = c.values[row]; return v == Day.none ? "" : Day(raw: v).description
        case .int(let c): let v = c.values[row]; return v == Day.none ? "" : String(v)
        case .real(let c): return c.values[row].isNaN ? "" : String(c.values[row])
        }
    }

    public func isEmpty(_ row: Int) -> Bool {
        switch self {
        case .text(let c): return c.codes[row] == 0
        case .list(let c): return c.starts[row] == c.starts[row + 1]
        case .code(let c): return c.codes[row] == EnumInfo.none
        case .bool: return false
        case .day(let c): return c.values[row] == Day.none
        case .int(let c): return c.values[row] == Day.none
        case .real(let c): return c.values[row].isNaN
        }
    }

    public var count: Int {
        switch self {
        case .text(let c): return c.count
        case .list(let c): return c.starts.count - 1
        case .code(let c): return c.codes.count
        case .bool(let c): return c.values.count
        case .day(let c): return c.values.count
        case .int(let c): return c.values.count
        case .real(let c): return c.values.count
        }
    }

    /// Bytes held by the column's own arrays (pools are counted once, by the store).
    public var footprint: Int {
        switch self {
        case .text(let c): return c.codes.capacity * 4 + (c.pending?.footprint ?? 0)
        case .list(let c): return c.starts.capacity * 4 + c.values.capacity * 4 + (c.pending?.footprint ?? 0)
        case .code(let c): return c.codes.capacity
        case .bool(let c): return c.values.capacity
        case .day(let c): return c.values.capacity * 4
        case .int(let c): return c.values.capacity * 4
        case .real(let c): return c.values.capacity * 8
        }
    }
}
