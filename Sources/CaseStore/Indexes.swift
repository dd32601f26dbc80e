import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The indexes of one table, each built on first use and kept:
/// - a hash index per enum, text, list or bool column: value code → sorted rows (postings);
/// - a sorted index per date or int column: rows ordered by value, for ranges;
/// - a CJK bigram index per text pool, over the distinct strings, for `contains`.
public final class TableIndexes: @unchecked Sendable {
    public let table: Table
    private var postingsCache: [String: Postings] = [:]
    private var sortedCache: [String: SortedIndex] = [:]
    private var bigramCache: [ObjectIdentifier: BigramIndex] = [:]
    private var bitmapCache: [String: [Bitmap]] = [:]
    /// Indexes are built on first use, possibly from several threads (tests share a store).
    private let lock = NSLock()

    public init(table: Table) { self.table = table }

    /// Rows grouped by value code: rows[starts[c]..<starts[c+1]] hold code c, ascending.
    public struct Postings: Sendable {
        public let starts: [UInt32]
        public let rows: [UInt32]
        public var valueCount: Int { starts.count - 1 }
        public func rows(of code: Int) -> ArraySlice<UInt32> {
            guard code >= 0, code < valueCount else { return [] }
            return rows[Int(starts[code])..<Int(starts[code + 1])]
        }
        public func count(of code: Int) -> Int {
            guard code >= 0, code < valueCount else { return 0 }
            return Int(starts[code + 1] - starts[code])
        }
    }

    public struct SortedIndex: Sendable {
        /// Rows with a value, in value order; empty cells are left out.
        public let rows: [UInt32]
        public let values: [Int32]
        /// Rows whose value v satisfies lo <= v <= hi.
        public func rows(from lo: Int32, through hi: Int32) -> ArraySlice<UInt32> {
            guard lo <= hi else { return [] }
            let a = lowerBound(lo), b = lowerBound(hi == Int32.max ? hi : hi + 1, orEnd: hi == Int32.max)
            return rows[a..<b]
        }
        func lowerBound(_ v: Int32, orEnd: Bool = false) -> Int {
            if orEnd { return values.count }
            var lo = 0, hi = values.count
            while lo < hi { let m = (lo + hi) >> 1; if values[m] < v { lo = m + 1 } else { hi = m } }
            return lo
        }
    }

    /// Rows holding any of `codes` in an enum, bool, text or list column. Enum and yes/no
    /// columns keep one bitmap per value (a few hundred KB at a million rows, where a row list
    /// would take 4 MB); text and list columns answer from their postings.
    ///
    /// An index is built on the third question that could use it: before that, one pass over the
    /// column answers (a pass costs less than building the index, which is itself a pass or a
    /// sort). The interactive shell builds the common ones in the background after a load.
    public func rows(_ field: String, codes: some Sequence<Int>) -> Bitmap {
        rows(field, codes: Array(codes), within: nil)
    }

    /// The same, among the rows of `within` only. Without the index, a few rows left are tested
    /// one by one instead of passing over the whole column.
    public func rows(_ field: String, codes: [Int], within: Bitmap?) -> Bitmap {
        rowsAnswered(field, codes: codes, within: within).rows
    }

    /// How `rows` answered: from the index, by a pass over the column, or by testing the rows left.
    public enum Method: Sendable { case index, scan, test }

    /// `rows`, and how it answered (for `explain`).
    public func rowsAnswered(_ field: String, codes: [Int], within: Bitmap?) -> (rows: Bitmap, method: Method) {
        // No code: no row (the byte scans need at least one code to compare with).
        if codes.isEmpty { return (Bitmap(count: table.count), .test) }
        if !worthBuilding(field) {
            if let within, within.count == table.count, within.cardinality * 4 < within.count {
                return (test(field, codes: codes, within: within), .test)
            }
            var b = scan(field, codes: codes)
            if let within { b.formIntersection(within) }
            return (b, .scan)
        }
        var b = indexed(field, codes: codes)
        if let within { b.formIntersection(within) }
        return (b, .index)
    }

    /// Rows of `within` holding any of `codes`, answered the way a planner chose: from the index
    /// (built now if need be), by one pass over the column (counted as a question toward
    /// building the index on the third), or by testing the rows of `within` one by one.
    public func rows(_ field: String, codes: [Int], by method: Method, within: Bitmap) -> Bitmap {
        if codes.isEmpty { return Bitmap(count: table.count) }
        switch method {
        case .index:
            var b = indexed(field, codes: codes)
            b.formIntersection(within)
            return b
        case .scan:
            noteUse(field)
            var b = scan(field, codes: codes)
            b.formIntersection(within)
            return b
        case .test:
            noteUse(field)
            return test(field, codes: codes, within: within)
        }
    }

