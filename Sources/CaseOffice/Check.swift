// `.check`: the problems the notice 郑政文〔2020〕102号 names (二、存在的问题), found in the data.
// Each finding names its rule (a short id, a Chinese title, the reason in words), its unit and the
// cases behind it, so that a unit sees why it is listed.

import CaseQuery
import CaseStore

/// One problem the notice names, as a rule over the data.
public struct CheckRule: Sendable, Equatable {
    public let id: String
    /// Chinese title.
    public let title: String
    /// Where the notice names it.
    public let notice: String
    /// What the rule tests, in words (for .check help and the README).
    public let test: String
    /// Whether the rule is about units (units.csv) rather than cases.
    public let perUnit: Bool
}

/// One unit's finding under one rule, with the cases behind it (none for unit rules).
public struct CheckFinding: Sendable, Equatable {
    public struct CaseItem: Sendable, Equatable {
        public let id: String
        public let reason: String
    }
    public let rule: CheckRule
    public let unit: String
    /// The reason in words (for unit rules), or a summary for case rules.
    public let reason: String
    public let cases: [CaseItem]
}

public struct CheckOptions: Sendable {
    /// A case must be signed for (签收) within this many days of its assignment to the unit.
    public var signDays = 7
    /// A co-unit (会办单位) must send its opinion within this many months of the assignment.
    public var coUnitMonths = 1
    public init() {}
}

public enum Checker {
    public static let defaultSignDays = 7

    public static let rules: [CheckRule] = [
        CheckRule(id: "no-reception-day", title: "未落实代表委员接待日制度", notice: "问题一",
                  test: "units.csv: reception_day_on is empty", perUnit: true),
        CheckRule(id: "no-media", title: "接待日影像资料未报送", notice: "问题一；要求二",
                  test: "units.csv: reception day held, media_submitted is false", perUnit: true),
        CheckRule(id: "shirking", title: "推诿扯皮", notice: "问题二",
                  test: "a return_request or return event by the unit on a case whose category is within the unit's remit (manifest remits)", perUnit: false),
        CheckRule(id: "old-form", title: "仍使用旧的征询意见表", notice: "问题三",
                  test: "form = old", perUnit: false),
        CheckRule(id: "class-mismatch", title: "解决程度与实际情况不符", notice: "问题三",
                  test: "a resolution class on a case with no reply, or class A on a case not closed", perUnit: false),
        CheckRule(id: "co-unit-late", title: "会办意见未按期报送", notice: "问题四",
                  test: "a co-unit's opinion (a reply event by the co-unit, note 会办意见…) more than a month after assignment, or none when the month has passed", perUnit: false),
        CheckRule(id: "late-sign", title: "未及时签收", notice: "问题五",
                  test: "no sign event by the unit within N days (--days, default 7) of the case's assignment or reassignment to it", perUnit: false),
        CheckRule(id: "late-reply", title: "未按期上传办理结果", notice: "问题五",
                  test: "replied_on > deadline", perUnit: false),
        CheckRule(id: "overdue", title: "逾期未办结", notice: "没有完成办理任务的单位",
                  test: "no reply and the deadline has passed (overdue: deadline < as-of date, status not replied or closed)", perUnit: false),
    ]

    public static func rule(_ spelling: String) -> CheckRule? {
        rules.first { $0.id == spelling.lowercased() || $0.title == spelling }
    }

    /// Every finding, in rule order, then unit order (units.csv order, then first appearance in cases).
    public static func run(_ store: CaseStore, asOf: Day, options: CheckOptions = CheckOptions()) -> [CheckFinding] {
        let v = OfficeView(store)
        var out: [CheckFinding] = []
        for rule in rules { out += findings(rule, v, asOf: asOf, options: options) }
        return out
    }

    /// The case fields each rule reads when there are no events: on a list without one of them
    /// (`Table.hasData`) the rule cannot be judged and finds nothing, rather than finding every case.
    static let fieldsRead: [String: [String]] = [
        "old-form": ["form"], "class-mismatch": ["resolution", "status", "replied_on"], "late-sign": ["signed_on"],
        "late-reply": ["replied_on"], "overdue": ["status"],
    ]

