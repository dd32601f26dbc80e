import Foundation

/// Pairs of adjacent characters (Unicode scalars, ASCII letters lowered) → the codes of the
/// distinct strings of a pool holding them, for `contains`. A needle of two or more characters is
/// answered from its rarest pair's list: each string on it is checked for the whole needle. The
/// lists are kept as gaps between codes in variable-length bytes (7 bits a byte): at a million
/// distinct Chinese titles of about 30 characters, some 27 million entries in about 1.6 bytes each.
public final class BigramIndex: @unchecked Sendable {
    let pool: StringPool
    /// The strings indexed (the pool may grow later: newer strings are searched by a scan).
    let indexedCount: Int
    /// Open addressing, key → id + 1 (0 = free); keys are `BigramIndex.key` values.
    private let slotKeys: [UInt64]
    private let slotIds: [UInt32]
    private let mask: Int
    /// The list of id k: bytes data[starts[k]..<starts[k+1]], `lengths[k]` codes.
    private let starts: [Int]
    private let lengths: [UInt32]
    private let data: [UInt8]

    /// A pair's key: bit 63 set (so no key is 0), the two scalars' values in 21 bits each.
    @inline(__always) static func key(_ a: UInt32, _ b: UInt32) -> UInt64 { 1 << 63 | UInt64(a) << 21 | UInt64(b) }

    @inline(__always) static func slot(_ key: UInt64, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
    }

    /// Calls `pair` with the key of each pair of adjacent scalars in `s` (UTF-8, possibly not
    /// valid: a byte that cannot start or continue a scalar counts as a scalar of its own, above
    /// U+10FFFF, so a needle's bytes found in a string always start at a scalar of it).
    @inline(__always)
    static func pairs(_ s: UnsafeBufferPointer<UInt8>, _ pair: (UInt64) -> Void) {
        var i = 0, prev: UInt32 = 0, havePrev = false
        let n = s.count
        while i < n {
            let b0 = s[i]
            var v: UInt32
            var len = 1
            if b0 < 0x80 {
                v = UInt32(TextNeedle.isLetter(b0) ? b0 | 0x20 : b0)
            } else {
                let need = b0 >= 0xF0 ? 3 : b0 >= 0xE0 ? 2 : b0 >= 0xC0 ? 1 : 0
                v = UInt32(b0) & (need == 3 ? 0x07 : need == 2 ? 0x0F : 0x1F)
                var k = 0
                while k < need, i + 1 + k < n, s[i + 1 + k] & 0xC0 == 0x80 { v = v << 6 | UInt32(s[i + 1 + k] & 0x3F); k += 1 }
                if need == 0 || k < need { v = 0x110000 + UInt32(b0) } else { len = 1 + need }
            }
            if havePrev { pair(key(prev, v)) }
            prev = v; havePrev = true
            i += len
        }
    }

