import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Parses one cell's bytes into its column. Keeps small caches (enum and bool spellings seen so
/// far) so that a million rows cost a hash lookup per cell, not a String.
final class CellParser {
    enum Kind { case text, list, code, bool, day, int }
    let spec: FieldSpec
    let kind: Kind
    // The column, held without reference counting on the hot path (the table outlives the parser).
    private unowned(unsafe) let textColumn: TextColumn?
    private unowned(unsafe) let listColumn: ListColumn?
    private unowned(unsafe) let codeColumn: CodeColumn?
    private unowned(unsafe) let boolColumn: BoolColumn?
    private unowned(unsafe) let dayColumn: DayColumn?
    private unowned(unsafe) let intColumn: IntColumn?
    private unowned(unsafe) let pool: StringPool?
    /// Spellings met so far → value (enum code, or 0/1 for bools); 254 = not valid.
    private let seen = StringPool(capacity: 32)
    private var seenValue: [UInt8] = []
    /// Set when a newly interned text was not valid UTF-8.
    var sawInvalidUTF8 = false
    /// The column's cells kept as bytes, to be interned later (deferred fields, and unique keys in
    /// a half parsed apart).
    private unowned(unsafe) let pending: PendingCells?

    init(spec: FieldSpec, column: ColumnRef, expectedRows: Int = 0) {
        self.spec = spec
        var t: TextColumn?, l: ListColumn?, c: CodeColumn?, b: BoolColumn?, d: DayColumn?, i: IntColumn?
        switch column {
        case .text(let x):
            kind = .text; t = x
            if let p = x.pending { p.ends.reserve(extra: expectedRows) } else { x.codes.reserveCapacity(x.codes.count + expectedRows) }
        case .list(let x): kind = .list; l = x; x.starts.reserveCapacity(x.starts.count + expectedRows)
        case .code(let x): kind = .code; c = x; x.codes.reserveCapacity(x.codes.count + expectedRows)
        case .bool(let x): kind = .bool; b = x; x.values.reserveCapacity(x.values.count + expectedRows)
        case .day(let x): kind = .day; d = x; x.values.reserveCapacity(x.values.count + expectedRows)
        case .int(let x): kind = .int; i = x; x.values.reserveCapacity(x.values.count + expectedRows)
        }
        textColumn = t; listColumn = l; codeColumn = c; boolColumn = b; dayColumn = d; intColumn = i
        pool = t?.pool ?? l?.pool
        pending = t?.pending ?? l?.pending
    }

    static func trim(_ p: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var lo = 0, hi = p.count
        while lo < hi, p[lo] == 0x20 || p[lo] == 0x09 { lo += 1 }
        while hi > lo, p[hi - 1] == 0x20 || p[hi - 1] == 0x09 { hi -= 1 }
        // Ideographic space U+3000 (E3 80 80) at either end.
        while hi - lo >= 3, p[lo] == 0xE3, p[lo + 1] == 0x80, p[lo + 2] == 0x80 { lo += 3 }
        while hi - lo >= 3, p[hi - 3] == 0xE3, p[hi - 2] == 0x80, p[hi - 1] == 0x80 { hi -= 3 }
        return UnsafeBufferPointer(rebasing: p[lo..<hi])
    }

