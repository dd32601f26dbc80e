import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Parses one cell's bytes into its column. Keeps small caches (enum and bool spellings seen so
/// far) so that a million rows cost a hash lookup per cell, not a String. Cells gather in buffers
/// of the parser's own (no reference counting or uniqueness checks per cell) and move into the
/// column at `flush`.
final class CellParser {
    enum Kind { case text, list, code, bool, day, int }
    /// How the words of a cell (or of a list's items) are read: as written, as a person's name
    /// (`顾建英代表` → 顾建英), as units (a trailing 等 and a shared level prefix left off).
    enum Reading { case plain, people, units }
    let spec: FieldSpec
    let kind: Kind
    let reading: Reading
    let column: ColumnRef
    private unowned(unsafe) let pool: StringPool?
    private let poolRef: Unmanaged<StringPool>?
    private let info: EnumInfo?
    /// Spellings met so far → value (enum code, or 0/1 for bools); 254 = not valid.
    private let seen = StringPool(capacity: 32)
    private var seenValue = RawBuffer<UInt8>(capacity: 32)
    /// Set when a newly interned text was not valid UTF-8.
    var sawInvalidUTF8 = false
    /// The column's cells kept as bytes, to be interned later (deferred fields, and unique keys in
    /// a half parsed apart).
    private unowned(unsafe) let pending: PendingCells?
    private let pendingRef: Unmanaged<PendingCells>?
    /// The cells this parser keeps as bytes, if it does.
    var pendingCells: PendingCells? { pending }
    /// Rows parsed and not yet flushed: text codes, list ends (absolute entry counts), dates and
    /// numbers, enum codes and bools.
    fileprivate var words = RawBuffer<UInt32>(capacity: 16)
    fileprivate var numbers = RawBuffer<Int32>(capacity: 16)
    fileprivate var bytes = RawBuffer<UInt8>(capacity: 16)
    /// List entries not yet flushed, and how many the column held before them.
    fileprivate var entries = RawBuffer<UInt32>(capacity: 16)
    private var baseEntries = 0
    /// Dates met lately, by their ten bytes (a direct-mapped cache; key 0 never matches a date).
    static let dayCacheSize = 512   // 2^9: the hash's top 9 bits
    /// (Allocated for date fields only: a file of thousands of text columns needs none.)
    private let dayKeys: UnsafeMutablePointer<UInt64>
    private let dayTails: UnsafeMutablePointer<UInt16>
    private let dayValues: UnsafeMutablePointer<Int32>

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
    func append(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
        let p = CellParser.trim(raw)
        if p.count == 0 && spec.required { return "empty, but every row needs a value" }
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

    @inline(__always)
    private func appendText(_ cell: UnsafeBufferPointer<UInt8>) -> String? {
        let p = reading == .people ? CellWords.person(cell) : cell
        if let pending = pendingRef {
            if !Transcode.isValidUTF8(p) { sawInvalidUTF8 = true }
            return pending._withUnsafeGuaranteedRef { pending -> String? in
                guard pending.fits(p.count) else { return "the column's text passes 4 GB" }
                pending.append(p)
                return nil
            }
        }
        // The same text as the cell above (events of one case, rows sorted by a field): its code
        // again, without a hash-table probe.
        if p.count == lastCount, p.count > 0, memcmp(p.baseAddress!, lastBytes, p.count) == 0 {
            words.append(lastCode)
            return nil
        }
        var isNew = false
        let code = poolRef!._withUnsafeGuaranteedRef { $0.intern(p, isNew: &isNew) }
        if isNew && !Transcode.isValidUTF8(p) { sawInvalidUTF8 = true }
        words.append(code)
        if p.count <= CellParser.lastCapacity, let b = p.baseAddress {
            lastBytes.update(from: b, count: p.count); lastCount = p.count; lastCode = code
        } else {
            lastCount = -1
        }
        return nil
    }
    /// The last text cell interned (when short): its bytes, length and code.
    static let lastCapacity = 64
    private let lastBytes = UnsafeMutablePointer<UInt8>.allocate(capacity: CellParser.lastCapacity)
    private var lastCount = -1
    private var lastCode: UInt32 = 0

    @inline(__always)
    private func appendList(_ p: UnsafeBufferPointer<UInt8>) -> String? {
        let pool = poolRef!, pending = pendingRef
        var start = 0
        var i = 0
        let n = p.count
        var prefix = 0, first = true, afterDun = false
        while i <= n {
            // Items end at ; , or 、 (E3 80 81) ； (EF BC 9B) ， (EF BC 8C), or at the end of the cell.
            var sep = 0
            if i == n { sep = 1 } else if p[i] == 0x3B || p[i] == 0x2C { sep = 1 } else if p[i] >= 0xE3, i + 2 < n,
                (p[i] == 0xE3 && p[i + 1] == 0x80 && p[i + 2] == 0x81) || (p[i] == 0xEF && p[i + 1] == 0xBC && (p[i + 2] == 0x9B || p[i + 2] == 0x8C)) {
                sep = 3
            }
            if sep == 0 { i += 1; continue }
            var item = CellParser.trim(UnsafeBufferPointer(rebasing: p[start..<i]))
            switch reading {
            case .plain: break
            case .people: item = CellWords.person(item)
            case .units:
                item = CellWords.unit(item)
                if first {
                    prefix = sep == 1 && i == n ? 0 : CellWords.levelPrefix(item)
                    if prefix > 0 { withPrefix = Array(item.prefix(prefix)) }
                } else if prefix > 0, afterDun, CellWords.lacksLevel(item) {
                    // `省发展改革委、财政厅`: 财政厅 is 省财政厅 (after 、 only: `;` joins whole names).
                    withPrefix.removeLast(withPrefix.count - prefix)
                    withPrefix.append(contentsOf: item)
                    let done = withPrefix.withUnsafeBufferPointer { b -> String? in appendItem(b, pool, pending) }
                    if let done { return done }
                    afterDun = sep == 3 && p[i] == 0xE3
                    i += sep; start = i; first = false
                    continue
                }
            }
            first = false
            if let message = appendItem(item, pool, pending) { return message }
            afterDun = sep == 3 && p[i] == 0xE3
            i += sep
            start = i
        }
        words.append(UInt32(pending.map { $0._withUnsafeGuaranteedRef { $0.count } } ?? baseEntries + entries.count))
        return nil
    }
    /// An item with its level prefix put back.
    private var withPrefix: [UInt8] = []

    @inline(__always)
    private func appendItem(_ item: UnsafeBufferPointer<UInt8>, _ pool: Unmanaged<StringPool>, _ pending: Unmanaged<PendingCells>?) -> String? {
        do {
            if item.count > 0, let pending {
                if !Transcode.isValidUTF8(item) { sawInvalidUTF8 = true }
                let fits = pending._withUnsafeGuaranteedRef { pending -> Bool in
                    guard pending.fits(item.count) else { return false }
                    pending.append(item)
                    return true
                }
                if !fits { return "the column's text passes 4 GB" }
            } else if item.count > 0 {
                var isNew = false
                entries.append(pool._withUnsafeGuaranteedRef { $0.intern(item, isNew: &isNew) })
                if isNew && !Transcode.isValidUTF8(item) { sawInvalidUTF8 = true }
            }
        }
        return nil
    }

    @inline(__always)
    private func appendCode(_ p: UnsafeBufferPointer<UInt8>) -> String? {
        if p.count == 0 { bytes.append(EnumInfo.none); return nil }
        let v = lookup(p)
        if v == 254 {
            let s = String(decoding: p, as: UTF8.self)
            let expected = info!.values.map { $0.label == $0.token ? $0.label : "\($0.label) (\($0.token))" }.joined(separator: ", ")
            let near = info!.nearest(to: s).map { "; did you mean \($0)?" } ?? ""
            return "\"\(s)\" is not a \(spec.name) (expected one of \(expected))\(near)"
        }
        bytes.append(v)
        return nil
    }

    @inline(__always)
    private func appendBool(_ p: UnsafeBufferPointer<UInt8>) -> String? {
        if p.count == 0 { bytes.append(0); return nil }
        let v = lookup(p)
        if v == 254 {
            return "\"\(String(decoding: p, as: UTF8.self))\" is not a yes/no value (expected \(YesNo.expected))"
        }
        bytes.append(v)
        return nil
    }

    @inline(__always)
    private func appendDay(_ p: UnsafeBufferPointer<UInt8>) -> String? {
        if p.count == 0 { numbers.append(Day.none); return nil }
        // yyyy-mm-dd, the usual spelling, from a small cache keyed by its ten bytes.
        var key: UInt64 = 0, tail: UInt16 = 0, slot = 0
        if p.count == 10 {
            let raw = UnsafeRawPointer(p.baseAddress!)
            key = raw.loadUnaligned(as: UInt64.self)
            tail = raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
            // Multiplicative hashing: the top bits depend on every byte (the low ones do not).
            let h = (key ^ UInt64(tail) << 48 ^ key >> 29) &* 0x9E37_79B9_7F4A_7C15
            slot = Int(h >> 55)
            if dayKeys[slot] == key && dayTails[slot] == tail { numbers.append(dayValues[slot]); return nil }
        }
        guard let d = Day.parse(p) ?? CellParser.serialDay(p) else { return CellParser.dateError(p) }
        if p.count == 10 { dayKeys[slot] = key; dayTails[slot] = tail; dayValues[slot] = d.raw }
        numbers.append(d.raw)
        return nil
    }

    @inline(__always)
    private func appendInt(_ p: UnsafeBufferPointer<UInt8>) -> String? {
        if p.count == 0 { numbers.append(Day.none); return nil }
        var v: Int64 = 0
        var ok = p.count <= 9
        var i = 0
        let negative = p[0] == 0x2D
        if negative { i = 1; ok = ok && p.count > 1 }
        while ok && i < p.count {
            let b = p[i]
            if b < 48 || b > 57 { ok = false; break }
            v = v * 10 + Int64(b - 48); i += 1
        }
        guard ok else { return "\"\(String(decoding: p, as: UTF8.self))\" is not a whole number" }
        numbers.append(Int32(negative ? -v : v))
        return nil
    }

    /// The code an absent enum column is filled with (a list's kind from the manifest or
    /// `--kind`); EnumInfo.none leaves it empty.
    var fill: UInt8 = EnumInfo.none

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

    /// Moves the rows parsed so far into the column.
    /// Moves the rows parsed so far into the column, followed by those of `other` (the same field
    /// parsed from the second half of the file into a table of its own): its texts are re-interned
    /// into this column's pool, its pending cells appended to this column's. Each value is copied
    /// once, and each buffer given back as soon as it is copied.
    ///
    /// `roomForMore`: the rows of that many more parts are still to come (about as many each as
    /// these): room is made for them now, so appending them later copies nothing again.
    func flush(appending other: CellParser? = nil, roomForMore: Int = 0) {
        func move<T>(_ b: inout RawBuffer<T>, _ o: UnsafeMutablePointer<RawBuffer<T>>?, into a: inout [T]) {
            let more = roomForMore > 0 ? b.count * roomForMore + b.count / 16 : 0
            a.reserveCapacity(a.count + b.count + (o?.pointee.count ?? 0) + more)
            a.append(contentsOf: UnsafeBufferPointer(start: b.base, count: b.count))
            b.free(); b = RawBuffer(capacity: 16)
            if let o {
                a.append(contentsOf: UnsafeBufferPointer(start: o.pointee.base, count: o.pointee.count))
                o.pointee.free(); o.pointee = RawBuffer(capacity: 16)
            }
        }
        /// The same for codes, the other's then changed in place: through `table` (its pool's codes
        /// → this pool's) or by `shift`.
        func moveCodes(_ b: inout RawBuffer<UInt32>, _ o: UnsafeMutablePointer<RawBuffer<UInt32>>?, into a: inout [UInt32],
                       table: [UInt32]? = nil, shift: UInt32 = 0) {
            let base = a.count + b.count
            move(&b, o, into: &a)
            guard o != nil, table != nil || shift != 0 else { return }
            a.withUnsafeMutableBufferPointer { p in
                if let table {
                    table.withUnsafeBufferPointer { t in for i in base..<p.count { p[i] = t[Int(p[i])] } }
                } else {
                    for i in base..<p.count { p[i] &+= shift }
                }
            }
        }
        /// Codes of the other parser's pool → codes of this one.
        func remap(_ from: StringPool?, _ to: StringPool) -> [UInt32]? {
            guard let from else { return nil }
            return (0..<UInt32(from.count)).map { code in from.withBytes(code) { to.intern($0) } }
        }
        func with<T>(_ o: CellParser?, _ path: WritableKeyPath<CellParser, RawBuffer<T>>, _ body: (UnsafeMutablePointer<RawBuffer<T>>?) -> Void) {
            guard var o else { body(nil); return }
            var buffer = o[keyPath: path]
            body(&buffer)
            o[keyPath: path] = buffer
        }
        switch column {
        case .text(let c):
            if let pending {
                if let p = other?.pending {
                    pending.append(contentsOf: p)
                    if case .text(let x) = other!.column { x.pending = nil }   // gives its bytes back
                }
            } else {
                let t = remap(other?.pool, c.pool)
                with(other, \.words) { moveCodes(&words, $0, into: &c.codes, table: t) }
            }
        case .list(let c):
            let shift = UInt32(pending?.count ?? baseEntries + entries.count)
            with(other, \.words) { moveCodes(&words, $0, into: &c.starts, shift: shift) }
            if let pending {
                if let p = other?.pending {
                    pending.append(contentsOf: p)
                    if case .list(let x) = other!.column { x.pending = nil }
                }
            } else {
                let t = remap(other?.pool, c.pool)
                with(other, \.entries) { moveCodes(&entries, $0, into: &c.values, table: t) }
            }
            baseEntries = c.entryCount
        case .code(let c): with(other, \.bytes) { move(&bytes, $0, into: &c.codes) }
        case .bool(let c):
            // The bytes are 0 or 1: Bool's own representation.
            var values: [UInt8] = []
            with(other, \.bytes) { move(&bytes, $0, into: &values) }
            c.values.reserveCapacity(c.values.count + values.count + (roomForMore > 0 ? values.count * roomForMore + values.count / 16 : 0))
            values.withUnsafeBytes { raw in c.values.append(contentsOf: raw.bindMemory(to: Bool.self)) }
        case .day(let c): with(other, \.numbers) { move(&numbers, $0, into: &c.values) }
        case .int(let c): with(other, \.numbers) { move(&numbers, $0, into: &c.values) }
        case .real: break   // no parser is made for one (init)
        }
    }

    /// The last few spellings of enum and yes/no values met (up to 16 bytes, as their length and
    /// two words), tried before the hash table: most fields have fewer values than it holds.
    static let recentSize = 8
    private let recentLength = UnsafeMutablePointer<Int>.allocate(capacity: CellParser.recentSize)
    private let recentWords = UnsafeMutablePointer<(UInt64, UInt64)>.allocate(capacity: CellParser.recentSize)
    private let recentValue = UnsafeMutablePointer<UInt8>.allocate(capacity: CellParser.recentSize)
    private var recentCount = 0

    /// Up to 16 bytes as two words (overlapping loads inside the cell: with the length they say
    /// every byte).
    @inline(__always)
    static func words(_ p: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64)? {
        let n = p.count
        guard n > 0, n <= 16 else { return nil }
        let raw = UnsafeRawPointer(p.baseAddress!)
        if n >= 8 { return (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) }
        if n >= 4 {
            return (UInt64(raw.loadUnaligned(as: UInt32.self)) | UInt64(raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)) << 32, 0)
        }
        var w: UInt64 = 0
        for i in 0..<n { w |= UInt64(p[i]) << UInt64(8 * i) }
        return (w, 0)
    }

