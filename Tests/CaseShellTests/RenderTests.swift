import Testing
import Foundation
@testable import CaseStore
import CaseQuery
@testable import CaseShell

/// Hand-made result sets with hostile content, shared by the render and export tests.
enum Fixture {
    static let titles: [String] = [
        "关于加强《民法典》宣传的建议",
        "Roads, \"bridges\" and “渡口”",
        "line1\nline2",
        "crlf1\r\ncrlf2",
        "=SUM(A1:A2)",
        "+86 138",
        "-负数",
        "@user",
        "\tindented",
        "\rcr first",
        "（括号）,逗号",
        "",
    ]

    static let columns = [
        ResultColumn(name: "id", label: "编号", numeric: true),
        ResultColumn(name: "title", label: "案由"),
        ResultColumn(name: "who", label: "提出人"),
        ResultColumn(name: "date", label: "日期"),
        ResultColumn(name: "rate", label: "办结率"),
    ]

    /// One row per hostile title: id, title, list, date, rate (nulls sprinkled).
    static var hostile: ResultSet {
        var rows: [[Cell]] = []
        for (i, t) in titles.enumerated() {
            let who: Cell = i % 3 == 0 ? .list(["张三", "李四"]) : (i % 3 == 1 ? .null : .list(["=王五", "O'Brien"]))
            let date: Cell = i % 2 == 0 ? .day(Day(year: 2024, month: 3, day: i + 1)!) : .null
            let rate: Cell = i % 4 == 3 ? .null : .rate(Double(i) / 8)
            rows.append([.int(i == 6 ? -6 : i), .text(t), who, date, rate])
        }
        return ResultSet(columns: columns, rows: rows)
    }

    /// What each field must read as after a CSV round trip (guard on).
    static func expectedFields(guarded: Bool) -> [[String]] {
        var out: [[String]] = []
        for (i, t) in titles.enumerated() {
            let g: (String) -> String = { s in
                guard guarded, let f = s.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(f) else { return s }
                return "'" + s
            }
            let who = i % 3 == 0 ? "张三;李四" : (i % 3 == 1 ? "" : g("=王五;O'Brien"))
            let date = i % 2 == 0 ? Day(year: 2024, month: 3, day: i + 1)!.description : ""
            let rate = i % 4 == 3 ? "" : Cell.rate(Double(i) / 8).exportText
            out.append([String(i == 6 ? -6 : i), g(t), who, date, rate])
        }
        return out
    }

    static var small: ResultSet {
        ResultSet(columns: [
            ResultColumn(name: "id", label: "编号", numeric: true),
            ResultColumn(name: "title", label: "案由"),
            ResultColumn(name: "rate", label: "办结率"),
        ], rows: [
            [.int(1), .text("关于加强《民法典》宣传的建议"), .rate(0.5)],
            [.int(12), .text("Roads, \"bridges\"\nand “渡口”"), .rate(0.125)],
            [.int(-3), .text("=1+1（测试）"), .null],
            [.int(400), .null, .rate(1)],
        ])
    }

    static func lines(_ s: String) -> [String] {
        var l = s.components(separatedBy: "\n")
        if l.last == "" { l.removeLast() }
        return l
    }
}

private func render(_ r: ResultSet, _ configure: (inout RenderOptions) -> Void = { _ in }) -> String {
    var o = RenderOptions()
    configure(&o)
    return Renderer.string(r, options: o)
}

// MARK: - Table

@Test func tableAlignsCJKByDisplayWidth() {
    let out = render(Fixture.small)
    let expected = """
     id │ title                        │   rate
    ────┼──────────────────────────────┼───────
      1 │ 关于加强《民法典》宣传的建议 │  50.0%
     12 │ Roads, "bridges"↵and “渡口”  │  12.5%
     -3 │ =1+1（测试）                 │       
    400 │                              │ 100.0%
    4 rows

    """
    #expect(out == expected)
    // Every table line has the same display width.
    let widths = Fixture.lines(out).dropLast().map { DisplayWidth.of($0) }
    #expect(Set(widths).count == 1)
}

@Test func tableFooterSingularAndEmpty() {
    let one = ResultSet(columns: [ResultColumn(name: "n", numeric: true)], rows: [[.int(7)]])
    #expect(render(one) == "n\n─\n7\n1 row\n")
    let none = ResultSet(columns: [ResultColumn(name: "name")], rows: [])
    #expect(render(none) == "name\n────\n0 rows\n")
    let noColumns = ResultSet(columns: [], rows: [])
    #expect(render(noColumns) == "0 rows\n")
    #expect(render(one) { $0.headers = false } == "7\n1 row\n")
}

