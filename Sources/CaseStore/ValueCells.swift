import Foundation

/// Cells of one value each: enumerations and yes/no (through the spellings met so far), dates
/// (through a cache of the last ones met) and whole numbers.
extension CellParser {
    @inline(__always)
    func appendCode(_ p: UnsafeBufferPointer<UInt8>) -> Message? {
        if p.count == 0 { bytes.append(EnumInfo.none); return nil }
        let v = lookup(p)
        if v == 254 {
            let s = String(decoding: p, as: UTF8.self)
            let expected = info!.values.map { $0.label == $0.token ? $0.label : "\($0.label) (\($0.token))" }.joined(separator: ", ")
            let near = info!.nearest(to: s).map { Message(en: "; did you mean \($0)?", zh: "；是不是 \($0)？") } ?? .same("")
            let article = "aeiou".contains(spec.name.first ?? "x") ? "an" : "a"
            return Message(en: "\"\(s)\" is not \(article) \(spec.name) (expected one of \(expected))",
                           zh: "\"\(s)\" 不是\(spec.label)的取值（应为以下之一：\(expected)）") + near
        }
        bytes.append(v)
        return nil
    }

    @inline(__always)
    func appendBool(_ p: UnsafeBufferPointer<UInt8>) -> Message? {
        if p.count == 0 { bytes.append(0); return nil }
        let v = lookup(p)
        if v == 254 {
            let s = String(decoding: p, as: UTF8.self)
            return Message(en: "\"\(s)\" is not a yes/no value (expected \(YesNo.expected.en))", zh: "\"\(s)\" 不是是/否值（应为 \(YesNo.expected.zh)）")
        }
        bytes.append(v)
        return nil
    }

    @inline(__always)
    func appendDay(_ p: UnsafeBufferPointer<UInt8>) -> Message? {
        if p.count == 0 { numbers.append(Day.none); return nil }
        // yyyy-mm-dd, the usual spelling, from a small cache keyed by its ten bytes.
        var key: UInt64 = 0, tail: UInt16 = 0, slot = 0
        if p.count == 10 {
            let raw = UnsafeRawPointer(p.baseAddress!)
            key = raw.loadUnaligned(as: UInt64.self)
            tail = raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
            // Multiplicative hashing: the top bits depend on every byte (the low ones do not).
            let h = (key ^ UInt64(tail) << 48 ^ key >> 29) &* 0x9E37_79B9_7F4A_7C15
            slot = Int(h >> 55)
            if dayKeys[slot] == key && dayTails[slot] == tail { numbers.append(dayValues[slot]); return nil }
        }
        guard let d = Day.parse(p) ?? CellParser.serialDay(p) ?? CellParser.compactDay(p) else { return CellParser.dateError(p) }
        if p.count == 10 { dayKeys[slot] = key; dayTails[slot] = tail; dayValues[slot] = d.raw }
        numbers.append(d.raw)
        return nil
    }

    @inline(__always)
    func appendInt(_ p: UnsafeBufferPointer<UInt8>) -> Message? {
        if p.count == 0 { numbers.append(Day.none); return nil }
        var v: Int64 = 0
        var ok = p.count <= 9
        var i = 0
        let negative = p[0] == 0x2D
        if negative { i = 1; ok = ok && p.count > 1 }
        while ok && i < p.count {
            let b = p[i]
            if b < 48 || b > 57 { ok = false; break }
            v = v * 10 + Int64(b - 48); i += 1
        }
        guard ok else {
            let s = String(decoding: p, as: UTF8.self)
            return Message(en: "\"\(s)\" is not a whole number", zh: "\"\(s)\" 不是整数")
        }
        numbers.append(Int32(negative ? -v : v))
        return nil
    }