    @inline(__always)
    private func lookup(_ p: UnsafeBufferPointer<UInt8>) -> UInt8 {
        let w = CellParser.words(p)
        if let w {
            for i in 0..<recentCount where recentLength[i] == p.count && recentWords[i] == w { return recentValue[i] }
        }
        var isNew = false
        let k = Int(seen.intern(p, isNew: &isNew))
        if isNew { resolve(p, k) }
        if let w, recentCount < CellParser.recentSize {
            recentLength[recentCount] = p.count; recentWords[recentCount] = w; recentValue[recentCount] = seenValue[k]
            recentCount += 1
        }
        return seenValue[k]
    }

    private func resolve(_ p: UnsafeBufferPointer<UInt8>, _ k: Int) {
        while seenValue.count <= k { seenValue.append(254) }
        let s = String(decoding: p, as: UTF8.self)
        if let info {
            seenValue[k] = info.loadedCode(of: s) ?? 254
        } else {
            seenValue[k] = YesNo.value(of: s).map { $0 ? 1 : 0 } ?? 254
        }
    }

    /// A spreadsheet's serial day written as a number (a date cell saved without its format):
    /// five digits, optionally with a fraction of a day, days since 1899-12-30 (1927–2173).
    static func serialDay(_ p: UnsafeBufferPointer<UInt8>) -> Day? {
        var whole = 0, i = 0
        while i < p.count, p[i] >= 48, p[i] <= 57 { whole = whole * 10 + Int(p[i] - 48); i += 1 }
        guard i == 5 else { return nil }
        if i < p.count {
            guard p[i] == 0x2E, i + 1 < p.count else { return nil }
            for k in (i + 1)..<p.count where p[k] < 48 || p[k] > 57 { return nil }
        }
        return Day(raw: Int32(whole - 25_569))
    }

