import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growable buffer of plain values, without the uniqueness and exclusivity checks a Swift
/// array pays on each append from inside a class. For the loader's hot paths. It grows with
/// realloc, which moves a large block by remapping its pages: no second copy is alive meanwhile.
/// A buffer may also borrow memory it does not own (a snapshot's mapping, see Snapshot.swift): it
/// reads and writes it in place, and copies it into memory of its own the first time it grows.
struct RawBuffer<T> {
    private(set) var base: UnsafeMutablePointer<T>
    private(set) var count = 0
    private(set) var capacity: Int
    /// The memory is someone else's: never realloc'd or freed.
    private(set) var borrowed = false

    init(capacity: Int = 16) {
        precondition(_isPOD(T.self), "RawBuffer holds plain values only")
        self.capacity = max(capacity, 16)
        base = RawBuffer.resize(nil, to: self.capacity)
    }

    private static func resize(_ p: UnsafeMutablePointer<T>?, to n: Int) -> UnsafeMutablePointer<T> {
        guard let q = realloc(p, n * MemoryLayout<T>.stride) else { fatalError("out of memory (\(n * MemoryLayout<T>.stride) bytes)") }
        return q.assumingMemoryBound(to: T.self)
    }

    /// Values in memory owned elsewhere (kept alive by the caller as long as this buffer).
    init(borrowing p: UnsafeMutablePointer<T>, count: Int) {
        precondition(_isPOD(T.self), "RawBuffer holds plain values only")
        base = p
        self.count = count
        capacity = count
        borrowed = true
    }

    mutating func free() {
        if !borrowed { Glibc.free(base) }
        count = 0; capacity = 0
    }

    /// Makes the memory the buffer's own, `capacity` values large.
    private mutating func own(_ capacity: Int) {
        let q = RawBuffer.resize(nil, to: capacity)
        q.update(from: base, count: count)
        base = q
        self.capacity = capacity
        borrowed = false
    }

    @inline(__always)
    mutating func append(_ v: T) {
        if count == capacity { grow(count + 1) }
        (base + count).initialize(to: v)
        count += 1
    }

    mutating func append(contentsOf p: UnsafeBufferPointer<T>) {
        if count + p.count > capacity { grow(count + p.count) }
        if let src = p.baseAddress { (base + count).initialize(from: src, count: p.count) }
        count += p.count
    }

    mutating func grow(_ needed: Int) {
        var c = capacity
        while c < needed { c = c + c / 2 + 16 }
        if borrowed { own(c); return }
        base = RawBuffer.resize(base, to: c)
        capacity = c
    }

    /// Makes room for exactly `extra` more values (no growth steps later).
    mutating func reserve(extra: Int) {
        let needed = count + extra
        guard needed > capacity else { return }
        if borrowed { own(needed); return }
        base = RawBuffer.resize(base, to: needed)
        capacity = needed
    }

    /// Gives the whole pages of values between offsets `start` and `end` (in values) back to the
    /// system: those values are lost (they read as zero after). For a buffer read once, front to
    /// back, and freed after, so that it does not stay whole while what it is copied into grows.
    /// Returns the offset released up to, where the next call goes on from.
    func discardPages(from start: Int, upTo end: Int) -> Int {
        guard !borrowed else { return start }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let raw = UnsafeMutableRawPointer(base), stride = MemoryLayout<T>.stride
        let address = Int(bitPattern: raw)
        let lo = (address + start * stride + page - 1) / page * page, hi = (address + end * stride) / page * page
        guard hi > lo else { return start }
        madvise(UnsafeMutableRawPointer(bitPattern: lo), hi - lo, Int32(MADV_DONTNEED))
        return (hi - address) / stride
    }

    /// Drops the last n values.
    mutating func removeLast(_ n: Int) { count -= min(n, count) }

    /// Gives back the unused capacity.
    mutating func shrink() {
        guard !borrowed, capacity > count + 16 else { return }
        base = RawBuffer.resize(base, to: count + 16)
        capacity = count + 16
    }

    @inline(__always) subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }

    var footprint: Int { capacity * MemoryLayout<T>.stride }
}

