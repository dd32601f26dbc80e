import CaseQuery

/// Hints for what users of SQL shells, and of Chinese, type by habit: `like`, `help` without
/// the dot, 和 for and. Appended to the error a statement gave; the words themselves stay
/// errors, so a script never means something the person did not write.
enum Habits {
    /// Words of other shells' languages and how caseql says them.
    static let words: [String: String] = [
        "like": "caseql has no `like`: `title contains \"午餐\"` finds a part of a text",
        "ilike": "caseql has no `ilike`: `title contains \"午餐\"` finds a part of a text",
        "和": "write `and` for 和 between conditions (`unit in (\"教育局\", \"民政局\")` for either unit)",
        "并且": "write `and` (or 且) for 并且",
        "而且": "write `and` (or 且) for 而且",
        "或者": "write `or` (or 或) for 或者",
        "包括": "write `contains` (or 包含) for 包括: `title contains \"午餐\"`",
        "降序": "write `desc` for 降序: `order by deadline desc`",
        "倒序": "write `desc` for 倒序: `order by deadline desc`",
        "升序": "write `asc` for 升序: `order by deadline asc`",
    ]

    /// Statements that are dot-commands elsewhere.
    static let commands: [String: String] = [
        "help": ".help", "exit": ".exit", "quit": ".quit", "tables": ".schema", "show": ".show",
        "\\q": ".quit", "\\?": ".help", "\\d": ".schema", "\\dt": ".schema",
    ]

    /// Lines to append to the error of `text` ("" when no habit shows in it).
    static func hint(for text: String) -> String {
        let bare = text.trimmingCharacters(in: " \t\n\r;").lowercased()
        if let c = commands[bare] {
            return "\n  hint: dot-commands start with a dot: \(c)"
        }
        var seen: [String] = []
        for t in Lexer.tokenize(text) where t.kind == .word {
            let w = t.text.lowercased()
            if let h = words[w], !seen.contains(h) { seen.append(h) }
        }
        return seen.map { "\n  hint: " + $0 }.joined()
    }
}
