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
    /// What the data must hold for the rule to be judged (`Checker.noData` reads it): without
    /// it the rule says 无数据 and why, never 未发现问题.
    public let needs: [CheckNeed]
}

/// One thing a rule cannot be judged without.
public enum CheckNeed: Sendable, Equatable {
    /// A units table (units.csv) with these fields.
    case units([FieldName])
    /// These fields of the case list; `orEvents`: events (办理记录) stand in for them when the
    /// list lacks one (a sign, reply or close is an event).
    case cases([FieldName], orEvents: Bool)
    /// The events (办理记录): returns, rehandling, co-units' opinions live only there.
    case events
    /// manifest.json's `remits` (which categories are within each unit's remit).
    case remits
    /// Each case's deadline: a `deadline` column, or `assigned_on` (the deadline is then the
    /// manifest's period after it).
    case deadlines
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
    /// Overrides the manifest's signing period (签收, rules.signing; `.check --days N`).
    public var signing: Period?
    /// The signing period in calendar days (`--days N`); nil: the manifest's.
    public var signDays: Int? {
        get { signing.flatMap { $0.unit == .days ? $0.count : nil } }
        set { signing = newValue.map { Period($0, .days) } }
    }
    public init() {}

    /// The periods in force: these options over the dataset's settings.
    public func periods(_ settings: OfficeSettings) -> CheckPeriods {
        CheckPeriods(signing: signing ?? settings.signing, coUnit: settings.coUnit, returnRequest: settings.returnRequest,
                     rehandle: settings.rehandle, classes: settings.classes, calendar: WorkingCalendar(settings: settings))
    }
}

/// The periods and class scheme the checks apply (manifest.json "rules", DOMAIN.md's defaults).
public struct CheckPeriods: Sendable {
    /// 签收: within this period of the (re)assignment to the unit.
    public let signing: Period
    /// 会办意见: a co-unit's opinion within this period of the assignment.
    public let coUnit: Period
    /// 申请退办: within this period (working days) of the (re)assignment.
    public let returnRequest: Period
    /// 重新办理: answered again within this period of the rehandle event.
    public let rehandle: Period
    /// The resolution classes in use (A–D, or A–C).
    public let classes: [String]
    public let calendar: WorkingCalendar

    /// 截至 …；签收期限 7 天，会办意见期限 1 个月，退办申请期限 5 个工作日
    public func summary(asOf: Day) -> String {
        "截至 \(asOf)；签收期限 \(signing.label)，会办意见期限 \(coUnit.label)，退办申请期限 \(returnRequest.label)，解决程度 \(classes.joined(separator: "/"))"
    }
}

public enum Checker {

