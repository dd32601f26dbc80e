// Every domain predicate and rate, defined once: its name, its Chinese name, what it means in
// words and where the rule comes from. The query binder, the aggregates and the office's report
// and checks (CaseOffice) all read them from here (DOMAIN.md, "Derived" and "Rates").

import CaseStore

/// A yes/no fact about one case, computed from its stored fields (and the as-of date).
public struct DomainPredicate: Sendable {
    /// The query language's name (`overdue`).
    public let name: String
    /// The Chinese name (逾期).
    public let label: String
    /// The definition in words.
    public let definition: String
    /// Where the rule comes from.
    public let source: String

    public init(name: String, label: String, definition: String, source: String) {
        self.name = name; self.label = label; self.definition = definition; self.source = source
    }

    /// A predicate that is a derived field of the cases: its name, label and definition are the
    /// field's (Schema.swift), only the source is said here.
    init(field: FieldName, source: String) {
        let spec = Schema.cases.first { $0.key == field }!
        self.init(name: spec.name, label: spec.label, definition: spec.help, source: source)
    }
}

/// A rate over a group of cases: numerator / denominator, null when the denominator is 0.
public struct DomainRate: Sendable {
    /// The query language's name (`completion_rate`).
    public let name: String
    /// The Chinese name as reports print it (办结率).
    public let label: String
    /// Other spellings a query may use.
    public let aliases: [String]
    /// The numerator and denominator in words.
    public let numerator: String
    public let denominator: String
    /// Where the rate comes from.
    public let source: String
    let basis: Basis

    /// How a rate is decided for a row.
    enum Basis: Sendable {
        /// One enum column decides both parts: which codes count in each (EnumInfo.none for empty).
        case codes(field: FieldName, numerator: @Sendable (UInt8) -> Bool, denominator: @Sendable (UInt8) -> Bool)
        /// Several fields (or the events) decide: the tests are made for a store and an as-of date.
        case rows(@Sendable (CaseStore, Day) -> RowTests)
    }

    /// The two tests of a rate, over case rows.
    public struct RowTests {
        public let numerator: (Int) -> Bool
        public let denominator: (Int) -> Bool
    }

    public var spellings: [String] { [name, label] + aliases }

    /// The tests over the store's case rows as of a date.
    public func tests(_ store: CaseStore, asOf: Day) -> RowTests {
        switch basis {
        case .codes(let field, let num, let den):
            let codes = store.cases.code(field).codes
            let n = DomainRules.table(num), d = DomainRules.table(den)
            return DomainRate.RowTests(numerator: { n[Int(codes[$0])] }, denominator: { d[Int(codes[$0])] })
        case .rows(let make):
            return make(store, asOf)
        }
    }

    /// When one enum column decides the rate: the column and 256-entry tables of which codes
    /// count in the numerator and the denominator (for the aggregates' fast path).
    public var codeTables: (field: FieldName, numerator: [Bool], denominator: [Bool])? {
        guard case .codes(let field, let num, let den) = basis else { return nil }
        return (field, DomainRules.table(num), DomainRules.table(den))
    }

    /// (numerator, denominator) over the given case rows.
    public func count(_ rows: some Sequence<Int>, _ store: CaseStore, asOf: Day) -> (numerator: Int, denominator: Int) {
        let t = tests(store, asOf: asOf)
        var n = 0, d = 0
        for r in rows where t.denominator(r) {
            d += 1
            if t.numerator(r) { n += 1 }
        }
        return (n, d)
    }
}

public enum DomainRules {
    /// The notice this project's figures come from.
    public static let notice = "郑政文〔2020〕102号"

    // MARK: predicates on one case's values

    /// 办复: the case has been answered (status replied or closed). A case sent back for
    /// re-handling (重新办理) is not answered until it is answered again.
    @inline(__always)
    public static func isAnswered(status: UInt8) -> Bool {
        Status(rawValue: status)?.isAnswered ?? false
    }

    /// 办结: status closed.
    @inline(__always)
    public static func isClosed(status: UInt8) -> Bool { status == Status.closed.rawValue }

    /// 逾期: the current deadline is before the as-of date and the case is not answered.
    @inline(__always)
    public static func isOverdue(deadline: Int32, status: UInt8, asOf: Int32) -> Bool {
        deadline != Day.none && deadline < asOf && !isAnswered(status: status)
    }

