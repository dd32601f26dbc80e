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
}

/// The values of one enumerated field, indexed by their code (the raw value stored in columns).
/// Code `EnumInfo.none` (255) stands for an empty cell.
public final class EnumInfo: Sendable {
    public static let none: UInt8 = 255
    public let name: String
    public let values: [EnumValue]
    private let lookup: [String: UInt8]

    public init(_ name: String, _ values: [EnumValue]) {
        self.name = name
        self.values = values
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

    /// The code of a token, label or alias, or nil.
    public func code(of spelling: String) -> UInt8? { lookup[EnumInfo.fold(spelling)] }
    public func token(_ code: UInt8) -> String { code == EnumInfo.none ? "" : values[Int(code)].token }
    public func label(_ code: UInt8) -> String { code == EnumInfo.none ? "" : values[Int(code)].label }
    public var tokens: [String] { values.map(\.token) }
    public var labels: [String] { values.map(\.label) }
    /// Every accepted spelling, for completion.
    public var allSpellings: [String] { values.flatMap { [$0.token, $0.label] + $0.aliases } }
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

public enum Kind: UInt8, DomainEnum {
    case suggestion, proposal
    public static let info = EnumInfo("kind", [
        EnumValue("suggestion", "人大代表建议", ["建议", "人大建议", "npc"]),
        EnumValue("proposal", "政协委员提案", ["提案", "政协提案", "cppcc"]),
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
        EnumValue("deputy", "代表", ["人大代表"]),
        EnumValue("member", "委员", ["政协委员"]),
        EnumValue("party", "党派", ["民主党派"]),
        EnumValue("sector", "界别"),
        EnumValue("group", "团体"),
    ])
}

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
        EnumValue("assigned", "已交办", ["交办"]),
        EnumValue("signed", "已签收", ["签收"]),
        EnumValue("return_requested", "申请退办", ["退办申请"]),
        EnumValue("in_progress", "办理中"),
        EnumValue("replied", "已答复", ["答复"]),
        EnumValue("closed", "已办结", ["办结"]),
        EnumValue("rehandling", "重新办理"),
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
        EnumValue("meeting", "座谈", ["座谈会", "会议"]),
        EnumValue("visit", "登门", ["登门拜访", "拜访"]),
        EnumValue("site", "现场", ["现场办理"]),
        EnumValue("phone", "电话", ["电话联系"]),
        EnumValue("letter", "书面", ["信函"]),
    ])
    /// 面商: contact in person.
    public var isFaceToFace: Bool { self == .meeting || self == .visit || self == .site }
}

public enum Satisfaction: UInt8, DomainEnum {
    case satisfied, basic, unsatisfied
    public static let info = EnumInfo("satisfaction", [
        EnumValue("satisfied", "满意"),
        EnumValue("basic", "基本满意"),
        EnumValue("unsatisfied", "不满意"),
    ])
}

public enum Resolution: UInt8, DomainEnum {
    case a, b, c, d
    public static let info = EnumInfo("resolution", [
        EnumValue("A", "已解决或基本解决", ["已解决", "基本解决"]),
        EnumValue("B", "正在解决或列入计划", ["正在解决", "列入计划"]),
        EnumValue("C", "因条件限制暂不能解决", ["暂不能解决"]),
        EnumValue("D", "留作参考", ["参考"]),
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
    case assign, sign, returnRequest, `return`, reassign, reply, feedback, close, rehandle
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
    ])
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