@Test func tableMaxRowsCut() {
    let r = ResultSet(columns: [ResultColumn(name: "n", numeric: true)], rowCount: 1000) { row, _ in .int(row) }
    let out = render(r) { $0.maxRows = 3 }
    #expect(out == "n\n─\n0\n1\n2\n… 997 more rows (.maxrows to show more)\n1000 rows\n")
    let exact = render(r) { $0.maxRows = 999 }
    #expect(exact.hasSuffix("998\n… 1 more row (.maxrows to show more)\n1000 rows\n"))
    let all = render(r) { $0.maxRows = nil }
    #expect(Fixture.lines(all).count == 2 + 1000 + 1)
    #expect(!all.contains("more row"))
    // The default shows 40.
    #expect(render(r).contains("… 960 more rows"))
}

@Test func tableShrinksTitleToWidth() {
    // Room for the kept columns and a 22-column title between " │ ": 3 + 3 + 22 + 3 + 6 = 37.
    let roomy = render(Fixture.small) { $0.width = 37 }
    #expect(Fixture.lines(roomy)[0] == " id │ title                  │   rate")
    #expect(Fixture.lines(roomy)[2] == "  1 │ 关于加强《民法典》宣…  │  50.0%")
    // Less room: the columns are joined by │ alone, the title keeps what is left
    // (3 + 1 + 19 + 1 + 6 = 30; 《 is wide, so the cut leaves one column of padding).
    let out = render(Fixture.small) { $0.width = 30 }
    let expected = """
     id│title              │  rate
    ───┼───────────────────┼──────
      1│关于加强《民法典》…│ 50.0%
     12│Roads, "bridges"↵a…│ 12.5%
     -3│=1+1（测试）       │      
    400│                   │100.0%
    4 rows

    """
    #expect(out == expected)
    for line in Fixture.lines(out) { #expect(DisplayWidth.of(line) <= 30) }
}

@Test func narrowTableKeepsShortEnumsWholeAndShowsTheTitle() {
    // As `select cases` at 80 and 60 columns: id, kind (an enum), unit, status, date, title.
    let columns = [ResultColumn(name: "id"), ResultColumn(name: "kind", enumerated: true), ResultColumn(name: "unit"),
                   ResultColumn(name: "status", enumerated: true), ResultColumn(name: "deadline"), ResultColumn(name: "title")]
    func row(_ i: Int) -> [Cell] {
        let kind: String = i % 3 == 0 ? "suggestion" : "proposal"
        let unit: String = i % 2 == 0 ? "文化广电和旅游局" : "教育局"
        let status: String = i == 7 ? "return_requested" : "closed"
        let title = "关于进一步加强第\(i)号中小学校园安全管理切实提升群众安全感的建议"
        return [.text("SJ-2020-\(1000 + i)"), .text(kind), .text(unit), .text(status), .day(Day(raw: Int32(18_000 + i))), .text(title)]
    }
    let rows: [[Cell]] = (0..<50).map(row)
    let r = ResultSet(columns: columns, rows: rows)
    for width in [60, 80] {
        let lines = Fixture.lines(render(r) { $0.width = width; $0.maxRows = nil })
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= width })
        let header = lines[0].split(separator: "│").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(header.contains("title"))
        for line in lines[2..<52] {
            let cells = line.split(separator: "│", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(["suggestion", "proposal"].contains(cells[1]))
            #expect(cells.contains { ["closed", "return_requested"].contains($0) })
            let title = cells[header.firstIndex(of: "title")!]
            #expect(title.hasSuffix("…") && DisplayWidth.of(String(title.dropLast())) >= (width == 80 ? 20 : 4))
        }
    }
    // At 60 the unit gives way (named below the table); at 80 nothing is hidden.
    #expect(render(r) { $0.width = 60 }.contains("1 more column not shown: unit"))
    #expect(!render(r) { $0.width = 80 }.contains("not shown"))
}

@Test func tableEveryLineFitsAnyWidth() {
    let r = Fixture.hostile
    for w in [8, 12, 20, 33, 47, 60, 80, 200] {
        let out = render(r) { $0.width = w }
        for line in Fixture.lines(out) {
            #expect(DisplayWidth.of(line) <= w, "width \(w): \(line)")
        }
    }
    // Titles shrink before other text columns.
    let out = render(r) { $0.width = 60 }
    let header = Fixture.lines(out)[0]
    #expect(header.contains("who"))
    #expect(header.contains("date"))
    #expect(out.contains("2024-03-01"))
    #expect(out.contains("…"))
}

