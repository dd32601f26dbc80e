// Rendering of `.report` and `.check` (CaseOffice builds them): text, Markdown and CSV.

import CaseOffice
import CaseQuery
import CaseStore
import Foundation

extension OfficeReport {
    /// The report as text, Markdown or CSV; `csv` says how CSV is written (line ends, formula guard).
    public func render(_ format: OfficeFormat, csv settings: CSVSettings = .standardOutput) -> String {
        switch format {
        case .csv: return csv(settings)
        case .text, .markdown: return document(markdown: format == .markdown)
        }
    }

    var title: String {
        let y = year.map { "\($0) 年度" } ?? ""
        return "\(y)人大建议政协提案办理情况" + (unit.map { "：\($0)" } ?? "")
    }

    var scope: String {
        var s = (name.isEmpty ? "" : "数据 \(name)，") + "截至 \(asOf)"
        if let c = cutoff { s += "，办结截止 \(c)" }
        return s
    }

    /// What the text says of a rate beside its figures: 达标, how many points short (and by
    /// when 办结 is due), 无数据, or why it has no target.
    func verdict(_ line: RateLine) -> String {
        guard let rate = line.value else { return "无数据" }
        guard let t = line.target else { return line.name == "strict_satisfaction_rate" ? "仅计满意，供参考" : "" }
        var verdict = rate >= t ? "达标" : "差 \(ReportBuilder.points(t - rate)) 个百分点"
        if line.name == "completion_rate", rate < t, let c = cutoff, asOf <= c { verdict += "（须于 \(c) 前办结）" }
        return verdict
    }

    /// The target as the text prints it (满意率's is a floor: ≥ 98.5%).
    func targetText(_ line: RateLine) -> String {
        line.target.map { (line.name == "satisfaction_rate" ? "≥ " : "") + ReportBuilder.pct($0) } ?? ""
    }

    func rateRows() -> [(String, String, String, String, String)] {
        rateLines.map { l in
            (l.label, l.value.map(ReportBuilder.pct) ?? "—", "\(l.numerator)/\(l.denominator)", targetText(l), verdict(l))
        }
    }

    typealias Topic = (name: String, noticeCount: Int?, words: [String], unit: String, cases: [CaseLine])

    /// A topic's line as the text prints it: 通报 N 件，数据 M 件（案由含 …），通报所说承办单位 …
    func topicLine(_ t: Topic) -> String {
        let count = t.noticeCount.map { "通报 \($0) 件，" } ?? ""
        let unit = topicUnit(t)
        return "\(t.name)：\(count)数据 \(t.cases.count) 件（\(topicWords(t))）" + (unit.isEmpty ? "" : "，" + unit)
    }

    /// 案由含 X、Y: the words that put a case in the topic.
    func topicWords(_ t: Topic) -> String { "案由含 " + t.words.joined(separator: "、") }

    /// The unit the notice names for the topic and how many of the topic's cases it leads
    /// ("" when the notice names none).
    func topicUnit(_ t: Topic) -> String {
        t.unit.isEmpty ? "" : "通报所说承办单位 \(t.unit)，数据中由其主办 \(t.cases.filter { $0.unit == t.unit }.count) 件"
    }

    /// The CSV's and the workbook's note on a topic: its words and its unit's share.
    func topicNote(_ t: Topic) -> String {
        let unit = topicUnit(t)
        return topicWords(t) + (unit.isEmpty ? "" : "；" + unit)
    }

    func unitTable() -> (header: [String], rows: [[String]], right: [Bool]) {
        let header = ["单位", "件数", "办结", "逾期", "办结率", "面商率", "满意率", "严格满意率", "评价"]
        let rows = units.map { u -> [String] in
            let c = u.counts
            func p(_ x: Double?) -> String { x.map(ReportBuilder.pct) ?? "—" }
            return [u.unit, "\(c.cases)", "\(c.closed)", "\(c.overdue)", p(c.completionRate), p(c.faceToFaceRate),
                    p(c.satisfactionRate), p(c.strictSatisfactionRate), u.standing.label]
        }
        return (header, rows, [false, true, true, true, true, true, true, true, false])
    }

