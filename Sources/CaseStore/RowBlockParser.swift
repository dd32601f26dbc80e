import Foundation

/// Where each kept row of a range starts and on which line, as deltas from the row kept before
/// (8 bytes a row), to place the problems found once the whole table is in.
struct RowPositions {
    var baseStart: Int
    var baseLine: Int
    var starts = RawBuffer<UInt32>(capacity: 16)
    var lines = RawBuffer<UInt32>(capacity: 16)

    init(baseStart: Int, baseLine: Int, expectedRows: Int) {
        self.baseStart = baseStart; self.baseLine = baseLine
        starts.reserve(extra: expectedRows); lines.reserve(extra: expectedRows)
    }

    mutating func free() { starts.free(); lines.free() }

    /// The file offset and line of each of the given table rows (ascending), the ranges' rows
    /// following one another in table order.
    static func locate(rows: [Int], in parts: [RowPositions]) -> [Int: (Int, Int)] {
        var out: [Int: (Int, Int)] = [:]
        var next = 0
        var firstRow = 0
        for part in parts {
            var start = part.baseStart, line = part.baseLine
            for i in 0..<part.starts.count {
                guard next < rows.count else { return out }
                start += Int(part.starts[i]); line += Int(part.lines[i])
                if rows[next] == firstRow + i { out[rows[next]] = (start, line); next += 1 }
            }
            firstRow += part.starts.count
        }
        return out
    }
}

/// Parses the rows of one range of a file into one table, collecting issues and rejected rows,
/// and noting where each kept row is.
final class RangeParser {
    let name: String
    let table: Table
    let mapping: [CellParser?]
    let absent: [CellParser]
    let headerCount: Int
    var issues: [LoadIssue] = []
    var issueTotal = 0
    /// The rejected rows; each one's kind is the section heading's it is under in this range.
    var rejects: [RejectedRow] = []
    var rejected = 0
    var positions = RowPositions(baseStart: 0, baseLine: 1, expectedRows: 0)
    deinit { positions.free() }
    let expectedRows: Int
    /// Rows kept by the last run.
    private(set) var kept = 0
    /// The table row the range's first row is (or becomes, for a range parsed apart).
    var firstRow = 0
    /// A field kept as bytes that must be unique, and the sorted hashes of this range's cells of
    /// it (see `KeyHashes`), made on the range's own thread.
    var uniqueField: String?
    private(set) var uniqueKeys: [UInt64] = []
    /// Whether a cell newly read was not valid UTF-8 (the file is then read again as GB18030).
    var sawInvalidUTF8: Bool { mapping.contains { $0?.sawInvalidUTF8 == true } }

    /// Tells cases from rows that are not (totals, notes, headings); nil keeps every row.
    let filter: RowFilter?
    /// The kind the range's last section heading named, and how many rows it kept before its
    /// first heading: in a range parsed apart those rows are under the last heading of the ranges
    /// before it, and take its kind when the ranges are joined (`TableLoader.carrySectionKinds`).
    private(set) var lastHeadingKind: UInt8?
    private(set) var rowsBeforeHeading = 0
    /// Rows skipped as not cases: line and what each is.
    var skipped: [(line: Int, what: SkippedRow)] = []

    init(name: String, table: Table, mapping: [CellParser?], absent: [CellParser], headerCount: Int, expectedRows: Int,
         filter: RowFilter? = nil) {
        self.name = name; self.table = table; self.mapping = mapping; self.absent = absent
        self.headerCount = headerCount; self.expectedRows = expectedRows; self.filter = filter
    }

    func addIssue(line: Int, column: Int, field: String?, _ message: Message) {
        issueTotal += 1
        if issues.count < TableLoader.keptIssues {
            issues.append(LoadIssue(file: name, line: line, column: column, field: field, message: message))
        }
    }

    /// For a range parsed apart: its offsets and lines become the file's.
    func shift(offset: Int, lines: Int) {
        for i in issues.indices { issues[i].line += lines }
        for i in skipped.indices { skipped[i].line += lines }
        for i in rejects.indices { rejects[i].offset += offset }
        positions.baseStart += offset
        positions.baseLine += lines
    }

    /// Rows read before their cells are parsed: each field's cells then go through its parser in
    /// one loop (one dispatch on the field's kind per block, not per cell).
    static let blockRows = 64

