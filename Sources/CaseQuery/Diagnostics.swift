// Rendering a QueryError the way compilers do: a header, the source line, carets under the
// offending token (aligned by display width, CJK counting as two columns), and a suggestion.

extension QueryError {
    /// ```
    /// query:1:20: error: unknown field `unti`
    ///   select cases where unti = "x"
    ///                      ^^^^
    ///   did you mean `unit`?
    /// ```
    /// For a multi-line statement the line the error starts on is shown; carets stop at its end.
    public func rendered(source: String, name: String = "query") -> String {
        let chars = Array(source)
        let offset = min(max(range.start.offset, 0), chars.count)
        var lineStart = offset
        while lineStart > 0 && !chars[lineStart - 1].isNewline { lineStart -= 1 }
        var lineEnd = offset
        while lineEnd < chars.count && !chars[lineEnd].isNewline { lineEnd += 1 }
        let end = min(max(range.end.offset, offset), lineEnd)

        func shown(_ c: Character) -> Character { c == "\t" ? " " : c }
        let text = String(chars[lineStart..<lineEnd].map(shown))
        let indent = chars[lineStart..<offset].reduce(0) { $0 + displayWidth(shown($1)) }
        let width = chars[offset..<end].reduce(0) { $0 + displayWidth(shown($1)) }

        var out = "\(name):\(range.start.line):\(range.start.column): error: \(message)\n"
        out += "  " + text + "\n"
        out += "  " + String(repeating: " ", count: indent) + String(repeating: "^", count: max(width, 1))
        if let suggestion {
            // A bare name is wrapped; a whole hint ("did you mean `unit`?", "set it with …")
            // is shown as it is.
            let isHint = suggestion.contains(where: { $0 == " " })
            out += isHint ? "\n  \(suggestion)" : "\n  did you mean `\(suggestion)`?"
        }
        return out
    }
}

/// Terminal columns a Character takes: 2 for East Asian Wide and Fullwidth, 0 for combining
/// marks and zero-width characters, 1 otherwise.
func displayWidth(_ c: Character) -> Int {
    var width = 0
    for s in c.unicodeScalars {
        width += scalarWidth(s)
    }
    return width
}

func scalarWidth(_ s: Unicode.Scalar) -> Int {
    switch s.properties.generalCategory {
    case .nonspacingMark, .enclosingMark, .format: return 0
    default: break
    }
    switch s.value {
    case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
         0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
         0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
        return 2
    default:
        return 1
    }
}
