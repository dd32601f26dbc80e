// How a published list is laid out: where its header is (title rows above it, a second header
// row under merged group cells), which header names which field, and which rows are not cases
// (合计, 注：…, section headings, the header repeated, rows of only commas). Done once per file,
// except `RowFilter.isData`, which looks at one cell per row.

/// The words of a header cell, and the spellings to try for it.
enum HeaderText {
    /// The cell without the characters that pad it inside and out (`Schema.headerName`, then
    /// spaces, ideographic and no-break spaces, tabs and line breaks inside: `案　由`, `案   由`),
    /// and without a trailing `*` or colon.
    static func squeezed(_ raw: String) -> String {
        var out = String.UnicodeScalarView()
        for u in Schema.headerName(raw).unicodeScalars {
            switch u.value {
            case 0x20, 0x09, 0x0A, 0x0D, 0xA0, 0x3000, 0xFEFF, 0x2000...0x200B: continue
            default: out.append(u)
            }
        }
        var s = String(out)
        while let l = s.last, "*＊:：".contains(l) { s.removeLast() }
        return s
    }

    /// Spellings to look up, best first: the squeezed cell, its first line, and either without a
    /// bracketed suffix (`答复时间（年月日）`, `主办单位(牵头)`).
    static func candidates(_ raw: String) -> [String] {
        var out = [squeezed(raw)]
        if let firstLine = raw.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).first.map(String.init) {
            out.append(squeezed(firstLine))
        }
        for s in out {
            var t = s
            while let last = t.last, "）)】]".contains(last),
                  let open = t.lastIndex(where: { "（(【[".contains($0) }), open > t.startIndex {
                t = String(t[..<open])
            }
            out.append(t)
        }
        var seen = Set<String>()
        return out.filter { !$0.isEmpty && seen.insert($0).inserted }
    }

    /// The field a header cell names, if any.
    static func field(_ raw: String, in specs: [FieldSpec]) -> FieldSpec? {
        for c in candidates(raw) { if let f = Schema.field(c, in: specs.filter { !$0.extra }) { return f } }
        return nil
    }

    /// Headers real lists use for what caseql has no field for, and what each holds (issue 18):
    /// kept as text under their header, and never guessed as a field (代表团 holds a delegation,
    /// not a proposer, although 代表 is one of proposer's headers).
    static let knownColumns: [String: String] = [
        "代表团": "a delegation", "界别": "a sector (界别)", "所属界别": "a sector (界别)", "届次": "a session",
        "提案人数": "a count of proposers", "办理类型": "单办/会办/分办", "办理方式": "单办/会办/分办",
        "采纳情况": "adopted or not", "是否落实": "carried out or not", "是否公开": "published or not",
        "答复文号": "a reply's document number", "办理工作": "a satisfaction with the handling",
        "办理结果": "a satisfaction with the result", "序号": "the row's number in the list",
    ]

    /// Whether a column found by `spellings` names `spec` by its own name or Chinese label, not
    /// only by an alias (an alias of an enumerated field is trusted only when the column's values
    /// are the field's: see `valuesFit`).
    static func namesItself(_ spellings: [String], _ spec: FieldSpec) -> Bool {
        spellings.contains { EnumInfo.fold($0) == spec.name || $0 == spec.label }
    }

    /// Whether at least half of a column's sampled values (distinct, non-empty) read as values
    /// of a field of `type`: its enumeration's words, dates, yes/no, whole numbers; any text for a
    /// text field. An empty column fits (reading it as the field loses nothing). So a column of
    /// prose under 办理情况 is not read as status, and a status column with a typo still is, the
    /// typo an error.
    static func valuesFit(_ sample: Set<String>, _ type: FieldType) -> Bool {
        guard !sample.isEmpty else { return true }
        func fits(_ v: String) -> Bool {
            switch type {
            case .enumeration(let info): return info.loadedCode(of: v) != nil
            case .date: var v = v; return v.withUTF8 { Day.parse($0) } != nil
            case .bool: return YesNo.value(of: v) != nil
            case .int: return Int(v) != nil
            case .real: return Double(v) != nil
            case .text, .textList: return true
            }
        }
        return sample.filter(fits).count * 2 >= sample.count
    }

    /// The distinct non-empty cells of column `k` in up to `rows` rows from `start` (for
    /// `valuesFit`).
    static func sample(_ buf: UnsafeBufferPointer<UInt8>, from start: Int, line: Int, column k: Int, rows: Int = 200) -> Set<String> {
        var reader = CSVReader(buf, startingAt: start, line: line)
        var out = Set<String>()
        var n = 0
        while n < rows, (try? reader.nextRow()) == true {
            n += 1
            guard k < reader.fields.count else { continue }
            let cell = reader.withValue(k) { String(decoding: CellParser.trim($0), as: UTF8.self) }
            if !cell.isEmpty { out.insert(cell) }
        }
        return out
    }

    /// The field a header that names none most likely means: one of its spellings contains the
    /// header or is contained in it (two characters or more), else the nearest by edit distance;
    /// none for a header of `knownColumns`.
    static func guess(_ raw: String, in specs: [FieldSpec]) -> FieldSpec? {
        FieldSpellings(specs).guess(raw)
    }

    /// How a field is named in messages: `title (案由)`.
    static func describe(_ spec: FieldSpec) -> String { spec.extra ? spec.name : "\(spec.name) (\(spec.label))" }
}

