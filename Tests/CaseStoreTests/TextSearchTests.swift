import Foundation
import Testing
@testable import CaseStore

/// What `contains` should answer, by the slowest obvious means: the needle's Unicode scalars
/// found in a string's, ASCII letters in either case.
func oracleContains(_ hay: String, _ needle: String) -> Bool { oracleContains(oracleFold(hay), oracleFold(needle)) }
func oracleFold(_ s: String) -> [UInt32] { s.unicodeScalars.map { (65...90).contains($0.value) ? $0.value + 32 : $0.value } }
func oracleContains(_ h: [UInt32], _ n: [UInt32]) -> Bool {
    if n.isEmpty { return true }
    guard h.count >= n.count else { return false }
    for i in 0...(h.count - n.count) where h[i] == n[0] && h[i..<(i + n.count)].elementsEqual(n) { return true }
    return false
}

/// Pieces of titles: Chinese, ASCII of both cases, full-width letters, a precomposed é and an e
/// with a combining accent, a four-byte emoji, digits, LIKE's wildcards.
let titlePieces: [String] = ["午", "餐", "学", "校", "关于", "的", "建议", "提案", "食", "堂", "a", "B", "c", "e", "x", "Q",
                             "Ａ", "ａ", "Ｂ", "é", "e\u{301}", "\u{301}", "🍱", "1", "2", "%", "_", " ", "“", "”", "·"]

struct TitleRandom {
    var state: UInt64
    mutating func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func title() -> String { (0..<(2 + int(10))).map { _ in titlePieces[int(titlePieces.count)] }.joined() }
    /// A run of scalars from `s` (possibly cutting a combining pair), ASCII letters' case flipped at random.
    mutating func needle(from s: String) -> String {
        let scalars = Array(s.unicodeScalars)
        let len = 1 + int(min(4, scalars.count)), start = int(scalars.count - len + 1)
        var out = String.UnicodeScalarView()
        for u in scalars[start..<(start + len)] {
            if (65...90).contains(u.value) || (97...122).contains(u.value), int(2) == 0 { out.append(Unicode.Scalar(u.value ^ 0x20)!) } else { out.append(u) }
        }
        return String(out)
    }
}

@Test func theScanAndTheBigramIndexFindWhatTheOracleFinds() {
    var rng = TitleRandom(state: 15)
    let pool = StringPool()
    var titles = Set<String>()
    // More than 65,536 distinct strings, where other paths switch on.
    while titles.count < 70_000 { titles.insert(rng.title()) }
    for t in titles.sorted() { pool.intern(t) }
    let all = (0..<UInt32(pool.count)).map { pool[$0] }
    let folded = all.map(oracleFold)
    let index = BigramIndex(pool: pool)
    var needles = ["午餐", "a", "A", "Ａ", "ａ", "é", "e\u{301}", "e", "\u{301}", "🍱", "%", "_", "1 2", "的建议", "餐a", "不在", "qQ", "\u{301}🍱"]
    for _ in 0..<30 { needles.append(rng.needle(from: all[1 + rng.int(all.count - 1)])) }
    for needle in needles {
        let n = oracleFold(needle)
        let expected = (0..<UInt32(all.count)).filter { oracleContains(folded[Int($0)], n) }
        #expect(TextNeedle(needle).codes(in: pool) == expected, "scan: \(needle.unicodeScalars.map { String($0.value, radix: 16) })")
        if let viaIndex = index.codes(containing: needle) {
            #expect(viaIndex == expected, "index: \(needle.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }
    // Needles the index answers by itself (rare pairs), and so checked above through it too.
    #expect(index.codes(containing: "午餐") != nil && index.codes(containing: "\u{301}🍱") != nil)
}

@Test func aMatchAcrossTwoStringsIsNoMatch() {
    let pool = StringPool()
    for s in ["ab", "cd", "午", "餐", "xy午餐"] { pool.intern(s) }
    #expect(TextNeedle("bc").codes(in: pool).isEmpty)
    #expect(TextNeedle("午餐").codes(in: pool) == [pool.lookup("xy午餐")!])
    #expect(BigramIndex(pool: pool).codes(containing: "午餐") == [pool.lookup("xy午餐")!])
    // A needle longer than every string, and an empty pool's only string.
    #expect(TextNeedle("abcdefghijklmnopqrstuvwxyz0123456789").codes(in: pool).isEmpty)
    #expect(TextNeedle("a").codes(in: StringPool()).isEmpty)
}

@Test func longStringsAreScannedAcrossTheirWholeLength() {
    // Matches at every offset of strings longer than one 32-byte step, and at their very ends.
    let pool = StringPool()
    var expected: [UInt32] = []
    for k in 0..<100 {
        let s = String(repeating: "学", count: k) + "午餐" + String(repeating: "x", count: 99 - k)
        expected.append(pool.intern(s))
        pool.intern(String(repeating: "午", count: k + 1))
    }
    #expect(TextNeedle("午餐").codes(in: pool) == expected)
    #expect(BigramIndex(pool: pool).codes(containing: "午餐") == expected)
}
