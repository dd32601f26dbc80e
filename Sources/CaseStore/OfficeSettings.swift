// The periods and schemes of the office's rules that differ from city to city, read from
// manifest.json's "rules" object, with DOMAIN.md's defaults. The loader uses the deadline periods
// (first deadline, re-handling, extension: CurrentDeadline.swift); CaseOffice uses the rest.

import Foundation

/// A length of time as the rules state it: months, calendar days or working days (工作日).
public struct Period: Sendable, Equatable, CustomStringConvertible {
    public enum Unit: String, Sendable { case months = "m", days = "d", workingDays = "wd" }
    public let count: Int
    public let unit: Unit
    public init(_ count: Int, _ unit: Unit) { self.count = count; self.unit = unit }

    /// Reads `3m` (months), `7d` (calendar days), `5wd` (working days); also `3个月`, `7天`, `5个工作日`.
    public init?(_ text: String) {
        let t = text.trimmingSpaces().lowercased()
        let digits = t.prefix { $0.isASCII && $0.isNumber }
        guard let n = Int(digits), n >= 0, n <= 10_000 else { return nil }
        switch String(t.dropFirst(digits.count)).trimmingSpaces() {
        case "m", "month", "months", "个月", "月": self.init(n, .months)
        case "d", "day", "days", "天", "日": self.init(n, .days)
        case "wd", "working day", "working days", "workday", "workdays", "个工作日", "工作日": self.init(n, .workingDays)
        default: return nil
        }
    }

    /// `3m`, `7d`, `5wd`: the spelling manifest.json takes.
    public var description: String { "\(count)\(unit.rawValue)" }

    /// In Chinese: 3 个月, 7 天, 5 个工作日.
    public var label: String {
        switch unit {
        case .months: return "\(count) 个月"
        case .days: return "\(count) 天"
        case .workingDays: return "\(count) 个工作日"
        }
    }

    /// The day this period after `day`, for months and calendar days; nil for working days (they
    /// need a calendar: `WorkingCalendar.end(of:after:)` counts them).
    public func after(_ day: Day) -> Day? {
        switch unit {
        case .months: return day.adding(months: count)
        case .days: return day.adding(days: count)
        case .workingDays: return nil
        }
    }
}

/// Settings of the office's rules (manifest.json "rules"); each has DOMAIN.md's default.
///
/// ```json
/// "rules": {
///   "deadline": "3m",
///   "deadline_by": {"proposal": "3m", "suggestion/province": "2m"},
///   "fixed_deadline": {"suggestion/city": "2020-08-31"},
///   "rehandle": "1m", "extension": "1m", "co_unit": "1m", "signing": "7d",
///   "return_request": "5wd", "classes": ["A", "B", "C 已列入规划计划逐步解决"],
///   "categories": ["城乡建设", "教科文卫", {"label": "财政经济", "aliases": ["财经"]}],
///   "calendar": {"holidays": ["2021-01-01"], "workdays": ["2021-02-07"], "source": "国办发明电〔2020〕27号"}
/// }
/// ```
public struct OfficeSettings: Sendable, Equatable {
    /// 办理期限: a case's first deadline after its assignment (months, days or working days).
    public var deadline = Period(3, .months)
    /// The deadline by kind, level or `kind/level` (the most specific wins).
    public var deadlineBy: [String: Period] = [:]
    /// Fixed deadline dates by kind, level or `kind/level` (some cities set one date per kind).
    public var fixedDeadline: [String: Day] = [:]
    /// 重新办理: after a 不满意 answer the case is answered again within this period of the
    /// `rehandle` event.
    public var rehandle = Period(1, .months)
    /// 延期: each `extend` event moves the current deadline on by this period.
    public var extension_ = Period(1, .months)
    /// 会办意见: a co-unit sends its opinion within this period of the assignment.
    public var coUnit = Period(1, .months)
    /// 签收: a unit signs for a case within this period of its (re)assignment.
    public var signing = Period(7, .days)
    /// 申请退办: a return request is accepted within this period of the (re)assignment.
    public var returnRequest = Period(5, .workingDays)
    /// The resolution classes (解决程度) in use, in order: A–D, or A–C in some provinces
    /// (`rules.classes`, read by `Schemes.resolution`).
    public var classes = ["A", "B", "C", "D"]
    /// The resolution column's words: the classes in use with the dataset's own words for them.
    public var resolution = Resolution.info
    /// The fixed category list (`rules.categories`), or nil: category is open text.
    public var categories: EnumInfo?
    /// Days added to the built-in calendar: official holidays (days off) and make-up working days
    /// (调休上班), with where they come from.
    public var extraHolidays: [Day] = []
    public var extraWorkdays: [Day] = []
    public var calendarSource = ""
    public init() {}

    /// The keys a setting by kind and level may use, most specific first.
    public static func keys(kind: UInt8, level: UInt8) -> [String] {
        let k = kind == EnumInfo.none ? nil : Kind.info.token(kind)
        let l = level == EnumInfo.none ? nil : Level.info.token(level)
        var out: [String] = []
        if let k, let l { out.append("\(k)/\(l)") }
        if let k { out.append(k) }
        if let l { out.append(l) }
        return out
    }

