// Every enumerated value of the domain is declared here, once: its canonical token, its Chinese
// label and the other spellings accepted on input. The loader, the query language, completion
// and the renderers all read them from these tables (DOMAIN.md, "Terms and the values they take").

/// One value of an enumeration: the token (`closed`), the Chinese label (`已办结`) and aliases.
public struct EnumValue: Sendable, Equatable {
    public let token: String
    public let label: String
    public let aliases: [String]
    public init(_ token: String, _ label: String, _ aliases: [String] = []) {
        self.token = token; self.label = label; self.aliases = aliases
    }
    /// `closed (已办结)`, or the word alone when the token is the label (a dataset's own list).
    public var described: String { token == label ? token : "\(token) (\(label))" }
}

/// The values of one enumerated field, indexed by their code (the raw value stored in columns).
/// Code `EnumInfo.none` (255) stands for an empty cell.
public final class EnumInfo: Sendable {
    public static let none: UInt8 = 255
    public let name: String
    public let values: [EnumValue]
    /// Words a file writes for "no value" in this field (satisfaction 未表态): loaded as empty.
    public let blanks: [String]
    private let lookup: [String: UInt8]

    public init(_ name: String, _ values: [EnumValue], blanks: [String] = []) {
        self.name = name
        self.values = values
        self.blanks = blanks
        var map: [String: UInt8] = [:]
        for (i, v) in values.enumerated() {
            for spelling in [v.token, v.label] + v.aliases {
                map[EnumInfo.fold(spelling)] = UInt8(i)
            }
        }
        self.lookup = map
    }

    /// ASCII case folding and trimming; Chinese is compared as written.
    static func fold(_ s: String) -> String {
        s.trimmingSpaces().lowercased()
    }

    /// The code of a cell's word as files write it: a spelling, or one with its class letter
    /// written around it (`A类`, `A.解决或基本解决`, `A、已解决`: the letter, when it is a token), or
    /// a blank word (EnumInfo.none). Nil when it is none of these. For the loader, once per
    /// distinct word.
    public func loadedCode(of word: String) -> UInt8? {
        if let c = code(of: word) { return c }
        let w = EnumInfo.fold(word)
        if blanks.contains(where: { EnumInfo.fold($0) == w }) { return EnumInfo.none }
        // Full-width letters and digits as their ASCII twins.
        let ascii = String(String.UnicodeScalarView(w.unicodeScalars.map {
            (0xFF01...0xFF5E).contains($0.value) ? Unicode.Scalar($0.value - 0xFEE0)! : $0 }))
        if ascii != w, let c = code(of: ascii) { return c }
        // A class letter then a separator or 类, then maybe the class's words.
        if let first = ascii.first, first.isASCII, first.isLetter, let c = code(of: String(first)),
           values[Int(c)].token.count == 1 {
            let rest = ascii.dropFirst().drop { ".、．:：,， 类".contains($0) }
            if ascii.count == 1 || rest.count < ascii.count - 1 && (rest.isEmpty || code(of: String(rest)) == c || values[Int(c)].label.contains(rest) || rest.contains(values[Int(c)].label)) {
                return c
            }
        }
        return nil
    }

    /// The accepted spelling nearest to a rejected word (for "did you mean"), if one is near.
    public func nearest(to word: String) -> String? {
        Suggest.closest(to: word, in: allSpellings, maxDistance: max(1, word.count / 2))
    }

    /// The code of a token, label or alias, or nil.
    public func code(of spelling: String) -> UInt8? { lookup[EnumInfo.fold(spelling)] }
    public func token(_ code: UInt8) -> String { code == EnumInfo.none ? "" : values[Int(code)].token }
    public func label(_ code: UInt8) -> String { code == EnumInfo.none ? "" : values[Int(code)].label }
    public var tokens: [String] { values.map(\.token) }
    public var labels: [String] { values.map(\.label) }
    /// Every accepted spelling, for completion.
    public var allSpellings: [String] { values.flatMap { [$0.token, $0.label] + $0.aliases } }
}

extension EnumInfo: Equatable {
    /// The same values, spellings and blank words (a dataset's scheme against another).
    public static func == (a: EnumInfo, b: EnumInfo) -> Bool {
        a === b || (a.name == b.name && a.values == b.values && a.blanks == b.blanks)
    }
}

