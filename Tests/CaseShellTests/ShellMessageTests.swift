import CaseQuery
import CaseStore
import Foundation
import Testing
@testable import CaseShell

/// The shell's own lines read in Chinese under `.labels on` and as before under `.labels off`:
/// the load summary, file errors of the exporters.
@Suite struct ShellMessageTests {
    /// A folder with a cases CSV whose third row has a date that is no day, and a column that
    /// names no field; loaded with --lenient.
    func loadedWithARejectedRow() throws -> (CaseStore, LoadReport, String) {
        let dir = NSTemporaryDirectory() + "caseql-msg-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let csv = """
        id,kind,title,unit,assigned_on,deadline,status,备用列
        Q1,proposal,关于午餐的提案,教育局,2020-03-10,2020-06-10,assigned,x
        Q2,proposal,关于道路的提案,城建局,2020-02-30,2020-06-10,assigned,y
        Q3,suggestion,关于公交的建议,交通局,2020-03-11,2020-06-11,closed,z

        """
        try csv.write(toFile: dir + "/cases.csv", atomically: true, encoding: .utf8)
        var options = LoadOptions(lenient: true)
        options.cacheDirectory = nil
        let (store, report) = try DatasetLoader.load(dir + "/cases.csv", options: options)
        return (store, report, dir)
    }

    @Test func theLoadSummaryInBothLanguages() throws {
        let (store, report, dir) = try loadedWithARejectedRow()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let en = DotCommands.loadSummary(report, store: store)
        let zh = DotCommands.loadSummary(report, store: store, chinese: true)
        #expect(en == DotCommands.loadSummary(report, store: store, chinese: false))
        let enLines = en.split(separator: "\n").map(String.init), zhLines = zh.split(separator: "\n").map(String.init)
        #expect(enLines.count == zhLines.count)
        #expect(enLines[0].hasPrefix("loaded ") && enLines[0].contains(": 2 cases, 0 units, 0 events"), "\(en)")
        // The tables' Chinese names are the sources' own (案件, 单位, 办理记录).
        #expect(zhLines[0].hasPrefix("已加载 ") && zhLines[0].contains("：案件 2 件，单位 0 个，办理记录 0 条"), "\(zh)")
        #expect(enLines.contains { $0.hasPrefix("  cases.csv: 2 rows loaded, 1 rejected (1 line of the file)") }, "\(en)")
        #expect(zhLines.contains { $0.hasPrefix("  cases.csv：已加载 2 行，拒收 1 行（占文件 1 行）") }, "\(zh)")
        #expect(enLines.contains { $0.hasPrefix("  rejected: cases.csv:3:") }, "\(en)")
        #expect(zhLines.contains { $0.hasPrefix("  拒收：cases.csv:3:") }, "\(zh)")
        #expect(enLines.contains { $0.hasPrefix("  note: ") } == zhLines.contains { $0.hasPrefix("  注：") })
    }

    @Test func fileErrorsInBothLanguages() throws {
        let r = ResultSet(columns: [ResultColumn(name: "id", label: "编号")], rows: [[.text("X1")]])
        do {
            _ = try Exporter.write(r, to: "/nonexistent-caseql-\(UInt32.random(in: 0...UInt32.max))/x.csv")
            Issue.record("wrote into a missing folder")
        } catch let e as ExportError {
            #expect(e.text(chinese: false) == e.description)
            #expect(e.description.hasPrefix("cannot write /nonexistent-caseql-") && e.description.contains(": no such folder /nonexistent-caseql-"))
            let zh = e.text(chinese: true)
            #expect(zh.hasPrefix("无法写入 /nonexistent-caseql-") && zh.contains("/x.csv：没有文件夹 /nonexistent-caseql-"), "\(zh)")
        }
        let folder = NSTemporaryDirectory()
        do {
            _ = try Exporter.write(r, to: folder)
            Issue.record("wrote to a folder")
        } catch let e as ExportError {
            #expect(e.text(chinese: true) == "无法写入 \(folder)：是文件夹")
            #expect(e.description == "cannot write \(folder): is a folder")
        }
    }
}
