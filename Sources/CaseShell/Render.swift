// Render: result sets as a terminal table, CSV, TSV, JSON, JSON Lines or a GitHub Markdown table.
// Output is streamed to a `write` callback in chunks of about 64 KiB, always cut at row ends,
// so a million-row export never becomes one giant string.

import CaseStore
import CaseQuery

public enum OutputMode: String, CaseIterable, Sendable {
    case table, csv, tsv, json, jsonl, markdown, bar
    /// One field a line, `name = value`, a blank line between rows (sqlite3's `.mode line`).
    case line
}

public struct RenderOptions {
    public var mode: OutputMode = .table
    /// Header row (table, csv, tsv). JSON always has keys and Markdown always has a header row.
    public var headers = true
    /// Use `ResultColumn.label` (the Chinese field name) for headers and JSON keys.
    public var chineseHeaders = false
    /// Table mode only: show the first `maxRows` rows, then "… N more rows"; nil shows all.
    public var maxRows: Int? = 40
    /// Table mode: terminal width; wider tables shrink their widest text columns. nil = no limit.
    public var width: Int? = nil
    /// Table mode: ANSI colours (bold headers, coloured numbers, dim footer).
    public var color = false
    /// CSV/TSV only: prefix a ' to text cells starting with = + - @ tab or CR (the session sets
    /// it from its one setting, `ExportOptions.formulaGuard`).
    public var formulaGuard = true
    public init() {}
}

public enum Renderer {
    /// Renders `result`, calling `write` with successive pieces of the output (each at most
    /// about 64 KiB, cut at row ends).
    public static func render(_ result: ResultSet, options: RenderOptions, write: (String) -> Void) {
        if options.mode == .bar, let chart = BarChart.render(result, options: options) {
            write(chart)
            return
        }
        if options.mode == .line {
            LineRenderer(result: result, options: options).render(write: write)
            return
        }
        if options.mode == .table || options.mode == .bar {
            // (bar mode without a numeric column to draw: a table)
            TableRenderer(result: result, options: options).render(write: write)
            return
        }
        let settings = StreamSettings(mode: options.mode, headers: options.headers,
                                      chineseHeaders: options.chineseHeaders,
                                      formulaGuard: options.formulaGuard, crlf: false)
        streamBytes(result, settings) { chunk in
            write(String(decoding: chunk, as: UTF8.self))
        }
    }

    /// Convenience: the whole output as one string (for small results and tests).
    public static func string(_ result: ResultSet, options: RenderOptions) -> String {
        var out = ""
        render(result, options: options) { out += $0 }
        return out
    }

    // MARK: - Byte streaming (csv, tsv, json, jsonl, markdown)

    struct StreamSettings {
        var mode: OutputMode
        var headers: Bool
        var chineseHeaders: Bool
        var formulaGuard: Bool
        var crlf: Bool
    }

    static let chunkSize = 60_000

