/// Interned strings: each distinct value is stored once as UTF-8 in one byte buffer and named by a
/// small integer code. Code 0 is always the empty string. Interning works on raw bytes, so the
/// loader never builds a String per field.
public final class StringPool: @unchecked Sendable {
    private(set) var bytes: [UInt8] = []
    /// offsets[i]..<offsets[i+1] are the bytes of code i.
    private(set) var offsets: [UInt32] = [0]
    /// Open addressing: slot holds code + 1 (0 = free).
    private var slots: [UInt32]
    private var hashes: [UInt32] = []
    private var mask: Int
    private var strings: [String?] = []

    public init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
        _ = intern("")
    }

    public var count: Int { offsets.count - 1 }

    @inline(__always)
    static func hash(_ p: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var h: UInt32 = 2_166_136_261
        for b in p { h = (h ^ UInt32(b)) &* 16_777_619 }
        return h
    }

    /// The code of these bytes, adding them if new. `isNew` tells whether they were added.
    @discardableResult
    public func intern(_ p: UnsafeBufferPointer<UInt8>, isNew: UnsafeMutablePointer<Bool>? = nil) -> UInt32 {
        let h = StringPool.hash(p)
        var i = Int(h) & mask
        while true {
            let s = slots[i]
            if s == 0 { break }
            let code = Int(s - 1)
            if hashes[code] == h && equal(code, p) {
                isNew?.pointee = false
                return UInt32(code)
            }
            i = (i + 1) & mask
        }
        let code = UInt32(count)
        bytes.append(contentsOf: p)
        offsets.append(UInt32(bytes.count))
        hashes.append(h)
        strings.append(nil)
        slots[i] = code + 1
        isNew?.pointee = true
        if count * 2 > slots.count { grow() }
        return code
    }

    @discardableResult
    public func intern(_ s: String) -> UInt32 {
        var s = s
        return s.withUTF8 { intern($0) }
    }

    /// The code of a string already in the pool, or nil.
    public func lookup(_ s: String) -> UInt32? {
        var s = s
        return s.withUTF8 { p -> UInt32? in
            let h = StringPool.hash(p)
            var i = Int(h) & mask
            while slots[i] != 0 {
                let code = Int(slots[i] - 1)
                if hashes[code] == h && equal(code, p) { return UInt32(code) }
                i = (i + 1) & mask
            }
            return nil
        }
    }

    private func equal(_ code: Int, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = Int(offsets[code]), end = Int(offsets[code + 1])
        guard end - start == p.count else { return false }
        return bytes.withUnsafeBufferPointer { all in
            p.count == 0 || memcmp(all.baseAddress! + start, p.baseAddress!, p.count) == 0
        }
    }

    private func grow() {
        let size = slots.count * 2
        slots = Array(repeating: 0, count: size)
        mask = size - 1
        for code in 0..<count {
            var i = Int(hashes[code]) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = UInt32(code + 1)
        }
    }

    /// The string of a code (materialized once, then cached).
    public subscript(code: UInt32) -> String {
        let c = Int(code)
        if let s = strings[c] { return s }
        let s = bytes.withUnsafeBufferPointer { all in
            String(decoding: UnsafeBufferPointer(rebasing: all[Int(offsets[c])..<Int(offsets[c + 1])]),
                   as: UTF8.self)
        }
        strings[c] = s
        return s
    }

    /// Calls body with the UTF-8 bytes of a code.
    public func withBytes<R>(_ code: UInt32, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        bytes.withUnsafeBufferPointer { all in
            body(UnsafeBufferPointer(rebasing: all[Int(offsets[Int(code)])..<Int(offsets[Int(code) + 1])]))
        }
    }

    /// Every string in code order.
    public var allStrings: [String] { (0..<count).map { self[UInt32($0)] } }

    /// Bytes held, for memory accounting.
    public var footprint: Int { bytes.capacity + offsets.capacity * 4 + slots.capacity * 4 + hashes.capacity * 4 + strings.capacity * 17 }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