    /// Appends the cell; returns an error message when the value is bad (nothing is appended then
    /// for this cell, the caller drops the row).
    func append(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
        let p = CellParser.trim(raw)
        if p.count == 0 && spec.required { return "empty, but every row needs a value" }
        switch kind {
        case .text:
            let c = textColumn!
            if let pending {
                if !Transcode.isValidUTF8(p) { sawInvalidUTF8 = true }
                guard pending.fits(p.count) else { return "the column's text passes 4 GB" }
                pending.append(p)
                return nil
            }
            var isNew = false
            let code = pool!.intern(p, isNew: &isNew)
            if isNew && !Transcode.isValidUTF8(p) { sawInvalidUTF8 = true }
            c.codes.append(code)
        case .list:
            let c = listColumn!, pool = self.pool!
            var start = 0
            var i = 0
            let n = p.count
            while i <= n {
                // Items end at ; or 、 (E3 80 81) or ； (EF BC 9B), or at the end of the cell.
                var sep = 0
                if i == n { sep = 1 } else if p[i] == 0x3B { sep = 1 } else if p[i] >= 0xE3, i + 2 < n,
                    (p[i] == 0xE3 && p[i + 1] == 0x80 && p[i + 2] == 0x81) || (p[i] == 0xEF && p[i + 1] == 0xBC && p[i + 2] == 0x9B) {
                    sep = 3
                }
                if sep == 0 { i += 1; continue }
                let item = CellParser.trim(UnsafeBufferPointer(rebasing: p[start..<i]))
                if item.count > 0, let pending {
                    if !Transcode.isValidUTF8(item) { sawInvalidUTF8 = true }
                    guard pending.fits(item.count) else { return "the column's text passes 4 GB" }
                    pending.append(item)
                } else if item.count > 0 {
                    var isNew = false
                    c.values.append(pool.intern(item, isNew: &isNew))
                    if isNew && !Transcode.isValidUTF8(item) { sawInvalidUTF8 = true }
                }
                i += sep
                start = i
            }
            c.starts.append(UInt32(pending?.count ?? c.values.count))
        case .code:
            let c = codeColumn!
            if p.count == 0 { c.codes.append(EnumInfo.none); return nil }
            let v = lookup(p) { c.info.code(of: $0) ?? 254 }
            if v == 254 {
                let s = String(decoding: p, as: UTF8.self)
                let expected = c.info.values.map { "\($0.label) (\($0.token))" }.joined(separator: ", ")
                return "\"\(s)\" is not a \(spec.name) (expected one of \(expected))"
            }
            c.codes.append(v)
        case .bool:
            let c = boolColumn!
            if p.count == 0 { c.values.append(false); return nil }
            let v = lookup(p) { s -> UInt8 in
                switch s.lowercased() {
                case "true", "t", "yes", "y", "1", "是", "有", "√", "✓": return 1
                case "false", "f", "no", "n", "0", "否", "无", "×": return 0
                default: return 254
                }
            }
            if v == 254 {
                return "\"\(String(decoding: p, as: UTF8.self))\" is not a yes/no value (expected true/false, 是/否 or 1/0)"
            }
            c.values.append(v == 1)
        case .day:
            let c = dayColumn!
            if p.count == 0 { c.values.append(Day.none); return nil }
            guard let d = Day.parse(p) else { return CellParser.dateError(p) }
            c.values.append(d.raw)
        case .int:
            let c = intColumn!
            if p.count == 0 { c.values.append(0); return nil }
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
            guard ok else { return "\"\(String(decoding: p, as: UTF8.self))\" is not a whole number" }
            c.values.append(Int32(negative ? -v : v))
        }
        return nil
    }

    /// Appends the empty value (for a column the file does not have).
    func appendEmpty() {
        switch kind {
        case .text:
            if let pending { pending.ends.append(UInt32(truncatingIfNeeded: pending.bytes.count)) } else { textColumn!.codes.append(0) }
        case .list:
            if let pending { listColumn!.starts.append(UInt32(pending.count)) } else { listColumn!.append([]) }
        case .code: codeColumn!.codes.append(EnumInfo.none)
        case .bool: boolColumn!.values.append(false)
        case .day: dayColumn!.values.append(Day.none)
        case .int: intColumn!.values.append(0)
        }
    }

    private func lookup(_ p: UnsafeBufferPointer<UInt8>, resolve: (String) -> UInt8) -> UInt8 {
        var isNew = false
        let k = Int(seen.intern(p, isNew: &isNew))
        if isNew {
            while seenValue.count <= k { seenValue.append(254) }
            seenValue[k] = resolve(String(decoding: p, as: UTF8.self))
        }
        return seenValue[k]
    }

    static func dateError(_ p: UnsafeBufferPointer<UInt8>) -> String {
        let s = String(decoding: p, as: UTF8.self)
        let parts = s.split(whereSeparator: { $0 == "-" || $0 == "/" || $0 == "." }).compactMap { Int($0) }
        if parts.count == 3, (1...12).contains(parts[1]), parts[2] > 0 {
            let days = Day.daysIn(year: parts[0], month: parts[1])
            if parts[2] > days {
                return "\"\(s)\" is not a date (\(parts[0])-\(parts[1] < 10 ? "0" : "")\(parts[1]) has \(days) days)"
            }
        }
        return "\"\(s)\" is not a date (expected yyyy-mm-dd)"
    }
}