    /// How many rows hold any of `codes`, when the field's index is built (nil otherwise): the
    /// planner's exact row count, read without touching the column.
    public func indexedCount(_ field: String, codes: [Int]) -> Int? {
        lock.lock()
        let maps = bitmapCache[field], post = postingsCache[field]
        lock.unlock()
        if let maps { return codes.reduce(0) { $0 + ($1 >= 0 && $1 < maps.count ? maps[$1].cardinality : 0) } }
        if let post { return codes.reduce(0) { $0 + post.count(of: $1) } }
        return nil
    }

    private var countsCache: [String: [Int]] = [:]
    /// Text columns with more distinct values than this keep no value counts.
    public static let countedValues = 65_536

    /// How many rows hold each code of an enum (the last slot: empty), yes/no (false, true) or
    /// text column: the planner's statistics, counted in one pass over the column on first use
    /// and kept (a few KB; no rows are kept, so this is not an index and not in `footprint`).
    /// Nil for other columns and for text columns of more than `countedValues` distinct values.
    public func valueCounts(_ field: String) -> [Int]? {
        lock.lock()
        if let c = countsCache[field] { lock.unlock(); return c }
        lock.unlock()
        var counts: [Int]
        switch table.column(field) {
        case .code(let c)?:
            let none = c.info.values.count
            var all = [Int](repeating: 0, count: 256)
            c.codes.withUnsafeBufferPointer { v in for x in v { all[Int(x)] += 1 } }
            counts = Array(all[0..<none]) + [all[Int(EnumInfo.none)]]
        case .bool(let c)?:
            let yes = c.values.reduce(0) { $0 + ($1 ? 1 : 0) }
            counts = [c.values.count - yes, yes]
        case .text(let c)? where c.pool.count <= TableIndexes.countedValues:
            counts = [Int](repeating: 0, count: c.pool.count)
            c.codes.withUnsafeBufferPointer { v in for x in v where Int(x) < counts.count { counts[Int(x)] += 1 } }
        default:
            return nil
        }
        lock.lock(); countsCache[field] = counts; lock.unlock()
        return counts
    }

    /// Rows whose value lies in lo...hi, when the field's sorted index is built (nil otherwise).
    public func indexedCount(_ field: String, from lo: Int32, through hi: Int32) -> Int? {
        lock.lock()
        let sorted = sortedCache[field]
        lock.unlock()
        return sorted?.rows(from: lo, through: hi).count
    }

    /// Rows of `within` holding any of `codes`, tested one by one.
    func test(_ field: String, codes: [Int], within: Bitmap) -> Bitmap {
        var out = within
        switch table.column(field)! {
        case .code(let c):
            var want = [Bool](repeating: false, count: 256)
            for k in codes where k >= 0 && k < 256 { want[k] = true }
            if codes.contains(c.info.values.count) { want[Int(EnumInfo.none)] = true }
            want.withUnsafeBufferPointer { t in c.codes.withUnsafeBufferPointer { v in out.filter { t[Int(v[$0])] } } }
        case .bool(let c):
            let yes = codes.contains(1), no = codes.contains(0)
            c.values.withUnsafeBufferPointer { v in out.filter { v[$0] ? yes : no } }
        case .text(let c):
            let want = Set(codes.map { UInt32(truncatingIfNeeded: $0) })
            c.codes.withUnsafeBufferPointer { v in out.filter { want.contains(v[$0]) } }
        case .list(let c):
            let want = Set(codes.map { UInt32(truncatingIfNeeded: $0) })
            out.filter { r in c.range(r).contains { want.contains(c.values[$0]) } }
        case .day, .int, .real: preconditionFailure("\(field) has no codes")
        }
        return out
    }

    /// Rows holding any of `codes`, from the index (built now if need be).
    private func indexed(_ field: String, codes: [Int]) -> Bitmap {
        switch table.column(field) {
        case .code?, .bool?:
            let maps = valueBitmaps(field)
            var out = Bitmap(count: table.count)
            for c in codes where c >= 0 && c < maps.count { out.formUnion(maps[c]) }
            return out
        default:
            let p = postings(field)
            var out = Bitmap(count: table.count)
            for c in codes { out.insert(contentsOf: p.rows(of: c)) }
            return out
        }
    }

