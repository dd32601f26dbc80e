#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Text encodings met in the field: UTF-8, and GB18030 (a superset of GBK and GB2312) from files
/// saved by Excel or WPS on Chinese Windows.
public enum Transcode {
    /// True when the bytes are valid UTF-8 (a sequence cut at the very end counts as valid when
    /// `allowTruncatedEnd`, for checking a window of a larger file).
    public static func isValidUTF8(_ p: UnsafeBufferPointer<UInt8>, allowTruncatedEnd: Bool = false) -> Bool {
        firstInvalidUTF8(p, allowTruncatedEnd: allowTruncatedEnd) == nil
    }

    /// The offset of the first byte that does not begin valid UTF-8 (a stray continuation byte,
    /// a lead byte whose sequence is broken, overlong or a surrogate), nil when all are valid.
    public static func firstInvalidUTF8(_ p: UnsafeBufferPointer<UInt8>, allowTruncatedEnd: Bool = false) -> Int? {
        var i = 0
        let n = p.count
        guard let base = p.baseAddress else { return nil }
        let raw = UnsafeRawPointer(base)
        while i < n {
            // ASCII eight bytes at a time.
            if i + 8 <= n && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8; continue }
            // Two three-byte characters at a time (runs of CJK): leads E1–EC or EE–EF, each
            // followed by two continuation bytes, are valid whatever those are (E0 can be
            // overlong and ED a surrogate: they take the path below).
            if i + 8 <= n {
                let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                if w & 0xC0C0_F0C0_C0F0 == 0x8080_E080_80E0 {
                    let l0 = w & 0xFF, l1 = w >> 24 & 0xFF
                    if l0 != 0xE0 && l0 != 0xED && l1 != 0xE0 && l1 != 0xED { i += 6; continue }
                }
            }
            let b = p[i]
            if b < 0x80 { i += 1; continue }
            // Three bytes (all of CJK), whole.
            if b & 0xF0 == 0xE0 && i + 2 < n {
                let c1 = p[i + 1], c2 = p[i + 2]
                guard c1 & 0xC0 == 0x80, c2 & 0xC0 == 0x80 else { return i }
                let code = UInt32(b & 0x0F) << 12 | UInt32(c1 & 0x3F) << 6 | UInt32(c2 & 0x3F)
                if code < 0x800 || (0xD800...0xDFFF).contains(code) { return i }
                i += 3
                continue
            }
            var need = 0
            var minCode: UInt32 = 0
            var code: UInt32 = 0
            if b & 0xE0 == 0xC0 { need = 1; code = UInt32(b & 0x1F); minCode = 0x80 }
            else if b & 0xF0 == 0xE0 { need = 2; code = UInt32(b & 0x0F); minCode = 0x800 }
            else if b & 0xF8 == 0xF0 { need = 3; code = UInt32(b & 0x07); minCode = 0x10000 }
            else { return i }
            if i + need >= n {
                guard allowTruncatedEnd else { return i }
                for k in (i + 1)..<n where p[k] & 0xC0 != 0x80 { return i }
                return nil
            }
            for k in 1...need {
                let c = p[i + k]
                guard c & 0xC0 == 0x80 else { return i }
                code = code << 6 | UInt32(c & 0x3F)
            }
            if code < minCode || code > 0x10FFFF || (0xD800...0xDFFF).contains(code) { return i }
            i += need + 1
        }
        return nil
    }

    /// A file of two encodings: lines of UTF-8 text (at least `evidence` multi-byte characters)
    /// above the first line that is not UTF-8, or, in a file not UTF-8 from its start (read as
    /// GB18030), a later line that is UTF-8 text. Returns the offset of the first byte that is
    /// out of place (the bad byte; the UTF-8 line's first multi-byte character) and whether the
    /// file is UTF-8 above it. nil when the file is in one encoding, as far as this can tell.
    public static func mixedEncoding(_ p: UnsafeBufferPointer<UInt8>, evidence: Int = 3) -> (offset: Int, utf8Above: Bool)? {
        guard let bad = firstInvalidUTF8(p) else { return nil }
        func isLineEnd(_ k: Int) -> Bool { p[k] == 0x0A || (p[k] == 0x0D && (k + 1 >= p.count || p[k + 1] != 0x0A)) }
        var lineStart = bad
        while lineStart > 0 && !isLineEnd(lineStart - 1) { lineStart -= 1 }
        // Above the bad line all is valid UTF-8: count its multi-byte characters.
        var above = 0
        for k in 0..<lineStart where p[k] >= 0xC2 && p[k] <= 0xF4 { above += 1 }
        if above >= evidence { return (bad, true) }
        // Read as GB18030 from here on: a later line of UTF-8 text does not belong.
        var k = bad
        let base = p.baseAddress!
        while k < p.count {
            let end = memchr(base + k, 0x0A, p.count - k).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? p.count
            let line = UnsafeBufferPointer(rebasing: p[k..<end])
            if firstInvalidUTF8(line) == nil {
                var lead = 0, first = -1
                for (j, b) in line.enumerated() where b >= 0xC2 && b <= 0xF4 { lead += 1; if first < 0 { first = k + j } }
                if lead >= evidence { return (first, false) }
            }
            k = end + 1
        }
        return nil
    }

    /// Converts between encodings with iconv; nil when the input is not valid in `from`.
    public static func convert(_ input: UnsafeBufferPointer<UInt8>, from: String, to: String) -> [UInt8]? {
        let cd = iconv_open(to, from)
        if cd == iconv_t(bitPattern: -1) { return nil }
        defer { iconv_close(cd) }
        var out = [UInt8](repeating: 0, count: input.count * 2 + 16)
        var inLeft = input.count
        var outLeft = out.count
        var inPtr = UnsafeMutablePointer<CChar>(mutating: UnsafeRawPointer(input.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self))
        let ok: Bool = out.withUnsafeMutableBytes { raw in
            var outPtr: UnsafeMutablePointer<CChar>? = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
            var inOpt: UnsafeMutablePointer<CChar>? = inPtr
            while inLeft > 0 {
                let r = iconv(cd, &inOpt, &inLeft, &outPtr, &outLeft)
                if r == -1 { return false }
            }
            inPtr = inOpt!
            return true
        }
        guard ok else { return nil }
        out.removeLast(outLeft)
        return out
    }

    public static func gb18030ToUTF8(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        convert(input, from: "GB18030", to: "UTF-8")
    }

    public static func utf8ToGB18030(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        convert(input, from: "UTF-8", to: "GB18030")
    }
}