@Test func tableWideCharacterStraddlingTheCutIsPadded() {
    let r = ResultSet(columns: [ResultColumn(name: "t"), ResultColumn(name: "n", numeric: true)],
                      rows: [[.text("一二三四五六七八九十"), .int(1)]])
    // t gets 6 columns: 一二 (4) + … (1) = 5, padded with one space.
    let out = render(r) { $0.width = 10 }
    #expect(Fixture.lines(out)[2] == "一二…  │ 1")
}

@Test func tableNeutralisesControlCharacters() {
    let r = ResultSet(columns: [ResultColumn(name: "t")],
                      rows: [[.text("a\u{1B}[31mred\u{7}\tb\r\nc\rd\u{85}")]])
    let out = render(r)
    #expect(!out.contains("\u{1B}"))
    #expect(!out.contains("\u{7}"))
    #expect(Fixture.lines(out)[2] == "a\u{241B}[31mred\u{2407} b↵c↵d\\u{85}")
}

@Test func tableChineseHeadersAndColor() {
    let out = render(Fixture.small) { $0.chineseHeaders = true; $0.maxRows = 1 }
    #expect(Fixture.lines(out)[0] == "编号 │ 案由                         │ 办结率")
    let plain = render(Fixture.small)
    #expect(!plain.contains("\u{1B}"))
    let colored = render(Fixture.small) { $0.color = true }
    #expect(colored.hasPrefix("\u{1B}[1m id\u{1B}[0m │ \u{1B}[1mtitle"))
    #expect(colored.contains("\u{1B}[36m  1\u{1B}[0m"))
    #expect(colored.hasSuffix("\u{1B}[2m4 rows\u{1B}[0m\n"))
    // Without the escapes it is the plain table.
    let stripped = colored.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
    #expect(stripped == plain)
}