    /// Questions that could have used an index not built yet, by field.
    private var uses: [String: Int] = [:]
    static let buildOnUse = 3
    /// Tables smaller than this build their indexes on first use (they cost next to nothing).
    static let scanFirstFrom = 65_536

    /// Whether a question about `field` would use its index if asked now: a small table, an
    /// index built already, or the third question asking. Changes nothing (for planning).
    public func wouldUseIndex(_ field: String) -> Bool {
        if table.count < TableIndexes.scanFirstFrom { return true }
        lock.lock(); defer { lock.unlock() }
        if bitmapCache[field] != nil || postingsCache[field] != nil || sortedCache[field] != nil { return true }
        return (uses[field] ?? 0) + 1 >= TableIndexes.buildOnUse
    }

    /// Counts a question about `field` answered without its index.
    public func noteUse(_ field: String) {
        lock.lock(); defer { lock.unlock() }
        uses[field, default: 0] += 1
    }

    /// Whether a question about `field` should use (and so build) its index: it is built already,
    /// or this is the third question asking.
    public func worthBuilding(_ field: String) -> Bool {
        if table.count < TableIndexes.scanFirstFrom { return true }
        lock.lock(); defer { lock.unlock() }
        if bitmapCache[field] != nil || postingsCache[field] != nil || sortedCache[field] != nil { return true }
        let n = (uses[field] ?? 0) + 1
        uses[field] = n
        return n >= TableIndexes.buildOnUse
    }

    /// Rows holding any of `codes`, by one pass over the column (no index).
    func scan(_ field: String, codes: [Int]) -> Bitmap {
        let n = table.count
        var words = [UInt64](repeating: 0, count: (n + 63) >> 6)
        // Branch-free: each row's bit is its test's outcome shifted into place.
        @inline(__always) func fill<T>(_ values: UnsafeBufferPointer<T>, _ wanted: (T) -> Bool) {
            words.withUnsafeMutableBufferPointer { w in
                var r = 0
                for i in 0..<w.count {
                    var word: UInt64 = 0
                    let end = min(r + 64, n)
                    var shift: UInt64 = 0
                    while r < end {
                        word |= UInt64(wanted(values[r]) ? 1 : 0) << shift
                        shift += 1; r += 1
                    }
                    w[i] = word
                }
            }
        }
        switch table.column(field)! {
        case .code(let c):
            var want = [Bool](repeating: false, count: 256)
            for k in codes where k >= 0 && k < 256 { want[k] = true }
            // The last value's bitmap is that of empty cells.
            if codes.contains(c.info.values.count) { want[Int(EnumInfo.none)] = true }
            let possible = (0..<c.info.values.count).map { UInt8($0) } + [EnumInfo.none]
            let yes = possible.filter { want[Int($0)] }, no = possible.filter { !want[Int($0)] }
            if yes.count <= 4 || no.count <= 4 {
                // Eight cells a word: the wanted (or unwanted, then inverted) codes compared at once.
                c.codes.withUnsafeBufferPointer { v in
                    words.withUnsafeMutableBufferPointer { w in
                        TableIndexes.matchBytes(v, yes.count <= 4 ? yes : no, invert: yes.count > 4, into: w)
                    }
                }
                return Bitmap(count: n, words: words)
            }
            want.withUnsafeBufferPointer { t in c.codes.withUnsafeBufferPointer { fill($0) { t[Int($0)] } } }
        case .bool(let c):
            let yes = codes.contains(1), no = codes.contains(0)
            if yes != no {
                c.values.withUnsafeBytes { v in
                    words.withUnsafeMutableBufferPointer { w in
                        TableIndexes.matchBytes(v.bindMemory(to: UInt8.self), [yes ? 1 : 0], invert: false, into: w)
                    }
                }
                return Bitmap(count: n, words: words)
            }
            c.values.withUnsafeBufferPointer { fill($0) { $0 ? yes : no } }
        case .text(let c):
            if codes.count == 1 {
                let k = UInt32(truncatingIfNeeded: codes[0])
                c.codes.withUnsafeBufferPointer { v in
                    words.withUnsafeMutableBufferPointer { w in
                        // Whole words of 64 rows with a fixed trip count (the compiler unrolls it).
                        let full = n >> 6
                        for i in 0..<full {
                            var word: UInt64 = 0
                            let r = i << 6
                            for j in 0..<64 { word |= UInt64(v[r + j] == k ? 1 : 0) << UInt64(j) }
                            w[i] = word
                        }
                        for r in (full << 6)..<n where v[r] == k { w[r >> 6] |= 1 << UInt64(r & 63) }
                    }
                }
            } else {
                var want = [Bool](repeating: false, count: c.pool.count)
                for k in codes where k >= 0 && k < want.count { want[k] = true }
                want.withUnsafeBufferPointer { t in c.codes.withUnsafeBufferPointer { fill($0) { t[Int($0)] } } }
            }
        case .list(let c):
            var want = [Bool](repeating: false, count: c.pool.count)
            for k in codes where k >= 0 && k < want.count { want[k] = true }
            var b = Bitmap(count: n)
            for r in 0..<n where c.range(r).contains(where: { want[Int(c.values[$0])] }) { b.insert(r) }
            return b
        case .day, .int, .real: preconditionFailure("\(field) has no codes")
        }
        return Bitmap(count: n, words: words)
    }

