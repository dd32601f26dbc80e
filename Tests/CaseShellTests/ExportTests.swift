import Testing
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import CaseStore
import CaseQuery
@testable import CaseShell

/// A fresh folder under the system temporary folder, removed by `done()`.
private struct TempFolder {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "caseql-export-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    var contents: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
    func done() { try? FileManager.default.removeItem(atPath: path) }
}

private func bytes(_ path: String) -> [UInt8] {
    [UInt8]((FileManager.default.contents(atPath: path)) ?? Data())
}

private let exactSet = ResultSet(columns: [
    ResultColumn(name: "id", label: "编号", numeric: true),
    ResultColumn(name: "title", label: "案由"),
    ResultColumn(name: "who", label: "提出人"),
], rows: [
    [.int(1), .text("Roads, \"bridges\" and “渡口”"), .list(["张三", "李四"])],
    [.int(-2), .text("=HYPERLINK(\"x\")"), .null],
    [.int(3), .text("line1\nline2"), .list(["@a"])],
    [.int(4), .text("\rcr"), .text("+1")],
    [.int(5), .text("\t（括号）《书名》"), .text("-")],
])

@Test func csvExactBytesWithExcelDefaults() throws {
    let dir = try TempFolder(); defer { dir.done() }
    let path = dir.path + "/out.csv"
    let n = try Exporter.writeCSV(exactSet, to: path, options: ExportOptions())
    #expect(n == 5)
    let expected: [UInt8] = [0xEF, 0xBB, 0xBF] + Array((
        "id,title,who\r\n" +
        "1,\"Roads, \"\"bridges\"\" and “渡口”\",张三;李四\r\n" +
        "-2,\"'=HYPERLINK(\"\"x\"\")\",\r\n" +
        "3,\"line1\nline2\",\"'@a\"\r\n" +
        "4,\"'\rcr\",\"'+1\"\r\n" +
        "5,\"'\t（括号）《书名》\",\"'-\"\r\n").utf8)
    #expect(bytes(path) == expected)
    #expect(dir.contents == ["out.csv"])
}

@Test func csvPlainOptions() throws {
    let dir = try TempFolder(); defer { dir.done() }
    var o = ExportOptions()
    o.bom = false; o.crlf = false; o.formulaGuard = false; o.chineseHeaders = true
    try Exporter.writeCSV(exactSet, to: dir.path + "/p.csv", options: o)
    let text = String(decoding: bytes(dir.path + "/p.csv"), as: UTF8.self)
    #expect(text.hasPrefix("编号,案由,提出人\n1,"))
    #expect(text.contains("\n-2,\"=HYPERLINK(\"\"x\"\")\",\n"))
    #expect(text.hasSuffix("\n5,\t（括号）《书名》,-\n"))
    o.headers = false
    try Exporter.writeCSV(exactSet, to: dir.path + "/p.csv", options: o)
    #expect(String(decoding: bytes(dir.path + "/p.csv"), as: UTF8.self).hasPrefix("1,\"Roads"))
}

@Test func gb18030RoundTrip() throws {
    let dir = try TempFolder(); defer { dir.done() }
    var utf = ExportOptions()
    utf.bom = false
    try Exporter.writeCSV(Fixture.hostile, to: dir.path + "/u.csv", options: utf)
    var gb = ExportOptions()
    gb.encoding = .gb18030   // bom stays true: GB18030 files never get one
    try Exporter.writeCSV(Fixture.hostile, to: dir.path + "/g.csv", options: gb)
    let g = bytes(dir.path + "/g.csv")
    let u = bytes(dir.path + "/u.csv")
    #expect(!g.starts(with: [0xEF, 0xBB, 0xBF]))
    #expect(g != u)   // the Chinese really was converted
    let back = g.withUnsafeBufferPointer { Transcode.convert($0, from: "GB18030", to: "UTF-8") }
    #expect(back == u)
    // 关 is 0xB9 0xD8 in GB2312/GBK/GB18030.
    #expect(g.firstRange(of: [0xB9, 0xD8]) != nil)
}

@Test func missingFolderFails() throws {
    #expect(throws: ExportError(path: "/nope-caseql/x.csv", reason: "no such folder /nope-caseql")) {
        try Exporter.writeCSV(exactSet, to: "/nope-caseql/x.csv", options: ExportOptions())
    }
    do {
        try Exporter.writeCSV(exactSet, to: "/nope-caseql/deeper/x.csv", options: ExportOptions())
        Issue.record("no error")
    } catch let e as ExportError {
        #expect(e.description == "cannot write /nope-caseql/deeper/x.csv: no such folder /nope-caseql/deeper")
    }
}