/// A Swift enum whose cases mirror an EnumInfo table, so code can say `.closed` and columns keep a byte.
public protocol DomainEnum: CaseIterable, Hashable, Sendable, RawRepresentable where RawValue == UInt8 {
    static var info: EnumInfo { get }
}

extension DomainEnum {
    public var token: String { Self.info.token(rawValue) }
    public var label: String { Self.info.label(rawValue) }
    public init?(spelling: String) {
        guard let code = Self.info.code(of: spelling), let v = Self(rawValue: code) else { return nil }
        self = v
    }
}

/// The kinds of case a list may hold. 建议, 批评 and 意见 are one kind: the law's "代表建议、批评和
/// 意见" (代表法 第十八条). 议案 (a bill put to the congress), 质询 (an inquiry), 群众意见 and 社情民意
/// (opinions passed on) are handled by the same offices and appear in their lists.
public enum Kind: UInt8, DomainEnum {
    case suggestion, proposal, motion, inquiry, publicOpinion, socialOpinion
    public static let info = EnumInfo("kind", [
        EnumValue("suggestion", "人大代表建议", ["建议", "人大建议", "npc", "代表建议", "批评", "意见", "批评意见",
                                              "建议、批评和意见", "建议批评意见", "闭会建议", "大会建议", "人大代表建议、批评和意见"]),
        EnumValue("proposal", "政协委员提案", ["提案", "政协提案", "cppcc", "委员提案", "集体提案", "闭会提案", "大会提案"]),
        EnumValue("motion", "议案", ["代表议案", "人大议案"]),
        EnumValue("inquiry", "质询", ["质询案"]),
        EnumValue("public_opinion", "群众意见", ["群众来信", "群众意见建议"]),
        EnumValue("social_opinion", "社情民意", ["社情民意信息"]),
    ])
}

public enum Level: UInt8, DomainEnum {
    case province, city
    public static let info = EnumInfo("level", [
        EnumValue("province", "省级", ["省", "provincial"]),
        EnumValue("city", "市级", ["市"]),
    ])
}

public enum ProposerType: UInt8, DomainEnum {
    case deputy, member, party, sector, group
    public static let info = EnumInfo("proposer_type", [
        EnumValue("deputy", "代表", ["人大代表", "代表建议", "代表个人"]),
        EnumValue("member", "委员", ["政协委员", "委员提案", "个人提案", "委员个人"]),
        EnumValue("party", "党派", ["民主党派", "党派提案", "党派团体"]),
        EnumValue("sector", "界别", ["界别提案", "专委会提案", "专委会"]),
        EnumValue("group", "团体", ["集体提案", "集体", "团体提案", "人民团体"]),
    ])
}

/// caseql's eight categories (DOMAIN.md), the list the shipped dataset fixes with
/// `"rules": {"categories": "caseql"}`; without such a list category is open text (Schemes.swift).
public enum Category: UInt8, DomainEnum {
    case urban, finance, industry, agriculture, education, law, ecology, general
    public static let info = EnumInfo("category", [
        EnumValue("urban", "城市建设", ["城建"]),
        EnumValue("finance", "财贸金融"),
        EnumValue("industry", "工业交通"),
        EnumValue("agriculture", "农林水利"),
        EnumValue("education", "科教文卫"),
        EnumValue("law", "政法劳动人事"),
        EnumValue("ecology", "生态环境"),
        EnumValue("general", "综合"),
    ])
}

public enum Status: UInt8, DomainEnum {
    case assigned, signed, returnRequested, inProgress, replied, closed, rehandling
    public static let info = EnumInfo("status", [
        EnumValue("assigned", "已交办", ["交办", "待签收", "未签收"]),
        EnumValue("signed", "已签收", ["签收"]),
        EnumValue("return_requested", "申请退办", ["退办申请", "申请退回"]),
        EnumValue("in_progress", "办理中", ["正在办理", "未办复", "未答复", "在办"]),
        EnumValue("replied", "已答复", ["答复", "已办复", "办复", "已办理", "已回复"]),
        EnumValue("closed", "已办结", ["办结", "完成", "结案", "已结案"]),
        EnumValue("rehandling", "重新办理", ["二次办理", "重办"]),
    ])
    /// A case whose reply is in: neither open work nor overdue.
    public var isAnswered: Bool { self == .replied || self == .closed }
}

/// `overdue` (逾期) is a status a query may ask for although no row stores it.
public enum DerivedStatus {
    public static let overdue = EnumValue("overdue", "逾期", ["超期", "逾期未办"])
}