    /// Sets bit r of `words` when byte r of `values` is one of `codes` (or none of them, with
    /// `invert`), eight bytes at a time: a byte equal to c is a zero byte of w ^ c·0x0101…, found
    /// exactly with the high bits, and the eight results packed into eight bits by one multiply.
    static func matchBytes(_ values: UnsafeBufferPointer<UInt8>, _ codes: [UInt8], invert: Bool,
                           into words: UnsafeMutableBufferPointer<UInt64>) {
        let n = values.count
        guard n > 0, let base = values.baseAddress else { return }
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101, low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F, highs: UInt64 = 0x8080_8080_8080_8080
        precondition(!codes.isEmpty && codes.count <= 4)
        // Four patterns always (a repeated one changes nothing), so the loop has no inner loop.
        let p0 = ones &* UInt64(codes[0]), p1 = ones &* UInt64(codes[min(1, codes.count - 1)])
        let p2 = ones &* UInt64(codes[min(2, codes.count - 1)]), p3 = ones &* UInt64(codes[min(3, codes.count - 1)])
        let flip: UInt64 = invert ? highs : 0
        @inline(__always) func zeros(_ x: UInt64) -> UInt64 { ~(((x & low7) &+ low7) | x) & highs }
        @inline(__always) func eight(_ w: UInt64) -> UInt64 {
            let eq = (zeros(w ^ p0) | zeros(w ^ p1) | zeros(w ^ p2) | zeros(w ^ p3)) ^ flip
            return ((eq >> 7) &* 0x0102_0408_1020_4080) >> 56
        }
        let full = n / 8
        for chunk in 0..<full {
            let bits = eight(raw.loadUnaligned(fromByteOffset: chunk * 8, as: UInt64.self))
            words[chunk >> 3] |= bits << UInt64((chunk & 7) * 8)
        }
        for r in (full * 8)..<n {
            let hit = codes.contains(base[r]) != invert
            if hit { words[r >> 6] |= 1 << UInt64(r & 63) }
        }
    }

    /// Whether some row of a text or list column holds `code`: from the index when built, else
    /// by looking for the first such row (found early for a common value).
    public func holds(_ field: String, code: UInt32) -> Bool {
        lock.lock()
        let p = postingsCache[field]
        lock.unlock()
        if let p { return p.count(of: Int(code)) > 0 }
        switch table.column(field)! {
        case .text(let c): return c.codes.withUnsafeBufferPointer { $0.contains(code) }
        case .list(let c): return c.values.withUnsafeBufferPointer { $0.contains(code) }
        default: return false
        }
    }


    /// One bitmap per value of an enum column (the last one for empty cells), or per false/true.
    func valueBitmaps(_ field: String) -> [Bitmap] {
        lock.lock(); defer { lock.unlock() }
        if let m = bitmapCache[field] { return m }
        let n = table.count
        let wordCount = (n + 63) >> 6
        // All the values' words in one buffer, filled in one pass over the column.
        func build(values: Int, code: (Int) -> Int) -> [Bitmap] {
            var flat = [UInt64](repeating: 0, count: values * wordCount)
            flat.withUnsafeMutableBufferPointer { w in
                for r in 0..<n { w[code(r) * wordCount + (r >> 6)] |= 1 << UInt64(r & 63) }
            }
            return (0..<values).map { v in Bitmap(count: n, words: Array(flat[(v * wordCount)..<((v + 1) * wordCount)])) }
        }
        let maps: [Bitmap]
        switch table.column(field)! {
        case .code(let c):
            let none = c.info.values.count
            maps = c.codes.withUnsafeBufferPointer { codes in
                build(values: none + 1) { r in codes[r] == EnumInfo.none ? none : Int(codes[r]) }
            }
        case .bool(let c):
            maps = c.values.withUnsafeBufferPointer { vs in build(values: 2) { r in vs[r] ? 1 : 0 } }
        default: preconditionFailure("\(field) is not an enum or yes/no column")
        }
        bitmapCache[field] = maps
        return maps
    }