    /// Streams the non-table formats as UTF-8 bytes; each chunk ends at a row end.
    static func streamBytes(_ result: ResultSet, _ s: StreamSettings,
                            chunk: ([UInt8]) throws -> Void) rethrows {
        let names = result.columns.map { s.chineseHeaders ? $0.label : $0.name }
        let n = result.columns.count
        switch s.mode {
        case .csv:
            var w = CSVWriter(crlf: s.crlf, formulaGuard: false, reserve: chunkSize + 4096)
            if s.headers {
                w.formulaGuard = s.formulaGuard
                w.row(names)
            }
            var scratch: [UInt8] = []
            scratch.reserveCapacity(256)
            for r in 0..<result.rowCount {
                for c in 0..<n {
                    let cell = result.cell(r, c)
                    switch cell {
                    case .text(let t):
                        w.formulaGuard = s.formulaGuard
                        w.field(t)
                    case .list:
                        // Case text joined with ;: quoted and guarded like text.
                        w.formulaGuard = s.formulaGuard
                        scratch.removeAll(keepingCapacity: true)
                        appendExport(cell, into: &scratch)
                        scratch.withUnsafeBufferPointer { w.field(bytes: $0) }
                    default:
                        // Numbers, dates, booleans: ours, never quoted, never a formula ("-5" stays
                        // -5). An empty unguarded field writes just the separator; the digits follow.
                        w.formulaGuard = false
                        w.field(bytes: UnsafeBufferPointer(start: nil, count: 0))
                        appendExport(cell, into: &w.bytes)
                    }
                }
                w.endRow()
                if w.bytes.count >= chunkSize {
                    try chunk(w.bytes)
                    w.bytes.removeAll(keepingCapacity: true)
                }
            }
            if !w.bytes.isEmpty { try chunk(w.bytes) }

        case .tsv:
            var b: [UInt8] = []
            b.reserveCapacity(chunkSize + 4096)
            func end() { if s.crlf { b.append(0x0D) }; b.append(0x0A) }
            if s.headers {
                for (c, name) in names.enumerated() {
                    if c > 0 { b.append(0x09) }
                    appendTSV(name, guardIt: s.formulaGuard, into: &b)
                }
                end()
            }
            for r in 0..<result.rowCount {
                for c in 0..<n {
                    if c > 0 { b.append(0x09) }
                    let cell = result.cell(r, c)
                    switch cell {
                    case .text(let t): appendTSV(t, guardIt: s.formulaGuard, into: &b)
                    case .list: appendTSV(exportText(cell), guardIt: s.formulaGuard, into: &b)
                    default: appendExport(cell, into: &b)   // digits, dates: no tabs or newlines
                    }
                }
                end()
                if b.count >= chunkSize { try chunk(b); b.removeAll(keepingCapacity: true) }
            }
            if !b.isEmpty { try chunk(b) }

        case .json, .jsonl:
            let lines = s.mode == .jsonl
            let keys = jsonKeys(names)
            var b: [UInt8] = []
            b.reserveCapacity(chunkSize + 4096)
            if !lines { b.append(contentsOf: result.rowCount == 0 ? [0x5B] : [0x5B, 0x0A]) }   // [
            for r in 0..<result.rowCount {
                if !lines { b.append(contentsOf: [0x20, 0x20]) }
                b.append(0x7B)   // {
                for c in 0..<n {
                    if c > 0 { b.append(0x2C) }
                    b.append(contentsOf: keys[c])
                    appendJSONValue(result.cell(r, c), into: &b)
                }
                b.append(0x7D)   // }
                if !lines && r < result.rowCount - 1 { b.append(0x2C) }
                b.append(0x0A)
                if b.count >= chunkSize { try chunk(b); b.removeAll(keepingCapacity: true) }
            }
            if !lines { b.append(contentsOf: [0x5D, 0x0A]) }   // ]\n
            if !b.isEmpty { try chunk(b) }

        case .markdown, .table, .bar, .line:
            // (.table and .bar never reaches here from render(); an export to .md uses markdown.)
            var b: [UInt8] = []
            b.reserveCapacity(chunkSize + 4096)
            func end() { if s.crlf { b.append(0x0D) }; b.append(0x0A) }
            if n > 0 {
                b.append(0x7C)
                for name in names { b.append(0x20); appendMarkdown(name, into: &b); b.append(contentsOf: [0x20, 0x7C]) }
                end()
                b.append(0x7C)
                for c in 0..<n {
                    b.append(contentsOf: Array((isNumericColumn(result, c) ? " ---: |" : " --- |").utf8))
                }
                end()
            }
            for r in 0..<result.rowCount {
                guard n > 0 else { break }
                b.append(0x7C)
                for c in 0..<n {
                    b.append(0x20)
                    appendMarkdown(displayText(result.cell(r, c)), into: &b)
                    b.append(contentsOf: [0x20, 0x7C])
                }
                end()
                if b.count >= chunkSize { try chunk(b); b.removeAll(keepingCapacity: true) }
            }
            if !b.isEmpty { try chunk(b) }
        }
    }