    static func dateError(_ p: UnsafeBufferPointer<UInt8>) -> String {
        let s = String(decoding: p, as: UTF8.self)
        let parts = s.split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." }).compactMap { Int($0) }
        if parts.count == 3, (1...12).contains(parts[1]), parts[2] > 0 {
            let days = Day.daysIn(year: parts[0], month: parts[1])
            if parts[2] > days {
                return "\"\(s)\" is not a date (\(parts[0])-\(parts[1] < 10 ? "0" : "")\(parts[1]) has \(days) days)"
            }
        }
        return "\"\(s)\" is not a date (expected yyyy-mm-dd)"
    }
}

/// Loads one CSV file into one table.
struct TableLoader {
    /// Parts a large file is cut into (taken in turn by the cores). Two, one a core: six were
    /// measured slower at 1M cases (0.8 s against 0.6 s, 212 MiB against 155), because the parts
    /// after the first wait whole in their buffers until all are read, then are appended one after
    /// another. Appending each part as soon as those before it are in would lift that.
    static let parts = 2
    let path: String
    let name: String
    let table: Table
    let options: LoadOptions
    let extra: RowCheck?
    var issues: [LoadIssue] = []
    var issueTotal = 0
    var warnings: [String] = []
    var fileReport: LoadReport.FileReport
    var file: FileBytes
    /// The header's rows (bytes), copied to the top of a rejects file.
    var headerBytes = 0..<0
    /// The manifest's kind for a list of one kind (when the file has no kind column).
    var manifestKind: Kind?
    static let keptIssues = 200
    /// For a sheet of a workbook: its rows as CSV, which names the cell of each issue.
    var sheet: SheetCSV?
    /// The rejects file's name without `.rejects.csv` (default: the file's name without extension).
    var rejectsBase: String?

    /// Loads the rows of a workbook's sheet (made CSV by `XLSXWorkbook.csv(of:)`); issues name
    /// the file and the sheet's cell.
    init(sheet: SheetCSV, path: String, table: Table, options: LoadOptions, extra: RowCheck?, rejectsBase: String) throws {
        self.path = path
        self.name = (path as NSString).lastPathComponent
        self.table = table
        var o = options
        o.encoding = .utf8
        self.options = o
        self.extra = extra
        self.sheet = sheet
        self.rejectsBase = rejectsBase
        file = FileBytes(owning: sheet.bytes)
        fileReport = LoadReport.FileReport(file: path, encoding: .utf8, hadBOM: false, rows: 0, rejected: 0)
        guard !sheet.bytes.isEmpty else { throw LoadError("the sheet \(sheet.sheet) is empty (expected a header row and data rows)", file: path) }
    }

    /// The issue with its cell named, for a sheet.
    func named(_ issue: LoadIssue) -> LoadIssue {
        guard let sheet, issue.line > 0 else { return issue }
        var i = issue
        i.cell = sheet.cell(line: issue.line, column: issue.column)
        return i
    }

    init(path: String, table: Table, options: LoadOptions, extra: RowCheck?) throws {
        self.path = path
        self.name = (path as NSString).lastPathComponent
        self.table = table
        self.options = options
        self.extra = extra
        file = try FileBytes(path: path)
        var data = file.buffer
        guard !data.isEmpty else { throw LoadError("the file is empty (expected a header row and data rows)", file: path) }
        fileReport = LoadReport.FileReport(file: path, encoding: .utf8, hadBOM: false, rows: 0, rejected: 0)
        let kind = FileKind.sniff(data)
        if let refusal = kind.refusal { throw LoadError(refusal, file: path) }
        if kind == .html {
            // An HTML table (how some systems export "Excel" lists): its cells as CSV.
            guard let csv = HTMLTable.csv(data) else { throw LoadError("this is an HTML page with no table in it; expected CSV", file: path) }
            file = FileBytes(owning: csv)
            data = file.buffer
            warnings.append("\(name): an HTML table\((path as NSString).pathExtension.lowercased().hasPrefix("xls") ? " saved with an Excel name" : ""), read as one")
        }
        switch options.encoding {
        case .gb18030?:
            try transcodeFromGB18030()
        case .utf8?:
            if let e = TableLoader.invalidUTF8(data, file: name) { throw e }
        case nil:
            let windowValid = Transcode.isValidUTF8(UnsafeBufferPointer(rebasing: data.prefix(1 << 20)),
                                                    allowTruncatedEnd: data.count > 1 << 20)
            if !windowValid { try transcodeFromGB18030() }
        }
    }

    mutating func transcodeFromGB18030() throws {
        if options.encoding == nil, let e = TableLoader.mixedEncoding(file.buffer, file: name) { throw e }
        let converted = Transcode.gb18030ToUTF8(file.buffer)
        try file.checkUnchanged()
        guard let utf8 = converted else {
            throw LoadError("the file is neither valid UTF-8 nor valid GB18030; name its encoding with --encoding", file: path)
        }
        file = FileBytes(owning: utf8)
        fileReport.encoding = .gb18030
    }

    mutating func load() throws {
        guard sheet != nil else { return try loadChecked() }
        do { try loadChecked() } catch var e as LoadError {
            e.issues = e.issues.map(named)
            throw e
        }
        issues = issues.map(named)
    }

    private mutating func loadChecked() throws {
        do {
            try loadBody()
        } catch {
            try file.checkUnchanged()   // a file that changed explains any other error
            throw error
        }
        try file.checkUnchanged()
    }

    private mutating func loadBody() throws {
        let startCount = table.count
        let done = try loadRows(file.buffer)
        if !done {
            // Not UTF-8 after all (found past the first window): start again from GB18030.
            table.truncate(to: startCount)
            issues = []; issueTotal = 0; warnings = []
            try transcodeFromGB18030()
            _ = try loadRows(file.buffer)
        }
        if fileReport.encoding == .gb18030 {
            warnings.append("\(name): read as GB18030 (not valid UTF-8)")
        }
    }

