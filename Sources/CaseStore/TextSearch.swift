import Foundation

/// What `contains` looks for, prepared for searching UTF-8 bytes: the needle's bytes as stored,
/// ASCII letters matching in either case (as sqlite's `LIKE '%…%'`), everything else byte for
/// byte, so characters match as Unicode scalars (as sqlite's `instr`): a full-width Ａ is not A,
/// and "e" is found in "é" written as e + U+0301.
public struct TextNeedle: Sendable {
    /// The needle's bytes, ASCII letters lowered.
    let bytes: [UInt8]
    /// 0x20 where the needle has an ASCII letter (a hay byte OR-ed with it compares lowered), else 0.
    let fold: [UInt8]
    /// The two positions of the needle whose bytes the fast pass compares first, chosen as the
    /// least frequent in Chinese text (continuation bytes of UTF-8 before lead bytes and ASCII).
    let probe1: Int, probe2: Int

    public init(_ needle: String) {
        var b = Array(needle.utf8)
        var f = [UInt8](repeating: 0, count: b.count)
        for i in b.indices where TextNeedle.isLetter(b[i]) { b[i] |= 0x20; f[i] = 0x20 }
        bytes = b; fold = f
        // How common a byte is in Chinese titles, roughly: lower is rarer.
        func rank(_ x: UInt8) -> Int {
            switch x {
            case 0x80...0xBF: return 1       // a continuation byte: one of 64
            case 0xE4...0xE9: return 9       // the lead byte of most CJK characters
            case 0xC0...0xFF: return 5
            case 0x30...0x39, 0x61...0x7A: return 4
            default: return 6
            }
        }
        // The rarest byte, the last one on ties; then the rarest other byte, the farthest from it.
        var p2 = max(b.count - 1, 0)
        for i in b.indices.reversed() where rank(b[i]) < rank(b[p2]) { p2 = i }
        var p1 = p2
        for i in b.indices where i != p2 {
            if p1 == p2 || rank(b[i]) < rank(b[p1]) || (rank(b[i]) == rank(b[p1]) && abs(i - p2) > abs(p1 - p2)) { p1 = i }
        }
        probe1 = min(p1, p2); probe2 = max(p1, p2)
    }

    @inline(__always) static func isLetter(_ x: UInt8) -> Bool { (0x41...0x5A).contains(x) || (0x61...0x7A).contains(x) }

    public var isEmpty: Bool { bytes.isEmpty }

    /// Whether the needle occurs at byte `at` of `p` (the caller checks it fits).
    @inline(__always)
    func matches(_ p: UnsafePointer<UInt8>, at: Int) -> Bool {
        bytes.withUnsafeBufferPointer { nb in
            fold.withUnsafeBufferPointer { fb in
                for j in 0..<nb.count where (p[at + j] | fb[j]) != nb[j] { return false }
                return true
            }
        }
    }

    /// Whether the needle occurs in `hay`.
    public func occurs(in hay: UnsafeBufferPointer<UInt8>) -> Bool {
        let m = bytes.count
        guard m > 0 else { return true }
        guard hay.count >= m, let p = hay.baseAddress else { return false }
        let b1 = bytes[probe1], f1 = fold[probe1]
        for i in 0...(hay.count - m) where (p[i + probe1] | f1) == b1 && matches(p, at: i) { return true }
        return false
    }

