import Foundation

/// Parses one cell's bytes into its column. Keeps small caches (enum and bool spellings seen so
/// far) so that a million rows cost a hash lookup per cell, not a String. Cells gather in buffers
/// of the parser's own (no reference counting or uniqueness checks per cell) and move into the
/// column at `flush`.
///
/// The readers of each kind of cell are in TextCells.swift (text and lists of texts) and
/// ValueCells.swift (enumerations, yes/no, dates, whole numbers); moving the parsed cells into
/// the column is in ColumnMerge.swift. The state below is theirs: nothing else writes it.
final class CellParser {
    enum Kind { case text, list, code, bool, day, int }
    /// How the words of a cell (or of a list's items) are read: as written, as a person's name
    /// (`顾建英代表` → 顾建英), as units (a trailing 等 and a shared level prefix left off).
    enum Reading { case plain, people, units }
    let spec: FieldSpec
    let kind: Kind
    let reading: Reading
    let column: ColumnRef
    unowned(unsafe) let pool: StringPool?
    let poolRef: Unmanaged<StringPool>?
    let info: EnumInfo?
    /// Spellings met so far → value (enum code, or 0/1 for bools); 254 = not valid.
    let seen = StringPool(capacity: 32)
    var seenValue = RawBuffer<UInt8>(capacity: 32)
    /// Set when a newly interned text was not valid UTF-8.
    var sawInvalidUTF8 = false
    /// The column's cells kept as bytes, to be interned later (deferred fields, and unique keys in
    /// a half parsed apart).
    unowned(unsafe) let pending: PendingCells?
    let pendingRef: Unmanaged<PendingCells>?
    /// The cells this parser keeps as bytes, if it does.
    var pendingCells: PendingCells? { pending }
    /// Rows parsed and not yet flushed: text codes, list ends (absolute entry counts), dates and
    /// numbers, enum codes and bools.
    var words = RawBuffer<UInt32>(capacity: 16)
    var numbers = RawBuffer<Int32>(capacity: 16)
    var bytes = RawBuffer<UInt8>(capacity: 16)
    /// List entries not yet flushed, and how many the column held before them.
    var entries = RawBuffer<UInt32>(capacity: 16)
    var baseEntries = 0
    /// Dates met lately, by their ten bytes (a direct-mapped cache; key 0 never matches a date).
    static let dayCacheSize = 512   // 2^9: the hash's top 9 bits
    /// (Allocated for date fields only: a file of thousands of text columns needs none.)
    let dayKeys: UnsafeMutablePointer<UInt64>
    let dayTails: UnsafeMutablePointer<UInt16>
    let dayValues: UnsafeMutablePointer<Int32>

