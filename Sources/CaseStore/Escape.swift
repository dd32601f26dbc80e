// Text from the data shown to a person: characters that would act on the terminal, or hide, or
// reorder what is shown, are written as visible escapes. Every message and every output meant for
// a terminal goes through `Escape.visible` or `Escape.lines` (errors, warnings, the report and
// the check, did-you-mean hints, tables), so a unit named 医保局 + ESC ]0;… BEL cannot retitle
// or clear the terminal.

public enum Escape {
    /// How the line breaks in text are shown.
    public enum LineBreaks: Sendable {
        /// As `\n` and `\r` (a message quoting a value).
        case escaped
        /// As ↵, CRLF as one (a table cell).
        case arrow
        /// LF and tab kept (a whole multi-line message, TSV); a CR is still `\r`.
        case kept
    }

    /// `s` with every control character (C0, DEL, C1), bidirectional override or isolate and
    /// zero-width character written visibly: ESC as ␛, the other C0 controls as their Control
    /// Pictures (␇), DEL as ␡, CR as `\r`, LF and tab by `lineBreaks`, and the rest
    /// (C1, U+200B–U+200F, U+202A–U+202E, U+2060, U+2066–U+2069, U+2028, U+2029, U+061C, U+FEFF)
    /// as `\u{XXXX}`. Text without them is returned as it is, without a copy.
    public static func visible(_ s: String, lineBreaks: LineBreaks = .escaped) -> String {
        guard needsEscape(s) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        var previousCR = false
        for u in s.unicodeScalars {
            let v = u.value
            defer { previousCR = v == 0x0D }
            switch v {
            case 0x0A:
                switch lineBreaks {
                case .escaped: out += "\\n"
                case .arrow: if !previousCR { out += "↵" }
                case .kept: out += "\n"
                }
            case 0x0D: out += lineBreaks == .arrow ? "↵" : "\\r"
            case 0x09:
                switch lineBreaks {
                case .escaped: out += "\\t"
                case .arrow: out += " "
                case .kept: out += "\t"
                }
            case 0x1B: out += "␛"
            case 0x00..<0x20: out.unicodeScalars.append(Unicode.Scalar(0x2400 + v)!)
            case 0x7F: out += "␡"
            default:
                if isInvisible(v) { out += "\\u{" + String(v, radix: 16, uppercase: true) + "}" } else { out.unicodeScalars.append(u) }
            }
        }
        return out
    }

    /// A whole message of several lines: as `visible`, the line feeds and tabs kept.
    public static func lines(_ s: String) -> String { visible(s, lineBreaks: .kept) }

    /// True when `s` holds anything `visible` changes (a fast scan of its UTF-8 bytes).
    public static func needsEscape(_ s: String) -> Bool {
        var copy = s
        let verdict: Bool? = copy.withUTF8 { p in
            for b in p where b < 0x20 || b == 0x7F || b == 0xC2 || b == 0xD8 || b == 0xE2 || b == 0xEF {
                // The lead bytes of C1 (C2 80–9F), U+061C (D8 9C), U+2000–U+2FFF (E2) and
                // U+FEFF (EF BB BF): the scalars decide.
                return b >= 0x80 ? nil : true
            }
            return false
        }
        return verdict ?? s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || isInvisible($0.value) }
    }

    /// C1 controls, bidi marks, overrides and isolates, zero-width and line/paragraph separators.
    @inline(__always)
    static func isInvisible(_ v: UInt32) -> Bool {
        switch v {
        case 0x80..<0xA0, 0x061C, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2064, 0x2066...0x2069, 0xFEFF: return true
        default: return false
        }
    }
}
