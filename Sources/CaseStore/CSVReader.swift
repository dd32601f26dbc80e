/// A byte-level RFC 4180 reader over a whole file in memory. It hands out each row's fields as
/// byte ranges into the file (unescaping doubled quotes into a scratch buffer only when a field
/// has them), so reading a million rows builds no String per field.
///
/// Accepts LF and CRLF line ends, quoted fields holding commas, quotes and newlines, and a UTF-8
/// byte-order mark at the start (skipped).
public struct CSVReader {
    public struct Field {
        /// Byte offset of the field's first byte (the opening quote when quoted).
        public var start: Int
        /// The value's bytes: in the file when `inScratch` is false, else in the reader's scratch.
        public var valueStart: Int
        public var valueEnd: Int
        public var inScratch: Bool
    }

    /// The fields of the current row, in storage of the reader's own (no uniqueness check per
    /// field). A copy of a reader shares it: make a new reader to read ahead.
    public struct Fields {
        fileprivate let store: FieldStore
        public var count: Int { store.count }
        @inline(__always) public subscript(k: Int) -> Field {
            precondition(k >= 0 && k < store.count)
            return store.base[k]
        }
    }

    final class FieldStore {
        var base: UnsafeMutablePointer<Field>
        var count = 0
        var capacity = 32
        init() { base = .allocate(capacity: capacity) }
        deinit { base.deallocate() }
        /// Set when a row had more than `CSVReader.maxFields` fields (the rest were not kept).
        var overflowed = false
        @inline(__always) func append(_ f: Field) {
            if count == capacity { guard grow() else { return } }
            (base + count).initialize(to: f)
            count += 1
        }
        func grow() -> Bool {
            if capacity >= CSVReader.maxFields { overflowed = true; return false }
            let nb = UnsafeMutablePointer<Field>.allocate(capacity: capacity * 2)
            nb.moveInitialize(from: base, count: count)
            base.deallocate()
            base = nb
            capacity *= 2
            return true
        }
    }

    /// The most fields a row may have: 16,384, the columns of an Excel or WPS sheet (XFD), so
    /// any table a spreadsheet holds is read, and a header of a million commas is refused at
    /// once rather than read for minutes.
    public static let maxFields = 16_384

    /// A row that cannot be read: the message, the offset it points at (for a quote that runs on
    /// past its line, the opening quote), and where reading can go on (`resume(after:)`): after
    /// the line the offset is on, or after the row for a row of too many fields.
    public struct Failure: Error, Equatable {
        /// What is wrong, in both languages.
        public var message: Message
        public var offset: Int
        public var resumeAt: Int
    }

    /// The offset just past the line end at or after `offset` (LF, CRLF or a lone CR), or the
    /// end of the buffer.
    func lineEnd(from offset: Int) -> Int {
        var i = offset
        let n = base.count
        while i < n && base[i] != 0x0A && base[i] != 0x0D { i += 1 }
        if i < n && base[i] == 0x0D { i += 1; if i < n && base[i] == 0x0A { i += 1 } } else if i < n { i += 1 }
        return i
    }

    /// Line ends from `from` up to `to` (LF, CRLF and lone CR each one).
    func lineEnds(from: Int, to: Int) -> Int {
        var k = 0, i = from
        while i < to {
            if base[i] == 0x0A || (base[i] == 0x0D && (i + 1 >= base.count || base[i + 1] != 0x0A)) { k += 1 }
            i += 1
        }
        return k
    }

    /// After a failed row: goes on at the failure's resume point, the next row's line counted
    /// from the failed row's. Each line the failed row took (the rows before the resume point)
    /// is the caller's to keep or reject: none is read twice, none skipped.
    public mutating func resume(after failure: Failure) {
        line = rowLine + lineEnds(from: rowStart, to: failure.resumeAt)
        position = failure.resumeAt
    }

    let base: UnsafeBufferPointer<UInt8>
    public private(set) var position: Int
    /// 1-based line of the next row's first byte.
    public private(set) var line: Int = 1
    /// Line and byte offset where the last row returned starts.
    public private(set) var rowLine: Int = 1
    public private(set) var rowStart: Int = 0
    /// Byte offset where the line holding the row's start begins.
    var lineStarts: (line: Int, offset: Int) = (1, 0)
    private let store = FieldStore()
    public var fields: Fields { Fields(store: store) }
    public var scratch: [UInt8] = []
    /// Keep the unescaped values of earlier rows in `scratch` (the caller empties it), so a block
    /// of rows can be read before any is used.
    public var keepsScratch = false
    public let delimiter: UInt8

    public init(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8 = UInt8(ascii: ",")) {
        base = bytes
        self.delimiter = delimiter
        position = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
    }

