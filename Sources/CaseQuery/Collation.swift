import Foundation

/// The order of text in results: Chinese by pinyin, as Excel and WPS sort it. It is ICU's
/// collation for zh_Hans_CN, reached through Foundation's `compare(_:options:range:locale:)`
/// (swift-corelibs-foundation carries ICU on Linux, so no other library is needed). Texts the
/// collation finds equal fall back to their Unicode scalars, so the order is total.
enum Collation {
    static let locale = Locale(identifier: "zh_Hans_CN")

    static func less(_ a: String, _ b: String) -> Bool {
        switch a.compare(b, options: [], range: nil, locale: locale) {
        case .orderedAscending: return true
        case .orderedDescending: return false
        case .orderedSame: return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
        }
    }

    /// Each cell's rank among the distinct texts of `cells` in collation order, as `.int`
    /// (`.null` stays `.null`, and sorts first): sorting on ranks compares each distinct text
    /// pair through ICU once, not each row pair.
    static func rankCells(_ cells: [Cell]) -> [Cell] {
        var distinct = Set<String>()
        for c in cells where c != .null { distinct.insert(c.text) }
        let order = distinct.sorted(by: less)
        var rank: [String: Int] = [:]
        rank.reserveCapacity(order.count)
        for (i, s) in order.enumerated() { rank[s] = i }
        return cells.map { $0 == .null ? .null : .int(rank[$0.text]!) }
    }
}