extension TableLoader {
    /// Under `--encoding utf-8`, a file with a byte that is not UTF-8: the error at that byte
    /// (line and column as the CSV reader counts them, whatever the line ends), nil when valid.
    static func invalidUTF8(_ buf: UnsafeBufferPointer<UInt8>, file: String) -> LoadError? {
        guard let bad = Transcode.firstInvalidUTF8(buf) else { return nil }
        let (line, column) = CSVReader(buf).location(of: bad)
        let message = "not UTF-8, as --encoding utf-8 says the file is: byte 0x\(hex(buf[bad])) (byte \(bad + 1) of the file)"
            + " begins no UTF-8 character; the file may be GB18030 (try --encoding gb18030, or leave --encoding out to detect it)"
        return LoadError([LoadIssue(file: file, line: line, column: column, field: nil, message: message)], lenientHelps: false)
    }

    /// Detection found a file of two encodings: the error at the first line out of place.
    static func mixedEncoding(_ buf: UnsafeBufferPointer<UInt8>, file: String) -> LoadError? {
        guard let (offset, utf8Above) = Transcode.mixedEncoding(buf) else { return nil }
        let (line, column) = CSVReader(buf).location(of: offset)
        let message = utf8Above
            ? "line \(line) is not UTF-8 (byte 0x\(hex(buf[offset])), byte \(offset + 1) of the file), though the lines above it are:"
            : "line \(line) is UTF-8 text, though the lines above it are not (they read as GB18030):"
        return LoadError([LoadIssue(file: file, line: line, column: column, field: nil,
                                    message: message + " the file mixes two encodings; save it again in one (UTF-8, or GB18030)")],
                         lenientHelps: false)
    }

    private static func hex(_ b: UInt8) -> String { String(b, radix: 16, uppercase: true) }
}