    public static let rules: [CheckRule] = [
        CheckRule(id: "no-reception-day", title: "未落实代表委员接待日制度", notice: "问题一",
                  test: "units.csv: reception_day_on is empty", perUnit: true,
                  needs: [.units([.receptionDayOn])]),
        CheckRule(id: "no-media", title: "接待日影像资料未报送", notice: "问题一；要求二",
                  test: "units.csv: reception day held, media_submitted is false", perUnit: true,
                  needs: [.units([.receptionDayOn, .mediaSubmitted])]),
        CheckRule(id: "shirking", title: "推诿扯皮", notice: "问题二",
                  test: "a return_request or return event by the unit on a case whose category is within the unit's remit (manifest remits)", perUnit: false,
                  needs: [.events, .remits, .cases([.category], orEvents: false)]),
        CheckRule(id: "old-form", title: "仍使用旧的征询意见表", notice: "问题三",
                  test: "form = old", perUnit: false,
                  needs: [.cases([.form], orEvents: false)]),
        CheckRule(id: "incomplete-form", title: "征询意见表填写不完整", notice: "问题三",
                  test: "a satisfaction answer without a resolution class, a returned form (form or feedback event) with a class but no satisfaction, or a form on a case with no reply", perUnit: false,
                  needs: [.cases([.satisfaction, .resolution, .repliedOn], orEvents: false)]),
        CheckRule(id: "class-mismatch", title: "解决程度与实际情况不符", notice: "问题三",
                  test: "a resolution class on a case with no reply, class A or B where the feedback is 不满意 (the problem stands), or a class outside the manifest's scheme (rules.classes)", perUnit: false,
                  needs: [.cases([.resolution, .status, .repliedOn], orEvents: false)]),
        CheckRule(id: "closed-unsatisfied", title: "不满意未重新办理即办结", notice: "DOMAIN.md：不满意须重新办理",
                  test: "closed with a 不满意 answer and no rehandle event", perUnit: false,
                  needs: [.cases([.status, .satisfaction], orEvents: false), .events]),
        CheckRule(id: "co-unit-late", title: "会办意见未按期报送", notice: "问题四",
                  test: "a co-unit's opinion (a reply event by the co-unit, note 会办意见…) more than a month after assignment, or none when the month has passed", perUnit: false,
                  needs: [.cases([.coUnits, .assignedOn], orEvents: false), .events]),
        CheckRule(id: "late-sign", title: "未及时签收", notice: "问题五",
                  test: "no sign event by the unit within the signing period (rules.signing, default 7d; --days N) of the case's assignment or reassignment to it", perUnit: false,
                  needs: [.cases([.signedOn, .assignedOn], orEvents: true)]),
        CheckRule(id: "late-return-request", title: "逾期未提出退办申请", notice: "问题五",
                  test: "a return_request event more than the return period (rules.return_request, default 5 working days on the official calendar) after the case's assignment or reassignment to that unit", perUnit: false,
                  needs: [.events]),
        CheckRule(id: "late-reply", title: "未按期上传办理结果", notice: "问题五",
                  test: "replied_on after the current deadline (re-handling and extensions move it)", perUnit: false,
                  needs: [.cases([.repliedOn], orEvents: false), .deadlines]),
        CheckRule(id: "overdue", title: "逾期未办结", notice: "没有完成办理任务的单位",
                  test: "no reply and the current deadline has passed (overdue: deadline < as-of date, status not replied or closed)", perUnit: false,
                  needs: [.cases([.status], orEvents: false), .deadlines]),
    ]

    public static func rule(_ spelling: String) -> CheckRule? {
        rules.first { $0.id == spelling.lowercased() || $0.title == spelling }
    }

    /// Every finding, in rule order, then unit order (units.csv order, then first appearance in cases).
    /// The store is taken as it stood on `asOf` (`Timeline.asOf`); a rule the data cannot judge
    /// (`noData`) finds nothing.
    public static func run(_ store: CaseStore, asOf: Day, options: CheckOptions = CheckOptions()) -> [CheckFinding] {
        // What the files hold is judged on the store as loaded: as of an early date a list
        // with events may have none yet, which is no finding, not a lack of data.
        let missing = noData(store)
        let v = OfficeView(Timeline.asOf(store, asOf))
        var out: [CheckFinding] = []
        for rule in rules where missing[rule.id] == nil { out += findings(rule, v, asOf: asOf, options: options) }
        return out
    }

    /// Why a rule cannot be judged on this data (its `needs` the store lacks), in words naming
    /// the file or column missing; nil when it can. The one place `needs` is read.
    public static func noData(_ rule: CheckRule, _ s: CaseStore) -> String? {
        var missing: [String] = []
        for need in rule.needs {
            switch need {
            case .units(let fields):
                if s.units.count == 0 { missing.append("未载入单位名单（units.csv）"); continue }
                let absent = fields.filter { !s.units.hasData($0) }
                if !absent.isEmpty { missing.append(lacking(units: true, absent)) }
            case .cases(let fields, let orEvents):
                if orEvents && s.events.count > 0 { continue }
                let absent = fields.filter { !s.cases.hasData($0) }
                if !absent.isEmpty {
                    missing.append(lacking(units: false, absent) + (orEvents ? "，也无办理记录（events.csv）" : ""))
                }
            case .events:
                if s.events.count == 0 { missing.append("无办理记录（events.csv）") }
            case .remits:
                if s.manifest.remits.isEmpty { missing.append("manifest.json 未给出各单位职责范围（remits）") }
            case .deadlines:
                if !s.cases.hasData(.deadline) && !s.cases.hasData(.assignedOn) {
                    missing.append(lacking(units: false, [.deadline, .assignedOn]) + "，办理期限无从得知")
                }
            }
        }
        var seen = Set<String>()
        missing = missing.filter { seen.insert($0).inserted }
        return missing.isEmpty ? nil : missing.joined(separator: "，")
    }

