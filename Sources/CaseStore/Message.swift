/// A message a user reads (an error, a status line, a note), written once where it is made in
/// both of the shell's languages: English, and Chinese for `.labels on`. Positions, carets,
/// quoted values and the words a user must type (keywords, field names, options) read the same
/// in both.
public struct Message: Sendable, Equatable, CustomStringConvertible {
    public var en: String
    public var zh: String

    public init(en: String, zh: String) { self.en = en; self.zh = zh }

    /// A text that reads the same in both languages (a path, a list of spellings).
    public static func same(_ text: String) -> Message { Message(en: text, zh: text) }

    /// The text in Chinese when `chinese`, else in English.
    public func text(chinese: Bool) -> String { chinese ? zh : en }

    /// The English text: what `.labels off`, logs and `String(describing:)` show.
    public var description: String { en }

    /// The two messages one after the other, each language with its own.
    public static func + (a: Message, b: Message) -> Message { Message(en: a.en + b.en, zh: a.zh + b.zh) }

    /// `n` with its English noun in the singular or the plural (`1 row`, `3 rows`), and in
    /// Chinese with its measure word (`3 行`).
    public static func count(_ n: Int, _ singular: String, _ plural: String? = nil, zh: String) -> Message {
        Message(en: "\(n) \(n == 1 ? singular : plural ?? singular + "s")", zh: "\(n) \(zh)")
    }
}

/// Something a user reads that can say itself in either language (`Message`, the shell's,
/// the query's and the loader's errors).
public protocol Bilingual {
    /// The text in Chinese when `chinese` (`.labels on`), else in English.
    func text(chinese: Bool) -> String
}

extension Message: Bilingual {}