    func document(markdown md: Bool) -> String {
        var out = ""
        func heading(_ s: String) { out += md ? "\n## \(s)\n\n" : "\n\(s)\n" }
        func table(_ header: [String], _ rows: [[String]], _ right: [Bool]) {
            if md {
                out += "| " + header.map(Checker.mdCell).joined(separator: " | ") + " |\n"
                out += "|" + right.map { $0 ? " ---: |" : " --- |" }.joined() + "\n"
                for r in rows { out += "| " + r.map(Checker.mdCell).joined(separator: " | ") + " |\n" }
                return
            }
            let all = [header] + rows
            let widths = header.indices.map { c in all.map { DisplayWidth.of($0[c]) }.max() ?? 0 }
            for r in all {
                var line = "  "
                for c in r.indices {
                    let last = c == r.count - 1
                    line += last && !right[c] ? r[c] : DisplayWidth.pad(r[c], toWidth: widths[c], alignRight: right[c])
                    if !last { line += "  " }
                }
                while line.last == " " { line.removeLast() }
                out += line + "\n"
            }
        }
        out += md ? "# \(title)\n\n\(scope)\n" : "\(title)\n\(scope)\n"

        var number = 0
        func numbered(_ s: String) {
            let numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
            heading((number < numerals.count ? numerals[number] : "\(number + 1)") + "、" + s)
            number += 1
        }
        func paragraph(_ s: String) { out += (md ? "" : "  ") + s + (md ? "\n\n" : "\n") }

        numbered("办理总体情况")
        let lines = sources + key
        table(["项目", "件数", "说明"],
              lines.map { [($0.depth == 0 || md ? "" : "  ") + $0.label, $0.count.map(String.init) ?? "无数据", $0.note] },
              [false, true, false])
        if !noticeText.isEmpty {
            out += md ? "\n" : ""
            for sentence in noticeText { paragraph(sentence) }
        }

        if !keyCases.isEmpty {
            numbered("重点督办案件的领办领导与进展（\(keyCases.count) 件）")
            table(["编号", "类别", "案由", "领办领导", "主办单位", "进展"],
                  keyCases.map { [$0.id, $0.kind, $0.title, $0.leader.isEmpty ? "（未填）" : $0.leader, $0.unit, $0.progress] },
                  [false, false, false, false, false, false])
        }

        if !named.isEmpty || !topics.isEmpty {
            numbered("通报点名的提案与专题")
            for n in named {
                let head = "《\(n.title)》" + (n.proposer.isEmpty ? "" : "（\(n.proposer)）")
                if n.found.isEmpty { paragraph(head + "：数据中未找到"); continue }
                for c in n.found {
                    let who = n.proposer.isEmpty || c.proposer == n.proposer ? "" : "，数据中提出者为 \(c.proposer.isEmpty ? "（未填）" : c.proposer)"
                    paragraph(head + "：\(c.id)，主办 \(c.unit)，领办 \(c.leader.isEmpty ? "（未填）" : c.leader)，\(c.progress)\(who)")
                }
            }
            for t in topics {
                paragraph(topicLine(t))
                if !t.cases.isEmpty {
                    table(["编号", "案由", "主办单位", "进展"], t.cases.map { [$0.id, $0.title, $0.unit, $0.progress] },
                          [false, false, false, false])
                }
            }
        }

        numbered("办理质量（办结率、面商率、满意率）")
        table(["指标", "实际", "件数", "目标", "评价"], rateRows().map { [$0.0, $0.1, $0.2, $0.3, $0.4] },
              [false, true, true, false, false])

        numbered("各单位情况")
        let t = unitTable()
        table(t.header, t.rows, t.right)

        let good = units(.good), below = units(.below), notJudged = units(.notJudged)
        numbered("好的单位（\(good.count) 个）")
        if good.isEmpty { out += md ? "无。\n" : "  无\n" }
        else {
            out += (md ? "" : "  ") + good.map(\.unit).joined(separator: "、") + "\n"
            for u in good where !u.notes.isEmpty {
                out += (md ? "- " : "  注：") + "\(u.unit)：" + u.notes.joined(separator: "；") + "\n"
            }
        }

        numbered("未达标单位（\(below.count) 个）")
        if below.isEmpty { out += md ? "无。\n" : "  无\n" }
        for u in below {
            let text = "\(u.unit)：" + (u.reasons + u.notes).joined(separator: "；")
            out += (md ? "- " : "  ") + text + "\n"
        }

        if !notJudged.isEmpty {
            numbered("未评单位（\(notJudged.count) 个）")
            if !notJudgedBecause.isEmpty {
                paragraph("未发现不达标之处，但以下各项无数据，无从评为好的单位：" + notJudgedBecause.joined(separator: "；") + "。")
            }
            let plain = notJudged.filter { $0.notes.isEmpty }
            if !plain.isEmpty { out += (md ? "- " : "  ") + plain.map(\.unit).joined(separator: "、") + "\n" }
            for u in notJudged where !u.notes.isEmpty {
                out += (md ? "- " : "  ") + "\(u.unit)：" + u.notes.joined(separator: "；") + "\n"
            }
        }

        heading("注")
        for f in footnotes { out += (md ? "- " : "  ") + f + "\n" }
        return out
    }