/// Loads one CSV file into one table.
struct TableLoader {
    let path: String
    let name: String
    let table: Table
    let options: LoadOptions
    let extra: RowCheck?
    var issues: [LoadIssue] = []
    var issueTotal = 0
    var warnings: [String] = []
    var fileReport: LoadReport.FileReport
    var file: FileBytes
    static let keptIssues = 200

    init(path: String, table: Table, options: LoadOptions, extra: RowCheck?) throws {
        self.path = path
        self.name = (path as NSString).lastPathComponent
        self.table = table
        self.options = options
        self.extra = extra
        file = try FileBytes(path: path)
        let data = file.buffer
        guard !data.isEmpty else { throw LoadError("the file is empty (expected a header row and data rows)", file: path) }
        if let nul = data.prefix(1 << 16).firstIndex(of: 0) {
            if data.count >= 2 && (data[0] == 0xFF && data[1] == 0xFE || data[0] == 0xFE && data[1] == 0xFF) {
                throw LoadError("the file is UTF-16; save it as UTF-8 (or GB18030) CSV", file: path)
            }
            throw LoadError("this is not a text file (a NUL byte at offset \(nul)); expected CSV", file: path)
        }
        fileReport = LoadReport.FileReport(file: path, encoding: .utf8, hadBOM: false, rows: 0, rejected: 0)
        switch options.encoding {
        case .gb18030?:
            try transcodeFromGB18030()
        case .utf8?:
            break
        case nil:
            let windowValid = Transcode.isValidUTF8(UnsafeBufferPointer(rebasing: data.prefix(1 << 20)),
                                                    allowTruncatedEnd: data.count > 1 << 20)
            if !windowValid { try transcodeFromGB18030() }
        }
    }

    mutating func transcodeFromGB18030() throws {
        guard let utf8 = Transcode.gb18030ToUTF8(file.buffer) else {
            throw LoadError("the file is neither valid UTF-8 nor valid GB18030; name its encoding with --encoding", file: path)
        }
        file = FileBytes(owning: utf8)
        fileReport.encoding = .gb18030
    }

    mutating func load() throws {
        let startCount = table.count
        let done = try loadRows(file.buffer)
        if !done {
            // Not UTF-8 after all (found past the first window): start again from GB18030.
            table.truncate(to: startCount)
            issues = []; issueTotal = 0; warnings = []
            try transcodeFromGB18030()
            _ = try loadRows(file.buffer)
        }
        if fileReport.encoding == .gb18030 {
            warnings.append("\(name): read as GB18030 (not valid UTF-8)")
        }
    }