    /// A column is right-aligned when declared numeric, or when its non-null cells (of the first
    /// `sample` rows) are all numbers and there is at least one.
    static func isNumericColumn(_ result: ResultSet, _ c: Int, sample: Int = 1000) -> Bool {
        if result.columns[c].numeric { return true }
        var seen = false
        for r in 0..<min(result.rowCount, sample) {
            let cell = result.cell(r, c)
            if cell == .null { continue }
            if !cell.isNumeric { return false }
            seen = true
        }
        return seen
    }

    // MARK: - Cell text

    /// `Cell.text`, but safe for huge doubles (Cell.format converts to Int).
    static func displayText(_ cell: Cell, labels: Bool = false) -> String {
        switch cell {
        case .bool(let b) where labels: return b ? "是" : "否"
        case .double(let d) where d.isFinite && abs(d) >= 1e15: return "\(d)"
        case .rate(let r) where r.isFinite && abs(r) >= 1e13: return "\(r * 100)%"
        default: return cell.text
        }
    }

    /// `Cell.exportText`, but safe for huge doubles.
    static func exportText(_ cell: Cell) -> String {
        switch cell {
        case .double(let d) where d.isFinite && abs(d) >= 1e15: return "\(d)"
        case .rate(let d) where d.isFinite && abs(d) >= 1e15: return "\(d)"
        default: return cell.exportText
        }
    }

    // MARK: - Fast export text

    /// Appends `exportText(cell)` as UTF-8, without building Strings for numbers and dates
    /// (same digits as Cell.exportText: six decimals, trailing zeros trimmed).
    static func appendExport(_ cell: Cell, into b: inout [UInt8]) {
        switch cell {
        case .null: break
        case .int(let i): appendInt(i, into: &b)
        case .double(let d), .rate(let d): appendFixed6(d, into: &b)
        case .day(let d):
            let (y, m, day) = d.components
            // Four-digit years, as Day.description writes them (years 1…9999).
            if y < 1000 { b.append(0x30) }
            if y < 100 { b.append(0x30) }
            if y < 10 { b.append(0x30) }
            appendInt(y, into: &b)
            b.append(0x2D)
            if m < 10 { b.append(0x30) }
            appendInt(m, into: &b)
            b.append(0x2D)
            if day < 10 { b.append(0x30) }
            appendInt(day, into: &b)
        case .bool(let v): b.append(contentsOf: v ? [0x74, 0x72, 0x75, 0x65] : [0x66, 0x61, 0x6C, 0x73, 0x65])
        case .text(let t): b.append(contentsOf: t.utf8)
        case .list(let items):
            for (k, item) in items.enumerated() {
                if k > 0 { b.append(0x3B) }
                b.append(contentsOf: item.utf8)
            }
        }
    }

    static func appendInt(_ v: Int, into b: inout [UInt8]) {
        if v < 0 { b.append(0x2D) }
        var digits = 1
        var t = v.magnitude
        while t >= 10 { t /= 10; digits += 1 }
        appendDigits(v.magnitude, count: digits, into: &b)
    }

    /// The last `count` decimal digits of `m`, zero-padded on the left (count ≤ 20).
    @inline(__always)
    static func appendDigits(_ m: UInt, count: Int, into b: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { tmp in
            var m = m
            var i = count - 1
            while i >= 0 {
                tmp[i] = UInt8(truncatingIfNeeded: 0x30 + m % 10)
                m /= 10
                i -= 1
            }
            b.append(contentsOf: UnsafeBufferPointer(rebasing: tmp[0..<count]))
        }
    }

