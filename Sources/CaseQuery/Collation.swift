import Foundation
import CaseStore
#if canImport(_FoundationICU)
import _FoundationICU
#endif

/// The order of text in results: Chinese by pinyin, as Excel and WPS sort it. It is ICU's
/// collation for zh_Hans_CN: the ICU that swift-corelibs-foundation carries on Linux (module
/// `_FoundationICU`, linked as `lib_FoundationICU`), so no other library is needed. Texts the
/// collation finds equal fall back to their Unicode scalars, so the order is total.
///
/// Sorting compares bytes, not texts: each distinct text gets an ICU sort key once (a few µs),
/// and keys compare as plain bytes (an ICU comparison through Foundation's
/// `compare(_:options:range:locale:)` costs 15–40 µs, which made `order by title` over 70,000
/// distinct titles take ~40 s). A text column's ranks are kept per string pool (one rank per
/// dictionary code), so a second sort over the same column compares integers only.
enum Collation {
    static let locale = Locale(identifier: "zh_Hans_CN")

    #if canImport(_FoundationICU)
    /// The collator, opened once. ICU collators are safe for concurrent use of their const
    /// functions (ucol_getSortKey is one), which is why the opaque pointer may be shared
    /// across threads. Nil if ICU could not open it.
    nonisolated(unsafe) private static let collator: OpaquePointer? = {
        var status = U_ZERO_ERROR
        let c = swift_ucol_open("zh_Hans_CN", &status)
        return status.rawValue > U_ZERO_ERROR.rawValue ? nil : c
    }()
    #endif

    /// Appends the bytes a text sorts by to `out`: its ICU sort key (which ends in its only 0
    /// byte), then its UTF-8 bytes, which order texts the collation finds equal by their
    /// scalars. False (and `out` unchanged) when ICU cannot be reached.
    static func appendKey(_ s: String, to out: inout [UInt8]) -> Bool {
        #if canImport(_FoundationICU)
        guard let collator else { return false }
        var s = s
        var room = 256
        while true {
            let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: room)
            defer { scratch.deallocate() }
            // A NUL-terminated UTF-16 copy (length -1): ICU stops at the first NUL, and the
            // UTF-8 bytes after the key still order texts that differ beyond one.
            let n = Int(s.withCString(encodedAs: UTF16.self) { swift_ucol_getSortKey(collator, $0, -1, scratch, Int32(room)) })
            if n <= 0 { return false }
            if n > room { room = n; continue }
            out.append(contentsOf: UnsafeBufferPointer(start: scratch, count: n))
            break
        }
        s.withUTF8 { out.append(contentsOf: $0) }
        return true
        #else
        return false
        #endif
    }

    /// The bytes a text sorts by (see `appendKey`), or nil when ICU cannot be reached.
    static func key(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        return appendKey(s, to: &out) ? out : nil
    }

    /// Whether `a` sorts before `b`, by ICU through Foundation, one comparison at a time.
    static func less(_ a: String, _ b: String) -> Bool {
        switch a.compare(b, options: [], range: nil, locale: locale) {
        case .orderedAscending: return true
        case .orderedDescending: return false
        case .orderedSame: return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
        }
    }

    /// The indices of `texts` in collation order (stable for equal texts): by sort keys, made
    /// once a text and kept in one buffer, compared with memcmp; or by `less` where ICU cannot
    /// be reached.
    static func order(_ texts: [String]) -> [Int] {
        var bytes: [UInt8] = []
        var offsets = [Int](repeating: 0, count: texts.count + 1)
        var keyed = true
        for (i, t) in texts.enumerated() {
            guard appendKey(t, to: &bytes) else { keyed = false; break }
            offsets[i + 1] = bytes.count
        }
        guard keyed else {
            return texts.indices.sorted { i, j in
                less(texts[i], texts[j]) || (!less(texts[j], texts[i]) && i < j)
            }
        }
        return bytes.withUnsafeBufferPointer { p in
            offsets.withUnsafeBufferPointer { o in
                let base = p.baseAddress
                return texts.indices.sorted { i, j in
                    let a = o[i], la = o[i + 1] - a, b = o[j], lb = o[j + 1] - b
                    let c = memcmp(base! + a, base! + b, min(la, lb))
                    if c != 0 { return c < 0 }
                    return la != lb ? la < lb : i < j
                }
            }
        }
    }

    /// Each cell's rank among the distinct texts of `cells` in collation order, as `.int`
    /// (`.null` stays `.null`, and sorts first): sorting on ranks collates each distinct text
    /// once, not each row pair.
    static func rankCells(_ cells: [Cell]) -> [Cell] {
        var distinct = Set<String>()
        for c in cells where c != .null { distinct.insert(c.text) }
        let texts = Array(distinct)
        var rank: [String: Int] = [:]
        rank.reserveCapacity(texts.count)
        for (r, i) in order(texts).enumerated() { rank[texts[i]] = r }
        return cells.map { $0 == .null ? .null : .int(rank[$0.text]!) }
    }

    /// Ranks of one pool, kept while the pool lives and holds as many texts.
    private final class PoolRanks {
        weak var pool: StringPool?
        let count: Int
        let ranks: [UInt32]
        init(pool: StringPool, ranks: [UInt32]) { self.pool = pool; self.count = pool.count; self.ranks = ranks }
    }
    /// Read and written only while holding `lock`.
    nonisolated(unsafe) private static var poolRanks: [ObjectIdentifier: PoolRanks] = [:]
    private static let lock = NSLock()

    /// Each code's rank among all texts of `pool` in collation order (distinct texts, distinct
    /// ranks; code 0, the empty text, first). Made once per pool and kept: later calls cost
    /// nothing.
    static func ranks(of pool: StringPool) -> [UInt32] {
        let id = ObjectIdentifier(pool)
        lock.lock()
        if let kept = poolRanks[id], kept.pool === pool, kept.count == pool.count { lock.unlock(); return kept.ranks }
        lock.unlock()
        let texts = (0..<pool.count).map { pool[UInt32($0)] }
        var ranks = [UInt32](repeating: 0, count: texts.count)
        for (r, i) in order(texts).enumerated() { ranks[i] = UInt32(r) }
        lock.lock()
        poolRanks = poolRanks.filter { $0.value.pool != nil }
        poolRanks[id] = PoolRanks(pool: pool, ranks: ranks)
        lock.unlock()
        return ranks
    }

    /// Whether the ranks of `pool` are kept already.
    static func hasRanks(of pool: StringPool) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard let kept = poolRanks[ObjectIdentifier(pool)] else { return false }
        return kept.pool === pool && kept.count == pool.count
    }
}