    /// Returns false when invalid UTF-8 turned up and the file should be read as GB18030.
    mutating func loadRows(_ buf: UnsafeBufferPointer<UInt8>) throws -> Bool {
        var reader = CSVReader(buf)
        fileReport.hadBOM = reader.hasBOM
        // Header.
        let hasHeader: Bool
        do { hasHeader = try reader.nextRow() } catch let f {
            let (l, c) = reader.location(of: f.offset)
            throw LoadError([LoadIssue(file: name, line: l, column: c, field: nil, message: f.message)])
        }
        guard hasHeader else { throw LoadError("the file is empty (expected a header row)", file: path) }
        let headerCount = reader.fields.count
        // Reserve room for the rows, guessed from the first rows' length.
        var expectedRows = 0
        do {
            var probe = reader
            var n = 0
            let from = probe.position
            while n < 200, (try? probe.nextRow()) == true { n += 1 }
            if n > 0, probe.position > from {
                expectedRows = Int(Double(buf.count - from) / (Double(probe.position - from) / Double(n)) * 1.05) + 16
            }
        }
        // A large body is parsed in two halves (see below): each half reserves room for its own.
        if buf.count - reader.position >= options.parallelThreshold { expectedRows = expectedRows / 2 + expectedRows / 20 }
        var mapping: [CellParser?] = []
        var seenFields: [String: Int] = [:]
        var headerIssues: [LoadIssue] = []
        for k in 0..<headerCount {
            var h = reader.string(k).trimmingSpaces()
            if h.hasPrefix("\u{FEFF}") { h.removeFirst() }
            let (_, col) = reader.location(of: reader.fields[k].start)
            guard let spec = Schema.field(h, in: table.specs) else {
                if !h.isEmpty { warnings.append("\(name): column \"\(h)\" is not a field of \(table.name); ignored") }
                mapping.append(nil); continue
            }
            if spec.derived {
                warnings.append("\(name): column \"\(h)\" is derived (\(spec.name)); ignored, it is computed")
                mapping.append(nil); continue
            }
            if let first = seenFields[spec.name] {
                headerIssues.append(LoadIssue(file: name, line: 1, column: col, field: nil,
                                              message: "column \"\(h)\" names \(spec.name) again (already column \(first + 1))"))
                mapping.append(nil); continue
            }
            seenFields[spec.name] = k
            let column = table.storedColumn(spec.name)!
            if Pools.defers(field: spec.name, table: table.name), table.count == 0 {
                switch column {
                case .text(let x): x.pending = PendingCells(); table.pools.register(column)
                case .list(let x): x.pending = PendingCells(); table.pools.register(column)
                default: break
                }
            }
            mapping.append(CellParser(spec: spec, column: column, expectedRows: expectedRows))
        }
        for spec in table.storedSpecs where spec.required && seenFields[spec.name] == nil {
            headerIssues.append(LoadIssue(file: name, line: 1, column: 0, field: nil,
                                          message: "missing required column \(spec.name) (\(spec.label))"))
        }
        if !headerIssues.isEmpty { throw LoadError(headerIssues) }
        let absent = table.storedSpecs.filter { seenFields[$0.name] == nil }
            .map { CellParser(spec: $0, column: table.storedColumn($0.name)!, expectedRows: expectedRows) }

        let bodyStart = reader.position
        let rangeA = RangeParser(name: name, table: table, mapping: mapping, absent: absent,
                                 headerCount: headerCount, extra: extra, seenFields: seenFields)
        var parsers = mapping.compactMap { $0 }
        // A large file is cut in two at a row boundary; the second half is parsed on the other
        // core into a table of its own, then merged (its row checks run at the merge).
        var partB: (RangeParser, Table, Int)? = nil
        var split = buf.count
        if buf.count - bodyStart >= options.parallelThreshold, let cut = RangeParser.findSplit(buf, from: bodyStart) {
            split = cut
            let tableB = Table(name: table.name, specs: table.specs, pools: Pools())
            let mappingB = mapping.map { $0.map { a -> CellParser in
                let column = tableB.storedColumn(a.spec.name)!
                // Deferred fields stay pending; ids (nearly all distinct) are kept as bytes too
                // and interned once, at the merge.
                switch column {
                case .text(let x) where a.spec.name == "id" || table.pendingCells(a.spec.name) != nil: x.pending = PendingCells()
                case .list(let x) where table.pendingCells(a.spec.name) != nil: x.pending = PendingCells()
                default: break
                }
                return CellParser(spec: a.spec, column: column, expectedRows: expectedRows)
            } }
            let absentB = absent.map { CellParser(spec: $0.spec, column: tableB.storedColumn($0.spec.name)!, expectedRows: expectedRows) }
            let rangeB = RangeParser(name: name, table: tableB, mapping: mappingB, absent: absentB,
                                     headerCount: headerCount, extra: nil, seenFields: seenFields)
            parsers += mappingB.compactMap { $0 }
            partB = (rangeB, tableB, cut)
        }
        let done = DispatchSemaphore(value: 0)
        if let (rangeB, _, cut) = partB {
            let file = self.file
            let bufB = UnsafeBufferPointer(rebasing: buf[cut...])
            Thread.detachNewThread {
                var readerB = CSVReader(bufB, startingAt: 0, line: 1)
                rangeB.run(&readerB, buf: bufB, end: bufB.count) { position in file.release(from: cut, upTo: cut + position) }
                done.signal()
            }
        }
        let total = max(split, 1)
        rangeA.run(&reader, buf: buf, end: split) { [file, options] position in
            options.progress?(Double(position) / Double(total))
            // Pages behind the current row are not needed again: give them back.
            file.release(upTo: position)
        }
        var rejects = rangeA.rejects
        var rejected = rangeA.rejected
        issues = rangeA.issues
        issueTotal = rangeA.issueTotal
        if let (rangeB, tableB, cut) = partB {
            done.wait()
            if reader.position != cut {
                // The cut was not a row boundary after all (a stray quote): read the rest here.
                table.truncate(to: table.count)
                let rest = RangeParser(name: name, table: table, mapping: mapping, absent: absent,
                                       headerCount: headerCount, extra: extra, seenFields: seenFields)
                rest.run(&reader, buf: buf, end: buf.count) { _ in }
                issues += rest.issues; issueTotal += rest.issueTotal
                rejects += rest.rejects; rejected += rest.rejected
            } else {
                let lineOffset = reader.line - 1
                for var issue in rangeB.issues {
                    issue.line += lineOffset
                    if issues.count < TableLoader.keptIssues { issues.append(issue) }
                }
                issueTotal += rangeB.issueTotal
                rejects += rangeB.rejects
                rejected += rangeB.rejected
                let merged = rangeA.merge(tableB, from: rangeB, buf: buf, cut: cut, lineOffset: lineOffset)
                issueTotal += merged.issueTotal
                for i in merged.issues where issues.count < TableLoader.keptIssues { issues.append(i) }
                rejects += merged.rejects
                rejected += merged.rejected
            }
        }
        if fileReport.encoding == .utf8 && options.encoding == nil && parsers.contains(where: { $0.sawInvalidUTF8 }) {
            return false
        }
        fileReport.rows = table.count
        fileReport.rejected = rejected
        if rejected > 0 && options.lenient {
            var out: [UInt8] = Array(UnsafeBufferPointer(rebasing: buf[(reader.hasBOM ? 3 : 0)..<headerEnd(buf)]))
            out += rejects
            if out.last != 0x0A { out.append(0x0A) }
            let dir = options.rejectsDirectory ?? (path as NSString).deletingLastPathComponent
            let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            let rejectsPath = (dir.isEmpty ? "." : dir) + "/" + base + ".rejects.csv"
            if FileManager.default.createFile(atPath: rejectsPath, contents: Data(out)) {
                fileReport.rejectsFile = rejectsPath
            } else {
                warnings.append("\(name): could not write the rejects file \(rejectsPath)")
            }
        }
        return true
    }