@Test func fileAsFolderFails() throws {
    // Root ignores chmod, so a regular file standing in for the folder gives the failure (ENOTDIR).
    if FileManager.default.fileExists(atPath: "/etc/hostname") {
        do {
            try Exporter.writeCSV(exactSet, to: "/etc/hostname/x.csv", options: ExportOptions())
            Issue.record("no error")
        } catch let e as ExportError {
            #expect(e.description == "cannot write /etc/hostname/x.csv: /etc/hostname is not a folder")
        }
    }
    let dir = try TempFolder(); defer { dir.done() }
    _ = FileManager.default.createFile(atPath: dir.path + "/plain", contents: Data("keep".utf8))
    #expect(throws: ExportError.self) {
        try Exporter.write(exactSet, to: dir.path + "/plain/x.json", options: ExportOptions())
    }
    #expect(dir.contents == ["plain"])   // no temporary file anywhere
    #expect(bytes(dir.path + "/plain") == Array("keep".utf8))
    // A folder as the target.
    try FileManager.default.createDirectory(atPath: dir.path + "/sub.csv", withIntermediateDirectories: false)
    #expect(throws: ExportError(path: dir.path + "/sub.csv", reason: "is a folder")) {
        try Exporter.writeCSV(exactSet, to: dir.path + "/sub.csv", options: ExportOptions())
    }
    #expect(dir.contents == ["plain", "sub.csv"])
}

@Test(.enabled(if: geteuid() != 0, "running as root: permissions do not stop root"))
func readOnlyFolderFails() throws {
    let dir = try TempFolder(); defer { chmod(dir.path, 0o755); dir.done() }
    chmod(dir.path, 0o555)
    #expect(throws: ExportError(path: dir.path + "/x.csv", reason: "permission denied in \(dir.path)")) {
        try Exporter.writeCSV(exactSet, to: dir.path + "/x.csv", options: ExportOptions())
    }
}

@Test func diskFullLeavesExistingFileAndNoTemp() throws {
    let dir = try TempFolder(); defer { dir.done() }
    let path = dir.path + "/report.csv"
    _ = FileManager.default.createFile(atPath: path, contents: Data("old contents\r\n".utf8))
    let big = ResultSet(columns: [ResultColumn(name: "t")], rowCount: 100_000) { r, _ in .text("标题 \(r)") }
    var written = 0
    do {
        _ = try Exporter.write(big, to: path, mode: .csv, options: ExportOptions()) { fd, p in
            // Accept 100 KB, then a short write, then ENOSPC.
            if written >= 100_000 { errno = ENOSPC; return -1 }
            let n = min(p.count, 100_000 - written, 7_000)
            written += n
            return write(fd, p.baseAddress, n)
        }
        Issue.record("no error")
    } catch let e as ExportError {
        #expect(e.description == "cannot write \(path): disk full")
    }
    #expect(written == 100_000)
    #expect(bytes(path) == Array("old contents\r\n".utf8))
    #expect(dir.contents == ["report.csv"])
    // A writer that makes no progress is a failure too, not a hang.
    #expect(throws: ExportError(path: path, reason: "short write (disk full?)")) {
        try Exporter.write(big, to: path, mode: .csv, options: ExportOptions()) { _, _ in 0 }
    }
    #expect(dir.contents == ["report.csv"])
}

@Test func replacesExistingFileKeepingItsMode() throws {
    let dir = try TempFolder(); defer { dir.done() }
    let path = dir.path + "/r.csv"
    _ = FileManager.default.createFile(atPath: path, contents: Data("old".utf8))
    chmod(path, 0o600)
    try Exporter.writeCSV(exactSet, to: path, options: ExportOptions())
    #expect(bytes(path).starts(with: [0xEF, 0xBB, 0xBF, 0x69, 0x64]))   // BOM "id"
    var st = stat()
    stat(path, &st)
    #expect(st.st_mode & 0o777 == 0o600)
    #expect(dir.contents == ["r.csv"])
}