    /// Builds the index of every string in `pool` now (two passes over its bytes).
    public init(pool: StringPool) {
        self.pool = pool
        var capacity = 1 << 16
        var keys = [UInt64](repeating: 0, count: capacity)
        var ids = [UInt32](repeating: 0, count: capacity)
        var byteLengths = RawBuffer<Int>(capacity: 1024)
        var lengths = RawBuffer<UInt32>(capacity: 1024)
        var lastCode = RawBuffer<UInt32>(capacity: 1024)   // code + 1 of the last string listed, 0: none
        var idCount = 0
        @inline(__always) func varintLength(_ x: UInt32) -> Int { x < 1 << 7 ? 1 : x < 1 << 14 ? 2 : x < 1 << 21 ? 3 : x < 1 << 28 ? 4 : 5 }
        func grow() {
            let newCapacity = capacity * 2, newMask = newCapacity - 1
            var nk = [UInt64](repeating: 0, count: newCapacity), ni = [UInt32](repeating: 0, count: newCapacity)
            for s in 0..<capacity where keys[s] != 0 {
                var j = BigramIndex.slot(keys[s], newMask)
                while nk[j] != 0 { j = (j + 1) & newMask }
                nk[j] = keys[s]; ni[j] = ids[s]
            }
            keys = nk; ids = ni; capacity = newCapacity
        }
        let count = pool.count
        indexedCount = count
        // Pass 1: the pairs' ids, how many strings hold each and how many bytes their gaps take.
        pool.withStrings { hay, ends in
            for c in 0..<count {
                let start = c == 0 ? 0 : Int(ends[c - 1])
                let code1 = UInt32(c + 1)
                BigramIndex.pairs(UnsafeBufferPointer(rebasing: hay[start..<max(start, Int(ends[c]))])) { key in
                    var j = BigramIndex.slot(key, capacity - 1)
                    while keys[j] != 0 && keys[j] != key { j = (j + 1) & (capacity - 1) }
                    let id: Int
                    if keys[j] == 0 {
                        id = idCount; idCount += 1
                        keys[j] = key; ids[j] = UInt32(id + 1)
                        byteLengths.append(0); lengths.append(0); lastCode.append(0)
                        if idCount * 2 > capacity { grow() }
                    } else { id = Int(ids[j]) - 1 }
                    let last = lastCode[id]
                    if last != code1 {
                        byteLengths[id] += varintLength(code1 - last)
                        lengths[id] += 1
                        lastCode[id] = code1
                    }
                }
            }
        }
        var starts = [Int](repeating: 0, count: idCount + 1)
        for k in 0..<idCount { starts[k + 1] = starts[k] + byteLengths[k] }
        var data = [UInt8](repeating: 0, count: starts[idCount])
        // Pass 2: the gaps written.
        var fill = starts
        for k in 0..<idCount { lastCode[k] = 0 }
        let finalMask = capacity - 1
        data.withUnsafeMutableBufferPointer { out in
            pool.withStrings { hay, ends in
                for c in 0..<count {
                    let start = c == 0 ? 0 : Int(ends[c - 1])
                    let code1 = UInt32(c + 1)
                    BigramIndex.pairs(UnsafeBufferPointer(rebasing: hay[start..<max(start, Int(ends[c]))])) { key in
                        var j = BigramIndex.slot(key, finalMask)
                        while keys[j] != key && keys[j] != 0 { j = (j + 1) & finalMask }
                        // Pass 1 met every pair, unless the strings changed between the passes
                        // (a snapshot's mapping whose file was truncated reads as zeros from
                        // then on): a pair it did not meet, or one more gap than it counted,
                        // is left out rather than written past the end.
                        guard keys[j] == key else { return }
                        let id = Int(ids[j]) - 1
                        let last = lastCode[id]
                        guard last != code1 else { return }
                        var gap = code1 - last
                        var at = fill[id]
                        guard at + varintLength(gap) <= starts[id + 1] else { return }
                        while gap >= 0x80 { out[at] = UInt8(gap & 0x7F) | 0x80; gap >>= 7; at += 1 }
                        out[at] = UInt8(gap); at += 1
                        fill[id] = at
                        lastCode[id] = code1
                    }
                }
            }
        }
        slotKeys = keys; slotIds = ids; mask = finalMask
        self.starts = starts
        self.lengths = Array(UnsafeBufferPointer(start: lengths.base, count: lengths.count))
        self.data = data
        byteLengths.free(); lengths.free(); lastCode.free()
    }

    private func id(_ key: UInt64) -> Int? {
        var j = BigramIndex.slot(key, mask)
        while slotKeys[j] != 0 {
            if slotKeys[j] == key { return Int(slotIds[j]) - 1 }
            j = (j + 1) & mask
        }
        return nil
    }

    /// Codes of the distinct strings containing `needle` (as `TextNeedle` matches), ascending; nil
    /// when the index does not narrow the search (a needle of one character, or whose rarest pair is
    /// in more than an eighth of the strings of a large pool): a scan of the pool answers those as fast.
    public func codes(containing needle: String) -> [UInt32]? {
        let n = TextNeedle(needle)
        var keys: [UInt64] = []
        n.bytes.withUnsafeBufferPointer { BigramIndex.pairs($0) { keys.append($0) } }
        guard !keys.isEmpty else { return nil }
        var best = -1
        for key in keys {
            guard let k = id(key) else { return [] }   // a pair no string has
            if best < 0 || lengths[k] < lengths[best] { best = k }
        }
        guard Int(lengths[best]) * 8 <= indexedCount || lengths[best] < 4096 else { return nil }
        var out: [UInt32] = []
        pool.withStrings { hay, ends in
            guard let base = hay.baseAddress else { return }
            data.withUnsafeBufferPointer { d in
                var at = starts[best], code1: UInt32 = 0
                let end = starts[best + 1]
                while at < end {
                    var gap: UInt32 = 0, shift: UInt32 = 0
                    while true {
                        let b = d[at]; at += 1
                        gap |= UInt32(b & 0x7F) << shift
                        if b < 0x80 { break }
                        shift += 7
                    }
                    code1 += gap
                    let c = Int(code1) - 1
                    let start = c == 0 ? 0 : Int(ends[c - 1])
                    if n.occurs(in: UnsafeBufferPointer(start: base + start, count: max(0, Int(ends[c]) - start))) { out.append(UInt32(c)) }
                }
            }
        }
        // Strings added to the pool after the index was built.
        if pool.count > indexedCount {
            pool.withStrings { hay, ends in
                for c in indexedCount..<pool.count {
                    let start = c == 0 ? 0 : Int(ends[c - 1])
                    if n.occurs(in: UnsafeBufferPointer(rebasing: hay[start..<max(start, Int(ends[c]))])) { out.append(UInt32(c)) }
                }
            }
        }
        return out
    }

    /// Bytes held.
    var footprint: Int { slotKeys.capacity * 8 + slotIds.capacity * 4 + starts.capacity * 8 + lengths.capacity * 4 + data.capacity }
}
