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
        var i = 0
        let n = p.count
        guard let base = p.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        while i < n {
            // ASCII eight bytes at a time.
            if i + 8 <= n && raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8; continue }
            let b = p[i]
            if b < 0x80 { i += 1; continue }
            // Three bytes (all of CJK), whole.
            if b & 0xF0 == 0xE0 && i + 2 < n {
                let c1 = p[i + 1], c2 = p[i + 2]
                guard c1 & 0xC0 == 0x80, c2 & 0xC0 == 0x80 else { return false }
                let code = UInt32(b & 0x0F) << 12 | UInt32(c1 & 0x3F) << 6 | UInt32(c2 & 0x3F)
                if code < 0x800 || (0xD800...0xDFFF).contains(code) { return false }
                i += 3
                continue
            }
            var need = 0
            var minCode: UInt32 = 0
            var code: UInt32 = 0
            if b & 0xE0 == 0xC0 { need = 1; code = UInt32(b & 0x1F); minCode = 0x80 }
            else if b & 0xF0 == 0xE0 { need = 2; code = UInt32(b & 0x0F); minCode = 0x800 }
            else if b & 0xF8 == 0xF0 { need = 3; code = UInt32(b & 0x07); minCode = 0x10000 }
            else { return false }
            if i + need >= n {
                guard allowTruncatedEnd else { return false }
                for k in (i + 1)..<n where p[k] & 0xC0 != 0x80 { return false }
                return true
            }
            for k in 1...need {
                let c = p[i + k]
                guard c & 0xC0 == 0x80 else { return false }
                code = code << 6 | UInt32(c & 0x3F)
            }
            if code < minCode || code > 0x10FFFF || (0xD800...0xDFFF).contains(code) { return false }
            i += need + 1
        }
        return true
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