/// Interned strings: each distinct value is stored once as UTF-8 in one byte buffer and named by a
/// small integer code. Code 0 is always the empty string. Interning works on raw bytes, so the
/// loader never builds a String per field.
public final class StringPool: @unchecked Sendable {
    private var bytes = RawBuffer<UInt8>(capacity: 1024)
    /// offsets[i]..<offsets[i+1] are the bytes of code i.
    private var offsets = RawBuffer<UInt32>(capacity: 64)
    /// Open addressing: each slot holds code + 1 (0 = free) in its low 32 bits and the hash's
    /// high 32 bits above, so most probes settle without touching the bytes. A string's first
    /// slot is taken from those same high bits (`home`), so the table grows from its slots alone,
    /// without reading the strings again.
    private var slots: UnsafeMutablePointer<UInt64>
    private var slotCount: Int
    private var mask: Int
    /// Strings made so far, by code (made on first use).
    private var strings: [UInt32: String] = [:]
    private let stringsLock = NSLock()
    /// `slots` is in a snapshot's mapping, not allocated here.
    private var slotsBorrowed = false
    /// What owns borrowed memory (a snapshot's mapping), kept alive as long as the pool.
    private var keepAlive: AnyObject?
    /// Borrowed storage not yet checked against the snapshot's checksums: false from `adopt`
    /// until the first use checks it (`ensureChecked`). True for every pool built here.
    private let checked = Atomic<Bool>(true)
    private var check: (() -> Bool)?
    private let checkLock = NSLock()
    /// The same for borrowed hash slots, checked apart (`ensureSlotsChecked`): only interning and
    /// lookups read them, so a question that only reads the strings (`contains`) does not read
    /// the table (268 MB for 10M distinct titles).
    private let slotsChecked = Atomic<Bool>(true)
    private var checkSlots: (() -> Bool)?