    /// A reader that starts at a row boundary inside the file, whose first line is `line`.
    public init(_ bytes: UnsafeBufferPointer<UInt8>, startingAt offset: Int, line: Int) {
        self.init(bytes)
        position = offset
        self.line = line
    }

    public var hasBOM: Bool { base.count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF }
    public var atEnd: Bool { position >= base.count }

    /// Reads the next row into `fields`. Returns false at the end of the file. A row that is only
    /// a line end (a blank line) comes back as one empty field; callers skip it.
    public mutating func nextRow() throws(Failure) -> Bool {
        let fields = store
        fields.count = 0
        if !keepsScratch && !scratch.isEmpty { scratch.removeAll(keepingCapacity: true) }
        let n = base.count
        var i = position
        guard i < n else { return false }
        rowStart = i
        rowLine = line
        let p = base.baseAddress!
        let raw = UnsafeRawPointer(p)
        // Eight bytes at a time: a word with a byte equal to c has a high bit set in has(w, c)
        // at that byte (and maybe above it, never below), so the lowest set bit finds the first.
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let delims = ones &* UInt64(delimiter), lfs = ones &* 0x0A, crs = ones &* 0x0D, quotes = ones &* 0x22
        @inline(__always) func has(_ w: UInt64, _ c: UInt64) -> UInt64 { let x = w ^ c; return (x &- ones) & ~x & highs }
        while true {
            let fieldStart = i
            if i < n && p[i] == 0x22 {
                // Quoted field.
                i += 1
                let valueStart = i
                var scratchStart = -1
                var runStart = i
                var lineEndsInside = 0
                while true {
                    // Skip to the next quote or line end.
                    while i + 8 <= n {
                        let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                        let m = has(w, quotes) | has(w, lfs) | has(w, crs)
                        if m != 0 { i += m.trailingZeroBitCount >> 3; break }
                        i += 8
                    }
                    guard i < n else {
                        // The quote runs to the end of the file: its own line is the bad one.
                        let after = lineEndsInside - (p[n - 1] == 0x0A || p[n - 1] == 0x0D ? 1 : 0)
                        let lines = after <= 0 ? Message.same("")
                            : Message(en: " (it runs over the \(Message.count(after, "line", zh: "").en) after it to the end of the file)",
                                      zh: "（它跨过其后的 \(after) 行直到文件末尾）")
                        throw Failure(message: Message(en: "unterminated quoted field: the quote opened here is never closed", zh: "引号字段没有闭合：这里开始的引号始终没有结束")
                                               + lines + Message(en: "; a quote inside a field must be doubled", zh: "；字段内的引号要写两次"),
                                      offset: fieldStart, resumeAt: lineEnd(from: fieldStart))
                    }
                    let b = p[i]
                    if b == 0x22 {
                        if i + 1 < n && p[i + 1] == 0x22 {
                            if scratchStart < 0 { scratchStart = scratch.count }
                            scratch.append(contentsOf: UnsafeBufferPointer(start: p + runStart, count: i + 1 - runStart))
                            i += 2
                            runStart = i
                            continue
                        }
                        break
                    }
                    // A line end inside the field: LF, or a CR not followed by LF (old Mac files).
                    if b == 0x0A || (b == 0x0D && (i + 1 >= n || p[i + 1] != 0x0A)) { line += 1; lineEndsInside += 1 }
                    i += 1
                }
                if scratchStart >= 0 {
                    scratch.append(contentsOf: UnsafeBufferPointer(start: p + runStart, count: i - runStart))
                    fields.append(Field(start: fieldStart, valueStart: scratchStart, valueEnd: scratch.count, inScratch: true))
                } else {
                    fields.append(Field(start: fieldStart, valueStart: valueStart, valueEnd: i, inScratch: false))
                }
                i += 1  // closing quote
                if i < n && p[i] != delimiter && p[i] != 0x0A && p[i] != 0x0D {
                    if lineEndsInside > 0 {
                        // A quote that ran on past its line (a stray quote at a field's start):
                        // the error is where it opened, and only its line is the bad row's.
                        throw Failure(message: Message(en: "a quote opens a field here and is not closed on its line (the next quote, \(Message.count(lineEndsInside, "line", zh: "").en) further on, is followed by text); a quote inside a field must be doubled",
                                                     zh: "这里有引号开始一个字段，在本行没有闭合（下一个引号在 \(lineEndsInside) 行之后，后面还跟着文字）；字段内的引号要写两次"),
                                      offset: fieldStart, resumeAt: lineEnd(from: fieldStart))
                    }
                    throw Failure(message: Message(en: "unexpected text after a closing quote (a quote inside a quoted field must be doubled)",
                                                 zh: "闭合引号之后有多余的文字（引号字段内的引号要写两次）"),
                                  offset: i, resumeAt: lineEnd(from: i))
                }
            } else {
                var found = false
                while i + 8 <= n {
                    let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    let m = has(w, delims) | has(w, lfs) | has(w, crs)
                    if m != 0 { i += m.trailingZeroBitCount >> 3; found = true; break }
                    i += 8
                }
                if !found {
                    while i < n {
                        let b = p[i]
                        if b == delimiter || b == 0x0A || b == 0x0D { break }
                        i += 1
                    }
                }
                fields.append(Field(start: fieldStart, valueStart: fieldStart, valueEnd: i, inScratch: false))
            }
            if i >= n { break }
            let b = p[i]
            if b == delimiter { i += 1; if i >= n { fields.append(Field(start: i, valueStart: i, valueEnd: i, inScratch: false)); break }; continue }
            // Line end: CRLF, LF, or a lone CR.
            if b == 0x0D { i += 1; if i < n && p[i] == 0x0A { i += 1 } } else { i += 1 }
            line += 1
            break
        }
        position = i
        if fields.overflowed {
            fields.overflowed = false
            throw Failure(message: Message(en: "a row of more than 16,384 fields (caseql reads at most \(CSVReader.maxFields) columns, as many as a spreadsheet has)",
                                          zh: "一行超过 16,384 个字段（caseql 至多读 \(CSVReader.maxFields) 列，与电子表格相同）"),
                          offset: rowStart, resumeAt: i)
        }
        return true
    }