/// The header of a file: on which row it is, one or two rows deep, and each column's name.
struct HeaderLayout {
    /// Each column's header (group and sub-header joined for a two-row header).
    var names: [String]
    /// Each column's header cells as written (trimmed), one or two.
    var raw: [[String]]
    /// The spellings to try for each column, best first.
    var spellings: [[String]]
    /// Character column of each header cell, for messages.
    var columns: [Int]
    /// Where the body starts: byte offset and line.
    var bodyStart: Int
    var bodyLine: Int
    /// The header's bytes (from its first row through its last), for a rejects file.
    var headerBytes: Range<Int>
    /// The line the header's first row starts on.
    var line: Int
    /// Rows above the header (titles, dates, notes): how many, and the first one's words.
    var skippedAbove: Int
    var titleAbove: String?
    /// The header's rows: 1, or 2 or 3 under merged groups (`maxDepth`).
    var depth: Int
    var twoRows: Bool { depth > 1 }

    struct Row {
        var cells: [String]
        var columns: [Int]
        var start: Int
        var end: Int
        var line: Int
        var endLine: Int
    }

    /// Rows looked at for the header.
    static let searchRows = 30

    /// Finds the header: of the first rows, the one whose cells name the most fields (the first
    /// row when none names any); a row under it whose cells sit under the header's empty (merged)
    /// cells is its second row.
    static func find(_ buf: UnsafeBufferPointer<UInt8>, specs: [FieldSpec]) throws(CSVReader.Failure) -> HeaderLayout? {
        var reader = CSVReader(buf)
        var rows: [Row] = []
        while rows.count < searchRows {
            let start = reader.position
            do {
                guard try reader.nextRow() else { break }
            } catch {
                // A bad row under the first one (a runaway quote in the body): not a header;
                // the body's reader meets it again and reports or rejects it.
                if rows.isEmpty { throw error }
                reader.resume(after: error)
                continue
            }
            if reader.isBlankRow { continue }
            let cells = (0..<reader.fields.count).map { reader.string($0) }
            let columns = reader.fieldColumns()
            rows.append(Row(cells: cells, columns: columns, start: reader.rowStart == 0 ? start : reader.rowStart,
                            end: reader.position, line: reader.rowLine, endLine: reader.line))
        }
        guard !rows.isEmpty else { return nil }
        // Every spelling folded once (not once a cell: 30 rows of cells against some 150 aliases).
        var index: [String: String] = [:]
        for spec in specs where !spec.extra { for sp in spec.spellings where index[EnumInfo.fold(sp)] == nil { index[EnumInfo.fold(sp)] = spec.name } }
        // Each distinct cell looked up once (body rows repeat their values down a column).
        var named: [String: String?] = [:]
        func field(_ c: String) -> String? {
            if let known = named[c] { return known }
            let name = HeaderText.candidates(c).lazy.compactMap({ index[EnumInfo.fold($0)] }).first
            named[c] = name
            return name
        }
        func score(_ r: Row) -> Int {
            var fields = Set<String>()
            for c in r.cells where !c.isEmpty { if let name = field(c) { fields.insert(name) } }
            return fields.count
        }
        var h = 0, best = 0
        for (i, r) in rows.enumerated() {
            let s = score(r)
            if s > best { best = s; h = i }
        }
        // The row naming the most fields may be the sub-headers of groups (`基本情况` over 案由 |
        // 主办单位, `办理情况` over 答复日期 | 办结日期): the row above begins the header when it
        // has a field's cell merged down beside the groups (建议号 over an empty cell), and the
        // row is its sub-header row. (A title or a 填报单位 line above a header names no field.)
        var up = 0
        while best > 0, h > 0, up < maxDepth - 1 {
            let above = rows[h - 1], row = rows[h]
            let mergedDown = above.cells.indices.contains { k in
                !HeaderText.squeezed(above.cells[k]).isEmpty && (k >= row.cells.count || HeaderText.squeezed(row.cells[k]).isEmpty)
                    && field(above.cells[k]) != nil
            }
            guard mergedDown, isSubHeader(row, under: above, next: h + 1 < rows.count ? rows[h + 1] : nil, namesField: { field($0) != nil }) else { break }
            h -= 1; up += 1
        }
        let head = rows[h]
        // Sub-header rows under merged groups: a second, and a third under groups of the second
        // (`办理情况` over `答复` over `答复日期 | 答复文号`).
        var levels = [head]
        while levels.count < maxDepth, h + levels.count < rows.count {
            let i = h + levels.count
            // Only the second row may hold a group of its own whose sub-headers are on the third.
            let next = levels.count == 1 && i + 1 < rows.count ? rows[i + 1] : nil
            guard isSubHeader(rows[i], under: levels[levels.count - 1], next: next, namesField: { field($0) != nil }) else { break }
            levels.append(rows[i])
        }
        var names = head.cells.map { HeaderText.squeezed($0) }
        var spellings = head.cells.map { HeaderText.candidates($0) }
        var columns = head.columns
        for (above, sub) in zip(levels, levels.dropFirst()) {
            // A group merged over the last columns leaves the rows above short of them (a merged
            // range's covered cells are not written): the sub-header's row says how wide the
            // header is.
            for k in names.count..<max(names.count, sub.cells.count) {
                names.append(""); spellings.append([]); columns.append(sub.columns[k])
            }
            var group = ""
            for k in 0..<names.count {
                let top = k < above.cells.count ? HeaderText.squeezed(above.cells[k]) : ""
                let below = k < sub.cells.count ? HeaderText.squeezed(sub.cells[k]) : ""
                // A cell merged down names its column alone; a group names the columns under it
                // (with the groups over it: its column's name so far).
                if !top.isEmpty { group = below.isEmpty ? "" : names[k] }
                guard !below.isEmpty else { continue }
                names[k] = group + below
                // The sub-header, then group + sub-header, then the group.
                spellings[k] = HeaderText.candidates(sub.cells[k]) + (group.isEmpty ? [] : [group + below, group])
            }
        }
        let last = levels[levels.count - 1]
        let title = rows[..<h].lazy.flatMap { $0.cells }.map { HeaderText.squeezed($0) }.first { !$0.isEmpty }
        let raw = (0..<names.count).map { k in
            levels.compactMap { k < $0.cells.count ? $0.cells[k].trimmingSpaces() : nil }.filter { !$0.isEmpty }
        }
        return HeaderLayout(names: names, raw: raw, spellings: spellings, columns: columns, bodyStart: last.end,
                            bodyLine: last.endLine, headerBytes: head.start..<last.end, line: head.line, skippedAbove: h,
                            titleAbove: title, depth: levels.count)
    }