    public init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slotCount = size
        slots = UnsafeMutablePointer<UInt64>.allocate(capacity: size)
        slots.initialize(repeating: 0, count: size)
        mask = size - 1
        offsets.append(0)
        _ = intern("")
    }

    deinit {
        if !slotsBorrowed { slots.deallocate() }
        bytes.free()
        offsets.free()
    }

    /// The pool's storage, for writing a snapshot: the strings' bytes, their end offsets (count + 1,
    /// from 0) and the hash table's slots.
    func withStorage<R>(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        ensureSlotsChecked()
        return try body(UnsafeRawBufferPointer(start: bytes.base, count: bytes.count),
                 UnsafeRawBufferPointer(start: offsets.base, count: offsets.count * 4),
                 UnsafeRawBufferPointer(start: slots, count: slotCount * 8))
    }

    /// The strings' bytes and their end offsets (count + 1, from 0), without the hash table.
    func withStringStorage<R>(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        ensureChecked()
        return try body(UnsafeRawBufferPointer(start: bytes.base, count: bytes.count),
                        UnsafeRawBufferPointer(start: offsets.base, count: offsets.count * 4))
    }

    /// Replaces the pool's contents with storage read from a snapshot (as `withStorage` gave it),
    /// used in place: `owner` keeps the memory alive; a new string copies what it must grow.
    /// `check` is called once, before the first use of the strings (from whichever thread uses
    /// the pool first): false means they are damaged, and the pool then holds as many strings as
    /// it had, all empty, so that codes stay in range (the snapshot has noted its fault).
    /// `checkSlots` likewise before the hash table's first use (after `check`): false means it
    /// is damaged, and it is then built again from the strings.
    func adopt(bytes b: UnsafeMutablePointer<UInt8>, byteCount: Int, offsets o: UnsafeMutablePointer<UInt32>, offsetCount: Int,
               slots s: UnsafeMutablePointer<UInt64>, slotCount n: Int, owner: AnyObject, check: (() -> Bool)? = nil,
               checkSlots: (() -> Bool)? = nil) {
        precondition(n > 0 && n & (n - 1) == 0 && offsetCount >= 1)
        if !slotsBorrowed { slots.deallocate() }
        bytes.free(); offsets.free()
        bytes = RawBuffer(borrowing: b, count: byteCount)
        offsets = RawBuffer(borrowing: o, count: offsetCount)
        slots = s; slotCount = n; mask = n - 1; slotsBorrowed = true
        keepAlive = owner
        stringsLock.lock(); strings = [:]; stringsLock.unlock()
        self.check = check
        self.checkSlots = checkSlots
        checked.store(check == nil, ordering: .releasing)
        slotsChecked.store(checkSlots == nil, ordering: .releasing)
    }

    /// Checks borrowed hash slots before their first use (a load of an atomic flag once checked).
    @inline(__always)
    func ensureSlotsChecked() {
        if !slotsChecked.load(ordering: .acquiring) { checkBorrowedSlots() }
    }

    private func checkBorrowedSlots() {
        ensureChecked()   // the strings first: a damaged table is built again from them
        checkLock.lock(); defer { checkLock.unlock() }
        guard !slotsChecked.load(ordering: .acquiring) else { return }
        if let checkSlots, !checkSlots() {
            let table = UnsafeMutablePointer<UInt64>.allocate(capacity: slotCount)
            table.initialize(repeating: 0, count: slotCount)
            for code in 0..<count {
                let start = Int(offsets[code]), end = max(start, Int(offsets[code + 1]))
                let h = StringPool.hash(UnsafeBufferPointer(start: bytes.base + start, count: end - start))
                var i = StringPool.home(h, mask)
                while table[i] != 0 { i = (i + 1) & mask }
                table[i] = (h & 0xFFFF_FFFF_0000_0000) | UInt64(code + 1)
            }
            if !slotsBorrowed { slots.deallocate() }
            slots = table; slotsBorrowed = false
        }
        checkSlots = nil
        slotsChecked.store(true, ordering: .releasing)
    }

    /// Checks borrowed storage before its first use (a load of an atomic flag once checked).
    @inline(__always)
    func ensureChecked() {
        if !checked.load(ordering: .acquiring) { checkBorrowed() }
    }

    private func checkBorrowed() {
        checkLock.lock(); defer { checkLock.unlock() }
        guard !checked.load(ordering: .acquiring), let check else { return }
        if !check() {
            // Damaged: as many strings as before, all empty (code 0's slot only: "" is code 0).
            let n = count
            if !slotsBorrowed { slots.deallocate() }
            bytes.free(); offsets.free()
            bytes = RawBuffer(capacity: 1024)
            offsets = RawBuffer(capacity: n + 1)
            for _ in 0...n { offsets.append(0) }
            var size = 16
            while size < (n + 1) * 2 { size <<= 1 }
            slots = UnsafeMutablePointer<UInt64>.allocate(capacity: size)
            slots.initialize(repeating: 0, count: size)
            slotCount = size; mask = size - 1; slotsBorrowed = false
            let h = StringPool.hash(UnsafeBufferPointer(start: nil, count: 0))
            slots[StringPool.home(h, mask)] = (h & 0xFFFF_FFFF_0000_0000) | 1
            stringsLock.lock(); strings = [:]; stringsLock.unlock()
            // That table needs no check.
            checkSlots = nil
            slotsChecked.store(true, ordering: .releasing)
        }
        self.check = nil
        checked.store(true, ordering: .releasing)
    }

    public var count: Int { offsets.count - 1 }

    /// A fast hash over up to the first and last 8 bytes and the length (then every byte in
    /// between for longer strings, 8 at a time).
    @inline(__always)
    static func hash(_ p: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = p.count
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(n &+ 1)
        guard let b = p.baseAddress, n > 0 else { return h }
        let raw = UnsafeRawPointer(b)
        if n >= 8 {
            var i = 0
            while i + 8 <= n {
                let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
                h ^= h >> 32
                i += 8
            }
            if i < n {
                let w = raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
                h = (h ^ w) &* 0xC4CE_B9FE_1A85_EC53
            }
        } else {
            var w: UInt64 = 0
            for i in 0..<n { w = w << 8 | UInt64(b[i]) }
            h = (h ^ w) &* 0xFF51_AFD7_ED55_8CCD
        }
        h ^= h >> 29
        h = h &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 32)
    }

    /// The first slot tried for a hash (or a slot's tag) in a table of `mask + 1` slots.
    @inline(__always)
    static func home(_ h: UInt64, _ mask: Int) -> Int { Int(truncatingIfNeeded: h >> 32) & mask }

    /// The code of these bytes, adding them if new. `isNew` tells whether they were added.
    @discardableResult @inline(__always)
    public func intern(_ p: UnsafeBufferPointer<UInt8>, isNew: UnsafeMutablePointer<Bool>? = nil) -> UInt32 {
        ensureSlotsChecked()
        let h = StringPool.hash(p)
        let tag = h & 0xFFFF_FFFF_0000_0000
        var i = StringPool.home(h, mask)
        while true {
            let s = slots[i]
            if s == 0 { break }
            if s & 0xFFFF_FFFF_0000_0000 == tag {
                let code = Int(s & 0xFFFF_FFFF) - 1
                if equal(code, p) {
                    isNew?.pointee = false
                    return UInt32(code)
                }
            }
            i = (i + 1) & mask
        }
        let code = UInt32(count)
        bytes.append(contentsOf: p)
        offsets.append(UInt32(bytes.count))
        slots[i] = tag | UInt64(code + 1)
        isNew?.pointee = true
        if count * 2 > slotCount { grow(to: slotCount * 2) }
        return code
    }

    @discardableResult
    public func intern(_ s: String) -> UInt32 {
        var s = s
        return s.withUTF8 { intern($0) }
    }

    /// The code of a string already in the pool, or nil.
    public func lookup(_ s: String) -> UInt32? {
        ensureSlotsChecked()
        var s = s
        return s.withUTF8 { p -> UInt32? in
            let h = StringPool.hash(p)
            let tag = h & 0xFFFF_FFFF_0000_0000
            var i = StringPool.home(h, mask)
            while slots[i] != 0 {
                let s = slots[i]
                if s & 0xFFFF_FFFF_0000_0000 == tag, equal(Int(s & 0xFFFF_FFFF) - 1, p) { return UInt32(s & 0xFFFF_FFFF) - 1 }
                i = (i + 1) & mask
            }
            return nil
        }
    }

    @inline(__always)
    private func equal(_ code: Int, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = Int(offsets[code]), end = max(start, Int(offsets[code + 1]))
        let n = p.count
        guard end - start == n else { return false }
        if n == 0 { return true }
        let a = UnsafeRawPointer(bytes.base + start), b = UnsafeRawPointer(p.baseAddress!)
        if n <= 16 {
            // Short strings (enum spellings, names, units): two overlapping word loads.
            if n >= 8 {
                return a.loadUnaligned(as: UInt64.self) == b.loadUnaligned(as: UInt64.self)
                    && a.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == b.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            }
            for i in 0..<n where a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
            return true
        }
        return memcmp(a, b, n) == 0
    }

    /// Moves the slots into a table of `size` slots (a power of two, larger than now).
    private func grow(to size: Int) {
        let newSlots = UnsafeMutablePointer<UInt64>.allocate(capacity: size)
        newSlots.initialize(repeating: 0, count: size)
        let newMask = size - 1
        // Each slot's tag is its string's home: the strings themselves are not read. (A damaged
        // snapshot's pool, its strings all made empty, has code 0's slot only, and keeps it so.)
        for j in 0..<slotCount {
            let s = slots[j]
            guard s != 0 else { continue }
            var i = StringPool.home(s, newMask)
            while newSlots[i] != 0 { i = (i + 1) & newMask }
            newSlots[i] = s
        }
        if !slotsBorrowed { slots.deallocate() }
        slotsBorrowed = false
        slots = newSlots
        slotCount = size
        mask = newMask
    }

    /// Makes room for `more` strings holding `byteCount` bytes in all, so that appending them
    /// grows nothing step by step.
    public func reserve(more: Int, byteCount: Int) {
        ensureSlotsChecked()
        bytes.reserve(extra: byteCount)
        offsets.reserve(extra: more)
        var size = slotCount
        while (count + more) * 2 > size { size <<= 1 }
        if size > slotCount { grow(to: size) }
    }

    /// Whether the hash table holds each code exactly once and nothing else (for tests).
    func tableIsSound() -> Bool {
        var seen = [Bool](repeating: false, count: count)
        for j in 0..<slotCount where slots[j] != 0 {
            let code = Int(slots[j] & 0xFFFF_FFFF) - 1
            guard code >= 0, code < count, !seen[code] else { return false }
            seen[code] = true
        }
        return !seen.contains(false)
    }

    /// Gives back the room kept for growth (call once loading is done).
    public func shrinkToFit() {
        bytes.shrink()
        offsets.shrink()
    }

    /// The string of a code (made once, then kept).
    public subscript(code: UInt32) -> String {
        ensureChecked()
        stringsLock.lock(); defer { stringsLock.unlock() }
        if let s = strings[code] { return s }
        let c = Int(code)
        let start = Int(offsets[c]), end = max(start, Int(offsets[c + 1]))
        let s = String(decoding: UnsafeBufferPointer(start: bytes.base + start, count: end - start), as: UTF8.self)
        strings[code] = s
        return s
    }

    /// Calls body with the UTF-8 bytes of a code.
    public func withBytes<R>(_ code: UInt32, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        ensureChecked()
        let c = Int(code)
        let start = Int(offsets[c]), end = max(start, Int(offsets[c + 1]))
        return body(UnsafeBufferPointer(start: bytes.base + start, count: end - start))
    }

    /// Every string in code order.
    public var allStrings: [String] { (0..<count).map { self[UInt32($0)] } }

    /// Bytes held, for memory accounting.
    public var footprint: Int { bytes.footprint + offsets.footprint + slotCount * 8 + strings.count * 48 }
}