    /// The byte offset just past the header row's line end.
    func headerEnd(_ buf: UnsafeBufferPointer<UInt8>) -> Int {
        var r = CSVReader(buf)
        _ = try? r.nextRow()
        return r.position
    }
}

/// Parses the rows of one range of a file into one table, collecting issues and rejected rows.
/// With no row check (the second half of a file parsed on another thread), it notes each kept
/// row's line and start so the checks can run when the halves are merged.
final class RangeParser {
    let name: String
    let table: Table
    let mapping: [CellParser?]
    let absent: [CellParser]
    let headerCount: Int
    let extra: RowCheck?
    let seenFields: [String: Int]
    var issues: [LoadIssue] = []
    var issueTotal = 0
    var rejects: [UInt8] = []
    var rejected = 0
    var rowLines: [Int32] = []
    var rowStarts: [Int] = []

    init(name: String, table: Table, mapping: [CellParser?], absent: [CellParser], headerCount: Int,
         extra: RowCheck?, seenFields: [String: Int]) {
        self.name = name; self.table = table; self.mapping = mapping; self.absent = absent
        self.headerCount = headerCount; self.extra = extra; self.seenFields = seenFields
    }

    func addIssue(line: Int, column: Int, field: String?, _ message: String) {
        issueTotal += 1
        if issues.count < TableLoader.keptIssues {
            issues.append(LoadIssue(file: name, line: line, column: column, field: field, message: message))
        }
    }

    /// Parses rows until the reader reaches `end` (a row boundary) or the end of the buffer.
    func run(_ reader: inout CSVReader, buf: UnsafeBufferPointer<UInt8>, end: Int, every2MB: (Int) -> Void) {
        var nextProgress = reader.position + (1 << 16)
        let recordRows = extra == nil
        while reader.position < end {
            let more: Bool
            do { more = try reader.nextRow() } catch let f {
                let (l, c) = reader.location(of: f.offset)
                addIssue(line: l, column: c, field: nil, f.message)
                // The rest of the file is inside the open quote: reject it whole.
                rejects.append(contentsOf: UnsafeBufferPointer(rebasing: buf[reader.rowStart...]))
                rejected += 1
                reader.skipToEnd()
                break
            }
            if !more { break }
            if reader.isBlankRow { continue }
            let row = table.count
            if reader.fields.count != headerCount {
                let (l, _) = reader.location(of: reader.rowStart)
                addIssue(line: l, column: 0, field: nil,
                         "\(reader.fields.count < headerCount ? "too few" : "too many") fields: expected \(headerCount), found \(reader.fields.count)")
                rejects.append(contentsOf: reader.rawRow); rejected += 1
                continue
            }
            var bad = false
            for k in 0..<headerCount {
                guard let parser = mapping[k] else { continue }
                let message = reader.withValue(k) { parser.append($0) }
                if let message {
                    let (l, c) = reader.location(of: reader.fields[k].start)
                    addIssue(line: l, column: c, field: parser.spec.name, message)
                    bad = true
                    parser.appendEmpty()
                }
            }
            for parser in absent { parser.appendEmpty() }
            table.count = row + 1
            if !bad, let extra {
                let (l, _) = reader.location(of: reader.rowStart)
                for (field, message) in extra.check(row: row, line: l) {
                    let k = seenFields[field] ?? 0
                    let (l2, c) = reader.location(of: reader.fields[k].start)
                    addIssue(line: l2, column: c, field: field, message)
                    bad = true
                }
            }
            if bad {
                table.truncate(to: row)
                rejects.append(contentsOf: reader.rawRow); rejected += 1
            } else if recordRows {
                rowLines.append(Int32(reader.rowLine))
                rowStarts.append(reader.rowStart)
            }
            if reader.position > nextProgress {
                every2MB(reader.rowStart)
                nextProgress = reader.position + (2 << 20)
            }
        }
    }