    /// Cell.format(v, decimals: 6, trim: true), digit for digit, into bytes.
    static func appendFixed6(_ v: Double, into b: inout [UInt8]) {
        guard v.isFinite, abs(v) < 1e15 else {
            b.append(contentsOf: exportText(.double(v)).utf8)
            return
        }
        let scale = 1e6
        let rounded = (abs(v) * scale).rounded() / scale
        let negative = v < 0 && rounded != 0
        var whole = Int(rounded)
        var frac = Int(((rounded - Double(whole)) * scale).rounded())
        if Double(frac) >= scale { whole += 1; frac = 0 }
        if negative { b.append(0x2D) }
        appendInt(whole, into: &b)
        guard frac > 0 else { return }
        var digits = 6
        while frac % 10 == 0 { frac /= 10; digits -= 1 }
        b.append(0x2E)
        appendDigits(UInt(frac), count: digits, into: &b)
    }

    // MARK: - TSV

    /// Tabs, CR, LF (and CRLF as one) become a space; the guard prefixes ' to = + - @ tab CR.
    static func appendTSV(_ text: String, guardIt: Bool, into b: inout [UInt8]) {
        var t = text
        t.withUTF8 { p in
            if guardIt, let f = p.first, f == 0x3D || f == 0x2B || f == 0x2D || f == 0x40 || f == 0x09 || f == 0x0D {
                b.append(0x27)
            }
            var i = 0
            while i < p.count {
                let c = p[i]
                if c == 0x0D {
                    b.append(0x20)
                    if i + 1 < p.count && p[i + 1] == 0x0A { i += 1 }
                } else if c == 0x0A || c == 0x09 {
                    b.append(0x20)
                } else {
                    b.append(c)
                }
                i += 1
            }
        }
    }

    // MARK: - JSON

    /// `"key":` byte strings; repeated names get _2, _3 … so no key is lost.
    static func jsonKeys(_ names: [String]) -> [[UInt8]] {
        var used = Set<String>()
        var out: [[UInt8]] = []
        for name in names {
            var key = name
            var k = 2
            while used.contains(key) { key = "\(name)_\(k)"; k += 1 }
            used.insert(key)
            var b: [UInt8] = []
            appendJSONString(key, into: &b)
            b.append(0x3A)
            out.append(b)
        }
        return out
    }

    static func appendJSONValue(_ cell: Cell, into b: inout [UInt8]) {
        switch cell {
        case .null:
            b.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .int, .bool:
            appendExport(cell, into: &b)
        case .double(let d), .rate(let d):
            if d.isFinite { appendExport(cell, into: &b) }
            else { b.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]) }
        case .text(let t):
            appendJSONString(t, into: &b)
        case .day:
            b.append(0x22)
            appendExport(cell, into: &b)
            b.append(0x22)
        case .list(let items):
            b.append(0x5B)
            for (k, item) in items.enumerated() {
                if k > 0 { b.append(0x2C) }
                appendJSONString(item, into: &b)
            }
            b.append(0x5D)
        }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// A JSON string: quotes, backslashes and control characters escaped; everything else,
    /// including CJK, written as UTF-8.
    static func appendJSONString(_ s: String, into b: inout [UInt8]) {
        b.append(0x22)
        var s = s
        s.withUTF8 { p in
            var start = 0
            for i in 0..<p.count {
                let c = p[i]
                guard c < 0x20 || c == 0x22 || c == 0x5C else { continue }
                if start < i { b.append(contentsOf: UnsafeBufferPointer(rebasing: p[start..<i])) }
                start = i + 1
                b.append(0x5C)
                switch c {
                case 0x22: b.append(0x22)
                case 0x5C: b.append(0x5C)
                case 0x0A: b.append(0x6E)   // \n
                case 0x0D: b.append(0x72)   // \r
                case 0x09: b.append(0x74)   // \t
                case 0x08: b.append(0x62)   // \b
                case 0x0C: b.append(0x66)   // \f
                default:
                    b.append(contentsOf: [0x75, 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 0xF)]])
                }
            }
            if start < p.count { b.append(contentsOf: UnsafeBufferPointer(rebasing: p[start..<p.count])) }
        }
        b.append(0x22)
    }

    // MARK: - Markdown

    /// `|` becomes `\|`; CRLF, CR and LF become `<br>`.
    static func appendMarkdown(_ text: String, into b: inout [UInt8]) {
        var t = text
        t.withUTF8 { p in
            var i = 0
            while i < p.count {
                let c = p[i]
                switch c {
                case 0x7C: b.append(contentsOf: [0x5C, 0x7C])
                case 0x0D, 0x0A:
                    b.append(contentsOf: [0x3C, 0x62, 0x72, 0x3E])
                    if c == 0x0D && i + 1 < p.count && p[i + 1] == 0x0A { i += 1 }
                default: b.append(c)
                }
                i += 1
            }
        }
    }
}

