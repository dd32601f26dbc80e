import CaseQuery
import CaseStore

/// Hints for what users of SQL shells, and of Chinese, type by habit: `like`, `help` without
/// the dot, 和 for and. Appended to the error a statement gave; the words themselves stay
/// errors, so a script never means something the person did not write.
enum Habits {
    /// Words of other shells' languages and how caseql says them.
    static let words: [String: Message] = [
        "like": Message(en: "caseql has no `like`: `title contains \"午餐\"` finds a part of a text",
                        zh: "caseql 没有 `like`：`title contains \"午餐\"` 查找文本中的一段"),
        "ilike": Message(en: "caseql has no `ilike`: `title contains \"午餐\"` finds a part of a text",
                         zh: "caseql 没有 `ilike`：`title contains \"午餐\"` 查找文本中的一段"),
        "和": Message(en: "write `and` for 和 between conditions (`unit in (\"教育局\", \"民政局\")` for either unit)",
                     zh: "条件之间的“和”写作 `and`（两个单位之一：`unit in (\"教育局\", \"民政局\")`）"),
        "并且": Message(en: "write `and` (or 且) for 并且", zh: "“并且”写作 `and`（或 且）"),
        "而且": Message(en: "write `and` (or 且) for 而且", zh: "“而且”写作 `and`（或 且）"),
        "或者": Message(en: "write `or` (or 或) for 或者", zh: "“或者”写作 `or`（或 或）"),
        "包括": Message(en: "write `contains` (or 包含) for 包括: `title contains \"午餐\"`",
                      zh: "“包括”写作 `contains`（或 包含）：`title contains \"午餐\"`"),
        "降序": Message(en: "write `desc` for 降序: `order by deadline desc`", zh: "“降序”写作 `desc`：`order by deadline desc`"),
        "倒序": Message(en: "write `desc` for 倒序: `order by deadline desc`", zh: "“倒序”写作 `desc`：`order by deadline desc`"),
        "升序": Message(en: "write `asc` for 升序: `order by deadline asc`", zh: "“升序”写作 `asc`：`order by deadline asc`"),
        "descending": Message(en: "write `desc` for descending: `order by deadline desc`", zh: "“descending”写作 `desc`：`order by deadline desc`"),
        "ascending": Message(en: "write `asc` for ascending: `order by deadline asc`", zh: "“ascending”写作 `asc`：`order by deadline asc`"),
    ]

    /// Statements that are dot-commands elsewhere.
    static let commands: [String: String] = [
        "help": ".help", "exit": ".exit", "quit": ".quit", "tables": ".schema", "show": ".show",
        "\\q": ".quit", "\\?": ".help", "\\d": ".schema", "\\dt": ".schema",
    ]

    /// Lines to append to the error of `text` ("" when no habit shows in it).
    /// `chinese`: in Chinese (`.labels on`).
    static func hint(for text: String, chinese: Bool = false) -> String {
        let label = chinese ? "\n  提示：" : "\n  hint: "
        let bare = text.trimmingCharacters(in: " \t\n\r;").lowercased()
        if let c = commands[bare] {
            return label + Message(en: "dot-commands start with a dot: \(c)", zh: "点命令以点开头：\(c)").text(chinese: chinese)
        }
        var seen: [Message] = []
        for t in Lexer.tokenize(text) where t.kind == .word {
            let w = t.text.lowercased()
            if let h = words[w], !seen.contains(h) { seen.append(h) }
        }
        return seen.map { label + $0.text(chinese: chinese) }.joined()
    }
}