    func csv(_ settings: CSVSettings) -> String {
        var w = CSVWriter(crlf: settings.crlf, formulaGuard: settings.formulaGuard, reserve: 8192)
        w.row(["section", "unit", "item", "value", "target", "note"])
        func num(_ x: Double?) -> String { x.map { Cell.rate($0).exportText } ?? "" }
        for l in sources { w.row(["sources", "", l.label, l.count.map(String.init) ?? "", "", l.statedNote]) }
        for l in key { w.row(["key_supervised", "", l.label, l.count.map(String.init) ?? "", "", l.statedNote]) }
        for sentence in noticeText { w.row(["notice", "", "", "", "", sentence]) }
        for c in keyCases { w.row(["key_case", c.unit, c.id, c.leader, "", c.progress]) }
        for n in named {
            if n.found.isEmpty { w.row(["named", "", "", n.proposer, "", "《\(n.title)》数据中未找到"]) }
            for c in n.found { w.row(["named", c.unit, c.id, c.proposer, "", c.progress]) }
        }
        for t in topics {
            w.row(["topic", t.unit, t.name, "\(t.cases.count)", t.noticeCount.map(String.init) ?? "", topicNote(t)])
            for c in t.cases { w.row(["topic_case", c.unit, c.id, t.name, "", c.progress]) }
        }
        for l in rateLines {
            let v = verdict(l)
            w.row(["rates", "", l.name, num(l.value), num(l.target), "\(l.numerator)/\(l.denominator)" + (v.isEmpty ? "" : "；" + v)])
        }
        for u in units {
            let c = u.counts
            w.row(["unit", u.unit, "cases", "\(c.cases)", "", ""])
            w.row(["unit", u.unit, "closed", "\(c.closed)", "", ""])
            w.row(["unit", u.unit, "overdue", "\(c.overdue)", "", ""])
            w.row(["unit", u.unit, "completion_rate", num(c.completionRate), num(targets.completion), ""])
            w.row(["unit", u.unit, "face_to_face_rate", num(c.faceToFaceRate), num(targets.faceToFace), ""])
            w.row(["unit", u.unit, "satisfaction_rate", num(c.satisfactionRate), num(targets.satisfaction), ""])
            w.row(["unit", u.unit, "strict_satisfaction_rate", num(c.strictSatisfactionRate), "", ""])
            // good: true, false, or empty for a unit not judged (its standing in the note).
            w.row(["unit", u.unit, "good", u.standing == .notJudged ? "" : u.good ? "true" : "false", "",
                   ((u.standing == .notJudged ? ["未评"] : []) + u.reasons + u.notes).joined(separator: "；")])
        }
        for why in notJudgedBecause { w.row(["not_judged", "", "", "", "", why]) }
        for f in footnotes { w.row(["note", "", "", "", "", f]) }
        return String(decoding: w.bytes, as: UTF8.self)
    }
}

// MARK: - Output

/// Output formats of `.report` and `.check`.
public enum OfficeFormat: String, CaseIterable, Sendable {
    case text, markdown, csv
}

/// The `.check` total every format states (the text's last line, the workbook summary's last row).
public struct CheckTotal: Sendable, Equatable {
    public let rules: Int, withFindings: Int, noData: Int, units: Int, cases: Int
    /// 合计：12 条规则，9 条有发现，2 条无数据；涉及 25 个单位，334 件次
    public var text: String {
        "合计：\(rules) 条规则，\(withFindings) 条有发现" + (noData > 0 ? "，\(noData) 条无数据" : "") + "；涉及 \(units) 个单位，\(cases) 件次"
    }
}

