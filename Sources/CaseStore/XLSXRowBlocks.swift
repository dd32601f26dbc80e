// A large worksheet read on every core: its XML, inflated as it is needed, is cut into blocks
// of whole rows (at a `<row` start tag), each parsed by an expat parser of its own that is first
// given the sheet's head (the XML declaration, the worksheet's start tag with its namespace
// declarations, everything up to the first row) and after the block the end tags the head left
// open, so that it sees a well-formed document. The blocks' rows are joined in order into the one
// `SheetCSV` that the sequential reader would have made, byte for byte. A few blocks are in
// flight at a time (memory stays bounded); a cut that was not a real row start (one inside a
// comment or a CDATA section) leaves its block ill-formed, and the sheet is then read again
// sequentially, which also gives an error its true line.

import CExpat
import Foundation

/// Cuts a worksheet's XML into blocks of whole rows, inflating it as it goes.
final class RowBlockCutter {
    /// A block of the sheet's rows (the last also holds the end of the document), its bytes to
    /// be deallocated by whoever takes it.
    struct Block {
        var bytes: UnsafeBufferPointer<UInt8>
        var last: Bool
        /// The buffer the bytes are at the start of (for `recycle`).
        fileprivate var storage: UnsafeMutableBufferPointer<UInt8>
    }

    private let member: ZipMemberStream
    private let blockSize: Int
    private var buf: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var filled = 0
    private var searchFrom = 0
    private var ended = false
    private(set) var finished = false
    /// Everything before the first row's start tag.
    private(set) var head: [UInt8] = []
    /// The row's start tag as the sheet writes it: `<row` or `<x:row`.
    private(set) var rowTag: [UInt8] = []
    private static let chunk = 1 << 18
    /// Buffers of blocks already parsed, to be filled again: blocks are megabytes, and every
    /// fresh allocation that size is a new mapping whose pages fault in (caseql's malloc maps
    /// anything of 128 KiB or more).
    private var spare: [UnsafeMutableBufferPointer<UInt8>] = []
    private let spareLock = NSLock()
    /// How far into the sheet the first row may start.
    static let headLimit = 1 << 20

    /// Reads up to the first row's start tag. Nil when there is none in the first `headLimit`
    /// bytes (a sheet with no rows, or one to read sequentially). Throws `WorkbookError`.
    init?(_ member: ZipMemberStream, blockSize: Int) throws {
        self.member = member
        self.blockSize = max(blockSize, 64)
        capacity = self.blockSize + 2 * RowBlockCutter.chunk
        buf = .allocate(capacity: capacity)
        while true {
            if let (at, tagLength) = RowBlockCutter.firstRowTag(buf, from: searchFrom, to: filled) {
                head = Array(UnsafeBufferPointer(start: buf, count: at))
                rowTag = Array(UnsafeBufferPointer(start: buf + at, count: tagLength))
                filled -= at
                buf.update(from: buf + at, count: filled)
                searchFrom = 0
                return
            }
            searchFrom = max(0, filled - 64)
            guard filled < RowBlockCutter.headLimit, try more() else {
                // The big buffer goes now; deinit (which may run for an initializer that fails
                // once every property is set) frees this one-byte stand-in.
                buf.deallocate()
                buf = .allocate(capacity: 1)
                return nil
            }
        }
    }

    deinit {
        buf.deallocate()
        for b in spare { b.deallocate() }
    }

    /// Takes back the buffer of a block that has been parsed.
    func recycle(_ block: Block) {
        spareLock.lock()
        spare.append(block.storage)
        spareLock.unlock()
    }

    /// A buffer of at least `count` bytes: a spare one, or a new one.
    private func buffer(_ count: Int) -> UnsafeMutableBufferPointer<UInt8> {
        spareLock.lock()
        defer { spareLock.unlock() }
        if let k = spare.firstIndex(where: { $0.count >= count }) { return spare.remove(at: k) }
        return .allocate(capacity: count)
    }

    /// Inflates another piece; false at the member's end.
    private func more() throws -> Bool {
        guard !ended else { return false }
        if capacity - filled < RowBlockCutter.chunk {
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            bigger.update(from: buf, count: filled)
            buf.deallocate()
            buf = bigger
            capacity *= 2
        }
        let n = try member.read(into: buf + filled, capacity: capacity - filled)
        if n == 0 { ended = true; return false }
        filled += n
        return true
    }

