// `.report`: the notice's own figures (郑政文〔2020〕102号, opening paragraph, 一 and 二（一）)
// computed from the data: cases by source, key-supervised cases, the three rates against the
// manifest's targets, overall and per unit, and the good units (好的单位) with the reasons of the
// others.

import CaseQuery
import CaseStore
import Foundation

/// Counts behind the three rates for a set of cases.
public struct RateCounts: Sendable, Equatable {
    public var cases = 0, closed = 0, faceToFace = 0, answered = 0, satisfied = 0, basic = 0
    public var open = 0, overdue = 0
    /// Fields the list has no column for (`Table.absentFields`): a rate made from one has no
    /// data (nil), not 0%.
    public var noData: Set<FieldName> = []
    public init() {}
    public var completionRate: Double? { cases == 0 || noData.contains(.status) ? nil : Double(closed) / Double(cases) }
    public var faceToFaceRate: Double? { cases == 0 || noData.contains(.contact) ? nil : Double(faceToFace) / Double(cases) }
    /// 基本满意 counted as satisfied.
    public var satisfactionRate: Double? { answered == 0 || noData.contains(.satisfaction) ? nil : Double(satisfied + basic) / Double(answered) }
    public var strictSatisfactionRate: Double? { answered == 0 || noData.contains(.satisfaction) ? nil : Double(satisfied) / Double(answered) }
}

/// One unit's figures and verdict.
public struct UnitVerdict: Sendable, Equatable {
    /// 好 (every condition of the good-unit rule met), 未达标 (one missed), 未评 (none missed but
    /// not every one could be judged, or no cases to judge): a unit not judged is not below.
    public enum Standing: String, Sendable, Equatable {
        case good, below, notJudged = "not_judged"
        /// 好, 未达标, 未评.
        public var label: String { self == .good ? "好" : self == .below ? "未达标" : "未评" }
    }
    public let unit: String
    public let counts: RateCounts
    public let standing: Standing
    public var good: Bool { standing == .good }
    /// Why the unit is below (empty unless `below`).
    public let reasons: [String]
    /// Remarks that do not count against it (open cases before the cutoff; for a unit with no
    /// cases, why it is not judged and what .check found).
    public let notes: [String]
}

/// One rate as every form of the report lists it (text, Markdown, CSV, workbook).
public struct RateLine: Sendable, Equatable {
    /// The query language's name (`completion_rate`), from DomainRules.
    public let name: String
    /// The Chinese name (办结率), from DomainRules.
    public let label: String
    /// nil: no data (the list has no column for it, or nothing to count).
    public let value: Double?
    public let numerator: Int
    public let denominator: Int
    /// The manifest's target (a fraction), nil for a rate without one.
    public let target: Double?
}

public struct OfficeReport: Sendable {
    public struct Line: Sendable, Equatable {
        public let label: String
        /// nil: no data (the list has no column for it; `note` says which).
        public let count: Int?
        public let note: String
        /// 0 for a total, 1 for its parts.
        public let depth: Int
        /// The note as a line without its count column says it (CSV, workbook): 无数据 first
        /// when there is no count.
        public var statedNote: String { count == nil ? "无数据：" + note : note }
    }
    public var name = ""
    public var asOf: Day
    public var cutoff: Day?
    public var unit: String?
    public var year: Int?
    public var sources: [Line] = []
    public var key: [Line] = []
    public var overall = RateCounts()
    public var targets: (completion: Double, faceToFace: Double, satisfaction: Double) = (1, 1, 0.985)
    public var units: [UnitVerdict] = []
    /// Why units with no shortfall found are not judged good (what data the good-unit rule
    /// lacks: units.csv, a rule's file or column), said once for all of them; empty when every
    /// condition could be judged.
    public var notJudgedBecause: [String] = []
    public var footnotes: [String] = []
    /// The other rates real reports use (办复率, 按期办复率, 解决率, 初次满意率, 基本满意率), each from
    /// its one definition in DomainRules: (rate, numerator, denominator) over the report's cases.
    public var otherRates: [(rate: DomainRate, numerator: Int, denominator: Int)] = []

