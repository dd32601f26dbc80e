// The lists that differ by city and belong to the dataset (issue 18), declared in manifest.json's
// "rules" beside the office's periods (OfficeSettings): the resolution classes (解决程度: A–D,
// A–C, or a city's own words for its classes) and the category list (分类: open text unless the
// manifest fixes one). The store types its category and resolution columns by them, so the
// loader, queries, completion, `.schema` and `.check` all read the dataset's own words.

/// Reads the schemes from their manifest spellings and types the cases' fields by them.
public enum Schemes {
    /// `"categories": "caseql"`: the eight categories of DOMAIN.md, which the shipped dataset uses.
    public static let caseqlCategories = "caseql"

    /// The resolution classes `rules.classes` names, and the words the resolution column reads.
    ///
    /// Accepted: `"A-D"` or `"A–C"` (a range from A); a list of letters (`["A", "B", "C"]`); a
    /// list whose items give a class its own words, as `"C 已列入规划计划逐步解决"` or
    /// `{"class": "C", "label": "已列入规划计划逐步解决", "aliases": ["逐步解决"]}`. A class
    /// named by its letter alone keeps DOMAIN.md's words. The column's values are A, B, C, D
    /// always in this order (so codes 0–3 are A–D in every scheme, and 解决率 counts A and B),
    /// then any further letters the scheme lists; a letter of A–D the scheme does not list is
    /// still read by its letter, for `.check` to report as outside the scheme.
    /// - Throws: `LoadError` naming the item not understood.
    public static func resolution(_ json: Any, file: String) throws -> (classes: [String], info: EnumInfo) {
        func bad(_ why: Message) -> LoadError {
            let example = "[\"A 解决或基本解决\", {\"class\": \"C\", \"label\": \"已列入规划计划逐步解决\"}]"
            return LoadError(Message(en: "rules: classes: ", zh: "rules：classes：") + why
                             + Message(en: " (expected \"A-D\", \"A-C\", a list of classes such as [\"A\", \"B\", \"C\"], or classes with their words such as \(example))",
                                       zh: "（应为 \"A-D\"、\"A-C\"、类的列表如 [\"A\", \"B\", \"C\"]，或带说法的类如 \(example)）"), file: file)
        }
        func letter(_ s: Substring) -> String? {
            guard s.count == 1, let c = s.first, c.isASCII, c.isLetter else { return nil }
            return c.uppercased()
        }
        var listed: [(letter: String, label: String?, aliases: [String])] = []
        if let s = json as? String {
            let range = s.filter { !$0.isWhitespace }.split(whereSeparator: { "-–—~～".contains($0) })
            guard range.count == 2, let from = letter(range[0]), let to = letter(range[1]), from == "A",
                  let a = from.unicodeScalars.first?.value, let z = to.unicodeScalars.first?.value, z >= a else {
                throw bad(Message(en: "\"\(s)\" is not a range of classes from A", zh: "\"\(s)\" 不是从 A 开始的类范围"))
            }
            listed = (a...z).map { (String(UnicodeScalar($0)!), nil, []) }
        } else if let list = json as? [Any], !list.isEmpty {
            for item in list {
                if let s = item as? String {
                    let w = s.trimmingSpaces()
                    let rest = w.dropFirst().drop { " .、．:：类".contains($0) }
                    guard let l = letter(w.prefix(1)), rest.count < w.count - 1 || w.count == 1 else {
                        throw bad(Message(en: "\"\(s)\" is not a class (a letter, maybe followed by its words)", zh: "\"\(s)\" 不是类（一个字母，后面可跟说法）"))
                    }
                    listed.append((l, rest.isEmpty ? nil : String(rest), []))
                } else if let o = item as? [String: Any] {
                    guard let c = o["class"] as? String, let l = letter(Substring(c.trimmingSpaces())) else {
                        throw bad(Message(en: "each class written as an object needs \"class\": its letter", zh: "写成对象的类要有 \"class\"：它的字母"))
                    }
                    if let k = o.keys.sorted().first(where: { !["class", "label", "aliases"].contains($0) }) {
                        throw bad(Message(en: "unknown key \"\(k)\" in class \(l) (known: class, label, aliases)", zh: "类 \(l) 中有未知的键 \"\(k)\"（已知：class, label, aliases）"))
                    }
                    guard o["label"] == nil || o["label"] is String, o["aliases"] == nil || o["aliases"] is [String] else {
                        throw bad(Message(en: "class \(l): label is a word, aliases a list of words", zh: "类 \(l)：label 是一个词，aliases 是词的列表"))
                    }
                    listed.append((l, (o["label"] as? String)?.trimmingSpaces(), o["aliases"] as? [String] ?? []))
                } else {
                    throw bad(Message(en: "\(item) is not a class", zh: "\(item) 不是类"))
                }
            }
        } else {
            throw bad(Message(en: "expected a range or a list", zh: "应为范围或列表"))
        }
        if let twice = listed.map(\.letter).first(where: { l in listed.filter { $0.letter == l }.count > 1 }) {
            throw bad(Message(en: "class \(twice) is listed twice", zh: "类 \(twice) 列了两次"))
        }
        let builtIn = Resolution.info.values
        if let wordless = listed.first(where: { c in c.label == nil && c.aliases.isEmpty && !builtIn.contains { $0.token == c.letter } }) {
            throw bad(Message(en: "class \(wordless.letter) is not one of A–D: give its words (\"\(wordless.letter) 不予采纳\")", zh: "类 \(wordless.letter) 不在 A–D 之中：请给出它的说法（\"\(wordless.letter) 不予采纳\"）"))
        }
        let own = Set(listed.flatMap { ($0.label.map { [$0] } ?? []) + $0.aliases }.map(EnumInfo.fold))
        let further = listed.map(\.letter).filter { l in !builtIn.contains { $0.token == l } }
        var values: [EnumValue] = []
        for l in builtIn.map(\.token) + further {
            let b = builtIn.first { $0.token == l }
            if let c = listed.first(where: { $0.letter == l }), c.label != nil || !c.aliases.isEmpty {
                values.append(EnumValue(l, c.label ?? b?.label ?? l, c.aliases))
            } else if let b {
                // DOMAIN.md's words, less those the scheme gives another class.
                let label = own.contains(EnumInfo.fold(b.label)) ? l : b.label
                let inUse = listed.contains { $0.letter == l }
                values.append(EnumValue(l, label, inUse ? b.aliases.filter { !own.contains(EnumInfo.fold($0)) } : []))
            }
        }
        return (listed.map(\.letter), EnumInfo("resolution", values))
    }