@Test func formatByExtension() throws {
    func format(_ p: String, _ c: FileFormat.Content = .result) throws -> FileFormat? { try FileFormat.of(p, for: c) }
    #expect(try format("a/b.CSV") == .csv)
    #expect(try format("x.tsv") == .tsv)
    #expect(try format("x.tab") == .tsv)
    #expect(try format("x.json") == .json)
    #expect(try format("x.jsonl") == .jsonl)
    #expect(try format("x.ndjson") == .jsonl)
    #expect(try format("x.md") == .markdown)
    #expect(try format("x.XLSX") == .xlsx)
    #expect(try format("r.txt", .office) == .text)
    #expect(try format("r.md", .office) == .markdown)
    #expect(try format("r.xlsx", .office) == .xlsx)
    // Names that give no format caseql writes are refused, each saying why.
    func refused(_ p: String, _ c: FileFormat.Content = .result) -> String {
        do { _ = try FileFormat.of(p, for: c); return "" } catch { return "\(error)" }
    }
    #expect(refused("u.xls").contains("caseql writes .xlsx, not the old .xls: name the file u.xlsx"))
    #expect(refused("x.txt").contains(".txt is for .report and .check"))
    #expect(refused("noext").contains("noext has no extension"))
    #expect(refused("dir.json/.hidden").contains("has no extension"))
    #expect(refused("x.docx").contains(".docx is not a format caseql writes"))
    #expect(refused("r.json", .office).contains(".txt, .md, .csv or .xlsx"))
    #expect(refused("r.tsv", .office).contains("a report or check is not written as .tsv"))
    // A device or FIFO has no extension to go by: the caller's default (nil).
    #expect(try format("/dev/null") == nil)

    let dir = try TempFolder(); defer { dir.done() }
    #expect(try Exporter.write(Fixture.hostile, to: dir.path + "/a.json", options: ExportOptions()) == Fixture.titles.count)
    let json = bytes(dir.path + "/a.json")
    #expect(json.first == UInt8(ascii: "["))   // no BOM in JSON
    let parsed = try JSONSerialization.jsonObject(with: Data(json)) as! [[String: Any]]
    #expect(parsed.map { $0["title"] as? String } == Fixture.titles)

    try Exporter.write(Fixture.hostile, to: dir.path + "/a.jsonl", options: ExportOptions())
    let lines = String(decoding: bytes(dir.path + "/a.jsonl"), as: UTF8.self).split(separator: "\n")
    #expect(lines.count == Fixture.titles.count)

    try Exporter.write(exactSet, to: dir.path + "/a.tsv", options: ExportOptions())
    #expect(bytes(dir.path + "/a.tsv") == [0xEF, 0xBB, 0xBF] + Array((
        "id\ttitle\twho\r\n1\tRoads, \"bridges\" and “渡口”\t张三;李四\r\n-2\t'=HYPERLINK(\"x\")\t\r\n" +
        "3\tline1 line2\t'@a\r\n4\t' cr\t'+1\r\n5\t' （括号）《书名》\t'-\r\n").utf8))

    try Exporter.write(exactSet, to: dir.path + "/a.md", options: ExportOptions())
    #expect(String(decoding: bytes(dir.path + "/a.md"), as: UTF8.self).hasPrefix("| id | title | who |\n| ---: | --- | --- |\n| 1 |"))
    #expect(dir.contents == ["a.json", "a.jsonl", "a.md", "a.tsv"])
}

// MARK: - An independent reader: Python's csv module

private let python3: String? = {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
        let p = "\(dir)/python3"
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
}()

/// Reads `path` with csv.reader (given encoding, newline='') and returns the rows.
private func pythonCSV(_ path: String, encoding: String) throws -> [[String]] {
    let script = """
    import csv, json, sys
    with open(sys.argv[1], encoding=sys.argv[2], newline='') as f:
        rows = list(csv.reader(f))
    sys.stdout.write(json.dumps(rows))
    """
    let p = Process()
    p.executableURL = URL(fileURLWithPath: python3!)
    p.arguments = ["-c", script, path, encoding]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0)
    return try JSONSerialization.jsonObject(with: data) as? [[String]] ?? []
}

@Test(.enabled(if: python3 != nil, "python3 not found on PATH: independent CSV check skipped"))
func pythonCSVModuleReadsEveryField() throws {
    let dir = try TempFolder(); defer { dir.done() }
    let header = ["id", "title", "who", "date", "rate"]

    try Exporter.writeCSV(Fixture.hostile, to: dir.path + "/h.csv", options: ExportOptions())
    let rows = try pythonCSV(dir.path + "/h.csv", encoding: "utf-8-sig")
    let expected = [header] + Fixture.expectedFields(guarded: true)
    #expect(rows.count == expected.count)
    for (r, row) in rows.enumerated() where r < expected.count {
        #expect(row == expected[r], "row \(r)")
    }

    var o = ExportOptions()
    o.encoding = .gb18030; o.formulaGuard = false; o.crlf = false; o.chineseHeaders = true
    try Exporter.writeCSV(Fixture.hostile, to: dir.path + "/g.csv", options: o)
    let gbRows = try pythonCSV(dir.path + "/g.csv", encoding: "gb18030")
    #expect(gbRows == [["编号", "案由", "提出人", "日期", "办结率"]] + Fixture.expectedFields(guarded: false))
}
