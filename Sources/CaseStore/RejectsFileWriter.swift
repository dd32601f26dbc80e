/// The rejects file of a lenient load (NAME.rejects.csv), written through the one CSV writer with
/// the file settings every CSV file caseql writes has (`LoadOptions.rejectsCSV`; by default a
/// UTF-8 byte-order mark, CRLF line ends and the formula guard; `.csv bom|crlf|guard|encoding`
/// changes them): the header's rows, then each rejected row, its fields as the loader read them,
/// so that the file opens cleanly in Excel and WPS and loads again once corrected. For a sheet of a
/// workbook the rows are its cells' text, as for a CSV file.
enum RejectsFileWriter {
    /// A column the rejects file adds after the header's last: a value the load gave each row
    /// from outside it (the kind a sheet's name names), so that the file loads to the same rows.
    struct AddedColumn {
        var header: String
        /// One value for each rejected row, in order.
        var values: [String]
    }

    /// The file's bytes: `header` (the header's rows as CSV) and `rows` (each rejected row's
    /// bytes as CSV, as in the file or the sheet's CSV), re-written with `settings`. With an
    /// `added` column, every header row is widened to `width` fields (a merged group's covered
    /// cells are not in its row) and the column follows; a row of `width` fields gets its value,
    /// a row of any other shape (rejected for it) is written as it is. Nil when the text cannot
    /// be written in the settings' encoding.
    static func bytes(header: UnsafeBufferPointer<UInt8>, rows: [[UInt8]], width: Int = 0, added: AddedColumn? = nil,
                      settings: CSVSettings) -> [UInt8]? {
        var w = CSVWriter(crlf: settings.crlf, formulaGuard: settings.formulaGuard,
                          reserve: header.count + rows.reduce(0) { $0 + $1.count } * 9 / 8 + 64)
        if let added {
            var first = true
            write(header, into: &w) { fields in
                defer { first = false }
                return [String](repeating: "", count: max(width - fields, 0)) + [first ? added.header : ""]
            }
            for (r, value) in zip(rows, added.values) {
                r.withUnsafeBufferPointer { write($0, into: &w) { $0 == width ? [value] : [] } }
            }
        } else {
            write(header, into: &w)
            for r in rows { r.withUnsafeBufferPointer { write($0, into: &w) } }
        }
        return settings.fileBytes(w.bytes)
    }

    /// Writes each record of `csv`, field by field, `more` adding fields after a record's own
    /// (given how many it has). A row that is not well-formed CSV (a quote that is not closed on
    /// its line, text after a closing quote) is written a line a record, split at its commas, its
    /// quotes kept as text: nothing of it is lost, and the stray quote shows in the cell it was in.
    static func write(_ csv: UnsafeBufferPointer<UInt8>, into w: inout CSVWriter, more: (Int) -> [String] = { _ in [] }) {
        var r = CSVReader(csv, startingAt: 0, line: 1)
        while true {
            let start = r.position
            do {
                guard try r.nextRow() else { return }
                for k in 0..<r.fields.count { r.withValue(k) { field($0, into: &w) } }
                for f in more(r.fields.count) { w.field(f) }
                w.endRow()
            } catch {
                r.resume(after: error)
                literally(UnsafeBufferPointer(rebasing: csv[start..<max(r.position, start)]), into: &w)
                if r.position <= start { return }
            }
        }
    }

    /// Lines (LF, CRLF or CR) split at commas, each piece a field as it stands.
    private static func literally(_ p: UnsafeBufferPointer<UInt8>, into w: inout CSVWriter) {
        var lineStart = 0, fieldStart = 0, i = 0
        while i <= p.count {
            let b: UInt8 = i < p.count ? p[i] : 0x0A
            if b == 0x2C {
                field(UnsafeBufferPointer(rebasing: p[fieldStart..<i]), into: &w)
                fieldStart = i + 1
            } else if b == 0x0A || b == 0x0D {
                if i > lineStart || i < p.count {
                    field(UnsafeBufferPointer(rebasing: p[fieldStart..<i]), into: &w)
                    w.endRow()
                }
                if b == 0x0D, i + 1 < p.count, p[i + 1] == 0x0A { i += 1 }
                lineStart = i + 1; fieldStart = i + 1
            }
            i += 1
        }
    }

    /// A field's value as the loader reads it: a formula guard's apostrophe (`'=x`) taken off,
    /// for the writer's guard to put back (or not, as the settings say).
    private static func field(_ p: UnsafeBufferPointer<UInt8>, into w: inout CSVWriter) {
        if p.count >= 2, p[0] == 0x27, CSVWriter.isFormulaLike(p) {
            w.field(bytes: UnsafeBufferPointer(rebasing: p[1...]))
        } else {
            w.field(bytes: p)
        }
    }
}