    /// The fixed category list `rules.categories` names: `"caseql"` (DOMAIN.md's eight), or a
    /// list whose items are words (`"城乡建设"`) or `{"name": "urban", "label": "城市建设",
    /// "aliases": ["城建"]}` (name defaults to the label).
    /// - Throws: `LoadError` for an item not understood, or a word naming two categories.
    public static func categories(_ json: Any, file: String) throws -> EnumInfo {
        func bad(_ why: Message) -> LoadError {
            let example = "[\"城乡建设\", {\"label\": \"教科文卫\", \"aliases\": [\"科教文卫\"]}]"
            return LoadError(Message(en: "rules: categories: ", zh: "rules：categories：") + why
                             + Message(en: " (expected \"\(caseqlCategories)\" or a list of the dataset's categories, such as \(example))",
                                       zh: "（应为 \"\(caseqlCategories)\" 或数据集的分类列表，如 \(example)）"), file: file)
        }
        if let s = json as? String {
            guard s == caseqlCategories else { throw bad(Message(en: "\"\(s)\" names no list", zh: "\"\(s)\" 不是已知的列表")) }
            return Category.info
        }
        guard let list = json as? [Any], !list.isEmpty else { throw bad(Message(en: "expected a list", zh: "应为列表")) }
        guard list.count < Int(EnumInfo.none) else { throw bad(Message(en: "at most \(Int(EnumInfo.none) - 1) categories", zh: "最多 \(Int(EnumInfo.none) - 1) 个分类")) }
        var values: [EnumValue] = []
        for item in list {
            if let w = item as? String, !w.trimmingSpaces().isEmpty {
                values.append(EnumValue(w.trimmingSpaces(), w.trimmingSpaces()))
            } else if let o = item as? [String: Any], let label = (o["label"] as? String)?.trimmingSpaces(), !label.isEmpty {
                if let k = o.keys.sorted().first(where: { !["name", "label", "aliases"].contains($0) }) {
                    throw bad(Message(en: "unknown key \"\(k)\" in category \(label) (known: name, label, aliases)", zh: "分类 \(label) 中有未知的键 \"\(k)\"（已知：name, label, aliases）"))
                }
                guard o["aliases"] == nil || o["aliases"] is [String] else { throw bad(Message(en: "\(label): aliases is a list of words", zh: "\(label)：aliases 是词的列表")) }
                values.append(EnumValue((o["name"] as? String)?.trimmingSpaces() ?? label, label, o["aliases"] as? [String] ?? []))
            } else {
                throw bad(Message(en: "\(item) is not a category", zh: "\(item) 不是分类"))
            }
        }
        if let twice = values.map(\.token).first(where: { t in values.filter { $0.token == t }.count > 1 }) {
            throw bad(Message(en: "\(twice) is listed twice", zh: "\(twice) 列了两次"))
        }
        var named: [String: String] = [:]
        for v in values {
            for s in [v.token, v.label] + v.aliases {
                let f = EnumInfo.fold(s)
                if let other = named[f], other != v.token { throw bad(Message(en: "\"\(s)\" names both \(other) and \(v.token)", zh: "\"\(s)\" 同时指 \(other) 和 \(v.token)")) }
                named[f] = v.token
            }
        }
        return EnumInfo("category", values)
    }

