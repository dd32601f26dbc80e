// A sheet's rows as the loader takes them, beyond what each reader makes of its cells: empty
// cells past the header's last column are not fields (a stray value far to the right of the
// header widens the sheet's first rows, as `SheetReader` writes them, but must not make every
// row "too many fields").

extension SheetCSV {
    /// The sheet with each record after the header cut to the header's width where the fields
    /// past it are all empty (the header found as the loader finds it, for a table of `specs`).
    /// A record with a value past the header is left as it is: the loader names that cell. The
    /// records' lines do not change (only commas go). Returns `self` when no record is wider.
    func trimmedToHeader(specs: [FieldSpec]) -> SheetCSV {
        let buf = bytes.buffer
        guard let layout = try? HeaderLayout.find(buf, specs: specs) else { return self }
        let width = layout.names.count
        var r = CSVReader(buf, startingAt: layout.bodyStart, line: layout.bodyLine)
        // SheetReader widens the first rows alike: the first body record tells.
        guard width > 0, (try? r.nextRow()) == true, r.fields.count > width else { return self }
        var out = self
        let trimmed = ByteBuffer(capacity: buf.count)
        trimmed.append(UnsafeBufferPointer(rebasing: buf[0..<layout.bodyStart]))
        r = CSVReader(buf, startingAt: layout.bodyStart, line: layout.bodyLine)
        while true {
            let start = r.position
            guard (try? r.nextRow()) == true else {
                trimmed.append(UnsafeBufferPointer(rebasing: buf[start..<buf.count]))
                break
            }
            let fields = r.fields
            if fields.count > width, (width..<fields.count).allSatisfy({ fields[$0].valueStart == fields[$0].valueEnd }) {
                trimmed.append(UnsafeBufferPointer(rebasing: buf[r.rowStart..<(fields[width].start - 1)]))
                trimmed.append(0x0A)
            } else {
                trimmed.append(UnsafeBufferPointer(rebasing: buf[r.rowStart..<r.position]))
            }
        }
        out.bytes = trimmed
        return out
    }
}

extension SheetCSV {
    /// The sheet row (1-based) of the record that holds CSV line `line`; nil before the first.
    func row(atLine line: Int) -> Int? {
        guard let first = lines.first, line >= Int(first) else { return nil }
        var lo = 0, hi = lines.count - 1
        while lo < hi { let mid = (lo + hi + 1) / 2; if Int(lines[mid]) <= line { lo = mid } else { hi = mid - 1 } }
        return Int(sheetRows[lo])
    }
}

extension TableLoader {
    /// A position in a message: `line 5` of a CSV file, or for a sheet the row it is in the
    /// sheet (`row 7`: a sheet's empty rows are not in its CSV, so its lines are not its rows).
    func at(line: Int) -> Message {
        if let sheet, let row = sheet.row(atLine: line) { return Message(en: "row \(row)", zh: "第 \(row) 行") }
        return Message(en: "line \(line)", zh: "第 \(line) 行")
    }
}