    /// Where to cut the body in two: the first line end past the middle that lies outside quotes
    /// (quotes counted from the start of the body). Nil when there is none.
    static func findSplit(_ buf: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let n = buf.count
        let mid = start + (n - start) / 2
        guard let base = buf.baseAddress else { return nil }
        var quotes = 0
        var p = start
        while p < mid, let hit = memchr(base + p, 0x22, mid - p) {
            quotes += 1
            p = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base + 1
        }
        var inQuotes = quotes % 2 == 1
        var i = mid
        while i < n {
            let b = buf[i]
            if b == 0x22 { inQuotes.toggle() } else if b == 0x0A && !inQuotes { return i + 1 < n ? i + 1 : nil }
            i += 1
        }
        return nil
    }

    /// Appends the rows of `other` (parsed into a table with pools of its own) to this table:
    /// texts re-interned into this table's pools, then each row checked as if read here.
    func merge(_ other: Table, from part: RangeParser, buf: UnsafeBufferPointer<UInt8>, cut: Int,
               lineOffset: Int) -> RangeParser {
        let base = table.count
        let count = other.count
        for spec in table.storedSpecs {
            switch (table.storedColumn(spec.name)!, other.storedColumn(spec.name)!) {
            case (.text(let a), .text(let b)) where b.pending != nil:
                let raw = b.pending!
                if let pa = a.pending {
                    pa.append(contentsOf: raw)
                } else {
                    a.codes.reserveCapacity(a.codes.count + count)
                    a.pool.reserve(more: raw.count, byteCount: raw.bytes.count)
                    for i in 0..<raw.count { a.codes.append(a.pool.intern(raw.item(i))) }
                }
                b.pending = nil
            case (.list(let a), .list(let b)) where b.pending != nil:
                let raw = b.pending!
                let offset = UInt32(a.entryCount)
                a.starts.reserveCapacity(a.starts.count + count)
                a.starts.append(contentsOf: b.starts.dropFirst().map { $0 + offset })
                if let pa = a.pending {
                    pa.append(contentsOf: raw)
                } else {
                    a.values.reserveCapacity(a.values.count + raw.count)
                    for i in 0..<raw.count { a.values.append(a.pool.intern(raw.item(i))) }
                }
                b.pending = nil; b.starts = [0]
            case (.text(let a), .text(let b)):
                var map = [UInt32](repeating: UInt32.max, count: b.pool.count)
                a.codes.reserveCapacity(a.codes.count + count)
                for code in b.codes {
                    var m = map[Int(code)]
                    if m == UInt32.max { m = b.pool.withBytes(code) { a.pool.intern($0) }; map[Int(code)] = m }
                    a.codes.append(m)
                }
                b.codes = []
            case (.list(let a), .list(let b)):
                var map = [UInt32](repeating: UInt32.max, count: b.pool.count)
                let offset = UInt32(a.values.count)
                a.values.reserveCapacity(a.values.count + b.values.count)
                a.starts.reserveCapacity(a.starts.count + count)
                for code in b.values {
                    var m = map[Int(code)]
                    if m == UInt32.max { m = b.pool.withBytes(code) { a.pool.intern($0) }; map[Int(code)] = m }
                    a.values.append(m)
                }
                a.starts.append(contentsOf: b.starts.dropFirst().map { $0 + offset })
                b.values = []; b.starts = [0]
            case (.code(let a), .code(let b)):
                a.codes.reserveCapacity(a.codes.count + b.codes.count); a.codes.append(contentsOf: b.codes); b.codes = []
            case (.bool(let a), .bool(let b)):
                a.values.reserveCapacity(a.values.count + b.values.count); a.values.append(contentsOf: b.values); b.values = []
            case (.day(let a), .day(let b)):
                a.values.reserveCapacity(a.values.count + b.values.count); a.values.append(contentsOf: b.values); b.values = []
            case (.int(let a), .int(let b)):
                a.values.reserveCapacity(a.values.count + b.values.count); a.values.append(contentsOf: b.values); b.values = []
            default: preconditionFailure("column kinds differ")
            }
        }
        table.count = base + count
        let out = RangeParser(name: name, table: table, mapping: [], absent: [], headerCount: headerCount,
                              extra: nil, seenFields: seenFields)
        guard let extra else { return out }
        var bad: [Int] = []
        for i in 0..<count {
            let line = Int(part.rowLines[i]) + lineOffset
            let found = extra.check(row: base + i, line: line)
            if found.isEmpty { continue }
            var reader = CSVReader(buf, startingAt: cut + part.rowStarts[i], line: line)
            _ = try? reader.nextRow()
            for (field, message) in found {
                let k = seenFields[field] ?? 0
                let (l, c) = k < reader.fields.count ? reader.location(of: reader.fields[k].start) : (line, 0)
                out.addIssue(line: l, column: c, field: field, message)
            }
            out.rejects.append(contentsOf: reader.rawRow)
            out.rejected += 1
            bad.append(base + i)
            extra.rejected(row: base + i)
        }
        if !bad.isEmpty { table.remove(rows: bad) }
        return out
    }
}