    /// 超期办复: answered after the current deadline.
    @inline(__always)
    public static func isLate(replied: Int32, deadline: Int32) -> Bool {
        replied != Day.none && deadline != Day.none && replied > deadline
    }

    /// How a co-unit's opinion is written in an event's note, when it is (`会办意见：…`).
    public static let coUnitOpinionNote = "会办意见"

    /// 会办意见: an event that is a co-unit's opinion to the lead unit, not the case's answer: a
    /// reply (答复) by one of the case's co-units that is not its lead unit, or a reply whose note
    /// says 会办意见 (DOMAIN.md: co-units send their opinion to the lead unit within 1 month; the
    /// notice's 问题四). `unit`: the event's unit; `lead`: the case's lead unit at that step (a
    /// reassignment moves it); `coUnits`: the case's co-units — names, or codes of one pool. The
    /// note is read only for a reply.
    @inline(__always)
    public static func isCoUnitOpinion<U: Equatable>(action: UInt8, note: @autoclosure () -> String, unit: U, lead: U,
                                                     coUnits: some Sequence<U>) -> Bool {
        action == EventAction.reply.rawValue && (note().hasPrefix(coUnitOpinionNote) || (unit != lead && coUnits.contains(unit)))
    }

    /// 面商: contact by meeting, visit or on site.
    @inline(__always)
    public static func isFaceToFace(contact: UInt8) -> Bool {
        contact != EnumInfo.none && (Contact(rawValue: contact)?.isFaceToFace ?? false)
    }

    /// 满意（含基本满意）: satisfied or basically satisfied.
    @inline(__always)
    public static func isSatisfiedOrBasic(satisfaction: UInt8) -> Bool {
        satisfaction == Satisfaction.satisfied.rawValue || satisfaction == Satisfaction.basic.rawValue
    }

    /// 已解决或正在解决: resolution class A or B.
    @inline(__always)
    public static func isResolved(resolution: UInt8) -> Bool {
        resolution == Resolution.a.rawValue || resolution == Resolution.b.rawValue
    }

    /// The status an event puts a case in; nil when it leaves the status as it was (a return
    /// waits for the reassignment, feedback for the close or the re-handling, an extension moves
    /// only the deadline).
    public static func status(after action: EventAction) -> Status? {
        switch action {
        case .assign, .reassign: return .assigned
        case .sign: return .signed
        case .returnRequest: return .returnRequested
        case .reply: return .replied
        case .close: return .closed
        case .rehandle: return .rehandling
        case .return, .feedback, .extend: return nil
        }
    }

    /// Cases sent back for re-handling at least once (a `rehandle` event, or status rehandling),
    /// by case row.
    public static func rehandled(_ store: CaseStore) -> [Bool] {
        let n = store.cases.count
        var out = [Bool](repeating: false, count: n)
        let status = store.cases.code(.status).codes
        for r in 0..<n where status[r] == Status.rehandling.rawValue { out[r] = true }
        if store.events.count > 0 {
            let action = store.events.code(.action).codes
            let rehandle = EventAction.rehandle.rawValue
            for (e, c) in store.eventCase.enumerated() where c != UInt32.max && action[e] == rehandle { out[Int(c)] = true }
        }
        return out
    }

    public static let predicates: [DomainPredicate] = [
        DomainPredicate(field: .overdue,
                        source: "DOMAIN.md; \(notice) 要求一（没有完成办理任务的单位）"),
        DomainPredicate(field: .late,
                        source: "DOMAIN.md; \(notice) 问题五（未及时上传办理结果）"),
        DomainPredicate(field: .faceToFace,
                        source: "\(notice) 一（二）（座谈、登门、现场）"),
        DomainPredicate(name: "answered", label: "办复",
                        definition: "status is replied or closed",
                        source: "DOMAIN.md (办复率)"),
        DomainPredicate(name: "resolved", label: "已解决或正在解决",
                        definition: "resolution class A or B",
                        source: "DOMAIN.md (解决率)"),
    ]

    // MARK: rates

