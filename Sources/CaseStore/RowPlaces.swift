// Where a loaded row's cell is, said as every position in a load message is: the cell of a
// sheet (`建议!B7`), the line and column of a CSV file (`7:2`). For a duplicate's "(first at …)",
// within a list and across the sheets and files read as one list.

extension TableLoader {
    /// Where field `k` of the record at byte `start` (on `line`) of the loaded text is: its cell
    /// in a sheet (`建议!B7`; a sheet's CSV keeps each cell in its column's field), its line and
    /// column in a CSV file (`7:2`; the line alone when the record has no field `k`).
    func place(of k: Int, inRowAt start: Int, line: Int, buf: UnsafeBufferPointer<UInt8>) -> String {
        if let sheet, let row = sheet.row(atLine: line) {
            return "\(XLSXWorkbook.quotedSheet(sheet.sheet))!\(XLSXWorkbook.letters(k))\(row)"
        }
        var r = CSVReader(buf, startingAt: start, line: line)
        guard (try? r.nextRow()) == true, k < r.fields.count else { return "\(line)" }
        let (l, c) = r.location(of: r.fields[k].start)
        return "\(l):\(c)"
    }

    /// `place(of:inRowAt:line:buf:)` of field `k` in each row the ranges kept, in table order
    /// (a CSV file's records are read again, a sheet's are not).
    func places(of k: Int, in ranges: [RangeParser], buf: UnsafeBufferPointer<UInt8>) -> [String] {
        var out: [String] = []
        out.reserveCapacity(ranges.reduce(0) { $0 + $1.positions.starts.count })
        for part in ranges.map(\.positions) {
            var start = part.baseStart, line = part.baseLine
            for i in 0..<part.starts.count {
                start += Int(part.starts[i]); line += Int(part.lines[i])
                out.append(place(of: k, inRowAt: start, line: line, buf: buf))
            }
        }
        return out
    }
}