/// A file's bytes: mapped read-only when it can be (so a large file is never copied, and the
/// pages already parsed can be given back), else held in memory.
final class FileBytes {
    private var base: UnsafeMutableRawPointer?
    private let count: Int
    private let mapped: Bool
    private var released = 0

    init(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let err = errno
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
                throw LoadError(isDir.boolValue ? "is a folder, not a CSV file" : "cannot be read (\(String(cString: strerror(err))))", file: path)
            }
            throw LoadError("no such file", file: path)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw LoadError("cannot be read (\(String(cString: strerror(errno))))", file: path) }
        if st.st_mode & S_IFMT == S_IFDIR { throw LoadError("is a folder, not a CSV file", file: path) }
        let size = Int(st.st_size)
        if size > 0 && st.st_mode & S_IFMT == S_IFREG, let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED {
            madvise(p, size, Int32(MADV_SEQUENTIAL))
            base = p; count = size; mapped = true
            return
        }
        // Not mappable (a pipe, an empty file): read it whole.
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { throw LoadError("cannot be read (\(String(cString: strerror(errno))))", file: path) }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        (base, count, mapped) = FileBytes.copy(bytes)
    }

    init(owning bytes: [UInt8]) {
        (base, count, mapped) = FileBytes.copy(bytes)
    }

    private static func copy(_ bytes: [UInt8]) -> (UnsafeMutableRawPointer?, Int, Bool) {
        guard !bytes.isEmpty else { return (nil, 0, false) }
        let p = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 16)
        bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        return (p, bytes.count, false)
    }

    var buffer: UnsafeBufferPointer<UInt8> {
        guard let b = base else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: b.assumingMemoryBound(to: UInt8.self), count: count)
    }

    /// Lets the kernel drop the mapped pages before `offset` (they are read again from the file
    /// if touched later).
    func release(upTo offset: Int) {
        guard mapped, let b = base else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let end = (offset / page) * page
        guard end > released else { return }
        madvise(b + released, end - released, Int32(MADV_DONTNEED))
        released = end
    }

    /// The same for a range of the file (the second half, parsed on another thread).
    func release(from start: Int, upTo end: Int) {
        guard mapped, let b = base else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let lo = (start + page - 1) / page * page, hi = end / page * page
        guard hi > lo else { return }
        madvise(b + lo, hi - lo, Int32(MADV_DONTNEED))
    }

    deinit {
        guard let b = base else { return }
        if mapped { munmap(b, count) } else { b.deallocate() }
    }
}
