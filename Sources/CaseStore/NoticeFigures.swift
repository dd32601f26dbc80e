// What the source document (a notice such as 郑政文〔2020〕102号) itself states, so that a report
// can set the data beside it and say where they differ, rather than repeating the notice's
// figures as facts of the data: manifest.json's "notice" object.

import Foundation

/// The figures, topics and cases a notice names (manifest.json "notice").
///
/// ```json
/// "notice": {
///   "total": 1270,
///   "parts": [{"label": "市人大建议", "of": "suggestion/city", "count": 367}],
///   "topics": [{"name": "中小学午餐供餐和课后延时服务", "count": 14, "title_words": ["午餐", "课后"], "unit": "教育局"}],
///   "named": [{"title": "关于抓牢数字经济发展机遇 实现郑州超越式发展", "proposer": "市政协科技界"}]
/// }
/// ```
public struct NoticeFigures: Sendable, Equatable {
    /// A part of the total as the notice gives it: its words, which cases it counts (a kind, a
    /// level or kind/level, as in rules.deadline_by) and its count.
    public struct Part: Sendable, Equatable {
        public var label: String
        public var of: String
        public var count: Int
    }
    /// A subject the notice counts cases of: its name, the count, the words a case's title has
    /// one of, and the unit the notice says handled them ("" when it names none).
    public struct Topic: Sendable, Equatable {
        public var name: String
        public var count: Int?
        public var titleWords: [String]
        public var unit: String
    }
    /// A case the notice names: its title (without 《》) and proposer ("" when not named).
    public struct Named: Sendable, Equatable {
        public var title: String
        public var proposer: String
    }
    /// The document's name (manifest "source").
    public var source = ""
    /// The total the notice gives (cases).
    public var total: Int?
    public var parts: [Part] = []
    public var topics: [Topic] = []
    public var named: [Named] = []
    public init() {}

    /// Reads the "notice" object (nil: nothing stated).
    /// - Throws: `LoadError` naming the key whose value is not understood.
    public init?(json: Any?, source: String, file: String) throws {
        guard let json else { return nil }
        guard let o = json as? [String: Any] else { throw LoadError(Message(en: "notice: expected an object", zh: "notice：应为对象"), file: file) }
        self.init()
        self.source = source
        let known: Set<String> = ["total", "parts", "topics", "named"]
        if let bad = o.keys.sorted().first(where: { !known.contains($0) }) {
            throw LoadError(Message(en: "notice: unknown key \"\(bad)\" (known: \(known.sorted().joined(separator: ", ")))", zh: "notice：未知的键 \"\(bad)\"（已知：\(known.sorted().joined(separator: ", "))）"), file: file)
        }
        func list(_ key: String) throws -> [[String: Any]] {
            guard let v = o[key] else { return [] }
            guard let l = v as? [[String: Any]] else { throw LoadError(Message(en: "notice: \(key): expected a list of objects", zh: "notice：\(key)：应为对象的列表"), file: file) }
            return l
        }
        func count(_ v: Any?, _ key: String) throws -> Int? {
            guard let v else { return nil }
            guard let n = v as? Int, n >= 0 else { throw LoadError(Message(en: "notice: \(key): \"\(v)\" is not a count", zh: "notice：\(key)：\"\(v)\" 不是件数"), file: file) }
            return n
        }
        total = try count(o["total"], "total")
        let valid = Set(Kind.allCases.map(\.token) + Level.allCases.map(\.token)
                        + Kind.allCases.flatMap { k in Level.allCases.map { "\(k.token)/\($0.token)" } })
        for (i, p) in try list("parts").enumerated() {
            guard let label = p["label"] as? String, let of = p["of"] as? String, valid.contains(of),
                  let n = try count(p["count"], "parts[\(i)].count") else {
                throw LoadError(Message(en: "notice: parts[\(i)]: expected {\"label\": …, \"of\": a kind, level or kind/level, \"count\": N}", zh: "notice：parts[\(i)]：应为 {\"label\": …, \"of\": 类别、级别或 类别/级别, \"count\": N}"), file: file)
            }
            parts.append(Part(label: label, of: of, count: n))
        }
        for (i, t) in try list("topics").enumerated() {
            guard let name = t["name"] as? String, let words = t["title_words"] as? [String], !words.isEmpty,
                  !words.contains(where: \.isEmpty) else {
                throw LoadError(Message(en: "notice: topics[\(i)]: expected {\"name\": …, \"title_words\": [words a title has one of]}", zh: "notice：topics[\(i)]：应为 {\"name\": …, \"title_words\": [案由含其一即算的词]}"), file: file)
            }
            topics.append(Topic(name: name, count: try count(t["count"], "topics[\(i)].count"), titleWords: words,
                                unit: t["unit"] as? String ?? ""))
        }
        for (i, n) in try list("named").enumerated() {
            guard let title = n["title"] as? String, !title.isEmpty else {
                throw LoadError(Message(en: "notice: named[\(i)]: expected {\"title\": …, \"proposer\": …}", zh: "notice：named[\(i)]：应为 {\"title\": …, \"proposer\": …}"), file: file)
            }
            named.append(Named(title: title, proposer: n["proposer"] as? String ?? ""))
        }
    }

    /// Whether a case of this kind and level is counted by a part `of` (kind, level or kind/level).
    public static func counts(_ of: String, kind: UInt8, level: UInt8) -> Bool {
        OfficeSettings.keys(kind: kind, level: level).contains(of)
    }
}
