import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension TableLoader {
    /// Creates `path` (exclusively) holding `bytes`; the reason when it cannot.
    static func create(_ path: String, _ bytes: [UInt8]) -> FileWriteError? {
        let writer: SafeFileWriter
        do { writer = try SafeFileWriter(path: path, mustNotExist: true) } catch { return error }
        do throws(FileWriteError) { try writer.write(bytes); try writer.commit() } catch { writer.abandon(); return error }
        return nil
    }

    /// Rejects files tried beside an existing one: NAME.rejects.2.csv … NAME.rejects.99.csv.
    static let rejectsNames = 99

    /// Writes the rejected rows to NAME.rejects.csv beside the file (or in `rejectsDirectory`),
    /// created exclusively: an earlier rejects file is kept, and the rows go to the first free
    /// NAME.rejects.N.csv, said in a note.
    /// - Throws: `LoadError` when they cannot be written (a folder not writable, a full disk,
    ///   something not a regular file in the name's place): a lenient load never drops rows unseen.
    mutating func writeRejects(_ bytes: [UInt8]) throws {
        let dir = options.rejectsDirectory ?? (path as NSString).deletingLastPathComponent
        let base = rejectsBase ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let folder = dir.isEmpty ? "." : dir
        let first = folder + "/" + base + ".rejects.csv"
        let rows = "\(fileReport.rejected) rejected row\(fileReport.rejected == 1 ? "" : "s")"
        func fail(_ e: FileWriteError) -> LoadError {
            let why = Message(en: "\(rows) could not be written (\(e.text(chinese: false))); nothing was loaded, so that no row is lost unseen",
                              zh: "拒收的 \(fileReport.rejected) 行无法写出（\(e.text(chinese: true))）；什么都没有加载，以免有行悄悄丢失")
            return LoadError([LoadIssue(file: name, line: 0, column: 0, field: nil, message: why)], lenientHelps: false)
        }
        for k in 1...TableLoader.rejectsNames {
            let candidate = k == 1 ? first : folder + "/" + base + ".rejects.\(k).csv"
            var st = stat()
            if lstat(candidate, &st) == 0 {
                // A file of an earlier load is kept; anything else there is not ours to pass by.
                if st.st_mode & S_IFMT == S_IFREG { continue }
                throw fail(FileWriteError(path: candidate, why: Message(en: "is ", zh: "是") + InputFile.kindName(st.st_mode) + Message(en: ", not a regular file", zh: "，不是普通文件")))
            }
            if let e = TableLoader.create(candidate, bytes) {
                if e.reason == "already exists" { continue }   // made by another load since the lstat
                throw fail(e)
            }
            fileReport.rejectsFile = candidate
            if k > 1 { warnings.append(Message(en: "\(noteName): \(first) exists (kept): the \(rows) went to \(candidate)", zh: "\(noteName)：\(first) 已存在（保留）：拒收的 \(fileReport.rejected) 行写入了 \(candidate)")) }
            return
        }
        throw fail(FileWriteError(path: first, why: Message(en: "it and \(TableLoader.rejectsNames - 1) numbered names beside it exist; remove old rejects files",
                                                       zh: "它和旁边 \(TableLoader.rejectsNames - 1) 个带编号的文件名都已存在；请删除旧的拒收文件")))
    }

    /// "cases.csv: 3 rows are not cases, skipped: 2 × a section heading (lines 4, 40); a total (合计) (line 81)",
    /// and its Chinese.
    static func describeSkipped(_ skipped: [(line: Int, what: SkippedRow)], file: String, rows: Bool = false) -> Message {
        var order: [SkippedRow] = []
        var lines: [SkippedRow: [Int]] = [:]
        for s in skipped {
            if lines[s.what] == nil { order.append(s.what) }
            lines[s.what, default: []].append(s.line)
        }
        let parts = order.map { what -> Message in
            let l = lines[what]!
            let shown = l.prefix(5).map(String.init).joined(separator: ", ") + (l.count > 5 ? ", …" : "")
            let many = Message(en: "\(l.count) × ", zh: "\(l.count) × ")
            return (l.count == 1 ? what.message : many + what.message)
                + Message(en: " (\(rows ? "row" : "line")\(l.count == 1 ? "" : "s") \(shown))", zh: "（第 \(shown) 行）")
        }
        let n = skipped.count
        return Message(en: "\(file): \(n) row\(n == 1 ? " is" : "s are") not a case, skipped: ", zh: "\(file)：\(n) 行不是案件，已跳过：")
            + parts.dropFirst().reduce(parts[0]) { $0 + Message(en: "; ", zh: "；") + $1 }
    }

    /// The issues, rejected rows and skipped rows of the ranges a file was parsed in (joined in
    /// the table in this order): the first `keptIssues` issues kept, all counted; the skipped rows
    /// said in one note. `initialKind`: the kind a list without a kind column gives its rows
    /// before any section heading (nil: none, or the list has a kind column).
    mutating func gatherIssues(_ ranges: [RangeParser], initialKind: UInt8?, rejects: inout [RejectedRow], rejected: inout Int) {
        issues = []
        issueTotal = 0
        // A rejected row's kind from a section heading, else from the heading last before its
        // range, else the list's (`initialKind`).
        var carried = initialKind
        for r in ranges {
            for i in r.issues where issues.count < TableLoader.keptIssues { issues.append(i) }
            issueTotal += r.issueTotal
            rejects += r.rejects.map { RejectedRow(offset: $0.offset, bytes: $0.bytes, kind: $0.kind ?? carried) }
            rejected += r.rejected
            if let k = r.lastHeadingKind { carried = k }
        }
        let skipped = ranges.flatMap(\.skipped)
        if !skipped.isEmpty {
            // In a sheet, the rows' numbers in the sheet.
            let shown = sheet.map { s in skipped.map { (s.row(atLine: $0.line) ?? $0.line, $0.what) } } ?? skipped
            warnings.append(TableLoader.describeSkipped(shown, file: noteName, rows: sheet != nil))
        }
        fileReport.skipped = skipped.count
    }

    /// Runs the checks across rows (duplicate ids, events of unknown cases) and fills defaults
    /// once every row is in: each bad row becomes an issue at its cell and a rejected row (with
    /// the kind the load gave it, when the list has no kind column), and leaves the table. For a
    /// case list read before others as one list (`CaseRowCheck.wantsPlaces`), where each kept
    /// row's id is goes to the check's `places`.
    mutating func checkAcrossRows(_ ranges: [RangeParser], buf: UnsafeBufferPointer<UInt8>, seenFields: [String: Int],
                                  rejects: inout [RejectedRow], rejected: inout Int) {
        guard let extra else { return }
        let cases = extra as? CaseRowCheck
        let problems = extra.check(table, keyParts: ranges.map { ($0.uniqueKeys, $0.firstRow) })
        var badRows: [Int] = []
        if !problems.isEmpty {
            var wanted = Set(problems.map(\.row))
            for p in problems { if let f = p.firstRow { wanted.insert(f) } }
            let located = RowPositions.locate(rows: wanted.sorted(), in: ranges.map(\.positions))
            // A list without a kind column: each row's kind is what the load gave it.
            var kinds: [UInt8]?
            if table.absentFields.contains(FieldName.kind.rawValue), case .code(let c)? = table.storedColumn(.kind) { kinds = c.codes }
            for p in problems {
                guard let (start, line) = located[p.row] else { continue }
                var r = CSVReader(buf, startingAt: start, line: line)
                _ = try? r.nextRow()
                let k = seenFields[p.field] ?? 0
                let (l, c) = k < r.fields.count ? r.location(of: r.fields[k].start) : (line, 0)
                var message = p.message
                if let f = p.firstRow, let (firstStart, firstLine) = located[f] {
                    let first = place(of: k, inRowAt: firstStart, line: firstLine, buf: buf)
                    message = message + RowProblem.firstAt(first)
                }
                issueTotal += 1
                if issues.count < TableLoader.keptIssues {
                    issues.append(LoadIssue(file: name, line: l, column: c, field: p.field, message: message))
                }
                if badRows.last != p.row {
                    badRows.append(p.row)
                    rejects.append(RejectedRow(offset: start, bytes: Array(r.rawRow), kind: kinds.map { $0[p.row] }))
                    rejected += 1
                }
            }
        }
        if let cases, cases.wantsPlaces {
            // The id's cell, else (a list without ids, numbered by caseql) the title's.
            let k = seenFields[FieldName.id.rawValue] ?? seenFields[FieldName.title.rawValue] ?? 0
            var all = places(of: k, in: ranges, buf: buf)
            for row in badRows.reversed() where row < all.count { all.remove(at: row) }
            cases.places = all
        }
        if !badRows.isEmpty { table.remove(rows: badRows) }
    }
}

/// A row a lenient load rejected: where it starts in the loaded text, its bytes (one record, or
/// the lines of one that could not be read), and the kind the load gave it from outside the row
/// (the list's or a section heading's) when the list has no kind column: nil for none, or, from a
/// range parsed apart, for the kind in effect where the range begins (`TableLoader.loadRows`
/// settles it).
struct RejectedRow {
    var offset: Int
    var bytes: [UInt8]
    var kind: UInt8?
}
