// The `bar` output mode: a grouped result as horizontal bars.
//
//     unit      completion_rate
//     教育局    ████████████████████████████████████▊  97.1%
//     工信局    ██████████████████████████▍            70.6%
//
// Labels are the text columns before the value (joined with a space), the value is the last
// numeric column; bars are █ with ▏▎▍▌▋▊▉ for the last eighth, scaled to the width (rates to
// 100%, other values to the largest), Chinese labels aligned by display width.

import CaseQuery

enum BarChart {
    static let eighths: [Character] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// The bar for `fraction` (0…1) of `width` columns, in eighths; empty for 0.
    static func bar(_ fraction: Double, width: Int) -> String {
        guard fraction.isFinite, fraction > 0, width > 0 else { return "" }
        let units = Int((min(fraction, 1) * Double(width * 8)).rounded())
        var s = String(repeating: "█", count: units / 8)
        if units % 8 > 0 { s.append(eighths[units % 8 - 1]) }
        return s
    }

    /// Renders `result` as bars, or returns nil when it has no numeric column to draw.
    static func render(_ result: ResultSet, options: RenderOptions) -> String? {
        let n = result.columns.count
        guard n > 0 else { return nil }
        // The value: the last column whose cells are numbers.
        guard let valueColumn = (0..<n).last(where: { c in
            var seen = false
            for r in 0..<result.rowCount {
                let cell = result.cell(r, c)
                if cell == .null { continue }
                guard cell.isNumeric else { return false }
                seen = true
            }
            return seen || (result.rowCount == 0 && result.columns[c].numeric)
        }) else { return nil }
        // Labels: the non-numeric columns before the value (else every other column before it).
        var labelColumns = (0..<valueColumn).filter { c in
            (0..<result.rowCount).contains { r in let x = result.cell(r, c); return x != .null && !x.isNumeric }
        }
        if labelColumns.isEmpty { labelColumns = Array(0..<valueColumn) }

        let shown = options.maxRows.map { max(0, min($0, result.rowCount)) } ?? result.rowCount
        let total = options.width ?? 80
        let names = result.columns.map { TableRenderer.clean(options.chineseHeaders ? $0.label : $0.name) }
        var labels: [String] = []
        var values: [Cell] = []
        for r in 0..<shown {
            labels.append(TableRenderer.clean(labelColumns.map { Renderer.displayText(result.cell(r, $0)) }.joined(separator: " ")))
            values.append(result.cell(r, valueColumn))
        }
        let texts = values.map { Renderer.displayText($0) }
        let isRate = values.contains { if case .rate = $0 { return true }; return false }
        let maxValue = values.compactMap { $0.number }.max() ?? 0
        let scale = isRate ? max(1, maxValue) : maxValue

        let headerLabel = labelColumns.map { names[$0] }.joined(separator: " ")
        var labelWidth = labels.map(DisplayWidth.of).max() ?? 0
        if options.headers { labelWidth = max(labelWidth, DisplayWidth.of(headerLabel)) }
        labelWidth = min(labelWidth, max(8, total / 3))
        let valueWidth = texts.map(DisplayWidth.of).max() ?? 0
        let barWidth = max(10, total - labelWidth - valueWidth - 4)
        let colour = options.color

        var out = ""
        if options.headers {
            out += DisplayWidth.pad(DisplayWidth.truncate(headerLabel, toWidth: labelWidth), toWidth: labelWidth)
                + "  " + names[valueColumn] + "\n"
        }
        for (i, label) in labels.enumerated() {
            let fitted = DisplayWidth.pad(DisplayWidth.truncate(label, toWidth: labelWidth), toWidth: labelWidth)
            let fraction = scale > 0 ? max(0, values[i].number ?? 0) / scale : 0
            let b = bar(fraction, width: barWidth)
            let padded = b + String(repeating: " ", count: barWidth - b.count)
            let drawn = colour && !b.isEmpty ? TableRenderer.sgrNumber + b + TableRenderer.sgrReset + String(repeating: " ", count: barWidth - b.count) : padded
            out += fitted + "  " + drawn + "  " + DisplayWidth.pad(texts[i], toWidth: valueWidth, alignRight: true) + "\n"
        }
        if shown < result.rowCount {
            let more = result.rowCount - shown
            out += "… \(more) more row\(more == 1 ? "" : "s") (.maxrows all shows every row)\n"
        }
        // No trailing blanks.
        return out.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line -> Substring in
                var l = line[...]
                while l.last == " " { l = l.dropLast() }
                return l
            }.joined(separator: "\n")
    }
}
