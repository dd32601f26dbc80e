/// SplitMix64 (Steele, Lea, Flood 2014): the generator's only source of randomness, so a
/// (cases, seed) pair always yields the same bytes on every platform.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A stream for one item of a sequence: the seed and the index, mixed.
    init(seed: UInt64, stream: UInt64) {
        var s = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        state = s.next() ^ stream
    }

    @inline(__always)
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<n (Lemire's multiply-high; n <= 1 gives 0).
    @inline(__always)
    mutating func below(_ n: Int) -> Int {
        n <= 1 ? 0 : Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(n)).high)
    }

    /// Uniform in lo...hi (lo when hi < lo).
    @inline(__always)
    mutating func int(_ lo: Int, _ hi: Int) -> Int { hi <= lo ? lo : lo + below(hi - lo + 1) }

    /// True with probability p.
    @inline(__always)
    mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) * 0x1p-53 < p }

    /// Index into cumulative weights (weights[i] = sum of the first i+1 weights).
    @inline(__always)
    mutating func weighted(_ cumulative: [Int]) -> Int {
        let r = below(cumulative[cumulative.count - 1])
        var i = 0
        while cumulative[i] <= r { i += 1 }
        return i
    }
}