    /// The report's rates, the one list every format prints, in order: the notice's three
    /// against their targets (办结率, 面商率, 满意率), 严格满意率, then `otherRates`.
    public var rateLines: [RateLine] {
        let o = overall
        func line(_ name: String, _ value: Double?, _ n: Int, _ d: Int, _ target: Double?) -> RateLine {
            RateLine(name: name, label: DomainRules.rate(name)?.label ?? name, value: value, numerator: n, denominator: d, target: target)
        }
        return [
            line("completion_rate", o.completionRate, o.closed, o.cases, targets.completion),
            line("face_to_face_rate", o.faceToFaceRate, o.faceToFace, o.cases, targets.faceToFace),
            line("satisfaction_rate", o.satisfactionRate, o.satisfied + o.basic, o.answered, targets.satisfaction),
            line("strict_satisfaction_rate", o.strictSatisfactionRate, o.satisfied, o.answered, nil),
        ] + otherRates.map { x in
            RateLine(name: x.rate.name, label: x.rate.label, value: x.denominator == 0 ? nil : Double(x.numerator) / Double(x.denominator),
                     numerator: x.numerator, denominator: x.denominator, target: nil)
        }
    }

    /// The units judged good, in unit order.
    public var goodUnits: [String] { units.filter(\.good).map(\.unit) }
    /// The units of one standing, in unit order.
    public func units(_ standing: UnitVerdict.Standing) -> [UnitVerdict] { units.filter { $0.standing == standing } }

    /// One case as the report lists it, with its progress in words (进展).
    public struct CaseLine: Sendable, Equatable {
        public let id: String
        public let kind: String
        public let title: String
        public let proposer: String
        public let unit: String
        public let leader: String
        public let progress: String
    }
    /// What the notice states about the totals set beside the data (manifest "notice"), in
    /// sentences: its total and the sum of its parts, and what the data holds for a difference.
    public var noticeText: [String] = []
    /// Every key-supervised case (重点督办) with its 领办 leader and progress, by kind then id.
    public var keyCases: [CaseLine] = []
    /// The cases the notice names (manifest notice.named), each with the cases found for it.
    public var named: [(title: String, proposer: String, found: [CaseLine])] = []
    /// The subjects the notice counts cases of (manifest notice.topics): the notice's count and
    /// the cases whose title has one of the topic's words.
    public var topics: [(name: String, noticeCount: Int?, words: [String], unit: String, cases: [CaseLine])] = []
}

public enum ReportBuilder {
    /// The good-unit rule, in words: the report's footnote and the README say the same.
    public static let goodUnitRule = [
        "好的单位：按办理工作评定，须同时满足——（1）units.csv 有此单位，代表委员接待日已举办且影像资料已报送；"
            + "（2）.check 的各项办理工作规则（推诿扯皮、旧征询意见表、解决程度不符、会办意见逾期、未及时签收、未按期上传办理结果）均无发现；"
            + "（3）面商率、满意率（含基本满意）达到目标；（4）办结率在办结截止日之后须达到目标，截止日之前未办结的案件"
            + "（包括已逾期的）不计为不合格，只注明件数，须于截止日前办结（通报：“9月底前务必完成办理任务”）。"
            + "承办案件为 0 的单位不评。",
    ]

    /// Rules of `.check` that count against a good unit (all but `overdue`, which is judged by
    /// 办结率 at the cutoff).
    static let workRules: Set<String> = ["no-reception-day", "no-media", "shirking", "old-form", "incomplete-form",
                                         "class-mismatch", "closed-unsatisfied", "co-unit-late", "late-sign",
                                         "late-return-request", "late-reply"]