// MARK: - Table

/// The box-ish terminal table:
///
///     id │ title          │ n
///     ───┼────────────────┼──
///      1 │ 关于加强…       │ 3
///     1 row
struct TableRenderer {
    let result: ResultSet
    let options: RenderOptions

    static let separator = " │ "
    /// Between columns when the table is short of room.
    static let compactSeparator = "│"
    /// Enumerated values this wide or narrower (人大代表建议, suggestion) are never cut.
    static let shortEnumWidth = 12
    /// A title cut to fit keeps this many columns (20 of text before its …, or what it needs).
    static let titleFloor = 22
    static let sgrBold = "\u{1B}[1m", sgrNumber = "\u{1B}[36m", sgrDim = "\u{1B}[2m", sgrReset = "\u{1B}[0m"

    /// Rows read to size the columns; later rows are cut to those widths with ….
    static let sizingRows = 2000

    func render(write: (String) -> Void) {
        var n = result.columns.count
        var hidden: [String] = []
        var separator = TableRenderer.separator
        let shown = options.maxRows.map { max(0, min($0, result.rowCount)) } ?? result.rowCount
        let headers = result.columns.map { TableRenderer.clean(options.chineseHeaders ? $0.label : $0.name) }
        var out = ""
        func flush(force: Bool = false) {
            if force ? !out.isEmpty : out.utf8.count >= Renderer.chunkSize { write(out); out = "" }
        }

        if n > 0 {
            // Natural widths and alignment.
            var widths = options.headers ? headers.map(DisplayWidth.of) : Array(repeating: 0, count: n)
            var right = Array(repeating: false, count: n)
            var sawNumber = Array(repeating: false, count: n)
            var sawOther = Array(repeating: false, count: n)
            for r in 0..<min(shown, TableRenderer.sizingRows) {
                for c in 0..<n {
                    let cell = result.cell(r, c)
                    switch cell {
                    case .null: continue
                    case .int, .double, .rate: sawNumber[c] = true
                    default: sawOther[c] = true
                    }
                    widths[c] = max(widths[c], DisplayWidth.of(TableRenderer.clean(Renderer.displayText(cell, labels: options.chineseHeaders))))
                }
            }
            for c in 0..<n { right[c] = result.columns[c].numeric || (sawNumber[c] && !sawOther[c]) }
            widths = widths.map { max($0, 1) }
            // Ids, dates, statuses, numbers and short enumerated values are never cut.
            var keep = (0..<n).map { c in
                right[c] || TableRenderer.isWhole(result.columns[c]) || TableRenderer.allDates(result, c, rows: min(shown, TableRenderer.sizingRows))
                    || (result.columns[c].enumerated && widths[c] <= TableRenderer.shortEnumWidth)
            }
            // The columns shown, by their index in the result.
            var visible = Array(0..<n)

            if let limit = options.width, n > 1 {
                // When the columns kept whole, the titles' 22 and 4 for each other text column do
                // not fit between " │ ", they are joined by "│" alone (10 columns more at 80).
                let titles = (0..<n).filter { !keep[$0] && TableRenderer.isTitle(result.columns[$0]) }
                let needed = (0..<n).reduce(0) { t, c in
                    t + (keep[c] ? widths[c] : min(widths[c], titles.contains(c) ? TableRenderer.titleFloor : 4))
                }
                if needed + TableRenderer.separator.count * (n - 1) > limit { separator = TableRenderer.compactSeparator }
                // Too many columns for the terminal even at their narrowest: hide some (text columns
                // first, titles last) and name them below the table.
                func narrowest(_ c: Int) -> Int { keep[c] ? widths[c] : min(widths[c], titles.contains(c) ? 6 : 4) }
                let sep = DisplayWidth.of(separator)
                var total = (0..<n).reduce(0) { $0 + narrowest($1) } + sep * (n - 1)
                // Hidden first: the other text columns, then those kept whole, from the right.
                let others = (0..<n).reversed().filter { !titles.contains($0) }
                let order = others.filter { !keep[$0] } + others.filter { keep[$0] } + titles.reversed()
                var dropped = Set<Int>()
                for c in order where total > limit && visible.count - dropped.count > 1 {
                    if dropped.isEmpty { total += sep + 1 }   // the … column
                    dropped.insert(c)
                    total -= narrowest(c) + sep
                }
                if !dropped.isEmpty {
                    visible = visible.filter { !dropped.contains($0) }
                    hidden = (0..<n).filter { dropped.contains($0) }.map { headers[$0] }
                    widths = visible.map { widths[$0] }; right = visible.map { right[$0] }; keep = visible.map { keep[$0] }
                    n = visible.count
                }
            }
            let headers = visible.map { headers[$0] }
            let sepWidth = DisplayWidth.of(separator)

            // Shrink to the terminal width.
            var hardCut = false
            if let limit = options.width {
                let room = hidden.isEmpty ? limit : limit - sepWidth - 1
                widths = TableRenderer.fit(widths, columns: visible.map { result.columns[$0] }, right: right, keep: keep, limit: room, separatorWidth: sepWidth)
                hardCut = widths.reduce(0, +) + sepWidth * (n - 1) > room
            }
            let color = options.color && !hardCut

            func emit(_ line: String) {
                var line = line
                if !right[n - 1] {   // no trailing blanks after a left-aligned last column
                    while line.utf8.last == 0x20 { line.removeLast() }
                }
                if hardCut, let limit = options.width { out += DisplayWidth.truncate(line, toWidth: limit) }
                else { out += line }
                out += "\n"
            }
            func pad(_ text: String, _ c: Int, last: Bool) -> String {
                let t = DisplayWidth.truncate(text, toWidth: widths[c])
                let fill = widths[c] - DisplayWidth.of(t)
                if fill <= 0 { return t }
                if right[c] { return String(repeating: " ", count: fill) + t }
                return last ? t : t + String(repeating: " ", count: fill)
            }

            if options.headers {
                var line = ""
                for c in 0..<n {
                    if c > 0 { line += separator }
                    let p = pad(headers[c], c, last: c == n - 1 && hidden.isEmpty)
                    line += color ? TableRenderer.sgrBold + p + TableRenderer.sgrReset : p
                }
                if !hidden.isEmpty { line += separator + "…" }
                emit(line)
                let cross = separator == TableRenderer.separator ? "─┼─" : "┼"
                emit((widths + (hidden.isEmpty ? [] : [1])).map { String(repeating: "─", count: $0) }.joined(separator: cross))
            }
            for r in 0..<shown {
                var line = ""
                for c in 0..<n {
                    if c > 0 { line += separator }
                    let cell = result.cell(r, visible[c])
                    let p = pad(TableRenderer.clean(Renderer.displayText(cell, labels: options.chineseHeaders)), c, last: c == n - 1 && hidden.isEmpty)
                    line += color && cell.isNumeric ? TableRenderer.sgrNumber + p + TableRenderer.sgrReset : p
                }
                if !hidden.isEmpty { line += separator + "…" }
                emit(line)
                flush()
            }
        }

        func footer(_ text: String) {
            // Wrapped to the terminal, never cut: the footer says what is not shown and what to do.
            for t in options.width.map({ TableRenderer.wrapped(text, width: $0) }) ?? [text] {
                out += options.color ? TableRenderer.sgrDim + t + TableRenderer.sgrReset : t
                out += "\n"
            }
        }
        if shown < result.rowCount {
            let more = result.rowCount - shown
            footer(options.chineseHeaders ? "… 另有 \(more) 行未显示（.maxrows 显示更多）"
                   : "… \(more) more \(more == 1 ? "row" : "rows") (.maxrows to show more)")
        }
        footer(Renderer.rowCount(result.rowCount, chinese: options.chineseHeaders))
        if !hidden.isEmpty {
            footer(options.chineseHeaders
                   ? "另有 \(hidden.count) 列未显示：\(hidden.joined(separator: "、"))（少选几个字段，或 .mode csv / .mode line）"
                   : "\(hidden.count) more column\(hidden.count == 1 ? "" : "s") not shown: \(hidden.joined(separator: ", ")) (select fewer fields, or .mode csv or .mode line)")
        }
        flush(force: true)
    }

