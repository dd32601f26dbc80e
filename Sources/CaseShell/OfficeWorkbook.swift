// `.report` and `.check` as workbooks: one sheet per section, counts as numbers, rates as
// numbers shown as percentages. Built from what CaseOffice computed; the rules stay there.

import CaseOffice
import CaseQuery
import CaseStore

extension OfficeReport {
    /// The report's sections as sheets: sources, the notice beside the data, key cases, the notice's
    /// named cases and topics' cases, the topics (the text's 通报 N 件，数据 M 件 line), rates (every
    /// rate the text lists, `rateLines`), units, good units, units below, notes.
    /// `chinese`: sheet and column names in Chinese (under `.labels on`). Each sheet opens with
    /// the report's title and section and its scope (the text's first two lines).
    public func sheets(chinese: Bool) -> [WorkbookSheet] {
        func col(_ name: String, _ label: String, numeric: Bool = false) -> ResultColumn {
            ResultColumn(name: chinese ? label : name, label: label, numeric: numeric)
        }
        func rate(_ x: Double?) -> Cell { x.map { .rate($0) } ?? .null }
        func sheet(_ name: String, _ label: String, _ columns: [ResultColumn], _ rows: [[Cell]]) -> WorkbookSheet {
            WorkbookSheet(name: chinese ? label : name, result: ResultSet(columns: columns, rows: rows),
                          caption: [title + "——" + label, scope])
        }
        let lines = (sources + key).map { [Cell.text($0.label), $0.count.map { .int($0) } ?? .null, $0.statedNote.isEmpty ? .null : .text($0.statedNote)] }
        let rates: [[Cell]] = rateLines.map { l in
            let v = verdict(l)
            return [.text(l.name), .text(l.label), rate(l.value), .int(l.numerator), .int(l.denominator), rate(l.target), v.isEmpty ? .null : .text(v)]
        }
        let topicRows: [[Cell]] = topics.map { t in
            [.text(t.name), t.noticeCount.map { .int($0) } ?? .null, .int(t.cases.count), .text(t.words.joined(separator: "、")),
             t.unit.isEmpty ? .null : .text(t.unit), t.unit.isEmpty ? .null : .int(t.cases.filter { $0.unit == t.unit }.count)]
        }
        let unitRows = units.map { u -> [Cell] in
            let c = u.counts
            return [.text(u.unit), .int(c.cases), .int(c.closed), .int(c.overdue), rate(c.completionRate), rate(c.faceToFaceRate),
                    rate(c.satisfactionRate), rate(c.strictSatisfactionRate), u.standing == .notJudged ? .null : .bool(u.good),
                    .text(([u.standing.label] + u.reasons + u.notes).joined(separator: "；"))]
        }
        return [
            sheet("sources", "办理总体情况", [col("item", "项目"), col("count", "件数", numeric: true), col("note", "说明")], lines),
            sheet("notice", "通报与数据", [col("statement", "说明")], noticeText.map { [.text($0)] }),
            sheet("key_cases", "重点督办", [col("id", "编号"), col("kind", "类别"), col("title", "案由"), col("leader", "领办领导"),
                                          col("unit", "主办单位"), col("progress", "进展")],
                  keyCases.map { [.text($0.id), .text($0.kind), .text($0.title), $0.leader.isEmpty ? .null : .text($0.leader), .text($0.unit), .text($0.progress)] }),
            sheet("notice_cases", "点名与专题", [col("group", "通报所指"), col("id", "编号"), col("title", "案由"), col("proposer", "提出者"),
                                               col("unit", "主办单位"), col("leader", "领办领导"), col("progress", "进展")],
                  named.flatMap { n in n.found.isEmpty ? [[.text("《\(n.title)》"), .null, .null, n.proposer.isEmpty ? .null : .text(n.proposer), .null, .null, .text("数据中未找到")]]
                      : n.found.map { [.text("《\(n.title)》"), .text($0.id), .text($0.title), .text($0.proposer), .text($0.unit), $0.leader.isEmpty ? .null : .text($0.leader), .text($0.progress)] } }
                  + topics.flatMap { t in t.cases.map { [.text(t.name), .text($0.id), .text($0.title), .text($0.proposer), .text($0.unit), $0.leader.isEmpty ? .null : .text($0.leader), .text($0.progress)] } }),
            sheet("topics", "专题", [col("topic", "专题"), col("notice_count", "通报件数", numeric: true), col("cases", "数据件数", numeric: true),
                                    col("title_words", "案由含"), col("notice_unit", "通报所说承办单位"),
                                    col("notice_unit_cases", "其主办件数", numeric: true)], topicRows),
            sheet("rates", "办理质量", [col("rate", "指标"), col("label", "名称"), col("value", "实际", numeric: true),
                                       col("numerator", "分子", numeric: true), col("denominator", "分母", numeric: true),
                                       col("target", "目标", numeric: true), col("verdict", "评价")], rates),
            sheet("units", "各单位情况", [col("unit", "单位"), col("cases", "件数", numeric: true), col("closed", "办结", numeric: true),
                                        col("overdue", "逾期", numeric: true), col("completion_rate", "办结率", numeric: true),
                                        col("face_to_face_rate", "面商率", numeric: true), col("satisfaction_rate", "满意率", numeric: true),
                                        col("strict_satisfaction_rate", "严格满意率", numeric: true), col("good", "好的单位"),
                                        col("reasons", "原因与说明")], unitRows),
            sheet("good_units", "好的单位", [col("unit", "单位"), col("notes", "说明")],
                  units.filter(\.good).map { [.text($0.unit), $0.notes.isEmpty ? .null : .text($0.notes.joined(separator: "；"))] }),
            sheet("units_below", "未达标单位", [col("unit", "单位"), col("reasons", "原因")],
                  units(.below).map { [.text($0.unit), .text(($0.reasons + $0.notes).joined(separator: "；"))] }),
            // Not judged: why for all of them first (the text's paragraph), then each unit.
            sheet("units_not_judged", "未评单位", [col("unit", "单位"), col("notes", "说明")],
                  notJudgedBecause.map { [.null, .text($0)] }
                  + units(.notJudged).map { [.text($0.unit), $0.notes.isEmpty ? .null : .text($0.notes.joined(separator: "；"))] }),
            sheet("notes", "注", [col("note", "注")], footnotes.map { [.text($0)] }),
        ]
    }
}

