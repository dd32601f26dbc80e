import Foundation

/// A file's columns bound to the table's fields: a cell parser for each column read (nil for a
/// column not loaded: a derived field's, an empty header's), one for each stored field the file
/// has no column for (filled with its empty value, or the list's kind), and the column each field
/// was found in.
struct ColumnBinding {
    let mapping: [CellParser?]
    let absent: [CellParser]
    let seenFields: [String: Int]
}

extension TableLoader {
    /// Binds the header's columns to fields (by field name, label or alias; an enumerated field
    /// found by an alias only when the column's values are its words), keeps the other columns as
    /// text fields under their headers, and says in `warnings` what it did with each column that
    /// is not plainly a field. Each parser reserves room for `expectedRows` rows.
    /// - Throws: `LoadError` when the file lacks a needed column (title or id for cases), or has a
    ///   header in field names one edit from a field it lacks (a typo).
    mutating func bindColumns(_ layout: HeaderLayout, buf: UnsafeBufferPointer<UInt8>, headerLine: Int,
                              expectedRows: Int) throws -> ColumnBinding {
        let headerCount = layout.names.count
        var mapping: [CellParser?] = []
        var seenFields: [String: Int] = [:]
        var headerIssues: [LoadIssue] = []
        // Columns that name no field, kept as text fields under their header; the field each
        // most likely means is guessed only where a message shows it (a note says what a known
        // column holds instead). Every step here is one lookup a column (FieldSpellings), so a
        // header of thousands of columns reads at once.
        let spellings = FieldSpellings(table.specs)
        var unplaced: [(header: String, column: Int, note: String?)] = []
        var placed: [Int: FieldSpec] = [:]
        // Columns of derived fields (a caseql export read back): computed, so neither loaded nor kept.
        var derivedColumns = Set<Int>()
        var derivedNotes: [Message] = [], againNotes: [Message] = []
        // Columns kept as text under a header that is an alias of a field (queries find the
        // column first by its header).
        var ownName = Set<String>()
        for k in 0..<headerCount {
            let h = layout.names[k]
            var spec: FieldSpec?
            for c in layout.spellings[k] { if let f = spellings.field(c) { spec = f; break } }
            if let s = spec, s.derived {
                derivedNotes.append(Message(en: "\(noteName): column \"\(Escape.visible(h))\" is derived (\(s.name)); ignored, it is computed",
                                            zh: "\(noteName)：列 \"\(Escape.visible(h))\" 是推算字段（\(s.name)）；已忽略，它由计算得出"))
                derivedColumns.insert(k)
                continue
            }
            if let s = spec, let first = seenFields[s.name] {
                // A second column for one field: kept as its own text field, not lost.
                againNotes.append(Message(en: "\(noteName): column \"\(Escape.visible(h))\" names \(s.name) again (already column \(first + 1)); kept as a text field",
                                          zh: "\(noteName)：列 \"\(Escape.visible(h))\" 再次对应 \(s.name)（已是第 \(first + 1) 列）；保留为文本字段"))
                spec = nil
            }
            // An enumerated field found by an alias only (办理情况 for status) is that field when
            // the column's values are its words; else the column is kept as text.
            if let s = spec, case .enumeration = s.type, !HeaderText.namesItself(layout.spellings[k], s) {
                let sample = HeaderText.sample(buf, from: layout.bodyStart, line: layout.bodyLine, column: k)
                if !HeaderText.valuesFit(sample, s.type) {
                    let shown = sample.sorted().prefix(2).map { "\"\(Escape.visible($0))\"" }.joined(separator: ", ")
                    unplaced.append((h, k, "its values, such as \(shown), are not \(s.name) words"))
                    ownName.insert(h)
                    continue
                }
            }
            if let s = spec {
                seenFields[s.name] = k
                placed[k] = s
            } else if !h.isEmpty {
                unplaced.append((h, k, HeaderText.knownColumns[HeaderText.squeezed(h)] ?? layout.spellings[k].lazy.compactMap { HeaderText.knownColumns[$0] }.first))
            }
        }
        warnings += Notes.capped(derivedNotes, more: { Message(en: "\(noteName): … and \($0) more derived columns, ignored", zh: "\(noteName)：… 另有 \($0) 个推算列，已忽略") })
        warnings += Notes.capped(againNotes, more: { Message(en: "\(noteName): … and \($0) more columns naming a field again, kept as text fields", zh: "\(noteName)：… 另有 \($0) 列再次对应某个字段，保留为文本字段") })
        // Needed columns: title or id for cases (any one of each list).
        for need in Schema.neededColumns(table.name, table.specs) where !need.contains(where: { seenFields[$0] != nil }) {
            let specs = need.compactMap { n in table.specs.first { $0.name == n } }
            var message = Message(en: "missing a column for " + specs.map(HeaderText.describe).joined(separator: " or "),
                                  zh: "缺少列：" + specs.map(HeaderText.describe).joined(separator: " 或 "))
            let likely = unplaced.first { g in g.note == nil && need.contains { $0 == spellings.guess(g.header)?.name } }?.header
                ?? specs.first.flatMap { s in
                    // A header near the label that shares a character with one of the needed
                    // fields' spellings (建议内容 beside 建议名称 for title); never a number or a
                    // name that shares none (1, 于国栋).
                    let letters = Set(specs.flatMap { [$0.label] + $0.aliases }.joined())
                    let fit = unplaced.map(\.header).filter { h in !h.allSatisfy(\.isNumber) && h.contains { letters.contains($0) } }
                    return Suggest.closest(to: s.label, in: fit, maxDistance: 4)
                }
            if let likely { message = message + Message(en: "; the header most likely meant is \"\(likely)\"", zh: "；最可能是指表头 \"\(likely)\"") }
            let header = layout.names.filter { !$0.isEmpty }.prefix(12).joined(separator: ", ")
            message = message + Message(en: " (the header, \(at(line: headerLine).en): " + header + (headerCount > 12 ? ", … \(headerCount) columns" : "") + ")",
                                        zh: "（表头，\(at(line: headerLine).zh)：" + header + (headerCount > 12 ? ", … 共 \(headerCount) 列" : "") + "）")
            headerIssues.append(LoadIssue(file: name, line: headerLine, column: 0, field: nil, message: message))
        }
        // A header one edit from a field the file lacks is never set aside while that field stays
        // empty. Typed in field names (`satisfction`), it is a typo: an error beside that field.
        // In words (满意率 beside 满意度), it is read as that field when its values are the
        // field's (words of its enumeration, dates, yes/no, numbers), with a note; else an error.
        var nearMisses: [Int: FieldSpec] = [:]
        for (h, k, note) in unplaced where note == nil {
            guard let meant = spellings.nearMiss(h), seenFields[meant.name] == nil, spellings.guess(h)?.name == meant.name else { continue }
            if !h.allSatisfy(\.isASCII),
               HeaderText.valuesFit(HeaderText.sample(buf, from: layout.bodyStart, line: layout.bodyLine, column: k), meant.type) {
                nearMisses[k] = meant
                seenFields[meant.name] = k
                placed[k] = meant
                warnings.append(Message(en: "\(noteName): column \"\(Escape.visible(h))\" read as \(HeaderText.describe(meant)): its header is one character from the field's and its values are the field's (rename the column if it is something else)",
                                        zh: "\(noteName)：列 \"\(Escape.visible(h))\" 按 \(HeaderText.describe(meant)) 读入：表头与该字段只差一个字，取值也符合该字段（如果不是该字段，请改列名）"))
                continue
            }
            headerIssues.append(LoadIssue(file: name, line: headerLine, column: k < layout.columns.count ? layout.columns[k] : 0, field: nil,
                                          message: Message(en: "column \"\(Escape.visible(h))\" is not a field of \(table.name): did you mean \(meant.name) (\(meant.label))? Rename the column",
                                                           zh: "列 \"\(Escape.visible(h))\" 不是\(Schema.tableLabels[table.name] ?? table.name)的字段：是不是 \(meant.name)（\(meant.label)）？请改列名")))
        }
        unplaced.removeAll { nearMisses[$0.column] != nil }
        if !headerIssues.isEmpty {
            throw LoadError(headerIssues, lenientHelps: false)
        }
        if !unplaced.isEmpty {
            let n = unplaced.count
            let shown = unplaced.prefix(Notes.shownItems).map { u in
                "\"\(Escape.visible(u.header))\"" + (u.note.map { " (\($0))" } ?? spellings.guess(u.header).map { " (perhaps \(HeaderText.describe($0))?)" } ?? "")
            }
            let list = shown.joined(separator: ", ")
            warnings.append(Message(en: "\(noteName): \(n) column\(n == 1 ? "" : "s") named no field of \(table.name), kept as text field\(n == 1 ? "" : "s") under \(n == 1 ? "its header" : "their headers"): "
                                        + list + (n > shown.count ? ", … and \(n - shown.count) more" : ""),
                                    zh: "\(noteName)：\(n) 列不是\(Schema.tableLabels[table.name] ?? table.name)的字段，按表头保留为文本字段：" + list + (n > shown.count ? ", … 另有 \(n - shown.count) 列" : "")))
        }
        var extraNames = Set<String>()
        var nextNumber: [String: Int] = [:]
        // Extra fields already in the table (the file read again as GB18030), by name.
        var extrasBefore: [String: FieldSpec] = [:]
        for s in table.specs where s.extra && extrasBefore[s.name] == nil { extrasBefore[s.name] = s }
        for k in 0..<headerCount {
            var spec = placed[k]
            if derivedColumns.contains(k) { mapping.append(nil); continue }
            if spec == nil {
                let h = layout.names[k]
                guard !h.isEmpty, seenFields[h] == nil else { mapping.append(nil); continue }
                // An extra column: named by its header (numbered when the header repeats).
                // (Numbering goes on from the header's last number: a header repeated n times costs n.)
                func taken(_ n: String) -> Bool {
                    extraNames.contains(n) || spellings.field(n).map { !(ownName.contains(n) && $0.name != n && $0.label != n) } ?? false
                }
                var extraName = h, i = nextNumber[h] ?? 2
                if nextNumber[h] != nil { extraName = "\(h)\(i)"; i += 1 }
                while taken(extraName) { extraName = "\(h)\(i)"; i += 1 }
                nextNumber[h] = i
                extraNames.insert(extraName)
                if let again = extrasBefore[extraName] {
                    spec = again   // read again (as GB18030): the column is there
                } else {
                    guard table.count == 0 else { mapping.append(nil); continue }
                    spec = table.addExtraField(extraName)
                }
            }
            let field = spec!
            let column = table.storedColumn(field.name)!
            if Pools.defers(field: field.name, table: table.name), table.count == 0 {
                switch column {
                case .text(let x): x.pending = PendingCells(); table.pools.register(column)
                case .list(let x): x.pending = PendingCells(); table.pools.register(column)
                default: break
                }
            }
            mapping.append(CellParser(spec: field, column: column, expectedRows: expectedRows))
        }
        let absentSpecs = table.storedSpecs.filter { seenFields[$0.name] == nil && !$0.extra }
        table.absentFields = Set(absentSpecs.map(\.name))
        let absent = absentSpecs.map { spec -> CellParser in
            let p = CellParser(spec: spec, column: table.storedColumn(spec.name)!, expectedRows: expectedRows)
            if spec.name == .kind {
                // --kind and the manifest say what the whole list is; a name (建议.xlsx, a sheet
                // 政协委员提案) says less, and section headings below it say more.
                let given = options.kind ?? manifestKind
                let named = sheetKindFirst ? sheetKind : (given == nil ? sheetKind : nil)
                if let kind = named ?? given { p.fill = kind.rawValue }
                p.headingsSetFill = p.fill == EnumInfo.none || named != nil
            }
            return p
        }
        return ColumnBinding(mapping: mapping, absent: absent, seenFields: seenFields)
    }
}