    /// Parses rows until the reader reaches `end` (a row boundary) or the end of the buffer, then
    /// moves them into the table.
    func run(_ reader: inout CSVReader, buf: UnsafeBufferPointer<UInt8>, end: Int, flush: Bool = true,
             roomForMore: Int = 0, every2MB: (Int) -> Void) {
        var nextProgress = reader.position + (1 << 16)
        positions.free()
        positions = RowPositions(baseStart: reader.position, baseLine: reader.line, expectedRows: expectedRows)
        var lastStart = reader.position, lastLine = reader.line
        let all = mapping.compactMap { $0 } + absent
        let hc = headerCount, blockRows = RangeParser.blockRows
        let block = UnsafeMutablePointer<CSVReader.Field>.allocate(capacity: blockRows * hc)
        let rowStarts = UnsafeMutablePointer<Int>.allocate(capacity: blockRows)
        let rowLines = UnsafeMutablePointer<Int>.allocate(capacity: blockRows)
        let rowEnds = UnsafeMutablePointer<Int>.allocate(capacity: blockRows)
        defer { block.deallocate(); rowStarts.deallocate(); rowLines.deallocate(); rowEnds.deallocate() }
        guard let file = buf.baseAddress else { return }
        reader.keepsScratch = true
        defer { reader.keepsScratch = false }
        firstRow = table.count
        let unique = mapping.first { $0 != nil && $0!.spec.name == uniqueField }??.pendingCells
        let uniqueStart = unique?.count ?? 0
        var kept = 0
        var finished = false
        func keep(_ i: Int) {
            kept += 1
            positions.starts.append(UInt32(truncatingIfNeeded: rowStarts[i] - lastStart))
            positions.lines.append(UInt32(truncatingIfNeeded: rowLines[i] - lastLine))
            lastStart = rowStarts[i]; lastLine = rowLines[i]
        }
        // A section heading that names a kind (`（一）重点督办的代表建议`) gives it to the rows
        // under it, when the file has no kind column and none was given: the block is cut at the
        // heading, and the kind applies from the next block on.
        let sectionKind = absent.first { $0.spec.name == .kind && $0.headingsSetFill }
        var nextKind: UInt8?
        func heading(_ k: UInt8) {
            if lastHeadingKind == nil { rowsBeforeHeading = kept }
            lastHeadingKind = k
        }
        while !finished && reader.position < end {
            if let k = nextKind, let p = sectionKind { heading(k); p.fill = k; nextKind = nil }
            // Read a block of rows: their fields, where each starts and ends.
            reader.scratch.removeAll(keepingCapacity: true)
            var n = 0
            while n < blockRows && reader.position < end {
                let more: Bool
                do { more = try reader.nextRow() } catch let f {
                    let (l, c) = reader.location(of: f.offset)
                    addIssue(line: l, column: c, field: nil, f.message)
                    // The row's lines up to the bad one (for a runaway quote, the line it opened
                    // on) are rejected; reading goes on after them, so every later line is still
                    // read as rows of its own.
                    let from = reader.rowStart
                    reader.resume(after: f)
                    rejects.append(RejectedRow(offset: from, bytes: Array(UnsafeBufferPointer(rebasing: buf[from..<reader.position])), kind: lastHeadingKind))
                    rejected += 1
                    continue
                }
                if !more { finished = true; break }
                if reader.isBlankRow { continue }
                if let filter, reader.fields.count > filter.anchor, !filter.isData(reader) {
                    let what = filter.reason(reader) ?? .notACase
                    skipped.append((reader.rowLine, what))
                    if sectionKind != nil, what == .sectionHeading, let k = RowFilter.kind(inHeading: reader) {
                        nextKind = k.rawValue
                        break
                    }
                    continue
                }
                if reader.fields.count != hc {
                    if let filter, let what = filter.reason(reader) {
                        skipped.append((reader.rowLine, what)); continue
                    }
                    // Too many: said at the first value past the header's last column, and what it is.
                    let stray = reader.fields.count > hc ? (hc..<reader.fields.count).first { reader.withValue($0) { !$0.isEmpty } } : nil
                    let (l, c) = stray.map { reader.location(of: reader.fields[$0].start) } ?? (reader.location(of: reader.rowStart).line, 0)
                    let value = stray.map { reader.string($0) }.map { Escape.visible($0.count > 40 ? String($0.prefix(40)) + "…" : $0) }
                    addIssue(line: l, column: c, field: nil,
                             Message(en: "\(reader.fields.count < hc ? "too few" : "too many") fields: expected \(hc), found \(reader.fields.count)"
                                        + (value.map { " (a value past the header's last column: \"\($0)\")" } ?? ""),
                                     zh: "字段\(reader.fields.count < hc ? "太少" : "太多")：应为 \(hc) 个，实有 \(reader.fields.count) 个"
                                        + (value.map { "（表头最后一列之后有值：\"\($0)\"）" } ?? "")))
                    rejects.append(RejectedRow(offset: reader.rowStart, bytes: Array(reader.rawRow), kind: lastHeadingKind)); rejected += 1
                    continue
                }
                (block + n * hc).update(from: reader.fieldBase, count: hc)
                rowStarts[n] = reader.rowStart; rowLines[n] = reader.rowLine; rowEnds[n] = reader.position
                n += 1
            }
            guard n > 0 else { continue }
            reader.scratch.withUnsafeBufferPointer { scratchBuf in
                let scratch = scratchBuf.baseAddress
                // Field by field over the block.
                var failedAt = -1, appended = 0
                for k in 0..<hc {
                    guard let parser = mapping[k] else { continue }
                    let got = parser.appendColumn(block + k, stride: hc, count: n, file: file, scratch: scratch)
                    if got < n { failedAt = k; appended = got; break }
                }
                if failedAt < 0 {
                    for parser in absent { for _ in 0..<n { parser.appendEmpty() } }
                    for i in 0..<n { keep(i) }
                    return
                }
                // A bad cell: undo the block and take it row by row, to drop the bad rows only.
                for k in 0..<failedAt { mapping[k]?.dropLast(n) }
                mapping[failedAt]!.dropLast(appended)
                for i in 0..<n {
                    var bad = false
                    for k in 0..<hc {
                        guard let parser = mapping[k] else { continue }
                        let f = block[i * hc + k]
                        let cell = UnsafeBufferPointer(start: (f.inScratch ? scratch! : file) + f.valueStart, count: f.valueEnd - f.valueStart)
                        if let message = parser.append(cell) {
                            let (l, c) = reader.location(of: f.start, row: rowStarts[i], line: rowLines[i])
                            addIssue(line: l, column: c, field: parser.spec.name, message)
                            bad = true
                            parser.appendEmpty()
                        }
                    }
                    for parser in absent { parser.appendEmpty() }
                    if bad {
                        for parser in all { parser.dropLast() }
                        rejects.append(RejectedRow(offset: rowStarts[i], bytes: Array(UnsafeBufferPointer(rebasing: buf[rowStarts[i]..<rowEnds[i]])), kind: lastHeadingKind))
                        rejected += 1
                    } else {
                        keep(i)
                    }
                }
            }
            if reader.position > nextProgress {
                every2MB(reader.position)
                nextProgress = reader.position + (2 << 20)
            }
        }
        if let k = nextKind { heading(k) }
        if lastHeadingKind == nil { rowsBeforeHeading = kept }
        self.kept = kept
        if let unique { uniqueKeys = KeyHashes.sorted(unique, from: uniqueStart) }
        guard flush else { return }
        for parser in all { parser.flush(roomForMore: roomForMore) }
        table.count += kept
    }

    /// Where to cut the body into `parts`: for each fraction k/parts of it, the first line end
    /// at or past it that lies outside quotes (quotes counted from the start of the body). Fewer
    /// cuts when parts would be empty.
    static func findSplits(_ buf: UnsafeBufferPointer<UInt8>, from start: Int, parts: Int) -> [Int] {
        let n = buf.count
        guard let base = buf.baseAddress, parts > 1 else { return [] }
        var cuts: [Int] = []
        var p = start
        var inQuotes = false
        for k in 1..<parts {
            let target = max(start + (n - start) / parts * k, p)
            // Quotes up to the target decide whether it lies inside a quoted field.
            while p < target, let hit = memchr(base + p, 0x22, target - p) {
                inQuotes.toggle()
                p = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base + 1
            }
            p = max(p, target)
            var cut: Int?
            while p < n {
                let b = buf[p]
                p += 1
                if b == 0x22 { inQuotes.toggle() } else if b == 0x0A && !inQuotes { cut = p; break }
            }
            guard let c = cut, c < n else { break }
            if c > (cuts.last ?? start) { cuts.append(c) }
        }
        return cuts
    }
}