    /// The last text cell interned (when short): its bytes, length and code.
    static let lastCapacity = 64
    let lastBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: CellParser.lastCapacity)
    var lastCount = -1
    var lastCode: UInt32 = 0

    /// An item with its level prefix put back.
    var withPrefix: [UInt8] = []

    /// The last few spellings of enum and yes/no values met (up to 16 bytes, as their length and
    /// two words), tried before the hash table: most fields have fewer values than it holds.
    static let recentSize = 8
    let recentLength = UnsafeMutablePointer<Int>.allocate(capacity: CellParser.recentSize)
    let recentWords = UnsafeMutablePointer<(UInt64, UInt64)>.allocate(capacity: CellParser.recentSize)
    let recentValue = UnsafeMutablePointer<UInt8>.allocate(capacity: CellParser.recentSize)
    var recentCount = 0

    init(spec: FieldSpec, column: ColumnRef, expectedRows: Int = 0) {
        self.spec = spec
        self.column = column
        switch (spec.key, spec.extra) {
        case (.proposer, false), (.cosigners, false): reading = .people
        case (.coUnits, false): reading = .units
        default: reading = .plain
        }
        var pool: StringPool?, pending: PendingCells?, info: EnumInfo?
        switch column {
        case .text(let x):
            kind = .text; pool = x.pool; pending = x.pending
            if let p = x.pending { p.ends.reserve(extra: expectedRows) } else { words.reserve(extra: expectedRows) }
        case .list(let x):
            kind = .list; pool = x.pool; pending = x.pending
            words.reserve(extra: expectedRows)
            baseEntries = x.entryCount
        case .code(let x): kind = .code; info = x.info; bytes.reserve(extra: expectedRows)
        case .bool: kind = .bool; bytes.reserve(extra: expectedRows)
        case .day: kind = .day; numbers.reserve(extra: expectedRows)
        case .int: kind = .int; numbers.reserve(extra: expectedRows)
        case .real: preconditionFailure("\(spec.name): a real column is a result's, never loaded from a file")
        }
        self.pool = pool; self.pending = pending; self.info = info
        poolRef = pool.map { Unmanaged.passUnretained($0) }
        pendingRef = pending.map { Unmanaged.passUnretained($0) }
        let days = kind == .day ? CellParser.dayCacheSize : 1
        dayKeys = .allocate(capacity: days); dayTails = .allocate(capacity: days); dayValues = .allocate(capacity: days)
        dayKeys.initialize(repeating: 0, count: days)
        dayTails.initialize(repeating: 0, count: days)
        dayValues.initialize(repeating: 0, count: days)
    }

    deinit {
        words.free(); numbers.free(); bytes.free(); entries.free(); seenValue.free()
        dayKeys.deallocate(); dayTails.deallocate(); dayValues.deallocate()
        recentLength.deallocate(); recentWords.deallocate(); recentValue.deallocate(); lastBytes.deallocate()
    }

    @inline(__always)
    static func trim(_ p: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        // Most cells have nothing to trim: neither end is a space, a tab, an ideographic space or
        // an apostrophe.
        @inline(__always) func plain(_ b: UInt8) -> Bool { b != 0x20 && b != 0x09 && b != 0xE3 && b != 0x80 && b != 0x27 }
        if p.count == 0 || (plain(p[0]) && plain(p[p.count - 1])) { return p }
        return trimSlow(p)
    }

    static func trimSlow(_ p: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lo = 0, hi = p.count
        while lo < hi, p[lo] == 0x20 || p[lo] == 0x09 { lo += 1 }
        while hi > lo, p[hi - 1] == 0x20 || p[hi - 1] == 0x09 { hi -= 1 }
        // Ideographic space U+3000 (E3 80 80) at either end.
        while hi - lo >= 3, p[lo] == 0xE3, p[lo + 1] == 0x80, p[lo + 2] == 0x80 { lo += 3 }
        while hi - lo >= 3, p[hi - 3] == 0xE3, p[hi - 2] == 0x80, p[hi - 1] == 0x80 { hi -= 3 }
        // The formula guard a CSV writer put before `=x` (`'=x`): one apostrophe off.
        if hi - lo >= 2, p[lo] == 0x27, CSVWriter.isFormulaLike(UnsafeBufferPointer(rebasing: p[lo..<hi])) { lo += 1 }
        return UnsafeBufferPointer(rebasing: p[lo..<hi])
    }

    /// Appends the cell; returns an error message when the value is bad (nothing is appended then
    /// for this cell: the caller appends an empty one and drops the row).
    func append(_ raw: UnsafeBufferPointer<UInt8>) -> Message? {
        let p = CellParser.trim(raw)
        if p.count == 0 && spec.required { return Message(en: "empty, but every row needs a value", zh: "为空，但每一行都要有值") }
        switch kind {
        case .text: return appendText(p)
        case .list: return appendList(p)
        case .code: return appendCode(p)
        case .bool: return appendBool(p)
        case .day: return appendDay(p)
        case .int: return appendInt(p)
        }
    }

    /// Appends the cells of one field for a block of rows (field k of row i at fields[i * stride]),
    /// with one dispatch on the kind for all of them. Returns how many were appended: fewer than
    /// `count` when a cell was bad (it and the ones after it are not appended).
    func appendColumn(_ fields: UnsafePointer<CSVReader.Field>, stride: Int, count: Int,
                      file: UnsafePointer<UInt8>, scratch: UnsafePointer<UInt8>?) -> Int {
        /// Cell i trimmed, or nil when it is empty and must not be (`append` says so row by row).
        @inline(__always) func cell(_ i: Int) -> UnsafeBufferPointer<UInt8>? {
            let f = fields[i * stride]
            let p = CellParser.trim(UnsafeBufferPointer(start: (f.inScratch ? scratch! : file) + f.valueStart, count: f.valueEnd - f.valueStart))
            return p.count == 0 && spec.required ? nil : p
        }
        switch kind {
        case .text: for i in 0..<count { guard let p = cell(i), appendText(p) == nil else { return i } }
        case .list: for i in 0..<count { guard let p = cell(i), appendList(p) == nil else { return i } }
        case .code: for i in 0..<count { guard let p = cell(i), appendCode(p) == nil else { return i } }
        case .bool: for i in 0..<count { guard let p = cell(i), appendBool(p) == nil else { return i } }
        case .day: for i in 0..<count { guard let p = cell(i), appendDay(p) == nil else { return i } }
        case .int: for i in 0..<count { guard let p = cell(i), appendInt(p) == nil else { return i } }
        }
        return count
    }

    /// The code an absent enum column is filled with (a list's kind from the manifest or
    /// `--kind`); EnumInfo.none leaves it empty.
    var fill: UInt8 = EnumInfo.none
    /// For the kind of a list without a kind column: a section heading that names a kind gives it
    /// to the rows under it, over `fill` (none, or the kind a sheet's or file's name names).
    var headingsSetFill = false

    /// Appends the empty value (for a column the file does not have, or a bad cell).
    func appendEmpty() {
        switch kind {
        case .text:
            if let pending { pending.ends.append(UInt32(truncatingIfNeeded: pending.bytes.count)) } else { words.append(0) }
        case .list: words.append(UInt32(pending?.count ?? baseEntries + entries.count))
        case .code: bytes.append(fill)
        case .bool: bytes.append(0)
        case .day: numbers.append(Day.none)
        case .int: numbers.append(Day.none)
        }
    }

    /// Drops the last row appended (not yet flushed).
    func dropLast() {
        switch kind {
        case .text:
            if let pending { pending.truncate(to: pending.count - 1) } else { words.removeLast(1) }
        case .list:
            words.removeLast(1)
            let end = words.count > 0 ? Int(words[words.count - 1]) : baseEntries
            if let pending { pending.truncate(to: end) } else { entries.removeLast(entries.count - (end - baseEntries)) }
        case .code, .bool: bytes.removeLast(1)
        case .day, .int: numbers.removeLast(1)
        }
    }

    func dropLast(_ n: Int) { for _ in 0..<n { dropLast() } }
}