    static func findings(_ rule: CheckRule, _ v: OfficeView, asOf: Day, options: CheckOptions) -> [CheckFinding] {
        let s = v.store
        if s.events.count == 0, let fields = fieldsRead[rule.id], !fields.allSatisfy({ s.cases.hasData($0) }) { return [] }
        if rule.perUnit {
            let u = s.units
            guard u.count > 0 else { return [] }
            let names = u.text("name"), reception = u.day("reception_day_on").values, media = u.bool("media_submitted").values
            var out: [CheckFinding] = []
            for r in 0..<u.count {
                let held = reception[r] != Day.none
                if rule.id == "no-reception-day" && !held {
                    out.append(CheckFinding(rule: rule, unit: names[r],
                                            reason: "未举办代表委员接待日" + (media[r] ? "" : "，影像资料未报送"), cases: []))
                } else if rule.id == "no-media" && held && !media[r] {
                    out.append(CheckFinding(rule: rule, unit: names[r],
                                            reason: "接待日 \(Day(raw: reception[r])) 已举办，影像资料未报送", cases: []))
                }
            }
            return out
        }
        // Case rules: (unit, case id, reason) triples, grouped afterwards.
        var items: [(unit: String, row: Int, reason: String)] = []
        let ids = s.cases.text("id")
        switch rule.id {
        case "shirking":
            let remits = s.manifest.remits
            for row in 0..<s.cases.count {
                let cat = v.category[row]
                guard cat != EnumInfo.none, let category = Category(rawValue: cat) else { continue }
                var seen = Set<String>()
                for e in s.events(ofCase: row) {
                    let e = Int(e)
                    let action = v.evAction[e]
                    guard action == EventAction.returnRequest.rawValue || action == EventAction.return.rawValue else { continue }
                    let unit = v.evUnit[e]
                    guard !unit.isEmpty, !seen.contains(unit), let remit = remits[unit], remit.contains(category) else { continue }
                    seen.insert(unit)
                    let note = v.evNote[e]
                    let verb = action == EventAction.returnRequest.rawValue ? "申请退办" : "退办"
                    items.append((unit, row, "\(Day(raw: v.evDate[e])) \(verb)\(note.isEmpty ? "" : "：" + note)；分类 \(category.label) 在本单位职责范围内"))
                }
            }
        case "old-form":
            for row in 0..<s.cases.count where v.form[row] == FormVersion.old.rawValue {
                items.append((v.unit[row], row, "征询意见表为旧表"))
            }
        case "class-mismatch":
            for row in 0..<s.cases.count where v.resolution[row] != EnumInfo.none {
                let cls = Resolution.info.token(v.resolution[row])
                let status = Status.info.label(v.status[row])
                if v.replied[row] == Day.none {
                    items.append((v.unit[row], row, "未答复却已填解决程度 \(cls)（状态 \(status)）"))
                } else if v.resolution[row] == Resolution.a.rawValue && v.status[row] != Status.closed.rawValue {
                    items.append((v.unit[row], row, "解决程度 A（已解决）但未办结（状态 \(status)）"))
                }
            }
        case "co-unit-late":
            let co = s.cases.list("co_units")
            for row in 0..<s.cases.count where !co.range(row).isEmpty {
                let assigned = Day(raw: v.assigned[row])
                guard v.assigned[row] != Day.none else { continue }
                let due = assigned.adding(months: options.coUnitMonths)
                for unit in co[row] where !unit.isEmpty {
                    var opinion: Day?
                    for e in s.events(ofCase: row) {
                        let e = Int(e)
                        guard v.evAction[e] == EventAction.reply.rawValue, v.evUnit[e] == unit else { continue }
                        if v.evNote[e].hasPrefix("会办意见") || unit != v.unit[row] { opinion = Day(raw: v.evDate[e]); break }
                    }
                    if let d = opinion {
                        if d > due {
                            items.append((unit, row, "交办 \(assigned)，会办意见 \(d) 才报送，超过一个月 \(d.raw - due.raw) 天"))
                        }
                    } else if asOf > due {
                        items.append((unit, row, "交办 \(assigned)，已过一个月（\(due)）仍未报送会办意见"))
                    }
                }
            }
        case "late-sign":
            for row in 0..<s.cases.count {
                for a in v.assignments(ofCase: row, asOf: asOf) {
                    if let signed = a.signed {
                        let days = Int(signed.raw - a.on.raw)
                        if days > options.signDays {
                            items.append((a.unit, row, "\(a.reassigned ? "改办" : "交办") \(a.on)，\(signed) 才签收，用时 \(days) 天"))
                        }
                    } else {
                        let days = Int(a.until.raw - a.on.raw)
                        if days > options.signDays {
                            let tail = a.endedByReassign ? "改办前 \(days) 天未签收" : "至今 \(days) 天未签收"
                            items.append((a.unit, row, "\(a.reassigned ? "改办" : "交办") \(a.on)，\(tail)"))
                        }
                    }
                }
            }
        case "late-reply":
            for row in 0..<s.cases.count where v.replied[row] != Day.none && v.deadline[row] != Day.none && v.replied[row] > v.deadline[row] {
                items.append((v.unit[row], row, "期限 \(Day(raw: v.deadline[row]))，\(Day(raw: v.replied[row])) 才答复，迟 \(v.replied[row] - v.deadline[row]) 天"))
            }
        case "overdue":
            for row in 0..<s.cases.count where v.isOverdue(row, asOf: asOf) {
                items.append((v.unit[row], row, "期限 \(Day(raw: v.deadline[row]))，已逾期 \(asOf.raw - v.deadline[row]) 天（状态 \(Status.info.label(v.status[row]))）"))
            }
        default:
            break
        }
        // Group by unit, in unit order; cases in id order.
        var byUnit: [String: [(row: Int, reason: String)]] = [:]
        for i in items { byUnit[i.unit, default: []].append((i.row, i.reason)) }
        return v.unitOrder.compactMap { unit -> CheckFinding? in
            guard let list = byUnit[unit] else { return nil }
            let sorted = list.sorted { ids[$0.row].unicodeScalars.lexicographicallyPrecedes(ids[$1.row].unicodeScalars) }
            return CheckFinding(rule: rule, unit: unit, reason: "\(sorted.count) 件",
                                cases: sorted.map { CheckFinding.CaseItem(id: ids[$0.row], reason: $0.reason) })
        }
    }
}