    /// Up to 16 bytes as two words (overlapping loads inside the cell: with the length they say
    /// every byte).
    @inline(__always)
    static func words(_ p: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64)? {
        let n = p.count
        guard n > 0, n <= 16 else { return nil }
        let raw = UnsafeRawPointer(p.baseAddress!)
        if n >= 8 { return (raw.loadUnaligned(as: UInt64.self), raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)) }
        if n >= 4 {
            return (UInt64(raw.loadUnaligned(as: UInt32.self)) | UInt64(raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)) << 32, 0)
        }
        var w: UInt64 = 0
        for i in 0..<n { w |= UInt64(p[i]) << UInt64(8 * i) }
        return (w, 0)
    }

    @inline(__always)
    func lookup(_ p: UnsafeBufferPointer<UInt8>) -> UInt8 {
        let w = CellParser.words(p)
        if let w {
            for i in 0..<recentCount where recentLength[i] == p.count && recentWords[i] == w { return recentValue[i] }
        }
        var isNew = false
        let k = Int(seen.intern(p, isNew: &isNew))
        if isNew { resolve(p, k) }
        if let w, recentCount < CellParser.recentSize {
            recentLength[recentCount] = p.count; recentWords[recentCount] = w; recentValue[recentCount] = seenValue[k]
            recentCount += 1
        }
        return seenValue[k]
    }

    func resolve(_ p: UnsafeBufferPointer<UInt8>, _ k: Int) {
        while seenValue.count <= k { seenValue.append(254) }
        let s = String(decoding: p, as: UTF8.self)
        if let info {
            seenValue[k] = info.loadedCode(of: s) ?? 254
        } else {
            seenValue[k] = YesNo.value(of: s).map { $0 ? 1 : 0 } ?? 254
        }
    }

    /// A spreadsheet's serial day written as a number (a date cell saved without its format):
    /// five digits, optionally with a fraction of a day, days since 1899-12-30 (1927–2173).
    static func serialDay(_ p: UnsafeBufferPointer<UInt8>) -> Day? {
        var whole = 0, i = 0
        // Six digits at most are read (more is not a serial day): a long run of digits cannot overflow.
        while i < p.count, i <= 5, p[i] >= 48, p[i] <= 57 { whole = whole * 10 + Int(p[i] - 48); i += 1 }
        guard i == 5 else { return nil }
        if i < p.count {
            guard p[i] == 0x2E, i + 1 < p.count else { return nil }
            for k in (i + 1)..<p.count where p[k] < 48 || p[k] > 57 { return nil }
        }
        return Day(raw: Int32(whole - 25_569))
    }

    /// A text column past what its 32-bit offsets reach.
    static let over4GB = Message(en: "the column's text passes 4 GB", zh: "该列文字超过 4 GB")

    /// A date written as eight digits, yyyymmdd (`20200305`: how many Chinese offices' systems
    /// and forms write a date), when it is a real day of the years 1900–2199; nil otherwise.
    static func compactDay(_ p: UnsafeBufferPointer<UInt8>) -> Day? {
        guard p.count == 8, p.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        func n(_ r: Range<Int>) -> Int { r.reduce(0) { $0 * 10 + Int(p[$1] - 48) } }
        let y = n(0..<4)
        guard (1900...2199).contains(y) else { return nil }
        return Day(year: y, month: n(4..<6), day: n(6..<8))
    }

    /// Why a date column's cell is not a date: a day past its month's end (`2020-02-30`: "2020-02
    /// has 29 days"), eight digits that are no yyyymmdd day, a date with the year last
    /// (`3/5/2020`: day and month cannot be told apart, so it is said to be ambiguous, with
    /// what it could mean, and the forms that are read), else the form expected.
    static func dateError(_ p: UnsafeBufferPointer<UInt8>) -> Message {
        let s = String(decoding: p, as: UTF8.self)
        let pieces = s.split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." }).map(String.init)
        let parts = pieces.compactMap { Int($0) }
        let forms = { (d: Day) -> (en: String, zh: String) in
            let (y, m, dd) = d.components
            let compact = d.description.replacingOccurrences(of: "-", with: "")
            return ("\(d), \(y)/\(m)/\(dd), \(y)年\(m)月\(dd)日 or \(compact)", "\(d)、\(y)/\(m)/\(dd)、\(y)年\(m)月\(dd)日 或 \(compact)")
        }
        if parts.count == 3, pieces.count == 3, pieces[0].count == 4, (1...12).contains(parts[1]), parts[2] > 0 {
            let days = Day.daysIn(year: parts[0], month: parts[1])
            if parts[2] > days {
                let month = "\(parts[0])-\(parts[1] < 10 ? "0" : "")\(parts[1])"
                return Message(en: "\"\(s)\" is not a date (\(month) has \(days) days)", zh: "\"\(s)\" 不是日期（\(month) 只有 \(days) 天）")
            }
        }
        if parts.count == 3, pieces.count == 3, pieces[2].count == 4, pieces[0].count <= 2, pieces[1].count <= 2 {
            // The year last: month/day (as in the US) or day/month (as in Britain) — caseql reads neither.
            let y = parts[2]
            let monthFirst = Day(year: y, month: parts[0], day: parts[1]), dayFirst = Day(year: y, month: parts[1], day: parts[0])
            switch (monthFirst, dayFirst) {
            case let (a?, b?) where a != b:
                return Message(en: "\"\(s)\" is ambiguous: with the year last it is \(a) (month/day/year) or \(b) (day/month/year); write the year first: yyyy-mm-dd, yyyy/m/d, yyyy年m月d日 or yyyymmdd",
                               zh: "\"\(s)\" 有歧义：年份在后，可能是 \(a)（月/日/年）或 \(b)（日/月/年）；请把年份写在前面：yyyy-mm-dd、yyyy/m/d、yyyy年m月d日 或 yyyymmdd")
            case let (a?, _), let (nil, a?):
                return Message(en: "\"\(s)\" is not a date caseql reads (the year last); write the year first: \(forms(a).en)",
                               zh: "\"\(s)\" 不是可读取的日期（年份在后）；请把年份写在前面：\(forms(a).zh)")
            default: break
            }
        }
        if p.count == 8, p.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            let y = s.prefix(4), m = s.dropFirst(4).prefix(2), d = s.suffix(2)
            return Message(en: "\"\(s)\" is not a date (eight digits are read as yyyymmdd, and \(y)-\(m)-\(d) is no day)",
                           zh: "\"\(s)\" 不是日期（八位数字按 yyyymmdd 读取，\(y)-\(m)-\(d) 不是有效日期）")
        }
        return Message(en: "\"\(s)\" is not a date (expected yyyy-mm-dd)", zh: "\"\(s)\" 不是日期（应为 yyyy-mm-dd）")
    }
}
