/// A calendar day, stored as the number of days since 1970-01-01 (proleptic Gregorian).
/// Columns keep the raw Int32; `Day.none` marks an empty cell.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var raw: Int32
    public init(raw: Int32) { self.raw = raw }
    public static let none: Int32 = Int32.min

    /// The day, or nil when the month or day does not exist (2020-02-30).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              day >= 1, day <= Day.daysIn(year: year, month: month) else { return nil }
        raw = Int32(Day.daysFromCivil(year, month, day))
    }

    /// Parses yyyy-mm-dd, also yyyy/mm/dd and yyyy.mm.dd, with 1- or 2-digit month and day.
    public init?(_ text: String) {
        var bytes = Array(text.utf8)
        if let d = bytes.withUnsafeMutableBufferPointer({ Day.parse(UnsafeBufferPointer($0)) }) {
            self = d
        } else { return nil }
    }

    /// Parses a date from UTF-8 bytes without allocating. Accepts yyyy-m-d with - / or . and
    /// also 2020年9月17日, with a time of day after it as systems export them (`2019-01-08
    /// 10:23:45.000`, `2015/3/12 9:30:00`, `2020-03-01T08:00`: the time is dropped), and
    /// full-width digits and separators (２０２０－０３－０１, read as their ASCII twins).
    public static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Day? {
        if let d = parseDate(b) { return d }
        // Full-width forms (EF BC 8E-9A: ．／０-９：) and ideographic spaces, as ASCII.
        guard b.contains(0xEF) || b.contains(0xE3) else { return nil }
        var ascii: [UInt8] = []
        var i = 0
        while i < b.count {
            if i + 2 < b.count, b[i] == 0xEF, b[i + 1] == 0xBC, (0x8D...0x9A).contains(b[i + 2]) {
                ascii.append(b[i + 2] - 0x8D + 0x2D); i += 3
            } else if i + 2 < b.count, b[i] == 0xE3, b[i + 1] == 0x80, b[i + 2] == 0x80 {
                ascii.append(0x20); i += 3
            } else {
                ascii.append(b[i]); i += 1
            }
        }
        return ascii.withUnsafeBufferPointer { parseDate($0) }
    }

    private static func parseDate(_ b: UnsafeBufferPointer<UInt8>) -> Day? {
        var i = 0
        let n = b.count
        func number(maxDigits: Int) -> Int? {
            var v = 0, digits = 0
            while i < n, digits < maxDigits, b[i] >= 48, b[i] <= 57 {
                v = v * 10 + Int(b[i] - 48); i += 1; digits += 1
            }
            return digits == 0 ? nil : v
        }
        func separator(_ chinese: [UInt8]) -> Bool {
            if i < n, b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "/") || b[i] == UInt8(ascii: ".") {
                i += 1; return true
            }
            if i + chinese.count <= n, Array(b[i..<(i + chinese.count)]) == chinese {
                i += chinese.count; return true
            }
            return false
        }
        guard let y = number(maxDigits: 4), i == 4, separator([0xE5, 0xB9, 0xB4]),  // 年
              let m = number(maxDigits: 2), separator([0xE6, 0x9C, 0x88]),           // 月
              let d = number(maxDigits: 2) else { return nil }
        if i + 3 <= n, b[i] == 0xE6, b[i + 1] == 0x97, b[i + 2] == 0xA5 { i += 3 }   // 日
        // A time of day: a space or T, then digits, colons and a fraction.
        if i < n, b[i] == 0x20 || b[i] == UInt8(ascii: "T") {
            var j = i + 1
            while j < n, b[j] == 0x20 { j += 1 }
            var digits = 0
            while j < n, (b[j] >= 48 && b[j] <= 57) || b[j] == UInt8(ascii: ":") || b[j] == UInt8(ascii: ".") {
                if b[j] != UInt8(ascii: ":") && b[j] != UInt8(ascii: ".") { digits += 1 }
                j += 1
            }
            if digits >= 2 && j == n { i = n }
        }
        guard i == n else { return nil }
        return Day(year: y, month: m, day: d)
    }

    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Howard Hinnant's days_from_civil.
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public var components: (year: Int, month: Int, day: Int) {
        let z = Int(raw) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// yyyy-mm-dd, the year always in four digits (0220-03-05, not 220-03-05: the loader reads
    /// only four-digit years, and every date written must read back).
    public var description: String {
        let (y, m, d) = components
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = y < 10 ? "000\(y)" : y < 100 ? "00\(y)" : y < 1000 ? "0\(y)" : "\(y)"
        return "\(year)-\(two(m))-\(two(d))"
    }

    /// `n` days later (earlier when negative), held within 0001-01-01…9999-12-31 (see `shifted`).
    public func adding(days n: Int) -> Day { shifted(days: n) ?? (n < 0 ? Day.earliest : Day.latest) }

    /// The first and last days a Day can hold: 0001-01-01 and 9999-12-31.
    public static let earliest = Day(year: 1, month: 1, day: 1)!
    public static let latest = Day(year: 9999, month: 12, day: 31)!

    /// The day `n` days (or, with `months`, calendar months, the day clamped to the month's end)
    /// away, or nil when that is before 0001-01-01 or after 9999-12-31. Never traps, whatever
    /// `n` is.
    public func shifted(days n: Int = 0, months: Int = 0) -> Day? {
        guard let raw = Day.shiftedRaw(Int(raw), days: n, months: months),
              raw >= Int(Day.earliest.raw), raw <= Int(Day.latest.raw) else { return nil }
        return Day(raw: Int32(raw))
    }

    /// `raw` (days since 1970-01-01) shifted by months and then days, on the proleptic
    /// calendar without the 1…9999 bound, or nil only when the arithmetic overflows Int. Used
    /// where a shifted day is compared rather than kept.
    public static func shiftedRaw(_ raw: Int, days n: Int, months: Int) -> Int? {
        var r = raw
        if months != 0 {
            let (y, m, d) = Day(raw: Int32(clamping: raw)).components
            let (t1, o1) = (y * 12).addingReportingOverflow(m - 1)
            let (total, o2) = t1.addingReportingOverflow(months)
            guard !o1, !o2, abs(total) < Int.max / 1024 else { return nil }
            let ny = total >= 0 ? total / 12 : (total - 11) / 12
            let nm = total - ny * 12 + 1
            r = daysFromCivil(ny, nm, min(d, daysIn(year: ny, month: nm)))
        }
        let (sum, overflow) = r.addingReportingOverflow(n)
        return overflow ? nil : sum
    }

    /// Adds months, clamping the day to the end of the target month (2020-11-30 + 3 months =
    /// 2021-02-28), and the result within 0001-01-01…9999-12-31 (a default deadline three months
    /// after 9999-11-01 is 9999-12-31).
    public func adding(months n: Int) -> Day {
        shifted(months: n) ?? (n < 0 ? Day.earliest : Day.latest)
    }

    public static func < (a: Day, b: Day) -> Bool { a.raw < b.raw }

    /// Today in the local time zone.
    public static func today() -> Day {
        let secs = Int(Date.timeIntervalSinceReferenceDateNow()) + 978_307_200
        return Day(raw: Int32(secs / 86_400))
    }
}

import Foundation

extension Date {
    fileprivate static func timeIntervalSinceReferenceDateNow() -> TimeInterval {
        Date().timeIntervalSinceReferenceDate + TimeInterval(TimeZone.current.secondsFromGMT())
    }
}