    /// Returns false when invalid UTF-8 turned up and the file should be read as GB18030.
    mutating func loadRows(_ buf: UnsafeBufferPointer<UInt8>) throws -> Bool {
        var reader = CSVReader(buf)
        fileReport.hadBOM = reader.hasBOM
        // Header: maybe under title rows, maybe two rows deep.
        let layout: HeaderLayout
        do {
            guard let l = try HeaderLayout.find(buf, specs: table.specs) else {
                throw LoadError("the file is empty (expected a header row)", file: path)
            }
            layout = l
        } catch let f as CSVReader.Failure {
            let (l, c) = reader.location(of: f.offset)
            throw LoadError([LoadIssue(file: name, line: l, column: c, field: nil, message: f.message)])
        }
        headerBytes = layout.headerBytes
        reader = CSVReader(buf, startingAt: layout.bodyStart, line: layout.bodyLine)
        if layout.skippedAbove > 0 {
            warnings.append("\(name): the header is on line \(reader.line - (layout.twoRows ? 2 : 1)); "
                + "\(layout.skippedAbove) row\(layout.skippedAbove == 1 ? "" : "s") above it skipped"
                + (layout.titleAbove.map { " (\"\(Escape.visible($0))\")" } ?? ""))
        }
        if layout.twoRows { warnings.append("\(name): a header of two rows (groups over sub-headers) read as one") }
        let headerCount = layout.names.count
        // Reserve room for the rows, guessed from the first rows' length.
        var expectedRows = 0
        do {
            var probe = CSVReader(buf, startingAt: reader.position, line: reader.line)
            var n = 0
            let from = probe.position
            while n < 200, (try? probe.nextRow()) == true { n += 1 }
            if n > 0, probe.position > from {
                expectedRows = Int(Double(buf.count - from) / (Double(probe.position - from) / Double(n)) * 1.05) + 16
            }
        }
        // A large body is parsed in two halves (see below): each half reserves room for its own.
        if buf.count - reader.position >= options.parallelThreshold { expectedRows = expectedRows / 2 + expectedRows / 20 }
        var mapping: [CellParser?] = []
        var seenFields: [String: Int] = [:]
        var headerIssues: [LoadIssue] = []
        let headerLine = reader.line - (layout.twoRows ? 2 : 1)
        // Columns that name no field, kept as text fields under their header; the field each
        // most likely means is guessed only where a message shows it (a note says what a known
        // column holds instead). Every step here is one lookup a column (FieldSpellings), so a
        // header of thousands of columns reads at once.
        let spellings = FieldSpellings(table.specs)
        var unplaced: [(header: String, column: Int, note: String?)] = []
        var placed: [Int: FieldSpec] = [:]
        // Columns of derived fields (a caseql export read back): computed, so neither loaded nor kept.
        var derivedColumns = Set<Int>()
        var derivedNotes: [String] = [], againNotes: [String] = []
        // Columns kept as text under a header that is an alias of a field (queries find the
        // column first by its header).
        var ownName = Set<String>()
        for k in 0..<headerCount {
            let h = layout.names[k]
            var spec: FieldSpec?
            for c in layout.spellings[k] { if let f = spellings.field(c) { spec = f; break } }
            if let s = spec, s.derived {
                derivedNotes.append("\(name): column \"\(Escape.visible(h))\" is derived (\(s.name)); ignored, it is computed")
                derivedColumns.insert(k)
                continue
            }
            if let s = spec, let first = seenFields[s.name] {
                // A second column for one field: kept as its own text field, not lost.
                againNotes.append("\(name): column \"\(Escape.visible(h))\" names \(s.name) again (already column \(first + 1)); kept as a text field")
                spec = nil
            }
            // An enumerated field found by an alias only (办理情况 for status) is that field when
            // the column's values are its words; else the column is kept as text.
            if let s = spec, case .enumeration(let info) = s.type, !HeaderText.namesItself(layout.spellings[k], s) {
                let sample = HeaderText.sample(buf, from: layout.bodyStart, line: layout.bodyLine, column: k)
                if !HeaderText.valuesFit(sample, info) {
                    let shown = sample.sorted().prefix(2).map { "\"\(Escape.visible($0))\"" }.joined(separator: ", ")
                    unplaced.append((h, k, "its values, such as \(shown), are not \(s.name) words"))
                    ownName.insert(h)
                    continue
                }
            }
            if let s = spec {
                seenFields[s.name] = k
                placed[k] = s
            } else if !h.isEmpty {
                unplaced.append((h, k, HeaderText.knownColumns[HeaderText.squeezed(h)]))
            }
        }
        warnings += Notes.capped(derivedNotes, more: { "\(name): … and \($0) more derived columns, ignored" })
        warnings += Notes.capped(againNotes, more: { "\(name): … and \($0) more columns naming a field again, kept as text fields" })
        // Needed columns: title or id for cases (any one of each list).
        for need in Schema.neededColumns(table.name, table.specs) where !need.contains(where: { seenFields[$0] != nil }) {
            let specs = need.compactMap { n in table.specs.first { $0.name == n } }
            var message = "missing a column for " + specs.map(HeaderText.describe).joined(separator: " or ")
            let likely = unplaced.first { g in g.note == nil && need.contains { $0 == spellings.guess(g.header)?.name } }?.header
                ?? Suggest.closest(to: specs.first?.label ?? "", in: unplaced.map(\.header), maxDistance: 4)
            if let likely { message += "; the header most likely meant is \"\(likely)\"" }
            message += " (the header, line \(headerLine): " + layout.names.filter { !$0.isEmpty }.prefix(12).joined(separator: ", ")
                + (headerCount > 12 ? ", … \(headerCount) columns" : "") + ")"
            headerIssues.append(LoadIssue(file: name, line: headerLine, column: 0, field: nil, message: message))
        }
        // A header typed in field names and one edit from a field the file lacks (`satisfction`)
        // is a typo: an error beside that field, not a column kept as text.
        for (h, k, note) in unplaced where note == nil && h.allSatisfy(\.isASCII) {
            if let meant = spellings.nearMiss(h), seenFields[meant.name] == nil, spellings.guess(h)?.name == meant.name {
                headerIssues.append(LoadIssue(file: name, line: headerLine, column: k < layout.columns.count ? layout.columns[k] : 0, field: nil,
                                              message: "column \"\(Escape.visible(h))\" is not a field of \(table.name): did you mean \(meant.name) (\(meant.label))? Rename the column"))
            }
        }
        if !headerIssues.isEmpty {
            throw LoadError(headerIssues, lenientHelps: false)
        }
        if !unplaced.isEmpty {
            let n = unplaced.count
            let shown = unplaced.prefix(Notes.shownItems).map { u in
                "\"\(Escape.visible(u.header))\"" + (u.note.map { " (\($0))" } ?? spellings.guess(u.header).map { " (perhaps \(HeaderText.describe($0))?)" } ?? "")
            }
            warnings.append("\(name): \(n) column\(n == 1 ? "" : "s") named no field of \(table.name), kept as text field\(n == 1 ? "" : "s") under \(n == 1 ? "its header" : "their headers"): "
                + shown.joined(separator: ", ") + (n > shown.count ? ", … and \(n - shown.count) more" : ""))
        }
        var extraNames = Set<String>()
        var nextNumber: [String: Int] = [:]
        // Extra fields already in the table (the file read again as GB18030), by name.
        var extrasBefore: [String: FieldSpec] = [:]
        for s in table.specs where s.extra && extrasBefore[s.name] == nil { extrasBefore[s.name] = s }
        for k in 0..<headerCount {
            var spec = placed[k]
            if derivedColumns.contains(k) { mapping.append(nil); continue }
            if spec == nil {
                let h = layout.names[k]
                guard !h.isEmpty, seenFields[h] == nil else { mapping.append(nil); continue }
                // An extra column: named by its header (numbered when the header repeats).
                // (Numbering goes on from the header's last number: a header repeated n times costs n.)
                func taken(_ n: String) -> Bool {
                    extraNames.contains(n) || spellings.field(n).map { !(ownName.contains(n) && $0.name != n && $0.label != n) } ?? false
                }
                var extraName = h, i = nextNumber[h] ?? 2
                if nextNumber[h] != nil { extraName = "\(h)\(i)"; i += 1 }
                while taken(extraName) { extraName = "\(h)\(i)"; i += 1 }
                nextNumber[h] = i
                extraNames.insert(extraName)
                if let again = extrasBefore[extraName] {
                    spec = again   // read again (as GB18030): the column is there
                } else {
                    guard table.count == 0 else { mapping.append(nil); continue }
                    spec = table.addExtraField(extraName)
                }
            }
            let field = spec!
            let column = table.storedColumn(field.name)!
            if Pools.defers(field: field.name, table: table.name), table.count == 0 {
                switch column {
                case .text(let x): x.pending = PendingCells(); table.pools.register(column)
                case .list(let x): x.pending = PendingCells(); table.pools.register(column)
                default: break
                }
            }
            mapping.append(CellParser(spec: field, column: column, expectedRows: expectedRows))
        }
        let absentSpecs = table.storedSpecs.filter { seenFields[$0.name] == nil && !$0.extra }
        table.absentFields = Set(absentSpecs.map(\.name))
        let absent = absentSpecs.map { spec -> CellParser in
            let p = CellParser(spec: spec, column: table.storedColumn(spec.name)!, expectedRows: expectedRows)
            if spec.name == .kind, let kind = options.kind ?? manifestKind { p.fill = kind.rawValue }
            return p
        }
        let filter = TableLoader.rowFilter(table: table, seenFields: seenFields, layout: layout)

        let bodyStart = reader.position
        // A large file is cut into a few parts at row boundaries, taken in turn by the cores as
        // they come free (so a part of costly rows does not hold the others up). The first part
        // goes into the table; the others into tables of their own, appended in order after.
        let cuts = buf.count - bodyStart >= options.parallelThreshold
            ? RangeParser.findSplits(buf, from: bodyStart, parts: TableLoader.parts) : []
        let bounds = [bodyStart] + cuts + [buf.count]
        let partCount = bounds.count - 1
        let perPart = partCount > 1 ? expectedRows / partCount + expectedRows / 20 : expectedRows
        var ranges: [RangeParser] = []
        var parsers = mapping.compactMap { $0 }
        for k in 0..<partCount {
            if k == 0 {
                ranges.append(RangeParser(name: name, table: table, mapping: mapping, absent: absent, headerCount: headerCount, expectedRows: perPart, filter: filter))
                continue
            }
            let own = Table(name: table.name, specs: table.specs, pools: Pools())
            let m = mapping.map { $0.map { a -> CellParser in
                let column = own.storedColumn(a.spec.name)!
                // Deferred fields stay pending, to be appended to the first part's.
                switch column {
                case .text(let x) where table.pendingCells(a.spec.name) != nil: x.pending = PendingCells()
                case .list(let x) where table.pendingCells(a.spec.name) != nil: x.pending = PendingCells()
                default: break
                }
                return CellParser(spec: a.spec, column: column, expectedRows: perPart)
            } }
            let ab = absent.map { a -> CellParser in
                let p = CellParser(spec: a.spec, column: own.storedColumn(a.spec.name)!, expectedRows: perPart)
                p.fill = a.fill
                return p
            }
            ranges.append(RangeParser(name: name, table: own, mapping: m, absent: ab, headerCount: headerCount, expectedRows: perPart, filter: filter))
            parsers += m.compactMap { $0 }
        }
        for r in ranges { r.uniqueField = extra?.uniqueField }
        // Parts in turn to whichever core is free; each reader stops at the first row boundary
        // at or past its part's end.
        // Shared with the parsing threads: each part's parser and reader belong to the one thread
        // that takes part k (`next` hands each k out once); the file's page release is per range;
        // progress is reported under `progressLock`. (ThreadSanitizer: scripts/tsan.sh.)
        nonisolated(unsafe) let partParsers = ranges
        nonisolated(unsafe) let file = self.file
        nonisolated(unsafe) let progress = options.progress
        let progressLock = NSLock()
        nonisolated(unsafe) var bytesDone = 0
        nonisolated(unsafe) var readers = (0..<partCount).map { k in
            k == 0 ? reader : CSVReader(UnsafeBufferPointer(rebasing: buf[bounds[k]...]), startingAt: 0, line: 1)
        }
        nonisolated(unsafe) let body = buf
        let next = Atomic<Int>(0)
        let total = max(buf.count - bodyStart, 1)
        DispatchQueue.concurrentPerform(iterations: min(partCount, ProcessInfo.processInfo.activeProcessorCount)) { _ in
            while true {
                let k = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard k < partCount else { return }
                let base = bounds[k]
                let part = k == 0 ? body : UnsafeBufferPointer(rebasing: body[base...])
                var r = readers[k]
                var last = k == 0 ? r.position : 0
                partParsers[k].run(&r, buf: part, end: bounds[k + 1] - (k == 0 ? 0 : base), flush: k == 0,
                              roomForMore: partCount - 1) { position in
                    // Pages behind the current row are not needed again: give them back.
                    if k == 0 { file.release(upTo: position) } else { file.release(from: base, upTo: base + position) }
                    progressLock.lock()
                    bytesDone += position - last
                    last = position
                    progress?(Double(bytesDone) / Double(total))
                    progressLock.unlock()
                }
                readers[k] = r
            }
        }
        reader = readers[0]
        // Parts in order: each must have ended where the next began (a stray quote can make a
        // cut fall inside a quoted field). From the first that did not, the rest is read again
        // in one piece after it.
        var kept = [ranges[0]]
        var lineAtEnd = reader.line
        for k in 1..<partCount {
            let prev = kept[k - 1]
            let ended = k == 1 ? readers[0].position : bounds[k - 1] + readers[k - 1].position
            guard ended == bounds[k] else {
                var rest = CSVReader(buf, startingAt: ended, line: lineAtEnd)
                let r = RangeParser(name: name, table: table, mapping: mapping, absent: absent, headerCount: headerCount, expectedRows: perPart, filter: filter)
                r.uniqueField = extra?.uniqueField
                r.run(&rest, buf: buf, end: buf.count) { _ in }
                kept.append(r)
                break
            }
            let range = ranges[k]
            range.shift(offset: bounds[k], lines: lineAtEnd - 1)
            range.firstRow = prev.firstRow + prev.kept
            ranges[0].append(range)
            kept.append(range)
            lineAtEnd = lineAtEnd - 1 + readers[k].line
        }
        ranges = kept
        TableLoader.carrySectionKinds(ranges, table: table)
        var rejects: [(offset: Int, bytes: [UInt8])] = []
        var rejected = 0
        issues = []
        issueTotal = 0
        var positions: [RowPositions] = []
        for r in ranges {
            for i in r.issues where issues.count < TableLoader.keptIssues { issues.append(i) }
            issueTotal += r.issueTotal
            rejects += r.rejects
            rejected += r.rejected
            positions.append(r.positions)
        }
        let skipped = ranges.flatMap(\.skipped)
        if !skipped.isEmpty { warnings.append(TableLoader.describeSkipped(skipped, file: name)) }
        fileReport.skipped = skipped.count
        // Checks across rows (duplicate ids, events of unknown cases) and defaults, once every row is in.
        if let extra {
            let problems = extra.check(table, keyParts: ranges.map { ($0.uniqueKeys, $0.firstRow) })
            if !problems.isEmpty {
                var wanted = Set(problems.map(\.row))
                for p in problems { if let f = p.firstRow { wanted.insert(f) } }
                let located = RowPositions.locate(rows: wanted.sorted(), in: positions)
                var badRows: [Int] = []
                for p in problems {
                    guard let (start, line) = located[p.row] else { continue }
                    var r = CSVReader(buf, startingAt: start, line: line)
                    _ = try? r.nextRow()
                    let k = seenFields[p.field] ?? 0
                    let (l, c) = k < r.fields.count ? r.location(of: r.fields[k].start) : (line, 0)
                    var message = p.message
                    if let f = p.firstRow, let (_, firstLine) = located[f] { message += " (first at line \(firstLine))" }
                    issueTotal += 1
                    if issues.count < TableLoader.keptIssues {
                        issues.append(LoadIssue(file: name, line: l, column: c, field: p.field, message: message))
                    }
                    if badRows.last != p.row {
                        badRows.append(p.row)
                        rejects.append((start, Array(r.rawRow)))
                        rejected += 1
                    }
                }
                table.remove(rows: badRows)
            }
        }
        // The ranges free their own positions when they go (RangeParser.deinit).
        issues.sort { ($0.line, $0.column) < ($1.line, $1.column) }
        rejects.sort { $0.offset < $1.offset }
        if fileReport.encoding == .utf8 && options.encoding == nil && parsers.contains(where: { $0.sawInvalidUTF8 }) {
            return false
        }
        fileReport.rows = table.count
        fileReport.rejected = rejected
        fileReport.rejectedLines = rejects.reduce(0) { n, r in
            n + r.bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } + (r.bytes.last == 0x0A ? 0 : 1)
        }
        if rejected > 0 && options.lenient {
            let header = UnsafeBufferPointer(rebasing: buf[max(headerBytes.lowerBound, reader.hasBOM ? 3 : 0)..<headerBytes.upperBound])
            guard let out = RejectsFileWriter.bytes(header: header, rows: rejects.map(\.bytes), settings: options.rejectsCSV) else {
                throw LoadError([LoadIssue(file: name, line: 0, column: 0, field: nil,
                                           message: "\(rejected) rejected row\(rejected == 1 ? "" : "s") could not be written as GB18030 (.csv encoding); nothing was loaded, so that no row is lost unseen")],
                                lenientHelps: false)
            }
            try writeRejects(out)
        }
        return true
    }

    /// A section heading's kind across the ranges of a file parsed in parts (files of
    /// `LoadOptions.parallelLoadThreshold` bytes or more): the rows a range kept before its first
    /// heading take the kind of the last heading of the ranges before it. `ranges` are joined in
    /// the table in order.
    static func carrySectionKinds(_ ranges: [RangeParser], table: Table) {
        guard ranges.count > 1, ranges.contains(where: { $0.lastHeadingKind != nil }),
              case .code(let kinds)? = table.storedColumn(.kind) else { return }
        var carried: UInt8?
        for (i, r) in ranges.enumerated() {
            if i > 0, let k = carried {
                for row in r.firstRow..<(r.firstRow + r.rowsBeforeHeading) { kinds.codes[row] = k }
            }
            if let k = r.lastHeadingKind { carried = k }
        }
    }

    /// Creates `path` (exclusively) holding `bytes`; the reason when it cannot.
    static func create(_ path: String, _ bytes: [UInt8]) -> FileWriteError? {
        let writer: SafeFileWriter
        do { writer = try SafeFileWriter(path: path, mustNotExist: true) } catch { return error }
        do throws(FileWriteError) { try writer.write(bytes); try writer.commit() } catch { writer.abandon(); return error }
        return nil
    }

    /// Rejects files tried beside an existing one: NAME.rejects.2.csv … NAME.rejects.99.csv.
    static let rejectsNames = 99

    /// Writes the rejected rows to NAME.rejects.csv beside the file (or in `rejectsDirectory`),
    /// created exclusively: an earlier rejects file is kept, and the rows go to the first free
    /// NAME.rejects.N.csv, said in a note.
    /// - Throws: `LoadError` when they cannot be written (a folder not writable, a full disk,
    ///   something not a regular file in the name's place): a lenient load never drops rows unseen.
    mutating func writeRejects(_ bytes: [UInt8]) throws {
        let dir = options.rejectsDirectory ?? (path as NSString).deletingLastPathComponent
        let base = rejectsBase ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let folder = dir.isEmpty ? "." : dir
        let first = folder + "/" + base + ".rejects.csv"
        let rows = "\(fileReport.rejected) rejected row\(fileReport.rejected == 1 ? "" : "s")"
        func fail(_ e: FileWriteError) -> LoadError {
            LoadError([LoadIssue(file: name, line: 0, column: 0, field: nil,
                                 message: "\(rows) could not be written (\(e)); nothing was loaded, so that no row is lost unseen")],
                      lenientHelps: false)
        }
        for k in 1...TableLoader.rejectsNames {
            let candidate = k == 1 ? first : folder + "/" + base + ".rejects.\(k).csv"
            var st = stat()
            if lstat(candidate, &st) == 0 {
                // A file of an earlier load is kept; anything else there is not ours to pass by.
                if st.st_mode & S_IFMT == S_IFREG { continue }
                throw fail(FileWriteError(path: candidate, reason: "is \(InputFile.kindName(st.st_mode)), not a regular file"))
            }
            if let e = TableLoader.create(candidate, bytes) {
                if e.reason == "already exists" { continue }   // made by another load since the lstat
                throw fail(e)
            }
            fileReport.rejectsFile = candidate
            if k > 1 { warnings.append("\(name): \(first) exists (kept): the \(rows) went to \(candidate)") }
            return
        }
        throw fail(FileWriteError(path: first, reason: "it and \(TableLoader.rejectsNames - 1) numbered names beside it exist; remove old rejects files"))
    }

    /// "cases.csv: 3 rows are not cases, skipped: 2 section headings (lines 4, 40), a total (合计) (line 81)".
    static func describeSkipped(_ skipped: [(line: Int, what: String)], file: String) -> String {
        var order: [String] = []
        var lines: [String: [Int]] = [:]
        for s in skipped {
            if lines[s.what] == nil { order.append(s.what) }
            lines[s.what, default: []].append(s.line)
        }
        let parts = order.map { what -> String in
            let l = lines[what]!
            let shown = l.prefix(5).map(String.init).joined(separator: ", ") + (l.count > 5 ? ", …" : "")
            return (l.count == 1 ? what : "\(l.count) × \(what)") + " (line\(l.count == 1 ? "" : "s") \(shown))"
        }
        return "\(file): \(skipped.count) row\(skipped.count == 1 ? " is" : "s are") not a case, skipped: " + parts.joined(separator: "; ")
    }

    /// Which rows are cases: the title's column is looked at (else the id's).
    static func rowFilter(table: Table, seenFields: [String: Int], layout: HeaderLayout) -> RowFilter? {
        guard let anchor = seenFields[FieldName.title.rawValue] ?? seenFields[FieldName.id.rawValue] ?? seenFields[FieldName.caseID.rawValue] ?? seenFields[FieldName.name.rawValue] else { return nil }
        let id = seenFields[FieldName.title.rawValue] != nil ? seenFields[FieldName.id.rawValue] : nil
        return RowFilter(anchor: anchor, idColumn: id, anchorHeader: layout.names[anchor],
                         headerLengths: [layout.names[anchor].utf8.count] + layout.raw[anchor].map(\.utf8.count))
    }
}