    /// 案件名单无「签收日期」（signed_on）列: the columns the case list (or units.csv) lacks.
    public static func lacking(units: Bool, _ fields: [FieldName]) -> String {
        let specs = units ? Schema.units : Schema.cases
        return (units ? "单位名单" : "案件名单") + "无" + fields.map { f in "「\(specs.first { $0.key == f }?.label ?? f.rawValue)」（\(f.rawValue)）" }.joined(separator: "、") + "列"
    }

    /// `noData` of each rule that cannot be judged on this data, by rule id.
    public static func noData(_ s: CaseStore, rules: [CheckRule] = rules) -> [String: String] {
        var out: [String: String] = [:]
        for r in rules { if let why = noData(r, s) { out[r.id] = why } }
        return out
    }

    static func findings(_ rule: CheckRule, _ v: OfficeView, asOf: Day, options: CheckOptions) -> [CheckFinding] {
        let s = v.store
        let periods = options.periods(s.manifest.office)
        if rule.perUnit {
            let u = s.units
            let names = u.text(.name), reception = u.day(.receptionDayOn).values, media = u.bool(.mediaSubmitted).values
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
        let ids = s.cases.text(.id)
        switch rule.id {
        case "shirking":
            let remits = s.manifest.remits
            for row in 0..<s.cases.count where !remits.isEmpty {
                let category = s.category(row: row)
                guard !category.key.isEmpty else { continue }
                var seen = Set<String>()
                for e in s.events(ofCase: row) {
                    let e = Int(e)
                    let action = v.evAction[e]
                    guard action == EventAction.returnRequest.rawValue || action == EventAction.return.rawValue else { continue }
                    let unit = v.evUnit[e]
                    guard !unit.isEmpty, !seen.contains(unit), let remit = remits[unit], remit.contains(category.key) else { continue }
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
                let cls = s.cases.code(.resolution).info.token(v.resolution[row])
                let status = Status.info.label(v.status[row])
                if v.replied[row] == Day.none {
                    items.append((v.unit[row], row, "未答复却已填解决程度 \(cls)（状态 \(status)）"))
                } else if !periods.classes.contains(cls) {
                    items.append((v.unit[row], row, "解决程度 \(cls) 不在本地分类 \(periods.classes.joined(separator: "/")) 之内"))
                } else if DomainRules.isResolved(resolution: v.resolution[row]) && v.satisfaction[row] == Satisfaction.unsatisfied.rawValue {
                    items.append((v.unit[row], row, "解决程度 \(cls)（\(s.cases.code(.resolution).info.label(v.resolution[row]))）但征询意见为不满意"))
                }
            }
        case "closed-unsatisfied":
            let again = DomainRules.rehandled(s)
            for row in 0..<s.cases.count where v.status[row] == Status.closed.rawValue
                && v.satisfaction[row] == Satisfaction.unsatisfied.rawValue && !again[row] {
                let on = v.closed[row] == Day.none ? "" : "于 \(Day(raw: v.closed[row])) "
                items.append((v.unit[row], row, "征询意见不满意，未重新办理即\(on)办结"))
            }
        case "incomplete-form":
            var feedback = [Bool](repeating: false, count: s.cases.count)
            for (e, c) in s.eventCase.enumerated() where c != UInt32.max && v.evAction[e] == EventAction.feedback.rawValue { feedback[Int(c)] = true }
            for row in 0..<s.cases.count {
                let sat = v.satisfaction[row] != EnumInfo.none, cls = v.resolution[row] != EnumInfo.none
                let returned = sat || v.form[row] != EnumInfo.none || feedback[row]
                guard returned else { continue }
                if v.replied[row] == Day.none {
                    items.append((v.unit[row], row, "未答复却已有征询意见表（状态 \(Status.info.label(v.status[row]))）"))
                } else if sat && !cls {
                    items.append((v.unit[row], row, "征询意见表有满意度（\(Satisfaction.info.label(v.satisfaction[row]))），未填解决程度"))
                } else if !sat && cls && (v.form[row] != EnumInfo.none || feedback[row]) {
                    items.append((v.unit[row], row, "征询意见表已交回，有解决程度 \(s.cases.code(.resolution).info.token(v.resolution[row]))，未填满意度"))
                }
            }
        case "late-return-request":
            for row in 0..<s.cases.count {
                let spells = v.assignments(ofCase: row, asOf: asOf)
                guard !spells.isEmpty else { continue }
                for e in s.events(ofCase: row) where v.evAction[Int(e)] == EventAction.returnRequest.rawValue {
                    let e = Int(e)
                    let on = Day(raw: v.evDate[e]), unit = v.evUnit[e]
                    // The spell of this unit the request falls in.
                    guard let spell = spells.last(where: { $0.unit == unit && $0.on <= on }) else { continue }
                    let due = periods.calendar.end(of: periods.returnRequest, after: spell.on)
                    if on > due {
                        let n = periods.returnRequest.unit == .workingDays
                            ? "第 \(periods.calendar.workingDays(after: spell.on, through: on)) 个工作日" : "第 \(on.raw - spell.on.raw) 天"
                        items.append((unit, row, "\(spell.reassigned ? "改办" : "交办") \(spell.on)，\(on) 才申请退办（\(n)），期限 \(periods.returnRequest.label)（至 \(due)）"))
                    }
                }
            }
        case "co-unit-late":
            let co = s.cases.list(.coUnits)
            for row in 0..<s.cases.count where !co.range(row).isEmpty {
                let assigned = Day(raw: v.assigned[row])
                guard v.assigned[row] != Day.none else { continue }
                let due = periods.calendar.end(of: periods.coUnit, after: assigned)
                for unit in co[row] where !unit.isEmpty {
                    var opinion: Day?
                    for e in s.events(ofCase: row) {
                        let e = Int(e)
                        guard v.evUnit[e] == unit else { continue }
                        if DomainRules.isCoUnitOpinion(action: v.evAction[e], note: v.evNote[e], unit: unit, lead: v.unit[row], coUnits: co[row]) {
                            opinion = Day(raw: v.evDate[e]); break
                        }
                    }
                    if let d = opinion {
                        if d > due && periods.coUnit.unit == .workingDays {
                            items.append((unit, row, "交办 \(assigned)，会办意见 \(d) 才报送（第 \(periods.calendar.workingDays(after: assigned, through: d)) 个工作日），期限 \(periods.coUnit.label)（至 \(due)）"))
                        } else if d > due {
                            items.append((unit, row, "交办 \(assigned)，会办意见 \(d) 才报送，超过\(periods.coUnit.label.replacingOccurrences(of: "1 个月", with: "一个月")) \(d.raw - due.raw) 天"))
                        }
                    } else if asOf > due {
                        items.append((unit, row, "交办 \(assigned)，已过\(periods.coUnit.label.replacingOccurrences(of: "1 个月", with: "一个月"))（\(due)）仍未报送会办意见"))
                    }
                }
            }
        case "late-sign":
            for row in 0..<s.cases.count {
                for a in v.assignments(ofCase: row, asOf: asOf) {
                    let due = periods.calendar.end(of: periods.signing, after: a.on)
                    if let signed = a.signed {
                        let days = Int(signed.raw - a.on.raw)
                        if signed > due {
                            let nth = periods.signing.unit == .workingDays
                                ? "（第 \(periods.calendar.workingDays(after: a.on, through: signed)) 个工作日，期限 \(periods.signing.label)）" : ""
                            items.append((a.unit, row, "\(a.reassigned ? "改办" : "交办") \(a.on)，\(signed) 才签收，用时 \(days) 天\(nth)"))
                        }
                    } else {
                        let days = Int(a.until.raw - a.on.raw)
                        if a.until > due {
                            let tail = a.endedByReassign ? "改办前 \(days) 天未签收" : "至今 \(days) 天未签收"
                            items.append((a.unit, row, "\(a.reassigned ? "改办" : "交办") \(a.on)，\(tail)"))
                        }
                    }
                }
            }
        case "late-reply":
            for row in 0..<s.cases.count where DomainRules.isLate(replied: v.replied[row], deadline: v.deadline[row]) {
                items.append((v.unit[row], row, "期限 \(v.deadlineText(row))，\(Day(raw: v.replied[row])) 才答复，迟 \(v.replied[row] - v.deadline[row]) 天"))
            }
        case FieldName.overdue:
            for row in 0..<s.cases.count where v.isOverdue(row, asOf: asOf) {
                items.append((v.unit[row], row, "期限 \(v.deadlineText(row))，已逾期 \(asOf.raw - v.deadline[row]) 天（状态 \(Status.info.label(v.status[row]))）"))
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