    /// The most rows a header may take: a group, a group under it, and their sub-headers.
    static let maxDepth = 3

    /// A header row under `head`: it has a cell under an empty cell of `head` (a merged group's
    /// span), every cell it has sits under an empty cell of `head` or a group's first cell, and no
    /// cell of it is under a cell of `head` merged down (a field on its own). A group's first cell
    /// has an empty cell right of it in `head` with a sub-header under it, or (a group of its own,
    /// over sub-headers on the `next` row) a cell of `next` under that. A row of one cell is a
    /// sub-header row only when that cell names a field (`namesField`: 办理情况 over an empty cell
    /// and 办结日期).
    static func isSubHeader(_ sub: Row, under head: Row, next: Row? = nil, namesField: (String) -> Bool) -> Bool {
        let n = head.cells.count
        func top(_ k: Int) -> String { k < n ? HeaderText.squeezed(head.cells[k]) : "" }
        func below(_ k: Int) -> String { k < sub.cells.count ? HeaderText.squeezed(sub.cells[k]) : "" }
        func further(_ k: Int) -> String { next.map { k < $0.cells.count ? HeaderText.squeezed($0.cells[k]) : "" } ?? "" }
        var underSpan = false, filled = 0, only = ""
        for k in 0..<max(n, sub.cells.count) where !below(k).isEmpty {
            filled += 1; only = sub.cells[k]
            if top(k).isEmpty { underSpan = true; continue }
            // The group's first cell: the next header cell is empty and has a sub-header.
            guard top(k + 1).isEmpty && (!below(k + 1).isEmpty || !further(k + 1).isEmpty) else { return false }
        }
        // Headers are short; a row with a long cell is data.
        return underSpan && (filled >= 2 || filled == 1 && namesField(only)) && sub.cells.allSatisfy { HeaderText.squeezed($0).count <= 16 }
    }
}