    /// The hash index of an enum, text, list or bool column.
    public func postings(_ field: String) -> Postings {
        lock.lock(); defer { lock.unlock() }
        if let p = postingsCache[field] { return p }
        let n = table.count
        var codes: [UInt32] = []
        var listStarts: [UInt32]? = nil
        var valueCount = 0
        switch table.column(field)! {
        case .code(let c):
            codes = c.codes.map { $0 == EnumInfo.none ? UInt32(c.info.values.count) : UInt32($0) }
            valueCount = c.info.values.count + 1   // the last code stands for empty
        case .text(let c): codes = c.codes; valueCount = c.pool.count
        case .bool(let c): codes = c.values.map { $0 ? 1 : 0 }; valueCount = 2
        case .list(let c): codes = c.values; listStarts = c.starts; valueCount = c.pool.count
        case .day, .int, .real: preconditionFailure("\(field) has a sorted index, not postings")
        }
        var starts = Array(repeating: UInt32(0), count: valueCount + 1)
        codes.withUnsafeBufferPointer { cs in
            starts.withUnsafeMutableBufferPointer { st in
                for code in cs { st[Int(code) + 1] += 1 }
                for i in 0..<valueCount { st[i + 1] += st[i] }
            }
        }
        var fill = starts
        var rows = Array(repeating: UInt32(0), count: codes.count)
        if let ls = listStarts {
            for row in 0..<n {
                var last = UInt32.max
                for k in Int(ls[row])..<Int(ls[row + 1]) where codes[k] != last {
                    let code = Int(codes[k]); rows[Int(fill[code])] = UInt32(row); fill[code] += 1; last = codes[k]
                }
            }
            // Repeated values in one list were skipped: recompute the real counts.
            var compact: [UInt32] = []; compact.reserveCapacity(rows.count)
            var newStarts = [UInt32(0)]
            for v in 0..<valueCount {
                compact.append(contentsOf: rows[Int(starts[v])..<Int(fill[v])])
                newStarts.append(UInt32(compact.count))
            }
            let p = Postings(starts: newStarts, rows: compact)
            postingsCache[field] = p
            return p
        }
        codes.withUnsafeBufferPointer { cs in
            rows.withUnsafeMutableBufferPointer { rs in
                fill.withUnsafeMutableBufferPointer { fs in
                    for row in 0..<cs.count {
                        let code = Int(cs[row]); rs[Int(fs[code])] = UInt32(row); fs[code] += 1
                    }
                }
            }
        }
        let p = Postings(starts: starts, rows: rows)
        postingsCache[field] = p
        return p
    }

    /// The sorted index of a date or int column.
    public func sorted(_ field: String) -> SortedIndex {
        lock.lock(); defer { lock.unlock() }
        if let s = sortedCache[field] { return s }
        let values: [Int32]
        switch table.column(field)! {
        case .day(let c): values = c.values
        case .int(let c): values = c.values
        default: preconditionFailure("\(field) is not a date or number")
        }
        // Counting sort when the range is small (dates of a few years), else a comparison sort.
        var present: [UInt32] = []
        present.reserveCapacity(values.count)
        var lo = Int32.max, hi = Int32.min
        values.withUnsafeBufferPointer { vs in
            for r in 0..<vs.count {
                let v = vs[r]
                if v == Day.none { continue }
                present.append(UInt32(r)); lo = min(lo, v); hi = max(hi, v)
            }
        }
        var rows: [UInt32]
        if present.isEmpty {
            rows = []
        } else if Int(hi) - Int(lo) < 1 << 22 {
            var counts = Array(repeating: UInt32(0), count: Int(hi - lo) + 2)
            rows = Array(repeating: 0, count: present.count)
            values.withUnsafeBufferPointer { vs in
                counts.withUnsafeMutableBufferPointer { cs in
                    present.withUnsafeBufferPointer { ps in
                        for r in ps { cs[Int(vs[Int(r)] - lo) + 1] += 1 }
                        for i in 1..<cs.count { cs[i] += cs[i - 1] }
                        rows.withUnsafeMutableBufferPointer { out in
                            for r in ps { let k = Int(vs[Int(r)] - lo); out[Int(cs[k])] = r; cs[k] += 1 }
                        }
                    }
                }
            }
        } else {
            rows = present.sorted { values[Int($0)] != values[Int($1)] ? values[Int($0)] < values[Int($1)] : $0 < $1 }
        }
        let sortedValues = values.withUnsafeBufferPointer { vs in
            rows.withUnsafeBufferPointer { rs in rs.map { vs[Int($0)] } }
        }
        let s = SortedIndex(rows: rows, values: sortedValues)
        sortedCache[field] = s
        return s
    }