    /// `text` in lines of at most `width` display columns: broken after the last space that
    /// fits, else between any two characters (Chinese has no spaces); nothing is cut.
    static func wrapped(_ text: String, width: Int) -> [String] {
        guard width > 0, DisplayWidth.of(text) > width else { return [text] }
        var lines: [String] = []
        var line: [Character] = [], widths: [Int] = []
        for ch in text {
            let w = DisplayWidth.of(String(ch))
            if widths.reduce(0, +) + w > width, !line.isEmpty {
                if let space = line.lastIndex(of: " "), space > 0 {
                    lines.append(String(line[..<space]))
                    line = Array(line[(space + 1)...]); widths = Array(widths[(space + 1)...])
                } else {
                    lines.append(String(line))
                    line = []; widths = []
                }
            }
            if line.isEmpty && ch == " " { continue }
            line.append(ch); widths.append(w)
        }
        if !line.isEmpty { lines.append(String(line)) }
        return lines
    }

    /// Column widths that fit `limit`. Columns in `keep` (ids, dates, statuses, numbers) keep
    /// their width; the text columns share what is left, the titles first: they get half of it
    /// (at least 22, so a cut Chinese title still shows 20 columns before its …, or what they need), the other text columns share the rest evenly, and what
    /// those do not need goes back to the titles. Only when that leaves a text column under 4
    /// columns do all columns shrink: titles to 12, text to 4, text to 1, any column to 1.
    static func fit(_ natural: [Int], columns: [ResultColumn], right: [Bool], keep: [Bool]? = nil, limit: Int,
                    separatorWidth: Int = separator.count) -> [Int] {
        var w = natural
        let n = w.count
        var excess = w.reduce(0, +) + separatorWidth * (n - 1) - limit
        guard excess > 0 else { return w }
        let all = Array(0..<n)
        let keep = keep ?? right
        let shared = all.filter { !keep[$0] }
        let room = limit - separatorWidth * (n - 1) - all.filter { keep[$0] }.reduce(0) { $0 + natural[$1] }
        if !shared.isEmpty, room >= 4 * shared.count {
            let titles = shared.filter { isTitle(columns[$0]) }
            let others = shared.filter { !isTitle(columns[$0]) }
            let titleNeed = titles.reduce(0) { $0 + natural[$1] }
            let reserve = titles.isEmpty ? 0 : min(titleNeed, max(room / 2, titleFloor * titles.count), room - 4 * others.count)
            for (c, width) in zip(others, evenShares(others.map { natural[$0] }, room - reserve)) { w[c] = width }
            let used = others.reduce(0) { $0 + w[$1] }
            for (c, width) in zip(titles, evenShares(titles.map { natural[$0] }, room - used)) { w[c] = width }
            return w
        }
        let text = all.filter { !right[$0] }
        let titles = text.filter { isTitle(columns[$0]) }
        for (set, floor) in [(titles, 12), (text, 4), (text, 1), (all, 1)] {
            while excess > 0 {
                // The widest column of the set that can still shrink, and the next widest.
                var widest = -1
                var second = 0
                for c in set where w[c] > min(natural[c], floor) {
                    if widest < 0 || w[c] > w[widest] {
                        if widest >= 0 { second = max(second, w[widest]) }
                        widest = c
                    } else {
                        second = max(second, w[c])
                    }
                }
                if widest < 0 { break }
                let target = max(second, min(natural[widest], floor), w[widest] - excess)
                let cut = max(1, w[widest] - target)
                w[widest] -= cut
                excess -= cut
            }
            if excess <= 0 { break }
        }
        return w
    }

