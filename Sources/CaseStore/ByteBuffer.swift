import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Bytes in one growable allocation, shared by reference: a worksheet's CSV text is written here
/// by the .xlsx reader and then read in place by the loader as its file's bytes
/// (`FileBytes(adopting:)`), never copied; the readers' per-cell buffers are these too, so that
/// an append is one capacity check and a copy. Grown with realloc (which moves a large
/// allocation's pages instead of copying them); a buffer of `hugeFrom` bytes or more asks for
/// transparent huge pages, so that filling it takes a page fault per 2 MiB rather than per 4 KiB.
/// Used by one thread at a time.
final class ByteBuffer: Equatable, @unchecked Sendable {
    /// The first byte (nil until something is reserved).
    private(set) var base: UnsafeMutablePointer<UInt8>?
    /// Bytes held.
    private(set) var count = 0
    /// Bytes that fit without growing.
    private(set) var capacity = 0
    /// Capacity (bytes) from which huge pages are asked for.
    static let hugeFrom = 8 << 20

    /// An empty buffer with room for `capacity` bytes.
    init(capacity: Int = 0) {
        if capacity > 0 { reserve(capacity) }
    }

    /// The bytes of `array`, copied.
    convenience init(_ array: [UInt8]) {
        self.init(capacity: array.count)
        append(contentsOf: array)
    }

    deinit { free(base) }

    /// Makes room for `total` bytes in all (no more: a reserve is exact).
    func reserve(_ total: Int) {
        guard total > capacity else { return }
        guard let p = realloc(base, total) else { fatalError("out of memory (\(total) bytes for a buffer)") }
        base = p.assumingMemoryBound(to: UInt8.self)
        if total >= ByteBuffer.hugeFrom && capacity < ByteBuffer.hugeFrom {
            // Whole 2 MiB pages inside the allocation.
            let huge = 2 << 20
            let start = (Int(bitPattern: p) + huge - 1) / huge * huge, end = (Int(bitPattern: p) + total) / huge * huge
            if end > start { madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, Int32(MADV_HUGEPAGE)) }
        }
        capacity = total
    }

    /// Makes room for `more` bytes past the end, growing by half again at least.
    @inline(__always) func reserveMore(_ more: Int) {
        if count + more > capacity { reserve(max(count + more, capacity + capacity / 2, 64)) }
    }

    /// The bytes held (valid until the buffer next grows).
    var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }

    var isEmpty: Bool { count == 0 }

    /// The bytes as an array (a copy).
    var array: [UInt8] { Array(buffer) }

    @inline(__always) subscript(i: Int) -> UInt8 {
        get { base![i] }
        set { base![i] = newValue }
    }

    @inline(__always) func append(_ b: UInt8) {
        reserveMore(1)
        base![count] = b
        count += 1
    }

    @inline(__always) func append(_ p: UnsafePointer<UInt8>, count n: Int) {
        guard n > 0 else { return }
        reserveMore(n)
        (base! + count).update(from: p, count: n)
        count += n
    }

    @inline(__always) func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        if let p = bytes.baseAddress { append(p, count: bytes.count) }
    }

    func append(contentsOf bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// Appends `n` copies of `b`.
    func append(repeating b: UInt8, count n: Int) {
        guard n > 0 else { return }
        reserveMore(n)
        (base! + count).update(repeating: b, count: n)
        count += n
    }

    /// Writes at most `most` bytes past the end through `body`, which returns how many it wrote.
    @inline(__always) func appendInPlace(atMost most: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        reserveMore(most)
        count += body(base! + count)
    }

    /// Inserts `b` before byte `i`.
    func insert(_ b: UInt8, at i: Int) {
        reserveMore(1)
        (base! + i + 1).update(from: base! + i, count: count - i)
        base![i] = b
        count += 1
    }

    /// Keeps the first `n` bytes.
    @inline(__always) func truncate(to n: Int) { count = min(count, n) }

    /// Empties the buffer, its room kept.
    @inline(__always) func removeAll() { count = 0 }

    static func == (a: ByteBuffer, b: ByteBuffer) -> Bool {
        a.count == b.count && (a.count == 0 || memcmp(a.base!, b.base!, a.count) == 0)
    }
}
