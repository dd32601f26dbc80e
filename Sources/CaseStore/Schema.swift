// The fields of each table, declared once: name, Chinese label, other accepted header spellings,
// type. The loader maps headers with it, the query binder resolves names with it, completion lists
// it and `.schema` prints it.

public enum FieldType: Sendable {
    case text
    case textList
    case enumeration(EnumInfo)
    case bool
    case date
    case int
    /// A real number: a rate or share (a fraction 0…1, `fraction`), or an average or median.
    /// Only results have it (a grouped result's aggregates, for `having`), never a file.
    case real(fraction: Bool)

    public var name: String {
        switch self {
        case .text: return "text"
        case .textList: return "list of text"
        case .enumeration(let e): return "enum(\(e.name))"
        case .bool: return "bool"
        case .date: return "date"
        case .int: return "int"
        case .real(let fraction): return fraction ? "rate" : "number"
        }
    }

    /// The type in words for a message: `enum(status)` and `枚举（status）`, `date` and `日期`.
    public var described: Message {
        switch self {
        case .text: return Message(en: name, zh: "文本")
        case .textList: return Message(en: name, zh: "文本列表")
        case .enumeration(let e): return Message(en: name, zh: "枚举（\(e.name)）")
        case .bool: return Message(en: name, zh: "是/否")
        case .date: return Message(en: name, zh: "日期")
        case .int: return Message(en: name, zh: "整数")
        case .real(let fraction): return Message(en: name, zh: fraction ? "比率" : "数字")
        }
    }
}

public struct FieldSpec: Sendable {
    /// The field's key; `name` is its spelling.
    public let key: FieldName
    public var name: String { key.rawValue }
    public let label: String
    public let aliases: [String]
    public let type: FieldType
    /// Computed against the as-of date, never stored.
    public let derived: Bool
    /// Every row needs a value; the file needs the column unless `Schema.neededColumns` says
    /// another will do.
    public let required: Bool
    public let help: String
    /// For a derived (or filled) field: the stored fields it is computed from (it has no data when a file
    /// lacks one of them; see `Table.hasData`).
    public let sources: [FieldName]
    /// A column of the file that is no field of the schema, kept as text under its header.
    public let extra: Bool
    /// Stored, but filled by the loader from its `sources` where the file has no column for it
    /// (caseql's exports carry it; the data files caseql generates leave it out).
    public let filled: Bool

    public init(_ key: FieldName, _ label: String, _ type: FieldType, aliases: [String] = [],
                derived: Bool = false, required: Bool = false, sources: [FieldName] = [], extra: Bool = false,
                filled: Bool = false, help: String = "") {
        self.key = key; self.label = label; self.type = type; self.aliases = aliases
        self.derived = derived; self.required = required; self.help = help
        self.sources = sources; self.extra = extra; self.filled = filled
    }

    public var spellings: [String] { [name, label] + aliases }
}

public enum Schema {
    /// Each table's name in Chinese (案件, 单位, 办理记录): its workbook sheet, its source in a
    /// query, and messages say it so.
    public static let tableLabels = ["cases": "案件", "units": "单位", "events": "办理记录"]