    /// Widths for columns that need `needs`, sharing `budget` evenly: each gets what it needs or
    /// the even share of what is left, whichever is less (max-min fair), at least 1.
    static func evenShares(_ needs: [Int], _ budget: Int) -> [Int] {
        var out = needs
        var left = budget
        var pending = needs.indices.sorted { needs[$0] < needs[$1] }
        while !pending.isEmpty {
            let share = max(1, left / pending.count)
            let i = pending.removeFirst()
            out[i] = max(1, min(needs[i], share))
            left -= out[i]
        }
        return out
    }

    /// Columns never cut by name: the case id and the status.
    static func isWhole(_ column: ResultColumn) -> Bool {
        [FieldName.id, .caseID, .status].contains { $0 == column.name.lowercased() }
    }

    /// Whether every non-empty cell of the first `rows` rows of column `c` is a date.
    static func allDates(_ result: ResultSet, _ c: Int, rows: Int) -> Bool {
        var seen = false
        for r in 0..<rows {
            switch result.cell(r, c) {
            case .null: continue
            case .day: seen = true
            default: return false
            }
        }
        return seen
    }

    static func isTitle(_ column: ResultColumn) -> Bool {
        let name = column.name.lowercased()
        return name.contains("title") || column.label.contains("标题") || column.label == "案由"
            || column.name.contains("标题") || column.name == "案由"
    }