    /// The next block: whole rows from a row's start tag to the next one past `blockSize`
    /// bytes, or the rest of the sheet. Nil after the last. Throws `WorkbookError`.
    func next() throws -> Block? {
        guard !finished else { return nil }
        while true {
            if filled > blockSize, let at = find(from: max(blockSize, searchFrom)) {
                // Hand out the buffer up to the cut; the rest starts the next one.
                let block = Block(bytes: UnsafeBufferPointer(start: buf, count: at), last: false,
                                  storage: UnsafeMutableBufferPointer(start: buf, count: capacity))
                let rest = filled - at
                let fresh = buffer(blockSize + 2 * RowBlockCutter.chunk + rest)
                fresh.baseAddress!.update(from: buf + at, count: rest)
                buf = fresh.baseAddress!
                capacity = fresh.count
                filled = rest
                searchFrom = 0
                return block
            }
            if filled > blockSize { searchFrom = max(blockSize, filled - rowTag.count - 1) }
            if try !more() {
                finished = true
                let block = Block(bytes: UnsafeBufferPointer(start: buf, count: filled), last: true,
                                  storage: UnsafeMutableBufferPointer(start: buf, count: capacity))
                buf = .allocate(capacity: 1)
                capacity = 1
                filled = 0
                return block
            }
        }
    }

    /// Where `rowTag` next starts, followed by a space, `>` or `/`, at or after `from`.
    private func find(from: Int) -> Int? {
        var i = from
        let tag = rowTag, n = tag.count
        while i + n < filled {
            guard let p = memchr(buf + i, 0x3C, filled - i - n) else { return nil }
            let at = buf.distance(to: p.assumingMemoryBound(to: UInt8.self))
            var same = true
            for k in 1..<n where buf[at + k] != tag[k] { same = false; break }
            if same && RowBlockCutter.endsName(buf[at + n]) { return at }
            i = at + 1
        }
        return nil
    }

    /// The first start tag whose local name is `row` (any prefix) between `from` and `to`: where
    /// it starts and the length of `<` and its name.
    private static func firstRowTag(_ buf: UnsafeMutablePointer<UInt8>, from: Int, to: Int) -> (Int, Int)? {
        var i = from
        while i < to {
            guard let p = memchr(buf + i, 0x3C, to - i) else { return nil }
            let at = buf.distance(to: p.assumingMemoryBound(to: UInt8.self))
            var e = at + 1
            while e < to, !endsName(buf[e]) { e += 1 }
            guard e < to else { return nil }   // the name runs past what is inflated
            let length = e - at
            if length >= 4, buf[e - 3] == 0x72, buf[e - 2] == 0x6F, buf[e - 1] == 0x77, length == 4 || buf[e - 4] == 0x3A {
                return (at, length)
            }
            i = at + 1
        }
        return nil
    }

    @inline(__always) private static func endsName(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x3E || b == 0x2F || b == 0x09 || b == 0x0A || b == 0x0D
    }
}

/// The qualified names of the elements open at the end of what was parsed.
final class OpenElements: XMLHandler {
    var names: [[UInt8]] = []
    override func start(_ key: UInt64, _ name: UnsafePointer<CChar>, _ attrs: Attributes) {
        names.append(Array(UnsafeBufferPointer(start: UnsafeRawPointer(name).assumingMemoryBound(to: UInt8.self), count: strlen(name))))
    }
    override func end(_ key: UInt64, _ name: UnsafePointer<CChar>) { names.removeLast() }
}

/// The blocks of one sheet in flight: cut in order (one cutter at a time), parsed on any core,
/// joined in order. Every field is used under `lock` except the cutter (under `cutting`) and
/// each block's own reader.
private final class SheetBlocks: @unchecked Sendable {
    let cutter: RowBlockCutter
    let head: [UInt8]
    let suffix: [UInt8]
    let sheet: String
    let shared: SharedStrings
    let dateStyles: [Bool]
    let date1904: Bool
    let part: String
    let ahead: Int
    let lock = NSCondition()
    let cutting = NSLock()
    var cut = 0
    var joined = 0
    var failed = false
    var ready: [Int: (SheetReader, XMLStream)] = [:]
    /// Readers whose block has been joined, with their parsers, to read another (their buffers kept).
    var readers: [(SheetReader, XMLStream)] = []
    var out: SheetCSV
    var width = -1
    /// Records joined so far (for the width of the first `SheetReader.widthRows`).
    private var joinedRecords = 0
    var lines = 0
    var rowBase = 0

    init(cutter: RowBlockCutter, suffix: [UInt8], sheet: String, shared: SharedStrings, dateStyles: [Bool], date1904: Bool,
         part: String, ahead: Int, reserve: Int) {
        self.cutter = cutter; head = cutter.head; self.suffix = suffix; self.sheet = sheet; self.shared = shared
        self.dateStyles = dateStyles; self.date1904 = date1904; self.part = part; self.ahead = ahead
        out = SheetCSV(sheet: sheet)
        out.bytes.reserve(reserve)
    }