    public static let rates: [DomainRate] = [
        DomainRate(name: "completion_rate", label: "办结率", aliases: [],
                   numerator: "closed", denominator: "all cases",
                   source: "\(notice) 要求三（办结率 100%）",
                   basis: .codes(field: .status, numerator: { isClosed(status: $0) }, denominator: { _ in true })),
        DomainRate(name: "face_to_face_rate", label: "面商率", aliases: [],
                   numerator: "contact is meeting, visit or site", denominator: "all cases",
                   source: "\(notice) 要求三（面商率 100%）",
                   basis: .codes(field: .contact, numerator: { isFaceToFace(contact: $0) }, denominator: { _ in true })),
        DomainRate(name: "satisfaction_rate", label: "满意（含基本满意）率", aliases: ["满意率", "满意含基本满意率"],
                   numerator: "satisfied or basic", denominator: "cases with a satisfaction answer",
                   source: "\(notice) 要求三（满意率不低于 98.5%）; reports count 基本满意 as satisfied",
                   basis: .codes(field: .satisfaction, numerator: { isSatisfiedOrBasic(satisfaction: $0) },
                                 denominator: { $0 != EnumInfo.none })),
        DomainRate(name: "strict_satisfaction_rate", label: "严格满意率", aliases: ["仅满意率"],
                   numerator: "satisfied", denominator: "cases with a satisfaction answer",
                   source: "DOMAIN.md (the strict rate, 满意 only)",
                   basis: .codes(field: .satisfaction, numerator: { $0 == Satisfaction.satisfied.rawValue },
                                 denominator: { $0 != EnumInfo.none })),
        DomainRate(name: "basic_satisfaction_rate", label: "基本满意率", aliases: [],
                   numerator: "basic", denominator: "cases with a satisfaction answer",
                   source: "DOMAIN.md (shown beside 满意（含基本满意）率)",
                   basis: .codes(field: .satisfaction, numerator: { $0 == Satisfaction.basic.rawValue },
                                 denominator: { $0 != EnumInfo.none })),
        DomainRate(name: "reply_rate", label: "办复率", aliases: ["答复率"],
                   numerator: "replied or closed", denominator: "all cases",
                   source: "DOMAIN.md; 各地建议提案办理工作规定（办复率）",
                   basis: .codes(field: .status, numerator: { isAnswered(status: $0) }, denominator: { _ in true })),
        DomainRate(name: "on_time_reply_rate", label: "按期办复率", aliases: ["按时办复率"],
                   numerator: "answered with replied_on on or before the current deadline", denominator: "answered (replied or closed, with a reply date)",
                   source: "DOMAIN.md; 各地建议提案办理工作规定（按期办复率）",
                   basis: .rows { store, _ in
                       let s = store.cases.code(.status).codes
                       let rep = store.cases.day(.repliedOn).values, d = store.cases.day(.deadline).values
                       return DomainRate.RowTests(numerator: { !isLate(replied: rep[$0], deadline: d[$0]) },
                                       denominator: { isAnswered(status: s[$0]) && rep[$0] != Day.none })
                   }),
        DomainRate(name: "resolution_rate", label: "解决率", aliases: [],
                   numerator: "class A or B", denominator: "cases with a resolution class",
                   source: "DOMAIN.md; 各地建议提案办理工作规定（解决率：A 类 + B 类）",
                   basis: .codes(field: .resolution, numerator: { isResolved(resolution: $0) }, denominator: { $0 != EnumInfo.none })),
        DomainRate(name: "first_satisfaction_rate", label: "初次满意率", aliases: [],
                   numerator: "satisfied or basic at the first feedback (never sent back for re-handling)",
                   denominator: "cases with a satisfaction answer",
                   source: "DOMAIN.md; 各地建议提案办理工作规定（初次满意率）",
                   basis: .rows { store, _ in
                       let sat = store.cases.code(.satisfaction).codes
                       let again = rehandled(store)
                       return DomainRate.RowTests(numerator: { isSatisfiedOrBasic(satisfaction: sat[$0]) && !again[$0] },
                                       denominator: { sat[$0] != EnumInfo.none })
                   }),
    ]

    /// The rate called `spelling` (its name, Chinese name or an alias).
    public static func rate(_ spelling: String) -> DomainRate? {
        let s = spelling.lowercased()
        return rates.first { $0.spellings.contains(s) }
    }

    /// A 256-entry table of which codes hold.
    static func table(_ holds: (UInt8) -> Bool) -> [Bool] { (0..<256).map { holds(UInt8($0)) } }
}
