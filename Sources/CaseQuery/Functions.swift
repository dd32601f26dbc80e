import CaseStore

/// The functions of a row's date: time buckets to group by (`month(assigned_on)`), and the start
/// of a month or week as a date. Weeks are ISO 8601 weeks: they start on Monday and belong to the
/// year of their Thursday (2021-01-01 is in 2020-W53).
enum DateFunction: String, CaseIterable {
    case year, quarter, month, week
    case startOfMonth = "start_of_month"
    case startOfWeek = "start_of_week"

    /// The Chinese spellings of each function.
    static let spellings: [DateFunction: [String]] = [
        .year: ["year", "年"], .quarter: ["quarter", "季度"], .month: ["month", "月份"], .week: ["week", "周次"],
        .startOfMonth: ["start_of_month", "月初"], .startOfWeek: ["start_of_week", "周一"],
    ]

    static func named(_ s: String) -> DateFunction? {
        let k = s.lowercased()
        return allCases.first { spellings[$0]!.contains(k) }
    }

    /// What the function gives: a date (start_of_…), a whole number (year), or a labelled bucket.
    var type: FieldType {
        switch self {
        case .startOfMonth, .startOfWeek: return .date
        case .year: return .int
        case .quarter, .month, .week: return .text
        }
    }

    var label: String {
        switch self {
        case .year: return "年"
        case .quarter: return "季度"
        case .month: return "月份"
        case .week: return "周次"
        case .startOfMonth: return "月初"
        case .startOfWeek: return "周一"
        }
    }

    /// Monday of the week of `raw` (days since 1970-01-01, a Thursday).
    static func monday(_ raw: Int32) -> Int32 {
        let weekday = ((Int(raw) + 3) % 7 + 7) % 7   // 0 = Monday
        return raw - Int32(weekday)
    }

    /// The bucket of a day as an ordered number: days for the start_of functions, the year,
    /// year*4+quarter-1, year*12+month-1, or the Monday of the ISO week. Day.none stays none.
    func key(_ raw: Int32) -> Int32 {
        if raw == Day.none { return Day.none }
        switch self {
        case .startOfWeek, .week: return DateFunction.monday(raw)
        default: break
        }
        let (y, m, _) = Day(raw: raw).components
        switch self {
        case .year: return Int32(y)
        case .quarter: return Int32(y * 4 + (m - 1) / 3)
        case .month: return Int32(y * 12 + m - 1)
        case .startOfMonth: return Day(year: y, month: m, day: 1)!.raw
        default: return raw
        }
    }

    /// The cell of a bucket number made by `key`: `2020-06`, `2020-Q2`, `2020-W23`, 2020, a date.
    func cell(_ key: Int32) -> Cell {
        if key == Day.none { return .null }
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        switch self {
        case .year: return .int(Int(key))
        case .quarter:
            let k = Int(key), y = k >= 0 ? k / 4 : (k - 3) / 4
            return .text("\(y)-Q\(k - y * 4 + 1)")
        case .month:
            let k = Int(key), y = k >= 0 ? k / 12 : (k - 11) / 12
            return .text("\(y)-\(two(k - y * 12 + 1))")
        case .week:
            // The ISO year is the year of the week's Thursday.
            let thursday = key + 3
            let y = Day(raw: thursday).components.year
            let firstThursday = DateFunction.monday(Day(year: y, month: 1, day: 4)!.raw) + 3
            return .text("\(y)-W\(two(Int(thursday - firstThursday) / 7 + 1))")
        case .startOfMonth, .startOfWeek: return .day(Day(raw: key))
        }
    }
}

extension Binder {
    /// A row-level function of a date field as a field of its own: `month(assigned_on)`.
    /// Throws for an unknown function or a field that is not a date.
    func dateFunction(_ fn: DateFunction, _ args: [ValueExpr], _ range: SourceRange) throws -> BoundField {
        guard args.count == 1, case .name(let id) = args[0] else {
            throw QueryError(Message(en: "\(fn.rawValue) takes one date field, e.g. \(fn.rawValue)(assigned_on)", zh: "\(fn.rawValue) 取一个日期字段，如 \(fn.rawValue)(assigned_on)"), at: range)
        }
        let f = try field(id)
        guard case .date = f.spec.type, let g = intGetter(f) else {
            throw QueryError(Message(en: "\(fn.rawValue) takes a date; `\(f.qualifiedName)` is \(f.spec.type.name)", zh: "\(fn.rawValue) 取日期；`\(f.qualifiedName)` 是\(f.spec.type.described.zh)"), at: id.range)
        }
        let name = "\(fn.rawValue)(\(f.qualifiedName))"
        let spec = FieldSpec(FieldName(name), "\(f.spec.label)\(fn.label)", fn.type, derived: true)
        let computed = Computed(int: { fn.key(g($0)) }, cellOfInt: { fn.cell($0) })
        return BoundField(spec: spec, column: nil, range: range, computed: computed)
    }

    /// A value of a row that is not a stored field: a date function, or a count of related rows.
    /// Nil when `v` is not such a call (an aggregate, say).
    func computedField(_ v: ValueExpr) throws -> BoundField? {
        guard case .call(let id, let args, let star, let range) = v, !star else { return nil }
        if let fn = DateFunction.named(id.text) { return try dateFunction(fn, args, range) }
        if Aggregate.canonical(id.text) == "count", args.count == 1, let (child, filter) = args[0].relatedRows {
            return try relatedCount(child, filter, range)
        }
        return nil
    }
}

/// A value computed for each row: a whole number (or day, or bucket) and how to show it.
final class Computed {
    /// The ordered number of the row's value; Day.none when empty.
    let int: (Int) -> Int32
    let cellOfInt: (Int32) -> Cell
    init(int: @escaping (Int) -> Int32, cellOfInt: @escaping (Int32) -> Cell) {
        self.int = int; self.cellOfInt = cellOfInt
    }
}