/// Where each kept row of a range starts and on which line, as deltas from the row kept before
/// (8 bytes a row), to place the problems found once the whole table is in.
struct RowPositions {
    var baseStart: Int
    var baseLine: Int
    var starts = RawBuffer<UInt32>(capacity: 16)
    var lines = RawBuffer<UInt32>(capacity: 16)

    init(baseStart: Int, baseLine: Int, expectedRows: Int) {
        self.baseStart = baseStart; self.baseLine = baseLine
        starts.reserve(extra: expectedRows); lines.reserve(extra: expectedRows)
    }

    mutating func free() { starts.free(); lines.free() }

    /// The file offset and line of each of the given table rows (ascending), the ranges' rows
    /// following one another in table order.
    static func locate(rows: [Int], in parts: [RowPositions]) -> [Int: (Int, Int)] {
        var out: [Int: (Int, Int)] = [:]
        var next = 0
        var firstRow = 0
        for part in parts {
            var start = part.baseStart, line = part.baseLine
            for i in 0..<part.starts.count {
                guard next < rows.count else { return out }
                start += Int(part.starts[i]); line += Int(part.lines[i])
                if rows[next] == firstRow + i { out[rows[next]] = (start, line); next += 1 }
            }
            firstRow += part.starts.count
        }
        return out
    }
}