/// Tells data rows from rows that are not cases: totals (合计), notes (注：…), section headings
/// (`（一）重点督办的代表建议`), the header repeated, rows of only commas.
struct RowFilter {
    /// The column looked at for every row (the title's, else the id's).
    let anchor: Int
    /// The id's column when the anchor is the title's.
    let idColumn: Int?
    /// The anchor column's header, squeezed (a repeated header).
    let anchorHeader: String
    /// The byte lengths of the anchor's header cells as written (a cell of another length is
    /// not the header repeated).
    let headerLengths: [Int]

    /// The words that may begin a row that is not a case: 合 总 小 共 注 说 备 附 （ and the
    /// numerals of headings 一 … 十. A table by a character's last two UTF-8 bytes (distinct for
    /// these) holding its first byte, so the test per row is one load.
    /// Written once, by the initializer, and only read after: safe to share between threads.
    nonisolated(unsafe) static let suspicious: UnsafeMutablePointer<UInt8> = {
        let t = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 16)
        t.initialize(repeating: 0, count: 1 << 16)
        for c in "合总小共注说备附（一二三四五六七八九十" {
            let b = Array(String(c).utf8)
            precondition(t[Int(b[1]) << 8 | Int(b[2])] == 0)
            t[Int(b[1]) << 8 | Int(b[2])] = b[0]
        }
        return t
    }()

    /// Whether the current row of `reader` is a case. Looks at the anchor cell; only a row whose
    /// anchor cell is empty, equals its header, or begins with one of the suspicious words is
    /// read whole.
    @inline(__always)
    func isData(_ reader: CSVReader) -> Bool {
        let quick: Bool? = reader.withValue(anchor) { raw in
            let p = CellParser.trim(raw)
            guard p.count > 0, p[0] != 0x28 else { return nil }   // empty, or "(一)"
            if p.count >= 3 && RowFilter.suspicious[Int(p[1]) << 8 | Int(p[2])] == p[0] { return nil }
            for l in headerLengths where p.count == l { return nil }
            return true
        }
        if let quick {
            // A total in the first column, its count under the title (`合计,4件,`): the first
            // cell is looked at too when it begins with one of the words.
            guard quick, anchor > 0, reader.fields.count > 0 else { return quick }
            let first: Bool = reader.withValue(0) { raw in
                let p = CellParser.trim(raw)
                return p.count >= 3 && RowFilter.suspicious[Int(p[1]) << 8 | Int(p[2])] == p[0]
            }
            if !first { return true }
        }
        return reason(reader) == nil
    }

    /// Whether a cell is a count as a total row gives it: `4`, `4件`, `共4件`, `1,270`, `96.5%`.
    static func isCount(_ s: String) -> Bool {
        var t = Substring(s)
        if t.hasPrefix("共") { t = t.dropFirst() }
        if let last = t.last, "件个条项次人".contains(last) { t = t.dropLast() }
        return !t.isEmpty && t.first!.isNumber && t.allSatisfy { $0.isNumber || $0 == "," || $0 == "." || $0 == "%" }
    }

    /// Why the current row is not a case, or nil when it is one.
    func reason(_ reader: CSVReader) -> SkippedRow? {
        let cells = (0..<reader.fields.count).map { HeaderText.squeezed(reader.string($0)) }
        let filled = cells.filter { !$0.isEmpty }
        if filled.isEmpty { return .empty }
        let a = anchor < cells.count ? cells[anchor] : ""
        if a == anchorHeader { return .headerAgain }
        if a.isEmpty {
            if let k = RowFilter.kindOfRow(filled[0]) { return k }
            if let id = idColumn, id < cells.count, !cells[id].isEmpty, filled.count >= 2 { return nil }
            return filled.count == 1 ? .sectionHeading : .noTitleOrID
        }
        if let k = RowFilter.kindOfRow(a) {
            return k == .sectionHeading && filled.count > 2 ? nil : k
        }
        // `合计,4件,`: a total word alone in the first filled cell, counts in the others.
        let word = String(filled[0].prefix { $0 != ":" && $0 != "：" })
        if RowFilter.totalWords.contains(word), filled.dropFirst().allSatisfy(RowFilter.isCount) {
            return .total(word)
        }
        return nil
    }

    /// The words a total row begins with.
    static let totalWords = ["合计", "总计", "小计", "共计"]

    /// The kind a section heading's words name (`（一）重点督办的代表建议` → suggestion).
    static func kind(inHeading reader: CSVReader) -> Kind? {
        guard let words = (0..<reader.fields.count).lazy.map({ HeaderText.squeezed(reader.string($0)) }).first(where: { !$0.isEmpty }) else { return nil }
        return kind(inWords: words)
    }

    /// The kind words name (a section heading's, a sheet's name: `政协委员提案` → proposal): the
    /// longest spelling of a kind in them, if any; nil when they name two kinds (`建议提案汇总`).
    /// A spelling inside a longer one that matched (意见 in 群众意见) names nothing of its own.
    static func kind(inWords words: String) -> Kind? {
        var found: [(token: String, spelling: String)] = []
        for v in Kind.info.values {
            for s in [v.label] + v.aliases where s.count >= 2 && words.contains(s) { found.append((v.token, s)) }
        }
        let kept = found.filter { f in !found.contains { $0.spelling.count > f.spelling.count && $0.spelling.contains(f.spelling) } }
        guard Set(kept.map(\.token)).count == 1, let best = kept.max(by: { $0.spelling.count < $1.spelling.count }) else { return nil }
        return Kind(rawValue: Kind.info.code(of: best.token)!)
    }

    /// What a row whose first words are these is, when they say it is not a case.
    static func kindOfRow(_ words: String) -> SkippedRow? {
        for w in totalWords where words.hasPrefix(w) { return .total(w) }
        for w in ["注：", "注:", "说明：", "说明:", "备注：", "备注:", "附：", "附件", "附表"] where words.hasPrefix(w) { return .note }
        let numerals = "一二三四五六七八九十"
        var s = Substring(words)
        if let f = s.first, f == "（" || f == "(" {
            s = s.dropFirst()
            let n = s.prefix { numerals.contains($0) }
            if !n.isEmpty, let c = s.dropFirst(n.count).first, c == "）" || c == ")" { return .sectionHeading }
        } else {
            let n = s.prefix { numerals.contains($0) }
            if !n.isEmpty, let c = s.dropFirst(n.count).first, c == "、" || c == "." || c == "．" { return .sectionHeading }
        }
        return nil
    }
}

/// What a row that is not a case is, as the load note of skipped rows names it.
enum SkippedRow: Hashable, Sendable {
    case empty, headerAgain, note, sectionHeading, noTitleOrID, notACase
    /// A total, by the word it begins with (合计, 总计, 小计, 共计).
    case total(String)

    /// The kind in both languages, with its count when `count` > 1 (`2 × a section heading`).
    var message: Message {
        switch self {
        case .empty: return Message(en: "an empty row", zh: "空行")
        case .headerAgain: return Message(en: "the header again", zh: "重复的表头")
        case .note: return Message(en: "a note", zh: "注释行")
        case .sectionHeading: return Message(en: "a section heading", zh: "分节标题")
        case .noTitleOrID: return Message(en: "a row with no title or id", zh: "没有案由和编号的行")
        case .notACase: return Message(en: "not a case", zh: "不是案件")
        case .total(let w): return Message(en: "a total (\(w))", zh: "合计行（\(w)）")
        }
    }
}