@Test func tableTypesAndNumericAlignment() {
    let r = ResultSet(columns: [ResultColumn(name: "a"), ResultColumn(name: "b"), ResultColumn(name: "c")],
                      rows: [[.double(3.14159), .bool(true), .list(["x", "y"])],
                             [.double(-10), .bool(false), .list([])]])
    #expect(render(r) == """
         a │ b     │ c
    ───────┼───────┼────
      3.14 │ true  │ x;y
    -10.00 │ false │
    2 rows

    """)
}

// MARK: - CSV, TSV

@Test func csvQuotingAndGuard() {
    let r = ResultSet(columns: [ResultColumn(name: "n", numeric: true), ResultColumn(name: "t"), ResultColumn(name: "l")],
                      rows: [[.int(-5), .text("=1+1"), .list(["a", "b,c"])],
                             [.rate(0.5), .text("say \"hi\", “你好”\r\nbye"), .null],
                             [.double(2.5), .text("\tx"), .list(["-y"])]])
    let plain = render(r) { $0.mode = .csv; $0.formulaGuard = false }
    #expect(plain == "n,t,l\n-5,=1+1,\"a;b,c\"\n0.5,\"say \"\"hi\"\", “你好”\r\nbye\",\n2.5,\tx,-y\n")
    let guarded = render(r) { $0.mode = .csv }   // the guard is on unless turned off
    #expect(guarded == "n,t,l\n-5,\"'=1+1\",\"a;b,c\"\n0.5,\"say \"\"hi\"\", “你好”\r\nbye\",\n2.5,\"'\tx\",\"'-y\"\n")
    #expect(render(r) { $0.mode = .csv; $0.headers = false }.hasPrefix("-5,"))
    #expect(render(r) { $0.mode = .csv; $0.chineseHeaders = true }.hasPrefix("n,t,l\n"))
}

@Test func tsvReplacesTabsAndNewlines() {
    let r = ResultSet(columns: [ResultColumn(name: "a"), ResultColumn(name: "b")],
                      rows: [[.text("x\ty\r\nz\nw\rv"), .text("@at")], [.null, .day(Day(year: 2023, month: 12, day: 1)!)]])
    #expect(render(r) { $0.mode = .tsv; $0.formulaGuard = false } == "a\tb\nx y z w v\t@at\n\t2023-12-01\n")
    #expect(render(r) { $0.mode = .tsv } == "a\tb\nx y z w v\t'@at\n\t2023-12-01\n")
}

// MARK: - JSON

@Test func jsonParsesBack() throws {
    let out = render(Fixture.hostile) { $0.mode = .json }
    #expect(out.contains("关于加强《民法典》宣传的建议"))   // UTF-8, not \u escapes
    #expect(!out.contains("\\u5173"))
    let parsed = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [[String: Any]]
    #expect(parsed.count == Fixture.titles.count)
    for (i, obj) in parsed.enumerated() {
        #expect(obj["title"] as? String == Fixture.titles[i])
        #expect((obj["id"] as? NSNumber)?.intValue == (i == 6 ? -6 : i))
        if i % 4 == 3 { #expect(obj["rate"] is NSNull) }
        else { #expect(abs((obj["rate"] as! NSNumber).doubleValue - Double(i) / 8) < 1e-9) }
        if i % 3 == 0 { #expect(obj["who"] as? [String] == ["张三", "李四"]) }
        if i % 3 == 1 { #expect(obj["who"] is NSNull) }
        if i % 2 == 0 { #expect(obj["date"] as? String == Day(year: 2024, month: 3, day: i + 1)!.description) }
        #expect(obj.keys.sorted() == ["date", "id", "rate", "title", "who"])
    }
    #expect(render(ResultSet(columns: Fixture.columns, rows: [])) { $0.mode = .json } == "[]\n")
}

@Test func jsonEscapesEveryControlCharacter() throws {
    let nasty = String(String.UnicodeScalarView((0..<0x20).map { Unicode.Scalar($0)! })) + "\"\\/\u{7F}\u{2028}😀"
    let r = ResultSet(columns: [ResultColumn(name: "k\"ey"), ResultColumn(name: "k\"ey"), ResultColumn(name: "x")],
                      rows: [[.text(nasty), .bool(true), .double(.nan)]])
    let out = render(r) { $0.mode = .jsonl }
    #expect(out.hasPrefix("{\"k\\\"ey\":\"\\u0000\\u0001"))
    #expect(out.contains("\\b\\t\\n\\u000b\\f\\r"))
    let obj = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
    #expect(obj["k\"ey"] as? String == nasty)
    #expect(obj["k\"ey_2"] as? Bool == true)
    #expect(obj["x"] is NSNull)
}

@Test func jsonLinesOneObjectPerLine() throws {
    let out = render(Fixture.hostile) { $0.mode = .jsonl; $0.chineseHeaders = true }
    let lines = Fixture.lines(out)
    #expect(lines.count == Fixture.titles.count)
    for (i, line) in lines.enumerated() {
        let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
        #expect(obj["案由"] as? String == Fixture.titles[i])
    }
}

// MARK: - Markdown

@Test func markdownEscapesPipesAndNewlines() {
    let r = ResultSet(columns: [ResultColumn(name: "n", numeric: true), ResultColumn(name: "t|x")],
                      rows: [[.int(1), .text("a|b\r\nc\nd")], [.null, .text("《标题》（注）")]])
    #expect(render(r) { $0.mode = .markdown } == """
    | n | t\\|x |
    | ---: | --- |
    | 1 | a\\|b<br>c<br>d |
    |  | 《标题》（注） |

    """)
}

// MARK: - Streaming

@Test func streamsInChunksCutAtRowEnds() {
    let r = ResultSet(columns: [ResultColumn(name: "id", numeric: true), ResultColumn(name: "t")], rowCount: 50_000) { row, c in
        c == 0 ? .int(row) : .text("标题 \(row), \"q\"")
    }
    for mode in [OutputMode.csv, .tsv, .json, .jsonl, .markdown, .table] {
        var chunks: [String] = []
        var o = RenderOptions()
        o.mode = mode
        o.maxRows = nil
        Renderer.render(r, options: o) { chunks.append($0) }
        #expect(chunks.count > 5, "\(mode)")
        let oversized = chunks.filter { $0.utf8.count > 64 * 1024 }.count
        let unended = chunks.filter { !$0.hasSuffix("\n") }.count
        #expect(oversized == 0, "\(mode)")
        #expect(unended == 0, "\(mode)")
        if mode == .csv {
            let all = chunks.joined()
            #expect(Fixture.lines(all).count == 50_001)
            #expect(Fixture.lines(all)[50_000] == "49999,\"标题 49999, \"\"q\"\"\"")
        }
    }
}

/// Speed check, run with CASEQL_PERF=1 (ideally `swift test -c release -Xswiftc -enable-testing`).
@Test(.enabled(if: ProcessInfo.processInfo.environment["CASEQL_PERF"] != nil))
func csvMillionRowsSpeed() {
    let titles = Fixture.titles
    let r = ResultSet(columns: Fixture.columns + [ResultColumn(name: "n", numeric: true)], rowCount: 1_000_000) { row, c in
        switch c {
        case 0: return .int(row)
        case 1: return .text(titles[row % titles.count])
        case 2: return .list(["张三", "李四"])
        case 3: return .day(Day(raw: Int32(19000 + row % 1000)))
        case 4: return .rate(Double(row % 100) / 100)
        default: return .int(row * 7)
        }
    }
    var cells = 0
    let t0 = Date()
    for row in 0..<r.rowCount { for c in 0..<r.columns.count { if r.cell(row, c) != .null { cells += 1 } } }
    print("making the 6M cells alone: \(String(format: "%.2f", Date().timeIntervalSince(t0))) s")
    var o = RenderOptions()
    o.mode = .csv
    var bytes = 0
    let start = Date()
    Renderer.render(r, options: o) { bytes += $0.utf8.count }
    let seconds = Date().timeIntervalSince(start)
    print("CSV 1M rows x 6 columns: \(bytes) bytes in \(String(format: "%.2f", seconds)) s")
    #expect(bytes > 10_000_000)
    for encoding in [TextEncoding.utf8, .gb18030] {
        var e = ExportOptions()
        e.encoding = encoding
        let path = NSTemporaryDirectory() + "caseql-perf-\(UUID().uuidString).csv"
        let t = Date()
        let n = try? Exporter.writeCSV(r, to: path, options: e)
        print("export 1M rows to a \(encoding.rawValue) file: \(String(format: "%.2f", Date().timeIntervalSince(t))) s")
        #expect(n == 1_000_000)
        try? FileManager.default.removeItem(atPath: path)
    }
}

@Test func fastExportTextMatchesCellExportText() {
    var values: [Double] = [0, -0.0, 0.5, -0.5, 1, -1, 0.9999995, 0.9999994, -0.0000004, 1e-7, 123456.1234565,
                            0.125, 1.0 / 3, 2.0 / 3, 99.99999951, 1e14 + 0.5, 1e15, -1e15, 3e300, .infinity, -.infinity, .nan]
    // A fixed seed, printed, so that a failure can be run again with the same values.
    let seed: UInt64 = 0x5EED_2020
    print("fastExportTextMatchesCellExportText: seed \(seed)")
    var g = SplitMix64(seed: seed)
    for _ in 0..<20_000 {
        let e = Double(Int.random(in: -9...14, using: &g))
        values.append(Double.random(in: -1...1, using: &g) * pow(10, e))
    }
    for v in values {
        for cell in [Cell.double(v), Cell.rate(v)] {
            var b: [UInt8] = []
            Renderer.appendExport(cell, into: &b)
            #expect(String(decoding: b, as: UTF8.self) == Renderer.exportText(cell), "\(v)")
        }
    }
    for i in [0, 1, -1, 9, 10, -10, 1234567890, Int.max, Int.min] {
        var b: [UInt8] = []
        Renderer.appendExport(.int(i), into: &b)
        #expect(String(decoding: b, as: UTF8.self) == String(i))
    }
    for raw in stride(from: Int32(-800_000), to: 2_900_000, by: 997) {
        var b: [UInt8] = []
        Renderer.appendExport(.day(Day(raw: raw)), into: &b)
        #expect(String(decoding: b, as: UTF8.self) == Day(raw: raw).description)
    }
    var b: [UInt8] = []
    Renderer.appendExport(.list(["a", "乙", ""]), into: &b)
    Renderer.appendExport(.bool(false), into: &b)
    #expect(String(decoding: b, as: UTF8.self) == "a;乙;false")
}

@Test func tooManyColumnsShowsTheLeadingOnesAndNamesTheRest() {
    let columns = (1...12).map { ResultColumn(name: "column\($0)") }
    let result = ResultSet(columns: columns, rows: [(1...12).map { .text("value\($0)") }])
    var options = RenderOptions()
    options.width = 40
    let text = Renderer.string(result, options: options)
    let lines = text.split(separator: "\n").map(String.init)
    #expect(lines.allSatisfy { DisplayWidth.of($0) <= 40 })
    #expect(lines[0].hasSuffix("│…"))
    #expect(lines[2].hasSuffix("│…"))
    let visible = lines[0].filter { $0 == "│" }.count   // columns shown, the … column aside
    #expect(visible >= 2 && visible < 12)
    // The footer is wrapped to the width, never cut: every hidden column and the advice are there.
    let start = lines.firstIndex { $0.hasPrefix("\(12 - visible) more columns not shown:") }
    let footer = start.map { lines[$0...].joined(separator: " ") } ?? ""
    #expect(footer == "\(12 - visible) more columns not shown: "
        + ((visible + 1)...12).map { "column\($0)" }.joined(separator: ", ") + " (select fewer fields, or .mode csv or .mode line)")
    // Every body line has the same separators as the header.
    let bars = lines[0].indices.filter { lines[0][$0] == "│" }.count
    #expect(lines[2].filter { $0 == "│" }.count == bars)
}
