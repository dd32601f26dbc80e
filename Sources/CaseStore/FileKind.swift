// What a file is, told from its first bytes, not its name: two systems export "Excel" lists that
// are HTML tables saved with an .xls name; a real workbook is a zip (xlsx) or an OLE2 file (xls).
// Every reader asks here, so a file is recognised in one place.

/// The kinds of file a dataset's table may come in.
public enum FileKind: Equatable, Sendable {
    case text            // CSV (UTF-8 or GB18030)
    case html            // an HTML table (often saved as .xls)
    case xlsx            // an Office Open XML workbook (a zip)
    case xls             // an Excel 97–2003 workbook (OLE2 compound file)
    case utf16           // text in UTF-16
    case binary(Int)     // something else: the offset of its first NUL byte

    /// Looks at the first bytes (up to 64 KB).
    public static func sniff(_ data: UnsafeBufferPointer<UInt8>) -> FileKind {
        let head = UnsafeBufferPointer(rebasing: data.prefix(1 << 16))
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return .xlsx }
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { return .xls }
        if head.count >= 2 && (head[0] == 0xFF && head[1] == 0xFE || head[0] == 0xFE && head[1] == 0xFF) { return .utf16 }
        if let nul = head.firstIndex(of: 0) { return .binary(nul) }
        if HTMLTable.looksLikeHTML(head) { return .html }
        return .text
    }

    /// What to tell a person about a file caseql cannot read as it is.
    public var refusal: Message? {
        switch self {
        case .text, .html: return nil
        case .xlsx: return Message(en: "this is an Excel workbook (.xlsx), not CSV; save it from Excel or WPS as CSV (UTF-8)", zh: "这是 Excel 工作簿（.xlsx），不是 CSV；请用 Excel 或 WPS 另存为 CSV（UTF-8）")
        case .xls: return Message(en: "this is an Excel 97–2003 workbook (.xls), not CSV; save it from Excel or WPS as CSV (UTF-8)", zh: "这是 Excel 97–2003 工作簿（.xls），不是 CSV；请用 Excel 或 WPS 另存为 CSV（UTF-8）")
        case .utf16: return Message(en: "the file is UTF-16; save it as UTF-8 (or GB18030) CSV", zh: "文件是 UTF-16 编码；请另存为 UTF-8（或 GB18030）的 CSV")
        case .binary(let nul): return Message(en: "this is not a text file (a NUL byte at offset \(nul)); expected CSV", zh: "这不是文本文件（偏移 \(nul) 处有 NUL 字节）；应为 CSV")
        }
    }
}

/// Reads the first table of an HTML file as CSV bytes: one row per `<tr>`, one cell per `<td>` or
/// `<th>` (tags inside removed, entities decoded, `<br>` a line break), a cell spanning columns
/// (`colspan`) followed by empty cells, one spanning rows (`rowspan`) leaving its column empty
/// in the rows below, as a CSV export of merged cells does. The bytes' encoding is kept.
enum HTMLTable {
    static func looksLikeHTML(_ head: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = head.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while i < head.count, head[i] == 0x20 || head[i] == 0x09 || head[i] == 0x0A || head[i] == 0x0D { i += 1 }
        guard i < head.count, head[i] == UInt8(ascii: "<") else { return false }
        let text = String(decoding: head[i...].prefix(8192), as: UTF8.self).lowercased()
        return text.contains("<table") || text.hasPrefix("<html") || text.hasPrefix("<!doctype html")
    }