    /// Takes blocks until none is left (or one failed): cuts the next, parses it, hands its rows
    /// to the join.
    func work() {
        while true {
            cutting.lock()
            lock.lock()
            while !failed && cut - joined >= ahead { lock.wait() }
            let stop = failed
            lock.unlock()
            var taken: (Int, RowBlockCutter.Block)?
            if !stop {
                do {
                    if let b = try cutter.next() { taken = (cut, b); lock.lock(); cut += 1; lock.unlock() }
                } catch { fail() }
            }
            cutting.unlock()
            guard let (k, block) = taken else { return }
            defer { cutter.recycle(block) }
            lock.lock()
            let (reader, x) = readers.popLast() ?? {
                let r = SheetReader(sheet: sheet, shared: shared, dateStyles: dateStyles, date1904: date1904, filling: [], inBlock: true)
                return (r, XMLStream(r))
            }()
            lock.unlock()
            reader.out.bytes.reserve(block.bytes.count / 2)
            do {
                try head.withUnsafeBufferPointer { try x.feed($0, part: part) }
                try x.feed(block.bytes, part: part)
                try (block.last ? [] : suffix).withUnsafeBufferPointer { try x.feed($0, final: true, part: part) }
            } catch {
                fail()
                return
            }
            deliver(k, reader, x)
        }
    }

    private func fail() {
        lock.lock(); failed = true; lock.broadcast(); lock.unlock()
    }

    /// Keeps block `k`'s rows and joins every block ready in order.
    private func deliver(_ k: Int, _ reader: SheetReader, _ x: XMLStream) {
        lock.lock()
        defer { lock.broadcast(); lock.unlock() }
        ready[k] = (reader, x)
        while let (r, x) = ready.removeValue(forKey: joined) {
            join(r)
            joined += 1
            r.reuse()
            x.reset()
            readers.append((r, x))
        }
    }

    /// Appends a block's records: each widened to the widest of the sheet's first records (as
    /// `SheetReader.emit` widens them: `SheetReader.widthRows`), each record's CSV line and sheet
    /// row made the sheet's.
    private func join(_ r: SheetReader) {
        let f = r.out
        var w = width, k = joinedRecords, short = false
        for n in r.recordFields {
            if k < SheetReader.widthRows { w = max(w, Int(n)) }
            k += 1
            if Int(n) < w { short = true }
        }
        if !short {
            out.bytes.append(f.bytes.buffer)
            width = w
            joinedRecords = k
        } else {
            var from = 0
            for (i, end) in r.recordEnds.enumerated() {
                let n = Int(r.recordFields[i])
                if joinedRecords < SheetReader.widthRows { width = max(width, n) }
                joinedRecords += 1
                out.bytes.append(UnsafeBufferPointer(rebasing: f.bytes.buffer[from..<end]))
                out.bytes.append(repeating: 0x2C, count: max(width, n) - n)
                from = end
            }
            out.bytes.append(UnsafeBufferPointer(rebasing: f.bytes.buffer[from...]))
        }
        for i in f.lines.indices {
            out.lines.append(f.lines[i] + Int32(truncatingIfNeeded: lines))
            out.sheetRows.append(i < r.relativeRecords ? f.sheetRows[i] + Int32(truncatingIfNeeded: rowBase) : f.sheetRows[i])
        }
        out.merges += r.merges
        out.errorCells += f.errorCells
        if out.damage == nil { out.damage = f.damage }
        lines += r.linesWritten
        rowBase = r.rowNamed ? r.lastRow : rowBase + r.lastRow
    }
}

extension XLSXWorkbook {
    /// Blocks of this many bytes of sheet XML are parsed on the cores in turn.
    static let rowBlockBytes = 2 << 20

    /// Sheet `name` (`part`) as `csv(of:)` makes it, its rows read in blocks on `workers`
    /// threads. Nil when the sheet cannot be cut (no row start near its top, a head that does
    /// not end inside `sheetData`) or a block is not well-formed XML: the caller then reads it
    /// sequentially (which names a real error's line). Throws `WorkbookError` when the part
    /// cannot be inflated.
    func csvInBlocks(of name: String, part: String, workers: Int, blockSize: Int = XLSXWorkbook.rowBlockBytes) throws -> SheetCSV? {
        let member = try ZipMemberStream(archive, part)
        guard let cutter = try RowBlockCutter(member, blockSize: blockSize) else { return nil }
        // The head must leave the document inside `sheetData`, in the row tag's namespace prefix.
        let open = OpenElements()
        let x = XMLStream(open)
        let prefix = Array(cutter.rowTag.dropFirst().dropLast(3))   // `x:` or nothing
        guard (try? cutter.head.withUnsafeBufferPointer { try x.feed($0, part: part) }) != nil,
              open.names.last == prefix + Array("sheetData".utf8) else { return nil }
        let suffix: [UInt8] = open.names.reversed().flatMap { name -> [UInt8] in [0x3C, 0x2F] + name + [0x3E] }
        let size = archive.find(part).flatMap { archive.entries[$0]?.size } ?? 0
        let blocks = SheetBlocks(cutter: cutter, suffix: suffix, sheet: name, shared: shared, dateStyles: dateStyles, date1904: date1904,
                                 part: part, ahead: 2 * workers, reserve: size / 3)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in blocks.work() }
        if !blocks.failed, let damage = blocks.out.damage { throw WorkbookError(damage) }
        return blocks.failed ? nil : blocks.out
    }
}