    /// The cases' fields with category and resolution typed by a dataset's settings: category is
    /// open text unless the settings fix a list.
    public static func caseFields(_ settings: OfficeSettings) -> [FieldSpec] {
        Schema.cases.map { f in
            switch f.key {
            case .category: return f.typed(settings.categories.map { .enumeration($0) } ?? .text)
            case .resolution: return f.typed(.enumeration(settings.resolution))
            default: return f
            }
        }
    }
}

extension Schema {
    /// The list field of every case's lead units, which a list with a 分办 cell gets (see
    /// `CaseRowCheck.splitLeadUnits`).
    public static let sharedLeadField = "分办单位"
}

extension FieldSpec {
    /// The same field with another type.
    func typed(_ type: FieldType) -> FieldSpec {
        FieldSpec(key, label, type, aliases: aliases, derived: derived, required: required, sources: sources,
                  extra: extra, filled: filled, help: help)
    }
}

extension CaseStore {
    /// A category word as the dataset names it: the token of the fixed list's value it spells,
    /// else the word itself (trimmed). For comparing a manifest's remits with the cases.
    public func categoryKey(_ word: String) -> String {
        if case .code(let c)? = cases.column(.category), let code = c.info.code(of: word) { return c.info.token(code) }
        return word.trimmingSpaces()
    }

    /// Case `row`'s category: its key (see `categoryKey`) and how reports name it (a fixed
    /// list's label, else the word); empty when the case has none.
    public func category(row: Int) -> (key: String, label: String) {
        switch cases.column(.category) {
        case .code(let c)?: return (c.info.token(c.codes[row]), c.info.label(c.codes[row]))
        case .text(let t)?: let w = t[row]; return (w, w)
        default: return ("", "")
        }
    }
}