/// Parses the rows of one range of a file into one table, collecting issues and rejected rows,
/// and noting where each kept row is.
final class RangeParser {
    let name: String
    let table: Table
    let mapping: [CellParser?]
    let absent: [CellParser]
    let headerCount: Int
    var issues: [LoadIssue] = []
    var issueTotal = 0
    var rejects: [(offset: Int, bytes: [UInt8])] = []
    var rejected = 0
    var positions = RowPositions(baseStart: 0, baseLine: 1, expectedRows: 0)
    deinit { positions.free() }
    let expectedRows: Int
    /// Rows kept by the last run.
    private(set) var kept = 0
    /// The table row the range's first row is (or becomes, for a range parsed apart).
    var firstRow = 0
    /// A field kept as bytes that must be unique, and the sorted hashes of this range's cells of
    /// it (see `KeyHashes`), made on the range's own thread.
    var uniqueField: String?
    private(set) var uniqueKeys: [UInt64] = []

    /// Tells cases from rows that are not (totals, notes, headings); nil keeps every row.
    let filter: RowFilter?
    /// The kind the range's last section heading named, and how many rows it kept before its
    /// first heading: in a range parsed apart those rows are under the last heading of the ranges
    /// before it, and take its kind when the ranges are joined (`TableLoader.carrySectionKinds`).
    private(set) var lastHeadingKind: UInt8?
    private(set) var rowsBeforeHeading = 0
    /// Rows skipped as not cases: line and what each is.
    var skipped: [(line: Int, what: String)] = []