    public static func build(_ store: CaseStore, asOf: Day, unit: String? = nil,
                             options: CheckOptions = CheckOptions()) -> OfficeReport {
        // What the loaded files lack (judged before travelling: no events yet is no lack).
        let missing = Checker.noData(store)
        let store = Timeline.asOf(store, asOf)
        let v = OfficeView(store)
        let m = store.manifest
        var r = OfficeReport(asOf: asOf)
        r.name = m.name
        r.cutoff = m.cutoff
        r.unit = unit
        r.targets = (m.completionTarget, m.faceToFaceTarget, m.satisfactionTarget)
        let c = store.cases
        let years = c.int(.year).values
        let recess = c.bool(.recess).values
        let key = c.bool(.keySupervised).values
        let leaderCol = c.text(.leader)
        let rows = (0..<c.count).filter { unit == nil || v.unit[$0] == unit }

        // The report's year: the most common year among the cases (Day.none = not given).
        var yearCounts: [Int32: Int] = [:]
        for row in rows where years[row] != Day.none { yearCounts[years[row], default: 0] += 1 }
        let year = yearCounts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key
        r.year = year.map(Int.init)
        let yearText = year.map { "\($0) 年度" } ?? ""
        // A case without a year is not counted in the year's parts: it has a line of its own.
        func inYear(_ row: Int) -> Bool { year == nil || years[row] == year! }
        func yearLabel(_ year: Int32) -> String { year == Day.none ? "年度未填的" : "\(year) 年度" }
        let noYear = Day.none

        // Sources.
        let province = Level.province.rawValue, suggestion = Kind.suggestion.rawValue, proposal = Kind.proposal.rawValue
        var prov = 0, sug = 0, sugRecess = 0, pro = 0, proRecess = 0
        var others: [String: Int] = [:]
        var otherOrder: [String] = []
        for row in rows {
            guard inYear(row) else {
                let label = yearLabel(years[row]) + sourceName(kind: v.kind[row], level: v.level[row])
                if others[label] == nil { otherOrder.append(label) }
                others[label, default: 0] += 1
                continue
            }
            if v.level[row] == province { prov += 1 }
            else if v.kind[row] == suggestion { sug += 1; if recess[row] { sugRecess += 1 } }
            else if v.kind[row] == proposal { pro += 1; if recess[row] { proRecess += 1 } }
            else {
                // 议案, 质询, 群众意见, 社情民意, or no kind: a line of their own, so the parts add up.
                let label = sourceName(kind: v.kind[row], level: v.level[row])
                if others[label] == nil { otherOrder.append(label) }
                others[label, default: 0] += 1
            }
        }
        r.sources.append(.init(label: "共办理省市人大建议、政协提案", count: rows.count, note: "", depth: 0))
        r.sources.append(.init(label: "省人大建议、政协提案", count: prov, note: yearText, depth: 1))
        // Without a recess column the recess counts have no data, not 0.
        let noRecess = c.hasData(.recess) ? nil : "无数据（" + Checker.lacking(units: false, [.recess]) + "）"
        let sep = yearText.isEmpty ? "" : "，"
        r.sources.append(.init(label: "市人大建议", count: sug, note: yearText + sep + (noRecess.map { "闭会建议" + $0 } ?? "含闭会建议 \(sugRecess) 件"), depth: 1))
        r.sources.append(.init(label: "市政协提案", count: pro, note: yearText + sep + (noRecess.map { "闭会提案" + $0 } ?? "含闭会提案 \(proRecess) 件"), depth: 1))
        for label in otherOrder.sorted() {
            r.sources.append(.init(label: "其他：" + label, count: others[label]!,
                                   note: label.hasPrefix(yearLabel(noYear))
                                       ? "年度未填，无从归入\(yearText.isEmpty ? "本年度" : " " + yearText)各项，另列"
                                       : "不在\(yearText.isEmpty ? "本年度" : " " + yearText)各项之内，另列（如上年度结转）", depth: 1))
        }

        // Key supervision, by kind, with the leading roles.
        // Without a key_supervised column: no data, not 0.
        let keyRows = c.hasData(.keySupervised) ? rows.filter { key[$0] } : []
        r.key.append(.init(label: "重点督办", count: c.hasData(.keySupervised) ? keyRows.count : nil,
                           note: c.hasData(.keySupervised) ? "" : Checker.lacking(units: false, [.keySupervised]), depth: 0))
        for (k, label) in [(suggestion, "人大代表建议"), (proposal, "政协委员提案")] where c.hasData(.keySupervised) {
            let ks = keyRows.filter { v.kind[$0] == k }
            var roles: [String: Int] = [:]
            for row in ks { roles[leaderCol[row].isEmpty ? "（未填领办领导）" : leaderCol[row], default: 0] += 1 }
            let roleText = roles.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.unicodeScalars.lexicographicallyPrecedes($1.key.unicodeScalars) }
                .map { "\($0.key) \($0.value)" }.joined(separator: "、")
            r.key.append(.init(label: label, count: ks.count, note: roleText.isEmpty ? "" : "领办：" + roleText, depth: 1))
        }

