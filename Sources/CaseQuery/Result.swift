import CaseStore

/// One value of a result: what renderers print and exporters write.
public enum Cell: Equatable, Sendable {
    case null
    case text(String)
    case int(Int)
    case double(Double)
    /// A rate 0…1, shown as a percentage.
    case rate(Double)
    case day(Day)
    case bool(Bool)
    case list([String])

    /// Plain text: ISO dates, lists joined with ;, rates as percentages with one decimal.
    public var text: String {
        switch self {
        case .null: return ""
        case .text(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return Cell.format(d, decimals: 2)
        case .rate(let r): return Cell.format(r * 100, decimals: 1) + "%"
        case .day(let d): return d.description
        case .bool(let b): return b ? "true" : "false"
        case .list(let l): return l.joined(separator: ";")
        }
    }

    /// Machine-friendly text for CSV and JSON: rates as fractions with full precision.
    public var exportText: String {
        switch self {
        case .rate(let r): return Cell.format(r, decimals: 6, trim: true)
        case .double(let d): return Cell.format(d, decimals: 6, trim: true)
        default: return text
        }
    }

    public var isNumeric: Bool {
        switch self { case .int, .double, .rate: return true; default: return false }
    }

    static func format(_ v: Double, decimals: Int, trim: Bool = false) -> String {
        guard v.isFinite else { return v.isNaN ? "" : (v > 0 ? "inf" : "-inf") }
        // Past 1e15 the fixed-point path below would overflow Int: print as Swift does.
        if abs(v) >= 1e15 { return String(v) }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (abs(v) * scale).rounded() / scale
        let negative = v < 0 && rounded != 0
        let whole = Int(rounded)
        var frac = Int(((rounded - Double(whole)) * scale).rounded())
        var wholePart = whole
        if Double(frac) >= scale { wholePart += 1; frac = 0 }
        var fracText = String(frac)
        while fracText.count < decimals { fracText = "0" + fracText }
        if trim { while fracText.hasSuffix("0") { fracText.removeLast() } }
        let body = decimals == 0 || fracText.isEmpty ? String(wholePart) : "\(wholePart).\(fracText)"
        return (negative ? "-" : "") + body
    }

    /// Ordering for sort: nulls first, then by value; text by Unicode scalars.
    public static func less(_ a: Cell, _ b: Cell) -> Bool {
        switch (a, b) {
        case (.null, .null): return false
        case (.null, _): return true
        case (_, .null): return false
        case (.int(let x), .int(let y)): return x < y
        case (.day(let x), .day(let y)): return x < y
        case (.text(let x), .text(let y)): return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars)
        case (.bool(let x), .bool(let y)): return !x && y
        default:
            if let x = a.number, let y = b.number { return x < y }
            return a.text.unicodeScalars.lexicographicallyPrecedes(b.text.unicodeScalars)
        }
    }

    public var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d), .rate(let d): return d
        case .day(let d): return Double(d.raw)
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }
}

public struct ResultColumn: Equatable, Sendable {
    public var name: String
    /// The Chinese label where the column is a field, for headers in Chinese.
    public var label: String
    public var numeric: Bool
    /// Whether its values are an enumerated field's (kind, status, level …): a table keeps a
    /// short one whole rather than cut it.
    public var enumerated: Bool
    public init(name: String, label: String = "", numeric: Bool = false, enumerated: Bool = false) {
        self.name = name; self.label = label.isEmpty ? name : label; self.numeric = numeric; self.enumerated = enumerated
    }
}

/// Rows of cells. Large selections stay lazy: cells are made when asked for.
public struct ResultSet: @unchecked Sendable {
    public var columns: [ResultColumn]
    public let rowCount: Int
    private let cellAt: (Int, Int) -> Cell

    public init(columns: [ResultColumn], rowCount: Int, cell: @escaping (Int, Int) -> Cell) {
        self.columns = columns; self.rowCount = rowCount; self.cellAt = cell
    }
    public init(columns: [ResultColumn], rows: [[Cell]]) {
        self.columns = columns
        self.rowCount = rows.count
        self.cellAt = { rows[$0][$1] }
    }

    public func cell(_ row: Int, _ column: Int) -> Cell { cellAt(row, column) }
    public func row(_ r: Int) -> [Cell] { (0..<columns.count).map { cellAt(r, $0) } }
    public var rows: [[Cell]] { (0..<rowCount).map(row) }
}

/// What a statement produced.
public enum Outcome: Sendable {
    case rows(ResultSet)
    /// `explain`: the plan, one line a step.
    case plan([String])
    /// `expect`: passed (with a message) — a failed expectation throws.
    case expectation(String)
}