    public static let cases: [FieldSpec] = [
        // Aliases: the headers real systems and published lists use (issue 18), read without renaming.
        FieldSpec(.id, "编号", .text, aliases: ["案号", "建议号", "提案号", "建议编号", "提案编号", "提案序号",
                                                "建议提案号", "议案号", "案件编号"], required: true, help: "unique key"),
        FieldSpec(.kind, "类别", .enumeration(Kind.info), aliases: ["类型", "案件类型", "件别"]),
        FieldSpec(.level, "级别", .enumeration(Level.info), aliases: ["层级"]),
        FieldSpec(.recess, "闭会期间", .bool, aliases: ["闭会", "是否闭会"], help: "闭会建议 / 闭会提案"),
        FieldSpec(.year, "年度", .int, aliases: ["年份"]),
        FieldSpec(.title, "案由", .text, aliases: ["标题", "题目", "建议标题", "建议名称", "提案题目", "提案标题",
                                                   "提案名称", "建议题目", "议案标题", "案题"]),
        FieldSpec(.proposer, "领衔人", .text, aliases: ["提案人", "提出人", "代表", "委员", "领衔代表", "第一提案人",
                                                      "提案者", "提出者", "代表姓名", "委员姓名", "领衔代表姓名"]),
        FieldSpec(.proposerType, "提出者性质", .enumeration(ProposerType.info), aliases: ["提出者类型", "提案类型"]),
        FieldSpec(.cosigners, "附议人", .textList, aliases: ["联名人", "附议代表", "联名提案人", "联名代表", "附议委员"]),
        // Open text, the list's own words, unless the manifest fixes a list (Schemes.caseFields).
        FieldSpec(.category, "分类", .text, aliases: ["类别分类", "专业分类", "所属类别", "内容分类", "建议类别", "提案类别",
                                                 "建议分类", "提案分类"],
                  help: "the list's own words; a fixed list when the manifest names one (rules.categories)"),
        FieldSpec(.unit, "主办单位", .text, aliases: ["承办单位", "单位", "牵头单位", "办理单位", "主办", "主办单位名称"]),
        FieldSpec(.coUnits, "会办单位", .textList, aliases: ["协办单位", "会办", "协办"]),
        FieldSpec(.keySupervised, "重点督办", .bool, aliases: ["督办", "是否重点督办"]),
        FieldSpec(.leader, "领办领导", .text, aliases: ["领办", "督办领导"]),
        FieldSpec(.assignedOn, "交办日期", .date, aliases: ["正式交办日期", "交办时间"]),
        FieldSpec(.signedOn, "签收日期", .date, aliases: ["签收时间"]),
        FieldSpec(.deadline, "办理期限", .date, aliases: ["期限", "要求办结日期", "要求结办日期", "办理时限", "办结时限"]),
        FieldSpec(.repliedOn, "答复日期", .date, aliases: ["答复时间", "办复时间", "具体答复日期", "主办答复时间", "办复日期"]),
        FieldSpec(.closedOn, "办结日期", .date, aliases: ["实际办结日期", "办结时间"]),
        FieldSpec(.status, "办理状态", .enumeration(Status.info), aliases: ["状态", "办理情况", "办理进度"]),
        FieldSpec(.contact, "沟通方式", .enumeration(Contact.info), aliases: ["面商形式", "听取意见方式", "沟通形式"]),
        FieldSpec(.satisfaction, "满意度", .enumeration(Satisfaction.info),
                  aliases: ["满意程度", "代表意见", "委员意见", "提案人意见", "满意情况", "反馈意见"]),
        FieldSpec(.resolution, "解决程度", .enumeration(Resolution.info), aliases: ["办理结果分类", "答复类别", "办复类别", "结果类别"]),
        FieldSpec(.form, "征询意见表版本", .enumeration(FormVersion.info), aliases: ["征询意见表", "表版本"]),
        // Derived against the as-of date.
        FieldSpec(.overdue, "逾期", .bool, derived: true, sources: [.deadline, .status],
                  help: "the current deadline (after re-handling and extensions) is before the as-of date, and the status is not replied or closed"),
        FieldSpec(.late, "超期办复", .bool, derived: true, sources: [.repliedOn, .deadline], help: "replied_on is after the current deadline"),
        FieldSpec(.faceToFace, "面商", .bool, derived: true, sources: [.contact], help: "contact is meeting, visit or site"),
        FieldSpec(.daysOpen, "办理天数", .int, derived: true, sources: [.assignedOn],
                  help: "(closed_on, else the as-of date) minus assigned_on"),
        FieldSpec(.daysToSign, "签收用时", .int, derived: true, sources: [.signedOn, .assignedOn], help: "signed_on minus assigned_on"),
        FieldSpec(.daysToReply, "答复用时", .int, derived: true, sources: [.repliedOn, .assignedOn], help: "replied_on minus assigned_on"),
        // Stored: the loader fills it from deadline (before events move that) when the file has no
        // column for it, so that an export read back keeps a re-handled case's first deadline.
        FieldSpec(.originalDeadline, "原办理期限", .date, sources: [.deadline], filled: true,
                  help: "the deadline as first set; deadline is the current one (after re-handling and extensions)"),
    ]

    public static let units: [FieldSpec] = [
        FieldSpec(.name, "单位名称", .text, aliases: ["unit", "单位", "承办单位"], required: true),
        FieldSpec(.type, "单位类型", .enumeration(UnitType.info), aliases: ["类型"]),
        FieldSpec(.receptionDayOn, "接待日", .date, aliases: ["接待日日期", "代表委员接待日"]),
        FieldSpec(.mediaSubmitted, "影像资料", .bool, aliases: ["影像资料报送"]),
    ]

    public static let events: [FieldSpec] = [
        FieldSpec(.caseID, "编号", .text, aliases: ["case", "id", "案号"], required: true),
        FieldSpec(.date, "日期", .date, required: true),
        FieldSpec(.unit, "单位", .text, aliases: ["承办单位"]),
        FieldSpec(.action, "动作", .enumeration(EventAction.info), aliases: ["操作", "环节"], required: true),
        FieldSpec(.note, "备注", .text, aliases: ["说明"]),
    ]

    /// A header cell as a name: spaces and the invisible characters spreadsheets and web pages
    /// leave in headers (no-break space U+00A0, ideographic space U+3000, zero-width space, joiners
    /// and byte-order marks U+200B–U+200D, U+2060, U+FEFF) removed from both ends, and the
    /// zero-width ones from inside too.
    public static func headerName(_ raw: String) -> String {
        let zeroWidth: Set<Unicode.Scalar> = ["\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}"]
        var scalars = String.UnicodeScalarView(raw.unicodeScalars.filter { !zeroWidth.contains($0) })
        func blank(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\u{A0}" || c == "\u{3000}" || c == "\r" || c == "\n" }
        while let f = scalars.first, blank(f) { scalars.removeFirst() }
        while let l = scalars.last, blank(l) { scalars.removeLast() }
        return String(scalars)
    }

    /// The stored field a header that names no field was probably meant to be (edit distance at
    /// most a third of its length, at least 1, to the field's name, label or an alias), if any.
    public static func nearMiss(_ header: String, in specs: [FieldSpec]) -> FieldSpec? {
        FieldSpellings(specs).nearMiss(header)
    }

    /// The columns a file of `table` cannot be without: each inner list is met by any one of its
    /// fields. A case list needs only a title or an id (issue 18: real lists lack the rest).
    public static func neededColumns(_ table: String, _ specs: [FieldSpec]) -> [[String]] {
        table == "cases" ? [[FieldName.title.rawValue, FieldName.id.rawValue]] : specs.filter { $0.required && !$0.derived }.map { [$0.name] }
    }

    /// The spec whose name, label or alias is `spelling` (ASCII case-insensitive).
    public static func field(_ spelling: String, in specs: [FieldSpec]) -> FieldSpec? {
        let s = EnumInfo.fold(spelling)
        if let f = specs.first(where: { $0.name == s || $0.label == s }) { return f }
        return specs.first { $0.aliases.contains { EnumInfo.fold($0) == s } }
    }
}