public enum Contact: UInt8, DomainEnum {
    case meeting, visit, site, phone, letter
    public static let info = EnumInfo("contact", [
        EnumValue("meeting", "座谈", ["座谈会", "会议", "召开座谈会", "面谈", "当面沟通", "见面沟通", "会商"]),
        EnumValue("visit", "登门", ["登门拜访", "拜访", "上门征求意见", "走访", "上门", "登门走访", "走访代表"]),
        EnumValue("site", "现场", ["现场办理", "现场察看", "实地察看", "现场调研", "实地调研"]),
        EnumValue("phone", "电话", ["电话联系", "电话沟通", "电话征求意见"]),
        EnumValue("letter", "书面", ["信函", "函复", "书面答复", "网络", "邮件", "短信"]),
    ])
    /// 面商: contact in person.
    public var isFaceToFace: Bool { self == .meeting || self == .visit || self == .site }
}

public enum Satisfaction: UInt8, DomainEnum {
    case satisfied, basic, unsatisfied
    public static let info = EnumInfo("satisfaction", [
        EnumValue("satisfied", "满意", ["非常满意", "很满意"]),
        EnumValue("basic", "基本满意", ["比较满意", "较满意"]),
        EnumValue("unsatisfied", "不满意"),
    ], blanks: ["未表态", "未反馈", "未填写", "无", "暂无"])
}

public enum Resolution: UInt8, DomainEnum {
    case a, b, c, d
    public static let info = EnumInfo("resolution", [
        // Letters written with the class (`A类`, `A.解决或基本解决`) are read by `loadedCode(of:)`.
        EnumValue("A", "已解决或基本解决", ["已解决", "基本解决", "解决或基本解决", "解决或采纳", "已解决或采纳",
                                         "已采纳", "采纳", "甲类", "甲"]),
        EnumValue("B", "正在解决或列入计划", ["正在解决", "列入计划", "列入计划拟解决", "正在解决或已列入计划",
                                           "列入计划逐步解决", "乙类", "乙"]),
        EnumValue("C", "因条件限制暂不能解决", ["暂不能解决", "因条件限制暂时不能解决", "丙类", "丙"]),
        EnumValue("D", "留作参考", ["参考", "留作参考或暂不采纳", "丁类", "丁"]),
    ])
}

public enum FormVersion: UInt8, DomainEnum {
    case new, old
    public static let info = EnumInfo("form", [
        EnumValue("new", "新表", ["新"]),
        EnumValue("old", "旧表", ["旧"]),
    ])
}

public enum UnitType: UInt8, DomainEnum {
    case department, district, company, zone
    public static let info = EnumInfo("type", [
        EnumValue("department", "部门"),
        EnumValue("district", "区县市", ["区县", "区县（市）"]),
        EnumValue("company", "企业"),
        EnumValue("zone", "开发区"),
    ])
}

public enum EventAction: UInt8, DomainEnum {
    case assign, sign, returnRequest, `return`, reassign, reply, feedback, close, rehandle, extend
    public static let info = EnumInfo("action", [
        EnumValue("assign", "交办"),
        EnumValue("sign", "签收"),
        EnumValue("return_request", "申请退办"),
        EnumValue("return", "退办"),
        EnumValue("reassign", "改办"),
        EnumValue("reply", "答复"),
        EnumValue("feedback", "反馈", ["征询意见"]),
        EnumValue("close", "办结"),
        EnumValue("rehandle", "重新办理"),
        EnumValue("extend", "延期", ["延期办理"]),
    ])
}

/// Yes and no as files and queries write them: the one list the loader, the binder and
/// completion read.
public enum YesNo {
    public static let yes = ["true", "yes", "是", "1", "t", "y", "有", "√", "✓"]
    public static let no = ["false", "no", "否", "0", "f", "n", "无", "×"]
    /// The value of a spelling (ASCII case-insensitive), or nil.
    public static func value(of spelling: String) -> Bool? {
        let s = EnumInfo.fold(spelling)
        if yes.contains(s) { return true }
        if no.contains(s) { return false }
        return nil
    }
    /// What an error says is expected.
    public static let expected = Message(en: "true/false, 是/否, 有/无 or 1/0", zh: "true/false、是/否、有/无 或 1/0")
}

extension String {
    /// The string without leading and trailing spaces, tabs and ideographic spaces.
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\u{3000}" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\u{3000}" { s = s.dropLast() }
        return String(s)
    }
}