extension Checker {
    /// The total of the findings of `rules` (units counted once across rules, cases once per rule).
    public static func total(_ findings: [CheckFinding], rules: [CheckRule], noData: [String: String]) -> CheckTotal {
        var units = Set<String>(), cases = 0, with = 0
        for rule in rules {
            let list = findings.filter { $0.rule == rule }
            if !list.isEmpty { with += 1 }
            for f in list { units.insert(f.unit); cases += f.cases.count }
        }
        return CheckTotal(rules: rules.count, withFindings: with, noData: rules.filter { noData[$0.id] != nil }.count,
                          units: units.count, cases: cases)
    }

    /// 无数据：why — what a rule the data cannot judge says instead of 未发现问题.
    public static func noDataText(_ why: String) -> String { "无数据：" + why }

    /// The findings as text, Markdown or CSV. `rules` are the rules that were run (each gets a
    /// heading and a summary line, even when it found nothing); `noData` (`Checker.noData`):
    /// the rules the data cannot judge, each said with why instead of 未发现问题.
    public static func format(_ findings: [CheckFinding], rules: [CheckRule], noData: [String: String] = [:], format: OfficeFormat,
                              asOf: Day, periods: CheckPeriods, csv settings: CSVSettings = .standardOutput) -> String {
        switch format {
        case .csv:
            var w = CSVWriter(crlf: settings.crlf, formulaGuard: settings.formulaGuard, reserve: 4096)
            w.row(["rule", "title", "unit", "case_id", "reason"])
            for rule in rules {
                if let why = noData[rule.id] { w.row([rule.id, rule.title, "", "", noDataText(why)]) }
                for f in findings where f.rule == rule {
                    if f.cases.isEmpty { w.row([f.rule.id, f.rule.title, f.unit, "", f.reason]) }
                    for c in f.cases { w.row([f.rule.id, f.rule.title, f.unit, c.id, c.reason]) }
                }
            }
            return String(decoding: w.bytes, as: UTF8.self)
        case .text, .markdown:
            let md = format == .markdown
            var out = md ? "# 建议提案办理问题检查\n\n" : ""
            out += periods.summary(asOf: asOf) + "\n"
            for rule in rules {
                let list = findings.filter { $0.rule == rule }
                out += md ? "\n## \(rule.title)（`\(rule.id)`，\(rule.notice)）\n\n" : "\n[\(rule.id)] \(rule.title)（\(rule.notice)）\n"
                if let why = noData[rule.id] {
                    out += md ? noDataText(why) + "。\n" : "  " + noDataText(why) + "\n"
                    continue
                }
                if list.isEmpty {
                    out += md ? "未发现问题。\n" : "  未发现问题\n"
                    continue
                }
                let n = list.reduce(0) { $0 + $1.cases.count }
                if md {
                    if rule.perUnit {
                        out += "| 单位 | 原因 |\n| --- | --- |\n"
                        for f in list { out += "| \(mdCell(f.unit)) | \(mdCell(f.reason)) |\n" }
                    } else {
                        out += "| 单位 | 编号 | 原因 |\n| --- | --- | --- |\n"
                        for f in list { for c in f.cases { out += "| \(mdCell(f.unit)) | \(mdCell(c.id)) | \(mdCell(c.reason)) |\n" } }
                    }
                    out += "\n"
                } else {
                    let uw = list.map { DisplayWidth.of($0.unit) }.max() ?? 0
                    let iw = list.flatMap { $0.cases.map { DisplayWidth.of($0.id) } }.max() ?? 0
                    for f in list {
                        out += "  " + DisplayWidth.pad(f.unit, toWidth: uw) + "  " + f.reason + "\n"
                        for c in f.cases { out += "    " + DisplayWidth.pad(c.id, toWidth: iw) + "  " + c.reason + "\n" }
                    }
                }
                out += (md ? "" : "  ") + "小计：\(list.count) 个单位" + (rule.perUnit ? "" : "，\(n) 件") + "\n"
            }
            out += "\n" + total(findings, rules: rules, noData: noData).text + "\n"
            return out
        }
    }

    static func mdCell(_ s: String) -> String {
        s.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: "<br>")
    }
}
