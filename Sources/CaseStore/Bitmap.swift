/// A set of row numbers 0..<count as one bit per row.
public struct Bitmap: Equatable, Sendable {
    public private(set) var words: [UInt64]
    public let count: Int

    public init(count: Int, filled: Bool = false) {
        self.count = count
        words = Array(repeating: filled ? ~0 : 0, count: (count + 63) >> 6)
        if filled { clearTail() }
    }

    /// A bitmap over the given words (bit r of words[r / 64] is row r).
    public init(count: Int, words: [UInt64]) {
        precondition(words.count == (count + 63) >> 6)
        self.count = count
        self.words = words
    }

    /// The rows of a slice of a sorted or unsorted row list (the postings of an index).
    public init(count: Int, rows: ArraySlice<UInt32>) {
        self.init(count: count)
        insert(contentsOf: rows)
    }

    /// Adds every row of the slice.
    public mutating func insert(contentsOf rows: ArraySlice<UInt32>) {
        words.withUnsafeMutableBufferPointer { w in
            rows.withUnsafeBufferPointer { rs in
                for r in rs { w[Int(r) >> 6] |= 1 << (UInt64(r) & 63) }
            }
        }
    }

    public init(count: Int, rows: some Sequence<UInt32>) {
        self.init(count: count)
        words.withUnsafeMutableBufferPointer { w in
            for r in rows { w[Int(r) >> 6] |= 1 << (UInt64(r) & 63) }
        }
    }

    private mutating func clearTail() {
        let extra = count & 63
        if extra != 0 { words[words.count - 1] &= (1 << UInt64(extra)) - 1 }
    }

    @inline(__always) public func contains(_ row: Int) -> Bool { words[row >> 6] & (1 << UInt64(row & 63)) != 0 }
    @inline(__always) public mutating func insert(_ row: Int) { words[row >> 6] |= 1 << UInt64(row & 63) }
    @inline(__always) public mutating func remove(_ row: Int) { words[row >> 6] &= ~(1 << UInt64(row & 63)) }

    public var cardinality: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }
    public var isEmpty: Bool { !words.contains { $0 != 0 } }

    public mutating func formIntersection(_ o: Bitmap) {
        words.withUnsafeMutableBufferPointer { a in o.words.withUnsafeBufferPointer { b in
            for i in 0..<a.count { a[i] &= b[i] }
        } }
    }
    public mutating func formUnion(_ o: Bitmap) {
        words.withUnsafeMutableBufferPointer { a in o.words.withUnsafeBufferPointer { b in
            for i in 0..<a.count { a[i] |= b[i] }
        } }
    }
    /// self − o
    public mutating func subtract(_ o: Bitmap) {
        words.withUnsafeMutableBufferPointer { a in o.words.withUnsafeBufferPointer { b in
            for i in 0..<a.count { a[i] &= ~b[i] }
        } }
    }
    public func intersection(_ o: Bitmap) -> Bitmap { var c = self; c.formIntersection(o); return c }
    public func union(_ o: Bitmap) -> Bitmap { var c = self; c.formUnion(o); return c }
    public func subtracting(_ o: Bitmap) -> Bitmap { var c = self; c.subtract(o); return c }

    /// Calls body for each row in ascending order.
    @inline(__always)
    public func forEach(_ body: (Int) throws -> Void) rethrows {
        try words.withUnsafeBufferPointer { w in
            for i in 0..<w.count {
                var word = w[i]
                while word != 0 {
                    let bit = word.trailingZeroBitCount
                    try body(i << 6 | bit)
                    word &= word - 1
                }
            }
        }
    }

    public var rows: [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(cardinality)
        forEach { out.append(UInt32($0)) }
        return out
    }

    /// Keeps the rows for which `keep` is true.
    public mutating func filter(_ keep: (Int) -> Bool) {
        words.withUnsafeMutableBufferPointer { w in
            for i in 0..<w.count {
                var word = w[i]
                var out = word
                while word != 0 {
                    let bit = word.trailingZeroBitCount
                    if !keep(i << 6 | bit) { out &= ~(1 << UInt64(bit)) }
                    word &= word - 1
                }
                w[i] = out
            }
        }
    }
}