    /// The first deadline of a case of this kind and level assigned on `assigned`: a fixed date
    /// if one is set, else the period after the assignment (working days counted on `calendar`).
    public func firstDeadline(kind: UInt8, level: UInt8, assigned: Day, calendar: WorkingCalendar) -> Day {
        let keys = Self.keys(kind: kind, level: level)
        for k in keys { if let d = fixedDeadline[k] { return d } }
        for k in keys { if let p = deadlineBy[k] { return calendar.end(of: p, after: assigned) } }
        return calendar.end(of: deadline, after: assigned)
    }

    /// Reads the "rules" object of manifest.json (nil: the defaults).
    /// - Throws: `LoadError` naming the key and the value when one is not understood.
    public init(json: Any?, file: String) throws {
        self.init()
        guard let json else { return }
        guard let o = json as? [String: Any] else { throw LoadError(Message(en: "rules: expected an object", zh: "rules：应为对象"), file: file) }
        let known: Set<String> = ["deadline", "deadline_by", "fixed_deadline", "rehandle", "extension", "co_unit",
                                  "signing", "return_request", "classes", "categories", "calendar"]
        if let bad = o.keys.sorted().first(where: { !known.contains($0) }) {
            throw LoadError(Message(en: "rules: unknown setting \"\(bad)\" (known: \(known.sorted().joined(separator: ", ")))", zh: "rules：未知的设置 \"\(bad)\"（已知：\(known.sorted().joined(separator: ", "))）"), file: file)
        }
        func period(_ key: String, _ value: Any?) throws -> Period? {
            guard let value else { return nil }
            guard let s = value as? String, let p = Period(s) else {
                throw LoadError(Message(en: "rules: \(key): \"\(value)\" is not a period (expected e.g. 3m, 7d or 5wd)", zh: "rules：\(key)：\"\(value)\" 不是期限（应如 3m、7d 或 5wd）"), file: file)
            }
            return p
        }
        func byKey(_ key: String) throws -> [String: Any] {
            guard let v = o[key] else { return [:] }
            guard let d = v as? [String: Any] else { throw LoadError(Message(en: "rules: \(key): expected an object", zh: "rules：\(key)：应为对象"), file: file) }
            let valid = Set(Kind.allCases.map(\.token) + Level.allCases.map(\.token)
                            + Kind.allCases.flatMap { k in Level.allCases.map { "\(k.token)/\($0.token)" } })
            if let bad = d.keys.sorted().first(where: { !valid.contains($0) }) {
                throw LoadError(Message(en: "rules: \(key): \"\(bad)\" is not a kind, a level or kind/level (e.g. suggestion/city)", zh: "rules：\(key)：\"\(bad)\" 不是类别、级别或 类别/级别（如 suggestion/city）"), file: file)
            }
            return d
        }
        if let p = try period("deadline", o["deadline"]) { deadline = p }
        for (k, v) in try byKey("deadline_by") { deadlineBy[k] = try period("deadline_by.\(k)", v) }
        for (k, v) in try byKey("fixed_deadline") {
            guard let s = v as? String, let d = Day(s) else {
                throw LoadError(Message(en: "rules: fixed_deadline.\(k): \"\(v)\" is not a date (expected yyyy-mm-dd)", zh: "rules：fixed_deadline.\(k)：\"\(v)\" 不是日期（应为 yyyy-mm-dd）"), file: file)
            }
            fixedDeadline[k] = d
        }
        if let p = try period("rehandle", o["rehandle"]) { rehandle = p }
        if let p = try period("extension", o["extension"]) { extension_ = p }
        if let p = try period("co_unit", o["co_unit"]) { coUnit = p }
        if let p = try period("signing", o["signing"]) { signing = p }
        if let p = try period("return_request", o["return_request"]) { returnRequest = p }
        if let c = o["classes"] { (classes, resolution) = try Schemes.resolution(c, file: file) }
        if let c = o["categories"] { categories = try Schemes.categories(c, file: file) }
        if let c = o["calendar"] {
            guard let cal = c as? [String: Any] else { throw LoadError(Message(en: "rules: calendar: expected an object", zh: "rules：calendar：应为对象"), file: file) }
            func days(_ key: String) throws -> [Day] {
                guard let v = cal[key] else { return [] }
                guard let list = v as? [String] else { throw LoadError(Message(en: "rules: calendar.\(key): expected a list of dates", zh: "rules：calendar.\(key)：应为日期的列表"), file: file) }
                return try list.map { s in
                    guard let d = Day(s) else { throw LoadError(Message(en: "rules: calendar.\(key): \"\(s)\" is not a date", zh: "rules：calendar.\(key)：\"\(s)\" 不是日期"), file: file) }
                    return d
                }
            }
            extraHolidays = try days("holidays")
            extraWorkdays = try days("workdays")
            calendarSource = cal["source"] as? String ?? ""
        }
    }
}