        // Rates, overall and per unit.
        // Counted by the unit's pool code, then named.
        var byCode: [UInt32: RateCounts] = [:]
        for row in rows {
            add(row, v, asOf: asOf, to: &byCode[v.unit.code(row), default: RateCounts()])
            add(row, v, asOf: asOf, to: &r.overall)
        }
        // A list without the column a rate is made from: that rate has no data.
        let noData = Set([FieldName.status, .contact, .satisfaction].filter { !c.hasData($0) })
        r.overall.noData = noData
        var perUnit: [String: RateCounts] = [:]
        for (code, var rc) in byCode { rc.noData = noData; perUnit[v.unit.name(code: code)] = rc }

        // Verdicts.
        let findings = Checker.run(store, asOf: asOf, options: options)
        let beforeCutoff = m.cutoff.map { asOf <= $0 } ?? false
        let leadUnits = Set(perUnit.keys)
        // What the good-unit rule cannot judge on this data, said once for every unit.
        if store.units.count == 0 { r.notJudgedBecause.append("未载入单位名单（units.csv）：接待日、影像资料无从核实") }
        for rule in Checker.rules where workRules.contains(rule.id) {
            if let why = missing[rule.id], store.units.count > 0 || !rule.perUnit { r.notJudgedBecause.append("\(rule.title)（\(rule.id)）无数据：\(why)") }
        }
        for (field, rate) in [(FieldName.status, "办结率"), (.contact, "面商率"), (.satisfaction, "满意率")] where noData.contains(field) {
            r.notJudgedBecause.append("\(rate)无数据：" + Checker.lacking(units: false, [field]))
        }
        for name in v.unitOrder where (unit == nil || name == unit) && (v.unitRow[name] != nil || leadUnits.contains(name)) {
            let counts = perUnit[name] ?? RateCounts()
            var reasons: [String] = [], notes: [String] = []
            if store.units.count > 0 && v.unitRow[name] == nil { reasons.append("units.csv 无此单位，接待日无从核实") }
            for f in findings where f.unit == name && workRules.contains(f.rule.id) {
                reasons.append(f.rule.perUnit ? "\(f.rule.title)（\(f.rule.id)）" : "\(f.rule.title) \(f.cases.count) 件（\(f.rule.id)）")
            }
            if counts.cases == 0 {
                // 承办案件为 0 的单位不评: what .check found is a remark, not a verdict.
                r.units.append(UnitVerdict(unit: name, counts: counts, standing: .notJudged, reasons: [],
                                           notes: ["无承办案件，不评"] + reasons))
                continue
            } else {
                if let f = counts.faceToFaceRate, f < r.targets.faceToFace {
                    reasons.append("面商率 \(pct(f))（\(counts.faceToFace)/\(counts.cases)），低于目标 \(pct(r.targets.faceToFace)) \(points(r.targets.faceToFace - f)) 个百分点")
                }
                if let s = counts.satisfactionRate, s < r.targets.satisfaction {
                    reasons.append("满意率 \(pct(s))（\(counts.satisfied + counts.basic)/\(counts.answered)），低于目标 \(pct(r.targets.satisfaction)) \(points(r.targets.satisfaction - s)) 个百分点")
                }
                if let cr = counts.completionRate, cr < r.targets.completion {
                    let open = counts.cases - counts.closed
                    let text = "办结率 \(pct(cr))（\(counts.closed)/\(counts.cases)），低于目标 \(pct(r.targets.completion)) \(points(r.targets.completion - cr)) 个百分点"
                    if beforeCutoff {
                        notes.append("未办结 \(open) 件" + (counts.overdue > 0 ? "（其中逾期 \(counts.overdue) 件）" : "") + "，须于 \(m.cutoff!) 前办结")
                    } else {
                        reasons.append(text)
                    }
                }
            }
            let standing: UnitVerdict.Standing = !reasons.isEmpty ? .below : r.notJudgedBecause.isEmpty ? .good : .notJudged
            r.units.append(UnitVerdict(unit: name, counts: counts, standing: standing, reasons: reasons, notes: notes))
        }
        // The key cases, the notice's named cases and topics, each case with its progress.
        let titles = c.text(.title), proposers = c.text(.proposer), ids = c.text(.id)
        func line(_ row: Int) -> OfficeReport.CaseLine {
            OfficeReport.CaseLine(id: ids[row], kind: v.kind[row] == EnumInfo.none ? "" : Kind.info.label(v.kind[row]),
                                  title: titles[row], proposer: proposers[row], unit: v.unit[row], leader: leaderCol[row],
                                  progress: progress(row, v, asOf: asOf))
        }
        func byKindThenID(_ a: Int, _ b: Int) -> Bool {
            v.kind[a] != v.kind[b] ? v.kind[a] < v.kind[b] : ids[a].unicodeScalars.lexicographicallyPrecedes(ids[b].unicodeScalars)
        }
        r.keyCases = keyRows.sorted(by: byKindThenID).map(line)
        if let notice = m.notice {
            // One pass over the titles, each read once; a title is made bare only when it has the
            // first characters of a named one.
            let wants = notice.named.map { Array(bare($0.title).utf8) }
            let heads = wants.map { Array(String(decoding: $0, as: UTF8.self).prefix(4).utf8) }
            let words = notice.topics.map { $0.titleWords.map { Array($0.utf8) } }
            var namedRows = [[Int]](repeating: [], count: wants.count), topicRows = [[Int]](repeating: [], count: notice.topics.count)
            for row in rows {
                let title = Array(titles[row].utf8)
                for i in words.indices where words[i].contains(where: { has(title, $0) }) { topicRows[i].append(row) }
                for i in wants.indices where !wants[i].isEmpty && has(title, heads[i]) && has(Array(bare(titles[row]).utf8), wants[i]) {
                    namedRows[i].append(row)
                }
            }
            for (i, n) in notice.named.enumerated() {
                r.named.append((n.title, n.proposer, namedRows[i].sorted(by: byKindThenID).map(line)))
            }
            for (i, t) in notice.topics.enumerated() {
                r.topics.append((t.name, t.count, t.titleWords, t.unit, topicRows[i].sorted(by: byKindThenID).map(line)))
            }
            if unit == nil {
                r.noticeText = noticeSentences(notice, others: others, otherOrder: otherOrder, rows: rows, yearText: yearText,
                                               isOther: { !inYear($0) || !isPart(v.kind[$0], v.level[$0]) }, ids: ids, v: v)
            }
        }