    /// Calls `found` with each byte position where the needle starts in `hay`, ascending, from
    /// `start` on; `found` returns where to go on looking (a position after the one it got), or
    /// nil to stop. Compares the two probe bytes of 16 positions at a time, eight to a machine word
    /// (a byte that differs from its probe leaves a nonzero byte in `(word | fold) ^ probe`; the
    /// positions where both are zero are exact), then checks those few positions byte by byte.
    public func scan(_ hay: UnsafeBufferPointer<UInt8>, from start: Int = 0, _ found: (Int) -> Int?) {
        let m = bytes.count, n = hay.count
        guard m > 0, n >= m, let p = hay.baseAddress else { return }
        let last = n - m   // the last position where the needle fits
        let raw = UnsafeRawPointer(p)
        let k1 = probe1, k2 = probe2
        let ones: UInt64 = 0x0101_0101_0101_0101, low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F, highs: UInt64 = 0x8080_8080_8080_8080
        let b1 = ones &* UInt64(bytes[k1]), f1 = ones &* UInt64(fold[k1])
        let b2 = ones &* UInt64(bytes[k2]), f2 = ones &* UInt64(fold[k2])
        // The high bit of each byte where both probes agree.
        @inline(__always) func agree(_ at: Int) -> UInt64 {
            let t = ((raw.loadUnaligned(fromByteOffset: at + k1, as: UInt64.self) | f1) ^ b1)
                | ((raw.loadUnaligned(fromByteOffset: at + k2, as: UInt64.self) | f2) ^ b2)
            return ~(((t & low7) &+ low7) | t) & highs
        }
        var i = start
        // While positions i..<i+16 all fit, their probe bytes (up to i + 15 + m - 1) lie in the hay.
        while i + 16 <= last + 1 {
            var lo = agree(i), hi = agree(i + 8)
            if lo | hi == 0 { i += 16; continue }
            var next = i + 16
            // The candidates in ascending order: those of the first word, then the second's.
            while lo | hi != 0 {
                let at: Int
                if lo != 0 { at = i + lo.trailingZeroBitCount >> 3; lo &= lo - 1 } else { at = i + 8 + hi.trailingZeroBitCount >> 3; hi &= hi - 1 }
                guard matches(p, at: at) else { continue }
                guard let go = found(at) else { return }
                if go >= i + 16 { next = go; break }
                // Skip the candidates before `go`.
                while lo != 0 && i + lo.trailingZeroBitCount >> 3 < go { lo &= lo - 1 }
                while hi != 0 && i + 8 + hi.trailingZeroBitCount >> 3 < go { hi &= hi - 1 }
            }
            i = next
        }
        while i <= last {
            if matches(p, at: i) {
                guard let go = found(i) else { return }
                i = max(i + 1, go)
            } else { i += 1 }
        }
    }

    /// Codes of the distinct strings of `pool` that hold the needle, ascending: one pass over the
    /// pool's bytes (all its strings end to end), each match mapped to its string by the offsets.
    /// A match across two strings' boundary is no match.
    public func codes(in pool: StringPool) -> [UInt32] {
        guard !isEmpty else { return (0..<UInt32(pool.count)).map { $0 } }
        var out: [UInt32] = []
        pool.withStrings { hay, ends in
            // ends[c] is where string c ends (ends[-1] = 0).
            let count = ends.count
            var code = 0
            scan(hay) { at in
                // The string holding byte `at`: the first whose end lies past it (galloping from
                // the last one found, then halving).
                var lo = code, step = 1
                while lo + step < count && Int(ends[lo + step]) <= at { lo += step; step <<= 1 }
                var hi = min(lo + step, count)
                while lo < hi { let mid = (lo + hi) >> 1; if Int(ends[mid]) <= at { lo = mid + 1 } else { hi = mid } }
                code = lo
                guard code < count else { return nil }
                if at + bytes.count <= Int(ends[code]) {
                    out.append(UInt32(code))
                    return Int(ends[code])   // one match is enough: on to the next string
                }
                return at + 1
            }
        }
        return out
    }
}

extension StringPool {
    /// Calls body with the bytes of every string end to end (in code order) and where each one
    /// ends in them (`ends[c]`: string c is bytes[ends[c-1]..<ends[c]], ends[-1] taken as 0).
    public func withStrings<R>(_ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt32>) -> R) -> R {
        withStringStorage { bytes, offsets in
            let o = offsets.bindMemory(to: UInt32.self)
            // offsets holds count + 1 values from 0: the ends are all but the first.
            return body(bytes.bindMemory(to: UInt8.self), UnsafeBufferPointer(rebasing: o[1...]))
        }
    }
}