    /// The CSV bytes, or nil when the file holds no table.
    static func csv(_ data: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        // Work on bytes (the encoding may be GB18030): tags and entities are ASCII.
        let b = data
        let n = b.count
        func lower(_ c: UInt8) -> UInt8 { c >= 65 && c <= 90 ? c + 32 : c }
        func matches(_ at: Int, _ word: String) -> Bool {
            let w = Array(word.utf8)
            guard at + w.count <= n else { return false }
            for k in 0..<w.count where lower(b[at + k]) != w[k] { return false }
            return true
        }
        /// The value of attribute `name` in the tag b[from..<to].
        func attribute(_ name: String, _ from: Int, _ to: Int) -> Int? {
            var k = from
            while k < to {
                if matches(k, name) {
                    var j = k + name.count
                    while j < to, b[j] == 0x20 || b[j] == UInt8(ascii: "=") || b[j] == 0x22 || b[j] == 0x27 { j += 1 }
                    var v = 0, digits = 0
                    while j < to, b[j] >= 48, b[j] <= 57 { v = v * 10 + Int(b[j] - 48); j += 1; digits += 1 }
                    return digits > 0 ? v : nil
                }
                k += 1
            }
            return nil
        }
        var rows: [[[UInt8]]] = []
        var row: [[UInt8]]? = nil
        var cell: [UInt8]? = nil
        var spans: [Int: Int] = [:]    // column → rows still covered by a rowspan above
        var inTable = false, tablesDone = false
        var i = 0
        /// Columns the open cell spans beyond its own (colspan - 1).
        var pendingEmpty = 0
        func closeCell() {
            guard let c = cell else { return }
            row?.append(c)
            for _ in 0..<pendingEmpty { row?.append([]) }
            cell = nil; pendingEmpty = 0
        }
        func closeRow() {
            closeCell()
            if let r = row { rows.append(r) }
            row = nil
        }
        while i < n && !tablesDone {
            if b[i] == UInt8(ascii: "<") {
                guard let close = (i..<n).first(where: { b[$0] == UInt8(ascii: ">") }) else { break }
                if matches(i, "<table") { inTable = true }
                else if matches(i, "</table") { closeRow(); tablesDone = inTable }
                else if inTable && matches(i, "<tr") { closeRow(); row = [] }
                else if inTable && matches(i, "</tr") { closeRow() }
                else if inTable && (matches(i, "<td") || matches(i, "<th")) && !matches(i, "<thead") {
                    closeCell()
                    if row == nil { row = [] }
                    // Columns covered by rowspans from above come first, empty.
                    while let left = spans[row!.count], left > 0 { spans[row!.count] = left - 1; row!.append([]) }
                    let colspan = max(1, attribute("colspan", i, close) ?? 1)
                    let rowspan = max(1, attribute("rowspan", i, close) ?? 1)
                    if rowspan > 1 { for c in 0..<colspan { spans[row!.count + c] = rowspan - 1 } }
                    cell = []
                    // The span's other columns: empty cells after this one.
                    pendingEmpty = colspan - 1
                } else if inTable && (matches(i, "</td") || matches(i, "</th")) {
                    closeCell()
                } else if cell != nil && (matches(i, "<br") || matches(i, "<p") && i > 0) {
                    if !(cell!.isEmpty) { cell!.append(0x0A) }
                }
                i = close + 1
                continue
            }
            if cell != nil {
                if b[i] == UInt8(ascii: "&"), let semi = (i..<min(n, i + 10)).first(where: { b[$0] == UInt8(ascii: ";") }) {
                    let name = String(decoding: b[(i + 1)..<semi], as: UTF8.self).lowercased()
                    var scalar: Unicode.Scalar?
                    switch name {
                    case "nbsp": scalar = " "
                    case "amp": scalar = "&"
                    case "lt": scalar = "<"
                    case "gt": scalar = ">"
                    case "quot": scalar = "\""
                    case "apos": scalar = "'"
                    default:
                        if name.hasPrefix("#x") { scalar = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init) }
                        else if name.hasPrefix("#") { scalar = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init) }
                    }
                    if let scalar {
                        cell!.append(contentsOf: Array(String(Character(scalar)).utf8))
                        i = semi + 1
                        continue
                    }
                }
                let c = b[i]
                // Runs of white space (the HTML's own line breaks) as one space.
                if c == 0x0A || c == 0x0D || c == 0x09 || c == 0x20 {
                    if let last = cell!.last, last != 0x20, last != 0x0A { cell!.append(0x20) }
                } else {
                    cell!.append(c)
                }
            }
            i += 1
        }
        closeRow()
        guard !rows.isEmpty else { return nil }
        let width = rows.map(\.count).max() ?? 0
        var out: [UInt8] = []
        for r in rows {
            for k in 0..<width {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                var v = k < r.count ? r[k] : []
                while let l = v.last, l == 0x20 || l == 0x0A { v.removeLast() }
                if v.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) {
                    out.append(0x22)
                    for c in v { out.append(c); if c == 0x22 { out.append(0x22) } }
                    out.append(0x22)
                } else {
                    out += v
                }
            }
            out.append(0x0A)
        }
        return out
    }
}
