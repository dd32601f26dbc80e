// DisplayWidth: terminal column widths of strings, in pure Swift (no wcwidth,
// no locale), so table rendering and completion listings line up with CJK
// text and are testable anywhere.
//
// Rules: East Asian Wide (W) and Fullwidth (F) characters take 2 columns
// (CJK ideographs and extensions, CJK symbols and punctuation U+3000–303F
// such as 《》「」、。, fullwidth forms such as （）！，, Hangul, kana, …);
// combining marks, format and control characters take 0; everything else,
// including East Asian Ambiguous characters such as “…” and “·”, takes 1.
// A grapheme cluster (Swift `Character`) is as wide as its first scalar,
// except that emoji presentation (an Emoji_Presentation scalar, or a VS16
// U+FE0F in the cluster) makes it 2.

public enum DisplayWidth {
    /// Columns the string occupies on a terminal.
    public static func of(_ s: String) -> Int {
        // Printable ASCII is one column a byte: the common case, without grapheme breaking.
        var ascii = true
        for b in s.utf8 where b >= 0x80 || b < 0x20 || b == 0x7F { ascii = false; break }
        if ascii { return s.utf8.count }
        var total = 0
        for c in s { total += of(c) }
        return total
    }

    /// Columns one grapheme cluster occupies.
    public static func of(_ c: Character) -> Int {
        let scalars = c.unicodeScalars
        guard let first = scalars.first else { return 0 }
        let w = of(first)
        if w == 0 { return 0 }
        if first.properties.isEmojiPresentation { return 2 }
        if scalars.count > 1 && scalars.contains(where: { $0.value == 0xFE0F }) {
            // Text-default emoji turned into emoji presentation (e.g. ❤️).
            if first.properties.isEmoji { return 2 }
        }
        return w
    }

    /// Columns of a single scalar (0, 1 or 2).
    public static func of(_ u: Unicode.Scalar) -> Int {
        let v = u.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }   // C0/C1 controls
        if v < 0x300 { return 1 }                              // fast path: Latin
        if isZeroWidth(u) { return 0 }
        if isWide(v) { return 2 }
        return 1
    }

    /// Cuts `s` so it fits in `toWidth` columns, ending with `ellipsis` when
    /// something was cut.  A wide character that would straddle the limit is
    /// dropped (the result may then be one column narrower than `toWidth`).
    public static func truncate(_ s: String, toWidth width: Int, ellipsis: String = "…") -> String {
        if width <= 0 { return "" }
        if of(s) <= width { return s }
        let ellipsisWidth = of(ellipsis)
        let budget = ellipsisWidth <= width ? width - ellipsisWidth : width
        var out = ""
        var used = 0
        for c in s {
            let w = of(c)
            if used + w > budget { break }
            out.append(c)
            used += w
        }
        if ellipsisWidth <= width { out += ellipsis }
        return out
    }

    /// Pads `s` with spaces to `toWidth` columns (on the left when
    /// `alignRight`).  Strings already as wide or wider are returned as is.
    public static func pad(_ s: String, toWidth width: Int, alignRight: Bool = false) -> String {
        let w = of(s)
        if w >= width { return s }
        let fill = String(repeating: " ", count: width - w)
        return alignRight ? fill + s : s + fill
    }

    // MARK: - Tables

    private static func isZeroWidth(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        // Hangul Jungseong / Jongseong (conjoining vowels and finals).
        if (0x1160...0x11FF).contains(v) || (0xD7B0...0xD7FF).contains(v) { return true }
        switch v {
        case 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2064, 0xFEFF:
            return true
        default:
            break
        }
        switch u.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control:
            return true
        default:
            return false
        }
    }

    /// East Asian Width W or F (Unicode 15), plus emoji-presentation blocks.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F,   // Hangul Jamo initial consonants
        0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0,
        0x23F3...0x23F3, 0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653,
        0x267F...0x267F, 0x2693...0x2693, 0x26A1...0x26A1, 0x26AA...0x26AB,
        0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE, 0x26D4...0x26D4,
        0x26EA...0x26EA, 0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA,
        0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B, 0x2728...0x2728,
        0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757,
        0x2795...0x2797, 0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C,
        0x2B50...0x2B50, 0x2B55...0x2B55,
        0x2E80...0x2E99, 0x2E9B...0x2EF3,   // CJK Radicals Supplement
        0x2F00...0x2FD5,                    // Kangxi Radicals
        0x2FF0...0x2FFF,                    // Ideographic Description
        0x3000...0x303E,                    // CJK Symbols and Punctuation
        0x3041...0x3096, 0x3099...0x30FF,   // Hiragana, Katakana
        0x3105...0x312F,                    // Bopomofo
        0x3131...0x318E,                    // Hangul Compatibility Jamo
        0x3190...0x31E3, 0x31EF...0x321E, 0x3220...0x3247,
        0x3250...0x4DBF,                    // … CJK Extension A
        0x4E00...0x9FFF,                    // CJK Unified Ideographs
        0xA000...0xA48C, 0xA490...0xA4C6,   // Yi
        0xA960...0xA97C,                    // Hangul Jamo Extended-A
        0xAC00...0xD7A3,                    // Hangul Syllables
        0xF900...0xFAFF,                    // CJK Compatibility Ideographs
        0xFE10...0xFE19,                    // Vertical forms
        0xFE30...0xFE52, 0xFE54...0xFE66, 0xFE68...0xFE6B, // CJK compat / small forms
        0xFF01...0xFF60,                    // Fullwidth ASCII variants
        0xFFE0...0xFFE6,                    // Fullwidth signs
        0x16FE0...0x16FE4, 0x16FF0...0x16FF1,
        0x17000...0x187F7, 0x18800...0x18CD5, 0x18D00...0x18D08, // Tangut
        0x1AFF0...0x1B2FB,                  // Kana supplement/extended, Nushu
        0x1F004...0x1F004, 0x1F0CF...0x1F0CF, 0x1F18E...0x1F18E,
        0x1F191...0x1F19A, 0x1F200...0x1F202, 0x1F210...0x1F23B,
        0x1F240...0x1F248, 0x1F250...0x1F251, 0x1F260...0x1F265,
        0x1F300...0x1F64F,                  // Misc symbols & pictographs, emoticons
        0x1F680...0x1F6FF,                  // Transport and map
        0x1F7E0...0x1F7EB, 0x1F7F0...0x1F7F0,
        0x1F90C...0x1F9FF,                  // Supplemental symbols & pictographs
        0x1FA70...0x1FAFF,                  // Symbols & pictographs extended-A
        0x20000...0x2FFFD,                  // CJK Extensions B–F, compat supplement
        0x30000...0x3FFFD,                  // CJK Extensions G–H
    ]

    private static func isWide(_ v: UInt32) -> Bool {
        if v < 0x1100 { return false }
        // Binary search over the sorted, disjoint ranges.
        var lo = 0
        var hi = wideRanges.count - 1
        while lo <= hi {
            let mid = (lo + hi) / 2
            let r = wideRanges[mid]
            if v < r.lowerBound {
                hi = mid - 1
            } else if v > r.upperBound {
                lo = mid + 1
            } else {
                return true
            }
        }
        return false
    }
}
