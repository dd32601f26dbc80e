import CaseStore

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
    /// `startColumn`: the column of the script where `source` begins (the first line is shown
    /// indented to it, as it stands in the script). `chinese`: the message and hint in Chinese
    /// (`.labels on`); positions and carets are the same.
    public func rendered(source: String, name: String = "query", startColumn: Int = 1, chinese: Bool = false) -> String {
        let chars = Array(source)
        let offset = min(max(range.start.offset, 0), chars.count)
        var lineStart = offset
        while lineStart > 0 && !chars[lineStart - 1].isNewline { lineStart -= 1 }
        var lineEnd = offset
        while lineEnd < chars.count && !chars[lineEnd].isNewline { lineEnd += 1 }
        let end = min(max(range.end.offset, offset), lineEnd)

        func shown(_ c: Character) -> Character { c == "\t" ? " " : c }
        let lead = lineStart == 0 ? String(repeating: " ", count: max(startColumn - 1, 0)) : ""
        let text = lead + String(chars[lineStart..<lineEnd].map(shown))
        let indent = lead.count + chars[lineStart..<offset].reduce(0) { $0 + DisplayWidth.of(shown($1)) }
        let width = chars[offset..<end].reduce(0) { $0 + DisplayWidth.of(shown($1)) }

        let label = chinese ? "错误：" : "error: "
        var out = "\(name):\(range.start.line):\(range.start.column): \(label)\(self.text.text(chinese: chinese))\n"
        out += "  " + text + "\n"
        out += "  " + String(repeating: " ", count: indent) + String(repeating: "^", count: max(width, 1))
        if let hint {
            // A bare name is wrapped; a whole hint ("did you mean `unit`?", "set it with …")
            // is shown as it is.
            let isHint = hint.en.contains(where: { $0 == " " })
            let shown = hint.text(chinese: chinese)
            out += isHint ? "\n  \(shown)" : Message(en: "\n  did you mean `\(shown)`?", zh: "\n  是不是 `\(shown)`？").text(chinese: chinese)
        }
        return out
    }
}