    /// The character column of each field of the current row, in one pass over the row (where
    /// `location(of:)` for each would go over it again for every field).
    public func fieldColumns() -> [Int] {
        var columns: [Int] = []
        columns.reserveCapacity(store.count)
        var lineStart = rowStart
        while lineStart > 0 && !isLineEnd(lineStart - 1) { lineStart -= 1 }
        var k = lineStart, column = 1
        for f in 0..<store.count {
            let offset = store.base[f].start
            while k < offset && k < base.count {
                if isLineEnd(k) { column = 1 } else if base[k] & 0xC0 != 0x80 && base[k] != 0x0D { column += 1 }
                k += 1
            }
            columns.append(column)
        }
        return columns
    }

    /// The bytes of field k of the current row.
    @inline(__always)
    public func withValue<R>(_ k: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let f = store.base[k]
        if f.inScratch {
            return scratch.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[f.valueStart..<f.valueEnd])) }
        }
        return body(UnsafeBufferPointer(rebasing: base[f.valueStart..<f.valueEnd]))
    }

    public func string(_ k: Int) -> String { withValue(k) { String(decoding: $0, as: UTF8.self) } }

    /// True when the row is a blank line.
    public var isBlankRow: Bool { store.count == 1 && store.base[0].valueEnd == store.base[0].valueStart && !store.base[0].inScratch }

    /// The current row's fields in place (fields.count of them).
    var fieldBase: UnsafePointer<Field> { UnsafePointer(store.base) }

    /// Whether the byte at `k` ends a line: an LF, or a CR not followed by an LF (a CRLF ends at
    /// its LF).
    @inline(__always) func isLineEnd(_ k: Int) -> Bool {
        let b = base[k]
        return b == 0x0A || (b == 0x0D && (k + 1 >= base.count || base[k + 1] != 0x0A))
    }

    /// 1-based line and character column of a byte offset inside a row that starts at `rowStart`
    /// on line `rowLine`.
    public func location(of offset: Int, row rowStart: Int, line rowLine: Int) -> (line: Int, column: Int) {
        var lineNo = rowLine
        var lineStart = rowStart
        while lineStart > 0 && !isLineEnd(lineStart - 1) { lineStart -= 1 }
        var i = rowStart
        while i < offset && i < base.count {
            if isLineEnd(i) { lineNo += 1; lineStart = i + 1 }
            i += 1
        }
        var column = 1
        var k = lineStart
        while k < offset && k < base.count {
            if base[k] & 0xC0 != 0x80 { column += 1 }
            k += 1
        }
        return (lineNo, column)
    }

    /// 1-based line and character column of a byte offset in the file (counted from the current
    /// row when the offset lies at or after its start, else from the top of the file).
    public func location(of offset: Int) -> (line: Int, column: Int) {
        offset >= rowStart ? location(of: offset, row: rowStart, line: rowLine) : location(of: offset, row: 0, line: 1)
    }

    /// The raw bytes of the current row, line end included, for a rejects file.
    public var rawRow: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: base[rowStart..<position]) }
}