    /// One-line display text: CRLF, CR and LF become ↵, a tab a space, other control, bidi and
    /// zero-width characters visible escapes (`Escape.visible`), so cell text can never drive
    /// the terminal.
    static func clean(_ s: String) -> String { Escape.visible(s, lineBreaks: .arrow) }
}

extension Renderer {
    /// The row-count footer: `1 row`, `12 rows`, or with labels on `共 12 行`.
    static func rowCount(_ n: Int, chinese: Bool) -> String {
        chinese ? "共 \(n) 行" : (n == 1 ? "1 row" : "\(n) rows")
    }
}

// MARK: - Line

/// One field a line, the names aligned right, a blank line between rows (sqlite3's `.mode line`):
///
///        id = SJ-2020-0001
///     title = 关于…
struct LineRenderer {
    let result: ResultSet
    let options: RenderOptions

    func render(write: (String) -> Void) {
        let names = result.columns.map { TableRenderer.clean(options.chineseHeaders ? $0.label : $0.name) }
        let w = names.map(DisplayWidth.of).max() ?? 0
        let shown = options.maxRows.map { max(0, min($0, result.rowCount)) } ?? result.rowCount
        var out = ""
        for r in 0..<shown {
            if r > 0 { out += "\n" }
            for (c, name) in names.enumerated() {
                out += String(repeating: " ", count: w - DisplayWidth.of(name)) + name + " = "
                out += TableRenderer.clean(Renderer.displayText(result.cell(r, c), labels: options.chineseHeaders)) + "\n"
            }
            if out.utf8.count >= Renderer.chunkSize { write(out); out = "" }
        }
        if shown < result.rowCount {
            let more = result.rowCount - shown
            out += "\n" + (options.chineseHeaders ? "… 另有 \(more) 行未显示（.maxrows 显示更多）"
                           : "… \(more) more \(more == 1 ? "row" : "rows") (.maxrows to show more)") + "\n"
        }
        write(out)
    }
}