    /// The bigram index of a text column's pool, built now if need be (outside the lock, so
    /// that questions answered meanwhile by a scan or by other indexes do not wait for it).
    public func bigrams(_ pool: StringPool) -> BigramIndex {
        let key = ObjectIdentifier(pool)
        lock.lock()
        if let b = bigramCache[key] { lock.unlock(); return b }
        lock.unlock()
        let b = BigramIndex(pool: pool)
        lock.lock(); defer { lock.unlock() }
        if let other = bigramCache[key] { return other }
        bigramCache[key] = b
        return b
    }

    /// Codes of the distinct strings of a pool that contain `needle`, ascending (`TextNeedle`
    /// says what matches). From the bigram index when it is built and narrows the search, else by
    /// one pass over the pool's bytes. A script's questions never wait for the index to be built:
    /// the interactive shell builds it in the background (`warmInBackground`).
    public func codes(containing needle: String, in pool: StringPool) -> [UInt32] {
        lock.lock()
        let built = bigramCache[ObjectIdentifier(pool)]
        lock.unlock()
        if let built, let codes = built.codes(containing: needle) { return codes }
        return TextNeedle(needle).codes(in: pool)
    }

    /// Builds, on another thread, the indexes most questions need (kind, unit, status, deadline,
    /// key_supervised, title bigrams), so that the first question does not wait for them.
    public func warmInBackground(postings: [String], sorted: [String], bigramsOf: [String]) {
        let table = self.table
        Thread.detachNewThread { [self] in
            for f in postings {
                switch table.column(f) {
                case .code?, .bool?: _ = self.valueBitmaps(f)
                case .text?, .list?: _ = self.postings(f)
                default: break
                }
            }
            for f in sorted where table.column(f) != nil { _ = self.sorted(f) }
            for f in bigramsOf {
                if case .text(let c)? = table.column(f) { _ = self.bigrams(c.pool) }
            }
            // Then the fields kept as bytes at load (ids, people), so no later question waits.
            table.pools.materializeAll()
        }
    }

    /// Bytes held by the indexes built so far.
    public var footprint: Int {
        lock.lock(); defer { lock.unlock() }
        return postingsCache.values.reduce(0) { $0 + $1.starts.capacity * 4 + $1.rows.capacity * 4 }
            + bitmapCache.values.reduce(0) { $0 + $1.reduce(0) { $0 + $1.words.capacity * 8 } }
            + sortedCache.values.reduce(0) { $0 + $1.rows.capacity * 8 }
            + bigramCache.values.reduce(0) { $0 + $1.footprint }
    }
}

// The same questions by key: what code uses (a key that names no field fails to compile).
extension TableIndexes {
    public func rows(_ key: FieldName, codes: some Sequence<Int>) -> Bitmap { rows(key.rawValue, codes: codes) }
    public func rows(_ key: FieldName, codes: [Int], within: Bitmap?) -> Bitmap { rows(key.rawValue, codes: codes, within: within) }
    public func rowsAnswered(_ key: FieldName, codes: [Int], within: Bitmap?) -> (rows: Bitmap, method: Method) {
        rowsAnswered(key.rawValue, codes: codes, within: within)
    }
    public func worthBuilding(_ key: FieldName) -> Bool { worthBuilding(key.rawValue) }
    public func holds(_ key: FieldName, code: UInt32) -> Bool { holds(key.rawValue, code: code) }
    public func postings(_ key: FieldName) -> Postings { postings(key.rawValue) }
    public func sorted(_ key: FieldName) -> SortedIndex { sorted(key.rawValue) }
}