    init(name: String, table: Table, mapping: [CellParser?], absent: [CellParser], headerCount: Int, expectedRows: Int,
         filter: RowFilter? = nil) {
        self.name = name; self.table = table; self.mapping = mapping; self.absent = absent
        self.headerCount = headerCount; self.expectedRows = expectedRows; self.filter = filter
    }

    func addIssue(line: Int, column: Int, field: String?, _ message: String) {
        issueTotal += 1
        if issues.count < TableLoader.keptIssues {
            issues.append(LoadIssue(file: name, line: line, column: column, field: field, message: message))
        }
    }

    /// For a range parsed apart: its offsets and lines become the file's.
    func shift(offset: Int, lines: Int) {
        for i in issues.indices { issues[i].line += lines }
        for i in skipped.indices { skipped[i].line += lines }
        for i in rejects.indices { rejects[i].offset += offset }
        positions.baseStart += offset
        positions.baseLine += lines
    }

    /// Rows read before their cells are parsed: each field's cells then go through its parser in
    /// one loop (one dispatch on the field's kind per block, not per cell).
    static let blockRows = 64

    /// Parses rows until the reader reaches `end` (a row boundary) or the end of the buffer, then
    /// moves them into the table.
    func run(_ reader: inout CSVReader, buf: UnsafeBufferPointer<UInt8>, end: Int, flush: Bool = true,
             roomForMore: Int = 0, every2MB: (Int) -> Void) {
        var nextProgress = reader.position + (1 << 16)
        positions.free()
        positions = RowPositions(baseStart: reader.position, baseLine: reader.line, expectedRows: expectedRows)
        var lastStart = reader.position, lastLine = reader.line
        let all = mapping.compactMap { $0 } + absent
        let hc = headerCount, blockRows = RangeParser.blockRows
        let block = UnsafeMutablePointer<CSVReader.Field>.allocate(capacity: blockRows * hc)
        let rowStarts = UnsafeMutablePointer<Int>.allocate(capacity: blockRows)
        let rowLines = UnsafeMutablePointer<Int>.allocate(capacity: blockRows)
        let rowEnds = UnsafeMutablePointer<Int>.allocate(capacity: blockRows)
        defer { block.deallocate(); rowStarts.deallocate(); rowLines.deallocate(); rowEnds.deallocate() }
        guard let file = buf.baseAddress else { return }
        reader.keepsScratch = true
        defer { reader.keepsScratch = false }
        firstRow = table.count
        let unique = mapping.first { $0 != nil && $0!.spec.name == uniqueField }??.pendingCells
        let uniqueStart = unique?.count ?? 0
        var kept = 0
        var finished = false
        func keep(_ i: Int) {
            kept += 1
            positions.starts.append(UInt32(truncatingIfNeeded: rowStarts[i] - lastStart))
            positions.lines.append(UInt32(truncatingIfNeeded: rowLines[i] - lastLine))
            lastStart = rowStarts[i]; lastLine = rowLines[i]
        }
        // A section heading that names a kind (`（一）重点督办的代表建议`) gives it to the rows
        // under it, when the file has no kind column and none was given: the block is cut at the
        // heading, and the kind applies from the next block on.
        let sectionKind = absent.first { $0.spec.name == .kind && $0.fill == EnumInfo.none }
        var nextKind: UInt8?
        func heading(_ k: UInt8) {
            if lastHeadingKind == nil { rowsBeforeHeading = kept }
            lastHeadingKind = k
        }
        while !finished && reader.position < end {
            if let k = nextKind, let p = sectionKind { heading(k); p.fill = k; nextKind = nil }
            // Read a block of rows: their fields, where each starts and ends.
            reader.scratch.removeAll(keepingCapacity: true)
            var n = 0
            while n < blockRows && reader.position < end {
                let more: Bool
                do { more = try reader.nextRow() } catch let f {
                    let (l, c) = reader.location(of: f.offset)
                    addIssue(line: l, column: c, field: nil, f.message)
                    // The row's lines up to the bad one (for a runaway quote, the line it opened
                    // on) are rejected; reading goes on after them, so every later line is still
                    // read as rows of its own.
                    let from = reader.rowStart
                    reader.resume(after: f)
                    rejects.append((from, Array(UnsafeBufferPointer(rebasing: buf[from..<reader.position]))))
                    rejected += 1
                    continue
                }
                if !more { finished = true; break }
                if reader.isBlankRow { continue }
                if let filter, reader.fields.count > filter.anchor, !filter.isData(reader) {
                    let what = filter.reason(reader) ?? "not a case"
                    skipped.append((reader.rowLine, what))
                    if sectionKind != nil, what == RowFilter.sectionHeading, let k = RowFilter.kind(inHeading: reader) {
                        nextKind = k.rawValue
                        break
                    }
                    continue
                }
                if reader.fields.count != hc {
                    if let filter, let what = filter.reason(reader) {
                        skipped.append((reader.rowLine, what)); continue
                    }
                    let (l, _) = reader.location(of: reader.rowStart)
                    addIssue(line: l, column: 0, field: nil,
                             "\(reader.fields.count < hc ? "too few" : "too many") fields: expected \(hc), found \(reader.fields.count)")
                    rejects.append((reader.rowStart, Array(reader.rawRow))); rejected += 1
                    continue
                }
                (block + n * hc).update(from: reader.fieldBase, count: hc)
                rowStarts[n] = reader.rowStart; rowLines[n] = reader.rowLine; rowEnds[n] = reader.position
                n += 1
            }
            guard n > 0 else { continue }
            reader.scratch.withUnsafeBufferPointer { scratchBuf in
                let scratch = scratchBuf.baseAddress
                // Field by field over the block.
                var failedAt = -1, appended = 0
                for k in 0..<hc {
                    guard let parser = mapping[k] else { continue }
                    let got = parser.appendColumn(block + k, stride: hc, count: n, file: file, scratch: scratch)
                    if got < n { failedAt = k; appended = got; break }
                }
                if failedAt < 0 {
                    for parser in absent { for _ in 0..<n { parser.appendEmpty() } }
                    for i in 0..<n { keep(i) }
                    return
                }
                // A bad cell: undo the block and take it row by row, to drop the bad rows only.
                for k in 0..<failedAt { mapping[k]?.dropLast(n) }
                mapping[failedAt]!.dropLast(appended)
                for i in 0..<n {
                    var bad = false
                    for k in 0..<hc {
                        guard let parser = mapping[k] else { continue }
                        let f = block[i * hc + k]
                        let cell = UnsafeBufferPointer(start: (f.inScratch ? scratch! : file) + f.valueStart, count: f.valueEnd - f.valueStart)
                        if let message = parser.append(cell) {
                            let (l, c) = reader.location(of: f.start, row: rowStarts[i], line: rowLines[i])
                            addIssue(line: l, column: c, field: parser.spec.name, message)
                            bad = true
                            parser.appendEmpty()
                        }
                    }
                    for parser in absent { parser.appendEmpty() }
                    if bad {
                        for parser in all { parser.dropLast() }
                        rejects.append((rowStarts[i], Array(UnsafeBufferPointer(rebasing: buf[rowStarts[i]..<rowEnds[i]]))))
                        rejected += 1
                    } else {
                        keep(i)
                    }
                }
            }
            if reader.position > nextProgress {
                every2MB(reader.position)
                nextProgress = reader.position + (2 << 20)
            }
        }
        if let k = nextKind { heading(k) }
        if lastHeadingKind == nil { rowsBeforeHeading = kept }
        self.kept = kept
        if let unique { uniqueKeys = KeyHashes.sorted(unique, from: uniqueStart) }
        guard flush else { return }
        for parser in all { parser.flush(roomForMore: roomForMore) }
        table.count += kept
    }