        for name in ["reply_rate", "on_time_reply_rate", "resolution_rate", "first_satisfaction_rate", "basic_satisfaction_rate"] {
            let rate = DomainRules.rate(name)!
            let (n, d) = rate.count(rows, store, asOf: asOf)
            r.otherRates.append((rate, n, d))
        }
        r.footnotes = goodUnitRule
        // Said once: in the 未评 section when there is one, else here.
        if !r.notJudgedBecause.isEmpty {
            r.footnotes.append(r.units.contains { $0.standing == .notJudged }
                ? "数据不全，没有单位能评为好的单位；缺少什么见“未评单位”。"
                : "以下各项无数据，没有单位能评为好的单位：" + r.notJudgedBecause.joined(separator: "；") + "。")
        }
        r.footnotes.append("满意率把基本满意计为满意（分母为已反馈征询意见表的案件）；严格满意率只计满意，供参考。")
        let periods = options.periods(m.office)
        r.footnotes.append("未按期上传、逾期、签收以截至日 \(asOf) 计算；签收期限 \(periods.signing.label)（.check --days 可改），退办申请期限 \(periods.returnRequest.label)，重新办理期限 \(periods.rehandle.label)（自重新办理之日起；办理期限随之顺延，原期限仍可查询 original_deadline）。")
        return r
    }

    /// Whether `needle` occurs in `hay` (UTF-8 bytes: a whole character matches only whole characters).
    static func has(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard hay.count >= needle.count else { return false }
        let first = needle[0]
        var i = 0
        while i <= hay.count - needle.count {
            if hay[i] == first {
                var j = 1
                while j < needle.count && hay[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    /// A title without 《》, quotes and spaces, for matching a title the notice names.
    static func bare(_ title: String) -> String {
        String(title.unicodeScalars.filter { !"《》“”\"「」 　".unicodeScalars.contains($0) }.map(Character.init))
    }

    /// Whether the report's source lines count a case of this kind and level (a provincial case,
    /// a city suggestion or a city proposal).
    static func isPart(_ kind: UInt8, _ level: UInt8) -> Bool {
        level == Level.province.rawValue || kind == Kind.suggestion.rawValue || kind == Kind.proposal.rawValue
    }

    /// 进展: where a case stands as of the date, in words: 已办结 2020-07-24（满意）, 已答复
    /// 2020-08-04，待反馈, 重新办理中，期限 2020-09-08（原期限 …），已逾期 9 天, 办理中，期限 ….
    static func progress(_ row: Int, _ v: OfficeView, asOf: Day) -> String {
        let st = v.status[row]
        let sat = v.satisfaction[row] == EnumInfo.none ? nil : Satisfaction.info.label(v.satisfaction[row])
        switch Status(rawValue: st) {
        case .closed?:
            return "已办结" + (v.closed[row] == Day.none ? "" : " \(Day(raw: v.closed[row]))") + (sat.map { "（\($0)）" } ?? "")
        case .replied?:
            return "已答复" + (v.replied[row] == Day.none ? "" : " \(Day(raw: v.replied[row]))") + (sat.map { "，\($0)" } ?? "，待反馈")
        default:
            let label = st == EnumInfo.none ? "状态未填" : Status.info.label(st)
            guard v.deadline[row] != Day.none else { return label }
            var text = "\(label)，期限 \(v.deadlineText(row))"
            if v.isOverdue(row, asOf: asOf) { text += "，已逾期 \(asOf.raw - v.deadline[row]) 天" }
            return text
        }
    }

    /// The notice's total beside the sum of its parts, and the data beside both.
    static func noticeSentences(_ notice: NoticeFigures, others: [String: Int], otherOrder: [String], rows: [Int],
                                yearText: String, isOther: (Int) -> Bool, ids: TextColumn, v: OfficeView) -> [String] {
        var out: [String] = []
        let source = notice.source.isEmpty ? "通报" : "通报（\(notice.source)）"
        let sum = notice.parts.reduce(0) { $0 + $1.count }
        let partsText = notice.parts.map { "\($0.label) \($0.count) 件" }.joined(separator: "、")
        if let total = notice.total {
            var s = "\(source)：共 \(total) 件"
            if !notice.parts.isEmpty {
                s += "，所列各项（\(partsText)）合计 \(sum) 件"
                s += sum == total ? "，与总数相符。" : "，比总数\(sum < total ? "少" : "多") \(abs(total - sum)) 件，通报未说明原因。"
            } else { s += "。" }
            out.append(s)
        } else if !notice.parts.isEmpty {
            out.append("\(source)：所列各项 \(partsText)，合计 \(sum) 件。")
        }
        // The data's count of each part the notice gives.
        var data: [String] = []
        // Cases by kind and level (the parts are sums of these).
        var byKindLevel: [Int: Int] = [:]
        for row in rows where !isOther(row) { byKindLevel[Int(v.kind[row]) << 8 | Int(v.level[row]), default: 0] += 1 }
        for p in notice.parts {
            let n = byKindLevel.filter { NoticeFigures.counts(p.of, kind: UInt8($0.key >> 8), level: UInt8($0.key & 0xFF)) }.values.reduce(0, +)
            data.append(n == p.count ? "\(p.label) \(n) 件" : "\(p.label) \(n) 件（通报 \(p.count) 件）")
        }
        let inParts = rows.filter { !isOther($0) }.count
        var s = "数据：共 \(rows.count) 件"
        if let total = notice.total, total != rows.count { s += "（通报 \(total) 件）" }
        if !data.isEmpty { s += "；\(yearText.isEmpty ? "" : yearText)各项 " + data.joined(separator: "、") }
        let outside = rows.filter(isOther)
        if outside.isEmpty {
            s += "，全部在各项之内。"
        } else {
            let groups = otherOrder.sorted().map { "\($0) \(others[$0]!) 件" }.joined(separator: "、")
            s += "；各项之外另有 \(outside.count) 件（\(groups)）"
            if outside.count <= 10 {
                s += "：" + outside.map { ids[$0] }.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }.joined(separator: "、")
            }
            s += "，\(inParts) + \(outside.count) = \(rows.count)。"
            if let total = notice.total, sum != total, total - sum == outside.count, rows.count == total {
                s += "通报总数与各项之和的差额，数据以这 \(outside.count) 件补足；这是数据的做法，不是通报给出的原因。"
            }
        }
        out.append(s)
        return out
    }

    static func add(_ row: Int, _ v: OfficeView, asOf: Day, to rc: inout RateCounts) {
        rc.cases += 1
        if DomainRules.isClosed(status: v.status[row]) { rc.closed += 1 } else { rc.open += 1 }
        if DomainRules.isFaceToFace(contact: v.contact[row]) { rc.faceToFace += 1 }
        switch v.satisfaction[row] {
        case Satisfaction.satisfied.rawValue: rc.answered += 1; rc.satisfied += 1
        case Satisfaction.basic.rawValue: rc.answered += 1; rc.basic += 1
        case Satisfaction.unsatisfied.rawValue: rc.answered += 1
        default: break
        }
        if v.isOverdue(row, asOf: asOf) { rc.overdue += 1 }
    }

    static func sourceName(kind: UInt8, level: UInt8) -> String {
        let prefix = level == Level.province.rawValue ? "省" : "市"
        switch kind {
        case Kind.suggestion.rawValue: return prefix + "人大建议"
        case Kind.proposal.rawValue: return prefix + "政协提案"
        case EnumInfo.none: return prefix + "（类别未填）"
        default: return prefix + Kind.info.label(kind)
        }
    }

    /// A rate as a percentage with one decimal: 97.1%.
    public static func pct(_ x: Double) -> String { Cell.rate(x).text }
    /// Percentage points with one decimal; never shows 0.0 for a shortfall.
    public static func points(_ d: Double) -> String {
        let p = d * 100
        if p > 0 && p < 0.05 { return "不到 0.1" }
        return String(format: "%.1f", p)
    }
}