extension Checker {
    /// The findings as sheets: a summary (one row per rule run), then one sheet per rule with its
    /// units and cases. `chinese`: sheet and column names in Chinese (the rule's title).
    /// `caption`: the lines each sheet opens with (what was checked, as of when), the sheet's
    /// own title appended to the first.
    /// `noData`: the rules the data cannot judge (`Checker.noData`), 无数据 and why in their rows.
    /// The summary ends with the total the text ends with (`Checker.total`).
    public static func sheets(_ findings: [CheckFinding], rules: [CheckRule], noData: [String: String] = [:], chinese: Bool,
                              caption: [String] = []) -> [WorkbookSheet] {
        func captioned(_ what: String) -> [String] {
            caption.isEmpty ? [] : [caption[0] + "——" + what] + caption.dropFirst()
        }
        func col(_ name: String, _ label: String, numeric: Bool = false) -> ResultColumn {
            ResultColumn(name: chinese ? label : name, label: label, numeric: numeric)
        }
        var summary: [[Cell]] = []
        var perRule: [WorkbookSheet] = []
        for rule in rules {
            let list = findings.filter { $0.rule == rule }
            let caseCount = list.reduce(0) { $0 + $1.cases.count }
            let why = noData[rule.id]
            summary.append([.text(rule.id), .text(rule.title), .text(rule.notice), why == nil ? .int(list.count) : .null,
                            rule.perUnit || why != nil ? .null : .int(caseCount),
                            .text(why.map(noDataText) ?? (list.isEmpty ? "未发现问题" : "有发现"))])
            let found: [[Cell]] = rule.perUnit
                ? list.map { [.text($0.unit), .null, .text($0.reason)] }
                : list.flatMap { f in f.cases.map { [.text(f.unit), .text($0.id), .text($0.reason)] } }
            let rows: [[Cell]] = why.map { [[.null, .null, .text(noDataText($0))]] } ?? found
            perRule.append(WorkbookSheet(name: chinese ? rule.title : rule.id,
                                         result: ResultSet(columns: [col("unit", "单位"), col("case_id", "编号"), col("reason", "原因")], rows: rows),
                                         caption: captioned("\(rule.title)（\(rule.notice)）")))
        }
        let sum = total(findings, rules: rules, noData: noData)
        summary.append([.text("total"), .text(sum.text), .null, .int(sum.units), .int(sum.cases), .null])
        let head = WorkbookSheet(name: chinese ? "汇总" : "summary", result: ResultSet(
            columns: [col("rule", "规则"), col("title", "问题"), col("notice", "通报"), col("units", "单位数", numeric: true),
                      col("cases", "件数", numeric: true), col("result", "结果")], rows: summary), caption: captioned("汇总"))
        return [head] + perRule
    }
}