    /// Appends the rows of `other` (the second half, parsed apart and not flushed) to the table,
    /// after this range's (flushed).
    func append(_ other: RangeParser) {
        let pairs = zip(mapping, other.mapping).compactMap { a, b in a.map { ($0, b!) } } + Array(zip(absent, other.absent))
        // Two at once: the texts (which share pools, so one thread) and the rest (plain copies).
        let groups = [pairs.filter { $0.0.kind == .text || $0.0.kind == .list }, pairs.filter { $0.0.kind != .text && $0.0.kind != .list }]
        nonisolated(unsafe) let work = groups
        DispatchQueue.concurrentPerform(iterations: 2) { g in
            for (a, b) in work[g] { a.flush(appending: b) }
        }
        table.count += other.kept
    }

    /// Where to cut the body into `parts`: for each fraction k/parts of it, the first line end
    /// at or past it that lies outside quotes (quotes counted from the start of the body). Fewer
    /// cuts when parts would be empty.
    static func findSplits(_ buf: UnsafeBufferPointer<UInt8>, from start: Int, parts: Int) -> [Int] {
        let n = buf.count
        guard let base = buf.baseAddress, parts > 1 else { return [] }
        var cuts: [Int] = []
        var p = start
        var inQuotes = false
        for k in 1..<parts {
            let target = max(start + (n - start) / parts * k, p)
            // Quotes up to the target decide whether it lies inside a quoted field.
            while p < target, let hit = memchr(base + p, 0x22, target - p) {
                inQuotes.toggle()
                p = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base + 1
            }
            p = max(p, target)
            var cut: Int?
            while p < n {
                let b = buf[p]
                p += 1
                if b == 0x22 { inQuotes.toggle() } else if b == 0x0A && !inQuotes { cut = p; break }
            }
            guard let c = cut, c < n else { break }
            if c > (cuts.last ?? start) { cuts.append(c) }
        }
        return cuts
    }
}

/// A file's bytes: mapped read-only when it can be (so a large file is never copied, and the
/// pages already parsed can be given back), else held in memory.
final class FileBytes {
    private var base: UnsafeMutableRawPointer?
    private let count: Int
    private let mapped: Bool
    private var released = 0
    /// The open file (kept, to see whether it changed during the load), or -1.
    private var fd: Int32 = -1
    private var opened = stat()
    private var guardSlot: Int?
    private let path: String

    /// - Throws: `LoadError` saying why the file cannot be read (InputFile.problem): missing, a
    ///   folder, a dangling or looping link, unreadable, or not a regular file (a FIFO, a device).
    init(path: String) throws {
        self.path = path
        if let problem = InputFile.problem(path) { throw LoadError(problem, file: path) }
        // O_NONBLOCK: should a FIFO be swapped in after the check, open does not wait for a writer.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw LoadError("cannot be read: \(SafeFileWriter.errorText(errno))", file: path) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            throw LoadError("cannot be read: \(SafeFileWriter.errorText(e))", file: path)
        }
        guard st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw LoadError("is \(InputFile.kindName(st.st_mode)), not a regular file: caseql reads only regular files", file: path)
        }
        self.fd = fd
        opened = st
        let size = Int(st.st_size)
        if size > 0, let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED {
            madvise(p, size, Int32(MADV_SEQUENTIAL))
            base = p; count = size; mapped = true
            guardSlot = MappedFileGuard.add(p, count: size)
            return
        }
        // Not mappable (an empty file, a file system without mmap): read it whole.
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { throw LoadError("cannot be read: \(SafeFileWriter.errorText(errno))", file: path) }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        (base, count, mapped) = FileBytes.copy(bytes)
    }

    /// - Throws: `LoadError` when the file was truncated, grown or rewritten since it was opened
    ///   (its bytes cannot be trusted: the load stops rather than load half of two versions).
    func checkUnchanged() throws {
        guard fd >= 0 else { return }
        var now = stat()
        let truncated = MappedFileGuard.wasTruncated(guardSlot)
        guard fstat(fd, &now) == 0 else { return }
        let changed = now.st_size != opened.st_size || now.st_mtim.tv_sec != opened.st_mtim.tv_sec
            || now.st_mtim.tv_nsec != opened.st_mtim.tv_nsec
        if truncated || changed {
            throw LoadError("changed while it was being read (\(opened.st_size) bytes when opened, \(now.st_size) now): nothing was loaded; load it again once it is written", file: path)
        }
    }

    init(owning bytes: [UInt8], path: String = "") {
        self.path = path
        (base, count, mapped) = FileBytes.copy(bytes)
    }

    private static func copy(_ bytes: [UInt8]) -> (UnsafeMutableRawPointer?, Int, Bool) {
        guard !bytes.isEmpty else { return (nil, 0, false) }
        let p = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 16)
        bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        return (p, bytes.count, false)
    }

    var buffer: UnsafeBufferPointer<UInt8> {
        guard let b = base else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: b.assumingMemoryBound(to: UInt8.self), count: count)
    }

    /// Lets the kernel drop the mapped pages before `offset` (they are read again from the file
    /// if touched later).
    func release(upTo offset: Int) {
        guard mapped, let b = base else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = (offset / page) * page
        guard end > released else { return }
        madvise(b + released, end - released, Int32(MADV_DONTNEED))
        released = end
    }

    /// The same for a range of the file (the second half, parsed on another thread).
    func release(from start: Int, upTo end: Int) {
        guard mapped, let b = base else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let lo = (start + page - 1) / page * page, hi = end / page * page
        guard hi > lo else { return }
        madvise(b + lo, hi - lo, Int32(MADV_DONTNEED))
    }

    deinit {
        if fd >= 0 { close(fd) }
        MappedFileGuard.remove(guardSlot)
        guard let b = base else { return }
        if mapped { munmap(b, count) } else { b.deallocate() }
    }
}
